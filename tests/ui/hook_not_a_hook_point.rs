pub struct Startup(fn(&mut Vec<String>));

#[plux::plugin(hook = Startup)]
fn greet(log: &mut Vec<String>) {
    log.push("hello".into());
}

fn main() {}
