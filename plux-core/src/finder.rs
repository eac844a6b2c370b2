//! [`PluginFinder`]: where a manager gets the specs of its namespace.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::spec::{Location, PluginSpec};

/// Yields the specs of a namespace. The default finder of every manager is the link-time
/// [`Registry`](crate::Registry); give a manager another one with
/// [`PluginManager::finder`](crate::PluginManager::finder), e.g. specs assembled at run time.
///
/// Order does not matter and duplicates are allowed: the manager sorts by name and reports a
/// name found more than once as [`Duplicate`](crate::PluginErrorKind::Duplicate).
///
/// ```
/// use plux_core::{FunctionPlugin, PluginFinder, PluginSpec};
///
/// fn hook() {}
/// let specs = vec![PluginSpec::new("my.hooks", "a", || Ok(Box::new(FunctionPlugin::new(hook as fn()))))?];
/// assert_eq!(specs.find_plugins("my.hooks").len(), 1);
/// assert!(specs.find_plugins("other").is_empty());
/// # Ok::<(), plux_core::InvalidIdent>(())
/// ```
pub trait PluginFinder: Send + Sync {
    /// Every spec whose namespace is `namespace`.
    fn find_plugins(&self, namespace: &str) -> Vec<PluginSpec>;
}

impl PluginFinder for Vec<PluginSpec> {
    fn find_plugins(&self, namespace: &str) -> Vec<PluginSpec> {
        self.iter()
            .filter(|spec| spec.namespace() == namespace)
            .cloned()
            .collect()
    }
}

/// The specs of one namespace, sorted by name, with a name index and duplicates grouped.
#[derive(Debug, Default)]
pub(crate) struct SpecIndex {
    entries: Vec<IndexEntry>,
    by_name: HashMap<Cow<'static, str>, usize>,
}

/// One name of a namespace: its spec, or every site when the name is declared more than once.
#[derive(Debug)]
pub(crate) struct IndexEntry {
    pub(crate) spec: PluginSpec,
    pub(crate) duplicate_sites: Option<Vec<Location>>,
}

impl SpecIndex {
    pub(crate) fn build(mut specs: Vec<PluginSpec>) -> Self {
        specs.sort_by(|a, b| {
            (a.name(), a.location()).cmp(&(b.name(), b.location()))
        });
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(specs.len());
        for spec in specs {
            match entries.last_mut() {
                Some(last) if last.spec.name() == spec.name() => last
                    .duplicate_sites
                    .get_or_insert_with(|| vec![*last.spec.location()])
                    .push(*spec.location()),
                _ => entries.push(IndexEntry {
                    spec,
                    duplicate_sites: None,
                }),
            }
        }
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| (entry.spec.name_cow().clone(), i))
            .collect();
        SpecIndex { entries, by_name }
    }

    pub(crate) fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}
