#[plux::plugin(namespace = "my.plugins")]
use std::collections::HashMap;

fn main() {}
