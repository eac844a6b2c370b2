//! An async service supervisor, the seed's `ServicePlugin` scenario on tokio: every service is a
//! plugin whose `load` is `async` (it connects, binds, warms up), the services start concurrently
//! on one thread as soon as those they require are up, and plux stops them (`unload`) in reverse
//! order, each once, a failing one reported without stopping the others.
//!
//! ```sh
//! cargo run -p plux-example-async-services
//! ```

use std::time::{Duration, Instant};

use plux::{plugin, plugin_interface, BoxError, PluginManager, PluginState};

/// What the supervisor hands every service.
struct Config {
    /// How long each service takes to start: stands for its I/O.
    startup: Duration,
    started: Instant,
}

impl Config {
    fn log(&self, what: &str) {
        println!(
            "{:>6.1?} ms  {what}",
            self.started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// A service: started once by the supervisor, stopped when it shuts down.
#[plugin_interface(namespace = "supervisor.services")]
trait Service {
    /// Starts the service: awaited once, after the services it requires are up.
    async fn load(&mut self, config: &Config) -> Result<(), BoxError>;

    /// Stops the service: once, in reverse start order, when the supervisor shuts down.
    async fn unload(&self) -> Result<(), BoxError>;
}

/// Opens the connection pool.
#[derive(Default)]
struct Database {
    connections: usize,
}

#[plugin(name = "database")]
impl Service for Database {
    async fn load(&mut self, config: &Config) -> Result<(), BoxError> {
        config.log("database: connecting");
        tokio::time::sleep(config.startup).await;
        self.connections = 8;
        config.log("database: 8 connections open");
        Ok(())
    }

    async fn unload(&self) -> Result<(), BoxError> {
        println!("database: {} connections closed", self.connections);
        Ok(())
    }
}

/// Warms its cache from the database.
#[derive(Default)]
struct Cache;

#[plugin(name = "cache", requires = ["database"])]
impl Service for Cache {
    async fn load(&mut self, config: &Config) -> Result<(), BoxError> {
        config.log("cache: warming up from the database");
        tokio::time::sleep(config.startup).await;
        config.log("cache: warm");
        Ok(())
    }

    async fn unload(&self) -> Result<(), BoxError> {
        println!("cache: flushed");
        Ok(())
    }
}

/// Fetches its signing keys from a remote service.
#[derive(Default)]
struct Auth;

#[plugin(name = "auth")]
impl Service for Auth {
    async fn load(&mut self, config: &Config) -> Result<(), BoxError> {
        config.log("auth: fetching signing keys");
        tokio::time::sleep(config.startup).await;
        config.log("auth: keys loaded");
        Ok(())
    }

    async fn unload(&self) -> Result<(), BoxError> {
        Err("auth: the key server did not answer; keys dropped all the same".into())
    }
}

/// Binds the listener once what it serves is up.
#[derive(Default)]
struct Web;

#[plugin(name = "web", requires = ["cache", "auth"])]
impl Service for Web {
    async fn load(&mut self, config: &Config) -> Result<(), BoxError> {
        config.log("web: binding :8080");
        tokio::time::sleep(config.startup).await;
        config.log("web: serving");
        Ok(())
    }

    async fn unload(&self) -> Result<(), BoxError> {
        println!("web: connections drained");
        Ok(())
    }
}

/// A service whose dependency is missing: reported, the others unaffected.
#[derive(Default)]
struct Mail;

#[plugin(name = "mail", requires = ["smtp"])]
impl Service for Mail {
    async fn load(&mut self, _: &Config) -> Result<(), BoxError> {
        Ok(())
    }

    async fn unload(&self) -> Result<(), BoxError> {
        Ok(())
    }
}

// One thread: the services wait for their I/O concurrently on it.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = Config {
        startup: Duration::from_millis(100),
        started: Instant::now(),
    };
    let startup = config.startup;
    let supervisor = PluginManager::<dyn Service>::with_args(config);

    // database → cache ┐
    //            auth ─┴→ web: three steps of 100 ms, not five.
    let services = supervisor.load_all_async().await;
    let took = supervisor.args().started.elapsed();
    println!(
        "{} services up in {} ms ({} steps of {} ms)",
        services.len(),
        took.as_millis(),
        3,
        startup.as_millis()
    );
    for (spec, state) in supervisor.states() {
        if !matches!(state, PluginState::Loaded { .. }) {
            println!("  {}: {state}", spec.name());
        }
    }

    // Shutting down: web before cache and auth, cache before database.
    for failure in supervisor.unload_all_async().await {
        println!("  {failure}");
    }
}
