fn enabled() -> bool {
    true
}

#[plux::plugin(namespace = "my.plugins", should_load = enabled)]
#[derive(Default)]
struct Counter;

impl plux::Plugin for Counter {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), plux::BoxError> {
        Ok(())
    }
}

fn main() {}
