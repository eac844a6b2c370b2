#[plux::hook_point(namespace = "my.startup")]
pub struct Startup(fn(&mut Vec<String>));

#[plux::plugin(hook = Startup, namespace = "my.startup")]
fn greet(log: &mut Vec<String>) {
    log.push("hello".into());
}

fn main() {}
