//! Compile-time checks of the macros: every misuse in `tests/ui` must fail with the one error
//! saved beside it, and every accepted form in `tests/ui-pass` must build and run.
//!
//! Regenerate the saved errors with `TRYBUILD=overwrite cargo test --test ui`, then read them:
//! each should point at the user's own tokens and say what to write instead.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
