//! The expansions: each macro emits the user's item unchanged plus one spec in the registry.

use plux_core::IdentKind;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Generics, Item, ItemFn, ItemImpl, LitStr, ReturnType, Token, Type};

use crate::args::{check_ident, ident_literal, Args, Key};
use crate::naming::snake_case;

/// `#[plugin]` on a struct, an enum, an impl block or a fn.
pub(crate) fn plugin(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(item)?;
    let spec = match &item {
        Item::Struct(s) => plugin_type(args, &s.ident, &s.generics, "a struct")?,
        Item::Enum(e) => plugin_type(args, &e.ident, &e.generics, "an enum")?,
        Item::Impl(imp) => plugin_impl(args, imp)?,
        Item::Fn(f) => plugin_fn(args, f)?,
        Item::Trait(t) => {
            return Err(syn::Error::new(
                t.ident.span(),
                "#[plugin] registers a plugin, not an interface: declare the interface's \
                 namespace with #[plugin_interface(namespace = \"...\")] and put #[plugin] on \
                 `impl YourTrait for YourType`",
            ))
        }
        other => {
            return Err(syn::Error::new(
                item_span(other),
                "#[plugin] goes on a struct, an enum, an `impl` block or a fn; \
                 to register a value made by a factory, use plugin_spec!(namespace, name, factory)",
            ))
        }
    };
    Ok(quote!(#item #spec))
}

fn item_span(item: &Item) -> Span {
    // The first tokens of the item, e.g. `mod`, `const`, `static`, `use`.
    item.to_token_stream()
        .into_iter()
        .find(|t| !matches!(t, proc_macro2::TokenTree::Punct(_)))
        .map_or_else(|| item.span(), |t| t.span())
}

fn reject_generics(generics: &Generics, what: &str) -> syn::Result<()> {
    if generics.params.is_empty() && generics.where_clause.is_none() {
        return Ok(());
    }
    Err(syn::Error::new_spanned(
        generics,
        format!(
            "#[plugin] cannot register {what} with generic parameters: a plugin is one concrete \
             type; register each instantiation with \
             plugin_spec!(\"my.plugins\", \"name\", MyPlugin::<Concrete>::default)"
        ),
    ))
}

/// `#[plugin(namespace = "...")]` or `#[plugin(interface = Trait)]` on a struct or an enum.
fn plugin_type(
    args: TokenStream,
    ident: &syn::Ident,
    generics: &Generics,
    what: &str,
) -> syn::Result<TokenStream> {
    let usage = format!("#[plugin] on {what}");
    let args = Args::parse(
        args,
        &[Key::Namespace, Key::Interface, Key::Name, Key::Factory, Key::Crate],
        &usage,
    )?;
    reject_generics(generics, what)?;
    let self_ty: Type = syn::parse_quote!(#ident);
    let target = match (&args.namespace, &args.interface) {
        (Some(namespace), None) => Target::Namespace(namespace.clone()),
        (None, Some(interface)) => Target::Interface(dyn_interface(interface)?),
        (Some(_), Some(interface)) => {
            return Err(syn::Error::new_spanned(
                interface,
                "give either `namespace` (plugins managed as this type) or `interface` (the \
                 namespace of the interface), not both",
            ))
        }
        (None, None) => {
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[plugin] on {what} needs a namespace: write #[plugin(namespace = \
                     \"my.plugins\")] to manage it as `PluginManager<{ident}>`, or \
                     #[plugin(interface = MyInterface)] to manage it as `dyn MyInterface`"
                ),
            ))
        }
    };
    let name = plugin_name(&args, ident)?;
    Ok(register(&args, &target, &name, &self_ty))
}

/// `#[plugin]` on `impl Interface for Type` (namespace of the interface), or with a namespace
/// on any impl of the type.
fn plugin_impl(args: TokenStream, imp: &ItemImpl) -> syn::Result<TokenStream> {
    let args = Args::parse(
        args,
        &[Key::Namespace, Key::Name, Key::Factory, Key::Crate],
        "#[plugin] on an impl block",
    )?;
    reject_generics(&imp.generics, "an impl block")?;
    let ident = match &*imp.self_ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        _ => None,
    };
    let Some(ident) = ident else {
        return Err(syn::Error::new_spanned(
            &imp.self_ty,
            "#[plugin] registers a named type: put it on `impl MyInterface for MyType`",
        ));
    };
    let target = match (&args.namespace, &imp.trait_) {
        (Some(namespace), _) => Target::Namespace(namespace.clone()),
        (None, Some((Some(bang), _, _))) => {
            return Err(syn::Error::new_spanned(
                bang,
                "#[plugin] cannot go on a negative impl",
            ))
        }
        (None, Some((None, path, _))) => {
            Target::Interface(syn::parse_quote_spanned!(path.span()=> dyn #path))
        }
        (None, None) => {
            return Err(syn::Error::new(
                Span::call_site(),
                format!(
                    "#[plugin] on an inherent impl needs a namespace: write #[plugin(namespace = \
                     \"my.plugins\")], or put #[plugin] on `impl MyInterface for {ident}`"
                ),
            ))
        }
    };
    let name = plugin_name(&args, ident)?;
    Ok(register(&args, &target, &name, &imp.self_ty))
}

/// `#[plugin(namespace = "...")]` on a fn: a `FunctionPlugin<fn(..) -> ..>`.
fn plugin_fn(args: TokenStream, f: &ItemFn) -> syn::Result<TokenStream> {
    let args = Args::parse(
        args,
        &[Key::Namespace, Key::Name, Key::ShouldLoad, Key::Crate],
        "#[plugin] on a fn",
    )?;
    let sig = &f.sig;
    reject_generics(&sig.generics, "a fn")?;
    let reject = |tokens: &dyn ToTokens, message: &str| {
        Err(syn::Error::new_spanned(tokens, message.to_owned()))
    };
    if let Some(asyncness) = &sig.asyncness {
        return reject(
            asyncness,
            "#[plugin] cannot register an async fn: register a plain fn that returns the future's \
             input, or a plugin type whose `load` starts the work",
        );
    }
    if let Some(constness) = &sig.constness {
        return reject(constness, "#[plugin] cannot register a const fn; remove `const`");
    }
    if let Some(unsafety) = &sig.unsafety {
        return reject(
            unsafety,
            "#[plugin] cannot register an unsafe fn: wrap it in a safe fn",
        );
    }
    if let Some(variadic) = &sig.variadic {
        return reject(variadic, "#[plugin] cannot register a variadic fn");
    }
    let mut inputs = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                return reject(
                    receiver,
                    "#[plugin] registers free functions, not methods: remove `self`",
                )
            }
            FnArg::Typed(arg) if matches!(*arg.ty, Type::ImplTrait(_)) => {
                return reject(
                    &arg.ty,
                    "a function plugin has a fn-pointer type, which cannot take `impl Trait`: \
                     name a concrete type, or `&dyn Trait`",
                )
            }
            FnArg::Typed(arg) => inputs.push(&arg.ty),
        }
    }
    let output = match &sig.output {
        ReturnType::Type(_, ty) if matches!(**ty, Type::ImplTrait(_)) => {
            return reject(
                ty,
                "a function plugin has a fn-pointer type, which cannot return `impl Trait`: \
                 return a concrete type or a `Box<dyn Trait>`",
            )
        }
        output => output,
    };
    let Some(namespace) = args.namespace.clone() else {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[plugin] on a fn needs a namespace: write #[plugin(namespace = \"my.plugins\")] \
                 above `fn {}`",
                sig.ident
            ),
        ));
    };
    let name = plugin_name(&args, &sig.ident)?;
    let krate = args.krate();
    let abi = &sig.abi;
    let ident = &sig.ident;
    let fn_type = quote_spanned!(sig.span()=> #abi fn(#(#inputs),*) #output);
    let plugin = match &args.should_load {
        None => quote!(#krate::FunctionPlugin::new(function)),
        Some(path) => quote_spanned!(path.span()=>
            #krate::FunctionPlugin::with_should_load(function, #path)
        ),
    };
    let namespace = quote!(#namespace);
    let make = quote! {
        let function: #fn_type = #ident;
        ::core::result::Result::Ok(#krate::Product::new(
            ::std::boxed::Box::new(#plugin),
        ))
    };
    Ok(submit(&krate, &namespace, &name, make))
}

/// What the plugin is managed as, and so where its namespace comes from.
enum Target {
    /// `PluginManager<SelfType>`, in this namespace.
    Namespace(LitStr),
    /// `PluginManager<dyn Interface>`, in the interface's namespace.
    Interface(Type),
}

fn dyn_interface(ty: &Type) -> syn::Result<Type> {
    match ty {
        Type::TraitObject(_) => Ok(ty.clone()),
        Type::Path(path) if path.qself.is_none() => {
            Ok(syn::parse_quote_spanned!(ty.span()=> dyn #path))
        }
        _ => Err(syn::Error::new_spanned(
            ty,
            "`interface` names a trait declared with #[plugin_interface], e.g. \
             `interface = CliPlugin`",
        )),
    }
}

fn plugin_name(args: &Args, ident: &syn::Ident) -> syn::Result<LitStr> {
    if let Some(name) = &args.name {
        return Ok(name.clone());
    }
    let derived = snake_case(&ident.to_string());
    check_ident(&derived, IdentKind::Name, ident.span()).map_err(|err| {
        syn::Error::new(
            ident.span(),
            format!("{err}; name the plugin yourself: `name = \"my-plugin\"`"),
        )
    })?;
    Ok(LitStr::new(&derived, ident.span()))
}

/// The spec of a type plugin: made by `factory` (default: `Default::default`), boxed as the
/// target type.
fn register(args: &Args, target: &Target, name: &LitStr, self_ty: &Type) -> TokenStream {
    let krate = args.krate();
    let factory = match &args.factory {
        Some(factory) => factory.to_token_stream(),
        None => quote_spanned!(self_ty.span()=>
            <#self_ty as ::core::default::Default>::default
        ),
    };
    let (namespace, product) = match target {
        Target::Namespace(namespace) => (quote!(#namespace), quote!(#self_ty)),
        Target::Interface(interface) => (
            quote_spanned!(interface.span()=>
                <#interface as #krate::PluginInterface>::NAMESPACE
            ),
            quote!(#interface),
        ),
    };
    let make = quote_spanned! {factory.span()=>
        let plugin: ::std::boxed::Box<#product> =
            ::std::boxed::Box::new(#krate::__private::call_factory(#factory)?);
        ::core::result::Result::Ok(#krate::Product::new(plugin))
    };
    submit(&krate, &namespace, name, make)
}

/// Places a spec whose factory body is `make` in the registry.
fn submit(krate: &TokenStream, namespace: &TokenStream, name: &LitStr, make: TokenStream) -> TokenStream {
    quote! {
        #krate::__private::submit! {{
            fn factory() -> ::core::result::Result<#krate::Product, #krate::BoxError> {
                #make
            }
            #krate::PluginSpec::__static(
                #namespace,
                #name,
                factory,
                #krate::Location {
                    module_path: ::core::option::Option::Some(::core::module_path!()),
                    file: ::core::file!(),
                    line: ::core::line!(),
                    column: ::core::column!(),
                },
            )
        }}
    }
}

/// `#[plugin_interface(namespace = "...")]` on a trait.
pub(crate) fn plugin_interface(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(item)?;
    let Item::Trait(tr) = &item else {
        return Err(syn::Error::new(
            item_span(&item),
            "#[plugin_interface] goes on a trait that extends `plux::Plugin`; \
             for a plugin type use #[plugin]",
        ));
    };
    let args = Args::parse(
        args,
        &[Key::Namespace, Key::Crate],
        "#[plugin_interface]",
    )?;
    if !tr.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &tr.generics,
            "#[plugin_interface] needs a trait without generic parameters, so that \
             `dyn Trait` names one plugin type; fix `Args` and `Output` in its `Plugin` bound",
        ));
    }
    let Some(namespace) = &args.namespace else {
        return Err(syn::Error::new(
            Span::call_site(),
            "#[plugin_interface] needs the namespace: #[plugin_interface(namespace = \"my.plugins\")]",
        ));
    };
    let krate = args.krate();
    let ident = &tr.ident;
    Ok(quote! {
        #item
        impl #krate::PluginInterface for dyn #ident {
            const NAMESPACE: &'static str = #namespace;
        }
    })
}

/// `plugin_spec!(namespace, name, factory)`.
struct SpecInput {
    target: Target,
    name: LitStr,
    factory: Expr,
}

const SPEC_USAGE: &str = "plugin_spec! takes (namespace, name, factory), e.g. \
    plugin_spec!(\"my.plugins\", \"s3\", || ServicePlugin::new(\"s3\")), or \
    (dyn MyInterface, name, factory) to manage it as the interface";

impl Parse for SpecInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let args: Punctuated<Expr, Token![,]> = if input.peek(Token![dyn]) {
            let interface: Type = input.parse()?;
            let rest: Punctuated<Expr, Token![,]> = if input.is_empty() {
                Punctuated::new()
            } else {
                input.parse::<Token![,]>()?;
                Punctuated::parse_terminated(input)?
            };
            return SpecInput::from_parts(Target::Interface(interface), rest, input.span());
        } else {
            Punctuated::parse_terminated(input)?
        };
        let mut args = args.into_iter();
        let Some(namespace) = args.next() else {
            return Err(syn::Error::new(Span::call_site(), SPEC_USAGE));
        };
        if !matches!(namespace, Expr::Lit(_)) {
            return Err(syn::Error::new_spanned(
                namespace,
                "expected the namespace as a string literal (\"my.plugins\") or an interface \
                 as `dyn MyInterface`",
            ));
        }
        let namespace = ident_literal(namespace, IdentKind::Namespace)?;
        SpecInput::from_parts(Target::Namespace(namespace), args.collect(), input.span())
    }
}

impl SpecInput {
    fn from_parts(
        target: Target,
        rest: Punctuated<Expr, Token![,]>,
        end: Span,
    ) -> syn::Result<Self> {
        let mut rest = rest.into_iter();
        let (Some(name), Some(factory)) = (rest.next(), rest.next()) else {
            return Err(syn::Error::new(end, SPEC_USAGE));
        };
        if let Some(extra) = rest.next() {
            return Err(syn::Error::new_spanned(
                extra,
                format!("unexpected argument; {SPEC_USAGE}"),
            ));
        }
        let name = ident_literal(name, IdentKind::Name)?;
        Ok(SpecInput {
            target,
            name,
            factory,
        })
    }
}

pub(crate) fn plugin_spec(input: TokenStream) -> syn::Result<TokenStream> {
    if input.is_empty() {
        return Err(syn::Error::new(Span::call_site(), SPEC_USAGE));
    }
    let SpecInput {
        target,
        name,
        factory,
    } = SpecInput::parse.parse2(input)?;
    let krate = quote!(::plux);
    let factory_tokens = factory.to_token_stream();
    let (namespace, plugin) = match &target {
        Target::Namespace(namespace) => (
            quote!(#namespace),
            quote_spanned!(factory.span()=>
                ::std::boxed::Box::new(#krate::__private::call_factory(#factory_tokens)?)
            ),
        ),
        Target::Interface(interface) => (
            quote_spanned!(interface.span()=>
                <#interface as #krate::PluginInterface>::NAMESPACE
            ),
            quote_spanned!(factory.span()=> {
                let plugin: ::std::boxed::Box<#interface> =
                    ::std::boxed::Box::new(#krate::__private::call_factory(#factory_tokens)?);
                plugin
            }),
        ),
    };
    let make = quote! {
        ::core::result::Result::Ok(#krate::Product::new(#plugin))
    };
    Ok(submit(&krate, &namespace, &name, make))
}
