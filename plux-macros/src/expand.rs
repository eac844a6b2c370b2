//! The expansions: each macro emits the user's item plus one spec in the registry.
//!
//! Type checks that the macros cannot do themselves (is it a plugin, does the factory make the
//! right type) go through small traits declared inside each expansion, whose
//! `#[diagnostic::on_unimplemented]` messages and spans turn a type error into one error at the
//! user's tokens that says what to write.

use plux_core::IdentKind;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{
    Expr, FnArg, GenericParam, Generics, Item, ItemFn, ItemImpl, LitStr, ReturnType, Stmt, Token,
    Type, TypeParamBound,
};

use crate::args::{check_ident, ident_literal, Args, Key};
use crate::naming::snake_case;

/// `#[plugin]` on a struct, an enum, an impl block or a fn.
pub(crate) fn plugin(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(item)?;
    match &item {
        Item::Struct(s) => {
            let spec = plugin_type(args, &s.ident, &s.generics, "a struct")?;
            Ok(quote!(#item #spec))
        }
        Item::Enum(e) => {
            let spec = plugin_type(args, &e.ident, &e.generics, "an enum")?;
            Ok(quote!(#item #spec))
        }
        Item::Impl(imp) => {
            let spec = plugin_impl(args, imp)?;
            Ok(quote!(#item #spec))
        }
        Item::Fn(f) => plugin_fn(args, f),
        other => Err(syn::Error::new(item_span(other), unsupported_item(other))),
    }
}

/// Why `#[plugin]` cannot go on this item, and what to write instead.
fn unsupported_item(item: &Item) -> &'static str {
    match item {
        Item::Trait(_) => {
            "#[plugin] registers a plugin, not an interface: declare the interface's namespace \
             with #[plugin_interface(namespace = \"...\")] on the trait, and put #[plugin] on \
             `impl YourTrait for YourType`"
        }
        Item::Type(_) => {
            "#[plugin] cannot go on a type alias: put it on the definition of the type, or \
             register the type here with plugin_spec!(\"my.plugins\", \"my-plugin\", \
             MyType::default)"
        }
        Item::Mod(_) => {
            "#[plugin] cannot go on a module: put it on each plugin inside (a struct, an enum, an \
             impl block or a fn)"
        }
        Item::Use(_) => {
            "#[plugin] cannot go on a `use`: put it on the plugin's definition, or register an \
             imported type with plugin_spec!(\"my.plugins\", \"my-plugin\", MyType::default)"
        }
        Item::Const(_) | Item::Static(_) => {
            "#[plugin] cannot go on a const or a static: a plugin is made when it is loaded; \
             register a factory instead: plugin_spec!(\"my.plugins\", \"my-plugin\", || \
             MyPlugin::new(..))"
        }
        _ => {
            "#[plugin] goes on a struct, an enum, an `impl` block or a fn; to register a value \
             made by a factory, use plugin_spec!(\"my.plugins\", \"my-plugin\", factory)"
        }
    }
}

fn item_span(item: &Item) -> Span {
    // The first word of the item (`mod`, `const`, `pub`...), not its attributes.
    let mut tokens = item.to_token_stream().into_iter().peekable();
    while let Some(proc_macro2::TokenTree::Punct(punct)) = tokens.peek() {
        if punct.as_char() != '#' {
            break;
        }
        tokens.next(); // `#`
        tokens.next(); // `[...]`
    }
    tokens.next().map_or_else(|| item.span(), |t| t.span())
}

/// Refuses generics on a type or an impl: a plugin is one concrete type.
fn reject_generics(generics: &Generics, what: &str, ty: &str) -> syn::Result<()> {
    if generics.params.is_empty() && generics.where_clause.is_none() {
        return Ok(());
    }
    Err(syn::Error::new_spanned(
        generics,
        format!(
            "#[plugin] cannot register {what} with generic parameters: a plugin is one concrete \
             type; register each instantiation instead, e.g. plugin_spec!(\"my.plugins\", \
             \"my-plugin\", {ty}::<u32>::default)"
        ),
    ))
}

/// The keys of a `#[plugin]` form: its own, then those every form takes (its place in the load
/// order, and where plux is).
fn plugin_keys(own: &[Key]) -> Vec<Key> {
    let common = [Key::Priority, Key::After, Key::Before, Key::Crate];
    own.iter().chain(&common).copied().collect()
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
        &plugin_keys(&[Key::Namespace, Key::Interface, Key::Name, Key::Factory]),
        &usage,
    )?;
    reject_generics(generics, what, &ident.to_string())?;
    let self_ty: Type = syn::parse_quote_spanned!(ident.span()=> #ident);
    let target = match (&args.namespace, &args.interface) {
        (Some(namespace), None) => Target::Namespace(namespace.clone()),
        (None, Some(interface)) => Target::Interface(Box::new(dyn_interface(interface)?)),
        (Some(_), Some(interface)) => {
            return Err(syn::Error::new_spanned(
                interface,
                "give either `namespace` (managed as this type, e.g. \
                 `PluginManager<MyPlugin>`) or `interface` (managed as `dyn MyInterface`, in the \
                 interface's namespace), not both",
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
        &plugin_keys(&[Key::Namespace, Key::Name, Key::Factory]),
        "#[plugin] on an impl block",
    )?;
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
    reject_generics(&imp.generics, "an impl block", &ident.to_string())?;
    let target = match (&args.namespace, &imp.trait_) {
        (_, Some((Some(bang), _, _))) => {
            return Err(syn::Error::new_spanned(
                bang,
                "#[plugin] cannot go on a negative impl",
            ))
        }
        (Some(namespace), _) => Target::Namespace(namespace.clone()),
        (None, Some((None, path, _))) => {
            Target::Interface(Box::new(syn::parse_quote_spanned!(path.span()=> dyn #path)))
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
///
/// The registration goes inside the fn's body: a fn in an impl block (which the macro cannot
/// tell from a free fn) then fails with one "cannot find value" error at the fn's name, instead
/// of an error about a nameless const in an impl followed by that one.
fn plugin_fn(args: TokenStream, f: &ItemFn) -> syn::Result<TokenStream> {
    let args = Args::parse(
        args,
        &plugin_keys(&[Key::Namespace, Key::Name, Key::ShouldLoad]),
        "#[plugin] on a fn",
    )?;
    let sig = &f.sig;
    let fn_type = fn_pointer_type(sig)?;
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
    let ident = &sig.ident;
    let plugin = match &args.should_load {
        None => quote!(#krate::FunctionPlugin::new(__plux_function)),
        Some(should_load) => quote_spanned!(should_load.span()=>
            #krate::FunctionPlugin::with_should_load(__plux_function, #should_load)
        ),
    };
    let namespace = quote!(#namespace);
    let make = quote! {
        let __plux_function: #fn_type = #ident;
        ::core::result::Result::Ok(#krate::Product::new(
            ::std::boxed::Box::new(#plugin),
        ))
    };
    let registration = submit(
        &krate,
        &namespace,
        &name,
        &TokenStream::new(),
        make,
        args.order(),
    );
    let mut f = f.clone();
    f.block
        .stmts
        .insert(0, Stmt::Item(syn::parse2(registration)?));
    Ok(f.into_token_stream())
}

/// The fn-pointer type of a function plugin, `for<'a> fn(&'a str) -> ..`, or why there is none.
fn fn_pointer_type(sig: &syn::Signature) -> syn::Result<TokenStream> {
    let reject =
        |tokens: &dyn ToTokens, message: &str| Err(syn::Error::new_spanned(tokens, message));
    if let Some(asyncness) = &sig.asyncness {
        return reject(
            asyncness,
            "#[plugin] cannot register an async fn: a function plugin is a plain fn pointer; \
             register a fn that returns the future, e.g. `fn start() -> Pin<Box<dyn Future<Output \
             = ()> + Send>>`, or a plugin type whose `load` starts the work",
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        return reject(
            unsafety,
            "#[plugin] cannot register an unsafe fn: callers of a plugin cannot see its safety \
             contract; register a safe fn that wraps the unsafe call",
        );
    }
    if let Some(variadic) = &sig.variadic {
        return reject(variadic, "#[plugin] cannot register a variadic fn");
    }
    let mut lifetimes = Vec::new();
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(lt) if lt.bounds.is_empty() => lifetimes.push(&lt.lifetime),
            GenericParam::Lifetime(lt) => {
                return reject(
                    lt,
                    "a function plugin is a `for<'a> fn(..)` pointer, whose lifetimes cannot have \
                     bounds: remove the bounds",
                )
            }
            GenericParam::Type(_) | GenericParam::Const(_) => {
                return reject(
                    &sig.generics,
                    &format!(
                        "#[plugin] cannot register a generic fn: a function plugin is one fn \
                         pointer; register a non-generic fn that calls it, e.g. \
                         `fn {0}_u32() {{ {0}::<u32>() }}`",
                        sig.ident
                    ),
                )
            }
        }
    }
    if let Some(where_clause) = &sig.generics.where_clause {
        return reject(
            where_clause,
            "a function plugin is a fn pointer, which cannot have a where clause: remove it",
        );
    }
    let mut inputs = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                return reject(
                    receiver,
                    "#[plugin] on a fn registers a free fn, not a method: move the fn out of the \
                     impl block and take the value as an argument, or put #[plugin] on the \
                     plugin type instead",
                )
            }
            FnArg::Typed(arg) if matches!(*arg.ty, Type::ImplTrait(_)) => {
                return reject(
                    &arg.ty,
                    "a function plugin is a fn pointer, which cannot take `impl Trait`: name a \
                     concrete type, or take `&dyn Trait` / `Box<dyn Trait>`",
                )
            }
            FnArg::Typed(arg) => inputs.push(&arg.ty),
        }
    }
    let output =
        match &sig.output {
            ReturnType::Type(_, ty) if matches!(**ty, Type::ImplTrait(_)) => return reject(
                ty,
                "a function plugin is a fn pointer, which cannot return `impl Trait`: return a \
                 concrete type or a `Box<dyn Trait>`",
            ),
            output => output,
        };
    let abi = &sig.abi;
    let binder = if lifetimes.is_empty() {
        TokenStream::new()
    } else {
        quote!(for<#(#lifetimes),*>)
    };
    Ok(quote_spanned!(sig.ident.span()=> #binder #abi fn(#(#inputs),*) #output))
}

/// What the plugin is managed as, and so where its namespace comes from.
enum Target {
    /// `PluginManager<SelfType>`, in this namespace.
    Namespace(LitStr),
    /// `PluginManager<dyn Interface>`, in the interface's namespace.
    Interface(Box<Type>),
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
///
/// Each check is one obligation at one span, so that each mistake is one error: no `Default`
/// (at the type), a factory of another type (at the factory), not a plugin (at the type), not
/// an implementation of the interface (at the interface).
fn register(args: &Args, target: &Target, name: &LitStr, self_ty: &Type) -> TokenStream {
    let krate = args.krate();
    let ty_span = self_ty.span();
    let (helpers, made) = match &args.factory {
        None => (
            default_factory_helper(),
            quote_spanned!(ty_span=> <#self_ty as PluxDefaultFactory>::make()),
        ),
        Some(factory) => {
            let (first, last) = span_range(factory);
            let into_plugin = quote_spanned!(last=> into_plugin);
            let (call, call_helper) = called(factory);
            let returns_helper = returns_helper(&krate);
            (
                quote!(#call_helper #returns_helper),
                quote_spanned!(first=> PluxFactoryOf::<#self_ty>::#into_plugin(#call)?),
            )
        }
    };
    let (namespace, helpers, boxed) = match target {
        Target::Namespace(namespace) => (
            quote!(#namespace),
            helpers,
            quote_spanned!(ty_span=> ::std::boxed::Box::<#self_ty>::new(__plux_plugin)),
        ),
        Target::Interface(interface) => {
            let (first, last) = span_range(interface);
            let boxed = quote_spanned!(last=> boxed);
            let implements = implements_helper(interface);
            (
                quote_spanned!(interface.span()=>
                    <#interface as #krate::PluginInterface>::NAMESPACE
                ),
                quote!(#helpers #implements),
                quote_spanned!(first=> PluxImplements::#boxed(__plux_plugin)),
            )
        }
    };
    let product = quote_spanned!(ty_span=> #krate::Product::new(#boxed));
    let make = quote! {
        let __plux_plugin: #self_ty = #made;
        ::core::result::Result::Ok(#product)
    };
    submit(&krate, &namespace, name, &helpers, make, args.order())
}

/// `PluxImplements::boxed(plugin)`: the plugin as a `Box<dyn Interface>`, or an error that says
/// to implement the interface.
fn implements_helper(interface: &Type) -> TokenStream {
    let bounds = interface_bounds(interface);
    let shown = shown(&bounds);
    let message = format!("`{{Self}}` does not implement `{shown}`, its plugin interface");
    let label = format!("`{{Self}}` is a plugin of `dyn {shown}`, so it must implement `{shown}`");
    let note = format!(
        "implement it: `impl {shown} for {{Self}} {{{{ .. }}}}`, or put #[plugin] on that impl \
         instead of on the type"
    );
    quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait PluxImplements {
            fn boxed(self) -> ::std::boxed::Box<#interface>;
        }
        impl<P: #bounds> PluxImplements for P {
            fn boxed(self) -> ::std::boxed::Box<#interface> {
                ::std::boxed::Box::new(self)
            }
        }
    }
}

/// The trait bounds of `dyn Interface`, to bound a type parameter with.
fn interface_bounds(interface: &Type) -> TokenStream {
    match interface {
        Type::TraitObject(object) => object.bounds.to_token_stream(),
        other => other.to_token_stream(),
    }
}

/// Tokens as a user would write them, for messages: `my::Trait`, not `my :: Trait`.
fn shown(tokens: &TokenStream) -> String {
    tokens
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" >", ">")
}

/// The spans of the first and the last token, so that an expansion can cover all of `tokens`
/// in an error (on stable, a span cannot be joined).
fn span_range(tokens: &dyn ToTokens) -> (Span, Span) {
    let mut iter = tokens.to_token_stream().into_iter();
    let first = iter.next().map_or_else(Span::call_site, |t| t.span());
    let last = iter.last().map_or(first, |t| t.span());
    (first, last)
}

/// `__plux_call(factory)`, spanning the factory's tokens, and the fn it calls.
///
/// A generic fn rather than `(factory)()`: the user's closure would be called where it is
/// declared (which clippy flags in the user's crate), and a value that cannot be called gets
/// rustc's "expected an `FnOnce()` closure" error, which shows how to wrap it.
fn called(factory: &Expr) -> (TokenStream, TokenStream) {
    let (first, last) = span_range(factory);
    let callee = quote_spanned!(first=> __plux_call);
    let mut argument = proc_macro2::Group::new(
        proc_macro2::Delimiter::Parenthesis,
        factory.to_token_stream(),
    );
    argument.set_span(last);
    let helper = quote! {
        fn __plux_call<F: ::core::ops::FnOnce() -> R, R>(factory: F) -> R {
            factory()
        }
    };
    (quote!(#callee #argument), helper)
}

/// `<T as PluxDefaultFactory>::make()`: `T::default()`, with an error that offers `factory`.
fn default_factory_helper() -> TokenStream {
    quote! {
        #[diagnostic::on_unimplemented(
            message = "`{Self}` has no `Default`, which #[plugin] calls to make it",
            label = "`{Self}` does not implement `Default`",
            note = "derive it with `#[derive(Default)]`, or name a factory that makes the plugin: \
                    `#[plugin(..., factory = {Self}::new)]`"
        )]
        trait PluxDefaultFactory: ::core::marker::Sized {
            fn make() -> Self;
        }
        impl<T: ::core::default::Default> PluxDefaultFactory for T {
            fn make() -> Self {
                <T as ::core::default::Default>::default()
            }
        }
    }
}

/// `PluxFactoryOf::<P>::into_plugin(made)`: what a factory of `P` returned, as a `P`.
fn returns_helper(krate: &TokenStream) -> TokenStream {
    quote! {
        #[diagnostic::on_unimplemented(
            message = "this factory makes `{Self}`, but the plugin is `{P}`",
            label = "expected a factory that returns `{P}` or `Result<{P}, E>`",
            note = "a factory is called with no arguments and returns the plugin, or a `Result` of \
                    it whose error converts into `plux::BoxError`"
        )]
        trait PluxFactoryOf<P> {
            fn into_plugin(self) -> ::core::result::Result<P, #krate::BoxError>;
        }
        impl<P> PluxFactoryOf<P> for P {
            fn into_plugin(self) -> ::core::result::Result<P, #krate::BoxError> {
                ::core::result::Result::Ok(self)
            }
        }
        impl<P, E: ::core::convert::Into<#krate::BoxError>> PluxFactoryOf<P>
            for ::core::result::Result<P, E>
        {
            fn into_plugin(self) -> ::core::result::Result<P, #krate::BoxError> {
                self.map_err(::core::convert::Into::into)
            }
        }
    }
}

/// Places a spec in the registry: `helpers` are items the factory body `make` uses; `order` the
/// ordering arguments, if any were given.
fn submit(
    krate: &TokenStream,
    namespace: &TokenStream,
    name: &LitStr,
    helpers: &TokenStream,
    make: TokenStream,
    order: Option<TokenStream>,
) -> TokenStream {
    let (constructor, order) = match order {
        None => (quote!(__static), TokenStream::new()),
        Some(order) => (quote!(__static_ordered), quote!(, #order)),
    };
    quote! {
        #krate::__private::submit! {{
            #helpers
            fn __plux_factory() -> ::core::result::Result<#krate::Product, #krate::BoxError> {
                #make
            }
            #krate::PluginSpec::#constructor(
                #namespace,
                #name,
                __plux_factory,
                #krate::Location {
                    module_path: ::core::option::Option::Some(::core::module_path!()),
                    file: ::core::file!(),
                    line: ::core::line!(),
                    column: ::core::column!(),
                }
                #order
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
            "#[plugin_interface] goes on a trait that extends `plux::Plugin`, e.g. \
             `trait MyInterface: plux::Plugin<Args = (), Output = ()>`; for a plugin type use \
             #[plugin]",
        ));
    };
    let args = Args::parse(args, &[Key::Namespace, Key::Crate], "#[plugin_interface]")?;
    if !tr.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &tr.generics,
            "#[plugin_interface] needs a trait without generic parameters, so that \
             `dyn Trait` names one plugin type; fix `Args` and `Output` in its `Plugin` bound, \
             e.g. `trait MyInterface: plux::Plugin<Args = MyArgs, Output = ()>`",
        ));
    }
    let extends_a_trait = tr
        .supertraits
        .iter()
        .any(|bound| matches!(bound, TypeParamBound::Trait(_)));
    if !extends_a_trait {
        let ident = &tr.ident;
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "a plugin interface extends `plux::Plugin`, which fixes what its plugins load \
                 with and return: `trait {ident}: plux::Plugin<Args = (), Output = ()>`"
            ),
        ));
    }
    let Some(namespace) = &args.namespace else {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[plugin_interface] needs the namespace of the plugins of `dyn {}`: \
                 #[plugin_interface(namespace = \"my.plugins\")]",
                tr.ident
            ),
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
    /// `priority`, `after`, `before` given after the three arguments.
    order: Args,
}

const SPEC_USAGE: &str = "(namespace, name, factory), e.g. \
    `plugin_spec!(\"my.plugins\", \"s3\", || ServicePlugin::new(\"s3\"))`, or \
    (dyn MyInterface, name, factory) to manage the plugin as the interface";

impl Parse for SpecInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("plugin_spec! takes three arguments, {SPEC_USAGE}"),
            ));
        }
        let target = if input.peek(Token![dyn]) {
            Target::Interface(Box::new(input.parse()?))
        } else {
            let namespace: Expr = input.parse()?;
            if !matches!(namespace, Expr::Lit(_)) {
                return Err(syn::Error::new_spanned(
                    namespace,
                    "plugin_spec! takes the namespace as a string literal (\"my.plugins\"), \
                     checked at compile time, or an interface as `dyn MyInterface`",
                ));
            }
            Target::Namespace(ident_literal(namespace, IdentKind::Namespace)?)
        };
        let mut rest: Vec<Expr> = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            rest.push(input.parse()?);
        }
        let mut rest = rest.into_iter();
        let (name, factory) = match (rest.next(), rest.next()) {
            (Some(name), Some(factory)) => (name, factory),
            (name, _) => {
                let missing = if name.is_some() {
                    "the factory"
                } else {
                    "the plugin name and the factory"
                };
                return Err(syn::Error::new(
                    Span::call_site(),
                    format!("plugin_spec! is missing {missing}; it takes {SPEC_USAGE}"),
                ));
            }
        };
        let mut options = TokenStream::new();
        for extra in rest {
            if !matches!(extra, Expr::Assign(_)) {
                return Err(syn::Error::new_spanned(
                    extra,
                    format!(
                        "plugin_spec! takes three arguments, then only `key = value` options \
                         (`priority = 10`, `after = [\"x\"]`, `before = [\"y\"]`): {SPEC_USAGE}"
                    ),
                ));
            }
            options.extend(quote!(#extra,));
        }
        let order = Args::parse(
            options,
            &[Key::Priority, Key::After, Key::Before],
            "plugin_spec!",
        )?;
        Ok(SpecInput {
            target,
            name: ident_literal(name, IdentKind::Name)?,
            factory,
            order,
        })
    }
}

pub(crate) fn plugin_spec(input: TokenStream) -> syn::Result<TokenStream> {
    let SpecInput {
        target,
        name,
        factory,
        order,
    } = SpecInput::parse.parse2(input)?;
    let krate = quote!(::plux);
    let span = factory.span();
    let (call, call_helper) = called(&factory);
    let (namespace, helpers, make) = match &target {
        Target::Namespace(namespace) => (
            quote!(#namespace),
            // A generic fn, so that "not a plugin" is the one unmet bound of one call.
            quote! {
                #call_helper
                fn __plux_product<R: #krate::FactoryResult>(
                    made: R,
                ) -> ::core::result::Result<#krate::Product, #krate::BoxError> {
                    let plugin = #krate::FactoryResult::into_plugin(made)?;
                    ::core::result::Result::Ok(#krate::Product::new(::std::boxed::Box::new(plugin)))
                }
            },
            quote_spanned!(span=> __plux_product(#call)),
        ),
        Target::Interface(interface) => (
            quote_spanned!(interface.span()=>
                <#interface as #krate::PluginInterface>::NAMESPACE
            ),
            {
                let interface_helper = interface_helper(&krate, interface);
                quote!(#call_helper #interface_helper)
            },
            quote_spanned!(span=> {
                let __plux_plugin: ::std::boxed::Box<#interface> =
                    PluxIntoInterface::into_interface(#call)?;
                ::core::result::Result::Ok(#krate::Product::new(__plux_plugin))
            }),
        ),
    };
    Ok(submit(
        &krate,
        &namespace,
        &name,
        &helpers,
        make,
        order.order(),
    ))
}

/// `PluxIntoInterface::into_interface(made)`: what a factory returned, boxed as `dyn Interface`.
///
/// The marker parameter keeps the two impls apart (a plugin, or a `Result` of one), which a
/// crate may not otherwise write for a trait it does not own.
fn interface_helper(krate: &TokenStream, interface: &Type) -> TokenStream {
    let bounds = interface_bounds(interface);
    let message = format!(
        "this factory makes `{{Self}}`, which is not a plugin of `{}`, nor a `Result` of one",
        shown(&bounds)
    );
    quote! {
        #[diagnostic::on_unimplemented(
            message = #message,
            label = "the factory must return a type that implements the interface, or a `Result` \
                     of it"
        )]
        trait PluxIntoInterface<M> {
            fn into_interface(
                self,
            ) -> ::core::result::Result<::std::boxed::Box<#interface>, #krate::BoxError>;
        }
        struct PluxPlain;
        struct PluxFallible;
        impl<P: #bounds> PluxIntoInterface<PluxPlain> for P {
            fn into_interface(
                self,
            ) -> ::core::result::Result<::std::boxed::Box<#interface>, #krate::BoxError> {
                ::core::result::Result::Ok(::std::boxed::Box::new(self))
            }
        }
        impl<P: #bounds, E: ::core::convert::Into<#krate::BoxError>> PluxIntoInterface<PluxFallible>
            for ::core::result::Result<P, E>
        {
            fn into_interface(
                self,
            ) -> ::core::result::Result<::std::boxed::Box<#interface>, #krate::BoxError> {
                match self {
                    ::core::result::Result::Ok(plugin) => {
                        ::core::result::Result::Ok(::std::boxed::Box::new(plugin))
                    }
                    ::core::result::Result::Err(err) => {
                        ::core::result::Result::Err(::core::convert::Into::into(err))
                    }
                }
            }
        }
    }
}
