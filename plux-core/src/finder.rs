//! [`PluginFinder`]: where a manager gets the specs of its namespace.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::error::PluginErrorKind;
use crate::order::order;
use crate::spec::PluginSpec;

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

/// The specs of one namespace, sorted by name, with a name index, the load order, and the
/// conflicts found (duplicated names, broken ordering constraints).
#[derive(Debug, Default)]
pub(crate) struct SpecIndex {
    entries: Vec<IndexEntry>,
    by_name: HashMap<Cow<'static, str>, usize>,
    order: Vec<usize>,
}

/// One name of a namespace: its spec, and why it cannot load, if it cannot.
#[derive(Debug)]
pub(crate) struct IndexEntry {
    pub(crate) spec: PluginSpec,
    pub(crate) conflict: Option<PluginErrorKind>,
}

impl SpecIndex {
    pub(crate) fn build<'a>(specs: impl IntoIterator<Item = &'a PluginSpec>) -> Self {
        // Sorting references: a spec is 160 bytes, and moving those dominated the first use of
        // a large registry.
        let mut specs: Vec<&PluginSpec> = specs.into_iter().collect();
        specs.sort_by(|a, b| (a.name(), a.location()).cmp(&(b.name(), b.location())));
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(specs.len());
        for spec in specs {
            match entries.last_mut() {
                Some(last) if last.spec.name() == spec.name() => match &mut last.conflict {
                    Some(PluginErrorKind::Duplicate(sites)) => sites.push(*spec.location()),
                    _ => {
                        let sites = vec![*last.spec.location(), *spec.location()];
                        last.conflict = Some(PluginErrorKind::Duplicate(sites));
                    }
                },
                _ => entries.push(IndexEntry {
                    spec: spec.clone(),
                    conflict: None,
                }),
            }
        }
        let by_name: HashMap<Cow<'static, str>, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| (entry.spec.name_cow().clone(), i))
            .collect();
        let specs: Vec<&PluginSpec> = entries.iter().map(|entry| &entry.spec).collect();
        let ordered = order(&specs, |name| by_name.get(name).copied());
        for (i, conflict) in ordered.conflicts {
            if let Some(entry) = entries.get_mut(i) {
                entry.conflict.get_or_insert(conflict);
            }
        }
        SpecIndex {
            entries,
            by_name,
            order: ordered.order,
        }
    }

    /// The entries, sorted by name.
    pub(crate) fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// Positions in [`entries`](Self::entries), in load order.
    pub(crate) fn order(&self) -> &[usize] {
        &self.order
    }

    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}
