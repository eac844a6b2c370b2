//! A plugin library that lies: its entry point is written by hand, not by `export_plugins!`,
//! and returns a header that says what the environment variable `ADDS_LIAR` asks for:
//!
//! - `exports-null`: a header copied from a real one, whose exports are null;
//! - `not-utf8`: a rustc that is not text;
//! - `silent`: a real header, but the entry point never says which crates it exports;
//! - `short`: a header that claims a smaller size than plux's.
//!
//! Each is caught. What no check can catch, a header copied from a compatible build over a
//! library of another layout, is the caller's promise (`dynamic::open`'s `# Safety`), and
//! is not run here: it would be undefined behaviour.
//!
//! Like `fixtures/dynamic-skewed`, it has no `#[global_allocator]`: nothing of it reaches the
//! program.

use std::ffi::c_void;

use plux::__private::{header_copy, library_exports, library_header, Exported, Exports, Header, Str};
use plux::plugin;
use plux_fixture_dynamic_api::Greeter;

/// A greeter, which never reaches a program.
#[derive(Default)]
pub struct Liar;

#[plugin(name = "adds_liar")]
impl Greeter for Liar {
    fn greet(&self, who: &str) -> String {
        format!("trust me, {who}")
    }
}

static EXPORTED: Exported = Exported {
    module_path: module_path!(),
    version: None,
    also: &[],
};

static SILENT: Exports = Exports {
    specs: || (library_exports().specs)(),
    create: |spec, product| (library_exports().create)(spec, product),
    should_load: |spec| (library_exports().should_load)(spec),
    exported: || None,
    join: |program| (library_exports().join)(program),
    install_raise: |raise| (library_exports().install_raise)(raise),
};

extern "C" fn null_exports() -> *const c_void {
    std::ptr::null()
}

extern "C" fn silent_exports() -> *const c_void {
    std::ptr::from_ref(&SILENT).cast()
}

static NOT_UTF8: [u8; 4] = [0xff, 0xfe, b'r', b'c'];

/// The entry point, by hand.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn plux_library_v1() -> *const Header {
    library_header(&EXPORTED);
    let mut header = header_copy();
    match std::env::var("ADDS_LIAR").unwrap_or_default().as_str() {
        "exports-null" => header.exports = null_exports,
        "not-utf8" => {
            header.rustc = Str {
                ptr: NOT_UTF8.as_ptr(),
                len: NOT_UTF8.len(),
            }
        }
        "silent" => header.exports = silent_exports,
        "short" => header.header_size -= 8,
        _ => {}
    }
    // Once per library copy: a program opens each once.
    Box::leak(Box::new(header))
}
