use plux::{BoxError, Plugin};

#[plux::plugin(namespace = "my.plugins")]
#[derive(Default)]
struct Holder<T> {
    value: T,
}

impl<T: Send + Sync + 'static> Plugin for Holder<T> {
    type Args = ();
    type Output = ();
    fn load(&mut self, _: &()) -> Result<(), BoxError> {
        Ok(())
    }
}

fn main() {}
