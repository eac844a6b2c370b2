//! Parsing and checking of `key = value` arguments, with errors at the user's tokens.
//!
//! Adding a key: a [`Key`] variant, its entry in [`Key::ALL`], its arms in `as_str` and
//! `example` (the compiler points at both), a field of [`Args`] and its arm in `Args::set`; then
//! list it in the `allowed` keys of the macros that take it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Path, Token, Type};

use crate::grammar::{check_name, check_namespace, IdentKind};

/// Every key any macro accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Key {
    Namespace,
    Name,
    Factory,
    Interface,
    Hook,
    ShouldLoad,
    Priority,
    After,
    Before,
    Requires,
    Description,
    Crate,
}

impl Key {
    /// Every key, for parsing and for "did you mean" hints.
    const ALL: &'static [Key] = &[
        Key::Namespace,
        Key::Name,
        Key::Factory,
        Key::Interface,
        Key::Hook,
        Key::ShouldLoad,
        Key::Priority,
        Key::After,
        Key::Before,
        Key::Requires,
        Key::Description,
        Key::Crate,
    ];

    fn parse(text: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|key| key.as_str() == text)
    }

    fn as_str(self) -> &'static str {
        match self {
            Key::Namespace => "namespace",
            Key::Name => "name",
            Key::Factory => "factory",
            Key::Interface => "interface",
            Key::Hook => "hook",
            Key::ShouldLoad => "should_load",
            Key::Priority => "priority",
            Key::After => "after",
            Key::Before => "before",
            Key::Requires => "requires",
            Key::Description => "description",
            Key::Crate => "crate",
        }
    }

    /// The key with a typical value, as shown in error messages.
    pub(crate) fn example(self) -> &'static str {
        match self {
            Key::Namespace => "namespace = \"my.plugins\"",
            Key::Name => "name = \"my-plugin\"",
            Key::Factory => "factory = MyPlugin::new",
            Key::Interface => "interface = MyInterface",
            Key::Hook => "hook = MyHookPoint",
            Key::ShouldLoad => "should_load = is_enabled",
            Key::Priority => "priority = 10",
            Key::After => "after = [\"other-plugin\"]",
            Key::Before => "before = [\"other-plugin\"]",
            Key::Requires => "requires = [\"other-plugin\"]",
            Key::Description => "description = \"what the plugin does\"",
            Key::Crate => "crate = ::plux",
        }
    }

    /// Why a key that exists is refused by this macro, when there is more to say than "no".
    fn not_here(self, usage: &str) -> &'static str {
        if usage.starts_with("#[plugin_interface]") || usage.starts_with("#[hook_point]") {
            return ": it declares only its namespace, the other keys go on each #[plugin]";
        }
        match self {
            Key::ShouldLoad => {
                ": a plugin of an interface decides in the interface's `should_load`, which it \
                 may override"
            }
            Key::Hook => ": only a fn joins a hook point",
            Key::Factory => ": a function plugin is the fn itself, made by no factory",
            Key::Interface if usage.contains("impl") => {
                ": the trait of `impl Trait for Type` is the interface already"
            }
            Key::Interface => ": a function plugin has no interface",
            _ => "",
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
    pub(crate) hook: Option<Type>,
    pub(crate) should_load: Option<Expr>,
    pub(crate) priority: Option<i32>,
    pub(crate) after: Option<Vec<LitStr>>,
    pub(crate) before: Option<Vec<LitStr>>,
    pub(crate) requires: Option<Vec<LitStr>>,
    pub(crate) description: Option<LitStr>,
    pub(crate) krate: Option<Path>,
}

impl Args {
    /// Parses `key = value, ...`, accepting only `allowed` keys; `usage` names the macro and
    /// its item in error messages, e.g. "#[plugin] on a fn".
    pub(crate) fn parse(tokens: TokenStream, allowed: &[Key], usage: &str) -> syn::Result<Args> {
        let parser = |input: ParseStream| {
            let mut args = Args::default();
            let mut seen: Vec<Key> = Vec::new();
            while !input.is_empty() {
                let (key, ident) = parse_key(input, allowed, usage)?;
                if seen.contains(&key) {
                    return Err(syn::Error::new(
                        ident.span(),
                        format!("duplicate key `{}`: give it once", key.as_str()),
                    ));
                }
                seen.push(key);
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(
                        ident.span(),
                        format!("`{}` needs a value: `{}`", key.as_str(), key.example()),
                    ));
                }
                input.parse::<Token![=]>()?;
                args.set(key, input)?;
                if input.is_empty() {
                    break;
                }
                if !input.peek(Token![,]) {
                    return Err(input.error("expected `,` between the `key = value` arguments"));
                }
                input.parse::<Token![,]>()?;
            }
            Ok(args)
        };
        parser.parse2(tokens)
    }

    fn set(&mut self, key: Key, input: ParseStream) -> syn::Result<()> {
        match key {
            Key::Namespace => {
                self.namespace = Some(ident_literal(input.parse()?, IdentKind::Namespace)?)
            }
            Key::Name => self.name = Some(ident_literal(input.parse()?, IdentKind::Name)?),
            Key::Factory => self.factory = Some(callable(input.parse()?, key)?),
            Key::Interface => self.interface = Some(named_type(input, key)?),
            Key::Hook => self.hook = Some(named_type(input, key)?),
            Key::ShouldLoad => self.should_load = Some(callable(input.parse()?, key)?),
            Key::Priority => self.priority = Some(priority(input.parse()?)?),
            Key::After => self.after = Some(plugin_names(input.parse()?, key)?),
            Key::Before => self.before = Some(plugin_names(input.parse()?, key)?),
            Key::Requires => self.requires = Some(plugin_names(input.parse()?, key)?),
            Key::Description => self.description = Some(description(input.parse()?)?),
            Key::Crate => self.krate = Some(crate_path(input.parse()?)?),
        }
        Ok(())
    }

    /// The arguments that few plugins give (ordering, description, `should_load`, a priority
    /// other than 0), as the `&Extra` of the linked spec; `None` when there are none, which
    /// costs the spec nothing.
    pub(crate) fn extra(&self, docs: Option<String>) -> Option<TokenStream> {
        let krate = self.krate();
        let description = self
            .description
            .as_ref()
            .map(|given| given.value())
            .or(docs);
        let names =
            |names: &Option<Vec<LitStr>>| names.iter().flatten().cloned().collect::<Vec<_>>();
        let (after, before, requires) = (
            names(&self.after),
            names(&self.before),
            names(&self.requires),
        );
        let priority = self.priority.unwrap_or(0);
        if after.is_empty()
            && before.is_empty()
            && requires.is_empty()
            && description.is_none()
            && self.should_load.is_none()
            && priority == 0
        {
            return None;
        }
        let description = match description {
            Some(text) => quote!(::core::option::Option::Some(#text)),
            None => quote!(::core::option::Option::None),
        };
        let should_load = match &self.should_load {
            None => quote!(::core::option::Option::None),
            Some(should_load) => quote_spanned!(should_load.span()=> {
                let should_load: fn() -> bool = #should_load;
                ::core::option::Option::Some(should_load)
            }),
        };
        Some(quote! {
            &#krate::__private::Extra::new(
                &[#(#after),*],
                &[#(#before),*],
                &[#(#requires),*],
                #description,
                #should_load,
                #priority,
            )
        })
    }

    /// The path to the `plux` crate in expansions.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => quote!(::plux),
        }
    }
}

/// The key of one `key = value` argument, checked against `allowed`; the ident is for spans.
fn parse_key(input: ParseStream, allowed: &[Key], usage: &str) -> syn::Result<(Key, Ident)> {
    if input.peek(Lit) {
        let lit: Lit = input.parse()?;
        let hint = match &lit {
            Lit::Str(_) if allowed.contains(&Key::Namespace) => {
                format!(": `namespace = {}`", quote::ToTokens::to_token_stream(&lit))
            }
            _ => String::new(),
        };
        return Err(syn::Error::new(
            lit.span(),
            format!("a value needs its key{hint}; {}", expected(allowed, usage)),
        ));
    }
    let ident = input.call(Ident::parse_any).map_err(|err| {
        syn::Error::new(
            err.span(),
            format!("expected `key = value`; {}", expected(allowed, usage)),
        )
    })?;
    let text = ident.to_string();
    match Key::parse(&text) {
        Some(key) if allowed.contains(&key) => Ok((key, ident)),
        Some(key) => Err(syn::Error::new(
            ident.span(),
            format!(
                "`{text}` does not apply to {usage}{}; {}",
                key.not_here(usage),
                expected(allowed, usage)
            ),
        )),
        None => {
            let suggestion = allowed
                .iter()
                .map(|key| (edit_distance(&text, key.as_str()), key))
                .filter(|(distance, key)| *distance <= key.as_str().len() / 3 + 1)
                .min_by_key(|(distance, _)| *distance)
                .map(|(_, key)| format!(" (did you mean `{}`?)", key.as_str()))
                .unwrap_or_default();
            Err(syn::Error::new(
                ident.span(),
                format!(
                    "unknown key `{text}`{suggestion}; {}",
                    expected(allowed, usage)
                ),
            ))
        }
    }
}

/// The keys a macro takes, with examples, for error messages.
fn expected(allowed: &[Key], usage: &str) -> String {
    let examples: Vec<String> = allowed
        .iter()
        .map(|key| format!("`{}`", key.example()))
        .collect();
    format!("the keys of {usage} are: {}", examples.join(", "))
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours (`nmae` is one step from `name`).
fn edit_distance(a: &str, b: &str) -> usize {
    fn at(row: &[usize], j: usize) -> usize {
        // Out of range only for the swap lookups of the first rows, which must never win.
        row.get(j).copied().unwrap_or(usize::MAX / 2)
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Distances from a[..i-1], a[..i] and a[..i+1] to each prefix of b.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let mut best = (at(&previous, j) + usize::from(ca != cb))
                .min(at(&previous, j + 1) + 1)
                .min(at(&row, j) + 1);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(at(&before, j - 1) + 1);
            }
            row.push(best);
        }
        before = std::mem::replace(&mut previous, row);
    }
    at(&previous, b.len())
}

/// The expression inside the invisible groups that `macro_rules!` wraps around a forwarded
/// fragment (`$name:literal`, `$x:expr`), so that a generated call reads like a written one.
pub(crate) fn ungrouped(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => ungrouped(*group.expr),
        Expr::Paren(paren) if matches!(*paren.expr, Expr::Group(_)) => ungrouped(*paren.expr),
        other => other,
    }
}

/// `interface = MyInterface`, `hook = MyHookPoint`: a type, not a string.
fn named_type(input: ParseStream, key: Key) -> syn::Result<Type> {
    if let Ok(expr) = input.fork().parse::<Expr>() {
        if let Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) = ungrouped(expr)
        {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "`{0}` names the type itself, not a string: `{0} = {1}`",
                    key.as_str(),
                    lit.value()
                ),
            ));
        }
    }
    let mut ty: Type = input.parse()?;
    while let Type::Group(group) = ty {
        ty = *group.elem;
    }
    Ok(ty)
}

/// `crate = path`.
fn crate_path(expr: Expr) -> syn::Result<Path> {
    match ungrouped(expr) {
        Expr::Path(path) if path.qself.is_none() => Ok(path.path),
        other => Err(syn::Error::new_spanned(
            other,
            "`crate` takes the path of the plux crate: `crate = ::plux` or `crate = my::plux`",
        )),
    }
}

/// A value that is called (`factory`, `should_load`): literals are a common slip (quoting a
/// path), caught here rather than as a type error in the expansion.
fn callable(expr: Expr, key: Key) -> syn::Result<Expr> {
    let expr = ungrouped(expr);
    if let Expr::Lit(ExprLit { lit, .. }) = &expr {
        let hint = match lit {
            Lit::Str(text) => format!(", without quotes: `{} = {}`", key.as_str(), text.value()),
            _ => format!(": `{}`", key.example()),
        };
        let what = match key {
            Key::ShouldLoad => "`should_load` takes a `fn() -> bool` (a path or a closure)",
            _ => "`factory` takes something to call that returns the plugin (a path or a closure)",
        };
        return Err(syn::Error::new_spanned(expr, format!("{what}{hint}")));
    }
    Ok(expr)
}

/// `priority = 10` or `priority = -3`: an `i32` literal.
fn priority(expr: Expr) -> syn::Result<i32> {
    let expr = match ungrouped(expr) {
        Expr::Unary(mut unary) => {
            *unary.expr = ungrouped(*unary.expr);
            Expr::Unary(unary)
        }
        other => other,
    };
    let (negative, literal) = match &expr {
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr: inner,
            ..
        }) => (true, &**inner),
        other => (false, other),
    };
    let fail = || {
        syn::Error::new_spanned(
            &expr,
            "`priority` takes an integer literal from i32::MIN to i32::MAX, e.g. `priority = 10` \
             (higher loads first; the default is 0)",
        )
    };
    let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = literal
    else {
        return Err(fail());
    };
    if !matches!(int.suffix(), "" | "i32") {
        return Err(fail());
    }
    let value: i64 = int.base10_parse().map_err(|_| fail())?;
    i32::try_from(if negative { -value } else { value }).map_err(|_| fail())
}

/// `after = ["a", "b"]`: plugin names of the same namespace, checked against the name grammar.
fn plugin_names(expr: Expr, key: Key) -> syn::Result<Vec<LitStr>> {
    let expr = ungrouped(expr);
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            format!(
                "`{}` takes a list of plugin names of the same namespace: `{}`",
                key.as_str(),
                key.example()
            ),
        ));
    };
    array
        .elems
        .into_iter()
        .map(|name| ident_literal(name, IdentKind::Name))
        .collect()
}

/// `description = "..."`: a string literal that says something.
fn description(expr: Expr) -> syn::Result<LitStr> {
    let expr = ungrouped(expr);
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) if !lit.value().trim().is_empty() => Ok(lit.clone()),
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Err(syn::Error::new(
            lit.span(),
            "an empty description says nothing: write what the plugin does, or remove the key \
             (the plugin's doc comment is its description)",
        )),
        _ => Err(syn::Error::new_spanned(
            expr,
            "`description` takes a string literal: `description = \"what the plugin does\"`",
        )),
    }
}

/// A string literal that follows the namespace or name grammar.
pub(crate) fn ident_literal(expr: Expr, kind: IdentKind) -> syn::Result<LitStr> {
    let expr = ungrouped(expr);
    let Expr::Lit(ExprLit {
        lit: Lit::Str(lit), ..
    }) = &expr
    else {
        let example = match kind {
            IdentKind::Namespace => "\"my.plugins\"",
            IdentKind::Name => "\"my-plugin\"",
        };
        return Err(syn::Error::new_spanned(
            expr,
            format!(
                "the {kind} must be a string literal, e.g. {example}: it is checked at compile \
                 time, so it cannot come from a constant or an expression"
            ),
        ));
    };
    check_ident(&lit.value(), kind, lit.span())?;
    Ok(lit.clone())
}

/// Checks an identifier against the grammar, with the error at `span`.
pub(crate) fn check_ident(value: &str, kind: IdentKind, span: Span) -> syn::Result<()> {
    let checked = match kind {
        IdentKind::Namespace => check_namespace(value),
        IdentKind::Name => check_name(value),
    };
    checked.map_err(|invalid| syn::Error::new(span, invalid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_parses_back() {
        for key in Key::ALL {
            assert_eq!(Key::parse(key.as_str()), Some(*key));
            assert!(key.example().starts_with(key.as_str()), "{key:?}");
        }
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("nmae", "name"), 1);
        assert_eq!(edit_distance("namespac", "namespace"), 1);
        assert_eq!(edit_distance("", "name"), 4);
        assert_eq!(edit_distance("factory", "factory"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
