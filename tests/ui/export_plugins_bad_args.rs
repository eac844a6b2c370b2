// `export_plugins!` takes nothing, or `also = [crates]`.
plux::export_plugins!(crates = [serde]);

fn main() {}
