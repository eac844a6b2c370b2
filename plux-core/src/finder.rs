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
    by_name: OnceLock<Names>,
    order: Vec<usize>,
    /// Whether any entry has a conflict.
    conflicts: bool,
}

/// The name index. Names the program links are `&'static str`s, keyed as such; names a finder
/// made are keyed by [`Name`].
#[derive(Debug)]
enum Names {
    Linked(HashMap<&'static str, usize>),
    Made(HashMap<Name, usize>),
}

impl Names {
    fn of(entries: &[IndexEntry]) -> Self {
        let linked: Option<HashMap<&'static str, usize>> = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| match entry.spec().name_cow() {
                Cow::Borrowed(name) => Some((name, i)),
                Cow::Owned(_) => None,
            })
            .collect();
        match linked {
            Some(linked) => Names::Linked(linked),
            None => Names::Made(
                entries
                    .iter()
                    .enumerate()
                    .map(|(i, entry)| (Name::of(entry.spec()), i))
                    .collect(),
            ),
        }
    }

    #[inline]
    fn get(&self, name: &str) -> Option<usize> {
        match self {
            Names::Linked(names) => names.get(name),
            Names::Made(names) => names.get(name.as_bytes()),
        }
        .copied()
    }
}

/// A name as the name index keys it: short names (most) inline, so that a lookup compares
/// them in the map's own memory instead of following a pointer to a string elsewhere, which
/// costs a cache miss in a large namespace.
#[derive(Debug)]
enum Name {
    Inline { len: u8, bytes: [u8; INLINE] },
    Spilled(Cow<'static, str>),
}

/// The longest name kept inline: what fits beside the niche of `Spilled`, so that a key is no
/// bigger than the `Cow` it replaces.
const INLINE: usize = 15;

const _: () = assert!(std::mem::size_of::<Name>() == std::mem::size_of::<Cow<'static, str>>());

impl Name {
    fn of(spec: &PluginSpec) -> Self {
        let name = spec.name();
        let mut bytes = [0; INLINE];
        match (bytes.get_mut(..name.len()), u8::try_from(name.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(name.as_bytes());
                Name::Inline { len, bytes }
            }
            _ => Name::Spilled(spec.name_cow()),
        }
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            Name::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Name::Spilled(name) => name.as_bytes(),
        }
    }
}

// By the bytes, as `[u8]` compares and hashes them: the map is asked with `name.as_bytes()`.
impl std::borrow::Borrow<[u8]> for Name {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Name {}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

/// One name of a namespace: its spec, and why it cannot load, if it cannot.
#[derive(Debug)]
pub(crate) struct IndexEntry {
    spec: PluginSpec,
    /// Boxed: conflicts are rare, and entries are walked on every `load_all`.
    conflict: Option<Box<PluginErrorKind>>,
    /// Whether the spec requires other plugins: known here, a run of one that requires none
    /// neither calls into the spec nor follows its pointer to the list.
    requires: bool,
}

impl std::borrow::Borrow<PluginSpec> for IndexEntry {
    fn borrow(&self) -> &PluginSpec {
        &self.spec
    }
}

impl IndexEntry {
    #[inline]
    pub(crate) fn spec(&self) -> &PluginSpec {
        &self.spec
    }

    #[inline]
    pub(crate) fn conflict(&self) -> Option<&PluginErrorKind> {
        self.conflict.as_deref()
    }

    /// Whether the spec requires other plugins.
    #[inline]
    pub(crate) fn requires(&self) -> bool {
        self.requires
    }
}

impl SpecIndex {
    /// The index of `specs`, all of one namespace.
    pub(crate) fn new(specs: Vec<PluginSpec>) -> Self {
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(specs.len());
        let mut last_window = None;
        for key in sorted_by_name(&specs) {
            let Some(spec) = specs.get(key.position()).cloned() else {
                continue;
            };
            let same_window = last_window.replace(key.window()) == Some(key.window());
            match entries.last_mut() {
                Some(last) if same_window && last.spec().name() == spec.name() => {
                    let site = spec.location();
                    match last.conflict.as_deref_mut() {
                        Some(PluginErrorKind::Duplicate(sites)) => sites.push(site),
                        _ => {
                            let sites = vec![last.spec().location(), site];
                            last.conflict = Some(Box::new(PluginErrorKind::Duplicate(sites)));
                        }
                    }
                }
                _ => {
                    let requires = spec.requires().next().is_some();
                    entries.push(IndexEntry {
                        spec,
                        conflict: None,
                        requires,
                    })
                }
            }
        }
        let ordered = order(&entries, |name| {
            entries
                .binary_search_by(|entry| entry.spec().name().cmp(name))
                .ok()
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
    #[inline]
    pub(crate) fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// Positions in [`entries`](Self::entries), in load order.
    #[inline]
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

    #[inline]
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.by_name
            .get_or_init(|| Names::of(&self.entries))
            .get(name)
    }

    /// Whether any entry has a conflict (most namespaces have none).
    pub(crate) fn has_conflicts(&self) -> bool {
        self.conflicts
    }
}
