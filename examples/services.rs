//! "Re-usable plugins", the second scenario of plux's README: one plugin type, `ServicePlugin`,
//! registered many times by `plugin_spec!` with a factory per service, and a `Supervisor` that
//! starts services by name through a `PluginManager<ServicePlugin>`.
//!
//! Run it with `cargo run --example services`; set `SERVICES` (default
//! `s3,dynamodb,sqs,kinesis,lambda,firehose`) to choose which services the configuration enables.
//!
//! What it shows, service by service:
//! - `s3`, `dynamodb`: enabled by the configuration, loaded and started;
//! - `sns`: registered, but not in `SERVICES`: disabled by `should_load`;
//! - `sqs`: in `SERVICES`, but switched off process-wide by the global filter;
//! - `kinesis`: its `load` fails (no service module provides it);
//! - `lambda`: its `load` panics; the manager contains the panic and records it;
//! - `firehose`: `requires = ["kinesis"]`, so it is disabled, saying which requirement failed
//!   and why, without its factory running;
//! - asking again returns the same instance, or the recorded error without running anything;
//! - what the listener heard, and every plugin's final state (`manager.states()`).

mod common;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;

use plux::{
    global_filter, plugin_spec, BoxError, Plugin, PluginError, PluginManager, PluginPattern,
};

use common::{describe, Printer};

const NAMESPACE: &str = "localstack.plugins.services";

/// The seed's `config`: which services this installation runs.
struct Config {
    services: Vec<String>,
}

fn config() -> &'static Config {
    static CONFIG: LazyLock<Config> = LazyLock::new(|| {
        let services = std::env::var("SERVICES")
            .unwrap_or_else(|_| "s3,dynamodb,sqs,kinesis,lambda,firehose".to_owned());
        Config {
            services: services
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    });
    &CONFIG
}

/// A service backend, as each service module provides one (moto's `Backend`, the seed's
/// `module.Service()`).
pub struct Service {
    name: &'static str,
    backend: &'static str,
    running: AtomicBool,
}

impl Service {
    fn start(&self) -> String {
        if self.running.swap(true, Ordering::SeqCst) {
            format!("{} is already running", self.name)
        } else {
            format!("{} started ({})", self.name, self.backend)
        }
    }
}

/// Stands in for the seed's `importlib.import_module("localstack.services.<name>").Service()`:
/// the modules this build has, and the one that blows up when it is set up.
fn import_service_module(name: &'static str) -> Result<Service, BoxError> {
    let backend = match name {
        "s3" => "in-memory object store",
        "dynamodb" => "in-memory tables",
        "sqs" => "in-memory queues",
        "sns" => "in-memory topics",
        "firehose" => "in-memory delivery streams",
        "lambda" => panic!("lambda needs a container runtime, and none was found"),
        _ => return Err(format!("no service module `{name}` in this build").into()),
    };
    Ok(Service {
        name,
        backend,
        running: AtomicBool::new(false),
    })
}

/// One plugin type for every service: the instances differ only in their service name.
pub struct ServicePlugin {
    service_name: &'static str,
    service: Option<Service>,
}

impl Plugin for ServicePlugin {
    type Args = ();
    type Output = ();

    fn should_load(&self) -> bool {
        config().services.iter().any(|s| s == self.service_name)
    }

    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        self.service = Some(import_service_module(self.service_name)?);
        Ok(())
    }
}

/// The seed's `service_plugin_factory(name)`: returns the factory of one service's plugin.
fn service_plugin_factory(service_name: &'static str) -> impl Fn() -> ServicePlugin {
    move || ServicePlugin {
        service_name,
        service: None,
    }
}

// Discoverable: each spec lands in the link-time registry, like the seed's module-level
// `s3 = PluginSpec("localstack.plugins.services", "s3", service_plugin_factory("s3"))`.
plugin_spec!(
    "localstack.plugins.services",
    "s3",
    service_plugin_factory("s3"),
    description = "Object storage"
);
plugin_spec!(
    "localstack.plugins.services",
    "dynamodb",
    service_plugin_factory("dynamodb"),
    description = "Key-value tables"
);
plugin_spec!(
    "localstack.plugins.services",
    "sqs",
    service_plugin_factory("sqs"),
    description = "Message queues"
);
plugin_spec!(
    "localstack.plugins.services",
    "sns",
    service_plugin_factory("sns"),
    description = "Notification topics"
);
plugin_spec!(
    "localstack.plugins.services",
    "kinesis",
    service_plugin_factory("kinesis"),
    description = "Data streams"
);
plugin_spec!(
    "localstack.plugins.services",
    "lambda",
    service_plugin_factory("lambda"),
    description = "Functions run in containers"
);
// A hard dependency: firehose delivers Kinesis streams, so it starts only if kinesis does.
plugin_spec!(
    "localstack.plugins.services",
    "firehose",
    service_plugin_factory("firehose"),
    description = "Delivers data streams to storage",
    requires = ["kinesis"]
);

/// Starts services on demand; each service's plugin is loaded the first time it is asked for.
struct Supervisor {
    manager: PluginManager<ServicePlugin>,
}

impl Supervisor {
    fn new() -> Self {
        Supervisor {
            manager: PluginManager::in_namespace(NAMESPACE).listener(Printer),
        }
    }

    /// The seed's `start`: `manager.load(name)`, then start the plugin's service.
    fn start(&self, service_name: &str) -> Result<String, PluginError> {
        let plugin = running_plugin_code(|| self.manager.load(service_name))?;
        let service = plugin
            .service
            .as_ref()
            .expect("a loaded ServicePlugin holds the service its load created");
        Ok(service.start())
    }
}

thread_local! {
    static IN_PLUGIN_CODE: Cell<bool> = const { Cell::new(false) };
}

/// The lambda plugin panics on purpose, and the manager contains that panic and reports it. The
/// default panic hook would still print "thread 'main' panicked at ..." to stderr first, which
/// here says nothing the listener does not. So the hook installed in `main` stays quiet while the
/// manager runs plugin code, and only then: a panic anywhere else still prints as usual.
fn running_plugin_code<R>(f: impl FnOnce() -> R) -> R {
    IN_PLUGIN_CODE.set(true);
    let result = f();
    IN_PLUGIN_CODE.set(false);
    result
}

fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_PLUGIN_CODE.get() {
            default_hook(info);
        }
    }));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    install_panic_hook();
    println!("plux example: re-usable plugins (one ServicePlugin type, many specs)\n");

    println!("configuration:");
    println!("  SERVICES = {}", config().services.join(","));
    // An operator switches sqs off for this process without touching SERVICES; the global
    // filter applies to every manager, before a plugin's factory runs.
    let no_sqs = PluginPattern::new().namespace(NAMESPACE)?.name("sqs")?;
    println!("  global filter: {no_sqs}");
    global_filter().add_pattern(no_sqs);

    let supervisor = Supervisor::new();
    // Each spec carries its description: a help text that loads nothing.
    println!("\nregistered services:");
    for spec in supervisor.manager.list_specs() {
        let description = spec.description().unwrap_or("");
        println!("  {:<9} {description}", spec.name());
    }

    let requests = [
        ("s3", "enabled by SERVICES"),
        ("dynamodb", "enabled by SERVICES"),
        ("sns", "not in SERVICES"),
        ("sqs", "in SERVICES, but matched by the global filter"),
        ("kinesis", "in SERVICES, but no module provides it"),
        ("lambda", "in SERVICES, but its setup panics"),
        ("firehose", "in SERVICES, but it requires kinesis"),
        ("s3", "again: the loaded plugin is reused, nothing re-runs"),
        ("kinesis", "again: the recorded error, no plugin code runs"),
        ("ec2", "never registered"),
    ];
    for (name, why) in requests {
        println!("\nstart {name}  ({why})");
        match supervisor.start(name) {
            Ok(message) => println!("  ok: {message}"),
            Err(err) if err.is_disabled() => println!("  not started, {}", err.kind()),
            Err(err) => println!("  FAILED: {}", err.kind()),
        }
    }

    println!("\nfinal states (manager.states()):");
    for (spec, state) in supervisor.manager.states() {
        println!("  {:<9} {}", spec.name(), describe(&state));
    }
    Ok(())
}
