//! Hook points: hooks of the declared signature, with lifetimes, ordering and `should_load`;
//! called with `call_all` and `try_call_all`, or loaded one by one.
#![deny(warnings)]

use plux::{hook_point, plugin, Hook, PluginInterface, PluginManager};

#[hook_point(namespace = "ui.hooks.startup")]
pub struct Startup(fn(&mut Vec<String>));

#[plugin(hook = Startup, priority = 10)]
fn open_database(log: &mut Vec<String>) {
    log.push("database".into());
}

#[plugin(hook = Startup, after = ["open_database"], name = "warm-cache")]
fn warm_cache(log: &mut Vec<String>) {
    log.push("cache".into());
}

fn never() -> bool {
    false
}

#[plugin(hook = Startup, should_load = never)]
fn disabled(log: &mut Vec<String>) {
    log.push("disabled".into());
}

/// A hook point with lifetimes in its signature, and `Debug` derived by the user (below the
/// attribute, where the macro sees it).
#[hook_point(namespace = "ui.hooks.pick")]
#[derive(Debug)]
pub struct Pick(for<'a> fn(&'a [&'a str]) -> &'a str);

#[plugin(hook = Pick)]
fn first<'a>(words: &'a [&'a str]) -> &'a str {
    words[0]
}

fn main() {
    assert_eq!(<Startup as PluginInterface>::NAMESPACE, "ui.hooks.startup");
    let hooks = PluginManager::<Startup>::new();
    assert_eq!(
        hooks.list_names(),
        ["open_database", "disabled", "warm-cache"]
    );

    let mut log = Vec::new();
    hooks.try_call_all(|hook| hook(&mut log)).unwrap();
    assert_eq!(log, ["database", "cache"]);
    hooks.call_all(|hook| hook(&mut log));
    assert_eq!(log.len(), 4);

    let hook = hooks.load("open_database").unwrap();
    hook(&mut log);
    let _: fn(&mut Vec<String>) = **hook;
    let _ = Startup::from_fn(open_database);
    println!("{hook:?}");

    let picks = PluginManager::<Pick>::new();
    assert_eq!(picks.try_call_all(|pick| pick(&["a", "b"])).unwrap(), ["a"]);
    println!("{:?}", picks.load("first").unwrap());
}
