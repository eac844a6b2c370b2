//! "One class per plugin", the first scenario of plux's README: every CLI plugin is its own type,
//! found through the interface it implements, and its `load` attaches commands to a `Cli` that
//! the manager hands to every plugin (the seed's `load(self, cli): self.attach(cli)`).
//!
//! Run it with `cargo run --example cli`; set `PRO_LICENSE` to anything to enable the `pro` plugin.
//!
//! What it shows:
//! - an interface trait, `CliPlugin`, that owns the namespace `my.plugins.cli`;
//! - plugins registered by `#[plugin]` on the struct (`interface = CliPlugin`) or on
//!   `impl CliPlugin for ...`, with a given name (`my`, `pro`, `shadow`) or one derived from the
//!   type (`StatusCli` → `status_cli`);
//! - `pro` disabled by its `should_load`, `shadow` failing in `load`, and the others unaffected;
//! - `PluginManager::<dyn CliPlugin>` with the cli as load arguments and a listener.

mod common;

use std::sync::{Arc, Mutex, PoisonError};

use plux::{plugin, plugin_interface, BoxError, PluginInterface, PluginManager};

use common::{describe, Printer};

/// A command of the CLI: its name, a help line, and what it does with its arguments.
struct Command {
    name: &'static str,
    help: &'static str,
    run: fn(&[&str]) -> String,
}

/// The application's command line, which plugins extend.
#[derive(Default)]
pub struct Cli {
    commands: Mutex<Vec<Command>>,
}

impl Cli {
    /// Attaches `commands`, all or none: a plugin that clashes with another leaves no half of
    /// itself behind. Returns the names attached.
    fn attach(&self, commands: Vec<Command>) -> Result<Vec<&'static str>, BoxError> {
        let mut attached = self.commands.lock().unwrap_or_else(PoisonError::into_inner);
        for command in &commands {
            if attached.iter().any(|c| c.name == command.name) {
                return Err(format!("command `{}` is already attached", command.name).into());
            }
        }
        let names = commands.iter().map(|c| c.name).collect();
        attached.extend(commands);
        Ok(names)
    }

    /// One line per command, sorted by name.
    fn help(&self) -> Vec<String> {
        let commands = self.commands.lock().unwrap_or_else(PoisonError::into_inner);
        let mut lines: Vec<String> = commands
            .iter()
            .map(|c| format!("{:<8} {}", c.name, c.help))
            .collect();
        lines.sort();
        lines
    }

    /// Runs `argv[0]` with the rest of `argv`.
    fn run(&self, argv: &[&str]) -> Result<String, String> {
        let (name, args) = argv.split_first().ok_or("no command given")?;
        let commands = self.commands.lock().unwrap_or_else(PoisonError::into_inner);
        let command = commands
            .iter()
            .find(|c| c.name == *name)
            .ok_or_else(|| format!("unknown command `{name}`"))?;
        Ok((command.run)(args))
    }
}

/// The interface of CLI plugins: the counterpart of the seed's abstract `CliPlugin` class, whose
/// `load(self, cli)` calls `self.attach(cli)` for every plugin.
///
/// `load` is written once, here: it gets the shared cli (the manager's load arguments) and
/// returns the names of the commands attached (kept beside the plugin). A plugin writes only its
/// `attach`, and may override `load` or `should_load`.
#[plugin_interface(namespace = "my.plugins.cli")]
pub trait CliPlugin {
    /// Attaches this plugin's commands to `cli`.
    fn attach(&self, cli: &Cli) -> Result<Vec<&'static str>, BoxError>;

    /// Every CLI plugin attaches its commands when it is loaded.
    fn load(&mut self, cli: &Arc<Cli>) -> Result<Vec<&'static str>, BoxError> {
        self.attach(cli)
    }
}

/// The seed's `MyCliPlugin` (`name = "my"`), registered by `#[plugin]` on the struct.
#[plugin(interface = CliPlugin, name = "my")]
#[derive(Default)]
pub struct MyCliPlugin;

impl CliPlugin for MyCliPlugin {
    fn attach(&self, cli: &Cli) -> Result<Vec<&'static str>, BoxError> {
        cli.attach(vec![Command {
            name: "hello",
            help: "greets whoever is named (hello [NAME])",
            run: |args| format!("hello, {}!", args.first().unwrap_or(&"world")),
        }])
    }
}

/// Registered by `#[plugin]` on its interface impl; no name given, so it is `status_cli`.
#[derive(Default)]
pub struct StatusCli;

#[plugin]
impl CliPlugin for StatusCli {
    fn attach(&self, cli: &Cli) -> Result<Vec<&'static str>, BoxError> {
        cli.attach(vec![
            Command {
                name: "status",
                help: "shows whether the services run",
                run: |_| "all services running".to_owned(),
            },
            Command {
                name: "version",
                help: "prints the version",
                run: |_| format!("plux example {}", env!("CARGO_PKG_VERSION")),
            },
        ])
    }
}

/// Licensed commands: disabled by its own `should_load` unless `PRO_LICENSE` is set. Disabled is
/// an outcome, not an error; its factory ran, its `load` does not.
#[derive(Default)]
pub struct ProCliPlugin;

#[plugin(name = "pro")]
impl CliPlugin for ProCliPlugin {
    fn should_load(&self) -> bool {
        std::env::var_os("PRO_LICENSE").is_some()
    }

    fn attach(&self, cli: &Cli) -> Result<Vec<&'static str>, BoxError> {
        cli.attach(vec![Command {
            name: "license",
            help: "shows the license",
            run: |_| "licensed".to_owned(),
        }])
    }
}

/// A plugin that wants `hello` too. No plugin here sets a priority, so they load in name order:
/// `my` has taken `hello` already and this `load` fails; the manager records the failure and goes
/// on with the next plugin.
#[plugin(interface = CliPlugin, name = "shadow")]
#[derive(Default)]
pub struct ShadowCliPlugin;

impl CliPlugin for ShadowCliPlugin {
    fn attach(&self, cli: &Cli) -> Result<Vec<&'static str>, BoxError> {
        cli.attach(vec![
            Command {
                name: "goodbye",
                help: "says goodbye",
                run: |_| "goodbye!".to_owned(),
            },
            Command {
                name: "hello",
                help: "greets, differently",
                run: |_| "hi".to_owned(),
            },
        ])
    }
}

fn main() {
    println!(
        "plux example: one type per plugin (namespace {})\n",
        <dyn CliPlugin>::NAMESPACE
    );

    // The manager hands the same cli to every plugin's `load`; we keep a handle to use it after.
    let cli = Arc::new(Cli::default());
    let manager = PluginManager::<dyn CliPlugin>::with_args(Arc::clone(&cli)).listener(Printer);

    println!("load_all():");
    let plugins = manager.load_all();
    println!("  {} plugins loaded\n", plugins.len());

    println!("plugin states:");
    for (spec, state) in manager.states() {
        println!("  {:<10} {}", spec.name(), describe(&state));
    }

    println!("\ncommands attached to the cli:");
    for line in cli.help() {
        println!("  {line}");
    }

    let argv = ["hello", "plux"];
    println!("\n$ {}", argv.join(" "));
    match cli.run(&argv) {
        Ok(out) => println!("{out}"),
        Err(err) => println!("error: {err}"),
    }
}
