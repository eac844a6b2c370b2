// A plugin of `Box<Postgres>` would be named `box`, like every other boxed plugin.
use plux::{plugin, plugin_interface};

#[plugin_interface(namespace = "app.stores")]
pub trait Store {
    fn get(&self) -> u32;
}

#[derive(Default)]
pub struct Postgres;

impl Store for Postgres {
    fn get(&self) -> u32 {
        1
    }
}

#[plugin]
impl Store for Box<Postgres> {
    fn get(&self) -> u32 {
        (**self).get()
    }
}

fn main() {}
