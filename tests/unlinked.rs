//! A program without `plux::link_plugins!()` (this test binary has none): when it finds nothing,
//! the error says what to add; when it does find plugins, nothing hints at linking.

use plux::{plugin, plugin_interface, PluginErrorKind, PluginManager, PluginSpec};

#[plugin_interface(namespace = "unlinked.commands")]
pub trait Command {}

#[plugin_interface(namespace = "unlinked.linked")]
pub trait Linked {}

#[derive(Default)]
struct Hello;

#[plugin]
impl Linked for Hello {}

#[test]
fn a_load_in_an_empty_namespace_says_to_add_link_plugins() {
    let error = PluginManager::<dyn Command>::new()
        .load("hello")
        .expect_err("no plugin");
    assert!(matches!(
        error.kind(),
        PluginErrorKind::NotFound { unlinked: true }
    ));
    let message = error.to_string();
    assert!(
        message.starts_with("plugin `unlinked.commands/hello`: not found: the namespace has no plugins, and this program has no `plux::link_plugins!()`"),
        "{message}"
    );
    assert!(
        message.contains("Add `plux::link_plugins!();`"),
        "{message}"
    );
}

#[test]
fn a_program_that_links_by_hand_gets_no_hint() {
    // Its plugins are there: a name that is not is a plain "not found".
    let manager = PluginManager::<dyn Linked>::new();
    assert!(manager.load("hello").is_ok());
    let error = manager.load("helo").expect_err("a typo");
    assert!(matches!(
        error.kind(),
        PluginErrorKind::NotFound { unlinked: false }
    ));
    assert_eq!(
        error.to_string(),
        "plugin `unlinked.linked/helo`: not found"
    );
}

#[test]
fn a_finder_of_its_own_gets_no_hint() {
    let manager = PluginManager::<dyn Command>::new().finder(Vec::<PluginSpec>::new());
    let error = manager.load("hello").expect_err("no plugin");
    assert_eq!(
        error.to_string(),
        "plugin `unlinked.commands/hello`: not found"
    );
}
