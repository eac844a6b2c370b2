//! [`Fingerprint`]: what an interface or a hook point is, in terms that hold across artifacts.

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::mem;
use std::sync::Arc;

/// The identity of a plugin interface (`#[plugin_interface]`) or a hook point (`#[hook_point]`)
/// that holds across separately compiled artifacts, where `TypeId` does not.
///
/// It holds the namespace, the Rust name, the crate that declares it with its version and the
/// cargo features that crate was compiled with, the source fingerprint of the plux-macros that
/// expanded it, and a hash of its definition **as the compiler sees it**: the trait's methods
/// (the hook point's field) that remain after `#[cfg]` evaluation, in order, with their
/// signatures, and the size and alignment of every type in those signatures that can be computed
/// in a `const` (a type that names `Self` or a generic parameter cannot, nor can an unsized one:
/// `str`, a slice, `dyn Trait`). Doc comments and formatting are not part of it.
///
/// Two fingerprints are equal (`==`) when they describe the same interface: everything above but
/// the crate's version, which is informative. A host refuses (`LibraryError::Interface`) a
/// library whose plugins are of another definition of one of its interfaces. What the
/// fingerprint does not see, see the [design](crate::dynamic).
///
/// ```
/// use plux_core::{FunctionPlugin, Plugin, Registry};
///
/// // `#[plugin_interface]` and `#[hook_point]` give their types one; other types have none.
/// assert!(<FunctionPlugin<fn()> as Plugin>::FINGERPRINT.is_none());
/// for spec in Registry::all() {
///     if let Some(fingerprint) = spec.fingerprint() {
///         // e.g. `interface `Greeter` of my-api 1.2.0 (features: std; definition 0123..)`
///         println!("{spec}: {fingerprint}");
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint {
    namespace: &'static str,
    name: &'static str,
    hook_point: bool,
    crate_name: &'static str,
    crate_version: &'static str,
    features: &'static str,
    plux_macros: &'static str,
    definition: u64,
}

impl Fingerprint {
    /// Used by the macros.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        namespace: &'static str,
        name: &'static str,
        hook_point: bool,
        crate_name: &'static str,
        crate_version: &'static str,
        features: &'static str,
        plux_macros: &'static str,
        definition: u64,
    ) -> Self {
        Fingerprint {
            namespace,
            name,
            hook_point,
            crate_name,
            crate_version,
            features,
            plux_macros,
            definition,
        }
    }

    /// The namespace of the interface's plugins.
    pub fn namespace(&self) -> &'static str {
        self.namespace
    }

    /// The trait's or the struct's name, e.g. `Greeter`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether it is a hook point's (`#[hook_point]`) rather than an interface's.
    pub fn is_hook_point(&self) -> bool {
        self.hook_point
    }

    /// `"interface"` or `"hook point"`.
    pub fn kind(&self) -> &'static str {
        if self.hook_point {
            "hook point"
        } else {
            "interface"
        }
    }

    /// The crate that declares it (`CARGO_PKG_NAME`).
    pub fn crate_name(&self) -> &'static str {
        self.crate_name
    }

    /// That crate's version (`CARGO_PKG_VERSION`): informative, not compared (a version bump
    /// that leaves the definition as it was changes nothing that crosses).
    pub fn crate_version(&self) -> &'static str {
        self.crate_version
    }

    /// The cargo features that crate was compiled with, sorted, e.g. `["serde", "std"]`.
    pub fn features(&self) -> impl Iterator<Item = &'static str> {
        self.features
            .split(',')
            .filter(|feature| !feature.is_empty())
    }

    /// The source fingerprint of the plux-macros that expanded it (by plux-macros' build
    /// script): the macros lay out part of what crosses, such as the methods they add to an
    /// interface's vtable.
    pub fn plux_macros(&self) -> &'static str {
        self.plux_macros
    }

    /// A 64-bit FNV-1a hash of the definition as the compiler sees it (see above), computed by
    /// the compiler in a `const` of the declaring crate.
    pub fn definition(&self) -> u64 {
        self.definition
    }

    /// The parts other than the version, which `==` compares.
    fn key(&self) -> (&str, &str, bool, &str, &str, &str, u64) {
        (
            self.namespace,
            self.name,
            self.hook_point,
            self.crate_name,
            self.features,
            self.plux_macros,
            self.definition,
        )
    }
}

impl Fingerprint {
    /// What `==` compares, as text (no version): how a program's requirements write an
    /// interface for a library's author to check a build against (see `dynamic::Requirements`).
    #[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
    pub(crate) fn identity(&self) -> String {
        let features = if self.features.is_empty() {
            "no features".to_owned()
        } else {
            format!("features: {}", self.features.replace(',', ", "))
        };
        format!(
            "{} `{}` of {} ({features}; plux-macros {}; definition {:016x})",
            self.kind(),
            self.name,
            self.crate_name,
            self.plux_macros,
            self.definition
        )
    }
}

impl PartialEq for Fingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Fingerprint {}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` of {} {} (",
            self.kind(),
            self.name,
            self.crate_name,
            self.crate_version
        )?;
        if self.features.is_empty() {
            f.write_str("no features")?;
        } else {
            write!(f, "features: {}", self.features.replace(',', ", "))?;
        }
        write!(f, "; definition {:016x})", self.definition)
    }
}

/// The definition hash of an interface or a hook point, computed by the compiler in a `const`
/// of the declaring crate: the macros emit one step per trait item (struct field), each under
/// that item's own `#[cfg]` attributes, so that what counts is what the compiler kept.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Definition(u64);

impl Definition {
    /// Starts from the hash of the item's header (its name, bounds, attributes but docs).
    pub const fn new(header: u64) -> Self {
        Definition(header)
    }

    /// Adds a hash of a trait item's (a field's) tokens, or any other word.
    pub const fn with(self, word: u64) -> Self {
        let mut hash = self.0;
        let mut shift = 0;
        while shift < 64 {
            hash = (hash ^ ((word >> shift) & 0xff)).wrapping_mul(0x0100_0000_01b3);
            shift += 8;
        }
        Definition(hash)
    }

    /// Adds a type's `(size, align)` ([`LayoutOf`]).
    pub const fn layout(self, layout: (usize, usize)) -> Self {
        self.with(layout.0 as u64).with(layout.1 as u64)
    }

    /// The hash.
    pub const fn get(self) -> u64 {
        self.0
    }
}

/// `LayoutOf::<T>::LAYOUT`: `T`'s size and alignment when `T` is sized (this inherent constant),
/// a fixed marker when it is not ([`UnsizedLayout`]'s, which path resolution falls back to).
#[doc(hidden)]
pub struct LayoutOf<T: ?Sized>(PhantomData<T>);

impl<T> LayoutOf<T> {
    /// `(size_of::<T>(), align_of::<T>())`.
    pub const LAYOUT: (usize, usize) = (mem::size_of::<T>(), mem::align_of::<T>());
}

/// The layout of an unsized type, whose size no `const` knows: see [`LayoutOf`].
#[doc(hidden)]
pub trait UnsizedLayout {
    /// A marker no sized type has.
    const LAYOUT: (usize, usize) = (usize::MAX, 0);
}

impl<T: ?Sized> UnsizedLayout for LayoutOf<T> {}

/// The interfaces and hook points of this artifact, whichever the registry backend: what a host
/// checks a library's plugins against.
#[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
pub(crate) fn interfaces() -> &'static [Fingerprint] {
    backend::interfaces()
}

#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
pub mod backend {
    use super::Fingerprint;

    /// The fingerprints of `#[plugin_interface]` and `#[hook_point]`.
    #[linkme::distributed_slice]
    pub static PLUX_INTERFACES_V0_1: [Fingerprint];

    #[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
    pub(crate) fn interfaces() -> &'static [Fingerprint] {
        &PLUX_INTERFACES_V0_1
    }

    /// Places a fingerprint in the registry of interfaces; used by the macros.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_interface {
        ($fingerprint:expr) => {
            const _: () = {
                #[$crate::__private::linkme::distributed_slice(
                    $crate::__private::PLUX_INTERFACES_V0_1
                )]
                #[linkme(crate = $crate::__private::linkme)]
                static INTERFACE: $crate::dynamic::Fingerprint = $fingerprint;
            };
        };
    }
}

#[cfg(feature = "inventory")]
#[doc(hidden)]
pub mod backend {
    use std::sync::LazyLock;

    use super::Fingerprint;

    inventory::collect!(Fingerprint);

    static INTERFACES: LazyLock<Box<[Fingerprint]>> = LazyLock::new(|| {
        inventory::iter::<Fingerprint>
            .into_iter()
            .copied()
            .collect()
    });

    #[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
    pub(crate) fn interfaces() -> &'static [Fingerprint] {
        &INTERFACES
    }

    /// Places a fingerprint in the registry of interfaces; used by the macros.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_interface {
        ($fingerprint:expr) => {
            $crate::__private::inventory::submit! {
                $fingerprint
            }
        };
    }
}

/// Puts `plugin` into `slot`, the `Option<Arc<T>>` of a manager whose `T` has `P`'s fingerprint
/// ([`Product::wants`](crate::Product) checked it) but is another copy of plux's type: a library's
/// plugin for a program's manager, or a program's plugin for a manager made in a library's code.
pub(crate) fn put_across<P: ?Sized>(slot: &mut dyn Any, plugin: Arc<P>) {
    let slot: *mut Option<Arc<P>> = std::ptr::from_mut(slot).cast();
    // SAFETY: `slot` is the manager's `Option<Arc<T>>` (`PluginSpec::create`), borrowed mutably
    // for this call. `P` and `T` have equal fingerprints: the same interface or hook point,
    // declared by the same crate with the same definition as the compiler saw it (methods after
    // `cfg`, signatures, the layout of their types, the crate's features), expanded by the same
    // plux-macros; and the library passed the checks of `open` (same rustc, target, panic
    // strategy, plux source), so `Option<Arc<P>>` and `Option<Arc<T>>` have the same layout and
    // `dyn` vtable layout. What the fingerprint cannot see is the caller's promise of `open`'s
    // `# Safety`. The `Arc` was allocated with the program's allocator (a library allocates with
    // it), and a library is never unloaded, so the vtable and code stay valid. The old value is
    // `None`, so the assignment drops nothing.
    unsafe { *slot = Some(plugin) };
}
