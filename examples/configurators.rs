//! "Functions as plugins", the third scenario of plux's README: plain functions that join the
//! hook point `Configurator` (namespace `localstack.configurators`, signature `fn(&Runtime)`,
//! checked by the compiler) and are called like the functions they wrap.
//!
//! Run it with `cargo run --example configurators`; set `ENABLE_DNS=1` to enable the DNS
//! configurator, which `should_load` disables otherwise.
//!
//! What it shows:
//! - `#[hook_point]` declaring the namespace and the signature once, and `#[plugin(hook =
//!   Configurator)]` on each fn, with a derived name (`configure_logging`) or a given one
//!   (`gateway`);
//! - `should_load = dns_enabled` on a fn: a configuration check that disables the plugin;
//! - `for configurator in manager.load_all() { configurator(&runtime) }`, as in the seed, in
//!   load order: `configure_logging` first (`priority = 10`), `gateway` after `configure_cors`
//!   (`after = [...]`), the rest by name;
//! - the runtime before and after, what the listener heard, and each plugin's state.
//!
//! Only `configure_logging` touches process-wide state (`log::set_max_level`); the others record
//! what they set up in the runtime, which stands in for servers a real runtime would start.

mod common;

use std::sync::{Mutex, PoisonError};

use log::LevelFilter;
use plux::{hook_point, plugin, PluginManager};

use common::{describe, Printer};

/// Configures the runtime at start-up: every `fn(&Runtime)` of `localstack.configurators`.
#[hook_point(namespace = "localstack.configurators")]
struct Configurator(fn(&Runtime));

/// The runtime's configuration: read-only to the configurators.
struct Config {
    loglevel: LevelFilter,
    cors_origins: Vec<&'static str>,
    gateway_listen: &'static str,
    dns_address: &'static str,
}

/// What configurators set up. `fn(&Runtime)` plugins share the runtime, so what they change
/// sits behind a lock.
#[derive(Default)]
struct Settings {
    log_level: Option<LevelFilter>,
    cors_allowed_origins: Vec<String>,
    gateway: Option<String>,
    dns_server: Option<String>,
    /// Which configurators ran, in the order they ran.
    applied: Vec<&'static str>,
}

/// The seed's `LocalstackRuntime`.
struct Runtime {
    config: Config,
    settings: Mutex<Settings>,
}

impl Runtime {
    fn new() -> Self {
        Runtime {
            config: Config {
                loglevel: LevelFilter::Info,
                cors_origins: vec!["https://app.localstack.cloud", "http://localhost:3000"],
                gateway_listen: "0.0.0.0:4566",
                dns_address: "127.0.0.1:53",
            },
            settings: Mutex::default(),
        }
    }

    fn configure(&self, configurator: &'static str, change: impl FnOnce(&mut Settings)) {
        let mut settings = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut settings);
        settings.applied.push(configurator);
    }
}

/// The seed's `configure_logging`: `logging.basicConfig(level=runtime.config.loglevel)`.
/// It runs first (highest priority), so that what the others do is logged at the right level.
#[plugin(hook = Configurator, priority = 10)]
fn configure_logging(runtime: &Runtime) {
    log::set_max_level(runtime.config.loglevel);
    runtime.configure("configure_logging", |s| {
        s.log_level = Some(runtime.config.loglevel)
    });
}

/// The seed's `configure_somethingelse`: any other set-up of the runtime.
#[plugin(hook = Configurator)]
fn configure_cors(runtime: &Runtime) {
    runtime.configure("configure_cors", |s| {
        s.cors_allowed_origins = runtime
            .config
            .cors_origins
            .iter()
            .map(|o| o.to_string())
            .collect()
    });
}

/// A configurator with a name of its own instead of the function's. The gateway serves the
/// CORS rules, so it is set up after them.
#[plugin(hook = Configurator, name = "gateway", after = ["configure_cors"])]
fn configure_edge_gateway(runtime: &Runtime) {
    runtime.configure("gateway", |s| {
        s.gateway = Some(format!("listening on {}", runtime.config.gateway_listen))
    });
}

/// Whether to run the DNS server: off unless `ENABLE_DNS=1`. A function plugin's `should_load`
/// takes no arguments, so it reads process configuration, not the runtime.
fn dns_enabled() -> bool {
    std::env::var("ENABLE_DNS").is_ok_and(|v| v == "1")
}

/// Disabled by `dns_enabled` unless `ENABLE_DNS=1`: then the manager never hands it out.
#[plugin(hook = Configurator, should_load = dns_enabled)]
fn configure_dns(runtime: &Runtime) {
    runtime.configure("configure_dns", |s| {
        s.dns_server = Some(format!("serving on {}", runtime.config.dns_address))
    });
}

/// Prints what the configurators have set up so far.
fn print_settings(title: &str, runtime: &Runtime) {
    let settings = runtime
        .settings
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let unset = || "(not configured)".to_owned();
    let applied = match settings.applied.as_slice() {
        [] => "(none yet)".to_owned(),
        applied => applied.join(", "),
    };
    let log_level = settings.log_level.map_or_else(unset, |l| l.to_string());
    let cors = match settings.cors_allowed_origins.as_slice() {
        [] => unset(),
        origins => origins.join(", "),
    };
    let gateway = settings.gateway.clone().unwrap_or_else(unset);
    let dns = settings.dns_server.clone().unwrap_or_else(unset);
    println!("{title}");
    println!("  configurators applied: {applied}");
    println!("  log level:             {log_level}");
    println!("  CORS allowed origins:  {cors}");
    println!("  gateway:               {gateway}");
    println!("  DNS server:            {dns}");
}

fn main() {
    println!("plux example: functions as plugins (namespace localstack.configurators)\n");

    let runtime = Runtime::new();
    print_settings("runtime before configuration:", &runtime);

    let manager = PluginManager::<Configurator>::new().listener(Printer);

    // The seed's loop. `load_all` returns the loaded configurators in load order (priority, then
    // `after`, then name), so they apply in the same order on every run.
    println!("\nload_all():");
    let configurators = manager.load_all();
    println!("  {} configurators to apply\n", configurators.len());
    for configurator in configurators {
        configurator(&runtime);
    }

    println!("plugin states:");
    for (spec, state) in manager.states() {
        println!("  {:<17} {}", spec.name(), describe(&state));
    }

    println!();
    print_settings("runtime after configuration:", &runtime);
    println!("  (log::max_level() is now {})", log::max_level());
}
