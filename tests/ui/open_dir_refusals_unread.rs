// `open_dir(dir)?` alone would drop every refusal unread: the report is `#[must_use]`.
#![deny(unused_must_use)]
#![allow(unsafe_code)]

fn main() -> Result<(), plux::dynamic::LibraryError> {
    // SAFETY: a directory of trusted libraries (this test never runs).
    unsafe { plux::dynamic::open_dir("plugins") }?;
    Ok(())
}
