//! `plux::link_plugins!()` in an integration test of the plux package: every plugin crate among
//! the package's dependencies and dev-dependencies is linked, though no code here names one.
//! (fixtures/link-app tests the cases a package's manifest can hold: renamed, optional,
//! platform-specific and dev-dependencies, and a list that forgets a crate.)

use plux::{PluginManager, Registry};
use plux_fixture_alpha::{Audience, Greeter};

plux::link_plugins!();

#[test]
fn beta_is_linked_without_being_named() {
    let greeters = PluginManager::<dyn Greeter>::with_args(Audience { who: "you".into() });
    let names = greeters.list_names();
    for name in ["english_greeter", "french", "german"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert_eq!(greeters.load("french").unwrap().greet(), "bonjour you");
}

#[test]
fn the_record_lists_the_plugin_crates_and_not_plux_itself() {
    let links = Registry::links();
    assert_eq!(links.len(), 1, "{links:?}");
    let link = &links[0];
    assert_eq!(link.unverified(), None);
    assert_eq!(link.site().file, "tests/link.rs");
    assert_eq!(link.site().module_path, Some("link"));
    let names: Vec<&str> = link.crates().iter().map(|krate| krate.name).collect();
    assert!(names.contains(&"plux_fixture_alpha"), "{names:?}");
    assert!(names.contains(&"plux_fixture_beta"), "{names:?}");
    for not_a_plugin_crate in ["plux", "plux_core", "plux_macros", "trybuild", "log"] {
        assert!(!names.contains(&not_a_plugin_crate), "{names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

#[test]
fn the_linked_fixtures_contribute_their_plugins() {
    let report = plux::inspect::Report::collect();
    assert_eq!(report.plugins_of_crate("plux_fixture_alpha"), 5);
    assert_eq!(report.plugins_of_crate("plux_fixture_beta"), 4);
}
