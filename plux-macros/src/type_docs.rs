//! The doc comment of the type that `#[plugin] impl Interface for Type` registers: the one Rust
//! users write and rustdoc shows, on `struct Type`, which the attribute on the impl does not see.
//!
//! The macro reads the impl's own source file (`Span::local_file`, Rust 1.88 and later; on an
//! older compiler, or where there is no file, there is no type description), finds the module
//! that holds this impl, and there the struct or enum of that name. A type declared elsewhere
//! (another file, another module, a macro) gives none: its docs are out of reach, and
//! `description = ".."` or a doc comment on the impl says it instead.

use quote::ToTokens;
use syn::{Item, ItemImpl};

use crate::expand::doc_comment;

/// The doc comment of `imp`'s self type, declared in the same module of the same file.
pub(crate) fn of_impl(imp: &ItemImpl) -> Option<String> {
    let ident = crate::valid::impl_self_ident(imp).ok()?;
    let (trait_path, _) = imp.trait_.as_ref()?;
    let file = imp.impl_token.span.local_file()?;
    let text = std::fs::read_to_string(file).ok()?;
    // Parsed anew for each impl: what the parse holds is only valid during this expansion.
    let parsed = syn::parse_file(&text).ok()?;
    let key = (
        trait_path.to_token_stream().to_string(),
        imp.self_ty.to_token_stream().to_string(),
    );
    let module = module_of(&parsed.items, &key)?;
    let mut types = module.iter().filter_map(|item| match item {
        Item::Struct(s) if s.ident == *ident => Some(&s.attrs),
        Item::Enum(e) if e.ident == *ident => Some(&e.attrs),
        _ => None,
    });
    doc_comment(types.next()?)
}

/// The items of the (inline) module whose items hold `impl trait for type` as `key` says.
fn module_of<'a>(items: &'a [Item], key: &(String, String)) -> Option<&'a [Item]> {
    let here = items.iter().any(|item| match item {
        Item::Impl(imp) => imp.trait_.as_ref().is_some_and(|(path, _)| {
            path.to_token_stream().to_string() == key.0
                && imp.self_ty.to_token_stream().to_string() == key.1
        }),
        _ => false,
    });
    if here {
        return Some(items);
    }
    items.iter().find_map(|item| match item {
        Item::Mod(module) => module_of(&module.content.as_ref()?.1, key),
        _ => None,
    })
}
