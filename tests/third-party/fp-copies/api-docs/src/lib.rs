//! `Greeter` of `fixtures/dynamic-api`, as another edition of its documentation wrote it: other
//! doc comments, another layout of the same tokens.

use plux::plugin_interface;

/// Says hello to someone: the program's `Greeter`, documented anew.
///
/// Any number of paragraphs.
#[plugin_interface(namespace = "fixtures.dynamic.greeters")]
pub trait Greeter {
    #[cfg(feature = "fp-farewell")]
    fn farewell(&self, who: &str) -> String {
        format!("goodbye, {who}")
    }
    /// Returns a greeting.
    ///
    /// # Examples
    /// Whatever.
    fn greet(
        &self,
        who: &str,
    ) -> String;
}
