plux::plugin_spec!("ui.requires", "cache", || plux::FunctionPlugin::new(cache as fn()), requires = ["data base"]);

fn cache() {}

fn main() {}
