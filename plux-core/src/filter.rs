//! The process-wide plugin filter: glob patterns that switch plugins off, e.g. from configuration.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, PoisonError, RwLock};

use crate::process::PerProcess;
use crate::spec::PluginSpec;

mod glob;

use glob::Glob;

/// A glob pattern that is not valid; [`PluginPattern`] gives the syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Which part of the pattern: `namespace`, `name` or `module`.
    pub field: &'static str,
    /// The rejected pattern.
    pub pattern: String,
    /// What is wrong with it, and what to write instead.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PatternError {
            field,
            pattern,
            message,
        } = self;
        write!(f, "invalid {field} pattern {pattern:?}: {message}")
    }
}

impl std::error::Error for PatternError {}

/// Which plugins to switch off: glob patterns on namespace, name and declaring module path.
/// A part left out matches everything; a spec matches when every given part matches.
///
/// A pattern matches the whole text. `*` matches any run of characters, the empty one, dots and
/// `::` included (a run of `*` means the same); `?` matches one character; `[abc]`, `[a-z]`
/// match one character of the class, `[!abc]` one character out of it (a `]` first in a class
/// is a member, a `-` first or last too: `[[]` and `[*]` match `[` and `*`). Any other
/// character matches itself. A `[` that no `]` closes is a [`PatternError`].
///
/// ```
/// use plux_core::PluginPattern;
///
/// let all_services = PluginPattern::new().namespace("localstack.plugins.*")?;
/// let one = PluginPattern::new().namespace("localstack.plugins.services")?.name("s3")?;
/// let from_a_crate = PluginPattern::new().module("legacy_plugins::*")?;
/// assert_eq!(one.to_string(), "namespace=localstack.plugins.services name=s3");
/// assert!(PluginPattern::new().name("[").is_err());
/// # Ok::<(), plux_core::PatternError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginPattern {
    namespace: Option<Glob>,
    name: Option<Glob>,
    module: Option<Glob>,
}

fn compile(field: &'static str, pattern: &str) -> Result<Option<Glob>, PatternError> {
    Glob::new(pattern)
        .map(Some)
        .map_err(|message| PatternError {
            field,
            pattern: pattern.to_owned(),
            message,
        })
}

impl PluginPattern {
    /// A pattern that matches every plugin, to narrow with the methods below.
    pub fn new() -> Self {
        Self::default()
    }

    /// Matches namespaces against `glob`, e.g. `localstack.plugins.*`.
    pub fn namespace(mut self, glob: &str) -> Result<Self, PatternError> {
        self.namespace = compile("namespace", glob)?;
        Ok(self)
    }

    /// Matches plugin names against `glob`, e.g. `s3` or `aws-*`.
    pub fn name(mut self, glob: &str) -> Result<Self, PatternError> {
        self.name = compile("name", glob)?;
        Ok(self)
    }

    /// Matches the declaring module path against `glob`, e.g. `my_crate::legacy::*`.
    /// Specs made at run time have no module path and never match a module pattern.
    pub fn module(mut self, glob: &str) -> Result<Self, PatternError> {
        self.module = compile("module", glob)?;
        Ok(self)
    }

    /// Whether `spec` matches every part of this pattern.
    pub fn matches(&self, spec: &PluginSpec) -> bool {
        let part = |pattern: &Option<Glob>, text: Option<&str>| match (pattern, text) {
            (None, _) => true,
            (Some(pattern), Some(text)) => pattern.matches(text),
            (Some(_), None) => false,
        };
        part(&self.namespace, Some(spec.namespace()))
            && part(&self.name, Some(spec.name()))
            && part(&self.module, spec.location().module_path)
    }
}

impl fmt::Display for PluginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            ("namespace", &self.namespace),
            ("name", &self.name),
            ("module", &self.module),
        ];
        let mut first = true;
        for (field, pattern) in parts {
            if let Some(pattern) = pattern {
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{field}={pattern}")?;
                first = false;
            }
        }
        if first {
            f.write_str("*")?;
        }
        Ok(())
    }
}

/// The process-wide filter, consulted by every manager before a plugin's factory runs.
/// Get it with [`global_filter`].
#[derive(Debug, Default)]
pub struct GlobalFilter {
    patterns: RwLock<Vec<PluginPattern>>,
    /// Whether `patterns` may be non-empty: every lifecycle asks, and most programs have no
    /// pattern, so the answer for them is one atomic load instead of a lock.
    any: AtomicBool,
}

impl GlobalFilter {
    /// Disables every plugin that `pattern` matches, in every manager, from the next time a
    /// plugin's lifecycle runs. Plugins already loaded stay loaded.
    pub fn add_pattern(&self, pattern: PluginPattern) {
        let mut patterns = self
            .patterns
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        patterns.push(pattern);
        self.any.store(true, Ordering::Release);
    }

    /// Removes every pattern equal to `pattern`; returns whether any was removed.
    pub fn remove_pattern(&self, pattern: &PluginPattern) -> bool {
        let mut patterns = self
            .patterns
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let before = patterns.len();
        patterns.retain(|p| p != pattern);
        self.any.store(!patterns.is_empty(), Ordering::Release);
        patterns.len() != before
    }

    /// Removes every pattern.
    pub fn clear(&self) {
        let mut patterns = self
            .patterns
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        patterns.clear();
        self.any.store(false, Ordering::Release);
    }

    /// The patterns, in the order they were added.
    pub fn patterns(&self) -> Vec<PluginPattern> {
        self.patterns
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The first pattern that matches `spec`, if any.
    #[inline]
    pub fn matching(&self, spec: &PluginSpec) -> Option<PluginPattern> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        self.first_match(spec)
    }

    fn first_match(&self, spec: &PluginSpec) -> Option<PluginPattern> {
        self.patterns
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|pattern| pattern.matches(spec))
            .cloned()
    }
}

/// The process-wide filter (plux's `global_plugin_filter`).
///
/// ```
/// use plux_core::{global_filter, PluginPattern};
///
/// // e.g. from a `DISABLED_PLUGINS` setting
/// global_filter().add_pattern(PluginPattern::new().namespace("localstack.plugins.services")?.name("sqs")?);
/// # global_filter().clear();
/// # Ok::<(), plux_core::PatternError>(())
/// ```
pub fn global_filter() -> &'static GlobalFilter {
    FILTER.get()
}

/// The process's filter (see [`PerProcess`]).
pub(crate) static FILTER: PerProcess<LazyLock<GlobalFilter>> =
    PerProcess::new(LazyLock::new(GlobalFilter::default));
