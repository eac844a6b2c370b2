use plux::{FunctionPlugin, PluginErrorKind, PluginManager};
use plux_fixture_alpha::{Audience, Counter, Greeter};
use plux_fixture_beta as _;

#[test]
fn smoke() {
    let m = PluginManager::<dyn Greeter>::with_args(Audience { who: "you".into() });
    assert_eq!(m.list_names(), ["english_greeter", "french", "german"]);
    let all = m.load_all();
    let greetings: Vec<String> = all.iter().map(|g| g.greet()).collect();
    assert_eq!(greetings, ["hello you", "bonjour you", "hallo"]);
    let c = PluginManager::<Counter>::new();
    assert!(c.load("alpha").unwrap().loaded);
    assert_eq!(c.list_names(), ["alpha", "alpha-2"]);
    let hooks =
        PluginManager::<FunctionPlugin<fn(&mut Vec<String>)>>::in_namespace("fixtures.hooks");
    let mut log = vec![];
    for h in hooks.load_all() {
        h(&mut log);
    }
    assert_eq!(log, ["alpha", "beta"]);
    let dup = PluginManager::<FunctionPlugin<fn()>>::in_namespace("fixtures.dup");
    let err = dup.load("same").unwrap_err();
    assert!(
        matches!(err.kind(), PluginErrorKind::Duplicate(s) if s.len() == 2),
        "{err}"
    );
    println!("{err}");
}
