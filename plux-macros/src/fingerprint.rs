//! The `Fingerprint` of an interface or a hook point: what a program checks a plugin library's
//! plugins against, so it must change whenever what crosses changes, and only then.
//!
//! A macro sees `#[cfg]`s unevaluated, and no type's layout. So the definition hash is not
//! computed here: the expansion is a `const` that the compiler evaluates in the declaring crate,
//! one step per trait item (or struct field) under that item's own `#[cfg]` attributes, each
//! step adding a hash of the item's tokens (docs and cfgs left out) and the size and alignment
//! of every type of its signature that a `const` can name. The declaring crate's cargo features
//! come from rustc's command line (the macro runs inside rustc), and this plux-macros' source
//! fingerprint from its own files, which it holds.

use std::sync::OnceLock;

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::{
    Attribute, FnArg, GenericArgument, GenericParam, Generics, ItemStruct, ItemTrait,
    PathArguments, ReturnType, TraitItem, TraitItemFn, Type, TypeParamBound,
};

/// The fingerprint of this plux-macros' source files (16 hex digits), computed when a macro
/// first needs it: the macros lay out what crosses between a program and a plugin library (the
/// vtable of an interface, with the methods they add), so two builds of one plux version whose
/// macros come from other sources (a git or path dependency between releases) must not be taken
/// for the same.
fn plux_macros() -> &'static str {
    static FINGERPRINT: OnceLock<String> = OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        let files = SOURCES.map(|(path, source)| (path, source.as_bytes()));
        format!("{:016x}", source_fingerprint::of(files))
    })
}

/// Every file of `src`, as compiled (`every_file_of_src_is_in_the_fingerprint` checks that the
/// list is the whole directory).
const SOURCES: [(&str, &str); 12] = [
    ("ast.rs", include_str!("ast.rs")),
    ("asyncness.rs", include_str!("asyncness.rs")),
    ("attr.rs", include_str!("attr.rs")),
    ("expand.rs", include_str!("expand.rs")),
    ("fingerprint.rs", include_str!("fingerprint.rs")),
    ("grammar.rs", include_str!("grammar.rs")),
    ("guard.rs", include_str!("guard.rs")),
    ("lib.rs", include_str!("lib.rs")),
    ("link.rs", include_str!("link.rs")),
    ("naming.rs", include_str!("naming.rs")),
    ("type_docs.rs", include_str!("type_docs.rs")),
    ("valid.rs", include_str!("valid.rs")),
];

#[path = "../source_fingerprint.rs"]
mod source_fingerprint;

/// `Fingerprint` of the interface `tr` (its definition as the user wrote it).
pub(crate) fn of_interface(
    krate: &TokenStream,
    namespace: &impl ToTokens,
    tr: &ItemTrait,
) -> TokenStream {
    let mut header = tr.clone();
    header.attrs = kept(&tr.attrs);
    header.items.clear();
    let steps = tr.items.iter().flat_map(|item| {
        let tokens = match item {
            TraitItem::Fn(f) => return method_steps(krate, f),
            TraitItem::Const(c) => {
                let mut c = c.clone();
                c.attrs = kept(&c.attrs);
                c.to_token_stream()
            }
            TraitItem::Type(t) => {
                let mut t = t.clone();
                t.attrs = kept(&t.attrs);
                t.to_token_stream()
            }
            other => other.to_token_stream(),
        };
        vec![step(krate, &cfgs(item_attrs(item)), &tokens, None, &[])]
    });
    fingerprint(
        krate,
        namespace,
        &tr.ident,
        false,
        &header.to_token_stream(),
        steps,
    )
}

/// `Fingerprint` of the hook point `st`.
pub(crate) fn of_hook_point(
    krate: &TokenStream,
    namespace: &impl ToTokens,
    st: &ItemStruct,
) -> TokenStream {
    let attrs = kept(&st.attrs);
    let (vis, ident, generics) = (&st.vis, &st.ident, &st.generics);
    let header = quote!(#(#attrs)* #vis struct #ident #generics);
    let steps = st.fields.iter().map(|field| {
        let kept = kept(&field.attrs);
        let ty = &field.ty;
        step(
            krate,
            &cfgs(&field.attrs),
            &quote!(#(#kept)* #ty),
            None,
            &[ty],
        )
    });
    fingerprint(krate, namespace, ident, true, &header, steps)
}

/// The attributes of a trait item, of whatever kind.
fn item_attrs(item: &TraitItem) -> &[Attribute] {
    match item {
        TraitItem::Fn(f) => &f.attrs,
        TraitItem::Const(c) => &c.attrs,
        TraitItem::Type(t) => &t.attrs,
        TraitItem::Macro(m) => &m.attrs,
        _ => &[],
    }
}

/// A method's steps: its signature, and the types of its parameters and output; a parameter
/// with `#[cfg]`s of its own gets a step of its own, under the method's cfgs and its own.
fn method_steps(krate: &TokenStream, f: &TraitItemFn) -> Vec<TokenStream> {
    let method_cfgs = cfgs(&f.attrs);
    let kept = kept(&f.attrs);
    let sig = &f.sig;
    let mut types = Vec::new();
    let mut steps = Vec::new();
    for (index, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(typed) = input else {
            continue;
        };
        let own = cfgs(&typed.attrs);
        if own.is_empty() {
            types.push(&*typed.ty);
        } else {
            let all: Vec<&Attribute> = method_cfgs.iter().chain(&own).copied().collect();
            let tokens = quote!(#index #typed);
            steps.push(step(
                krate,
                &all,
                &tokens,
                Some(&sig.generics),
                &[&typed.ty],
            ));
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        types.push(ty);
    }
    let tokens = quote!(#(#kept)* #sig);
    steps.insert(
        0,
        step(krate, &method_cfgs, &tokens, Some(&sig.generics), &types),
    );
    steps
}

/// The `Fingerprint::__new(..)` expression, its definition a block the compiler evaluates: the
/// header's hash, then each step.
fn fingerprint(
    krate: &TokenStream,
    namespace: &impl ToTokens,
    ident: &syn::Ident,
    hook_point: bool,
    header: &TokenStream,
    steps: impl Iterator<Item = TokenStream>,
) -> TokenStream {
    let name = ident.to_string();
    let header = hash(header.clone());
    let features = features();
    let private = quote!(#krate::__private);
    let plux_macros = plux_macros();
    quote! {
        #krate::dynamic::Fingerprint::__new(
            #namespace,
            #name,
            #hook_point,
            ::core::env!("CARGO_PKG_NAME"),
            ::core::env!("CARGO_PKG_VERSION"),
            #features,
            #plux_macros,
            {
                #[allow(unused_imports)]
                use #private::UnsizedLayout as _;
                let definition = #private::Definition::new(#header);
                #(#steps)*
                definition.get()
            },
        )
    }
}

/// One item's step: its hash and its types' layouts, under its own `#[cfg]`s (and
/// `#[cfg_attr]`s, which may hold one), so that the compiler keeps it exactly when it keeps the
/// item.
fn step(
    krate: &TokenStream,
    cfgs: &[&Attribute],
    tokens: &TokenStream,
    generics: Option<&Generics>,
    types: &[&Type],
) -> TokenStream {
    let hash = hash(tokens.clone());
    let params = generics.map_or_else(Params::default, Params::of);
    let mut named = Vec::new();
    for ty in types {
        collect(ty, &params, &mut named);
    }
    let layouts = named
        .iter()
        .map(|ty| quote!(.layout(#krate::__private::LayoutOf::<#ty>::LAYOUT)));
    quote! {
        #(#cfgs)*
        #[allow(unused_attributes, unused_doc_comments)]
        let definition = definition.with(#hash) #(#layouts)*;
    }
}

/// The attributes that count: all but docs (`///` is `#[doc = ".."]`) and cfgs (evaluated by
/// the compiler instead).
fn kept(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|attr| {
            !attr.path().is_ident("doc")
                && !attr.path().is_ident("cfg")
                && !attr.path().is_ident("cfg_attr")
        })
        .cloned()
        .collect()
}

/// The attributes of `attrs` that decide whether the compiler keeps what they are on.
fn cfgs(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs.iter().filter(|attr| is_cfg(attr)).collect()
}

/// `#[cfg(..)]`, or a `#[cfg_attr(.., cfg(..))]`: what decides whether the compiler keeps an
/// item. (Other `cfg_attr`s, e.g. of a `must_use`, would not fit the `let` they go on.)
fn is_cfg(attr: &Attribute) -> bool {
    let path = attr.path();
    path.is_ident("cfg")
        || (path.is_ident("cfg_attr")
            && attr.meta.to_token_stream().into_iter().any(|token| {
                matches!(token, TokenTree::Group(group) if group.stream().into_iter().any(
                    |token| matches!(token, TokenTree::Ident(ident) if ident == "cfg")
                ))
            }))
}

/// A method's generic type and const parameters: a type naming one has no layout in a `const`.
#[derive(Default)]
struct Params(Vec<String>);

impl Params {
    fn of(generics: &Generics) -> Self {
        Params(
            generics
                .params
                .iter()
                .filter_map(|param| match param {
                    GenericParam::Type(ty) => Some(ty.ident.to_string()),
                    GenericParam::Const(c) => Some(c.ident.to_string()),
                    GenericParam::Lifetime(_) => None,
                })
                .collect(),
        )
    }
}

/// `ty` and the types inside it (referents, elements, generic arguments, a fn pointer's
/// parameters) whose layout a `const` of the declaring module can compute: none that names
/// `Self`, a generic parameter of the method, `impl Trait`, `_`, `!` or a macro.
fn collect(ty: &Type, params: &Params, out: &mut Vec<TokenStream>) {
    if let Some(named) = nameable(ty, params) {
        out.push(named);
    }
    let mut inner = |ty: &Type| collect(ty, params, out);
    match ty {
        Type::Array(t) => inner(&t.elem),
        Type::Slice(t) => inner(&t.elem),
        Type::Ptr(t) => inner(&t.elem),
        Type::Reference(t) => inner(&t.elem),
        Type::Paren(t) => inner(&t.elem),
        Type::Group(t) => inner(&t.elem),
        Type::Tuple(t) => t.elems.iter().for_each(inner),
        Type::FnPtr(t) => {
            t.inputs.iter().for_each(|arg| inner(&arg.ty));
            if let ReturnType::Type(_, ty) = &t.output {
                inner(ty);
            }
        }
        Type::Path(t) => t
            .path
            .segments
            .iter()
            .for_each(|segment| arguments(&segment.arguments, &mut inner)),
        Type::TraitObject(t) => bounds(&t.bounds, &mut inner),
        Type::ImplTrait(t) => bounds(&t.bounds, &mut inner),
        _ => {}
    }
}

fn bounds<'a>(bounds: impl IntoIterator<Item = &'a TypeParamBound>, inner: &mut impl FnMut(&Type)) {
    for bound in bounds {
        if let TypeParamBound::Trait(bound) = bound {
            for segment in &bound.path.segments {
                arguments(&segment.arguments, inner);
            }
        }
    }
}

fn arguments(arguments: &PathArguments, inner: &mut impl FnMut(&Type)) {
    match arguments {
        PathArguments::AngleBracketed(args) => {
            for arg in &args.args {
                match arg {
                    GenericArgument::Type(ty) => inner(ty),
                    GenericArgument::AssocType(assoc) => inner(&assoc.ty),
                    _ => {}
                }
            }
        }
        PathArguments::Parenthesized(args) => {
            args.inputs.iter().for_each(|arg| inner(&arg.ty));
            if let ReturnType::Type(_, ty) = &args.output {
                inner(ty);
            }
        }
        PathArguments::None => {}
    }
}

/// `ty` as a `const` of the declaring module can name it, or `None`. Lifetimes are erased
/// there: each named one (a method's, or one a `for<..>` outside `ty` binds) is written
/// `'static`, but those a `for<..>` inside `ty` binds.
fn nameable(ty: &Type, params: &Params) -> Option<TokenStream> {
    if matches!(
        ty,
        Type::ImplTrait(_) | Type::Infer(_) | Type::Never(_) | Type::Macro(_) | Type::Verbatim(_)
    ) {
        return None;
    }
    let tokens = ty.to_token_stream();
    let mut bound = Vec::new();
    binders(tokens.clone(), &mut bound);
    rewrite(tokens, params, &bound)
}

/// The lifetimes of every `for<'a, ..>` in `tokens`.
fn binders(tokens: TokenStream, bound: &mut Vec<String>) {
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Ident(ident) if ident == "for" => {
                if !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '<') {
                    continue;
                }
                for token in tokens.by_ref() {
                    match token {
                        TokenTree::Punct(p) if p.as_char() == '>' => break,
                        TokenTree::Ident(ident) => bound.push(ident.to_string()),
                        _ => {}
                    }
                }
            }
            TokenTree::Group(group) => binders(group.stream(), bound),
            _ => {}
        }
    }
}

fn rewrite(tokens: TokenStream, params: &Params, bound: &[String]) -> Option<TokenStream> {
    let mut out = Vec::new();
    let mut lifetime = false;
    for token in tokens {
        let after_quote = std::mem::take(&mut lifetime);
        let token = match token {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                if after_quote {
                    if name != "static" && name != "_" && !bound.contains(&name) {
                        out.push(TokenTree::Ident(syn::Ident::new("static", ident.span())));
                        continue;
                    }
                } else if name == "Self"
                    || name == "impl"
                    || name == "_"
                    || params.0.contains(&name)
                {
                    return None;
                }
                TokenTree::Ident(ident)
            }
            TokenTree::Punct(punct) => match punct.as_char() {
                // A macro (`m!(..)`) or `!`.
                '!' => return None,
                '\'' => {
                    lifetime = true;
                    TokenTree::Punct(punct)
                }
                _ => TokenTree::Punct(punct),
            },
            TokenTree::Group(group) => {
                let stream = rewrite(group.stream(), params, bound)?;
                let mut rewritten = proc_macro2::Group::new(group.delimiter(), stream);
                rewritten.set_span(group.span());
                TokenTree::Group(rewritten)
            }
            literal @ TokenTree::Literal(_) => literal,
        };
        out.push(token);
    }
    Some(out.into_iter().collect())
}

/// The cargo features of the crate being compiled: rustc's `--cfg feature="name"` flags, sorted
/// and joined with `,`. Empty when the macro does not run inside rustc (an IDE's macro server),
/// where no artifact is made.
fn features() -> String {
    let args = crate::link::rustc_args();
    let mut features: Vec<&str> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let cfg = match arg.strip_prefix("--cfg") {
            Some("") => args.next().map(String::as_str),
            Some(inline) => inline.strip_prefix('='),
            None => None,
        };
        if let Some(feature) = cfg
            .and_then(|cfg| cfg.strip_prefix("feature=\""))
            .and_then(|cfg| cfg.strip_suffix('"'))
        {
            features.push(feature);
        }
    }
    features.sort_unstable();
    features.dedup();
    features.join(",")
}

/// The hash of `tokens` as printed, without the trailing commas a formatter adds or removes.
fn hash(tokens: TokenStream) -> u64 {
    fnv1a(without_trailing_commas(tokens).to_string().as_bytes())
}

/// `tokens` without a `,` before `>`, `;`, `{..}` or the end of a group (unless it is the group's
/// only comma: `(T,)` is a tuple).
fn without_trailing_commas(tokens: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let is_comma = |token: &TokenTree| matches!(token, TokenTree::Punct(p) if p.as_char() == ',');
    let commas = tokens.iter().filter(|token| is_comma(token)).count();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        if is_comma(token) {
            let trailing = match tokens.get(i + 1) {
                None => commas > 1,
                Some(TokenTree::Punct(p)) => matches!(p.as_char(), '>' | ';'),
                Some(TokenTree::Group(g)) => g.delimiter() == proc_macro2::Delimiter::Brace,
                Some(_) => false,
            };
            if trailing {
                continue;
            }
        }
        out.push(match token {
            TokenTree::Group(group) => {
                let mut inner = proc_macro2::Group::new(
                    group.delimiter(),
                    without_trailing_commas(group.stream()),
                );
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
    }
    out.into_iter().collect()
}

/// 64-bit FNV-1a: small, and the same on every platform and compiler run.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A file of `src` left out of [`SOURCES`](super::SOURCES) would be a change of the macros
    /// that the fingerprint does not see.
    #[test]
    fn every_file_of_src_is_in_the_fingerprint() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                assert!(
                    entry.file_type().unwrap().is_file() || entry.path().is_file(),
                    "{}: SOURCES lists the files of src, which has no directories",
                    entry.path().display()
                );
                entry.file_name().into_string().unwrap()
            })
            .collect();
        files.sort();
        let listed: Vec<&str> = super::SOURCES.iter().map(|(path, _)| *path).collect();
        assert_eq!(listed, files, "SOURCES in src/fingerprint.rs");
    }

    #[test]
    fn the_fingerprint_is_of_the_sources() {
        let fingerprint = super::plux_macros();
        assert_eq!(fingerprint.len(), 16);
        let files = super::SOURCES.map(|(path, source)| (path, source.as_bytes()));
        let mut other = files;
        other[0].1 = b"another source";
        assert_ne!(
            format!("{:016x}", super::source_fingerprint::of(other)),
            fingerprint
        );
        assert_eq!(
            format!("{:016x}", super::source_fingerprint::of(files)),
            fingerprint
        );
    }
}
