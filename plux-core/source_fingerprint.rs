//! The fingerprint of a crate's source files, for the build scripts of plux-core and plux-macros
//! (one file, which plux-macros includes through a symlink): a plugin library and the program
//! that opens it must be built from the same plux sources.

use std::fs;
use std::path::{Path, PathBuf};

/// Sets the environment variable `var` of the crate's compilation to the fingerprint of its
/// `src` (16 hex digits), and reruns the build script when `src` changes.
pub fn record(var: &str) {
    println!("cargo:rerun-if-changed=src");
    let source = source_fingerprint(Path::new("src")).map_or_else(
        |error| format!("unknown ({error})"),
        |hash| format!("{hash:016x}"),
    );
    println!("cargo:rustc-env={var}={source}");
}

/// FNV-1a over every file under `dir`, in path order: each path (relative to `dir`, with `/`),
/// its length and its bytes.
fn source_fingerprint(dir: &Path) -> std::io::Result<u64> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(dir.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in files {
        let contents = fs::read(dir.join(&file))?;
        let name: Vec<String> = file
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        feed(name.join("/").as_bytes());
        feed(&(contents.len() as u64).to_le_bytes());
        feed(&contents);
    }
    Ok(hash)
}
