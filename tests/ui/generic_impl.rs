#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter {}

#[derive(Default)]
struct Holder<T>(T);

#[plux::plugin]
impl<T: Default + Send + Sync + 'static> Greeter for Holder<T> {}

fn main() {}
