//! Where the tests find the plugin libraries that cargo built in this workspace, and private
//! copies of them.
// Each test binary uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `cdylib` of the fixture crate `crate_name`, built beside this test (in
/// `target/<profile>/deps`) because the `plux` package has it as a dev-dependency.
pub fn built(crate_name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let deps = exe.parent().expect("the test's directory");
    let path = deps.join(file_name(crate_name));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// `lib<crate_name>.so` on Linux.
pub fn file_name(crate_name: &str) -> String {
    format!(
        "{}{crate_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// A fresh directory of this test process.
pub fn temp_dir(purpose: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plux-test-{}-{purpose}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// A copy of `library` in `dir` under `name`: another file, so another library to the loader.
pub fn copy(library: &Path, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(file_name(name));
    std::fs::copy(library, &path).expect("copy the library");
    path
}
