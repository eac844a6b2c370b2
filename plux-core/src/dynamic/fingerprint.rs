//! [`Fingerprint`]: what an interface or a hook point is, in terms that hold across artifacts.

use std::fmt;

/// The identity of a plugin interface (`#[plugin_interface]`) or a hook point (`#[hook_point]`)
/// that holds across separately compiled artifacts, where `TypeId` does not: the namespace, the
/// Rust name, the crate that declares it with its version, and a hash of its definition as
/// written (the trait's or the struct's tokens).
///
/// A program and a plugin library agree on an interface when their fingerprints are equal; a
/// host refuses (`LibraryError::Interface`) a library whose plugins are of another
/// version or definition of one of its interfaces. What the fingerprint does not see: the
/// definitions of other types the interface mentions (covered only by their crates being built by
/// the same rustc and plux, see the [design](crate::dynamic)).
///
/// ```
/// use plux_core::{FunctionPlugin, Plugin, Registry};
///
/// // `#[plugin_interface]` and `#[hook_point]` give their types one; other types have none.
/// assert!(<FunctionPlugin<fn()> as Plugin>::FINGERPRINT.is_none());
/// for spec in Registry::all() {
///     if let Some(fingerprint) = spec.fingerprint() {
///         println!("{spec}: {fingerprint}"); // e.g. `Greeter` of my-api 1.2.0 (definition ..)
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    namespace: &'static str,
    name: &'static str,
    crate_name: &'static str,
    crate_version: &'static str,
    definition: u64,
}

impl Fingerprint {
    /// Used by the macros.
    #[doc(hidden)]
    pub const fn __new(
        namespace: &'static str,
        name: &'static str,
        crate_name: &'static str,
        crate_version: &'static str,
        definition: u64,
    ) -> Self {
        Fingerprint {
            namespace,
            name,
            crate_name,
            crate_version,
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

    /// The crate that declares it (`CARGO_PKG_NAME`).
    pub fn crate_name(&self) -> &'static str {
        self.crate_name
    }

    /// That crate's version (`CARGO_PKG_VERSION`).
    pub fn crate_version(&self) -> &'static str {
        self.crate_version
    }

    /// A hash (64-bit FNV-1a) of the definition's tokens as written.
    pub fn definition(&self) -> u64 {
        self.definition
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` of {} {} (definition {:016x})",
            self.name, self.crate_name, self.crate_version, self.definition
        )
    }
}

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
