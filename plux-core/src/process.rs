//! [`PerProcess`]: a value of which a process has one, however many copies of plux it holds.

use std::sync::OnceLock;

/// A value of which the process has one, even when plugin libraries bring copies of plux-core of
/// their own: this copy's, until the copy [`join`](Self::join)s the program's (a plugin
/// library's copy, when the program opens the library), and the program's from then on.
///
/// Sound to share between copies because a library joins only after its header shows the same
/// rustc, target and plux source: `T` has the same layout on both sides.
pub(crate) struct PerProcess<T: 'static> {
    own: T,
    joined: OnceLock<&'static T>,
}

impl<T: Sync + 'static> PerProcess<T> {
    pub(crate) const fn new(own: T) -> Self {
        PerProcess {
            own,
            joined: OnceLock::new(),
        }
    }

    /// The process's value: the program's once joined, else this copy's.
    #[inline]
    pub(crate) fn get(&'static self) -> &'static T {
        match self.joined.get() {
            Some(program) => program,
            None => &self.own,
        }
    }

    /// This copy's own value, for another copy to join.
    #[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
    pub(crate) fn own(&'static self) -> &'static T {
        &self.own
    }

    /// Whether this copy joined another's.
    #[inline]
    pub(crate) fn is_joined(&self) -> bool {
        self.joined.get().is_some()
    }

    /// Makes [`get`](Self::get) return `program`'s value, for good (a library joins one program,
    /// once); joining itself changes nothing.
    pub(crate) fn join(&'static self, program: &'static T) {
        if !std::ptr::eq(program, &self.own) {
            let _ = self.joined.set(program);
        }
    }
}
