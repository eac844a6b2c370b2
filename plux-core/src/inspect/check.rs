//! The health check: everything in a built program's registry that stops a plugin from loading
//! or a plugin crate from being linked, found at once instead of in the logs.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::error::{DisplayCycle, PluginErrorKind};
use crate::grammar::{check_name, check_namespace, InvalidIdent};
use crate::inspect::Report;
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
/// names that break the [grammar](crate::IdentKind::rule), a program with no `link_plugins!` (so
/// that nothing catches a plugin crate rustc dropped), a `link_plugins!` that could not check the
/// compilation, and a crate listed in `no_plugins = [..]` that declares plugins.
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
    /// The program has no `link_plugins!`: a plugin crate that no code names is not linked, and
    /// nothing says so.
    NoLink,
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
#[derive(Clone, thiserror::Error)]
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
        if self.links.is_empty() {
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
