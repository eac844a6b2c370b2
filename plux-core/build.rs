//! Records what this copy of plux-core is compiled with, for the checks of plugin libraries: a
//! library and the program that opens it must come from the same rustc, for the same target,
//! and the same plux-core source.

mod source_fingerprint;

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
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
    println!("cargo:rerun-if-changed=src");
    let source = sources(Path::new("src")).map_or_else(
        |error| format!("unknown ({error})"),
        |files| {
            let files = files
                .iter()
                .map(|(path, contents)| (path.as_str(), contents.as_slice()));
            format!("{:016x}", source_fingerprint::of(files))
        },
    );
    println!("cargo:rustc-env=PLUX_SOURCE={source}");
}

/// Every file under `dir`: its path relative to `dir` (with `/`) and its contents.
fn sources(dir: &Path) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(dir.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                let name: Vec<String> = path
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect();
                files.push((name.join("/"), fs::read(dir.join(&path))?));
            }
        }
    }
    Ok(files)
}
