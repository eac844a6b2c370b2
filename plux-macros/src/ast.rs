//! What a macro call registers, parsed from its item and its `key = value` arguments: the
//! expansions work from these, never from raw tokens.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Item, ItemFn, ItemImpl, ItemStruct, ItemTrait, LitStr, Token, Type};

use crate::attr::{check_ident, ident_literal, ungrouped, Args, Key};
use crate::grammar::IdentKind;
use crate::naming::snake_case;
use crate::valid;

/// One plugin to place in the registry.
pub(crate) struct Registration {
    pub(crate) args: Args,
    pub(crate) name: LitStr,
    pub(crate) managed: Managed,
}

/// What the plugin is managed as (and so where its namespace comes from), and how it is made.
pub(crate) enum Managed {
    /// `PluginManager<Type>`, in `namespace`. `declares` is what the expansion implements for
    /// the type; `plugin_spec!` declares nothing (it does not name the type).
    Itself {
        namespace: LitStr,
        make: Make,
        declares: Option<Declares>,
    },
    /// `PluginManager<dyn Interface>`, in the interface's namespace.
    Interface { interface: Type, make: Make },
    /// `PluginManager<HookPoint>`, in the hook point's namespace: the fn `function`, of the
    /// pointer type `fn_type` (its own, which the hook point's must be).
    Hook {
        hook: Type,
        fn_type: TokenStream,
        function: Ident,
    },
    /// `PluginManager<FunctionPlugin<fn(..)>>`, in `namespace`: the fn `function`.
    Function {
        namespace: LitStr,
        fn_type: TokenStream,
        function: Ident,
    },
}

/// What `#[plugin(namespace = "..")]` implements for a type registered as itself:
/// `PluginInterface`, and `Plugin` too when it has nothing to load.
pub(crate) struct Declares {
    pub(crate) ty: Type,
    pub(crate) nothing_to_load: bool,
}

/// How a type plugin is made.
// One per macro call, never in a collection: the size of its variants does not matter (they
// grew with proc-macro2's span-locations, which type_docs needs).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Make {
    /// `Type::default()`.
    Default(Type),
    /// A factory of `Type`: a path or an expression yielding something callable.
    Factory { factory: Expr, ty: Type },
    /// A factory expression of `plugin_spec!`, whose plugin type is inferred.
    Inferred(Expr),
}

/// The keys that every `#[plugin]` form and `plugin_spec!` take.
const COMMON_KEYS: [Key; 6] = [
    Key::Priority,
    Key::After,
    Key::Before,
    Key::Requires,
    Key::Description,
    Key::Crate,
];

/// The keys of a `#[plugin]` form: its own, then the common ones.
fn plugin_keys(own: &[Key]) -> Vec<Key> {
    own.iter().chain(&COMMON_KEYS).copied().collect()
}

impl Registration {
    /// `#[plugin]` on a struct or an enum.
    pub(crate) fn of_type(
        args: TokenStream,
        ident: &Ident,
        generics: &syn::Generics,
        what: &str,
    ) -> syn::Result<Self> {
        let usage = format!("#[plugin] on {what}");
        let keys = [
            Key::Namespace,
            Key::Interface,
            Key::Name,
            Key::Factory,
            Key::ShouldLoad,
        ];
        let args = Args::parse(args, &plugin_keys(&keys), &usage)?;
        valid::no_generics(generics, what, &ident.to_string())?;
        let ty: Type = syn::parse_quote_spanned!(ident.span()=> #ident);
        let make = make_type(&args, ty.clone());
        let managed = match (&args.namespace, &args.interface) {
            (Some(namespace), None) => Managed::Itself {
                namespace: namespace.clone(),
                make,
                declares: Some(Declares {
                    ty,
                    nothing_to_load: true,
                }),
            },
            (None, Some(interface)) => {
                valid::no_should_load(&args, "a plugin of an interface")?;
                let interface = valid::dyn_interface(interface)?;
                Managed::Interface { interface, make }
            }
            (Some(_), Some(interface)) => return Err(valid::namespace_and_interface(interface)),
            (None, None) => return Err(valid::type_without_namespace(what, ident)),
        };
        Ok(Registration {
            name: name(&args, ident)?,
            managed,
            args,
        })
    }

    /// `#[plugin]` on `impl Interface for Type`, on `impl plux::Plugin for Type` or on an
    /// inherent impl.
    pub(crate) fn of_impl(args: TokenStream, imp: &ItemImpl) -> syn::Result<Self> {
        let keys = [Key::Namespace, Key::Name, Key::Factory, Key::ShouldLoad];
        let args = Args::parse(args, &plugin_keys(&keys), "#[plugin] on an impl block")?;
        let ident = valid::impl_self_ident(imp)?;
        valid::no_generics(&imp.generics, "an impl block", &ident.to_string())?;
        let ty = (*imp.self_ty).clone();
        if let Some(bang) = &imp.modifiers.polarity {
            return Err(valid::negative_impl(bang));
        }
        let make = make_type(&args, ty.clone());
        let managed = match (&args.namespace, &imp.trait_) {
            (Some(namespace), Some((path, _))) if valid::is_plugin_trait(path) => {
                valid::no_should_load(&args, "an `impl Plugin`, which has its own should_load")?;
                Managed::Itself {
                    namespace: namespace.clone(),
                    make,
                    declares: Some(Declares {
                        ty,
                        nothing_to_load: false,
                    }),
                }
            }
            (Some(namespace), Some((path, _))) => {
                return Err(valid::namespace_on_interface_impl(namespace, path))
            }
            (None, Some((path, _))) => {
                valid::no_should_load(&args, "a plugin of an interface")?;
                let interface = syn::parse_quote_spanned!(path.span()=> dyn #path);
                Managed::Interface { interface, make }
            }
            (Some(namespace), None) => Managed::Itself {
                namespace: namespace.clone(),
                make,
                declares: Some(Declares {
                    ty,
                    nothing_to_load: true,
                }),
            },
            (None, None) => return Err(valid::inherent_impl_without_namespace(ident)),
        };
        if args.name.is_none() {
            valid::nameable_self_type(&imp.self_ty)?;
        }
        Ok(Registration {
            name: name(&args, ident)?,
            managed,
            args,
        })
    }

    /// `#[plugin(hook = HookPoint)]` or `#[plugin(namespace = "...")]` on a fn.
    pub(crate) fn of_fn(args: TokenStream, f: &ItemFn) -> syn::Result<Self> {
        let keys = [Key::Hook, Key::Namespace, Key::Name, Key::ShouldLoad];
        let args = Args::parse(args, &plugin_keys(&keys), "#[plugin] on a fn")?;
        let sig = &f.sig;
        let fn_type = valid::fn_pointer_type(sig)?;
        let function = sig.ident.clone();
        let managed = match (&args.hook, &args.namespace) {
            (Some(hook), None) => Managed::Hook {
                hook: hook.clone(),
                fn_type,
                function,
            },
            (None, Some(namespace)) => Managed::Function {
                namespace: namespace.clone(),
                fn_type,
                function,
            },
            (Some(hook), Some(_)) => return Err(valid::hook_and_namespace(hook)),
            (None, None) => return Err(valid::fn_without_hook(&sig.ident)),
        };
        Ok(Registration {
            name: name(&args, &sig.ident)?,
            managed,
            args,
        })
    }
}

fn make_type(args: &Args, ty: Type) -> Make {
    match &args.factory {
        None => Make::Default(ty),
        Some(factory) => Make::Factory {
            factory: factory.clone(),
            ty,
        },
    }
}

/// The plugin's name: given, or the item's name in snake case.
fn name(args: &Args, ident: &Ident) -> syn::Result<LitStr> {
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

/// `plugin_spec!(namespace, name, factory, options...)`.
pub(crate) struct SpecInput(pub(crate) Registration);

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
        // `dyn Interface`, or the namespace.
        let target: Result<Type, LitStr> = if input.peek(Token![dyn]) {
            Ok(input.parse()?)
        } else {
            Err(spec_namespace(input.parse()?)?)
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
            (name, _) => return Err(valid::spec_missing(name.is_some(), SPEC_USAGE)),
        };
        let mut options = TokenStream::new();
        for extra in rest {
            if !matches!(extra, Expr::Assign(_)) {
                return Err(valid::spec_extra_argument(&extra, SPEC_USAGE));
            }
            options.extend(quote::quote!(#extra,));
        }
        let args = Args::parse(options, &COMMON_KEYS, "plugin_spec!")?;
        let make = Make::Inferred(factory);
        let managed = match target {
            Ok(interface) => Managed::Interface { interface, make },
            Err(namespace) => Managed::Itself {
                namespace,
                make,
                declares: None,
            },
        };
        Ok(SpecInput(Registration {
            args,
            name: ident_literal(name, IdentKind::Name)?,
            managed,
        }))
    }
}

/// `plugin_spec!`'s namespace: a string literal, also when `macro_rules!` forwards it.
fn spec_namespace(namespace: Expr) -> syn::Result<LitStr> {
    let namespace = ungrouped(namespace);
    let Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(_),
        ..
    }) = &namespace
    else {
        return Err(valid::spec_namespace_not_literal(&namespace));
    };
    ident_literal(namespace, IdentKind::Namespace)
}

/// `#[plugin_interface(namespace = "...")]` on a trait, with the signature of its `load`.
pub(crate) struct Interface<'a> {
    pub(crate) args: Args,
    pub(crate) item: &'a ItemTrait,
    /// The type `load` borrows its arguments as; `None` when it takes none (the load
    /// arguments are then `()`).
    pub(crate) load_args: Option<Type>,
    /// What `load` returns, `Result<Output, E>` or `()`; `None` when the trait has no `load`.
    pub(crate) load_returns: Option<Type>,
    /// Whether `load` is an `async fn`.
    pub(crate) load_is_async: bool,
    /// Whether the trait declares `unload`, and if so whether it is an `async fn`.
    pub(crate) unload: Option<bool>,
    pub(crate) has_should_load: bool,
    pub(crate) has_should_load_with: bool,
}

impl<'a> Interface<'a> {
    pub(crate) fn parse(args: TokenStream, item: &'a Item) -> syn::Result<Self> {
        let Item::Trait(tr) = item else {
            return Err(valid::interface_not_on_trait(item));
        };
        let args = Args::parse(args, &[Key::Namespace, Key::Crate], "#[plugin_interface]")?;
        valid::interface_shape(tr)?;
        if args.namespace.is_none() {
            return Err(valid::interface_without_namespace(&tr.ident));
        }
        let mut interface = Interface {
            args,
            item: tr,
            load_args: None,
            load_returns: None,
            load_is_async: false,
            unload: None,
            has_should_load: false,
            has_should_load_with: false,
        };
        for item in &tr.items {
            let syn::TraitItem::Fn(method) = item else {
                continue;
            };
            match method.sig.ident.to_string().as_str() {
                "load" => {
                    let (load_args, returns) = valid::load_signature(&method.sig)?;
                    interface.load_args = load_args;
                    interface.load_returns = Some(returns);
                    interface.load_is_async = method.sig.asyncness.is_some();
                }
                "unload" => {
                    valid::unload_signature(&method.sig)?;
                    interface.unload = Some(method.sig.asyncness.is_some());
                }
                "should_load" => {
                    valid::should_load_signature(&method.sig)?;
                    interface.has_should_load = true;
                }
                "should_load_with" => {
                    valid::should_load_with_signature(&method.sig)?;
                    interface.has_should_load_with = true;
                }
                _ => {}
            }
        }
        Ok(interface)
    }
}

/// `#[hook_point(namespace = "...")]` on `struct Name(fn(..) -> ..);`.
pub(crate) struct HookPoint<'a> {
    pub(crate) args: Args,
    pub(crate) item: &'a ItemStruct,
    pub(crate) fn_type: &'a Type,
    pub(crate) derives_debug: bool,
}

impl<'a> HookPoint<'a> {
    pub(crate) fn parse(args: TokenStream, item: &'a Item) -> syn::Result<Self> {
        let Item::Struct(st) = item else {
            return Err(valid::hook_point_not_on_struct(item));
        };
        let args = Args::parse(args, &[Key::Namespace, Key::Crate], "#[hook_point]")?;
        let fn_type = valid::hook_point_shape(st)?;
        if args.namespace.is_none() {
            return Err(valid::hook_point_without_namespace(&st.ident));
        }
        Ok(HookPoint {
            args,
            item: st,
            fn_type,
            derives_debug: valid::derives(&st.attrs, "Debug"),
        })
    }
}
