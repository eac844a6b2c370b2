//! Records what this copy of plux-core is compiled with, for the checks of plugin libraries: a
//! library and the program that opens it must come from the same rustc, for the same target,
//! and the same plux-core source.

mod source_fingerprint;

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=RUSTC");
    println!("cargo:rerun-if-changed=build.rs");
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    // `rustc -vV`'s first line names the release and the commit, e.g.
    // `rustc 1.95.0 (59807616e 2026-04-14)`: two compilers with the same line are the same.
    let version = Command::new(&rustc)
        .arg("-vV")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_else(|| format!("unknown ({rustc} -vV failed)"));
    println!("cargo:rustc-env=PLUX_RUSTC_VERSION={version}");
    let target = env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=PLUX_TARGET={target}");

    // Two builds of one plux version from different sources (a git or path dependency between
    // releases) pass the version check, yet the types a plugin library hands over may have
    // another layout: the source itself is compared.
    source_fingerprint::record("PLUX_SOURCE");
}
