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

/// The plugin library of package `package` of the third-party workspace `tests/third-party` (a
/// cargo workspace of its own, as a third party's is), built alone with this test's profile into
/// `target/third-party`, which every such build shares. Cargo's lock on that directory
/// serialises tests that build at once.
pub fn third_party(package: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/third-party/Cargo.toml");
    let exe = std::env::current_exe().expect("the test's path");
    // target/<profile>/deps/<test>: the profile is what this test was built with.
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let profile = profile_dir
        .file_name()
        .expect("the profile's directory name");
    let target = profile_dir.parent().expect("target/").join("third-party");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .args([
            "build",
            "--quiet",
            "--offline",
            "-p",
            package,
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target);
    if profile == "release" {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo");
    assert!(
        status.success(),
        "building {package} of tests/third-party failed"
    );
    let path = target
        .join(if profile == "release" {
            "release"
        } else {
            "debug"
        })
        .join(file_name(&package.replace('-', "_")));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}
