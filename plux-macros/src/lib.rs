//! Procedural macros of [plux](https://docs.rs/plux). Use them through the `plux` crate, whose
//! documentation describes them; the expansions name `::plux` (override with `crate = path`).

use proc_macro::TokenStream;

mod ast;
mod asyncness;
mod attr;
mod expand;
mod fingerprint;
mod grammar;
mod guard;
mod link;
mod naming;
mod type_docs;
mod valid;

/// Registers a plugin at link time. See the `plux` crate documentation.
#[proc_macro_attribute]
pub fn plugin(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::plugin(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares the namespace of a plugin interface trait. See the `plux` crate documentation.
#[proc_macro_attribute]
pub fn plugin_interface(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::plugin_interface(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares a hook point: its namespace and the signature of its hooks. See the `plux` crate
/// documentation.
#[proc_macro_attribute]
pub fn hook_point(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::hook_point(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Registers one instance of a plugin type, made by a factory. See the `plux` crate documentation.
#[proc_macro]
pub fn plugin_spec(input: TokenStream) -> TokenStream {
    expand::plugin_spec(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Names every plugin crate of the compilation, so that rustc links it. See the `plux` crate
/// documentation.
#[proc_macro]
pub fn link_plugins(input: TokenStream) -> TokenStream {
    link::link_plugins(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
