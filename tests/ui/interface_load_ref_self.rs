#[plux::plugin_interface(namespace = "my.cli")]
trait CliPlugin {
    fn load(&self, name: &String) -> Result<(), plux::BoxError>;
}

fn main() {}
