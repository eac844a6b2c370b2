use plux::{plugin, plugin_interface};

#[plugin_interface(namespace = "ui.computed")]
pub trait Command {}

#[derive(Default)]
struct Hello;

#[doc = concat!("Says ", "hello.")]
#[plugin]
impl Command for Hello {}

fn main() {}
