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
    /// Whether any entry has a conflict.
    conflicts: bool,
}

/// One name of a namespace: its spec, and why it cannot load, if it cannot.
#[derive(Debug)]
pub(crate) struct IndexEntry {
    spec: Held,
    /// Boxed: conflicts are rare, and entries are walked on every `load_all`.
    conflict: Option<Box<PluginErrorKind>>,
}

/// A spec of the link-time registry is borrowed from it; one from a finder is owned.
#[derive(Debug)]
enum Held {
    Static(&'static PluginSpec),
    Owned(Box<PluginSpec>),
}

impl IndexEntry {
    pub(crate) fn spec(&self) -> &PluginSpec {
        match &self.spec {
            Held::Static(spec) => spec,
            Held::Owned(spec) => spec,
        }
    }

    pub(crate) fn conflict(&self) -> Option<&PluginErrorKind> {
        self.conflict.as_deref()
    }
}

impl SpecIndex {
    /// The index of specs from the link-time registry, which it borrows.
    pub(crate) fn of_static(specs: Vec<&'static PluginSpec>) -> Self {
        Self::build(specs, Held::Static)
    }

    /// The index of specs from a finder, which it keeps.
    pub(crate) fn of_owned(specs: Vec<PluginSpec>) -> Self {
        Self::build(specs, |spec| Held::Owned(Box::new(spec)))
    }

    fn build<S: std::borrow::Borrow<PluginSpec>>(
        mut specs: Vec<S>,
        hold: impl Fn(S) -> Held,
    ) -> Self {
        specs.sort_by(|a, b| {
            let (a, b) = (a.borrow(), b.borrow());
            (a.name(), a.location()).cmp(&(b.name(), b.location()))
        });
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(specs.len());
        for spec in specs {
            match entries.last_mut() {
                Some(last) if last.spec().name() == spec.borrow().name() => {
                    let site = *spec.borrow().location();
                    match last.conflict.as_deref_mut() {
                        Some(PluginErrorKind::Duplicate(sites)) => sites.push(site),
                        _ => {
                            let sites = vec![*last.spec().location(), site];
                            last.conflict = Some(Box::new(PluginErrorKind::Duplicate(sites)));
                        }
                    }
                }
                _ => entries.push(IndexEntry {
                    spec: hold(spec),
                    conflict: None,
                }),
            }
        }
        let mut by_name = HashMap::with_capacity(entries.len());
        by_name.extend(
            entries
                .iter()
                .enumerate()
                .map(|(i, entry)| (entry.spec().name_cow().clone(), i)),
        );
        let specs: Vec<&PluginSpec> = entries.iter().map(IndexEntry::spec).collect();
        let ordered = order(&specs, |name| by_name.get(name).copied());
        for (i, conflict) in ordered.conflicts {
            if let Some(entry) = entries.get_mut(i) {
                entry.conflict.get_or_insert(Box::new(conflict));
            }
        }
        let conflicts = entries.iter().any(|entry| entry.conflict.is_some());
        SpecIndex {
            entries,
            by_name,
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
        self.by_name.get(name).copied()
    }

    /// Whether any entry has a conflict (most namespaces have none).
    pub(crate) fn has_conflicts(&self) -> bool {
        self.conflicts
    }
}
