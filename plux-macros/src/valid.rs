//! The checks the macros make before expanding, each with the message that says what to write
//! instead, at the user's tokens.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, FnArg, GenericParam, Generics, Ident, Item, ItemImpl, ItemStruct, ItemTrait,
    LitStr, ReturnType, Signature, Type, TypeParamBound,
};

use crate::attr::Args;
use crate::naming::snake_case;

fn error(tokens: &dyn ToTokens, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new_spanned(tokens.to_token_stream(), message)
}

fn at_call_site(message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(Span::call_site(), message)
}

/// Why `#[plugin]` cannot go on this item, and what to write instead.
pub(crate) fn unsupported_item(item: &Item) -> syn::Error {
    let message = match item {
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
    };
    syn::Error::new(item_span(item), message)
}

/// The first word of the item (`mod`, `const`, `pub`...), not its attributes.
fn item_span(item: &Item) -> Span {
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

/// A plugin is one concrete type.
pub(crate) fn no_generics(generics: &Generics, what: &str, ty: &str) -> syn::Result<()> {
    if generics.params.is_empty() && generics.where_clause.is_none() {
        return Ok(());
    }
    Err(error(
        generics,
        format!(
            "#[plugin] cannot register {what} with generic parameters: a plugin is one concrete \
             type; register each instantiation instead, e.g. plugin_spec!(\"my.plugins\", \
             \"my-plugin\", {ty}::<u32>::default)"
        ),
    ))
}

pub(crate) fn no_should_load(args: &Args, what: &str) -> syn::Result<()> {
    match &args.should_load {
        None => Ok(()),
        Some(should_load) => Err(error(
            should_load,
            format!(
                "`should_load` does not apply to {what}: implement `fn should_load(&self) -> \
                 bool` in it instead"
            ),
        )),
    }
}

pub(crate) fn namespace_and_interface(interface: &Type) -> syn::Error {
    error(
        interface,
        "give either `namespace` (managed as this type, e.g. `PluginManager<MyPlugin>`) or \
         `interface` (managed as `dyn MyInterface`, in the interface's namespace), not both",
    )
}

pub(crate) fn type_without_namespace(what: &str, ident: &Ident) -> syn::Error {
    at_call_site(format!(
        "#[plugin] on {what} needs a namespace: write #[plugin(namespace = \"my.plugins\")] to \
         manage it as `PluginManager<{ident}>`, or #[plugin(interface = MyInterface)] to manage \
         it as `dyn MyInterface`"
    ))
}

pub(crate) fn dyn_interface(ty: &Type) -> syn::Result<Type> {
    match ty {
        Type::TraitObject(_) => Ok(ty.clone()),
        Type::Path(path) if path.qself.is_none() => {
            Ok(syn::parse_quote_spanned!(ty.span()=> dyn #path))
        }
        _ => Err(error(
            ty,
            "`interface` names a trait declared with #[plugin_interface], e.g. \
             `interface = CliPlugin`",
        )),
    }
}

/// The name of the type of `impl .. for Type`.
pub(crate) fn impl_self_ident(imp: &ItemImpl) -> syn::Result<&Ident> {
    let ident = match &*imp.self_ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        _ => None,
    };
    ident.ok_or_else(|| {
        error(
            &imp.self_ty,
            "#[plugin] registers a named type: put it on `impl MyInterface for MyType`",
        )
    })
}

/// A type with generic arguments (`Box<S>`, `Arc<A>`) has no name of its own to derive: its
/// outer type would name every such plugin alike (`box`, `arc`).
pub(crate) fn nameable_self_type(self_ty: &Type) -> syn::Result<()> {
    let Type::Path(path) = self_ty else {
        return Ok(());
    };
    match path.path.segments.last().map(|s| &s.arguments) {
        Some(syn::PathArguments::AngleBracketed(arguments)) => {
            let outer = path.path.segments.last().map(|s| s.ident.to_string());
            Err(error(
                arguments,
                format!(
                    "the plugin's name would be `{}`, from the outer type alone, as for every \
                     plugin of this type: name it, e.g. #[plugin(name = \"my-plugin\")]",
                    outer.as_deref().map(snake_case).unwrap_or_default()
                ),
            ))
        }
        _ => Ok(()),
    }
}

pub(crate) fn negative_impl(bang: &dyn ToTokens) -> syn::Error {
    error(bang, "#[plugin] cannot go on a negative impl")
}

/// `impl Plugin for ..` or `impl plux::Plugin for ..`: the type's own lifecycle.
pub(crate) fn is_plugin_trait(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "Plugin")
}

pub(crate) fn namespace_on_interface_impl(namespace: &LitStr, path: &syn::Path) -> syn::Error {
    let interface = quote!(#path).to_string().replace(" :: ", "::");
    error(
        namespace,
        format!(
            "a plugin of `{interface}` lives in the interface's namespace: remove `namespace`; to \
             manage the type as itself in a namespace, put #[plugin(namespace = \"...\")] on the \
             type, or on its `impl plux::Plugin`"
        ),
    )
}

pub(crate) fn inherent_impl_without_namespace(ident: &Ident) -> syn::Error {
    at_call_site(format!(
        "#[plugin] on an inherent impl needs a namespace: write #[plugin(namespace = \
         \"my.plugins\")], or put #[plugin] on `impl MyInterface for {ident}`"
    ))
}

pub(crate) fn hook_and_namespace(hook: &Type) -> syn::Error {
    error(
        hook,
        "give either `hook` (the hook point gives the namespace and checks the signature) or \
         `namespace`, not both",
    )
}

pub(crate) fn fn_without_hook(ident: &Ident) -> syn::Error {
    at_call_site(format!(
        "#[plugin] on a fn needs a hook point or a namespace: write #[plugin(hook = MyHookPoint)] \
         (declared with #[hook_point]) or #[plugin(namespace = \"my.plugins\")] above `fn {ident}`"
    ))
}

/// The fn-pointer type of a function plugin, `for<'a> fn(&'a str) -> ..`, or why there is none.
pub(crate) fn fn_pointer_type(sig: &Signature) -> syn::Result<TokenStream> {
    let reject = |tokens: &dyn ToTokens, message: &str| Err(error(tokens, message));
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
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

pub(crate) fn spec_missing(has_name: bool, usage: &str) -> syn::Error {
    let missing = if has_name {
        "the factory"
    } else {
        "the plugin name and the factory"
    };
    at_call_site(format!(
        "plugin_spec! is missing {missing}; it takes {usage}"
    ))
}

pub(crate) fn spec_namespace_not_literal(namespace: &Expr) -> syn::Error {
    error(
        namespace,
        "plugin_spec! takes the namespace as a string literal (\"my.plugins\"), checked at \
         compile time, or an interface as `dyn MyInterface`",
    )
}

pub(crate) fn spec_extra_argument(extra: &Expr, usage: &str) -> syn::Error {
    error(
        extra,
        format!(
            "plugin_spec! takes three arguments, then only `key = value` options (`priority = \
             10`, `after = [\"x\"]`, `before = [\"y\"]`, `crate = ::plux`): {usage}"
        ),
    )
}

pub(crate) fn interface_not_on_trait(item: &Item) -> syn::Error {
    syn::Error::new(
        item_span(item),
        "#[plugin_interface] goes on a trait, e.g. `trait CliPlugin { fn attach(&self, cli: &Cli); \
         }`; for a plugin type use #[plugin], for a hook point #[hook_point]",
    )
}

/// An interface is one object-safe trait of its own, with no `Plugin` supertrait (the macro
/// implements `Plugin` for `dyn Trait`, which a supertrait would make a second time).
pub(crate) fn interface_shape(tr: &ItemTrait) -> syn::Result<()> {
    if !tr.generics.params.is_empty() {
        return Err(error(
            &tr.generics,
            "#[plugin_interface] needs a trait without generic parameters, so that `dyn Trait` \
             names one plugin type; take what varies as load arguments: `fn load(&mut self, \
             args: &MyArgs) -> Result<(), plux::BoxError>`",
        ));
    }
    for bound in &tr.supertraits {
        if let TypeParamBound::Trait(bound) = bound {
            if is_plugin_trait(&bound.path) {
                return Err(error(
                    bound,
                    "an interface does not extend `plux::Plugin`: #[plugin_interface] implements \
                     it for `dyn Trait` from the trait's own methods; remove the bound and \
                     declare the load arguments and output in the trait: `fn load(&mut self, \
                     args: &MyArgs) -> Result<MyOutput, plux::BoxError> { .. }`",
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn interface_without_namespace(ident: &Ident) -> syn::Error {
    at_call_site(format!(
        "#[plugin_interface] needs the namespace of the plugins of `dyn {ident}`: \
         #[plugin_interface(namespace = \"my.plugins\")]"
    ))
}

const LOAD_SHAPE: &str = "an interface's `load` is `fn load(&mut self, args: &MyArgs) -> \
    Result<MyOutput, plux::BoxError>` (or `async fn load`, or without `args`, or returning nothing)";

/// `fn load(&mut self[, args: &Args]) [-> R]`: the arguments' type and the return type.
pub(crate) fn load_signature(sig: &Signature) -> syn::Result<(Option<Type>, Type)> {
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(receiver))
            if matches!(
                receiver.kind,
                syn::ReceiverKind::Reference(_, None, Some(_))
            ) => {}
        _ => return Err(error(sig, LOAD_SHAPE)),
    }
    let args = match inputs.next() {
        None => None,
        Some(FnArg::Typed(arg)) => match &*arg.ty {
            Type::Reference(reference)
                if reference.lifetime.is_none() && reference.mutability.is_none() =>
            {
                Some((*reference.elem).clone())
            }
            other => return Err(error(other, LOAD_SHAPE)),
        },
        Some(other) => return Err(error(other, LOAD_SHAPE)),
    };
    if let Some(extra) = inputs.next() {
        return Err(error(extra, LOAD_SHAPE));
    }
    if !sig.generics.params.is_empty() {
        return Err(error(sig, LOAD_SHAPE));
    }
    let returns = match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    Ok((args, returns))
}

pub(crate) fn unload_signature(sig: &Signature) -> syn::Result<()> {
    method_of_ref_self(
        sig,
        1,
        "an interface's `unload` is `fn unload(&self) -> Result<(), plux::BoxError>` (or `async \
         fn unload`, or returning nothing)",
    )
}

pub(crate) fn should_load_signature(sig: &Signature) -> syn::Result<()> {
    method_of_ref_self(
        sig,
        1,
        "an interface's `should_load` is `fn should_load(&self) -> bool`",
    )
}

pub(crate) fn should_load_with_signature(sig: &Signature) -> syn::Result<()> {
    method_of_ref_self(
        sig,
        2,
        "an interface's `should_load_with` is `fn should_load_with(&self, args: &Args) -> \
         Result<(), plux::Veto>`, where `Args` is what its `load` borrows (`()` when it takes none)",
    )
}

/// A method of `&self` with `inputs` inputs (the receiver included) and no generics; else
/// `message` at the signature.
fn method_of_ref_self(sig: &Signature, inputs: usize, message: &str) -> syn::Result<()> {
    let by_ref = matches!(
        sig.inputs.first(),
        Some(FnArg::Receiver(r)) if matches!(r.kind, syn::ReceiverKind::Reference(_, _, None))
    );
    if by_ref && sig.inputs.len() == inputs && sig.generics.params.is_empty() {
        return Ok(());
    }
    Err(error(sig, message))
}

pub(crate) fn hook_point_not_on_struct(item: &Item) -> syn::Error {
    syn::Error::new(
        item_span(item),
        "#[hook_point] goes on a struct that holds the hook's fn type: `pub struct Startup(fn(&mut \
         App));`",
    )
}

/// `struct Name(fn(..) -> ..);`: the fn type.
pub(crate) fn hook_point_shape(st: &ItemStruct) -> syn::Result<&Type> {
    if !st.generics.params.is_empty() || st.generics.where_clause.is_some() {
        return Err(error(
            &st.generics,
            "a hook point is one fn signature: remove the generic parameters",
        ));
    }
    let shape = || {
        error(
            &st.fields,
            format!(
                "a hook point holds one fn type and nothing else: `struct {}(fn(&mut App));`",
                st.ident
            ),
        )
    };
    let syn::Fields::Unnamed(fields) = &st.fields else {
        return Err(shape());
    };
    let mut fields = fields.unnamed.iter();
    match (fields.next(), fields.next()) {
        (Some(field), None) if matches!(field.ty, Type::FnPtr(_)) => Ok(&field.ty),
        _ => Err(shape()),
    }
}

pub(crate) fn hook_point_without_namespace(ident: &Ident) -> syn::Error {
    at_call_site(format!(
        "#[hook_point] needs the namespace of the hooks of `{ident}`: \
         #[hook_point(namespace = \"my.hooks\")]"
    ))
}

/// Whether `#[derive(..)]` among `attrs` names `name`.
pub(crate) fn derives(attrs: &[Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .any(|attr| {
            attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| {
                paths
                    .iter()
                    .any(|path| path.segments.last().is_some_and(|s| s.ident == name))
            })
        })
}
