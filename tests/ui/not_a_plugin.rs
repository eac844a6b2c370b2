#[derive(Default)]
struct Counter;

fn start(_counters: &plux::PluginManager<Counter>) {}

fn main() {}
