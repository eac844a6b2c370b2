//! Function plugins: plain, renamed, with `should_load`, with lifetimes, with an ABI, const,
//! and declared inside a function body.
#![deny(warnings)]

use plux::{plugin, FunctionPlugin, PluginManager, PluginState};

#[plugin(namespace = "ui.hooks")]
fn shout(log: &mut Vec<String>) {
    log.push("shout".into());
}

#[plugin(namespace = "ui.hooks", name = "whisper-hook")]
fn whisper(log: &mut Vec<String>) {
    log.push("whisper".into());
}

fn never() -> bool {
    false
}

#[plugin(namespace = "ui.hooks", should_load = never)]
fn disabled(log: &mut Vec<String>) {
    log.push("disabled".into());
}

#[plugin(namespace = "ui.hooks", should_load = || true)]
fn enabled(log: &mut Vec<String>) {
    log.push("enabled".into());
}

/// Named lifetimes are fine: the plugin is a `for<'a, 'b> fn(..)`.
#[plugin(namespace = "ui.pickers")]
fn longest<'a>(first: &'a str, second: &'a str) -> &'a str {
    if second.len() > first.len() {
        second
    } else {
        first
    }
}

#[plugin(namespace = "ui.abi")]
extern "C" fn answer() -> u32 {
    42
}

/// A const fn is a fn like any other once it is a pointer.
#[plugin(namespace = "ui.consts")]
const fn seven() -> u32 {
    7
}

fn main() {
    // As in a doctest, whose code rustdoc wraps in a `fn main`.
    #[plugin(namespace = "ui.local")]
    fn local() -> &'static str {
        "local"
    }

    let hooks = PluginManager::<FunctionPlugin<fn(&mut Vec<String>)>>::in_namespace("ui.hooks");
    assert_eq!(
        hooks.list_names(),
        ["disabled", "enabled", "shout", "whisper-hook"]
    );
    let mut log = Vec::new();
    for hook in hooks.load_all() {
        hook(&mut log);
    }
    assert_eq!(log, ["enabled", "shout", "whisper"]);
    assert!(matches!(
        hooks.state("disabled"),
        Some(PluginState::Disabled(_))
    ));

    let pickers =
        PluginManager::<FunctionPlugin<for<'a> fn(&'a str, &'a str) -> &'a str>>::in_namespace(
            "ui.pickers",
        );
    assert_eq!(pickers.load("longest").unwrap()("ab", "abc"), "abc");

    let abi = PluginManager::<FunctionPlugin<extern "C" fn() -> u32>>::in_namespace("ui.abi");
    assert_eq!(abi.load("answer").unwrap()(), 42);

    let consts = PluginManager::<FunctionPlugin<fn() -> u32>>::in_namespace("ui.consts");
    assert_eq!(consts.load("seven").unwrap()(), 7);

    let local_hooks =
        PluginManager::<FunctionPlugin<fn() -> &'static str>>::in_namespace("ui.local");
    assert_eq!(local_hooks.load("local").unwrap()(), "local");
}
