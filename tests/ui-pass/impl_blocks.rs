//! `#[plugin]` on `impl Interface for Type` (the interface's namespace), and on impl blocks
//! with a namespace of their own.
#![deny(warnings)]

use plux::{plugin, plugin_interface, BoxError, Plugin, PluginManager};

#[plugin_interface(namespace = "ui.services")]
trait Service: Plugin<Args = (), Output = ()> {
    fn port(&self) -> u16;
}

#[derive(Default)]
struct Dns;

impl Plugin for Dns {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

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

impl Plugin for Web {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

/// A trait impl with a namespace: managed as the type, not as the interface.
#[derive(Default)]
struct Mail;

impl Plugin for Mail {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[plugin(namespace = "ui.mail", name = "smtp")]
impl Service for Mail {
    fn port(&self) -> u16 {
        25
    }
}

fn main() {
    let services = PluginManager::<dyn Service>::for_interface();
    assert_eq!(services.list_names(), ["dns"]);
    assert_eq!(services.load("dns").unwrap().port(), 53);

    let web = PluginManager::<Web>::new("ui.web");
    assert_eq!(web.load("web").unwrap().port, 80);

    let mail = PluginManager::<Mail>::new("ui.mail");
    assert_eq!(mail.load("smtp").unwrap().port(), 25);
}
