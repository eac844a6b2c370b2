//! [`PluginFinder`]: where a manager gets the specs of its namespace.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::PluginErrorKind;
use crate::name_sort::sorted_by_name;
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
    /// Made on the first lookup by name: `load_all` needs none, and a namespace's first
    /// `load_all` is a large part of a program's start.
    by_name: OnceLock<HashMap<Cow<'static, str>, usize>>,
    order: Vec<usize>,
    /// Whether any entry has a conflict.
    conflicts: bool,
}

/// One name of a namespace: its spec, and why it cannot load, if it cannot.
#[derive(Debug)]
pub(crate) struct IndexEntry {
    spec: PluginSpec,
    /// Boxed: conflicts are rare, and entries are walked on every `load_all`.
    conflict: Option<Box<PluginErrorKind>>,
}

impl IndexEntry {
    pub(crate) fn spec(&self) -> &PluginSpec {
        &self.spec
    }

    pub(crate) fn conflict(&self) -> Option<&PluginErrorKind> {
        self.conflict.as_deref()
    }
}

impl SpecIndex {
    /// The index of `specs`, all of one namespace.
    pub(crate) fn new(specs: Vec<PluginSpec>) -> Self {
        let sorted = sorted_by_name(&specs);
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(specs.len());
        for spec in sorted.into_iter().filter_map(|i| specs.get(i).cloned()) {
            match entries.last_mut() {
                Some(last) if last.spec().name() == spec.name() => {
                    let site = spec.location();
                    match last.conflict.as_deref_mut() {
                        Some(PluginErrorKind::Duplicate(sites)) => sites.push(site),
                        _ => {
                            let sites = vec![last.spec().location(), site];
                            last.conflict = Some(Box::new(PluginErrorKind::Duplicate(sites)));
                        }
                    }
                }
                _ => entries.push(IndexEntry {
                    spec,
                    conflict: None,
                }),
            }
        }
        let specs: Vec<&PluginSpec> = entries.iter().map(IndexEntry::spec).collect();
        let ordered = order(&specs, |name| {
            specs.binary_search_by(|spec| spec.name().cmp(name)).ok()
        });
        for (i, conflict) in ordered.conflicts {
            if let Some(entry) = entries.get_mut(i) {
                entry.conflict.get_or_insert(Box::new(conflict));
            }
        }
        let conflicts = entries.iter().any(|entry| entry.conflict.is_some());
        SpecIndex {
            entries,
            by_name: OnceLock::new(),
            order: ordered.order,
            conflicts,
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

    /// Every spec, in load order.
    pub(crate) fn specs_in_order(&self) -> impl Iterator<Item = &PluginSpec> {
        self.order
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .map(IndexEntry::spec)
    }

    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        let by_name = self.by_name.get_or_init(|| {
            let mut by_name = HashMap::with_capacity(self.entries.len());
            by_name.extend(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, entry)| (entry.spec().name_cow(), i)),
            );
            by_name
        });
        by_name.get(name).copied()
    }

    /// Whether any entry has a conflict (most namespaces have none).
    pub(crate) fn has_conflicts(&self) -> bool {
        self.conflicts
    }
}
