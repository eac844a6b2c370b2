#[plux::plugin(namespace = "my.plugins", factory = Service::new)]
struct Service;

impl Service {
    fn new() -> Result<Self, ()> {
        Ok(Service)
    }
}

fn main() {}
