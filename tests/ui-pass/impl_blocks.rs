//! `#[plugin]` on `impl Interface for Type` (the interface's namespace), on an inherent impl
//! (the type as itself, with nothing to load) and on `impl Plugin for Type` (its own
//! lifecycle).
#![deny(warnings)]

use plux::{plugin, plugin_interface, BoxError, Plugin, PluginManager};

#[plugin_interface(namespace = "ui.services")]
trait Service {
    fn port(&self) -> u16;
}

#[derive(Default)]
struct Dns;

#[plugin]
impl Service for Dns {
    fn port(&self) -> u16 {
        53
    }
}

/// Registered from an inherent impl, with a factory.
struct Web {
    port: u16,
}

#[plugin(namespace = "ui.web", factory = Web::new)]
impl Web {
    fn new() -> Self {
        Web { port: 80 }
    }
}

/// Managed as itself, with a lifecycle of its own.
#[derive(Default)]
struct Mail {
    port: u16,
}

#[plugin(namespace = "ui.mail", name = "smtp")]
impl Plugin for Mail {
    type Args = u16;
    type Output = String;
    fn load(&mut self, port: &u16) -> Result<String, BoxError> {
        self.port = *port;
        Ok(format!("listening on {port}"))
    }
}

fn main() {
    let services = PluginManager::<dyn Service>::new();
    assert_eq!(services.list_names(), ["dns"]);
    assert_eq!(services.load("dns").unwrap().port(), 53);

    let web = PluginManager::<Web>::new();
    assert_eq!(web.load("web").unwrap().port, 80);

    let mail = PluginManager::<Mail>::with_args(25);
    assert_eq!(mail.load("smtp").unwrap().port, 25);
}
