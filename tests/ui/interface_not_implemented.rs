#[plux::plugin_interface(namespace = "my.greeters")]
trait Greeter: plux::Plugin<Args = (), Output = ()> {}

#[plux::plugin(interface = Greeter)]
#[derive(Default)]
struct English;

impl plux::Plugin for English {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), plux::BoxError> {
        Ok(())
    }
}

fn main() {}
