//! An interface with load arguments and an output: its `load` and `should_load` are the default
//! lifecycle of its plugins, which one plugin overrides; what the manager returns works with
//! the usual `Result` idioms (`unwrap_err` needs `Debug` for `Arc<dyn Interface>`).
#![deny(warnings)]

use std::sync::{Arc, Mutex};

use plux::{plugin, plugin_interface, BoxError, PluginError, PluginInterface, PluginManager};

#[derive(Default)]
pub struct Cli {
    commands: Mutex<Vec<String>>,
}

#[plugin_interface(namespace = "ui.lifecycle.cli")]
pub trait CliPlugin {
    fn command(&self) -> &'static str;

    /// Every plugin attaches its command; the output is the number of commands so far.
    fn load(&mut self, cli: &Cli) -> Result<usize, BoxError> {
        let mut commands = cli.commands.lock().unwrap();
        commands.push(self.command().to_string());
        Ok(commands.len())
    }

    fn should_load(&self) -> bool {
        self.command() != "hidden"
    }
}

#[derive(Default)]
struct Run;

#[plugin(priority = 1)]
impl CliPlugin for Run {
    fn command(&self) -> &'static str {
        "run"
    }
}

#[derive(Default)]
struct Hidden;

#[plugin]
impl CliPlugin for Hidden {
    fn command(&self) -> &'static str {
        "hidden"
    }
}

/// Overrides both: always loads, and fails.
#[derive(Default)]
struct Broken;

#[plugin]
impl CliPlugin for Broken {
    fn command(&self) -> &'static str {
        "broken"
    }

    fn should_load(&self) -> bool {
        true
    }

    fn load(&mut self, _: &Cli) -> Result<usize, BoxError> {
        Err("no terminal".into())
    }
}

/// An interface whose `load` takes no arguments and returns nothing.
#[plugin_interface(namespace = "ui.lifecycle.plain")]
pub trait Plain {
    fn load(&mut self) {}
}

#[plugin(interface = Plain)]
#[derive(Default)]
struct Nothing;

impl Plain for Nothing {}

fn main() {
    assert_eq!(
        <dyn CliPlugin as PluginInterface>::NAMESPACE,
        "ui.lifecycle.cli"
    );
    let plugins = PluginManager::<dyn CliPlugin>::with_args(Cli::default());
    assert_eq!(plugins.list_names(), ["run", "broken", "hidden"]);

    let run: Arc<dyn CliPlugin> = plugins.load("run").unwrap();
    assert_eq!(run.command(), "run");
    let broken: PluginError = plugins.load("broken").unwrap_err();
    assert_eq!(broken.name(), Some("broken"));
    assert!(plugins.load("hidden").unwrap_err().is_disabled());
    let result: Result<Arc<dyn CliPlugin>, PluginError> = plugins.load("run");
    println!("{result:?}");
    assert!(plugins.try_load_all().is_err());

    let plain = PluginManager::<dyn Plain>::new();
    assert!(plain.load("nothing").is_ok());
}
