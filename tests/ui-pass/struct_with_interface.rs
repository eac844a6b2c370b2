//! Structs and an enum managed as an interface, named with `interface = Trait` and
//! `interface = dyn Trait`.
#![deny(warnings)]

use plux::{plugin, plugin_interface, PluginManager};

#[plugin_interface(namespace = "ui.greeters")]
trait Greeter {
    fn greet(&self) -> String;
}

#[plugin(interface = Greeter)]
#[derive(Default)]
struct English;

#[plugin(interface = dyn Greeter, name = "french")]
#[derive(Default)]
struct FrenchGreeter;

#[plugin(interface = Greeter, factory = || Formal::Sir)]
enum Formal {
    Sir,
    #[allow(dead_code)]
    Madam,
}

macro_rules! greeter {
    ($ty:ty, $greeting:expr) => {
        impl Greeter for $ty {
            fn greet(&self) -> String {
                $greeting(self)
            }
        }
    };
}

greeter!(English, |_| "hello".to_string());
greeter!(FrenchGreeter, |_| "bonjour".to_string());
greeter!(Formal, |formal: &Formal| match formal {
    Formal::Sir => "good day, sir".to_string(),
    Formal::Madam => "good day, madam".to_string(),
});

fn main() {
    let greeters = PluginManager::<dyn Greeter>::new();
    assert_eq!(greeters.namespace(), "ui.greeters");
    assert_eq!(greeters.list_names(), ["english", "formal", "french"]);
    let greetings: Vec<String> = greeters.load_all().iter().map(|g| g.greet()).collect();
    assert_eq!(greetings, ["hello", "good day, sir", "bonjour"]);
}
