//! The app: `app list` shows its commands with their descriptions, `app run <name> <words..>`
//! runs one, `app --plux-list` shows what plux linked.

use std::process::ExitCode;

use app_commands::Command;
use plux::{BoxError, PluginManager};

// Every plugin crate this binary depends on (app-greetings, app-arithmetic), checked against
// Cargo.lock when it compiles.
plux::link_plugins!();

fn main() -> ExitCode {
    plux::inspect::exit_if_listing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let commands = PluginManager::<dyn Command>::new();
    match args.as_slice() {
        [list] if list == "list" => {
            for spec in commands.list_specs() {
                println!("{:8} {}", spec.name(), spec.description().unwrap_or(""));
            }
            ExitCode::SUCCESS
        }
        [run, name, words @ ..] if run == "run" => {
            let ran = commands
                .load(name)
                .map_err(BoxError::from)
                .and_then(|command| command.run(words));
            match ran {
                Ok(output) => {
                    println!("{output}");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("app: {name}: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: app list | app run <command> <words..> | app --plux-list");
            eprintln!("{}", plux::inspect::LIST_HELP);
            ExitCode::from(2)
        }
    }
}
