//! Where a plugin's description comes from: `description = ".."` (which also lets a computed
//! `#[doc]` stand), else the doc comment (`///` or `/** */`, cleaned) of the item under
//! #[plugin]; on `impl Interface for Type`, the impl's, else the type's.
use plux::{plugin, plugin_interface, PluginManager};

#[plugin_interface(namespace = "ui.descriptions")]
pub trait Command {}

#[derive(Default)]
struct Lines;

/// Says hello
/// to everyone.
#[plugin]
impl Command for Lines {}

#[derive(Default)]
struct Block;

/**
 * Counts
 * to ten.
 */
#[plugin]
impl Command for Block {}

#[derive(Default)]
struct Computed;

#[doc = concat!("Computed ", "docs.")]
#[plugin(description = "A literal wins.")]
impl Command for Computed {}

/// Described on the type.
#[derive(Default)]
#[plugin(interface = dyn Command, name = "typed")]
struct OnTheType;

impl Command for OnTheType {}

/// Documented where rustdoc shows it: on the type.
#[derive(Default)]
struct Documented;

#[plugin]
impl Command for Documented {}

/// The type's words.
#[derive(Default)]
struct Both;

/// The impl's words win.
#[plugin]
impl Command for Both {}

mod inner {
    /// In a module of its own.
    #[derive(Default)]
    pub struct Nested;

    #[plux::plugin]
    impl super::Command for Nested {}
}

#[test]
fn descriptions_come_from_the_documented_item() {
    let manager = PluginManager::<dyn Command>::new();
    let description = |name: &str| {
        manager
            .list_specs()
            .into_iter()
            .find(|spec| spec.name() == name)
            .and_then(|spec| spec.description().map(str::to_owned))
    };
    assert_eq!(
        description("lines").as_deref(),
        Some("Says hello\nto everyone.")
    );
    assert_eq!(description("block").as_deref(), Some("Counts\nto ten."));
    assert_eq!(description("computed").as_deref(), Some("A literal wins."));
    assert_eq!(
        description("typed").as_deref(),
        Some("Described on the type.")
    );
    assert_eq!(
        description("documented").as_deref(),
        Some("Documented where rustdoc shows it: on the type.")
    );
    assert_eq!(
        description("both").as_deref(),
        Some("The impl's words win.")
    );
    assert_eq!(
        description("nested").as_deref(),
        Some("In a module of its own.")
    );
}
