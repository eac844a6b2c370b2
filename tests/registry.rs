//! The link-time registry across crates: plugins declared in fixture crates (one named in code,
//! one linked only through `use ... as _`) and in this test crate are found by namespace, listed
//! in a stable order, located precisely, and checked for duplicates across crates.

use std::sync::Arc;

use plux::{
    plugin, FunctionPlugin, Location, PluginErrorKind, PluginInterface, PluginManager, Registry,
};
use plux_fixture_alpha::{Audience, Counter, Greeter};
// Named nowhere else: without this line rustc would not link beta, and its plugins would be
// missing from the registry.
use plux_fixture_beta as _;
use plux_fixture_probe::Journal;

const ALPHA_SOURCE: &str = include_str!("../fixtures/alpha/src/lib.rs");
const BETA_SOURCE: &str = include_str!("../fixtures/beta/src/lib.rs");

/// The 1-based line of the first line of `source` that contains `needle`.
fn line_of(source: &str, needle: &str) -> u32 {
    let index = source
        .lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not in the source"));
    u32::try_from(index + 1).expect("a short file")
}

fn location(namespace: &str, name: &str) -> Location {
    let spec = Registry::specs(namespace)
        .find(|spec| spec.name() == name)
        .unwrap_or_else(|| panic!("{namespace}/{name} is registered"));
    spec.location()
}

mod nested {
    pub const DECLARED_AT: u32 = line!() + 1;
    #[plux::plugin(namespace = "rg.local")]
    pub fn nested_hook(log: &mut Vec<String>) {
        log.push("nested".into());
    }
}

#[plugin(namespace = "rg.local")]
fn root_hook(log: &mut Vec<String>) {
    log.push("root".into());
}

type Hook = FunctionPlugin<fn(&mut Vec<String>)>;

#[test]
fn plugins_of_a_named_crate_and_of_a_crate_linked_with_use_as_underscore_are_found() {
    let manager = PluginManager::<dyn Greeter>::with_args(Audience { who: "you".into() });

    assert_eq!(manager.namespace(), "fixtures.greeters");
    assert_eq!(
        manager.list_names(),
        ["english_greeter", "french", "german"]
    );
    let crates: Vec<_> = manager
        .list_specs()
        .iter()
        .map(|spec| spec.location().crate_name())
        .collect();
    assert_eq!(
        crates,
        [
            Some("plux_fixture_alpha"),
            Some("plux_fixture_beta"),
            Some("plux_fixture_beta")
        ]
    );
    let greetings: Vec<String> = manager.load_all().iter().map(|g| g.greet()).collect();
    assert_eq!(greetings, ["hello you", "bonjour you", "hallo"]);
}

#[test]
fn namespaces_are_sorted_and_include_every_linked_crate() {
    let namespaces = Registry::namespaces();

    assert!(
        namespaces.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted, each once: {namespaces:?}"
    );
    for namespace in [
        "fixtures.counters",
        "fixtures.dup",
        "fixtures.greeters",
        "fixtures.hooks",
        "rg.local",
    ] {
        assert!(
            namespaces.contains(&namespace),
            "{namespace}: {namespaces:?}"
        );
    }
    assert!(
        std::ptr::eq(namespaces, Registry::namespaces()),
        "built once"
    );
}

#[test]
fn every_registered_spec_is_in_all_and_listed_once_per_name_in_a_stable_order() {
    for &namespace in Registry::namespaces() {
        let declared = Registry::all()
            .iter()
            .filter(|spec| spec.namespace() == namespace)
            .count();
        let listed: Vec<&str> = Registry::specs(namespace).map(|spec| spec.name()).collect();
        let mut unique = listed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), listed.len(), "{namespace}: each name once");
        assert!(declared >= listed.len(), "{namespace}");

        // The same order every time, and the order of a manager of the namespace.
        let again: Vec<&str> = Registry::specs(namespace).map(|spec| spec.name()).collect();
        assert_eq!(listed, again, "{namespace}");
        assert_eq!(manager_names(namespace), listed, "{namespace}");
    }
    // Without priorities or constraints, the order is by name.
    let counters: Vec<&str> = Registry::specs("fixtures.counters")
        .map(|spec| spec.name())
        .collect();
    assert_eq!(counters, ["alpha", "alpha-2"]);
    let dup_declarations = Registry::all()
        .iter()
        .filter(|spec| spec.namespace() == "fixtures.dup")
        .count();
    assert_eq!(dup_declarations, 2);
    assert_eq!(Registry::specs("fixtures.dup").count(), 1);
    assert_eq!(Registry::specs("rg.nothing").count(), 0);
}

/// The names a manager of `namespace` lists (of any plugin type: listing makes no plugin).
fn manager_names(namespace: &'static str) -> Vec<String> {
    PluginManager::<Hook>::in_namespace(namespace)
        .list_names()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_location_names_the_crate_module_file_and_line_of_the_declaration() {
    let counter = location("fixtures.counters", "alpha");
    assert_eq!(counter.crate_name(), Some("plux_fixture_alpha"));
    assert_eq!(counter.module_path, Some("plux_fixture_alpha"));
    assert!(
        counter.file.ends_with("fixtures/alpha/src/lib.rs"),
        "{}",
        counter.file
    );
    assert_eq!(
        counter.line,
        line_of(
            ALPHA_SOURCE,
            "#[plugin(namespace = \"fixtures.counters\", name = \"alpha\")]"
        )
    );
    assert!(counter.column >= 1);
    assert_eq!(
        counter.to_string(),
        format!(
            "plux_fixture_alpha at {}:{}:{}",
            counter.file, counter.line, counter.column
        )
    );

    let by_macro = location("fixtures.counters", "alpha-2");
    assert_eq!(
        by_macro.line,
        line_of(
            ALPHA_SOURCE,
            "plugin_spec!(\"fixtures.counters\", \"alpha-2\""
        )
    );

    let french = location("fixtures.greeters", "french");
    assert_eq!(french.crate_name(), Some("plux_fixture_beta"));
    assert!(french.file.ends_with("fixtures/beta/src/lib.rs"));
    assert_eq!(
        french.line,
        line_of(
            BETA_SOURCE,
            "#[plugin(interface = Greeter, name = \"french\")]"
        )
    );

    let nested = location("rg.local", "nested_hook");
    assert_eq!(nested.crate_name(), Some("registry"));
    assert_eq!(nested.module_path, Some("registry::nested"));
    assert_eq!(nested.file, file!());
    assert_eq!(nested.line, nested::DECLARED_AT);
}

#[test]
fn a_name_declared_in_two_crates_is_a_duplicate_naming_both() {
    let journal = Journal::new();
    let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("fixtures.dup")
        .listener(journal.clone());

    let error = manager.load("same").expect_err("declared twice");

    let PluginErrorKind::Duplicate(sites) = error.kind() else {
        panic!("expected Duplicate, got {error}");
    };
    let mut crates: Vec<_> = sites.iter().map(Location::crate_name).collect();
    crates.sort();
    assert_eq!(
        crates,
        [Some("plux_fixture_alpha"), Some("plux_fixture_beta")]
    );
    let alpha_line = line_of(
        ALPHA_SOURCE,
        "#[plugin(namespace = \"fixtures.dup\", name = \"same\")]",
    );
    let beta_line = line_of(
        BETA_SOURCE,
        "#[plugin(namespace = \"fixtures.dup\", name = \"same\")]",
    );
    for (krate, line) in [
        ("plux_fixture_alpha", alpha_line),
        ("plux_fixture_beta", beta_line),
    ] {
        assert!(
            sites
                .iter()
                .any(|site| site.crate_name() == Some(krate) && site.line == line),
            "{krate}:{line} in {error}"
        );
        assert!(error.to_string().contains(krate), "{error}");
    }
    assert!(manager.load_all().is_empty(), "neither declaration loads");
    assert!(manager.retry("same").is_err());
    assert_eq!(
        journal.events(),
        ["resolve_exception fixtures.dup/same: Duplicate"]
    );
}

#[test]
fn function_plugins_of_both_crates_are_callable_like_functions() {
    let hooks = PluginManager::<Hook>::in_namespace("fixtures.hooks");

    assert_eq!(hooks.list_names(), ["alpha_hook", "beta_hook"]);
    let mut log = Vec::new();
    for hook in hooks.load_all() {
        hook(&mut log);
    }
    assert_eq!(log, ["alpha", "beta"]);

    let beta = hooks.load("beta_hook").expect("loads");
    beta(&mut log);
    let function: fn(&mut Vec<String>) = **beta;
    function(&mut log);
    assert_eq!(log, ["alpha", "beta", "beta", "beta"]);

    let local = PluginManager::<Hook>::in_namespace("rg.local");
    let mut log = Vec::new();
    local.call_all(|hook| hook(&mut log));
    assert_eq!(log, ["nested", "root"]);
}

#[test]
fn a_manager_of_another_plugin_type_gets_wrong_type_for_registered_plugins() {
    // The registry is shared by every manager; the type is checked when a plugin is made.
    let wrong_signature = PluginManager::<FunctionPlugin<fn()>>::in_namespace("fixtures.hooks");
    let error = wrong_signature
        .load("alpha_hook")
        .expect_err("fn(&mut Vec<String>)");
    assert!(
        matches!(
            error.kind(),
            PluginErrorKind::WrongType { expected, found }
                if *expected == std::any::type_name::<FunctionPlugin<fn()>>()
                    && *found == std::any::type_name::<Hook>()
        ),
        "{error}"
    );

    let counters_as_greeters = PluginManager::<Counter>::in_namespace(<dyn Greeter>::NAMESPACE);
    assert!(counters_as_greeters.load_all().is_empty());
    assert!(matches!(
        counters_as_greeters.load("french").map(|_| ()),
        Err(error) if matches!(error.kind(), PluginErrorKind::WrongType { .. })
    ));
}

#[test]
fn each_manager_of_a_registry_namespace_has_instances_of_its_own() {
    let one = PluginManager::<Counter>::new();
    let two = PluginManager::<Counter>::new();
    assert_eq!(one.namespace(), "fixtures.counters");

    let a1 = one.load("alpha").expect("loads");
    assert!(a1.loaded, "load ran");
    assert!(!two.is_loaded("alpha"));
    let a2 = two.load("alpha").expect("loads");

    assert!(!Arc::ptr_eq(&a1, &a2));
    assert!(Arc::ptr_eq(&a1, &one.load("alpha").expect("cached")));
}
