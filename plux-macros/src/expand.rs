//! The expansions: each macro emits the user's item, what is specific to it (a factory fn, a few
//! trait impls) and one spec in the registry. Every generic helper, and its compiler message,
//! lives once in the runtime's `__private` module.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, Parser};
use syn::spanned::Spanned;
use syn::{Item, ItemFn, Stmt, Type};

use crate::ast::{Declares, HookPoint, Interface, Make, Managed, Registration, SpecInput};
use crate::{asyncness, guard, type_docs, valid};

/// `#[plugin]` on a struct, an enum, an impl block or a fn.
pub(crate) fn plugin(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(item)?;
    let (registration, attrs) = match &item {
        Item::Struct(s) => (
            Registration::of_type(args, &s.ident, &s.generics, "a struct")?,
            &s.attrs,
        ),
        Item::Enum(e) => (
            Registration::of_type(args, &e.ident, &e.generics, "an enum")?,
            &e.attrs,
        ),
        Item::Impl(imp) => {
            let registration = Registration::of_impl(args, imp)?;
            // The impl's doc comment wins; without one, the type's.
            let docs = match description_docs(&registration, &imp.attrs)? {
                None if registration.args.description.is_none() => type_docs::of_impl(imp),
                docs => docs,
            };
            let impls = impls(&registration);
            let submit = submit(&registration, docs);
            let mut imp = imp.clone();
            asyncness::in_impl(&mut imp);
            return Ok(quote!(#imp #impls #submit));
        }
        Item::Fn(f) => return plugin_fn(args, f),
        other => return Err(valid::unsupported_item(other)),
    };
    let impls = impls(&registration);
    let submit = submit(&registration, description_docs(&registration, attrs)?);
    Ok(quote!(#item #impls #submit))
}

/// The registration goes inside the fn's body: a fn in an impl block (which the macro cannot
/// tell from a free fn) then fails with one "cannot find value" error at the fn's name.
///
/// An `async fn` is registered as the fn that returns its future, boxed (see
/// [`asyncness::boxed`]): a plain fn pointer, of a hook point's type `fn(..) -> HookFuture<'_>`.
fn plugin_fn(args: TokenStream, f: &ItemFn) -> syn::Result<TokenStream> {
    let mut f = f.clone();
    asyncness::boxed(&mut f.sig, Some(&mut f.block));
    let registration = Registration::of_fn(args, &f)?;
    let submit = submit(&registration, description_docs(&registration, &f.attrs)?);
    f.block.stmts.insert(0, Stmt::Item(syn::parse2(submit)?));
    Ok(f.into_token_stream())
}

/// `plugin_spec!(namespace, name, factory)`.
pub(crate) fn plugin_spec(input: TokenStream) -> syn::Result<TokenStream> {
    let SpecInput(registration) = SpecInput::parse.parse2(input)?;
    Ok(submit(&registration, None))
}

/// What a type registered as itself declares: its namespace, and `Plugin` when it has nothing
/// to load.
fn impls(registration: &Registration) -> TokenStream {
    let Managed::Itself {
        namespace,
        declares: Some(Declares {
            ty,
            nothing_to_load,
        }),
        ..
    } = &registration.managed
    else {
        return TokenStream::new();
    };
    let krate = registration.args.krate();
    let plugin = if *nothing_to_load {
        quote!(#krate::__private::plugin_without_load!(#ty);)
    } else {
        TokenStream::new()
    };
    quote! {
        impl #krate::PluginInterface for #ty {
            const NAMESPACE: &'static str = #namespace;
        }
        #plugin
    }
}

/// Places the spec in the registry. `docs` is the item's doc comment, its description unless
/// `description = ".."` says otherwise.
fn submit(registration: &Registration, docs: Option<String>) -> TokenStream {
    let krate = registration.args.krate();
    let private = quote!(#krate::__private);
    let name = &registration.name;
    let managed = managed(registration);
    let (items, factory) = factory(registration);
    let extra = match registration.args.extra(docs) {
        Some(extra) => quote! {{
            const EXTRA: &#private::Extra = #extra;
            ::core::option::Option::Some(EXTRA)
        }},
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #private::submit! {{
            #items
            const MANAGED: &#private::Managed = #managed;
            #private::linked_spec!(MANAGED, #name, #factory, #extra)
        }}
    }
}

/// The doc comment that is the plugin's description, unless `description = ".."` is given.
///
/// A computed `#[doc = concat!(..)]` or `#[doc = include_str!(..)]` is still a macro call when
/// `#[plugin]` sees it: its text does not exist yet. Rather than a description that silently
/// misses it, that is a compile error saying what to write.
fn description_docs(
    registration: &Registration,
    attrs: &[syn::Attribute],
) -> syn::Result<Option<String>> {
    if registration.args.description.is_some() {
        return Ok(None);
    }
    if let Some(computed) = attrs.iter().find(|attr| {
        matches!(&attr.meta, syn::Meta::NameValue(doc) if attr.path().is_ident("doc")
            && !matches!(&doc.value, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(_), .. })))
    }) {
        return Err(syn::Error::new_spanned(
            computed,
            "#[plugin] cannot read a computed `#[doc = ..]`: it is still a macro call when \
             #[plugin] runs. Give the description as a literal, `#[plugin(description = \"what \
             the plugin does\")]`, or write the doc comment with `///`",
        ));
    }
    Ok(doc_comment(attrs))
}

/// The text of the `///` lines (`#[doc = ".."]` with a literal), without the indentation they
/// share, and without leading and trailing blank lines; `None` when there is none. A block
/// comment (`/** .. */`) loses the `*` that starts each of its lines, as rustdoc shows it.
pub(crate) fn doc_comment(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value()),
            _ => None,
        })
        // `split`, not `lines`: an empty `///` is a paragraph break, and `lines` drops it.
        .flat_map(|text| text.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let starred = |line: &String| line.trim_start().starts_with('*');
    // The first line is the one after `/**`, which has no star of its own.
    let rest = || lines.iter().skip(1).filter(|line| !line.trim().is_empty());
    if rest().all(starred) && rest().any(starred) {
        for line in &mut lines {
            if let Some(rest) = line.trim_start().strip_prefix('*') {
                *line = rest.strip_prefix(' ').unwrap_or(rest).to_owned();
            }
        }
    }
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()?;
    let text: Vec<&str> = lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect();
    let text = text.join("\n");
    let text = text.trim_matches('\n');
    (!text.is_empty()).then(|| text.to_owned())
}

/// What the plugin shares with the others of its namespace: an interface's or a hook point's
/// own, or one of its own for a namespace given as a string.
fn managed(registration: &Registration) -> TokenStream {
    let krate = registration.args.krate();
    match &registration.managed {
        Managed::Itself { namespace, .. } | Managed::Function { namespace, .. } => {
            quote!(&#krate::__private::Managed::new(#namespace, ::core::option::Option::None))
        }
        Managed::Interface { interface, .. } => located_at(
            quote!(<#interface as #krate::__private::Interface>::INTERFACE_MANAGED),
            interface.span(),
        ),
        Managed::Hook { hook, .. } => located_at(
            quote!(<#hook as #krate::__private::HookPoint>::HOOK_MANAGED),
            hook.span(),
        ),
    }
}

/// The factory: a generic helper of the runtime where one fits, else a fn of this item (items
/// to declare, and the path of the fn).
fn factory(registration: &Registration) -> (TokenStream, TokenStream) {
    let krate = registration.args.krate();
    let private = quote!(#krate::__private);
    let body = match &registration.managed {
        Managed::Itself { make, .. } => match make {
            Make::Default(ty) => {
                return (
                    TokenStream::new(),
                    quote_spanned!(ty.span()=> #private::default_product::<#ty>),
                );
            }
            Make::Factory { factory, ty } => {
                let made = made_by(&private, factory, ty);
                quote!(#private::plugin(__plux_product, #made))
            }
            Make::Inferred(factory) => {
                let call = call(&private, factory);
                quote_spanned!(factory.span()=> #private::inferred_product(__plux_product, #call))
            }
        },
        Managed::Interface { interface, make } => match make {
            Make::Default(ty) => {
                let made = quote_spanned!(ty.span()=> <#ty as #private::DefaultFactory>::make());
                boxed_as(&private, interface, made)
            }
            Make::Factory { factory, ty } => {
                boxed_as(&private, interface, made_by(&private, factory, ty))
            }
            Make::Inferred(factory) => {
                let helper = interface_helper(&krate, interface);
                let product = interface_product(&private, interface);
                let call = call(&private, factory);
                quote! {
                    #helper
                    let plugin: ::std::boxed::Box<#interface> =
                        PluxIntoInterface::into_interface(#call)?;
                    #product
                }
            }
        },
        Managed::Hook {
            hook,
            fn_type,
            function,
        } => {
            // Every use of the hook point is spanned exactly at it and asks `HookPoint` only, so
            // that a type that is not one gets one error there; a fn of another signature gets
            // the mismatch at the fn. The fn is also a type's constant, of its own fn type (which
            // checks nothing more), from which the hook point makes a guarded fn for a plugin
            // library.
            let binding = located_at(
                quote!(let function: <#hook as #private::HookPoint>::HookFn =),
                hook.span(),
            );
            let hook_product = located_at(
                quote! {
                    <#hook as #private::HookPoint>::hook_product::<PluxHookFn>(
                        __plux_product,
                        function,
                    )
                },
                hook.span(),
            );
            quote! {
                #binding #function;
                struct PluxHookFn;
                impl #private::HookFnItem for PluxHookFn {
                    type Fn = #fn_type;
                    const FUNCTION: #fn_type = #function;
                }
                #hook_product
            }
        }
        Managed::Function {
            fn_type, function, ..
        } => {
            quote!(#private::hook::<#krate::FunctionPlugin<#fn_type>>(__plux_product, #function))
        }
    };
    let items = quote! {
        fn __plux_factory(
            __plux_product: #krate::Product<'_>,
        ) -> ::core::result::Result<(), #krate::BoxError> {
            #body
        }
    };
    (items, quote!(__plux_factory))
}

/// `factory()` converted to a `ty`, with the error at the factory when it makes something else.
fn made_by(private: &TokenStream, factory: &syn::Expr, ty: &Type) -> TokenStream {
    let call = call(private, factory);
    quote_spanned!(factory.span()=> <_ as #private::FactoryOf<#ty>>::into_plugin(#call)?)
}

/// `__private::call(factory)`, spanning the factory's first and last tokens (on stable, a span
/// cannot be joined), so that "cannot be called" covers what the user wrote.
fn call(private: &TokenStream, factory: &syn::Expr) -> TokenStream {
    let mut tokens = factory.to_token_stream().into_iter();
    let first = tokens
        .next()
        .map_or_else(proc_macro2::Span::call_site, |t| t.span());
    let last = tokens.last().map_or(first, |t| t.span());
    let callee = quote_spanned!(first=> #private::call);
    let mut argument = proc_macro2::Group::new(
        proc_macro2::Delimiter::Parenthesis,
        factory.to_token_stream(),
    );
    argument.set_span(last);
    quote!(#callee #argument)
}

/// `made`, boxed as `dyn Interface`: the coercion is spanned at the interface, so that a type
/// that does not implement it gets the interface's own message there.
fn boxed_as(private: &TokenStream, interface: &Type, made: TokenStream) -> TokenStream {
    let boxed = quote_spanned!(interface.span()=> ::std::boxed::Box::new(#made));
    let product = interface_product(private, interface);
    quote! {
        let plugin: ::std::boxed::Box<#interface> = #boxed;
        #product
    }
}

/// The product of a `Box<dyn Interface>`, through `__private::Interface` as the spec's namespace
/// is, spanned exactly at the interface: a trait that is no #[plugin_interface] then gets one
/// error there ("is not a plugin interface"), rather than one more for each bound it misses.
fn interface_product(private: &TokenStream, interface: &Type) -> TokenStream {
    located_at(
        quote! {
            <#interface as #private::Interface>::interface_product(__plux_product, plugin)
        },
        interface.span(),
    )
}

/// `tokens`, all spanned exactly as the user's token at `span` (which `quote_spanned!` does not
/// do for interpolated paths such as `::plux`): the errors of every use of that token are then
/// identical, and rustc shows one. The expansion's local variables `plugin` and
/// `__plux_product` keep their resolution, so that a token forwarded by `macro_rules!` cannot hide it.
fn located_at(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            match &mut token {
                proc_macro2::TokenTree::Group(group) => {
                    let mut inner = proc_macro2::Group::new(
                        group.delimiter(),
                        located_at(group.stream(), span),
                    );
                    inner.set_span(span);
                    *group = inner;
                }
                proc_macro2::TokenTree::Ident(ident)
                    if ident == "plugin" || ident == "__plux_product" =>
                {
                    ident.set_span(ident.span().located_at(span));
                }
                other => other.set_span(span),
            }
            token
        })
        .collect()
}

/// `PluxIntoInterface::into_interface(made)`: what an inferred factory returned, boxed as
/// `dyn Interface`. The one helper that stays in the expansion: the bound `P: Interface` must be
/// on the impls, so that the plugin-or-`Result` choice is made by the compiler, and a crate may
/// not write those impls for the runtime's traits.
fn interface_helper(krate: &TokenStream, interface: &Type) -> TokenStream {
    let bounds = match interface {
        Type::TraitObject(object) => object.bounds.to_token_stream(),
        other => other.to_token_stream(),
    };
    let shown = bounds
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::");
    let message = format!(
        "this factory makes `{{Self}}`, which is not a plugin of `{shown}`, nor a `Result` of one"
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
                let plugin = self.map_err(::core::convert::Into::into)?;
                ::core::result::Result::Ok(::std::boxed::Box::new(plugin))
            }
        }
    }
}

/// `#[plugin_interface(namespace = "...")]` on a trait: the trait, with `Send + Sync + 'static`
/// and the provided `should_load` and `load` it lacks; `Plugin` and `PluginInterface` for
/// `dyn Trait`; and `Debug` for `dyn Trait`, so that the usual `Result` idioms work on what a
/// manager returns.
pub(crate) fn plugin_interface(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(item)?;
    let interface = Interface::parse(args, &item)?;
    let krate = interface.args.krate();
    let namespace = &interface.args.namespace;
    let mut tr = interface.item.clone();
    asyncness::in_trait(&mut tr);
    let ident = &interface.item.ident;
    let fingerprint = crate::fingerprint::of_interface(&krate, namespace, interface.item);

    let has_on_unimplemented = tr.attrs.iter().any(|attr| {
        let path = attr.path();
        path.segments.len() == 2 && path.segments.iter().any(|s| s.ident == "on_unimplemented")
    });
    if !has_on_unimplemented {
        let message = format!("`{{Self}}` does not implement `{ident}`, its plugin interface");
        let label =
            format!("`{{Self}}` is a plugin of `dyn {ident}`, so it must implement `{ident}`");
        let note = format!(
            "implement it: `impl {ident} for {{Self}} {{{{ .. }}}}`, or put #[plugin] on that impl"
        );
        tr.attrs.push(syn::parse_quote!(
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        ));
    }
    // `Error` has `Debug` as a supertrait: `dyn Trait` then has it already.
    let debug_is_supertrait = tr.supertraits.iter().any(|bound| {
        matches!(bound, syn::TypeParamBound::Trait(t)
            if t.path.segments.last().is_some_and(|s| s.ident == "Debug" || s.ident == "Error"))
    });
    tr.colon_token.get_or_insert_with(Default::default);
    for bound in [
        quote!(::core::marker::Send),
        quote!(::core::marker::Sync),
        quote!('static),
    ] {
        tr.supertraits.push(syn::parse2(bound)?);
    }
    if !interface.has_should_load {
        tr.items.push(syn::parse_quote! {
            /// Whether this plugin should be loaded at all; `false` disables it. The default is
            /// `true`.
            fn should_load(&self) -> bool {
                true
            }
        });
    }
    let args = interface
        .load_args
        .as_ref()
        .map_or_else(|| quote!(()), |ty| ty.to_token_stream());
    if !interface.has_should_load_with {
        tr.items.push(syn::parse_quote! {
            /// Whether this plugin loads with the manager's load arguments; a `Veto` disables
            /// it, with its reason. The default loads.
            #[allow(unused_variables)]
            fn should_load_with(
                &self,
                args: &#args,
            ) -> ::core::result::Result<(), #krate::Veto> {
                ::core::result::Result::Ok(())
            }
        });
    }
    if interface.load_returns.is_none() {
        tr.items.push(syn::parse_quote! {
            /// Loads the plugin; the default does nothing.
            fn load(&mut self) -> ::core::result::Result<(), #krate::BoxError> {
                ::core::result::Result::Ok(())
            }
        });
    }
    let returns = interface.load_returns.as_ref().map_or_else(
        || quote!(::core::result::Result<(), #krate::BoxError>),
        |ty| ty.to_token_stream(),
    );
    let forward_args = if interface.load_args.is_some() {
        quote!(, args)
    } else {
        TokenStream::new()
    };
    // The lifecycle's entry points, called through the vtable: a plugin made by a library runs
    // them with the library's copy of std, whose panics only the library can catch. The manager
    // raises a caught panic again on its own side.
    tr.items.push(syn::parse_quote! {
        #[doc(hidden)]
        fn __plux_should_load(
            &self,
        ) -> ::core::result::Result<bool, #krate::__private::Caught> {
            #krate::__private::catch(|| <Self as #ident>::should_load(self))
        }
    });
    tr.items.push(syn::parse_quote! {
        #[doc(hidden)]
        fn __plux_should_load_with(
            &self,
            args: &#args,
        ) -> ::core::result::Result<
            ::core::result::Result<(), #krate::Veto>,
            #krate::__private::Caught,
        > {
            #krate::__private::catch(|| <Self as #ident>::should_load_with(self, args))
        }
    });
    let output = quote!(<#returns as #krate::__private::LoadResult>::Output);
    let load = if interface.load_is_async {
        tr.items.push(syn::parse_quote! {
            #[doc(hidden)]
            #[allow(unused_variables)]
            fn __plux_load_async<'plux_async>(
                &'plux_async mut self,
                args: &'plux_async #args,
            ) -> #krate::__private::CaughtLoad<'plux_async, #output> {
                #krate::__private::catch_load(|| <Self as #ident>::load(self #forward_args))
            }
        });
        quote! {
            const LOADS_ASYNC: bool = true;
            fn load(
                &mut self,
                _: &#args,
            ) -> ::core::result::Result<Self::Output, #krate::BoxError> {
                ::core::result::Result::Err(::core::convert::From::from(
                    "its `load` is async: managers call `load_async`",
                ))
            }
            fn load_async<'plux_async>(
                &'plux_async mut self,
                args: &'plux_async #args,
            ) -> #krate::LoadFuture<'plux_async, Self::Output> {
                #krate::__private::resume_load(<Self as #ident>::__plux_load_async(self, args))
            }
        }
    } else {
        tr.items.push(syn::parse_quote! {
            #[doc(hidden)]
            #[allow(unused_variables)]
            fn __plux_load(
                &mut self,
                args: &#args,
            ) -> ::core::result::Result<
                ::core::result::Result<#output, #krate::BoxError>,
                #krate::__private::Caught,
            > {
                #krate::__private::catch(|| {
                    #krate::__private::LoadResult::into_result(<Self as #ident>::load(self #forward_args))
                })
            }
        });
        quote! {
            fn load(
                &mut self,
                args: &#args,
            ) -> ::core::result::Result<Self::Output, #krate::BoxError> {
                #krate::__private::resume(<Self as #ident>::__plux_load(self, args))
            }
        }
    };
    let unload = match interface.unload {
        None => TokenStream::new(),
        Some(false) => {
            tr.items.push(syn::parse_quote! {
                #[doc(hidden)]
                fn __plux_unload(
                    &self,
                ) -> ::core::result::Result<
                    ::core::result::Result<(), #krate::BoxError>,
                    #krate::__private::Caught,
                > {
                    #krate::__private::catch(|| {
                        #krate::__private::LoadResult::into_result(<Self as #ident>::unload(self))
                    })
                }
            });
            quote! {
                fn unload(&self) -> ::core::result::Result<(), #krate::BoxError> {
                    #krate::__private::resume(<Self as #ident>::__plux_unload(self))
                }
            }
        }
        Some(true) => {
            tr.items.push(syn::parse_quote! {
                #[doc(hidden)]
                fn __plux_unload_async<'plux_async>(
                    &'plux_async self,
                ) -> #krate::__private::CaughtLoad<'plux_async, ()> {
                    #krate::__private::catch_load(|| <Self as #ident>::unload(self))
                }
            });
            quote! {
                const UNLOADS_ASYNC: bool = true;
                fn unload(&self) -> ::core::result::Result<(), #krate::BoxError> {
                    ::core::result::Result::Err(::core::convert::From::from(
                        "its `unload` is async: unload with `unload_all_async`",
                    ))
                }
                fn unload_async(&self) -> #krate::LoadFuture<'_, ()> {
                    #krate::__private::resume_load(<Self as #ident>::__plux_unload_async(self))
                }
            }
        }
    };
    let (wrapper, guarded) = match guard::interface(&krate, &tr) {
        Some(guard) => (guard.wrapper, guard.guarded),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let debug = if debug_is_supertrait {
        TokenStream::new()
    } else {
        let shown = format!("dyn {ident}");
        quote! {
            impl ::core::fmt::Debug for dyn #ident {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(#shown)
                }
            }
        }
    };
    Ok(quote! {
        #tr
        impl #krate::Plugin for dyn #ident {
            type Args = #args;
            type Output = #output;
            const FINGERPRINT: ::core::option::Option<&'static #krate::dynamic::Fingerprint> =
                ::core::option::Option::Some(&#fingerprint);
            fn should_load(&self) -> bool {
                #krate::__private::resume(<Self as #ident>::__plux_should_load(self))
            }
            fn should_load_with(
                &self,
                args: &#args,
            ) -> ::core::result::Result<(), #krate::Veto> {
                #krate::__private::resume(<Self as #ident>::__plux_should_load_with(self, args))
            }
            #load
            #unload
            #guarded
        }
        #wrapper
        impl #krate::PluginInterface for dyn #ident {
            const NAMESPACE: &'static str = #namespace;
        }
        #krate::__private::submit_interface!(
            #krate::__private::fingerprint_of::<dyn #ident>()
        );
        impl #krate::__private::Interface for dyn #ident {}
        #debug
    })
}

/// `#[hook_point(namespace = "...")]` on `struct Name(fn(..));`: the struct is the hook, a
/// plugin that derefs to its fn, in the hook point's namespace.
pub(crate) fn hook_point(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(item)?;
    let hook = HookPoint::parse(args, &item)?;
    let krate = hook.args.krate();
    let namespace = &hook.args.namespace;
    let ident = &hook.item.ident;
    let fn_type = hook.fn_type;
    let fingerprint = crate::fingerprint::of_hook_point(&krate, namespace, hook.item);
    let guarded = guard::hook(&krate, ident, fn_type);
    let debug = if hook.derives_debug {
        TokenStream::new()
    } else {
        quote! {
            impl ::core::fmt::Debug for #ident {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(::core::stringify!(#ident))
                }
            }
        }
    };
    Ok(quote! {
        #item
        impl #krate::Plugin for #ident {
            type Args = ();
            type Output = ();
            const FINGERPRINT: ::core::option::Option<&'static #krate::dynamic::Fingerprint> =
                ::core::option::Option::Some(&#fingerprint);
            fn load(&mut self, _: &()) -> ::core::result::Result<(), #krate::BoxError> {
                ::core::result::Result::Ok(())
            }
        }
        impl #krate::PluginInterface for #ident {
            const NAMESPACE: &'static str = #namespace;
        }
        #krate::__private::submit_interface!(#krate::__private::fingerprint_of::<#ident>());
        impl #krate::__private::HookPoint for #ident {
            type HookFn = #fn_type;
            fn guarded<F: #krate::__private::HookFnItem>() -> #fn_type {
                #guarded
            }
        }
        impl #krate::Hook for #ident {
            type Fn = #fn_type;
            fn from_fn(function: #fn_type) -> Self {
                #ident(function)
            }
        }
        impl ::core::ops::Deref for #ident {
            type Target = #fn_type;
            fn deref(&self) -> &#fn_type {
                &self.0
            }
        }
        #debug
    })
}
