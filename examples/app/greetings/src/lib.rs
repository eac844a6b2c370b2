//! Commands that greet.

use app_commands::Command;
use plux::{plugin, BoxError};

#[derive(Default)]
struct Greet;

/// Greets everyone named after it.
#[plugin]
impl Command for Greet {
    fn run(&self, words: &[String]) -> Result<String, BoxError> {
        match words {
            [] => Err("whom? `greet <name>..`".into()),
            names => Ok(format!("hello, {}", names.join(" and "))),
        }
    }
}

/// Says goodbye.
#[derive(Default)]
#[plugin(interface = dyn Command, name = "bye")]
struct Farewell;

impl Command for Farewell {
    fn run(&self, _: &[String]) -> Result<String, BoxError> {
        Ok("goodbye".to_owned())
    }
}
