/// The doc comment is the description; an empty one given as a key says nothing.
#[plux::plugin(namespace = "ui.description", description = "  ")]
fn cache() {}

fn main() {}
