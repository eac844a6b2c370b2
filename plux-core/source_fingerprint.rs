//! The fingerprint of a crate's source files: a plugin library and the program that opens it must
//! be built from the same plux sources. plux-core's build script hashes the files of its `src`;
//! plux-macros (which includes this file through a symlink) hashes the files it compiles, read by
//! `include_str!`, when a macro first needs the fingerprint: a proc-macro crate without a build
//! script is one compile, link and run less in every user's first build.

/// FNV-1a over `files`, in path order: each path (relative to `src`, with `/`), its length and
/// its bytes.
pub fn of<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> u64 {
    let mut files: Vec<(&str, &[u8])> = files.into_iter().collect();
    files.sort_unstable_by_key(|&(path, _)| path);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (path, contents) in files {
        feed(path.as_bytes());
        feed(&(contents.len() as u64).to_le_bytes());
        feed(contents);
    }
    hash
}
