//! The guards of what a plugin library hands the program: each call of the program into it runs
//! `__private::guarded`, in the library, which catches a panic there and raises it again in the
//! program (a panic of the library's std unwinding into the program would abort the process).
//! Only a library's plugins are wrapped: a program's own are called as they are.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, ItemTrait, ReceiverKind, ReturnType, TraitItem, TraitItemFn, Type, TypeFnPtr};

/// For `#[plugin_interface]`: the interface implemented for `Guarded<dyn Trait>`, each method
/// calling the plugin's guarded, and `Plugin::__plux_guarded` making one. Empty when the trait
/// has a supertrait that the wrapper cannot implement, or a method it cannot forward (an
/// `unsafe` one, one with a parameter under a `#[cfg]` of its own, or a receiver other than
/// `&self`, `&mut self`, `self: Arc<Self>`, `self: Box<Self>`): a library's plugins of it are
/// then unguarded (documented).
pub(crate) struct InterfaceGuard {
    /// The impl of the interface for the wrapper.
    pub(crate) wrapper: TokenStream,
    /// `Plugin::__plux_guarded`, for the impl of `Plugin` for `dyn Trait`.
    pub(crate) guarded: TokenStream,
}

pub(crate) fn interface(krate: &TokenStream, tr: &ItemTrait) -> Option<InterfaceGuard> {
    if !tr.supertraits.iter().all(wrapper_implements) {
        return None;
    }
    let ident = &tr.ident;
    let mut methods = Vec::new();
    for item in &tr.items {
        if let TraitItem::Fn(method) = item {
            methods.push(forward(krate, ident, method)?);
        }
    }
    let guarded_type = quote!(#krate::__private::Guarded<dyn #ident>);
    Some(InterfaceGuard {
        wrapper: quote! {
            impl #ident for #guarded_type {
                #(#methods)*
            }
        },
        guarded: quote! {
            fn __plux_guarded(
                plugin: ::std::sync::Arc<Self>,
            ) -> ::std::sync::Arc<Self> {
                match <#guarded_type>::unique(plugin) {
                    ::core::result::Result::Ok(guarded) => ::std::sync::Arc::new(guarded),
                    ::core::result::Result::Err(plugin) => plugin,
                }
            }
        },
    })
}

/// Whether `Guarded<dyn Trait>` implements the supertrait: the auto traits and `'static` that
/// the interface's plugin is, `Any` (for every `'static` type), and `Debug`, `Display` and
/// `Error`, which `Guarded` forwards guarded.
fn wrapper_implements(bound: &syn::TypeParamBound) -> bool {
    match bound {
        syn::TypeParamBound::Trait(bound) => bound.path.segments.last().is_some_and(|last| {
            matches!(
                last.ident.to_string().as_str(),
                "Send"
                    | "Sync"
                    | "Unpin"
                    | "UnwindSafe"
                    | "RefUnwindSafe"
                    | "Any"
                    | "Debug"
                    | "Display"
                    | "Error"
            ) && last.arguments.is_none()
        }),
        _ => true,
    }
}

/// The method, forwarded to the plugin under `guarded`, the errors it returns guarded too;
/// `None` when it cannot be forwarded.
fn forward(krate: &TokenStream, ident: &syn::Ident, method: &TraitItemFn) -> Option<TokenStream> {
    let sig = &method.sig;
    let guarded = quote!(#krate::__private::Guarded);
    if !matches!(sig.safety, syn::Safety::Default) || sig.variadic.is_some() {
        return None;
    }
    // A parameter under a `#[cfg]` of its own: the forwarding call cannot follow the cfg (an
    // argument takes no attribute).
    if sig
        .inputs
        .iter()
        .any(|input| matches!(input, FnArg::Typed(arg) if !arg.attrs.is_empty()))
    {
        return None;
    }
    let cfgs = method
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"));
    let name = &sig.ident;
    let generics = &sig.generics;
    let where_clause = &sig.generics.where_clause;
    let output = &sig.output;
    if requires_sized(sig) {
        // Not in the vtable: never called on a `dyn Trait`, so never on the wrapper, which only
        // exists as one.
        if method.default.is_some() {
            return Some(TokenStream::new());
        }
        let inputs = &sig.inputs;
        return Some(quote! {
            #(#cfgs)*
            #[allow(unused_variables)]
            fn #name #generics (#inputs) #output #where_clause {
                ::core::unreachable!("a plugin library's wrapped plugin is only used as `dyn Trait`")
            }
        });
    }
    let mut params = Vec::new();
    let mut args = Vec::new();
    let mut receiver = None;
    for (i, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(r) => {
                let (param, plugin) = match &r.kind {
                    ReceiverKind::Reference(_, lifetime, None) => {
                        (quote!(&#lifetime self), quote!(#guarded::get(self)))
                    }
                    ReceiverKind::Reference(_, lifetime, Some(_)) => {
                        (quote!(&#lifetime mut self), quote!(#guarded::get_mut(self)))
                    }
                    ReceiverKind::Typed(_, ty) if is_smart_self(ty, "Arc") => (
                        quote!(self: ::std::sync::Arc<Self>),
                        quote!(#guarded::arc(&self)),
                    ),
                    ReceiverKind::Typed(_, ty) if is_smart_self(ty, "Box") => {
                        // The wrapper only exists in an `Arc`: there is no `Box` of it to call
                        // this with.
                        let rest = sig.inputs.iter().skip(1);
                        return Some(quote! {
                            #(#cfgs)*
                            #[allow(unused_variables)]
                            fn #name #generics (self: ::std::boxed::Box<Self>, #(#rest),*) #output
                                #where_clause
                            {
                                ::core::unreachable!(
                                    "a plugin library's wrapped plugin is only in an `Arc`"
                                )
                            }
                        });
                    }
                    _ => return None,
                };
                params.push(param);
                receiver = Some(plugin);
            }
            FnArg::Typed(arg) => {
                let arg_ident = format_ident!("__plux_arg{}", i);
                let ty = &arg.ty;
                params.push(quote!(#arg_ident: #ty));
                args.push(arg_ident);
            }
        }
    }
    let plugin = receiver?;
    Some(quote! {
        #(#cfgs)*
        fn #name #generics (#(#params),*) #output #where_clause {
            #[allow(unused_imports)]
            use #krate::__private::{ErrorsKind as _, OtherKind as _};
            let output = #krate::__private::guarded(move || {
                <dyn #ident as #ident>::#name(#plugin, #(#args),*)
            });
            (&output).__plux_guard_kind().guard(output)
        }
    })
}

/// Whether the method has `where Self: Sized`, which keeps it out of the vtable.
fn requires_sized(sig: &syn::Signature) -> bool {
    sig.generics.where_clause.as_ref().is_some_and(|clause| {
        clause.predicates.iter().any(|predicate| match predicate {
            syn::WherePredicate::Type(predicate) => {
                matches!(&predicate.bounded_ty, Type::Path(p) if p.path.is_ident("Self"))
                    && predicate.bounds.iter().any(|bound| {
                        matches!(bound, syn::TypeParamBound::Trait(t)
                            if t.path.segments.last().is_some_and(|s| s.ident == "Sized"))
                    })
            }
            _ => false,
        })
    })
}

/// Whether `ty` is `Arc<Self>` (or `Box<Self>`, ..., by `smart`), by any path.
fn is_smart_self(ty: &Type, smart: &str) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident != smart {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    args.args.len() == 1
        && matches!(args.args.first(), Some(syn::GenericArgument::Type(Type::Path(p)))
            if p.path.is_ident("Self"))
}

/// For `#[hook_point]`: the body of `HookPoint::guarded`, a fn of the hook's signature that
/// calls `F::FUNCTION` guarded. A hook of an `extern` or `unsafe` fn type is the fn itself: a
/// panic cannot unwind out of an `extern "C"` fn, and `#[plugin]` registers no `unsafe` one.
pub(crate) fn hook(krate: &TokenStream, ident: &syn::Ident, fn_type: &Type) -> TokenStream {
    // The hook point's fn type by its path, not as written: the trampoline's own lifetimes
    // would shadow those a `for<'a>` of the written type binds. `HookPoint::hook_product`
    // made sure that the fn is of that type.
    let hook_fn = quote!(<#ident as #krate::__private::HookPoint>::HookFn);
    let item = quote! {
        match #krate::__private::hook_fn::<F, #hook_fn>() {
            ::core::option::Option::Some(function) => function,
            ::core::option::Option::None => ::core::unreachable!(
                "`HookPoint::hook_product` guards only a fn of the hook point's type"
            ),
        }
    };
    let Type::FnPtr(TypeFnPtr {
        lifetimes,
        unsafety: None,
        abi: None,
        inputs,
        variadic: None,
        output,
        ..
    }) = fn_type
    else {
        return item;
    };
    let lifetimes = lifetimes
        .iter()
        .flat_map(|bound| bound.lifetimes.iter())
        .map(|lifetime| quote!(#lifetime,));
    let args: Vec<_> = (0..inputs.len())
        .map(|i| format_ident!("__plux_arg{}", i))
        .collect();
    let types = inputs.iter().map(|input| &input.ty);
    let output = match output {
        ReturnType::Default => TokenStream::new(),
        ReturnType::Type(arrow, ty) => quote!(#arrow #ty),
    };
    quote! {
        fn __plux_guarded<#(#lifetimes)* F: #krate::__private::HookFnItem>(
            #(#args: #types),*
        ) #output {
            let function = #item;
            #krate::__private::guarded(move || function(#(#args),*))
        }
        __plux_guarded::<F>
    }
}
