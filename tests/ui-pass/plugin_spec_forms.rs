//! plugin_spec! with a closure, a path, a function returning a closure (the seed's
//! `service_plugin_factory("s3")`), a fallible factory, and `dyn Interface`.
#![deny(warnings)]

use plux::{plugin_interface, plugin_spec, BoxError, Plugin, PluginErrorKind, PluginManager};

struct ServicePlugin {
    service_name: &'static str,
    loaded: bool,
}

impl ServicePlugin {
    fn new(service_name: &'static str) -> Self {
        ServicePlugin {
            service_name,
            loaded: false,
        }
    }

    fn sqs() -> Self {
        ServicePlugin::new("sqs")
    }
}

impl Plugin for ServicePlugin {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        self.loaded = true;
        Ok(())
    }
}

fn service_plugin_factory(name: &'static str) -> impl Fn() -> ServicePlugin {
    move || ServicePlugin::new(name)
}

plugin_spec!(
    "localstack.plugins.services",
    "s3",
    service_plugin_factory("s3")
);
plugin_spec!("localstack.plugins.services", "dynamodb", || {
    ServicePlugin::new("dynamodb")
});
plugin_spec!("localstack.plugins.services", "sqs", ServicePlugin::sqs);
plugin_spec!("localstack.plugins.services", "broken", || {
    "not a number"
        .parse::<u8>()
        .map(|_| ServicePlugin::new("broken"))
});

#[plugin_interface(namespace = "ui.spec.greeters")]
trait Greeter {
    fn greet(&self) -> &str;
}

struct Fixed(&'static str);

impl Greeter for Fixed {
    fn greet(&self) -> &str {
        self.0
    }
}

plugin_spec!(dyn Greeter, "hi", || Fixed("hi"));
plugin_spec!(dyn Greeter, "fallible", || Ok::<_, std::io::Error>(Fixed(
    "fallible"
)));

fn main() {
    let services = PluginManager::<ServicePlugin>::in_namespace("localstack.plugins.services");
    assert_eq!(services.list_names(), ["broken", "dynamodb", "s3", "sqs"]);
    for name in ["s3", "dynamodb", "sqs"] {
        let plugin = services.load(name).unwrap();
        assert_eq!(plugin.service_name, name);
        assert!(plugin.loaded);
    }
    let Err(err) = services.load("broken") else {
        panic!("the factory of `broken` fails")
    };
    assert!(matches!(err.kind(), PluginErrorKind::Factory(_)), "{err}");

    let greeters = PluginManager::<dyn Greeter>::new();
    let greetings: Vec<String> = greeters
        .load_all()
        .iter()
        .map(|g| g.greet().to_string())
        .collect();
    assert_eq!(greetings, ["fallible", "hi"]);
}
