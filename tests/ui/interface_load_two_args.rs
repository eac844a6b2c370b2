#[plux::plugin_interface(namespace = "my.cli")]
trait CliPlugin {
    fn load(&mut self, name: &str, verbose: &bool) -> Result<(), plux::BoxError>;
}

fn main() {}
