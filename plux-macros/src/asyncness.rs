//! Async methods of an interface, made usable through `dyn Interface`.
//!
//! An `async fn` in a trait returns an anonymous future, which a vtable cannot hold. The same
//! method that returns a boxed future can be: `#[plugin_interface]` rewrites each `async fn` of
//! the trait, and `#[plugin]` each one of the impl, to
//!
//! ```text
//! fn name<'plux_async>(&'plux_async mut self, arg: &'plux_async A) -> Pin<Box<dyn Future<Output = R> + Send + 'plux_async>> {
//!     Box::pin(async move { body })
//! }
//! ```
//!
//! so that the two agree as the user's signatures do. Every elided lifetime of the signature
//! becomes `'plux_async`, every named one outlives it, and the future is `Send`: a manager
//! awaits it from any executor.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{
    Block, FnArg, GenericArgument, GenericParam, Lifetime, PathArguments, ReturnType, Signature,
    Type, TypeParamBound,
};

/// The lifetime of the boxed future.
fn future_lifetime() -> Lifetime {
    Lifetime::new("'plux_async", Span::call_site())
}

/// Rewrites the `async fn` signature `sig` (and its `body`, if it has one) to return a boxed
/// future; leaves any other as it is.
pub(crate) fn boxed(sig: &mut Signature, body: Option<&mut Block>) {
    let Some(asyncness) = sig.asyncness.take() else {
        return;
    };
    let mut lifetime = future_lifetime();
    let mut bounds: Vec<TokenStream> = Vec::new();
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(param) => {
                let named = &param.lifetime;
                bounds.push(quote!(#named: #lifetime));
            }
            GenericParam::Type(param) => {
                let named = &param.ident;
                bounds.push(quote!(#named: #lifetime));
            }
            GenericParam::Const(_) => {}
        }
    }
    let mut borrows = !bounds.is_empty();
    for input in &mut sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                if let syn::ReceiverKind::Reference(_, named, _) = &mut receiver.kind {
                    named.get_or_insert_with(|| lifetime.clone());
                    borrows = true;
                }
            }
            FnArg::Typed(arg) => borrows |= name_elided(&mut arg.ty, &lifetime),
        }
    }
    if borrows {
        sig.generics.params.insert(0, syn::parse_quote!(#lifetime));
    } else {
        // Nothing borrowed: a future of its own, and a fn whose output names no lifetime that
        // its inputs do not (a fn pointer cannot have one).
        lifetime = Lifetime::new("'static", Span::call_site());
    }
    if !bounds.is_empty() {
        let where_clause = sig.generics.make_where_clause();
        for bound in bounds {
            where_clause.predicates.push(syn::parse_quote!(#bound));
        }
    }
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            name_elided(&mut ty, &lifetime);
            quote!(#ty)
        }
    };
    // The span of `async`, so that an error about the future (one that is not `Send`, say)
    // points at what the user wrote.
    sig.output = syn::parse_quote_spanned! {asyncness.span=>
        -> ::core::pin::Pin<::std::boxed::Box<
            dyn ::core::future::Future<Output = #output> + ::core::marker::Send + #lifetime
        >>
    };
    if let Some(body) = body {
        let stmts = &body.stmts;
        *body = syn::parse_quote_spanned! {asyncness.span=>
            {
                ::std::boxed::Box::pin(async move { #(#stmts)* })
            }
        };
    }
}

/// Names every elided lifetime of `ty` (`&T`, `'_`) `lifetime`; whether `ty` borrows at all.
fn name_elided(ty: &mut Type, lifetime: &Lifetime) -> bool {
    match ty {
        Type::Reference(reference) => {
            match &mut reference.lifetime {
                Some(named) if named.ident == "_" => *named = lifetime.clone(),
                Some(_) => {}
                None => reference.lifetime = Some(lifetime.clone()),
            }
            name_elided(&mut reference.elem, lifetime);
            true
        }
        Type::Path(path) => {
            let mut borrows = false;
            if let Some(qself) = &mut path.qself {
                borrows |= name_elided(&mut qself.ty, lifetime);
            }
            for segment in &mut path.path.segments {
                if let PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        match arg {
                            GenericArgument::Lifetime(named) => {
                                if named.ident == "_" {
                                    *named = lifetime.clone();
                                }
                                borrows = true;
                            }
                            GenericArgument::Type(ty) => borrows |= name_elided(ty, lifetime),
                            _ => {}
                        }
                    }
                }
            }
            borrows
        }
        Type::TraitObject(object) => {
            let mut borrows = false;
            for bound in &mut object.bounds {
                if let TypeParamBound::Lifetime(named) = bound {
                    if named.ident == "_" {
                        *named = lifetime.clone();
                    }
                    borrows = true;
                }
            }
            borrows
        }
        Type::Array(array) => name_elided(&mut array.elem, lifetime),
        Type::Slice(slice) => name_elided(&mut slice.elem, lifetime),
        Type::Paren(paren) => name_elided(&mut paren.elem, lifetime),
        Type::Group(group) => name_elided(&mut group.elem, lifetime),
        Type::Tuple(tuple) => tuple
            .elems
            .iter_mut()
            .fold(false, |borrows, elem| name_elided(elem, lifetime) | borrows),
        _ => false,
    }
}

/// Rewrites every `async fn` of a trait impl (see [`boxed`]).
pub(crate) fn in_impl(imp: &mut syn::ItemImpl) {
    if imp.trait_.is_none() {
        return;
    }
    for item in &mut imp.items {
        if let syn::ImplItem::Fn(method) = item {
            boxed(&mut method.sig, Some(&mut method.block));
        }
    }
}

/// Rewrites every `async fn` of a trait (see [`boxed`]).
pub(crate) fn in_trait(tr: &mut syn::ItemTrait) {
    for item in &mut tr.items {
        if let syn::TraitItem::Fn(method) = item {
            boxed(&mut method.sig, method.default.as_mut());
        }
    }
}
