//! Plugin libraries: a program that was compiled without any plugin finds its plugins in a
//! directory at run time, as a distribution installed beside it would ship them.
//!
//! Run it with `cargo run --example dynamic`. The plugins are `fixtures/dynamic-plugins`, a crate
//! of ordinary `#[plugin]`s built as a `cdylib` with `plux::export_plugins!()`; this program
//! links only the crate of interfaces they share (`fixtures/dynamic-api`), never the plugins.
//! Give a directory of plugin libraries as the argument to open those instead.
//!
//! What it shows:
//! - the library is checked (rustc, target, panic strategy, plux, each interface's fingerprint)
//!   and its plugins join the registry;
//! - a manager drives them like linked plugins: priorities, `after` constraints, the listener;
//! - a hook point's hooks from the library run in the program;
//! - where each plugin came from (its location names the library);
//! - a panic inside the library's `load` is contained like a linked plugin's;
//! - what a library must match to be opened (`dynamic::requirements()`), for its authors.
// Opening a plugin library is `unsafe`: it runs the library's code (see `dynamic::open`).
#![allow(unsafe_code)]

mod common;

use std::path::PathBuf;

use plux::{dynamic, PluginManager};
use plux_fixture_dynamic_api::{Faulty, Greeter, Startup, Visit};

use common::{describe, Printer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => install_fixture()?,
    };

    println!("== what a plugin library must match to be opened by this program");
    for line in dynamic::requirements().to_string().lines() {
        println!("  {line}");
    }

    println!("\n== opening the plugin libraries in {}", dir.display());
    // SAFETY: the directory is the one this example installed its own fixture library in, or
    // the one given on the command line, whose libraries the user vouches for by giving it.
    let opened = unsafe { dynamic::open_dir(&dir) }?;
    for library in opened.libraries() {
        println!("  {}", library.path().display());
        for spec in library.specs() {
            println!("    {spec}");
        }
    }
    for error in opened.refused() {
        println!("  refused: {error}");
    }

    println!("\n== greeters, in load order");
    let greeters = PluginManager::<dyn Greeter>::new().listener(Printer);
    for greeter in greeters.load_all() {
        println!("  {}", greeter.greet("world"));
    }

    println!("\n== start-up hooks (`check-panics`'s should_load panics inside the library)");
    let hooks = PluginManager::<Startup>::new();
    let mut log = Vec::new();
    hooks.call_all(|hook| hook(&mut log));
    for line in &log {
        println!("  {line}");
    }
    for (spec, state) in hooks.states() {
        println!("  {}: {}", spec.name(), describe(&state));
    }

    println!("\n== where each greeter came from");
    for spec in greeters.list_specs() {
        println!("  {spec}: {}", spec.location());
    }

    println!("\n== a library plugin whose load panics, contained on the library's side");
    let faulty = PluginManager::<dyn Faulty>::with_args(Visit {
        visitor: "the example".to_owned(),
    });
    for name in ["loads", "load-panics"] {
        let _ = faulty.load(name);
        println!(
            "  {name}: {}",
            describe(&faulty.state(name).ok_or("no such plugin")?)
        );
    }

    if std::env::args_os().nth(1).is_none() {
        // The library stays mapped; only its file goes.
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}

/// Copies the plugin library that cargo built for this example into a directory of its own, as
/// an installer would. Cargo builds it because it is a dev-dependency of this package (as an
/// rlib too, which this program never names, so never links).
fn install_fixture() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let file = format!(
        "{}plux_fixture_dynamic_plugins{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let exe = std::env::current_exe()?;
    let exe_dir = exe.parent().ok_or("the example has no directory")?;
    // target/<profile>/examples/dynamic: the library is in target/<profile>/deps.
    let built = [exe_dir.join(&file), exe_dir.join("../deps").join(&file)]
        .into_iter()
        .find(|path| path.is_file())
        .ok_or_else(|| format!("{file} was not built next to {}", exe.display()))?;
    let dir = std::env::temp_dir().join(format!("plux-example-dynamic-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(&built, dir.join(&file))?;
    Ok(dir)
}
