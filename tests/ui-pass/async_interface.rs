// `async fn` methods of an interface, with borrowed arguments of several shapes, a default
// body, and a plugin that keeps the default: all through `dyn Interface`.
use plux::{plugin, plugin_interface, BoxError, PluginManager};

pub struct Config {
    pub names: Vec<String>,
}

#[plugin_interface(namespace = "ui.pass.async")]
pub trait Service {
    async fn load(&mut self, config: &Config) -> Result<usize, BoxError>;
    async fn greet<'a>(&self, who: &'a str, extra: Option<&str>) -> String {
        format!("hello {who}{}", extra.unwrap_or_default())
    }
    async fn first(&self, names: &[String]) -> Option<String> {
        names.first().cloned()
    }
}

#[derive(Default)]
struct Counter;

#[plugin]
impl Service for Counter {
    async fn load(&mut self, config: &Config) -> Result<usize, BoxError> {
        Ok(config.names.len())
    }
}

fn main() {
    let manager = PluginManager::<dyn Service>::with_args(Config { names: vec!["a".into()] });
    let services = futures::executor::block_on(manager.load_all_async());
    assert_eq!(services.len(), 1);
    let greeting = futures::executor::block_on(services[0].greet("you", Some("!")));
    assert_eq!(greeting, "hello you!");
    let names = vec!["x".to_owned()];
    assert_eq!(futures::executor::block_on(services[0].first(&names)).as_deref(), Some("x"));
}
