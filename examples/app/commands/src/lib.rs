//! The app's plugin interface: a command, found by name and run with the words that follow it.

use plux::{plugin_interface, BoxError};

/// A command of the app: `app run <name> <words..>`.
#[plugin_interface(namespace = "app.commands")]
pub trait Command {
    /// Runs the command with the words after its name; returns what to print.
    fn run(&self, words: &[String]) -> Result<String, BoxError>;
}
