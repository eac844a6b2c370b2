//! The link-time registry: every spec that `#[plugin]` and `plugin_spec!` placed in the build, and
//! what each `link_plugins!` linked.
//!
//! Two backends fill it, chosen by a cargo feature of plux-core (forwarded by `plux`):
//!
//! * `linkme` (default): each spec is a `static` in a linker section (a [`linkme`] distributed
//!   slice). Nothing runs before `main`.
//! * `inventory`: each spec is a `static` that a constructor, run before `main` (or by
//!   `__wasm_call_ctors` on wasm), pushes onto a lock-free list ([`inventory`]). It covers wasm and
//!   every other platform that runs constructors. When both features are on, `inventory` wins, so
//!   that one crate of a build asking for it is enough.
//!
//! The public API is the same with both. The index of a namespace is built on its first use, once,
//! and shared by every manager of it.
//!
//! The registry's symbols carry plux-core's semver-major version, so two incompatible copies of
//! plux-core in one build keep two separate registries instead of clashing.
//!
//! [`linkme`]: https://docs.rs/linkme
//! [`inventory`]: https://docs.rs/inventory

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, OnceLock, PoisonError, RwLock};

use crate::finder::{PluginFinder, SpecIndex};
use crate::logged::{self, plux_log};
use crate::process::PerProcess;
use crate::spec::linked::{namespace_hash, LinkedSpec};
use crate::spec::{Location, PluginSpec};

#[cfg(not(any(feature = "linkme", feature = "inventory")))]
compile_error!(
    "plux-core needs a registry backend: enable its `linkme` feature (the default) or `inventory`"
);

/// The linkme backend: two distributed slices.
#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
pub mod backend {
    use crate::registry::LinkRecord;
    use crate::spec::linked::LinkedSpec;

    pub use linkme;

    /// The specs.
    #[linkme::distributed_slice]
    pub static PLUX_SPECS_V0_2: [LinkedSpec];

    /// The records of `link_plugins!`.
    #[linkme::distributed_slice]
    pub static PLUX_LINKS_V0_1: [LinkRecord];

    pub(crate) const NAME: &str = "linkme";

    pub(crate) fn specs() -> impl Iterator<Item = &'static LinkedSpec> {
        PLUX_SPECS_V0_2.iter()
    }

    pub(crate) fn links() -> &'static [LinkRecord] {
        &PLUX_LINKS_V0_1
    }

    /// Places a spec in the registry; used by the macros.
    ///
    /// It calls the `macro_rules!` that `#[distributed_slice]` declared beside the slice (which
    /// puts the `static` in the slice's section on every platform linkme supports, and is how
    /// linkme's own attribute ends) rather than that attribute: the attribute is a proc-macro
    /// call per spec, which parses the `static` and adds a type-check fn for an element whose
    /// type is fixed here. Without it a crate of 1 000 `#[plugin] fn`s compiles in ~55 % of the
    /// CPU time (BENCHMARKS.md, issue 24). The macro's arms are linkme's hidden protocol (the
    /// same in 0.3.37 and 0.3.38): a linkme that changed them fails here at compile time.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit {
        ($spec:expr) => {
            const _: () = {
                $crate::__private::PLUX_SPECS_V0_2! {
                    #![linkme_macro = $crate::__private::PLUX_SPECS_V0_2]
                    static SPEC: $crate::__private::LinkedSpec = $spec;
                }
            };
        };
    }

    /// Places a link record in the registry; used by `link_plugins!`.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_link {
        ($record:expr) => {
            const _: () = {
                #[$crate::__private::linkme::distributed_slice($crate::__private::PLUX_LINKS_V0_1)]
                #[linkme(crate = $crate::__private::linkme)]
                static LINK: $crate::LinkRecord = $record;
            };
        };
    }
}

/// The inventory backend: two collections, copied into slices on first use.
#[cfg(feature = "inventory")]
#[doc(hidden)]
pub mod backend {
    use std::sync::LazyLock;

    use crate::registry::LinkRecord;
    use crate::spec::linked::LinkedSpec;

    pub use inventory;

    // A collection is keyed by its type, and each major version of plux-core has its own
    // `LinkedSpec`: two copies in one build keep two registries here too.
    inventory::collect!(LinkedSpec);
    inventory::collect!(LinkRecord);

    pub(crate) const NAME: &str = "inventory";

    // The constructors run once, before `main`: the lists are complete by the time anyone reads
    // them, and copying them out once gives `Registry::links` its slice.
    static LINKS: LazyLock<Box<[LinkRecord]>> =
        LazyLock::new(|| inventory::iter::<LinkRecord>.into_iter().copied().collect());

    pub(crate) fn specs() -> impl Iterator<Item = &'static LinkedSpec> {
        inventory::iter::<LinkedSpec>.into_iter()
    }

    pub(crate) fn links() -> &'static [LinkRecord] {
        &LINKS
    }

    /// Places a spec in the registry; used by the macros.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit {
        ($spec:expr) => {
            $crate::__private::inventory::submit! {
                $spec
            }
        };
    }

    /// Places a link record in the registry; used by `link_plugins!`.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_link {
        ($record:expr) => {
            $crate::__private::inventory::submit! {
                $record
            }
        };
    }
}

/// What one `link_plugins!` did: where it was called, and which plugin crates it linked.
///
/// [`Registry::links`] lists them; [`inspect`](crate::inspect) reports them.
#[derive(Debug, Clone, Copy)]
pub struct LinkRecord {
    site: Location,
    crates: &'static [LinkedCrate],
    no_plugins: &'static [LinkedCrate],
    unverified: Option<&'static str>,
}

/// A crate that `link_plugins!` linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedCrate {
    /// The name the code uses for it (the dependency's key in `Cargo.toml`, dashes made
    /// underscores), e.g. `my_plugins`, or `renamed` for `renamed = { package = "my-plugins" }`.
    pub name: &'static str,
    /// Its crate name, the first segment of its plugins' module paths, e.g. `my_plugins`.
    pub crate_name: &'static str,
}

impl LinkRecord {
    /// Used by `link_plugins!`.
    #[doc(hidden)]
    pub const fn __new(
        site: Location,
        crates: &'static [LinkedCrate],
        no_plugins: &'static [LinkedCrate],
        unverified: Option<&'static str>,
    ) -> Self {
        LinkRecord {
            site,
            crates,
            no_plugins,
            unverified,
        }
    }

    /// Where `link_plugins!` was called.
    pub fn site(&self) -> &Location {
        &self.site
    }

    /// The crates it linked, sorted by name.
    pub fn crates(&self) -> &'static [LinkedCrate] {
        self.crates
    }

    /// The crates it was told declare no plugins (`no_plugins = [..]`: say, a crate of
    /// interfaces), sorted by name. They are linked too, so that a crate that does declare
    /// plugins after all is seen: [`inspect::check`](crate::inspect::check) reports it, and a
    /// warning is logged.
    pub fn no_plugins(&self) -> &'static [LinkedCrate] {
        self.no_plugins
    }

    /// `None` when the macro saw the whole compilation (rustc's command line and `Cargo.lock`),
    /// so it linked every plugin crate there was. Otherwise, why it could not: then it linked
    /// only the crates it was given, and plugins of other crates may be missing.
    pub fn unverified(&self) -> Option<&'static str> {
        self.unverified
    }
}

/// The link-time registry, and the default [`PluginFinder`] of every manager.
///
/// Only crates that the program links contribute: rustc drops a dependency that no code names,
/// so an app names its plugin crates, all at once with `plux::link_plugins!()` or one by one
/// with `use my_plugins as _;`.
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

/// The registry's index of each namespace, built the first time a manager (or
/// [`Registry::specs`]) asks for that namespace, and kept for the life of the process: the
/// first manager of a namespace pays for its own specs and a scan of the slice, not for every
/// namespace of the program.
///
/// The indexes are leaked on purpose: there is one per namespace that has specs (a namespace
/// without any gets the shared empty index, and is not kept), the registry never changes, and
/// a `&'static` index lets every manager and listing borrow it without counting references.
/// Plugin libraries opened at run time do not change it: a namespace that a library adds to is
/// indexed by `dynamic::joined`, by generation, and asked there first.
///
/// A B-tree, not a hash map: a program has few namespaces, and a hash map's first use asks the
/// operating system for its random keys, a system call in every program's start.
static INDEXES: RwLock<BTreeMap<&'static str, &'static SpecIndex>> = RwLock::new(BTreeMap::new());

/// Every namespace that has specs, sorted: only for [`Registry::namespaces`], which needs all.
static NAMESPACES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut namespaces: Vec<&'static str> = Registry::all()
        .iter()
        .map(|spec| spec.namespace())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    namespaces.sort_unstable();
    namespaces
});

static EMPTY: LazyLock<SpecIndex> = LazyLock::new(SpecIndex::default);

/// Every linked spec as a [`PluginSpec`], for [`Registry::all`]: a copy of the section's
/// pointers, made only for those who ask for every spec (managers do not).
static ALL: LazyLock<Box<[PluginSpec]>> =
    LazyLock::new(|| backend::specs().map(PluginSpec::linked).collect());

/// Logs, once per process and outside any lock of ours (a logger is user code), the
/// `link_plugins!` calls that could not check their compilation.
fn warn_unverified_links_once() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.load(Ordering::Relaxed) && !WARNED.swap(true, Ordering::Relaxed) {
        warn_unverified_links();
    }
}

/// The run-time half of the forgotten-crate check: a `link_plugins!` that could not check its
/// compilation, or that was told a crate with plugins has none, says so once, the first time
/// anyone looks for plugins.
fn warn_unverified_links() {
    for warning in unverified_link_warnings()
        .into_iter()
        .chain(wrong_no_plugins_warnings())
    {
        plux_log!(Warn, "{warning}");
    }
}

/// One message for each crate that a `link_plugins!` was told declares no plugins, but does.
pub(crate) fn wrong_no_plugins_warnings() -> Vec<String> {
    wrong_no_plugins_claims()
        .map(|(link, krate, plugins)| wrong_no_plugins_message(link.site(), krate, plugins))
        .collect()
}

/// `(link, crate, how many plugins it declares)` for each wrong `no_plugins` claim.
pub(crate) fn wrong_no_plugins_claims(
) -> impl Iterator<Item = (&'static LinkRecord, &'static LinkedCrate, usize)> {
    Registry::links().iter().flat_map(|link| {
        link.no_plugins().iter().filter_map(move |krate| {
            let plugins = plugins_of_crate(krate.crate_name);
            (plugins > 0).then_some((link, krate, plugins))
        })
    })
}

/// How many linked specs crate `crate_name` declares.
pub(crate) fn plugins_of_crate(crate_name: &str) -> usize {
    Registry::all()
        .iter()
        .filter(|spec| spec.location().crate_name() == Some(crate_name))
        .count()
}

pub(crate) fn wrong_no_plugins_message(
    site: &Location,
    krate: &LinkedCrate,
    plugins: usize,
) -> String {
    format!(
        "link_plugins! at {} says `{}` declares no plugins, but it declares {plugins}: move it \
         from `no_plugins = [..]` to the list of plugin crates",
        site, krate.name
    )
}

/// Says once per process, at WARN, what to do when the namespace of an interface or a hook
/// point comes out empty in a program that has no `link_plugins!`: the usual cause is a plugin
/// crate that rustc dropped because no code names it, which otherwise shows only as an empty
/// list. A program whose logger would not show it (a CLI without one) gets it on standard error:
/// the one place such a program's user looks.
pub(crate) fn warn_if_unlinked(namespace: &str) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if !Registry::links().is_empty() {
        return;
    }
    WARNED.call_once(|| {
        let warning = unlinked_warning(namespace);
        if logged::enabled(log::Level::Warn) {
            plux_log!(Warn, "{warning}");
        } else {
            use std::io::Write;
            // Nothing to do if standard error is gone.
            let _ = writeln!(std::io::stderr(), "warning (plux): {warning}");
        }
    });
}

pub(crate) fn unlinked_warning(namespace: &str) -> String {
    format!(
        "namespace `{namespace}` has no plugins, and this program has no `plux::link_plugins!()`: \
         rustc links a plugin crate only when code names it, so plugin crates that nothing names \
         are missing. Add `plux::link_plugins!();` to the application's main crate (once for the \
         whole program)"
    )
}

/// One message for each `link_plugins!` that could not check that it linked every plugin crate.
pub(crate) fn unverified_link_warnings() -> Vec<String> {
    Registry::links()
        .iter()
        .filter_map(|link| {
            let reason = link.unverified()?;
            Some(format!(
                "link_plugins! at {} could not check that it linked every plugin crate \
                 ({reason}); plugins of crates it did not link are missing",
                link.site()
            ))
        })
        .collect()
}

impl Registry {
    /// Every spec linked into the program, in link order (which is unspecified and changes
    /// between builds). Plugin libraries' are in [`dynamic::libraries`](crate::dynamic).
    pub fn all() -> &'static [PluginSpec] {
        (process().all)()
    }

    /// The specs linked into this copy of plux-core's own binary (a plugin library's own, where
    /// [`all`](Self::all) is the program's once the library joined it).
    pub(crate) fn linked_here() -> &'static [PluginSpec] {
        &ALL
    }

    /// The linked specs of `namespace`: a scan of the section that compares each spec's shared
    /// part (its `Managed`) with the last that matched, else the hash of the namespace there, so
    /// it reads the section and the few shared parts, not the namespaces' strings.
    pub(crate) fn linked(namespace: &str) -> impl Iterator<Item = &'static LinkedSpec> + '_ {
        let hash = namespace_hash(namespace);
        let mut known = None;
        backend::specs().filter(move |spec| spec.is_of(namespace, hash, &mut known))
    }

    /// The specs of `namespace`: linked, then those of `libraries` (plugin libraries' specs).
    pub(crate) fn of_namespace(
        namespace: &str,
        libraries: impl IntoIterator<Item = &'static PluginSpec>,
    ) -> Vec<PluginSpec> {
        Registry::linked(namespace)
            .map(PluginSpec::linked)
            .chain(
                libraries
                    .into_iter()
                    .filter(|spec| spec.namespace() == namespace)
                    .cloned(),
            )
            .collect()
    }

    /// Every spec: linked, then those of the plugin libraries opened so far.
    pub(crate) fn declared() -> impl Iterator<Item = &'static PluginSpec> {
        (process().declared)().into_iter()
    }

    /// What each `link_plugins!` of the program linked, in link order.
    pub fn links() -> &'static [LinkRecord] {
        (process().links)()
    }

    /// The backend that filled the registry: `"linkme"` or `"inventory"`.
    pub fn backend() -> &'static str {
        backend::NAME
    }

    /// Every namespace that has at least one spec (linked, or of a plugin library opened so
    /// far), sorted.
    pub fn namespaces() -> &'static [&'static str] {
        (process().namespaces)()
    }

    /// The specs of `namespace`, in load order (see
    /// [`PluginManager::load_all`](crate::PluginManager::load_all)); a name declared more than
    /// once appears once.
    pub fn specs(namespace: &str) -> impl Iterator<Item = &'static PluginSpec> {
        Registry::index(namespace).specs_in_order()
    }

    /// The index of one namespace, built on its first use.
    ///
    /// A namespace without specs is not kept (any string may be asked for), so asking for one
    /// scans the slice each time.
    pub(crate) fn index(namespace: &str) -> &'static SpecIndex {
        (process().index)(namespace)
    }
}

/// What a plugin library's copy of plux-core reads instead of its own registry once it joined
/// the program's (see [`PerProcess`]), so that a manager made in library code finds the
/// program's plugins (and the library's, which the program added).
pub(crate) struct Shared {
    index: fn(&str) -> &'static SpecIndex,
    namespaces: fn() -> &'static [&'static str],
    all: fn() -> &'static [PluginSpec],
    declared: fn() -> Vec<&'static PluginSpec>,
    links: fn() -> &'static [LinkRecord],
    find: fn(&str) -> Vec<PluginSpec>,
}

/// The process's registry.
pub(crate) static REGISTRY: PerProcess<Shared> = PerProcess::new(Shared {
    index: own_index,
    namespaces: own_namespaces,
    all: Registry::linked_here,
    declared: own_declared,
    links: backend::links,
    find: own_find,
});

fn process() -> &'static Shared {
    REGISTRY.get()
}

/// Plugins that join the registry after start-up, from whatever adds them (plugin libraries):
/// the registry asks them first, without knowing where they come from.
pub(crate) struct Additions {
    /// The index of a namespace with added plugins (and its linked ones); `None` when nothing
    /// was added there.
    pub(crate) index: fn(&str) -> Option<&'static SpecIndex>,
    /// Every namespace, given the linked ones (sorted); `None` while nothing was added.
    pub(crate) namespaces: fn(&[&'static str]) -> Option<&'static [&'static str]>,
    /// Every added spec.
    pub(crate) specs: fn() -> Vec<&'static PluginSpec>,
}

static ADDITIONS: OnceLock<&'static Additions> = OnceLock::new();

/// Makes the registry ask `additions` too, from now on (the first caller's, once).
#[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
pub(crate) fn add(additions: &'static Additions) {
    let _ = ADDITIONS.set(additions);
}

fn own_namespaces() -> &'static [&'static str] {
    warn_unverified_links_once();
    if let Some(namespaces) = ADDITIONS
        .get()
        .and_then(|added| (added.namespaces)(&NAMESPACES))
    {
        return namespaces;
    }
    &NAMESPACES
}

fn own_declared() -> Vec<&'static PluginSpec> {
    Registry::linked_here()
        .iter()
        .chain(added_specs())
        .collect()
}

fn own_find(namespace: &str) -> Vec<PluginSpec> {
    Registry::of_namespace(namespace, added_specs())
}

/// The specs added after start-up (plugin libraries').
fn added_specs() -> Vec<&'static PluginSpec> {
    ADDITIONS
        .get()
        .map_or_else(Vec::new, |added| (added.specs)())
}

/// [`Registry::index`] of this copy's registry.
///
/// A namespace without specs is not kept (any string may be asked for), so asking for one
/// scans the slice each time.
fn own_index(namespace: &str) -> &'static SpecIndex {
    warn_unverified_links_once();
    if let Some(index) = ADDITIONS.get().and_then(|added| (added.index)(namespace)) {
        return index;
    }
    let read =
        |indexes: &BTreeMap<&'static str, &'static SpecIndex>| indexes.get(namespace).copied();
    if let Some(index) = read(&INDEXES.read().unwrap_or_else(PoisonError::into_inner)) {
        return index;
    }
    // Built outside the lock, so that other namespaces stay available meanwhile; two threads
    // that race on the same namespace both build it, and the first to insert wins.
    let mut linked = Registry::linked(namespace).peekable();
    let Some(key) = linked.peek().map(|spec| spec.namespace()) else {
        return &EMPTY;
    };
    let built = SpecIndex::new(linked.map(PluginSpec::linked).collect());
    let mut indexes = INDEXES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(index) = read(&indexes) {
        return index;
    }
    let index: &'static SpecIndex = Box::leak(Box::new(built));
    indexes.insert(key, index);
    index
}

impl PluginFinder for Registry {
    fn find_plugins(&self, namespace: &str) -> Vec<PluginSpec> {
        (process().find)(namespace)
    }
}
