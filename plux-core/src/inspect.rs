//! What a built program contains: every namespace and plugin of the link-time [`Registry`], where
//! each was declared, which cannot load and why, and what each `link_plugins!` linked — as text
//! or JSON.
//!
//! It is the counterpart of the Python plux's command line (`python -m plux list`), for a
//! program whose plugins were fixed when it was linked. Wire it into your CLI in one line:
//!
//! ```no_run
//! // First thing in `main`: `my-app --plux-list` prints the text report, `--plux-list=json` the
//! // JSON one, and exits; without the flag it returns and the application goes on.
//! plux_core::inspect::exit_if_listing();
//! ```
//!
//! or build the [`Report`] yourself:
//!
//! ```
//! use plux_core::inspect::{Format, Report};
//!
//! let report = Report::collect();
//! for namespace in &report.namespaces {
//!     for plugin in &namespace.plugins {
//!         if let Some(conflict) = &plugin.conflict {
//!             eprintln!("{}/{} cannot load: {conflict}", namespace.name, plugin.spec.name());
//!         }
//!     }
//! }
//! let json: String = report.render(Format::Json);
//! assert!(json.starts_with('{'));
//! ```
//!
//! A report of the registry says what was declared. What a manager made of it at run time —
//! loaded, disabled and why (a filter, `should_load`, a listener's veto), failed and how — is
//! added with [`Report::with_states`].
//!
//! For an application's own test suite, [`check`] is the one-line health check: it fails listing
//! every conflict of the registry.

mod check;

pub use check::{check, Problem, Problems};

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::{self, Write as _};
use std::io::Write as _;

use crate::contain::display_contained;
use crate::error::{DisabledReason, PluginError, PluginErrorKind};
use crate::manager::PluginManager;
use crate::plugin::Plugin;
use crate::registry::{LinkRecord, LinkedCrate, Registry};
use crate::spec::{Location, PluginSpec};
use crate::state::PluginState;

/// The flag that [`requested`] and [`exit_if_listing`] look for: `--plux-list` (text) or
/// `--plux-list=json`.
pub const LIST_FLAG: &str = "--plux-list";

/// How a [`Report`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For people: one line per plugin, grouped by namespace.
    #[default]
    Text,
    /// For programs: one JSON object (described at [`Report::to_json`]).
    Json,
}

/// The value of `--plux-list=...` was neither `text` nor `json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = &self.0;
        write!(
            f,
            "{LIST_FLAG}={value}: expected `{LIST_FLAG}`, `{LIST_FLAG}=text` or `{LIST_FLAG}=json`"
        )
    }
}

impl std::error::Error for UnknownFormat {}

/// Whether `args` ask for a listing, and in which format: `--plux-list` or `--plux-list=text`
/// is [`Format::Text`], `--plux-list=json` is [`Format::Json`]. Arguments after `--` are not
/// looked at.
///
/// ```
/// use plux_core::inspect::{requested, Format};
///
/// assert_eq!(requested(["app", "--plux-list=json"]), Ok(Some(Format::Json)));
/// assert_eq!(requested(["app", "serve"]), Ok(None));
/// assert!(requested(["app", "--plux-list=yaml"]).is_err());
/// ```
pub fn requested<I, S>(args: I) -> Result<Option<Format>, UnknownFormat>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    for arg in args {
        let arg = arg.as_ref().to_string_lossy();
        if arg == "--" {
            break;
        }
        if arg == LIST_FLAG {
            return Ok(Some(Format::Text));
        }
        if let Some(value) = arg
            .strip_prefix(LIST_FLAG)
            .and_then(|v| v.strip_prefix('='))
        {
            return match value {
                "text" => Ok(Some(Format::Text)),
                "json" => Ok(Some(Format::Json)),
                other => Err(UnknownFormat(other.to_owned())),
            };
        }
    }
    Ok(None)
}

/// The line a program's `--help` shows for [`LIST_FLAG`], e.g. with clap:
/// `Command::new("my-app").after_help(plux::inspect::LIST_HELP)`.
pub const LIST_HELP: &str =
    "--plux-list[=json]  print the plugins this program contains (text or JSON), and exit";

/// If the program's arguments ask for a listing ([`requested`]), prints the [`Report`] to
/// standard output and exits with status 0; on an unknown format, prints why to standard error
/// and exits with status 2. Otherwise returns.
///
/// Call it first in `main`, before an argument parser: a parser such as clap rejects the
/// flag it does not know (and its `--help` does not show it unless told: see [`LIST_HELP`]).
/// A reader that stops early (`my-app --plux-list | head`) ends the listing quietly.
pub fn exit_if_listing() {
    match requested(std::env::args_os()) {
        Ok(None) => {}
        Ok(Some(format)) => {
            let report = Report::collect().render(format);
            if let Err(error) = write_listing(&mut std::io::stdout().lock(), &report) {
                let _ = writeln!(std::io::stderr(), "{LIST_FLAG}: {error}");
                std::process::exit(1);
            }
            std::process::exit(0);
        }
        Err(unknown) => {
            let _ = writeln!(std::io::stderr(), "{unknown}");
            std::process::exit(2);
        }
    }
}

/// Text with its control characters (line breaks, tabs, terminal escapes) written as Rust
/// escapes (`\n`, `\u{1b}`), so that it stays on its line of the text report.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// Writes the listing; a closed pipe (the reader has what it wanted) is no error.
fn write_listing(out: &mut impl std::io::Write, report: &str) -> std::io::Result<()> {
    match writeln!(out, "{report}").and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        done => done,
    }
}

/// Everything the link-time registry holds. [`Report::collect`] makes one; `Display` writes the
/// text form, [`to_json`](Report::to_json) the JSON one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Report {
    /// The registry's backend: `"linkme"` or `"inventory"`.
    pub backend: &'static str,
    /// Every namespace, sorted.
    pub namespaces: Vec<NamespaceReport>,
    /// What each `link_plugins!` linked, sorted by where it was called.
    pub links: Vec<LinkRecord>,
    /// What a plugin library must match to be opened by this program (feature `dynamic`).
    #[cfg(feature = "dynamic")]
    pub requirements: crate::dynamic::Requirements,
}

/// One namespace of a [`Report`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NamespaceReport {
    /// The namespace.
    pub name: String,
    /// Its plugins, in load order; a name declared more than once appears once.
    pub plugins: Vec<PluginReport>,
    /// Whether its plugins' `load` is `async` ([`Plugin::LOADS_ASYNC`]), as the manager added
    /// by [`Report::with_states`] says; `false` until one is.
    pub loads_async: bool,
}

/// One plugin of a [`Report`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PluginReport {
    /// The spec the manager uses (the first declaration, by location, of a duplicated name).
    pub spec: PluginSpec,
    /// Every declaration of this namespace and name, sorted: more than one is a duplicate.
    pub sites: Vec<Location>,
    /// Why it cannot load, if it cannot: [`Duplicate`](PluginErrorKind::Duplicate),
    /// [`OrderUnknown`](PluginErrorKind::OrderUnknown) or
    /// [`OrderCycle`](PluginErrorKind::OrderCycle).
    pub conflict: Option<PluginErrorKind>,
    /// What a manager made of it, once added by [`Report::with_states`]; `None` before.
    pub status: Option<Status>,
}

/// Where a plugin's lifecycle stands in a manager: a [`PluginState`] without the plugin, for a
/// [`Report`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Status {
    /// Found; not loaded yet.
    Resolved,
    /// Its lifecycle was running when the report was made.
    Loading,
    /// Loaded.
    Loaded,
    /// Disabled: by a filter, by `should_load`, or by a listener's veto.
    Disabled(DisabledReason),
    /// Failed; the error says at which step.
    Failed(PluginError),
}

impl Status {
    /// `"resolved"`, `"loading"`, `"loaded"`, `"disabled"` or `"failed"`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Resolved => "resolved",
            Status::Loading => "loading",
            Status::Loaded => "loaded",
            Status::Disabled(_) => "disabled",
            Status::Failed(_) => "failed",
        }
    }

    /// Why it is disabled or failed, as text. A plugin's own error is formatted inside a panic
    /// guard: its `Display` is user code.
    pub fn reason(&self) -> Option<String> {
        match self {
            Status::Disabled(reason) => Some(reason.to_string()),
            Status::Failed(error) => Some(display_contained(error.kind())),
            _ => None,
        }
    }
}

impl<T: ?Sized + Plugin> From<&PluginState<'_, T>> for Status {
    fn from(state: &PluginState<'_, T>) -> Self {
        match state {
            PluginState::Resolved => Status::Resolved,
            PluginState::Loading => Status::Loading,
            PluginState::Loaded { .. } => Status::Loaded,
            PluginState::Disabled(reason) => Status::Disabled(reason.clone()),
            PluginState::Failed(error) => Status::Failed(error.clone()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())?;
        match self.reason() {
            Some(reason) => write!(f, ": {reason}"),
            None => Ok(()),
        }
    }
}

impl Report {
    /// Reads the link-time registry.
    pub fn collect() -> Report {
        let mut sites: BTreeMap<(&str, &str), Vec<Location>> = BTreeMap::new();
        for spec in Registry::declared() {
            sites
                .entry((spec.namespace(), spec.name()))
                .or_default()
                .push(spec.location());
        }
        let namespaces = Registry::namespaces()
            .iter()
            .map(|&name| {
                let index = Registry::index(name);
                let entries = index.entries();
                let plugins = index
                    .order()
                    .into_iter()
                    .filter_map(|i| entries.get(i))
                    .map(|entry| {
                        let spec = entry.spec();
                        let mut sites = sites
                            .get(&(name, spec.name()))
                            .cloned()
                            .unwrap_or_else(|| vec![spec.location()]);
                        sites.sort();
                        PluginReport {
                            spec: spec.clone(),
                            sites,
                            conflict: entry.conflict().cloned(),
                            status: None,
                        }
                    })
                    .collect();
                NamespaceReport {
                    name: name.to_owned(),
                    plugins,
                    loads_async: false,
                }
            })
            .collect();
        let mut links = Registry::links().to_vec();
        links.sort_by_key(|link| *link.site());
        Report {
            backend: Registry::backend(),
            namespaces,
            links,
            #[cfg(feature = "dynamic")]
            requirements: crate::dynamic::requirements(),
        }
    }

    /// Adds where each plugin of `manager` stands ([`PluginReport::status`]), in its namespace.
    /// Plugins that the manager took from a finder of its own are added to the report.
    ///
    /// ```
    /// use plux_core::inspect::{Report, Status};
    /// use plux_core::{FunctionPlugin, PluginManager, PluginSpec};
    ///
    /// fn hook() {}
    /// let spec = PluginSpec::new("app.hooks", "audit", || Ok(Box::new(FunctionPlugin::new(hook as fn()))))?;
    /// let manager = PluginManager::<FunctionPlugin<fn()>>::in_namespace("app.hooks")
    ///     .finder(vec![spec])
    ///     .filter(|_| false);
    /// manager.load_all();
    ///
    /// let report = Report::collect().with_states(&manager);
    /// let audit = &report.namespaces.iter().find(|ns| ns.name == "app.hooks").unwrap().plugins[0];
    /// assert!(matches!(audit.status, Some(Status::Disabled(_))));
    /// assert!(report.to_string().contains("disabled: rejected by filter #0 of the manager"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_states<T: ?Sized + Plugin>(mut self, manager: &PluginManager<T>) -> Self {
        let namespace = manager.namespace();
        let position = match self.namespaces.iter().position(|ns| ns.name == namespace) {
            Some(position) => position,
            None => {
                let at = self
                    .namespaces
                    .partition_point(|ns| ns.name.as_str() < namespace);
                self.namespaces.insert(
                    at,
                    NamespaceReport {
                        name: namespace.to_owned(),
                        plugins: Vec::new(),
                        loads_async: false,
                    },
                );
                at
            }
        };
        let Some(ns) = self.namespaces.get_mut(position) else {
            return self;
        };
        ns.loads_async = T::LOADS_ASYNC;
        for (spec, state) in manager.states() {
            let status = Status::from(&state);
            match ns.plugins.iter_mut().find(|p| p.spec.name() == spec.name()) {
                Some(plugin) => plugin.status = Some(status),
                None => ns.plugins.push(PluginReport {
                    spec: spec.clone(),
                    sites: vec![spec.location()],
                    conflict: None,
                    status: Some(status),
                }),
            }
        }
        self
    }

    /// The number of plugins (distinct names) in all namespaces.
    pub fn plugin_count(&self) -> usize {
        self.namespaces.iter().map(|ns| ns.plugins.len()).sum()
    }

    /// The plugins that cannot load, with their namespace.
    pub fn conflicts(&self) -> impl Iterator<Item = (&str, &PluginReport)> {
        self.namespaces.iter().flat_map(|ns| {
            ns.plugins
                .iter()
                .filter(|plugin| plugin.conflict.is_some())
                .map(move |plugin| (ns.name.as_str(), plugin))
        })
    }

    /// How many plugins the program has from crate `crate_name`.
    pub fn plugins_of_crate(&self, crate_name: &str) -> usize {
        crate::registry::plugins_of_crate(crate_name)
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.to_string(),
            Format::Json => self.to_json(),
        }
    }

    /// The report as one JSON object:
    ///
    /// ```text
    /// { "backend": "linkme",
    ///   "namespaces": [ { "namespace": "my.ns", "plugins": [
    ///       { "name": "a", "namespace": "my.ns", "position": 0,
    ///         "crate": "my_plugins", "module": "my_plugins::a", "file": "src/a.rs", "line": 3, "column": 1,
    ///         "priority": 0, "after": [], "before": [], "requires": [],
    ///         "description": null | "the plugin's doc comment",
    ///         "sites": [ { "crate": .., "module": .., "file": .., "line": .., "column": .. } ],
    ///         "conflict": null | { "kind": "duplicate" | "order_unknown" | "order_cycle", "message": ".." },
    ///         "status": null | { "state": "resolved" | "loading" | "loaded" | "disabled" | "failed", "reason": null | ".." } } ] } ],
    ///   "links": [ { "crate": "my_app", "module": "my_app", "file": "src/main.rs", "line": 1, "column": 1,
    ///       "crates": [ { "name": "my_plugins", "crate": "my_plugins", "plugins": 4 } ],
    ///       "no_plugins": [ { "name": "my_api", "crate": "my_api", "plugins": 0 } ],
    ///       "unverified": null | ".." } ] }
    /// ```
    ///
    /// `crate` and `module` are `null` for specs made at run time; `position` is the place in
    /// load order, from 0; `status` is `null` unless [`with_states`](Self::with_states) added it.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        out.push_str("{\"backend\":");
        json_str(&mut out, self.backend);
        out.push_str(",\"namespaces\":[");
        for (n, ns) in self.namespaces.iter().enumerate() {
            comma(&mut out, n);
            out.push_str("{\"namespace\":");
            json_str(&mut out, &ns.name);
            let _ = write!(out, ",\"loads_async\":{}", ns.loads_async);
            out.push_str(",\"plugins\":[");
            for (position, plugin) in ns.plugins.iter().enumerate() {
                comma(&mut out, position);
                let spec = &plugin.spec;
                out.push_str("{\"name\":");
                json_str(&mut out, spec.name());
                out.push_str(",\"namespace\":");
                json_str(&mut out, spec.namespace());
                let _ = write!(out, ",\"position\":{position},");
                json_location(&mut out, &spec.location());
                let _ = write!(out, ",\"priority\":{},\"after\":", spec.priority());
                json_strs(&mut out, spec.after());
                out.push_str(",\"before\":");
                json_strs(&mut out, spec.before());
                out.push_str(",\"requires\":");
                json_strs(&mut out, spec.requires());
                out.push_str(",\"description\":");
                json_opt(&mut out, spec.description());
                out.push_str(",\"sites\":[");
                for (i, site) in plugin.sites.iter().enumerate() {
                    comma(&mut out, i);
                    out.push('{');
                    json_location(&mut out, site);
                    out.push('}');
                }
                out.push_str("],\"conflict\":");
                match &plugin.conflict {
                    None => out.push_str("null"),
                    Some(conflict) => {
                        out.push_str("{\"kind\":");
                        json_str(&mut out, conflict_kind(conflict));
                        out.push_str(",\"message\":");
                        json_str(&mut out, &conflict.to_string());
                        out.push('}');
                    }
                }
                out.push_str(",\"status\":");
                match &plugin.status {
                    None => out.push_str("null"),
                    Some(status) => {
                        out.push_str("{\"state\":");
                        json_str(&mut out, status.label());
                        out.push_str(",\"reason\":");
                        json_opt(&mut out, status.reason().as_deref());
                        out.push('}');
                    }
                }
                out.push('}');
            }
            out.push_str("]}");
        }
        out.push_str("],\"links\":[");
        for (i, link) in self.links.iter().enumerate() {
            comma(&mut out, i);
            out.push('{');
            json_location(&mut out, link.site());
            out.push_str(",\"crates\":");
            self.json_crates(&mut out, link.crates());
            out.push_str(",\"no_plugins\":");
            self.json_crates(&mut out, link.no_plugins());
            out.push_str(",\"unverified\":");
            match link.unverified() {
                None => out.push_str("null"),
                Some(reason) => json_str(&mut out, reason),
            }
            out.push('}');
        }
        out.push(']');
        #[cfg(feature = "dynamic")]
        json_requirements(&mut out, &self.requirements);
        out.push('}');
        out
    }
}

/// `,"requirements":{"rustc":..,"types":[{"namespace":..,..}]}`.
#[cfg(feature = "dynamic")]
fn json_requirements(out: &mut String, requirements: &crate::dynamic::Requirements) {
    out.push_str(",\"requirements\":{");
    for (i, (key, value)) in [
        ("rustc", &requirements.rustc),
        ("target", &requirements.target),
        ("panic", &requirements.panic),
        ("plux", &requirements.plux_version),
        ("plux_source", &requirements.plux_source),
    ]
    .into_iter()
    .enumerate()
    {
        comma(out, i);
        json_str(out, key);
        out.push(':');
        json_str(out, value);
    }
    let _ = write!(out, ",\"layout\":{},\"types\":[", requirements.layout);
    for (i, required) in requirements.types.iter().enumerate() {
        comma(out, i);
        out.push_str("{\"namespace\":");
        json_str(out, &required.namespace);
        out.push_str(",\"crate\":");
        json_str(out, &required.crate_name);
        out.push_str(",\"name\":");
        json_str(out, &required.name);
        out.push_str(",\"fingerprint\":");
        json_str(out, &required.fingerprint);
        out.push('}');
    }
    out.push_str("]}");
}

impl Report {
    fn json_crates(&self, out: &mut String, crates: &[LinkedCrate]) {
        out.push('[');
        for (i, krate) in crates.iter().enumerate() {
            comma(out, i);
            out.push_str("{\"name\":");
            json_str(out, krate.name);
            out.push_str(",\"crate\":");
            json_str(out, krate.crate_name);
            let _ = write!(
                out,
                ",\"plugins\":{}}}",
                self.plugins_of_crate(krate.crate_name)
            );
        }
        out.push(']');
    }
}

fn conflict_kind(conflict: &PluginErrorKind) -> &'static str {
    match conflict {
        PluginErrorKind::Duplicate(_) => "duplicate",
        PluginErrorKind::OrderUnknown { .. } => "order_unknown",
        PluginErrorKind::OrderCycle(_) => "order_cycle",
        _ => "other",
    }
}

fn comma(out: &mut String, i: usize) {
    if i > 0 {
        out.push(',');
    }
}

/// `"crate":..,"module":..,"file":..,"line":..,"column":..` (no braces).
fn json_location(out: &mut String, location: &Location) {
    out.push_str("\"crate\":");
    json_opt(out, location.crate_name());
    out.push_str(",\"module\":");
    json_opt(out, location.module_path);
    out.push_str(",\"file\":");
    json_str(out, location.file);
    let _ = write!(
        out,
        ",\"line\":{},\"column\":{}",
        location.line, location.column
    );
    out.push_str(",\"library\":");
    json_opt(out, location.library);
}

fn json_opt(out: &mut String, value: Option<&str>) {
    match value {
        Some(value) => json_str(out, value),
        None => out.push_str("null"),
    }
}

fn json_strs<'a>(out: &mut String, values: impl Iterator<Item = &'a str>) {
    out.push('[');
    for (i, value) in values.enumerate() {
        comma(out, i);
        json_str(out, value);
    }
    out.push(']');
}

/// A JSON string (RFC 8259): quotes, backslashes and control characters escaped.
fn json_str(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for Report {
    /// ```text
    /// plux registry (linkme): 2 namespaces, 3 plugins, 1 cannot load
    ///
    /// my.greeters (2)
    ///   en      my_plugins  src/lib.rs:10:1
    ///           Greets in English.
    ///   fr      priority 5  requires [en]  my_plugins  src/lib.rs:20:1
    ///
    /// my.hooks (1)
    ///   start   my_plugins  src/hooks.rs:3:1
    ///           ! cannot load: declared 2 times: my_plugins at src/hooks.rs:3:1, other at src/lib.rs:9:1
    ///
    /// linked by link_plugins!
    ///   my_app at src/main.rs:1:1: my_plugins (3 plugins)
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let conflicts = self.conflicts().count();
        write!(
            f,
            "plux registry ({}): {} {}, {} {}",
            self.backend,
            self.namespaces.len(),
            plural(self.namespaces.len(), "namespace", "namespaces"),
            self.plugin_count(),
            plural(self.plugin_count(), "plugin", "plugins"),
        )?;
        if conflicts > 0 {
            write!(f, ", {conflicts} cannot load")?;
        }
        writeln!(f)?;
        for ns in &self.namespaces {
            let loads = if ns.loads_async { ", async load" } else { "" };
            writeln!(f, "\n{} ({}{loads})", ns.name, ns.plugins.len())?;
            let width = ns
                .plugins
                .iter()
                .map(|p| p.spec.name().chars().count())
                .max()
                .unwrap_or(0);
            for plugin in &ns.plugins {
                let spec = &plugin.spec;
                write!(f, "  {:width$}", spec.name())?;
                if spec.priority() != PluginSpec::DEFAULT_PRIORITY {
                    write!(f, "  priority {}", spec.priority())?;
                }
                let after: Vec<&str> = spec.after().collect();
                if !after.is_empty() {
                    write!(f, "  after [{}]", after.join(", "))?;
                }
                let before: Vec<&str> = spec.before().collect();
                if !before.is_empty() {
                    write!(f, "  before [{}]", before.join(", "))?;
                }
                let requires: Vec<&str> = spec.requires().collect();
                if !requires.is_empty() {
                    write!(f, "  requires [{}]", requires.join(", "))?;
                }
                let location = spec.location();
                let origin = location.module_path.unwrap_or("(run time)");
                write!(
                    f,
                    "  {origin}  {}:{}:{}",
                    location.file, location.line, location.column
                )?;
                match location.library {
                    Some(library) => writeln!(f, "  in library {library}")?,
                    None => writeln!(f)?,
                }
                // What plugins wrote (descriptions, errors, veto reasons) is escaped: a control
                // character or a line break of theirs must not forge or break a line of the report.
                if let Some(summary) = spec.description().and_then(|d| d.lines().next()) {
                    writeln!(f, "  {:width$}  {}", "", Escaped(summary))?;
                }
                if let Some(conflict) = &plugin.conflict {
                    let conflict = Escaped(&conflict.to_string());
                    writeln!(f, "  {:width$}  ! cannot load: {conflict}", "")?;
                }
                if let Some(status) = &plugin.status {
                    writeln!(f, "  {:width$}  = {}", "", Escaped(&status.to_string()))?;
                }
            }
        }
        if !self.links.is_empty() {
            writeln!(f, "\nlinked by link_plugins!")?;
            for link in &self.links {
                let site = link.site();
                write!(
                    f,
                    "  {} at {}:{}:{}:",
                    site.module_path.unwrap_or("?"),
                    site.file,
                    site.line,
                    site.column
                )?;
                if link.crates().is_empty() {
                    write!(f, " no plugin crates")?;
                }
                for (i, krate) in link.crates().iter().enumerate() {
                    let count = self.plugins_of_crate(krate.crate_name);
                    let sep = if i == 0 { " " } else { ", " };
                    if krate.name == krate.crate_name {
                        write!(f, "{sep}{}", krate.name)?;
                    } else {
                        write!(f, "{sep}{} = {}", krate.name, krate.crate_name)?;
                    }
                    write!(f, " ({count} {})", plural(count, "plugin", "plugins"))?;
                }
                if !link.no_plugins().is_empty() {
                    let names: Vec<&str> = link.no_plugins().iter().map(|k| k.name).collect();
                    write!(f, "; no plugins in {}", names.join(", "))?;
                }
                writeln!(f)?;
                if let Some(reason) = link.unverified() {
                    writeln!(
                        f,
                        "    ! not checked: {reason}; plugins of unlisted crates may be missing"
                    )?;
                }
            }
        }
        #[cfg(feature = "dynamic")]
        {
            writeln!(f, "\nplugin libraries must match")?;
            for line in self.requirements.to_string().lines().skip(1) {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

// The registry of this test binary is filled as the macros fill it: with the backend's `static`s,
// whose `link_section` the `unsafe_code` lint flags in the crate that expands them.
#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use crate::spec::linked::{Extra, LinkedSpec, Managed};
    use crate::{BoxError, FunctionPlugin, LinkedCrate, Product};

    #[test]
    fn the_text_report_escapes_what_plugins_wrote() {
        assert_eq!(
            Escaped("vetoed: off\n  = loaded\u{1b}[31m\ttab é").to_string(),
            "vetoed: off\\n  = loaded\\u{1b}[31m\\ttab é"
        );
    }

    #[test]
    fn a_listing_into_a_closed_pipe_ends_quietly() {
        struct Closed(std::io::ErrorKind);
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(self.0.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        // `my-app --plux-list | head`: println! panicked here.
        assert!(write_listing(&mut Closed(std::io::ErrorKind::BrokenPipe), "report").is_ok());
        assert!(write_listing(&mut Closed(std::io::ErrorKind::Other), "report").is_err());
        let mut out = Vec::new();
        write_listing(&mut out, "report").unwrap();
        assert_eq!(out, b"report\n");
    }

    fn make(product: Product<'_>) -> Result<(), BoxError> {
        fn hook() {}
        product.put(std::sync::Arc::new(FunctionPlugin::new(hook as fn())));
        Ok(())
    }

    const fn at(line: u32) -> Location {
        Location {
            module_path: Some("plux_core::inspect::tests"),
            file: "plux-core/src/inspect.rs",
            line,
            column: 1,
            library: None,
        }
    }

    /// A spec of this module, declared at `at($line)`, as the macros would place it.
    macro_rules! test_spec {
        ($namespace:literal, $name:literal, $line:literal, $extra:expr) => {
            crate::__submit!({
                const MANAGED: &Managed = &Managed::new($namespace, None);
                const EXTRA: Option<&Extra> = $extra;
                LinkedSpec::new(
                    MANAGED,
                    $name.len(),
                    concat!(
                        $name,
                        "\0plux_core::inspect::tests\0plux-core/src/inspect.rs"
                    ),
                    $line,
                    1,
                    make,
                    EXTRA,
                )
            });
        };
    }

    // The registry of plux-core's own test binary: these specs and nothing else.
    test_spec!("inspect.t", "b\"quoted\"", 1, None);
    test_spec!(
        "inspect.t",
        "a",
        2,
        Some(&Extra::new(
            &["b\"quoted\""],
            &[],
            &[],
            Some("Does a.\n\nAt length."),
            None,
            7
        ))
    );
    test_spec!("inspect.t", "dup", 3, None);
    test_spec!("inspect.t", "dup", 4, None);
    test_spec!(
        "inspect.u",
        "lost",
        5,
        Some(&Extra::new(&["nobody"], &[], &[], None, None, 0))
    );
    crate::__submit_link!(LinkRecord::__new(
        at(6),
        &[LinkedCrate {
            name: "renamed",
            crate_name: "plux_core"
        }],
        &[],
        Some("a reason")
    ));

    #[test]
    fn report_holds_every_plugin_in_load_order_with_conflicts() {
        let report = Report::collect();
        let names: Vec<(&str, Vec<&str>)> = report
            .namespaces
            .iter()
            .map(|ns| {
                let names = ns.plugins.iter().map(|p| p.spec.name()).collect();
                (ns.name.as_str(), names)
            })
            .collect();
        assert_eq!(
            names,
            [
                ("inspect.t", vec!["b\"quoted\"", "a", "dup"]),
                ("inspect.u", vec!["lost"])
            ]
        );
        let conflicts: Vec<(&str, &str, String)> = report
            .conflicts()
            .map(|(ns, p)| {
                (
                    ns,
                    p.spec.name(),
                    conflict_kind(p.conflict.as_ref().unwrap()).to_owned(),
                )
            })
            .collect();
        assert_eq!(
            conflicts,
            [
                ("inspect.t", "dup", "duplicate".to_owned()),
                ("inspect.u", "lost", "order_unknown".to_owned())
            ]
        );
        let dup = &report.namespaces[0].plugins[2];
        assert_eq!(dup.sites, [at(3), at(4)]);
        assert_eq!(report.links.len(), 1);
        assert_eq!(report.plugins_of_crate("plux_core"), 5);
    }

    #[test]
    fn json_parses_and_says_everything() {
        let json: serde_json::Value =
            serde_json::from_str(&Report::collect().to_json()).expect("valid JSON");
        let t = &json["namespaces"][0];
        assert_eq!(t["namespace"], "inspect.t");
        assert_eq!(t["plugins"][0]["name"], "b\"quoted\"");
        assert_eq!(t["plugins"][1]["name"], "a");
        assert_eq!(t["plugins"][1]["priority"], 7);
        assert_eq!(t["plugins"][1]["after"][0], "b\"quoted\"");
        assert_eq!(t["plugins"][1]["position"], 1);
        assert_eq!(t["plugins"][1]["description"], "Does a.\n\nAt length.");
        assert_eq!(t["plugins"][0]["description"], serde_json::Value::Null);
        assert_eq!(t["plugins"][1]["requires"], serde_json::json!([]));
        assert_eq!(t["plugins"][1]["crate"], "plux_core");
        assert_eq!(t["plugins"][1]["line"], 2);
        assert_eq!(t["plugins"][2]["conflict"]["kind"], "duplicate");
        assert_eq!(t["plugins"][2]["sites"].as_array().map(Vec::len), Some(2));
        assert_eq!(t["plugins"][0]["conflict"], serde_json::Value::Null);
        let link = &json["links"][0];
        assert_eq!(link["crates"][0]["name"], "renamed");
        assert_eq!(link["crates"][0]["plugins"], 5);
        assert_eq!(link["unverified"], "a reason");
    }

    #[test]
    fn json_escapes_control_characters() {
        let mut out = String::new();
        json_str(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn text_lists_plugins_conflicts_and_links() {
        let text = Report::collect().to_string();
        let t = "plux_core::inspect::tests";
        let f = "plux-core/src/inspect.rs";
        let expected = format!(
            "plux registry ({backend}): 2 namespaces, 4 plugins, 2 cannot load

inspect.t (3)
  b\"quoted\"  {t}  {f}:1:1
  a          priority 7  after [b\"quoted\"]  {t}  {f}:2:1
             Does a.
  dup        {t}  {f}:3:1
             ! cannot load: declared 2 times: {t} at {f}:3:1, {t} at {f}:4:1

inspect.u (1)
  lost  after [nobody]  {t}  {f}:5:1
        ! cannot load: `after = [\"nobody\"]` names no plugin of this namespace

linked by link_plugins!
  {t} at {f}:6:1: renamed = plux_core (5 plugins)
    ! not checked: a reason; plugins of unlisted crates may be missing
",
            backend = Registry::backend()
        );
        #[cfg(feature = "dynamic")]
        let expected = {
            let requirements = crate::dynamic::requirements();
            format!(
                "{expected}\nplugin libraries must match\n  rustc: {}\n  target: {}\n  panic: {}\n  \
                 plux: {}\n  plux source: {}\n  layout: {}\n",
                requirements.rustc,
                requirements.target,
                requirements.panic,
                requirements.plux_version,
                requirements.plux_source,
                requirements.layout
            )
        };
        assert_eq!(text, expected);
    }

    #[test]
    fn an_unverified_link_is_warned_about() {
        assert_eq!(
            crate::registry::unverified_link_warnings(),
            [
                "link_plugins! at plux_core::inspect::tests at plux-core/src/inspect.rs:6:1 could \
                 not check that it linked every plugin crate (a reason); plugins of crates it did \
                 not link are missing"
            ]
        );
    }

    #[test]
    fn problems_of_the_registry_each_once() {
        let listed: Vec<String> = Report::collect()
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect();
        let t = "plux_core::inspect::tests";
        let f = "plux-core/src/inspect.rs";
        assert_eq!(
            listed,
            [
                // Made by hand, to test escaping: only such a spec can break the grammar.
                format!(
                    "spec at {t} at {f}:1:1: invalid plugin name \"b\\\"quoted\\\"\": it ends \
                     with '\"'; a plugin name is ASCII letters, digits, `_`, `-` and `.`, \
                     starting and ending with a letter, digit or `_`, e.g. \"s3\" or \"my-plugin\""
                ),
                format!("plugin `inspect.t/dup` cannot load: declared 2 times: {t} at {f}:3:1, {t} at {f}:4:1"),
                "plugin `inspect.u/lost` cannot load: `after = [\"nobody\"]` names no plugin of this namespace".to_owned(),
                format!("link_plugins! at {t} at {f}:6:1 could not check that it linked every plugin crate (a reason)"),
            ]
        );
    }

    #[test]
    fn an_ordering_cycle_is_one_problem_and_no_link_is_one() {
        let members: std::sync::Arc<[String]> = ["x".to_owned(), "y".to_owned()].into();
        let member = |name: &str| PluginReport {
            spec: PluginSpec::new("c.ns", name.to_owned(), || {
                fn hook() {}
                Ok(Box::new(FunctionPlugin::new(hook as fn())))
            })
            .unwrap(),
            sites: Vec::new(),
            conflict: Some(PluginErrorKind::OrderCycle(members.clone())),
            status: None,
        };
        let report = Report {
            backend: "test",
            namespaces: vec![NamespaceReport {
                name: "c.ns".into(),
                plugins: vec![member("x"), member("y")],
                loads_async: false,
            }],
            links: Vec::new(),
            #[cfg(feature = "dynamic")]
            requirements: crate::dynamic::requirements(),
        };
        let listed: Vec<String> = report.problems().iter().map(ToString::to_string).collect();
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert_eq!(
            listed[0],
            "namespace `c.ns`: ordering cycle of 2 plugins between x, y; none of them loads"
        );
        assert!(matches!(report.problems()[1], Problem::NoLink));
    }

    #[test]
    fn list_flag() {
        assert_eq!(requested(["x", "--plux-list"]), Ok(Some(Format::Text)));
        assert_eq!(requested(["x", "--plux-list=text"]), Ok(Some(Format::Text)));
        assert_eq!(requested(["x", "--plux-list=json"]), Ok(Some(Format::Json)));
        assert_eq!(requested(["x", "--", "--plux-list"]), Ok(None));
        assert_eq!(requested(["x", "--plux-listing"]), Ok(None));
        let err = requested(["x", "--plux-list=xml"]).unwrap_err();
        assert_eq!(err, UnknownFormat("xml".into()));
        assert!(err.to_string().contains("--plux-list=json"));
    }
}
