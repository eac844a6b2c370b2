//! The form in which `#[plugin]` and `plugin_spec!` place a spec in the linker section.
//!
//! Every linked spec costs binary size and, in a position-independent executable, a relocation
//! for each pointer it holds, applied before `main`; and the first manager of any namespace
//! scans all of them. So a linked spec is kept to 48 bytes and three pointers:
//!
//! - what is shared by every plugin of an interface or a hook point (namespace, fingerprint)
//!   sits behind one pointer, in a [`Managed`] of the interface;
//! - name, module path and file are one string, which `concat!` builds at compile time (and
//!   which the specs of one name, module and file share);
//! - what most plugins do not have (ordering, description, `should_load`, a priority) sits
//!   behind an optional pointer, which is null, so no relocation, when there is none;
//! - the line, the column and the name's length are inline; the namespace's hash is in the
//!   `Managed`, which the specs of an interface share, so that a scan for one namespace reads
//!   the section and a few lines besides.
//!
//! [`PluginSpec`](super::PluginSpec) reads it through a pointer, without copying it.

use crate::fingerprint::Fingerprint;
use crate::spec::{FactoryFn, Location};

/// What the plugins of one interface, hook point or namespace share: their namespace (with its
/// hash) and the fingerprint of the type they are managed as.
#[doc(hidden)]
#[derive(Debug)]
pub struct Managed {
    namespace: &'static str,
    hash: u64,
    fingerprint: Option<&'static Fingerprint>,
}

impl Managed {
    /// Used by the macros and the interface traits.
    pub const fn new(namespace: &'static str, fingerprint: Option<&'static Fingerprint>) -> Self {
        Managed {
            namespace,
            hash: namespace_hash(namespace),
            fingerprint,
        }
    }
}

/// What few plugins have: ordering constraints, a description, a `should_load` check, a
/// priority other than 0.
#[doc(hidden)]
#[derive(Debug)]
pub struct Extra {
    pub(crate) after: &'static [&'static str],
    pub(crate) before: &'static [&'static str],
    pub(crate) requires: &'static [&'static str],
    pub(crate) description: Option<&'static str>,
    pub(crate) should_load: Option<fn() -> bool>,
    pub(crate) priority: i32,
}

impl Extra {
    /// Used by the macros.
    pub const fn new(
        after: &'static [&'static str],
        before: &'static [&'static str],
        requires: &'static [&'static str],
        description: Option<&'static str>,
        should_load: Option<fn() -> bool>,
        priority: i32,
    ) -> Self {
        Extra {
            after,
            before,
            requires,
            description,
            should_load,
            priority,
        }
    }
}

/// A spec in the linker section (see the module's documentation for its layout).
#[doc(hidden)]
#[derive(Debug)]
pub struct LinkedSpec {
    managed: &'static Managed,
    /// The name, then the module path and the file, each ended by a NUL but the last.
    text: &'static str,
    factory: FactoryFn,
    extra: Option<&'static Extra>,
    line: u32,
    /// Saturated at `u16::MAX`.
    column: u16,
    /// [`LONG_NAME`] for a name of that many bytes or more, which ends at the first NUL.
    name_len: u16,
}

/// The `name_len` of a name too long for the field.
const LONG_NAME: u16 = u16::MAX;

impl LinkedSpec {
    /// Used by [`__linked_spec!`](crate::__linked_spec), which builds `text` as
    /// `concat!(name, "\0", module_path!(), "\0", file!())`.
    pub const fn new(
        managed: &'static Managed,
        name_len: usize,
        text: &'static str,
        line: u32,
        column: u32,
        factory: FactoryFn,
        extra: Option<&'static Extra>,
    ) -> Self {
        LinkedSpec {
            managed,
            text,
            factory,
            extra,
            line,
            column: if column < u16::MAX as u32 {
                column as u16
            } else {
                u16::MAX
            },
            name_len: if name_len < LONG_NAME as usize {
                name_len as u16
            } else {
                LONG_NAME
            },
        }
    }

    /// Whether this spec is of `namespace`, whose [`namespace_hash`] is `hash`. `known` is the
    /// last [`Managed`] found to be of `namespace`: the plugins of an interface share theirs, so
    /// a match compares a pointer; any other spec, the hash in its `Managed` (a program has few,
    /// so they stay in cache while the section streams past).
    pub(crate) fn is_of(
        &self,
        namespace: &str,
        hash: u64,
        known: &mut Option<&'static Managed>,
    ) -> bool {
        let managed = self.managed;
        if known.is_some_and(|known| std::ptr::eq(known, managed)) {
            return true;
        }
        let of = managed.hash == hash && managed.namespace == namespace;
        if of {
            *known = Some(managed);
        }
        of
    }

    pub(crate) fn namespace(&self) -> &'static str {
        self.managed.namespace
    }

    pub(crate) fn name(&self) -> &'static str {
        match self.name_len {
            LONG_NAME => self.text.split('\0').next().unwrap_or(self.text),
            len => self.text.get(..usize::from(len)).unwrap_or(self.text),
        }
    }

    /// The first 16 bytes of the name, big-endian and zero-padded (the name's own bytes are
    /// followed in `text` by others, so a short name is one load and a mask, not a copy), and
    /// the name's length.
    #[inline]
    pub(crate) fn name_head(&self) -> (u128, usize) {
        let len = match self.name_len {
            LONG_NAME => self.name().len(),
            len => usize::from(len),
        };
        let head = match self.text.as_bytes().first_chunk::<16>() {
            Some(head) if len < 16 => u128::from_be_bytes(*head) & !(u128::MAX >> (len * 8)),
            Some(head) => u128::from_be_bytes(*head),
            None => crate::spec::bytes_at(self.name(), 0),
        };
        (head, len)
    }

    pub(crate) fn location(&self) -> Location {
        let mut parts = self.text.splitn(3, '\0').skip(1);
        let module_path = parts.next();
        Location {
            module_path,
            file: parts.next().unwrap_or(""),
            line: self.line,
            column: u32::from(self.column),
            library: None,
        }
    }

    pub(crate) fn factory(&self) -> FactoryFn {
        self.factory
    }

    pub(crate) fn priority(&self) -> i32 {
        self.extra.map_or(0, |extra| extra.priority)
    }

    pub(crate) fn extra(&self) -> Option<&'static Extra> {
        self.extra
    }

    pub(crate) fn fingerprint(&self) -> Option<&'static Fingerprint> {
        self.managed.fingerprint
    }
}

/// The hash that linked specs carry of their namespace: 64-bit FNV-1a, computed at compile
/// time for them and once per lookup for the namespace asked for.
pub(crate) const fn namespace_hash(namespace: &str) -> u64 {
    let mut bytes = namespace.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    while let [byte, rest @ ..] = bytes {
        hash = (hash ^ *byte as u64).wrapping_mul(0x0100_0000_01b3);
        bytes = rest;
    }
    hash
}

/// A [`LinkedSpec`] whose site is the macro call: used by the macros.
#[doc(hidden)]
#[macro_export]
macro_rules! __linked_spec {
    ($managed:expr, $name:literal, $factory:expr, $extra:expr $(,)?) => {
        $crate::__private::LinkedSpec::new(
            $managed,
            $name.len(),
            ::core::concat!($name, "\0", ::core::module_path!(), "\0", ::core::file!()),
            ::core::line!(),
            ::core::column!(),
            $factory,
            $extra,
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(_: crate::Product<'_>) -> Result<(), crate::BoxError> {
        Ok(())
    }

    static MANAGED: Managed = Managed::new("linked.t", None);
    static PRIORITY: Extra = Extra::new(&[], &[], &[], None, None, 3);
    static SPEC: LinkedSpec = crate::__linked_spec!(&MANAGED, "name-1", make, Some(&PRIORITY));
    const SPEC_LINE: u32 = line!() - 1;

    #[test]
    fn a_linked_spec_reads_back_what_the_macro_wrote() {
        assert_eq!(SPEC.name(), "name-1");
        assert_eq!(SPEC.namespace(), "linked.t");
        let location = SPEC.location();
        assert_eq!(location.module_path, Some(module_path!()));
        assert_eq!(location.file, file!());
        assert_eq!(location.line, SPEC_LINE);
        assert!(location.column > 1);
        assert_eq!(SPEC.priority(), 3);
        assert_eq!(SPEC.name_head(), (crate::spec::bytes_at("name-1", 0), 6));
        let mut known = None;
        assert!(!SPEC.is_of("linked.u", namespace_hash("linked.u"), &mut known));
        assert!(known.is_none());
        assert!(SPEC.is_of("linked.t", namespace_hash("linked.t"), &mut known));
        assert!(known.is_some_and(|known| std::ptr::eq(known, &MANAGED)));
        assert!(SPEC.is_of("linked.t", namespace_hash("linked.t"), &mut known));
        // Another namespace with the same hash: the namespace itself still decides.
        static OTHER: Managed = Managed {
            namespace: "linked.v",
            hash: namespace_hash("linked.t"),
            fingerprint: None,
        };
        static COLLIDING: LinkedSpec = crate::__linked_spec!(&OTHER, "name-2", make, None);
        assert!(!COLLIDING.is_of("linked.t", namespace_hash("linked.t"), &mut known));
    }

    #[test]
    fn a_name_too_long_for_its_length_field_ends_at_the_first_nul() {
        static LONG: LinkedSpec = LinkedSpec::new(
            &MANAGED,
            70_000,
            "long-name\0m\0f.rs",
            1,
            70_000,
            make,
            None,
        );
        assert_eq!(LONG.name(), "long-name");
        assert_eq!(LONG.name_head().1, "long-name".len());
        assert_eq!(LONG.location().column, u32::from(u16::MAX));
        assert_eq!(LONG.priority(), 0);
    }

    #[test]
    fn a_linked_spec_is_three_quarters_of_a_cache_line() {
        assert_eq!(std::mem::size_of::<LinkedSpec>(), 48);
    }
}
