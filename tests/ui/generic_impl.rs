use plux::{plugin_interface, BoxError, Plugin};

#[plugin_interface(namespace = "my.greeters")]
trait Greeter: Plugin<Args = (), Output = ()> {}

#[derive(Default)]
struct Holder<T>(T);

impl<T: Send + Sync + 'static> Plugin for Holder<T> {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

#[plux::plugin]
impl<T: Default + Send + Sync + 'static> Greeter for Holder<T> {}

fn main() {}
