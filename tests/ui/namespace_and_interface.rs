use plux::{plugin_interface, BoxError, Plugin};

#[plugin_interface(namespace = "my.greeters")]
trait Greeter: Plugin<Args = (), Output = ()> {}

#[plux::plugin(namespace = "my.plugins", interface = Greeter)]
#[derive(Default)]
struct English;

impl Plugin for English {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

impl Greeter for English {}

fn main() {}
