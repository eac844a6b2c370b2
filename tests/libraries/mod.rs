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
/// cargo workspace of its own, as a third party's is), built alone with this test's profile.
pub fn third_party(package: &str) -> PathBuf {
    third_party_in(&repository().join("tests/third-party"), package, false)
}

/// As [`third_party`], built with the other profile (release for a test built in debug, debug
/// for one built in release): `debug_assertions` differs between the library and the program.
pub fn third_party_other_profile(package: &str) -> PathBuf {
    third_party_in(&repository().join("tests/third-party"), package, true)
}

/// This repository.
pub fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/`, whatever `CARGO_TARGET_DIR` says: the test is `target/<profile>/deps/<test>`.
pub fn target_dir() -> PathBuf {
    profile_dir().parent().expect("target/").to_owned()
}

fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_owned()
}

/// The plugin library of package `package` of the cargo workspace at `workspace`, built alone
/// (so that the features one package enables do not leak into another's build) into
/// `target/third-party`, which every such build shares; with this test's profile, or the other
/// one. Cargo's lock on that directory serialises tests that build at once.
pub fn third_party_in(workspace: &Path, package: &str, other_profile: bool) -> PathBuf {
    let release =
        (profile_dir().file_name().expect("the profile's name") == "release") != other_profile;
    let target = target_dir().join("third-party");
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
        .arg(workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    if release {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo");
    assert!(
        status.success(),
        "building {package} of {} failed",
        workspace.display()
    );
    let path = target
        .join(if release { "release" } else { "debug" })
        .join(file_name(&package.replace('-', "_")));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}
