//! Faults are contained: every way user code can fail (an `Err`, a panic, a product of the wrong
//! type, a panicking filter, listener or finder) becomes the documented error of that one plugin,
//! heard by the documented hook and logged, while the other plugins carry on.

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, PoisonError};

use plux::{
    BoxError, FunctionPlugin, Plugin, PluginErrorKind, PluginFinder, PluginManager, PluginSpec,
    PluginState, Product, Stage,
};
use plux_fixture_alpha::{Audience, EnglishGreeter, Greeter};
use plux_fixture_probe::{kind_name, logged, probe, Journal, Panicker, Probe};

type Manager = PluginManager<Probe>;

fn names(plugins: &[Arc<Probe>]) -> Vec<&str> {
    plugins.iter().map(|plugin| plugin.name()).collect()
}

#[test]
fn a_factory_error_fails_the_plugin_at_init() {
    let (spec, calls) = probe("ft.factory_err", "a").factory_fails().build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.factory_err")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("the factory fails");

    assert!(matches!(error.kind(), PluginErrorKind::Factory(_)));
    assert_eq!(
        error.source().map(ToString::to_string).as_deref(),
        Some("factory says no"),
        "the factory's own error is the source"
    );
    assert_eq!(
        error.to_string(),
        "plugin `ft.factory_err/a`: factory failed: factory says no"
    );
    assert_eq!(calls.all(), (1, 0, 0));
    assert_eq!(
        journal.events(),
        ["resolve_after a", "init_exception a: Factory"]
    );
    assert!(matches!(
        manager.state("a"),
        Some(PluginState::Failed(e)) if matches!(e.kind(), PluginErrorKind::Factory(_))
    ));
}

/// A plugin's own error type, which a caller wants back from the `PluginError`.
#[derive(Debug)]
struct NotConfigured(&'static str);

impl std::fmt::Display for NotConfigured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not configured", self.0)
    }
}

impl Error for NotConfigured {}

fn fails_with_not_configured(ns: &'static str) -> Manager {
    let (factory, _) = probe(ns, "factory")
        .factory(|| Err(Box::new(NotConfigured("the factory"))))
        .build();
    let (load, _) = probe(ns, "load")
        .on_load(|_, _| Err(Box::new(NotConfigured("load"))))
        .build();
    Manager::in_namespace(ns).finder(vec![factory, load])
}

#[test]
fn the_error_of_a_factory_or_load_is_kept_as_it_was_in_the_kind() {
    let manager = fails_with_not_configured("ft.own_error_kind");
    for name in ["factory", "load"] {
        let error = manager.load(name).expect_err("fails");
        let (PluginErrorKind::Factory(own) | PluginErrorKind::Load(own)) = error.kind() else {
            panic!("{name}: expected Factory or Load, got {error}");
        };
        assert!(
            own.downcast_ref::<NotConfigured>().is_some(),
            "{name}: {own}"
        );
    }
}

#[test]
fn the_source_of_a_factory_or_load_error_is_the_plugins_own_error() {
    let manager = fails_with_not_configured("ft.own_error_source");
    for name in ["factory", "load"] {
        let error = manager.load(name).expect_err("fails");
        let source = error.source().expect("has a source");
        assert!(
            source.downcast_ref::<NotConfigured>().is_some(),
            "{name}: the source is not the plugin's own error"
        );
    }
}

#[test]
fn a_factory_panic_fails_the_plugin_at_init() {
    let (spec, calls) = probe("ft.factory_panic", "a").factory_panics().build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.factory_panic")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("the factory panics");

    let PluginErrorKind::Panicked { stage, message } = error.kind() else {
        panic!("expected Panicked, got {error}");
    };
    assert_eq!((*stage, message.as_str()), (Stage::Init, "factory boom"));
    assert_eq!(
        error.to_string(),
        "plugin `ft.factory_panic/a`: factory panicked: factory boom"
    );
    assert_eq!(calls.all(), (1, 0, 0));
    assert_eq!(
        journal.events(),
        ["resolve_after a", "init_exception a: Panicked"]
    );
}

#[test]
fn a_should_load_panic_fails_the_plugin_before_load() {
    let (spec, calls) = probe("ft.should_load_panic", "a")
        .should_load_panics()
        .build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.should_load_panic")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("should_load panics");

    assert!(matches!(
        error.kind(),
        PluginErrorKind::Panicked { stage: Stage::ShouldLoad, message } if message == "should_load boom"
    ));
    assert_eq!(calls.all(), (1, 1, 0));
    assert_eq!(
        journal.events(),
        [
            "resolve_after a",
            "init_after a",
            "load_exception a: Panicked"
        ]
    );
}

#[test]
fn a_load_error_fails_the_plugin_at_load() {
    let (spec, calls) = probe("ft.load_err", "a").load_fails().build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.load_err")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("load fails");

    assert!(matches!(error.kind(), PluginErrorKind::Load(_)));
    assert_eq!(
        error.source().map(ToString::to_string).as_deref(),
        Some("load says no")
    );
    assert_eq!(calls.all(), (1, 1, 1));
    assert_eq!(
        journal.events(),
        [
            "resolve_after a",
            "init_after a",
            "load_before a ()",
            "load_exception a: Load"
        ]
    );
}

#[test]
fn a_load_panic_fails_the_plugin_at_load() {
    let (spec, calls) = probe("ft.load_panic", "a").load_panics().build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.load_panic")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("load panics");

    assert!(matches!(
        error.kind(),
        PluginErrorKind::Panicked { stage: Stage::Load, message } if message == "load boom"
    ));
    assert_eq!(calls.all(), (1, 1, 1));
    assert_eq!(
        journal.events(),
        [
            "resolve_after a",
            "init_after a",
            "load_before a ()",
            "load_exception a: Panicked"
        ]
    );
}

#[test]
fn a_panic_with_a_non_string_payload_is_contained_too() {
    let (spec, _) = probe("ft.odd_panic", "a")
        .on_load(|_, _| std::panic::panic_any(42_u8))
        .build();
    let manager = Manager::in_namespace("ft.odd_panic").finder(vec![spec]);

    let error = manager.load("a").expect_err("load panics");

    assert!(matches!(
        error.kind(),
        PluginErrorKind::Panicked { stage: Stage::Load, message }
            if message == "a panic with a non-string payload"
    ));
}

/// A panic payload whose own destructor panics: still user code, still a panic of `load`.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("payload boom");
    }
}

#[test]
fn a_panic_payload_that_panics_when_dropped_is_contained() {
    let (spec, _) = probe("ft.payload_bomb", "a")
        .on_load(|_, _| std::panic::panic_any(PanicsOnDrop))
        .build();
    let (other, _) = probe("ft.payload_bomb", "b").build();
    let manager = Manager::in_namespace("ft.payload_bomb").finder(vec![spec, other]);

    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| manager.load("a")));

    let result = outcome.expect("the panic does not escape the manager");
    assert!(matches!(
        result.expect_err("load panicked").kind(),
        PluginErrorKind::Panicked {
            stage: Stage::Load,
            ..
        }
    ));
    assert_eq!(manager.load_all().len(), 1);
}

/// A plugin type other than [`Probe`], for products of the wrong type.
#[derive(Default)]
struct Stranger;

impl Plugin for Stranger {
    type Args = ();
    type Output = String;
    fn load(&mut self, _: &()) -> Result<String, BoxError> {
        Ok(String::new())
    }
}

#[test]
fn a_product_of_the_wrong_type_fails_at_init_and_load_never_runs() {
    let made = Arc::new(AtomicUsize::new(0));
    let spec = PluginSpec::new("ft.wrong_type", "a", {
        let made = made.clone();
        move || {
            made.fetch_add(1, SeqCst);
            Ok(Box::new(Stranger))
        }
    })
    .expect("valid spec");
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.wrong_type")
        .finder(vec![spec])
        .listener(journal.clone());

    let error = manager.load("a").expect_err("wrong type");

    let PluginErrorKind::WrongType { expected, found } = error.kind() else {
        panic!("expected WrongType, got {error}");
    };
    assert_eq!(*expected, std::any::type_name::<Probe>());
    assert_eq!(*found, std::any::type_name::<Stranger>());
    assert_eq!(
        journal.events(),
        ["resolve_after a", "init_exception a: WrongType"]
    );
    // Sticky, and retry runs the factory again.
    assert!(matches!(
        manager.load("a").expect_err("sticky").kind(),
        PluginErrorKind::WrongType { .. }
    ));
    assert_eq!(made.load(SeqCst), 1);
    assert!(manager.retry("a").is_err());
    assert_eq!(made.load(SeqCst), 2);
}

/// A hand-written factory (what the macros write for you) must put exactly one plugin into its
/// `Product`, and hand over the only `Arc` of it: `load` needs the plugin to itself.
#[test]
fn a_factory_that_keeps_its_plugin_or_puts_none_fails_the_plugin_with_a_factory_error() {
    type Hook = FunctionPlugin<fn()>;
    static KEPT: Mutex<Option<Arc<Hook>>> = Mutex::new(None);
    fn noop() {}
    fn keeps_a_clone(product: Product<'_>) -> Result<(), BoxError> {
        let plugin = Arc::new(FunctionPlugin::new(noop as fn()));
        *KEPT.lock().unwrap_or_else(PoisonError::into_inner) = Some(plugin.clone());
        product.put(plugin);
        Ok(())
    }
    fn puts_nothing(_: Product<'_>) -> Result<(), BoxError> {
        Ok(())
    }
    // Placed as the macros place a spec, with these hand-written factories.
    macro_rules! spec {
        ($name:literal, $factory:expr) => {
            plux::__private::submit!({
                const MANAGED: &plux::__private::Managed =
                    &plux::__private::Managed::new("ft.factory_contract", None);
                plux::__private::linked_spec!(MANAGED, $name, $factory, None)
            });
        };
    }
    spec!("keeps", keeps_a_clone);
    spec!("empty", puts_nothing);
    let manager = PluginManager::<Hook>::in_namespace("ft.factory_contract");

    for (name, says) in [("keeps", "kept a reference"), ("empty", "without putting")] {
        let error = manager.load(name).expect_err("a broken factory");
        let PluginErrorKind::Factory(cause) = error.kind() else {
            panic!("{name}: expected a factory error, got {error}");
        };
        assert!(cause.to_string().contains(says), "{name}: {cause}");
    }
    assert!(KEPT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .is_some());
}

#[test]
fn an_interface_manager_wants_the_product_boxed_as_the_interface() {
    // A run-time spec for a `dyn Greeter` manager must box its plugin as `dyn Greeter`; a
    // concrete box is another type, and the manager says which. (A concrete `EnglishGreeter`
    // box no longer compiles: a plugin of an interface is no `Plugin` of its own. A greeter that
    // is also a plugin by itself still makes the mistake possible.)
    #[derive(Default)]
    struct ConcreteGreeter;
    impl Greeter for ConcreteGreeter {
        fn greet(&self) -> String {
            "hello from a concrete box".into()
        }
        fn load(&mut self, _: &Audience) -> Result<String, BoxError> {
            Ok(String::new())
        }
    }
    impl Plugin for ConcreteGreeter {
        type Args = ();
        type Output = ();
        fn load(&mut self, _: &()) -> Result<(), BoxError> {
            Ok(())
        }
    }

    let concrete = PluginSpec::new("fixtures.greeters", "concrete", || {
        Ok(Box::new(ConcreteGreeter))
    })
    .expect("valid spec");
    let boxed_as_interface = PluginSpec::new("fixtures.greeters", "boxed", || {
        Ok(Box::new(EnglishGreeter::default()) as Box<dyn Greeter>)
    })
    .expect("valid spec");
    let manager = PluginManager::<dyn Greeter>::with_args(Audience { who: "all".into() })
        .finder(vec![concrete, boxed_as_interface]);

    let Err(error) = manager.load("concrete") else {
        panic!("a concrete box is not a `Box<dyn Greeter>`");
    };
    assert!(matches!(
        error.kind(),
        PluginErrorKind::WrongType { expected, found }
            if *expected == std::any::type_name::<dyn Greeter>()
                && *found == std::any::type_name::<ConcreteGreeter>()
    ));
    assert_eq!(
        manager.load("boxed").expect("right type").greet(),
        "hello all"
    );
}

#[test]
fn a_panicking_filter_fails_the_plugin_before_its_factory_runs() {
    let (a, a_calls) = probe("ft.filter_panic", "a").build();
    let (b, b_calls) = probe("ft.filter_panic", "b").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace("ft.filter_panic")
        .finder(vec![a, b])
        .filter(|spec| {
            if spec.name() == "a" {
                panic!("filter boom")
            }
            true
        })
        .listener(journal.clone());

    let error = manager.load("a").expect_err("the filter panics");

    assert!(matches!(
        error.kind(),
        PluginErrorKind::Panicked { stage: Stage::Filter, message } if message == "filter boom"
    ));
    assert_eq!(a_calls.all(), (0, 0, 0));
    assert_eq!(
        journal.of("a"),
        ["resolve_after a", "init_exception a: Panicked"]
    );
    assert_eq!(names(&manager.load_all()), ["b"]);
    assert_eq!(b_calls.all(), (1, 1, 1));
}

#[test]
fn a_listener_that_panics_in_every_hook_is_contained() {
    let ns = "ft.listener_panic";
    let (ok, ok_calls) = probe(ns, "ok").build();
    let (off, _) = probe(ns, "off").disabled().build();
    let (factory, _) = probe(ns, "factory").factory_fails().build();
    let (load, _) = probe(ns, "load").load_fails().build();
    let (dup1, _) = probe(ns, "dup").build();
    let (dup2, _) = probe(ns, "dup").build();
    let panicker = Panicker::new();
    let journal = Journal::new();
    let manager = Manager::in_namespace(ns)
        .finder(vec![ok, off, factory, load, dup1, dup2])
        .listener(panicker.clone())
        .listener(journal.clone());

    let loaded = manager.load_all();

    assert_eq!(
        names(&loaded),
        ["ok"],
        "the plugin loads despite the listener"
    );
    assert_eq!(ok_calls.all(), (1, 1, 1));
    assert!(manager.is_loaded("ok"));
    let events = journal.events();
    // Every hook was reached, and the listener after the panicking one heard each of them.
    for hook in [
        "resolve_after",
        "resolve_exception",
        "init_after",
        "init_exception",
        "load_before",
        "load_after",
        "load_exception",
        "disabled",
    ] {
        assert!(
            events.iter().any(|e| e.starts_with(hook)),
            "{hook} not heard: {events:?}"
        );
    }
    assert_eq!(panicker.calls(), events.len());
    assert_eq!(
        journal.of("ok"),
        [
            "resolve_after ok",
            "init_after ok",
            "load_before ok ()",
            "load_after ok \"ok loaded with \""
        ]
    );
}

#[test]
fn a_panicking_finder_resolves_no_plugins() {
    struct Broken;
    impl PluginFinder for Broken {
        fn find_plugins(&self, _: &str) -> Vec<PluginSpec> {
            panic!("finder boom")
        }
    }
    let manager = Manager::in_namespace("ft.finder_panic").finder(Broken);

    assert!(manager.load_all().is_empty());
    assert!(manager.list_names().is_empty());
    assert!(matches!(
        manager.load("a").expect_err("nothing resolved").kind(),
        PluginErrorKind::NotFound { .. }
    ));
}

/// Plugins `a`..`g`: three load, the others fail in every way or are disabled.
fn mixed(ns: &'static str) -> (Manager, Vec<Arc<plux_fixture_probe::Calls>>) {
    let builds = [
        probe(ns, "g"),
        probe(ns, "f").load_panics(),
        probe(ns, "e").disabled(),
        probe(ns, "d"),
        probe(ns, "c").factory_fails(),
        probe(ns, "b").load_fails(),
        probe(ns, "a"),
    ];
    let (specs, calls): (Vec<_>, Vec<_>) = builds.into_iter().map(|b| b.build()).unzip();
    (Manager::in_namespace(ns).finder(specs), calls)
}

#[test]
fn load_all_carries_on_past_failures_and_returns_the_others_sorted_by_name() {
    let journal = Journal::new();
    let (manager, calls) = mixed("ft.load_all");
    manager.add_listener(journal.clone());

    let loaded = manager.load_all();

    assert_eq!(names(&loaded), ["a", "d", "g"]);
    assert!(calls.iter().all(|calls| calls.factory() == 1), "all ran");
    let outcomes: Vec<String> = journal
        .events()
        .into_iter()
        .filter(|e| {
            ["load_after", "load_exception", "init_exception", "disabled"]
                .iter()
                .any(|hook| e.starts_with(hook))
        })
        .map(|e| {
            e.split(['"', ':'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "load_after a",
            "load_exception b",
            "init_exception c",
            "load_after d",
            "disabled e",
            "load_exception f",
            "load_after g"
        ],
        "every plugin ran, in name order"
    );
}

#[test]
fn try_load_all_stops_at_the_first_failure_and_returns_it() {
    let (manager, calls) = mixed("ft.try_load_all");
    // calls are in the order of `mixed`: g f e d c b a
    let calls_of = |name: &str| {
        let i = ["g", "f", "e", "d", "c", "b", "a"]
            .iter()
            .position(|n| *n == name)
            .expect("known name");
        calls[i].all()
    };

    let error = manager.try_load_all().expect_err("b fails");

    assert_eq!(error.name(), Some("b"));
    assert!(matches!(error.kind(), PluginErrorKind::Load(_)));
    assert!(manager.is_loaded("a"));
    for later in ["c", "d", "e", "f", "g"] {
        assert_eq!(calls_of(later), (0, 0, 0), "{later} did not run");
    }

    // Again: the same (sticky) error, still nothing after it runs.
    let again = manager.try_load_all().expect_err("b still fails");
    assert_eq!(again.name(), Some("b"));
    assert_eq!(calls_of("b"), (1, 1, 1));
    assert_eq!(calls_of("c"), (0, 0, 0));
}

#[test]
fn try_load_all_skips_disabled_plugins() {
    let ns = "ft.try_load_all_disabled";
    let (a, _) = probe(ns, "a").disabled().build();
    let (b, _) = probe(ns, "b").build();
    let manager = Manager::in_namespace(ns).finder(vec![a, b]);

    let loaded = manager.try_load_all().expect("disabled is no failure");

    assert_eq!(names(&loaded), ["b"]);
}

#[test]
fn every_error_kind_renders_the_plugin_it_is_about() {
    let (manager, _) = mixed("ft.display");
    manager.load_all();
    for name in ["b", "c", "e", "f"] {
        let error = manager.load(name).expect_err("not loaded");
        assert!(
            error
                .to_string()
                .starts_with(&format!("plugin `ft.display/{name}`: ")),
            "{error}"
        );
        assert!(!kind_name(error.kind()).is_empty());
        // Errors are values: cheap to clone, and Send + Sync for any thread.
        let copy = error.clone();
        assert_eq!(copy.to_string(), error.to_string());
    }
}

#[test]
fn failures_are_logged_at_error_with_target_plux() {
    logged(""); // installs the recorder before anything is loaded
    let ns = "ft.logged";
    let (fails, _) = probe(ns, "fails").load_fails().build();
    let (panics, _) = probe(ns, "panics").load_panics().build();
    let (works, _) = probe(ns, "works").build();
    let manager = Manager::in_namespace(ns)
        .finder(vec![fails, panics, works])
        .listener(Panicker::new());

    manager.load_all();

    let failed = logged("ft.logged/fails");
    assert!(
        failed
            .iter()
            .any(|(level, line)| *level == log::Level::Error && line.contains("load says no")),
        "{failed:?}"
    );
    let panicked = logged("ft.logged/panics");
    assert!(
        panicked
            .iter()
            .any(|(level, line)| *level == log::Level::Error && line.contains("load boom")),
        "{panicked:?}"
    );
    let listener = logged("listener panicked");
    assert!(
        listener
            .iter()
            .any(|(level, line)| *level == log::Level::Error && line.contains("ft.logged/works")),
        "{listener:?}"
    );
    assert!(
        logged("ft.logged/works")
            .iter()
            .any(|(level, line)| *level == log::Level::Debug && line.ends_with("loaded")),
        "a success is logged at debug level"
    );
}
