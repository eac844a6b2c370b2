//! The doc comment of the type that `#[plugin] impl Interface for Type` registers: the one Rust
//! users write and rustdoc shows, on `struct Type`, which the attribute on the impl does not see.
//!
//! The macro reads the impl's own source file (`Span::local_file`, Rust 1.88 and later; on an
//! older compiler, or where there is no file, there is no type description), finds the module
//! that holds this impl, and there the struct or enum of that name. A type declared elsewhere
//! (another file, another module, a macro) gives none: its docs are out of reach, and
//! `description = ".."` or a doc comment on the impl says it instead.
//!
//! Every `#[plugin] impl` of a file asks, so what a file says is worked out once per text of the
//! file and kept as plain strings: parsing the file anew for each impl made a crate of 1 000
//! type plugins quadratic (145 s of CPU, BENCHMARKS.md, issue 24).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use quote::ToTokens;
use syn::{Item, ItemImpl};

use crate::expand::doc_comment;

/// The doc comment of `imp`'s self type, declared in the same module of the same file.
pub(crate) fn of_impl(imp: &ItemImpl) -> Option<String> {
    let (trait_path, _) = imp.trait_.as_ref()?;
    let file = imp.impl_token.span.local_file()?;
    let text = std::fs::read_to_string(&file).ok()?;
    let key = (
        trait_path.to_token_stream().to_string(),
        imp.self_ty.to_token_stream().to_string(),
    );
    file_docs(file, text)?.get(&key).cloned().flatten()
}

/// For each `impl Trait for Type` of a file, by the text of `Trait` and of `Type`: the doc
/// comment of the struct or enum `Type` names in the first module that holds such an impl.
type FileDocs = HashMap<(String, String), Option<String>>;

/// Each file read so far: its text, and what it says.
type Files = HashMap<PathBuf, (String, Arc<FileDocs>)>;

/// The docs of the file at `path`, whose text is `text`: from the last parse of that text, or
/// parsed now. `None` if the file does not parse.
fn file_docs(path: PathBuf, text: String) -> Option<Arc<FileDocs>> {
    // Plain strings only: what a parse holds is valid during one expansion alone.
    static FILES: Mutex<Option<Files>> = Mutex::new(None);
    let mut files = FILES.lock().unwrap_or_else(PoisonError::into_inner);
    let files = files.get_or_insert_with(HashMap::new);
    if let Some((parsed, docs)) = files.get(&path) {
        if *parsed == text {
            return Some(docs.clone());
        }
    }
    let mut docs = FileDocs::new();
    collect(&syn::parse_file(&text).ok()?.items, &mut docs);
    let docs = Arc::new(docs);
    files.insert(path, (text, docs.clone()));
    Some(docs)
}

/// Adds the impls of `items` and then those of its inline modules, in order, each key to the
/// first module that holds it.
fn collect(items: &[Item], docs: &mut FileDocs) {
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let (Some((trait_path, _)), Ok(ident)) =
            (imp.trait_.as_ref(), crate::valid::impl_self_ident(imp))
        else {
            continue;
        };
        let key = (
            trait_path.to_token_stream().to_string(),
            imp.self_ty.to_token_stream().to_string(),
        );
        docs.entry(key).or_insert_with(|| {
            let mut types = items.iter().filter_map(|item| match item {
                Item::Struct(s) if s.ident == *ident => Some(&s.attrs),
                Item::Enum(e) if e.ident == *ident => Some(&e.attrs),
                _ => None,
            });
            types.next().and_then(|attrs| doc_comment(attrs))
        });
    }
    for item in items {
        if let Item::Mod(module) = item {
            if let Some((_, items)) = &module.content {
                collect(items, docs);
            }
        }
    }
}
