struct Server;

impl Server {
    #[plux::plugin(namespace = "my.hooks")]
    fn start() {}
}

fn main() {}
