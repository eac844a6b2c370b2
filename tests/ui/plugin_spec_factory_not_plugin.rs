struct Service(&'static str);

plux::plugin_spec!("my.plugins", "s3", || Service("s3"));

fn main() {}
