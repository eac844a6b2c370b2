//! Parsing and checking of `key = value` arguments, with errors at the user's tokens.

use plux_core::{check_name, check_namespace, IdentKind};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Expr, ExprLit, Lit, LitStr, Path, Type};

/// Every key any macro accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Key {
    Namespace,
    Name,
    Factory,
    Interface,
    ShouldLoad,
    Crate,
}

impl Key {
    fn parse(text: &str) -> Option<Key> {
        Some(match text {
            "namespace" => Key::Namespace,
            "name" => Key::Name,
            "factory" => Key::Factory,
            "interface" => Key::Interface,
            "should_load" => Key::ShouldLoad,
            "crate" => Key::Crate,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Key::Namespace => "namespace",
            Key::Name => "name",
            Key::Factory => "factory",
            Key::Interface => "interface",
            Key::ShouldLoad => "should_load",
            Key::Crate => "crate",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Key::Namespace => "namespace = \"my.plugins\"",
            Key::Name => "name = \"my-plugin\"",
            Key::Factory => "factory = MyPlugin::new",
            Key::Interface => "interface = MyInterface",
            Key::ShouldLoad => "should_load = is_enabled",
            Key::Crate => "crate = ::plux",
        }
    }
}

/// The arguments of one macro call; each is `None` when not given.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) namespace: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) factory: Option<Expr>,
    pub(crate) interface: Option<Type>,
    pub(crate) should_load: Option<Path>,
    pub(crate) krate: Option<Path>,
}

impl Args {
    /// Parses `key = value, ...`, accepting only `allowed` keys; `usage` is shown for mistakes.
    pub(crate) fn parse(tokens: TokenStream, allowed: &[Key], usage: &str) -> syn::Result<Args> {
        let mut args = Args::default();
        let mut seen: Vec<Key> = Vec::new();
        let parser = syn::meta::parser(|meta| {
            let text = meta
                .path
                .get_ident()
                .map(|ident| ident.to_string())
                .or_else(|| meta.path.is_ident("crate").then(|| "crate".to_owned()))
                .unwrap_or_default();
            let key = match Key::parse(&text).filter(|key| allowed.contains(key)) {
                Some(key) => key,
                None => {
                    let expected: Vec<String> = allowed
                        .iter()
                        .map(|key| format!("`{}`", key.example()))
                        .collect();
                    return Err(meta.error(format!(
                        "unknown key `{}` for {usage}; expected one of: {}",
                        path_text(&meta.path),
                        expected.join(", ")
                    )));
                }
            };
            if seen.contains(&key) {
                return Err(meta.error(format!(
                    "duplicate key `{}`: give it once",
                    key.as_str()
                )));
            }
            seen.push(key);
            args.set(key, &meta)
        });
        parser.parse2(tokens)?;
        Ok(args)
    }

    fn set(&mut self, key: Key, meta: &ParseNestedMeta) -> syn::Result<()> {
        let value = meta.value()?;
        match key {
            Key::Namespace => {
                self.namespace = Some(ident_literal(value.parse()?, IdentKind::Namespace)?)
            }
            Key::Name => self.name = Some(ident_literal(value.parse()?, IdentKind::Name)?),
            Key::Factory => self.factory = Some(value.parse()?),
            Key::Interface => self.interface = Some(value.parse()?),
            Key::ShouldLoad => self.should_load = Some(value.parse()?),
            Key::Crate => self.krate = Some(value.parse()?),
        }
        Ok(())
    }

    /// The path to the `plux` crate in expansions.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => quote!(::plux),
        }
    }
}

fn path_text(path: &Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

/// A string literal that follows the namespace or name grammar.
pub(crate) fn ident_literal(expr: Expr, kind: IdentKind) -> syn::Result<LitStr> {
    let Expr::Lit(ExprLit {
        lit: Lit::Str(lit), ..
    }) = expr
    else {
        let example = match kind {
            IdentKind::Namespace => "\"my.plugins\"",
            IdentKind::Name => "\"my-plugin\"",
        };
        return Err(syn::Error::new_spanned(
            expr,
            format!("the {kind} must be a string literal, e.g. {example}"),
        ));
    };
    check_ident(&lit.value(), kind, lit.span())?;
    Ok(lit)
}

/// Checks an identifier against the grammar, with the error at `span`.
pub(crate) fn check_ident(value: &str, kind: IdentKind, span: Span) -> syn::Result<()> {
    let checked = match kind {
        IdentKind::Namespace => check_namespace(value),
        IdentKind::Name => check_name(value),
    };
    checked.map_err(|invalid| syn::Error::new(span, invalid))
}
