// `also = [..]` names crates the library depends on.
plux::export_plugins!(also = [no_such_crate]);

fn main() {}
