//! The link-time registry: every spec that `#[plugin]` and `plugin_spec!` placed in the build.
//!
//! Registration is a static in a linker section (a [`linkme`] distributed slice): nothing runs
//! before `main`. The namespace index is built on first use, once, and shared by every manager.
//!
//! The slice's symbol carries plux-core's semver-major version, so two incompatible copies of
//! plux-core in one build keep two separate registries instead of clashing at link time.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use crate::finder::{PluginFinder, SpecIndex};
use crate::spec::PluginSpec;

#[doc(hidden)]
#[linkme::distributed_slice]
pub static PLUX_SPECS_V0_1: [PluginSpec];

/// Places a spec in the registry; used by the macros.
#[doc(hidden)]
#[macro_export]
macro_rules! __submit {
    ($spec:expr) => {
        const _: () = {
            #[$crate::__private::linkme::distributed_slice($crate::__private::PLUX_SPECS_V0_1)]
            #[linkme(crate = $crate::__private::linkme)]
            static SPEC: $crate::PluginSpec = $spec;
        };
    };
}

/// The link-time registry, and the default [`PluginFinder`] of every manager.
///
/// Only crates that the program links contribute: rustc drops a dependency that no code names,
/// so an app names each plugin crate it depends on (`use my_plugins as _;`).
///
/// ```
/// use plux_core::Registry;
///
/// for namespace in Registry::namespaces() {
///     for spec in Registry::specs(namespace) {
///         println!("{namespace}/{} declared in {}", spec.name(), spec.location());
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Registry;

struct RegistryIndex {
    namespaces: Vec<&'static str>,
    by_namespace: HashMap<&'static str, Arc<SpecIndex>>,
}

static INDEX: LazyLock<RegistryIndex> = LazyLock::new(|| {
    let mut grouped: HashMap<&'static str, Vec<PluginSpec>> = HashMap::new();
    for spec in Registry::all() {
        grouped
            .entry(spec.namespace())
            .or_default()
            .push(spec.clone());
    }
    let mut namespaces: Vec<&'static str> = grouped.keys().copied().collect();
    namespaces.sort_unstable();
    let by_namespace = grouped
        .into_iter()
        .map(|(namespace, specs)| (namespace, Arc::new(SpecIndex::build(specs))))
        .collect();
    RegistryIndex {
        namespaces,
        by_namespace,
    }
});

static EMPTY: LazyLock<Arc<SpecIndex>> = LazyLock::new(Arc::default);

impl Registry {
    /// Every registered spec, in link order (which is unspecified and changes between builds).
    pub fn all() -> &'static [PluginSpec] {
        &PLUX_SPECS_V0_1
    }

    /// Every namespace that has at least one spec, sorted.
    pub fn namespaces() -> &'static [&'static str] {
        &INDEX.namespaces
    }

    /// The specs of `namespace`, in load order (see
    /// [`PluginManager::load_all`](crate::PluginManager::load_all)); a name declared more than
    /// once appears once.
    pub fn specs(namespace: &str) -> impl Iterator<Item = &'static PluginSpec> {
        let index: &'static SpecIndex = INDEX
            .by_namespace
            .get(namespace)
            .map_or(&**EMPTY, |index| &**index);
        let entries = index.entries();
        index
            .order()
            .iter()
            .filter_map(move |&i| entries.get(i))
            .map(|entry| &entry.spec)
    }

    /// The shared, sorted index of one namespace.
    pub(crate) fn index(namespace: &str) -> Arc<SpecIndex> {
        INDEX.by_namespace.get(namespace).unwrap_or(&EMPTY).clone()
    }
}

impl PluginFinder for Registry {
    fn find_plugins(&self, namespace: &str) -> Vec<PluginSpec> {
        Registry::all()
            .iter()
            .filter(|spec| spec.namespace() == namespace)
            .cloned()
            .collect()
    }
}
