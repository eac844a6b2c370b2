//! Hard dependencies (`requires`), descriptions read without loading, and the parallel start.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use plux::inspect::Report;
use plux::{
    plugin, DisabledReason, PluginErrorKind, PluginManager, PluginSpec, PluginState, Registry,
};
use plux_fixture_probe::{probe, within, Journal, Probe};

type Manager = PluginManager<Probe>;

fn disabled_reason(manager: &Manager, name: &str) -> DisabledReason {
    match manager.load(name).map(|_| ()).unwrap_err().kind() {
        PluginErrorKind::Disabled(reason) => reason.clone(),
        other => panic!("{name}: expected disabled, got {other:?}"),
    }
}

// 1. `requires`

#[test]
fn a_failed_requirement_disables_its_dependents_transitively_saying_why() {
    let ns = "rq.transitive";
    let (db, db_calls) = probe(ns, "db").load_fails().build();
    let (cache, cache_calls) = probe(ns, "cache").build();
    let (api, api_calls) = probe(ns, "api").build();
    let (other, _) = probe(ns, "other").build();
    let journal = Journal::new();
    let manager = Manager::in_namespace(ns)
        .finder(vec![
            api.with_requires(["cache"]).unwrap(),
            cache.with_requires(["db"]).unwrap(),
            db,
            other,
        ])
        .listener(journal.clone());

    // Asked for directly, `api` loads its requirements first, in this manager.
    let reason = disabled_reason(&manager, "api");
    assert_eq!(
        reason,
        DisabledReason::Requirement {
            name: "cache".into(),
            why: "disabled: requires `db`, which did not load (load failed: load says no)".into(),
        }
    );
    assert_eq!(
        reason.to_string(),
        "requires `cache`, which did not load (disabled: requires `db`, which did not load \
         (load failed: load says no))"
    );
    assert!(matches!(
        manager.state("cache"),
        Some(PluginState::Disabled(DisabledReason::Requirement { name, .. })) if name == "db"
    ));
    assert_eq!(db_calls.all(), (1, 1, 1));
    assert_eq!(cache_calls.all(), (0, 0, 0), "a dependent is not made");
    assert_eq!(api_calls.all(), (0, 0, 0));
    assert_eq!(journal.hooks_of("api"), ["resolve_after", "disabled"]);
    assert_eq!(journal.hooks_of("cache"), ["resolve_after", "disabled"]);

    // The rest of the namespace carries on; nothing re-runs.
    let loaded: Vec<String> = manager.load_all().iter().map(|p| p.name().into()).collect();
    assert_eq!(loaded, ["other"]);
    assert!(manager.try_load_all().is_err(), "db failed");
    assert_eq!(db_calls.all(), (1, 1, 1));
}

#[test]
fn retry_of_the_requirement_then_of_the_dependent_recovers() {
    let ns = "rq.retry";
    let broken = Arc::new(AtomicBool::new(true));
    let still_broken = broken.clone();
    let (db, _) = probe(ns, "db")
        .on_load(move |_, _| match still_broken.load(SeqCst) {
            true => Err("database down".into()),
            false => Ok("up".into()),
        })
        .build();
    let (app, _) = probe(ns, "app").build();
    let manager = Manager::in_namespace(ns).finder(vec![db, app.with_requires(["db"]).unwrap()]);
    assert!(manager.load("app").unwrap_err().is_disabled());

    broken.store(false, SeqCst);
    assert!(manager.load("app").is_err(), "sticky until retried");
    manager.retry("db").expect("db is up now");
    assert!(
        manager.load("app").is_err(),
        "the dependent keeps its outcome"
    );
    assert_eq!(manager.retry("app").expect("recovers").name(), "app");
}

#[test]
fn a_disabled_or_filtered_requirement_disables_its_dependents_saying_so() {
    let ns = "rq.disabled";
    let (off, _) = probe(ns, "off").disabled().build();
    let (filtered, _) = probe(ns, "filtered").build();
    let (a, _) = probe(ns, "a").build();
    let (b, _) = probe(ns, "b").build();
    let manager = Manager::in_namespace(ns)
        .finder(vec![
            off,
            filtered,
            a.with_requires(["off"]).unwrap(),
            b.with_requires(["filtered"]).unwrap(),
        ])
        .filter(|spec| spec.name() != "filtered");

    assert!(manager.load_all().is_empty());
    assert_eq!(
        disabled_reason(&manager, "a").to_string(),
        "requires `off`, which did not load (disabled: should_load() returned false)"
    );
    assert_eq!(
        disabled_reason(&manager, "b").to_string(),
        "requires `filtered`, which did not load (disabled: rejected by filter #0 of the manager)"
    );
}

#[test]
fn a_plugin_filtered_itself_loads_none_of_its_requirements() {
    let ns = "rq.self_filtered";
    let (db, db_calls) = probe(ns, "db").build();
    let (app, _) = probe(ns, "app").build();
    let manager = Manager::in_namespace(ns)
        .finder(vec![db, app.with_requires(["db"]).unwrap()])
        .filter(|spec| spec.name() != "app");
    assert!(manager.load("app").unwrap_err().is_disabled());
    assert_eq!(db_calls.all(), (0, 0, 0));
}

#[test]
fn requires_implies_after_and_errors_like_ordering() {
    let ns = "rq.order";
    let (first, _) = probe(ns, "first").build();
    let (second, _) = probe(ns, "second").build();
    let manager = Manager::in_namespace(ns).finder(vec![
        // The priorities say the opposite; the requirement wins.
        first.with_requires(["second"]).unwrap().with_priority(10),
        second.with_priority(-10),
    ]);
    assert_eq!(manager.list_names(), ["second", "first"]);

    let ns = "rq.unknown";
    let (lost, _) = probe(ns, "lost").build();
    let manager = Manager::in_namespace(ns).finder(vec![lost.with_requires(["nobody"]).unwrap()]);
    assert_eq!(
        manager.load("lost").unwrap_err().to_string(),
        "plugin `rq.unknown/lost`: `requires = [\"nobody\"]` names no plugin of this namespace"
    );

    let ns = "rq.cycle";
    let specs: Vec<PluginSpec> = ["x", "y", "z"]
        .iter()
        .zip(["y", "z", "x"])
        .map(|(name, required)| probe(ns, name).build().0.with_requires([required]).unwrap())
        .collect();
    let manager = Manager::in_namespace(ns).finder(specs);
    for name in ["x", "y", "z"] {
        let error = manager.load(name).unwrap_err();
        assert!(
            matches!(error.kind(), PluginErrorKind::OrderCycle(members) if members.len() == 3),
            "{error}"
        );
    }
}

#[test]
fn a_requirement_cycle_at_run_time_is_reentrant_not_a_deadlock() {
    // `a` requires `b`, and `b`'s load asks for `a` through the manager: no declared cycle,
    // but a cycle all the same once `a` runs.
    let ns = "rq.runtime_cycle";
    let manager: Arc<Mutex<Option<Arc<Manager>>>> = Arc::default();
    let seen = manager.clone();
    let (b, _) = probe(ns, "b")
        .on_load(move |_, _| {
            let manager = seen.lock().unwrap().clone().expect("set");
            match manager.load("a") {
                Err(error) => Err(error.to_string().into()),
                Ok(_) => Ok("a loaded?".into()),
            }
        })
        .build();
    let (a, _) = probe(ns, "a").build();
    let shared =
        Arc::new(Manager::in_namespace(ns).finder(vec![b, a.with_requires(["b"]).unwrap()]));
    *manager.lock().unwrap() = Some(shared.clone());
    let reason = within(move || disabled_reason(&shared, "a"));
    assert!(reason.to_string().contains("re-entrant"), "{reason}");
}

// 2. Descriptions

static MADE: AtomicUsize = AtomicUsize::new(0);

/// Opens the database.
///
/// Waits for it to accept connections.
#[plugin(namespace = "rq.described", requires = ["config"])]
fn database() {}

/// The configuration.
#[plugin(
    namespace = "rq.described",
    description = "Reads the configuration files"
)]
fn config() {}

#[plugin(namespace = "rq.described")]
fn undocumented() {}

/// Keeps the cache warm.
#[plugin(namespace = "rq.described.types", factory = Counted::new)]
struct Counted;

impl Counted {
    fn new() -> Self {
        MADE.fetch_add(1, SeqCst);
        Counted
    }
}

#[test]
fn a_doc_comment_is_the_description_read_without_a_factory_call() {
    let described: HashMap<&str, Option<&str>> = Registry::specs("rq.described")
        .map(|spec| (spec.name(), spec.description()))
        .collect();
    assert_eq!(
        described["database"],
        Some("Opens the database.\n\nWaits for it to accept connections.")
    );
    assert_eq!(described["config"], Some("Reads the configuration files"));
    assert_eq!(described["undocumented"], None);

    let manager = PluginManager::<Counted>::new();
    let specs = manager.list_specs();
    assert_eq!(specs[0].description(), Some("Keeps the cache warm."));
    assert_eq!(MADE.load(SeqCst), 0, "no factory ran to read it");

    let text = Report::collect().to_string();
    assert!(text.contains("requires [config]"), "{text}");
    assert!(text.contains("Opens the database.\n"), "{text}");
    assert!(
        !text.contains("Waits for it"),
        "the text report shows the first line: {text}"
    );
    let json = Report::collect().to_json();
    assert!(
        json.contains(r#""requires":["config"],"description":"Opens the database.\n\nWaits for it to accept connections.""#),
        "{json}"
    );

    // The attribute's `requires` works like the spec's.
    let hooks = PluginManager::<plux::FunctionPlugin<fn()>>::in_namespace("rq.described");
    assert_eq!(hooks.list_names(), ["config", "database", "undocumented"]);
}

// 3. The parallel start

/// A plugin that records when its `load` started and ended, on one clock for all.
struct Timeline {
    clock: AtomicUsize,
    spans: Mutex<HashMap<String, (usize, usize)>>,
}

impl Timeline {
    fn record(&self, name: &str, pause: Duration) {
        let start = self.clock.fetch_add(1, SeqCst);
        thread::sleep(pause);
        let end = self.clock.fetch_add(1, SeqCst);
        self.spans
            .lock()
            .unwrap()
            .insert(name.to_owned(), (start, end));
    }
}

/// A reproducible pseudo-random number generator, so that a failure can be replayed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn the_parallel_start_honours_every_edge_under_8_threads() {
    const PLUGINS: usize = 120;
    let threads = NonZeroUsize::new(8).unwrap();
    for round in 0..8u64 {
        let ns = "rq.parallel";
        let timeline = Arc::new(Timeline {
            clock: AtomicUsize::new(0),
            spans: Mutex::default(),
        });
        let mut seed = 0x9e37_79b9_7f4a_7c15 ^ (round + 1);
        let name = |i: usize| format!("p{i:03}");
        // (earlier, later) for every constraint, whichever kind and whoever declares it.
        let mut edges: Vec<(usize, usize)> = Vec::new();
        let mut befores: Vec<(usize, usize)> = Vec::new();
        let mut built: Vec<PluginSpec> = Vec::new();
        let mut calls = Vec::new();
        for i in 0..PLUGINS {
            let recorder = timeline.clone();
            let pause = Duration::from_micros(next(&mut seed) % 400);
            let fails = next(&mut seed) % 17 == 0;
            let (spec, counted) = probe(ns, &name(i))
                .on_load(move |name, _| {
                    recorder.record(name, pause);
                    match fails {
                        true => Err("scripted failure".into()),
                        false => Ok(String::new()),
                    }
                })
                .build();
            let mut spec = spec.with_priority((next(&mut seed) % 5) as i32);
            // Edges only from lower-numbered plugins: a DAG, with all three kinds.
            for _ in 0..(next(&mut seed) % 3).min(i as u64) {
                let j = (next(&mut seed) as usize) % i;
                spec = match next(&mut seed) % 3 {
                    0 => spec.with_after([name(j)]).unwrap(),
                    1 => spec.with_requires([name(j)]).unwrap(),
                    _ => {
                        befores.push((j, i)); // declared by `j`, below
                        spec
                    }
                };
                edges.push((j, i));
            }
            calls.push(counted);
            built.push(spec);
        }
        for (j, i) in befores {
            built[j] = built[j].clone().with_before([name(i)]).unwrap();
        }
        let journal = Journal::new();
        let manager = Manager::in_namespace(ns)
            .finder(built)
            .listener(journal.clone());
        let expected: Vec<String> = manager.list_names().iter().map(|n| n.to_string()).collect();

        let loaded: Vec<String> = manager
            .load_all_parallel(threads)
            .iter()
            .map(|p| p.name().to_owned())
            .collect();

        // Results in load order: the loaded ones, in the order of the listing.
        let in_order: Vec<&String> = expected
            .iter()
            .filter(|name| loaded.contains(name))
            .collect();
        assert_eq!(loaded.iter().collect::<Vec<_>>(), in_order, "round {round}");
        // Exactly once, each.
        for (i, counted) in calls.iter().enumerate() {
            assert!(
                counted.load() <= 1,
                "round {round}: {} loaded twice",
                name(i)
            );
        }
        // Every edge: the later plugin's load started after the earlier one's ended.
        let spans = timeline.spans.lock().unwrap();
        for &(before, after) in &edges {
            if let (Some(&(_, ended)), Some(&(started, _))) =
                (spans.get(&name(before)), spans.get(&name(after)))
            {
                assert!(
                    ended < started,
                    "round {round}: {} started at {started}, before {} ended at {ended}",
                    name(after),
                    name(before)
                );
            }
        }
        // Every plugin was driven: loaded, failed, or disabled for a failed requirement.
        for entry in manager.states() {
            assert!(
                !matches!(entry.1, PluginState::Resolved | PluginState::Loading),
                "round {round}: {} left {:?}",
                entry.0.name(),
                entry.1
            );
        }
        assert_eq!(
            journal
                .events()
                .iter()
                .filter(|e| e.starts_with("resolve_after"))
                .count(),
            PLUGINS
        );
    }
}

#[test]
fn the_parallel_start_runs_independent_chains_side_by_side() {
    // Two chains of three; each `load` waits until the other chain has started one of its own,
    // which only happens if they run at the same time.
    let ns = "rq.side_by_side";
    let started: Arc<[AtomicUsize; 2]> = Arc::default();
    let mut specs = Vec::new();
    for chain in 0..2usize {
        for step in 0..3 {
            let started = started.clone();
            let (spec, _) = probe(ns, &format!("c{chain}-{step}"))
                .on_load(move |_, _| {
                    started[chain].fetch_add(1, SeqCst);
                    while started[1 - chain].load(SeqCst) <= step {
                        thread::yield_now();
                    }
                    Ok(String::new())
                })
                .build();
            specs.push(match step {
                0 => spec,
                _ => spec
                    .with_requires([format!("c{chain}-{}", step - 1)])
                    .unwrap(),
            });
        }
    }
    let manager = Manager::in_namespace(ns).finder(specs);
    let loaded = within(move || {
        manager
            .load_all_parallel(NonZeroUsize::new(2).unwrap())
            .len()
    });
    assert_eq!(loaded, 6);
}

#[test]
fn the_parallel_start_contains_panics_and_honours_requirements() {
    let ns = "rq.parallel_faults";
    let (boom, _) = probe(ns, "boom").load_panics().build();
    let (dependent, dependent_calls) = probe(ns, "dependent").build();
    let (after, after_calls) = probe(ns, "after").build();
    let manager = Manager::in_namespace(ns).finder(vec![
        boom,
        dependent.with_requires(["boom"]).unwrap(),
        after.with_after(["boom"]).unwrap(),
    ]);
    let loaded: Vec<String> = manager
        .load_all_parallel(NonZeroUsize::new(3).unwrap())
        .iter()
        .map(|p| p.name().into())
        .collect();
    assert_eq!(loaded, ["after"], "`after` orders, `requires` depends");
    assert_eq!(dependent_calls.all(), (0, 0, 0));
    assert_eq!(after_calls.load(), 1);
}

/// A plugin type declared with `requires` and `description` as attribute keys.
#[derive(Default)]
#[plugin(namespace = "rq.keys", requires = ["base"], description = "On top of base")]
struct Top;

// Its requirement is another instance of the same type, made by a factory.
plux::plugin_spec!("rq.keys", "base", Top::default);

#[test]
fn attribute_keys_on_a_type() {
    let tops = PluginManager::<Top>::new();
    assert_eq!(tops.list_names(), ["base", "top"]);
    let top = tops.list_specs()[1];
    assert_eq!(top.requires().collect::<Vec<_>>(), ["base"]);
    assert_eq!(top.description(), Some("On top of base"));
    assert!(tops.load("top").is_ok());
    assert!(tops.is_loaded("base"), "loaded as its requirement");
}
