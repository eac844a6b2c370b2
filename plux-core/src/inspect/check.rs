//! The health check: everything in a built program's registry that stops a plugin from loading
//! or a plugin crate from being linked, found at once instead of in the logs.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::error::{DisplayCycle, PluginErrorKind};
use crate::fingerprint::Fingerprint;
use crate::grammar::{check_name, check_namespace, InvalidIdent};
use crate::inspect::{NamespaceReport, PluginReport, Report};
use crate::registry::{self, LinkedCrate};
use crate::spec::Location;

/// Checks the plugins of this program and returns every problem found, so that an application's
/// test suite catches them in one line:
///
/// ```
/// // tests/plugins.rs of an application, below `plux::link_plugins!();`
/// #[cfg_attr(test, test)]
/// fn plugins_are_sound() {
///     plux_core::inspect::check().unwrap(); // fails listing every problem
/// }
/// # fn main() {}
/// ```
///
/// It reports, each once: plugins that cannot load ([`Duplicate`](PluginErrorKind::Duplicate),
/// [`OrderUnknown`](PluginErrorKind::OrderUnknown), one line per ordering cycle), namespaces and
/// names that break the [grammar](crate::IdentKind::rule), a plugin of another type than the
/// interface or hook point of its namespace (its manager refuses it with
/// [`WrongType`](PluginErrorKind::WrongType)), a namespace that is probably a typo of an
/// interface's or a hook point's ([`Problem::NearMiss`] says how it decides), a program that
/// links no plugin crate at all (no `link_plugins!`, and no plugin of any crate in the registry),
/// a `link_plugins!` that could not check the compilation, and a crate listed in
/// `no_plugins = [..]` that declares plugins.
///
/// A program that links its plugin crates by hand (`use my_plugins as _;`) instead of with
/// `link_plugins!` gets no report for that; but then no check can name a crate it forgot: nothing
/// of a crate that is not linked is in the program. `link_plugins!` links every plugin crate of
/// the compilation, and says which it could not check.
///
/// Call it from a test binary that has its own `plux::link_plugins!();`: each test binary is a
/// program of its own, linked from the crates it names.
pub fn check() -> Result<(), Problems> {
    let problems = Report::collect().problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

impl Report {
    /// The plugins of each namespace that are of another interface or hook point than the
    /// namespace's own: the one most of its plugins are of (the first in load order on a tie).
    fn wrong_types(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for ns in &self.namespaces {
            let of = |plugin: &PluginReport| plugin.spec.fingerprint().copied();
            let mut counts: Vec<(Fingerprint, usize)> = Vec::new();
            for fingerprint in ns.plugins.iter().filter_map(of) {
                match counts.iter_mut().find(|(seen, _)| *seen == fingerprint) {
                    Some((_, count)) => *count += 1,
                    None => counts.push((fingerprint, 1)),
                }
            }
            let Some(expected) = counts
                .iter()
                .rev()
                .max_by_key(|(_, count)| *count)
                .map(|(fingerprint, _)| *fingerprint)
            else {
                continue;
            };
            for plugin in &ns.plugins {
                let found = of(plugin);
                if found != Some(expected) {
                    problems.push(Problem::WrongType {
                        namespace: ns.name.clone(),
                        name: plugin.spec.name().to_owned(),
                        expected: expected.to_string(),
                        found: found.map(|found| found.to_string()),
                    });
                }
            }
        }
        problems
    }

    /// The namespaces of no interface or hook point that are near misses of one that is.
    fn near_misses(&self) -> Vec<Problem> {
        let managed = |ns: &&NamespaceReport| {
            ns.plugins
                .iter()
                .any(|plugin| plugin.spec.fingerprint().is_some())
        };
        let interfaces: Vec<&str> = self
            .namespaces
            .iter()
            .filter(managed)
            .map(|ns| ns.name.as_str())
            .collect();
        self.namespaces
            .iter()
            .filter(|ns| !managed(ns))
            .filter_map(|ns| {
                let like = interfaces.iter().find(|like| near_miss(&ns.name, like))?;
                Some(Problem::NearMiss {
                    namespace: ns.name.clone(),
                    plugins: ns.plugins.len(),
                    like: (*like).to_owned(),
                })
            })
            .collect()
    }
}

/// Whether namespace `a` is probably a typo of `b` (see [`Problem::NearMiss`]).
fn near_miss(a: &str, b: &str) -> bool {
    let squashed = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '.' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    a != b && (squashed(a) == squashed(b) || one_edit(a, b))
}

/// Whether `a` and `b` differ by exactly one edit: a character inserted, removed or replaced,
/// or two neighbours swapped.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let same = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    let (rest_short, rest_long) = (short.get(same..), long.get(same..));
    let (Some(rest_short), Some(rest_long)) = (rest_short, rest_long) else {
        return false;
    };
    match long.len() - short.len() {
        // Replaced, or swapped with the next one.
        0 => {
            rest_short.get(1..) == rest_long.get(1..)
                || (rest_short.len() >= 2
                    && rest_short.first() == rest_long.get(1)
                    && rest_short.get(1) == rest_long.first()
                    && rest_short.get(2..) == rest_long.get(2..))
        }
        // Inserted.
        1 => rest_long.get(1..) == Some(rest_short),
        _ => false,
    }
}

/// One thing [`check`] found wrong.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Problem {
    /// A plugin that cannot load: [`Duplicate`](PluginErrorKind::Duplicate) or
    /// [`OrderUnknown`](PluginErrorKind::OrderUnknown).
    CannotLoad {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// Why.
        conflict: PluginErrorKind,
    },
    /// Plugins whose `after`/`before` constraints form a cycle; none of them loads.
    OrderCycle {
        /// Their namespace.
        namespace: String,
        /// Their names, sorted.
        members: Arc<[String]>,
    },
    /// A spec's namespace or name breaks the grammar (only a spec made by hand can).
    InvalidIdent {
        /// Where the spec was declared.
        site: Location,
        /// What is wrong.
        error: InvalidIdent,
    },
    /// The program has no `link_plugins!` and links no plugin of any crate: a plugin crate that
    /// no code names is not linked, and nothing says so.
    NoLink,
    /// A plugin of another type than the interface or hook point that its namespace belongs to:
    /// the manager of that interface refuses it with [`WrongType`](PluginErrorKind::WrongType).
    WrongType {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// The interface or hook point of the namespace, e.g. `Greeter` of `my-api 1.2.0`.
        expected: String,
        /// The interface or hook point it is of, if any.
        found: Option<String>,
    },
    /// A namespace of plugins that belong to no interface or hook point, whose name is a near
    /// miss of one that does: probably a typo, and then its plugins never load, since no
    /// manager asks for that namespace.
    ///
    /// How it decides: the two names differ, and are equal once lowercased with every `.`, `_`
    /// and `-` removed, or differ by a single edit (a character inserted, removed, replaced, or
    /// two neighbours swapped). A namespace that is meant to be close to an interface's (one a
    /// manager asks for by name with `in_namespace`) is reported too: rename it apart.
    NearMiss {
        /// The namespace, of no interface or hook point.
        namespace: String,
        /// How many plugins it has.
        plugins: usize,
        /// The namespace of an interface or a hook point it is close to.
        like: String,
    },
    /// A `link_plugins!` could not check that it linked every plugin crate.
    UnverifiedLink {
        /// Where it was called.
        site: Location,
        /// Why it could not.
        reason: &'static str,
    },
    /// A crate that a `link_plugins!` listed in `no_plugins = [..]` declares plugins.
    HasPlugins {
        /// Where `link_plugins!` was called.
        site: Location,
        /// The crate.
        krate: LinkedCrate,
        /// How many plugins it declares.
        plugins: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::CannotLoad {
                namespace,
                name,
                conflict,
            } => write!(f, "plugin `{namespace}/{name}` cannot load: {conflict}"),
            Problem::OrderCycle { namespace, members } => {
                DisplayCycle { namespace, members }.fmt(f)
            }
            Problem::InvalidIdent { site, error } => write!(f, "spec at {site}: {error}"),
            Problem::WrongType {
                namespace,
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "plugin `{namespace}/{name}` is not a plugin of {expected}, the interface of \
                     its namespace, but "
                )?;
                match found {
                    Some(found) => write!(f, "of {found}")?,
                    None => f.write_str("of a type of its own")?,
                }
                f.write_str(
                    ": its manager refuses it (WrongType). Declare it with #[plugin] on an impl \
                     of the interface, or give it a namespace of its own",
                )
            }
            Problem::NearMiss {
                namespace,
                plugins,
                like,
            } => write!(
                f,
                "namespace `{namespace}` ({plugins} {}) is of no interface or hook point, and \
                 its name is close to `{like}`, which is: a typo? Its plugins load only through \
                 a manager of `{namespace}`",
                if *plugins == 1 { "plugin" } else { "plugins" }
            ),
            Problem::NoLink => f.write_str(
                "this program has no `plux::link_plugins!()`: plugin crates that no code names \
                 are not linked, and nothing says so. Add `plux::link_plugins!();` (in a test \
                 binary too: each is a program of its own)",
            ),
            Problem::UnverifiedLink { site, reason } => write!(
                f,
                "link_plugins! at {site} could not check that it linked every plugin crate \
                 ({reason})"
            ),
            Problem::HasPlugins {
                site,
                krate,
                plugins,
            } => f.write_str(&registry::wrong_no_plugins_message(site, krate, *plugins)),
        }
    }
}

/// Everything [`check`] found: at least one [`Problem`]. `Debug` writes the same list as
/// `Display`, so that `check().unwrap()` in a test prints it readably.
#[derive(Clone)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// The problems, in the order of the report: namespaces sorted, plugins in load order, then
    /// the links.
    pub fn problems(&self) -> &[Problem] {
        &self.0
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "{n} {} with the plugins of this program:",
            if n == 1 { "problem" } else { "problems" }
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Problems {}

impl Report {
    /// What [`check`] reports about this report.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut cycles = HashSet::new();
        for ns in &self.namespaces {
            for plugin in &ns.plugins {
                let spec = &plugin.spec;
                if let Err(error) =
                    check_namespace(spec.namespace()).and_then(|()| check_name(spec.name()))
                {
                    problems.push(Problem::InvalidIdent {
                        site: spec.location(),
                        error,
                    });
                }
                match &plugin.conflict {
                    None => {}
                    // Every member shares the one list: a cycle is one problem, not N.
                    Some(PluginErrorKind::OrderCycle(members))
                        if cycles.insert(Arc::as_ptr(members).cast::<()>()) =>
                    {
                        problems.push(Problem::OrderCycle {
                            namespace: ns.name.clone(),
                            members: members.clone(),
                        });
                    }
                    Some(PluginErrorKind::OrderCycle(_)) => {}
                    Some(conflict) => problems.push(Problem::CannotLoad {
                        namespace: ns.name.clone(),
                        name: spec.name().to_owned(),
                        conflict: conflict.clone(),
                    }),
                }
            }
        }
        problems.extend(self.wrong_types());
        problems.extend(self.near_misses());
        // A program that links its plugin crates by hand has plugins of some crate.
        let any_crate = self.namespaces.iter().any(|ns| {
            ns.plugins
                .iter()
                .any(|plugin| plugin.spec.location().crate_name().is_some())
        });
        if self.links.is_empty() && !any_crate {
            problems.push(Problem::NoLink);
        }
        for link in &self.links {
            if let Some(reason) = link.unverified() {
                problems.push(Problem::UnverifiedLink {
                    site: *link.site(),
                    reason,
                });
            }
            for krate in link.no_plugins() {
                let plugins = self.plugins_of_crate(krate.crate_name);
                if plugins > 0 {
                    problems.push(Problem::HasPlugins {
                        site: *link.site(),
                        krate: *krate,
                        plugins,
                    });
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::near_miss;

    #[test]
    fn a_near_miss_is_one_edit_or_only_case_and_separators_apart() {
        for (a, b) in [
            ("app.statrup", "app.startup"),  // swapped neighbours
            ("app.startp", "app.startup"),   // one removed
            ("app.startups", "app.startup"), // one inserted
            ("app.stratup", "app.startup"),  // swapped
            ("app.sturtup", "app.startup"),  // replaced
            ("App.Start_Up", "app.startup"), // case and separators
            ("app-startup", "app.startup"),
        ] {
            assert!(near_miss(a, b), "{a} ~ {b}");
        }
        for (a, b) in [
            ("app.startup", "app.startup"),
            ("app.shutdown", "app.startup"),
            ("app.strtp", "app.startup"), // two removed
            ("app.hooks", "app.books2"),
        ] {
            assert!(!near_miss(a, b), "{a} !~ {b}");
        }
    }
}
