//! What a built program contains: `plux::inspect`, the counterpart of the Python plux's
//! `python -m plux list`.
//!
//! ```sh
//! cargo run --example inspect                      # the report, and a health check
//! cargo run --example inspect -- --plux-list       # what any app that calls exit_if_listing prints
//! cargo run --example inspect -- --plux-list=json  # the same, as JSON
//! ```
//!
//! The program declares a few plugins of its own, two of them under the same name: the report
//! flags that duplicate with both declaration sites, and the health check below fails on it.

use plux::inspect::{self, Report};
use plux::{plugin, plugin_interface, PluginManager};

/// Writes a document in some format.
#[plugin_interface(namespace = "demo.exporters")]
pub trait Exporter {
    /// The file extension.
    fn extension(&self) -> &'static str;
}

#[derive(Default)]
struct Json;

#[derive(Default)]
struct Csv;

#[plugin(name = "json")]
impl Exporter for Json {
    fn extension(&self) -> &'static str {
        "json"
    }
}

#[plugin(name = "csv")]
impl Exporter for Csv {
    fn extension(&self) -> &'static str {
        "csv"
    }
}

/// Two start hooks that claim the same name: neither loads.
#[plugin(namespace = "demo.hooks", name = "on_start")]
fn on_start() {}

#[plugin(namespace = "demo.hooks", name = "on_start")]
fn on_start_again() {}

fn main() {
    // One line gives an app `--plux-list` and `--plux-list=json`.
    inspect::exit_if_listing();

    let report = Report::collect();
    print!("{report}");

    let exporters = PluginManager::<dyn Exporter>::new();
    let extensions: Vec<&str> = exporters.load_all().iter().map(|e| e.extension()).collect();
    println!("\nexporters: {}", extensions.join(", "));

    // A health check, e.g. for a CI smoke test of the release build: fail on any plugin that
    // cannot load because of how it was declared.
    let conflicts: Vec<String> = report
        .conflicts()
        .filter_map(|(namespace, plugin)| {
            let conflict = plugin.conflict.as_ref()?;
            Some(format!("{namespace}/{}: {conflict}", plugin.spec.name()))
        })
        .collect();
    println!("\nhealth check: {} conflict(s)", conflicts.len());
    for conflict in &conflicts {
        println!("  {conflict}");
    }
}
