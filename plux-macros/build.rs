//! Records a fingerprint of this plux-macros' source files: the macros lay out what crosses
//! between a program and a plugin library (the vtable of an interface, with the methods they
//! add), so two builds of one plux version whose macros come from other sources (a git or path
//! dependency between releases) must not be taken for the same. Every fingerprint of an
//! interface or a hook point carries it.

mod source_fingerprint;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    source_fingerprint::record("PLUX_MACROS_SOURCE");
}
