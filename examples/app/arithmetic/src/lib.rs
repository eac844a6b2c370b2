//! Commands that count.

use app_commands::Command;
use plux::{plugin, BoxError};

#[derive(Default)]
struct Sum;

/// Adds up the numbers after it.
#[plugin]
impl Command for Sum {
    fn run(&self, words: &[String]) -> Result<String, BoxError> {
        let mut total: i64 = 0;
        for word in words {
            total += word.parse::<i64>().map_err(|e| format!("`{word}`: {e}"))?;
        }
        Ok(total.to_string())
    }
}
