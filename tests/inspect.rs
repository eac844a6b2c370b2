//! `plux::inspect` over the fixture crates: every namespace and plugin, in load order, with its
//! declaring crate, module, file and line; the duplicate `fixtures.dup/same` flagged with both
//! sites; text and JSON; the `--plux-list` flag.

use plux::inspect::{requested, Format, Problem, Report};
use plux::{Location, PluginErrorKind};
use plux_fixture_alpha as _;
use plux_fixture_beta as _;

fn names(report: &Report) -> Vec<(&str, Vec<&str>)> {
    report
        .namespaces
        .iter()
        .map(|ns| {
            let names = ns.plugins.iter().map(|p| p.spec.name()).collect();
            (ns.name.as_str(), names)
        })
        .collect()
}

#[test]
fn every_namespace_and_plugin_in_load_order() {
    let report = Report::collect();
    assert_eq!(report.backend, plux::Registry::backend());
    assert_eq!(
        names(&report),
        [
            ("fixtures.counters", vec!["alpha", "alpha-2"]),
            ("fixtures.dup", vec!["same"]),
            (
                "fixtures.greeters",
                vec!["english_greeter", "french", "german"]
            ),
            ("fixtures.hooks", vec!["alpha_hook", "beta_hook"]),
        ]
    );
    assert_eq!(report.plugin_count(), 8);
    assert!(report.links.is_empty(), "this test names its crates itself");

    let french = &report.namespaces[2].plugins[1];
    let site = french.spec.location();
    assert_eq!(site.crate_name(), Some("plux_fixture_beta"));
    assert_eq!(site.module_path, Some("plux_fixture_beta"));
    assert_eq!(site.file, "fixtures/beta/src/lib.rs");
    assert_eq!(french.sites, [site]);
    assert!(french.conflict.is_none());
}

#[test]
fn the_duplicate_is_flagged_with_every_site() {
    let report = Report::collect();
    let conflicts: Vec<_> = report.conflicts().collect();
    assert_eq!(conflicts.len(), 1);
    let (namespace, same) = conflicts[0];
    assert_eq!((namespace, same.spec.name()), ("fixtures.dup", "same"));
    let crates: Vec<Option<&str>> = same.sites.iter().map(Location::crate_name).collect();
    assert_eq!(
        crates,
        [Some("plux_fixture_alpha"), Some("plux_fixture_beta")]
    );
    assert!(matches!(
        &same.conflict,
        Some(plux::PluginErrorKind::Duplicate(sites)) if sites.len() == 2
    ));
}

#[test]
fn text_report() {
    let text = Report::collect().render(Format::Text);
    let header = format!(
        "plux registry ({}): 4 namespaces, 8 plugins, 1 cannot load\n",
        plux::Registry::backend()
    );
    assert!(text.starts_with(&header), "{text}");
    assert!(text.contains("\nfixtures.greeters (3)\n"), "{text}");
    assert!(
        text.contains("  french           plux_fixture_beta  fixtures/beta/src/lib.rs:"),
        "{text}"
    );
    assert!(
        text.contains("! cannot load: declared 2 times: plux_fixture_alpha at"),
        "{text}"
    );
    assert!(!text.contains("linked by link_plugins!"), "{text}");
}

#[test]
fn json_report() {
    let json = Report::collect().render(Format::Json);
    assert!(json.starts_with(&format!(
        "{{\"backend\":\"{}\",\"namespaces\":[",
        plux::Registry::backend()
    )));
    // A program with the feature `dynamic` (this test's) says what a plugin library must match.
    let requirements = plux::dynamic::requirements();
    assert!(
        json.contains(&format!(
            "],\"links\":[],\"requirements\":{{\"rustc\":\"{}\",\"target\":\"{}\",\
             \"panic\":\"{}\",\"plux\":\"{}\",\"plux_source\":\"{}\",\"layout\":{},\"types\":[\
             {{\"namespace\":\"fixtures.greeters\",\"crate\":\"plux-fixture-alpha\",\"name\":\"Greeter\",\
             \"fingerprint\":\"interface `Greeter` of plux-fixture-alpha (no features; plux-macros ",
            requirements.rustc,
            requirements.target,
            requirements.panic,
            requirements.plux_version,
            requirements.plux_source,
            requirements.layout
        )) && json.ends_with(")\"}]}}"),
        "{json}"
    );
    assert!(
        json.contains(
            "{\"name\":\"french\",\"namespace\":\"fixtures.greeters\",\"position\":1,\
         \"crate\":\"plux_fixture_beta\",\"module\":\"plux_fixture_beta\",\
         \"file\":\"fixtures/beta/src/lib.rs\",\"line\":"
        ),
        "{json}"
    );
    assert!(
        json.contains("\"conflict\":{\"kind\":\"duplicate\",\"message\":\"declared 2 times: "),
        "{json}"
    );
    // Balanced, and no raw control characters: a cheap structural check (plux-core's unit
    // tests parse the JSON with serde_json).
    assert_eq!(json.matches('{').count(), json.matches('}').count());
    assert_eq!(json.matches('[').count(), json.matches(']').count());
    assert!(!json.chars().any(char::is_control));
}

#[test]
fn list_flag() {
    assert_eq!(
        requested(["app", "--verbose", "--plux-list"]),
        Ok(Some(Format::Text))
    );
    assert_eq!(
        requested(["app", "--plux-list=json"]),
        Ok(Some(Format::Json))
    );
    assert_eq!(requested(["app", "--", "--plux-list"]), Ok(None));
    assert!(requested(["app", "--plux-list=yaml"]).is_err());
}

#[test]
fn the_health_check_lists_every_problem_of_the_program() {
    let problems = plux::inspect::check().unwrap_err();
    let listed: Vec<String> = problems
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect();
    // This program links its crates by hand (`use plux_fixture_alpha as _;`): that is no problem.
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert!(
        matches!(
            &problems.problems()[0],
            Problem::CannotLoad { namespace, name, conflict: PluginErrorKind::Duplicate(sites) }
                if namespace == "fixtures.dup" && name == "same" && sites.len() == 2
        ),
        "{listed:#?}"
    );
    // What `check().unwrap()` prints in a failing test: the list, not a Debug dump.
    let printed = format!("{problems:?}");
    assert!(
        printed.starts_with("1 problem with the plugins of this program:\n  - plugin `fixtures.dup/same` cannot load: declared 2 times"),
        "{printed}"
    );
}
