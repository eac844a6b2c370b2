#[plux::hook_point(namespace = "my.startup")]
pub struct Startup(fn(&mut Vec<String>));

#[plux::plugin(hook = Startup)]
fn greet(log: &mut Vec<&'static str>) {
    log.push("hello");
}

fn main() {}
