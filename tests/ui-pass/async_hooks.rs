// `async fn`s as hooks of a hook point whose hooks return a `HookFuture`, and as a quick fn
// plugin of a namespace: each a plain fn pointer returning its boxed future.
use std::sync::Mutex;

use plux::{hook_point, plugin, FunctionPlugin, HookFuture, PluginManager};

pub struct App {
    pub warmed: Mutex<Vec<String>>,
}

// Two borrowed arguments: the future borrows both, so the signature names one lifetime.
#[hook_point(namespace = "ui.pass.warmup")]
pub struct Warmup(for<'a> fn(&'a App, &'a str) -> HookFuture<'a, usize>);

async fn pause() {}

/// Fills the cache.
#[plugin(hook = Warmup, priority = 1)]
async fn fill_cache(app: &App, region: &str) -> usize {
    pause().await;
    app.warmed.lock().unwrap().push(format!("cache/{region}"));
    1
}

#[plugin(hook = Warmup)]
async fn open_pool(app: &App, region: &str) -> usize {
    app.warmed.lock().unwrap().push(format!("pool/{region}"));
    8
}

#[plugin(namespace = "ui.pass.quick")]
async fn quick() -> u8 {
    7
}

fn main() {
    let app = App { warmed: Mutex::new(Vec::new()) };
    let total = futures::executor::block_on(async {
        let mut total = 0;
        for hook in PluginManager::<Warmup>::new().load_all() {
            total += hook(&app, "eu").await;
        }
        total
    });
    assert_eq!(total, 9);
    assert_eq!(*app.warmed.lock().unwrap(), ["cache/eu", "pool/eu"]);

    type Quick = FunctionPlugin<fn() -> HookFuture<'static, u8>>;
    let quick = PluginManager::<Quick>::in_namespace("ui.pass.quick").load("quick").unwrap();
    assert_eq!(futures::executor::block_on(quick()), 7);
}
