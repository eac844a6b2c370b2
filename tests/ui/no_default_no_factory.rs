#[plux::plugin(namespace = "my.plugins")]
struct Service {
    port: u16,
}

impl Service {
    fn port(&self) -> u16 {
        self.port
    }
}

fn main() {
    let _ = Service::port;
}
