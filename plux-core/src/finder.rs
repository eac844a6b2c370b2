//! [`PluginFinder`]: where a manager gets the specs of its namespace.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::PluginErrorKind;
use crate::name_sort::{sorted_by_name, Sorted};
use crate::order::{order, Order, Ordered};
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
///
/// One spec handle a name: a namespace's index lives as long as the program, and in a new
/// process every page of it is a page fault, so what few specs have is kept beside it.
#[derive(Debug, Default)]
pub(crate) struct SpecIndex {
    /// One spec a name, sorted by name.
    specs: Vec<PluginSpec>,
    /// Why some specs cannot load, by position in `specs`, sorted; one each.
    conflicts: Vec<(usize, PluginErrorKind)>,
    /// The positions of the specs that require other plugins, sorted: known here, a run of one
    /// that requires none neither calls into the spec nor follows its pointer to the list.
    requiring: Vec<usize>,
    /// Made on the first lookup by name: `load_all` needs none, and a namespace's first
    /// `load_all` is a large part of a program's start.
    by_name: OnceLock<Names>,
    /// `None`: name order.
    order: Option<Vec<usize>>,
}

/// The name index. Names the program links are `&'static str`s, keyed as such; names a finder
/// made are keyed by [`Name`].
#[derive(Debug)]
enum Names {
    Linked(HashMap<&'static str, usize>),
    Made(HashMap<Name, usize>),
}

impl Names {
    fn of(specs: &[PluginSpec]) -> Self {
        let linked: Option<HashMap<&'static str, usize>> = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| match spec.name_cow() {
                Cow::Borrowed(name) => Some((name, i)),
                Cow::Owned(_) => None,
            })
            .collect();
        match linked {
            Some(linked) => Names::Linked(linked),
            None => Names::Made(
                specs
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| (Name::of(spec), i))
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

/// The entries of an index, in name order: each made from the index when asked for.
#[derive(Clone, Copy)]
pub(crate) struct Entries<'a>(&'a SpecIndex);

impl<'a> Entries<'a> {
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.0.specs.len()
    }

    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.0.specs.is_empty()
    }

    /// Whether any entry has a conflict (most namespaces have none).
    #[inline]
    pub(crate) fn has_conflicts(self) -> bool {
        self.0.has_conflicts()
    }

    /// The entry at `position`.
    #[inline]
    pub(crate) fn get(self, position: usize) -> Option<IndexEntry<'a>> {
        Some(IndexEntry {
            spec: self.0.specs.get(position)?,
            index: self.0,
            position,
        })
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = IndexEntry<'a>> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

/// One name of a namespace: its spec, and why it cannot load, if it cannot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexEntry<'a> {
    spec: &'a PluginSpec,
    index: &'a SpecIndex,
    position: usize,
}

impl<'a> IndexEntry<'a> {
    #[inline]
    pub(crate) fn spec(self) -> &'a PluginSpec {
        self.spec
    }

    #[inline]
    pub(crate) fn conflict(self) -> Option<&'a PluginErrorKind> {
        self.index.conflict(self.position)
    }

    /// Whether the spec requires other plugins.
    #[inline]
    pub(crate) fn requires(self) -> bool {
        let requiring = &self.index.requiring;
        !requiring.is_empty() && requiring.binary_search(&self.position).is_ok()
    }
}

/// The names found more than once: their specs are neighbours in name order; the first of each
/// name is kept, and its conflict lists every site. Returns the positions in name order of the
/// others, and the conflicts by position once those are dropped.
fn duplicates(
    specs: &[PluginSpec],
    sorted: &Sorted,
) -> (Vec<usize>, Vec<(usize, PluginErrorKind)>) {
    let mut dropped: Vec<usize> = Vec::new();
    let mut conflicts = Vec::new();
    for k in (1..specs.len()).filter(|&k| sorted.tied(k - 1)) {
        let (Some(first), Some(again)) = (
            sorted.position(k - 1).and_then(|i| specs.get(i)),
            sorted.position(k).and_then(|i| specs.get(i)),
        ) else {
            continue;
        };
        if first.name() != again.name() {
            continue;
        }
        match conflicts.last_mut() {
            Some((_, PluginErrorKind::Duplicate(sites))) if dropped.last() == Some(&(k - 1)) => {
                sites.push(again.location())
            }
            _ => {
                let sites = vec![first.location(), again.location()];
                conflicts.push((k - 1 - dropped.len(), PluginErrorKind::Duplicate(sites)));
            }
        }
        dropped.push(k);
    }
    (dropped, conflicts)
}

impl SpecIndex {
    /// The index of `specs`, all of one namespace.
    pub(crate) fn new(mut specs: Vec<PluginSpec>) -> Self {
        let sorted = sorted_by_name(&specs);
        let (dropped, mut conflicts) = duplicates(&specs, &sorted);
        sorted.apply(&mut specs);
        if !dropped.is_empty() {
            let mut dropped = dropped.into_iter().peekable();
            let mut k = 0;
            specs.retain(|_| {
                let keep = dropped.next_if_eq(&k).is_none();
                k += 1;
                keep
            });
        }
        // Requirements, constraints and priorities are extras, which most linked specs lack:
        // a namespace of such specs is in name order as it stands.
        let (requiring, ordered) = if specs.iter().any(PluginSpec::may_have_extras) {
            let requiring = specs
                .iter()
                .enumerate()
                .filter(|(_, spec)| spec.requires().next().is_some())
                .map(|(i, _)| i)
                .collect();
            let ordered = order(&specs, |name| {
                specs.binary_search_by(|spec| spec.name().cmp(name)).ok()
            });
            (requiring, ordered)
        } else {
            (Vec::new(), Ordered::by_name())
        };
        if !ordered.conflicts.is_empty() {
            // A duplicate's conflict, which comes first, is the one its name keeps.
            conflicts.extend(ordered.conflicts);
            conflicts.sort_by_key(|&(i, _)| i);
            conflicts.dedup_by_key(|&mut (i, _)| i);
        }
        SpecIndex {
            specs,
            conflicts,
            requiring,
            by_name: OnceLock::new(),
            order: ordered.order,
        }
    }

    /// The entries, in name order.
    #[inline]
    pub(crate) fn entries(&self) -> Entries<'_> {
        Entries(self)
    }

    /// The specs, in name order.
    #[inline]
    pub(crate) fn specs(&self) -> &[PluginSpec] {
        &self.specs
    }

    #[inline]
    fn conflict(&self, position: usize) -> Option<&PluginErrorKind> {
        if self.conflicts.is_empty() {
            return None;
        }
        let found = self.conflicts.binary_search_by_key(&position, |&(i, _)| i);
        Some(&self.conflicts.get(found.ok()?)?.1)
    }

    /// Positions in name order, in load order.
    #[inline]
    pub(crate) fn order(&self) -> Order<'_> {
        match &self.order {
            None => Order::ByName(self.specs.len()),
            Some(order) => Order::Given(order),
        }
    }

    /// Every spec, in load order.
    pub(crate) fn specs_in_order(&self) -> impl Iterator<Item = &PluginSpec> {
        self.order().into_iter().filter_map(|i| self.specs.get(i))
    }

    #[inline]
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.by_name
            .get_or_init(|| Names::of(&self.specs))
            .get(name)
    }

    /// Whether any entry has a conflict (most namespaces have none).
    pub(crate) fn has_conflicts(&self) -> bool {
        !self.conflicts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FunctionPlugin;

    fn hook() {}

    #[track_caller]
    fn spec(name: &str) -> PluginSpec {
        PluginSpec::new("finder.t", name.to_owned(), || {
            Ok(Box::new(FunctionPlugin::new(hook as fn())))
        })
        .expect("a valid name")
    }

    fn names(index: &SpecIndex) -> Vec<&str> {
        index.specs().iter().map(PluginSpec::name).collect()
    }

    #[test]
    fn the_index_keeps_one_spec_a_name_in_name_order_and_every_site_of_a_duplicate() {
        // Enough names for the radix sort, in a scrambled order, with a name thrice and one twice.
        let mut specs: Vec<PluginSpec> = (0..100)
            .map(|i| spec(&format!("n-{:03}", (i * 37) % 100)))
            .collect();
        specs.insert(10, spec("n-042"));
        specs.push(spec("n-042"));
        specs.insert(0, spec("n-007"));
        let index = SpecIndex::new(specs);

        let expected: Vec<String> = (0..100).map(|i| format!("n-{i:03}")).collect();
        assert_eq!(names(&index), expected);
        assert!(matches!(index.order(), Order::ByName(100)));
        let entries = index.entries();
        let sites = |name: &str| match entries.get(index.position(name)?)?.conflict() {
            Some(PluginErrorKind::Duplicate(sites)) => Some(sites.len()),
            _ => None,
        };
        assert_eq!(sites("n-042"), Some(3));
        assert_eq!(sites("n-007"), Some(2));
        let conflicted: Vec<&str> = entries
            .iter()
            .filter(|entry| entry.conflict().is_some())
            .map(|entry| entry.spec().name())
            .collect();
        assert_eq!(conflicted, ["n-007", "n-042"]);
    }

    #[test]
    fn a_duplicate_keeps_its_conflict_over_an_ordering_one_and_requirements_are_found() {
        let specs = vec![
            spec("c").with_requires(["a"]).expect("valid"),
            spec("b").with_after(["nobody"]).expect("valid"),
            spec("a"),
            spec("b"),
        ];
        let index = SpecIndex::new(specs);
        assert_eq!(names(&index), ["a", "b", "c"]);
        let entries = index.entries();
        let entry = |i| entries.get(i).expect("an entry");
        assert!(matches!(
            entry(1).conflict(),
            Some(PluginErrorKind::Duplicate(_))
        ));
        assert!(entry(0).conflict().is_none() && entry(2).conflict().is_none());
        assert_eq!(
            (
                entry(0).requires(),
                entry(1).requires(),
                entry(2).requires()
            ),
            (false, false, true)
        );
    }
}
