struct Server;

impl Server {
    #[plux::plugin(namespace = "my.hooks")]
    fn start(&self) {}
}

fn main() {}
