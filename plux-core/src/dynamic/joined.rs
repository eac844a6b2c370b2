//! The plugins of opened libraries, joined to the link-time registry.
//!
//! The link-time registry is fixed when the program starts; libraries add to it later. Each
//! addition bumps a generation: indexes of namespaces that libraries touched are rebuilt from
//! both sources the first time they are asked for in a new generation, and a manager compares
//! the generation it resolved at with the current one in
//! [`refresh`](crate::PluginManager::refresh).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, PoisonError, RwLock};

use crate::finder::SpecIndex;
use crate::registry::{self, Additions, Registry};
use crate::spec::PluginSpec;

#[derive(Default)]
struct Joined {
    /// Every spec of every library, in the order they were opened.
    specs: Vec<&'static PluginSpec>,
    /// The namespaces those specs are in.
    namespaces: BTreeSet<&'static str>,
    /// Indexes of those namespaces (linked and library specs), with the generation they were
    /// built at. Each is kept for the life of the process (managers and listings borrow it),
    /// like the libraries: one per namespace per library that adds to it.
    indexes: HashMap<&'static str, (u64, &'static SpecIndex)>,
    /// Every namespace, linked and library, sorted, with its generation.
    all_namespaces: Option<(u64, &'static [&'static str])>,
}

static JOINED: LazyLock<RwLock<Joined>> = LazyLock::new(RwLock::default);

/// How the registry reaches the libraries' plugins.
static ADDITIONS: Additions = Additions {
    index,
    namespaces,
    specs,
};

/// Bumped by every library that adds plugins; 0 until then.
static GENERATION: AtomicU64 = AtomicU64::new(0);

fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Adds a library's specs, kept for the life of the process, and starts a new generation.
pub(crate) fn add(specs: Vec<PluginSpec>) -> Vec<&'static PluginSpec> {
    let specs: Vec<&'static PluginSpec> = specs
        .into_iter()
        .map(|spec| &*Box::leak(Box::new(spec)))
        .collect();
    let mut joined = JOINED.write().unwrap_or_else(PoisonError::into_inner);
    for spec in &specs {
        if !joined.namespaces.contains(spec.namespace()) {
            joined.namespaces.insert(leak_str(spec.namespace()));
        }
    }
    joined.specs.extend(&specs);
    // Under the lock: a reader that sees the new generation finds the new specs.
    GENERATION.fetch_add(1, Ordering::AcqRel);
    drop(joined);
    registry::add(&ADDITIONS);
    specs
}

/// A library spec's namespace is a `Cow`: borrowed from the library's static memory, which
/// stays mapped, but its type does not say so.
fn leak_str(s: &str) -> &'static str {
    Box::leak(s.into())
}

/// Every spec of every library opened so far.
pub(crate) fn specs() -> Vec<&'static PluginSpec> {
    if generation() == 0 {
        return Vec::new();
    }
    JOINED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .specs
        .clone()
}

/// The index of `namespace` with its library plugins; `None` when no library has any there.
fn index(namespace: &str) -> Option<&'static SpecIndex> {
    if generation() == 0 {
        return None;
    }
    let current = generation();
    {
        let joined = JOINED.read().unwrap_or_else(PoisonError::into_inner);
        if !joined.namespaces.contains(namespace) {
            return None;
        }
        if let Some(&(built, index)) = joined.indexes.get(namespace) {
            if built == current {
                return Some(index);
            }
        }
    }
    let mut joined = JOINED.write().unwrap_or_else(PoisonError::into_inner);
    let current = generation();
    let namespace = *joined.namespaces.get(namespace)?;
    if let Some(&(built, index)) = joined.indexes.get(namespace) {
        if built == current {
            return Some(index);
        }
    }
    // Plux code only under the lock: building an index runs nothing of a plugin's.
    let specs = Registry::of_namespace(namespace, joined.specs.iter().copied());
    let index: &'static SpecIndex = Box::leak(Box::new(SpecIndex::new(specs)));
    joined.indexes.insert(namespace, (current, index));
    Some(index)
}

/// Every namespace, linked (`linked`, sorted) and of libraries, sorted; `None` while no library
/// has added any.
fn namespaces(linked: &[&'static str]) -> Option<&'static [&'static str]> {
    let current = generation();
    if current == 0 {
        return None;
    }
    let mut joined = JOINED.write().unwrap_or_else(PoisonError::into_inner);
    if let Some((built, all)) = joined.all_namespaces {
        if built == current {
            return Some(all);
        }
    }
    let all: BTreeSet<&'static str> = linked
        .iter()
        .copied()
        .chain(joined.namespaces.iter().copied())
        .collect();
    let all: &'static [&'static str] = Box::leak(all.into_iter().collect());
    joined.all_namespaces = Some((current, all));
    Some(all)
}
