//! The logging policy (see `PluginManager`'s "Logging"): each failure is logged once, at ERROR
//! only when nobody receives it; a manager may choose that level.

use plux::{PluginManager, PluginSpec};
use plux_fixture_probe::{logged, probe, Probe};

type Manager = PluginManager<Probe>;

fn levels(needle: &str) -> Vec<log::Level> {
    logged(needle).into_iter().map(|(level, _)| level).collect()
}

fn failing(ns: &str) -> Vec<PluginSpec> {
    let (fails, _) = probe(ns, "fails").load_fails().build();
    let (works, _) = probe(ns, "works").build();
    vec![fails, works]
}

#[test]
fn a_failure_returned_to_the_caller_is_logged_at_debug_only() {
    logged("");
    let manager = Manager::in_namespace("log.returned").finder(failing("log.returned"));
    assert!(manager.load("fails").is_err());
    assert!(manager.retry("fails").is_err());
    assert!(manager.try_load_all().is_err());
    let lines = levels("log.returned/fails`: load failed");
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|level| *level == log::Level::Debug),
        "{:?}",
        logged("log.returned/fails")
    );
}

#[test]
fn a_failure_nobody_receives_is_logged_once_at_error() {
    logged("");
    let manager = Manager::in_namespace("log.dropped").finder(failing("log.dropped"));
    assert_eq!(manager.load_all().len(), 1);
    assert_eq!(manager.load_all().len(), 1); // sticky: not run, not logged again
    assert_eq!(
        levels("log.dropped/fails`: load failed"),
        [log::Level::Error]
    );
}

#[test]
fn a_call_that_returned_a_failure_leaves_the_next_call_its_own_level() {
    logged("");
    let first = Manager::in_namespace("log.first").finder(failing("log.first"));
    let then = Manager::in_namespace("log.then").finder(failing("log.then"));

    // On one thread: a failure returned to the caller, then one that nobody receives.
    assert!(first.load("fails").is_err());
    assert_eq!(then.load_all().len(), 1);

    assert_eq!(levels("log.first/fails`: load failed"), [log::Level::Debug]);
    assert_eq!(levels("log.then/fails`: load failed"), [log::Level::Error]);
}

#[test]
fn a_manager_chooses_the_level_of_what_nobody_receives() {
    logged("");
    let manager = Manager::in_namespace("log.chosen")
        .finder(failing("log.chosen"))
        .log_failures(log::LevelFilter::Warn);
    manager.load_all();
    assert_eq!(levels("log.chosen/fails`: load failed"), [log::Level::Warn]);

    let quiet = Manager::in_namespace("log.off")
        .finder(failing("log.off"))
        .log_failures(log::LevelFilter::Off);
    quiet.load_all();
    assert!(levels("log.off/fails`: load failed").is_empty());
}

#[test]
fn a_broken_declaration_is_not_logged_by_an_unrelated_load() {
    logged("");
    let ns = "log.conflict";
    let (typo, _) = probe(ns, "typo").build();
    let typo = typo.with_requires(["databse"]).unwrap();
    let (hello, _) = probe(ns, "hello").build();
    let manager = Manager::in_namespace(ns).finder(vec![typo, hello]);

    // `run hello`: nothing about `typo`.
    assert!(manager.load("hello").is_ok());
    assert!(logged("log.conflict/typo").is_empty());
    // `load("typo")` returns the conflict: the caller has it.
    assert!(manager.load("typo").is_err());
    assert!(logged("log.conflict/typo").is_empty());
    // `load_all` drops it: logged once, at ERROR.
    manager.load_all();
    manager.load_all();
    assert_eq!(levels("log.conflict/typo"), [log::Level::Error]);
}

#[test]
fn a_requirement_that_fails_in_load_all_is_logged_once_at_error() {
    logged("");
    let ns = "log.requires";
    let (base, _) = probe(ns, "base").load_fails().build();
    let (app, _) = probe(ns, "app").build();
    let app = app.with_requires(["base"]).unwrap();
    let manager = Manager::in_namespace(ns).finder(vec![app, base]);
    assert!(manager.load_all().is_empty());
    assert_eq!(
        levels("log.requires/base`: load failed"),
        [log::Level::Error]
    );
    // The dependent is disabled, which is no error.
    assert!(levels("log.requires/app")
        .iter()
        .all(|l| *l == log::Level::Debug));
}
