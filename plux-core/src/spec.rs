//! [`PluginSpec`]: what a plugin is called, where it was declared, and how it is made.

use std::any::{type_name, Any};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::fingerprint::Fingerprint;
use crate::grammar::{check_name, check_namespace, InvalidIdent};
use crate::plugin::{BoxError, Plugin};

pub(crate) mod linked;

pub(crate) use crate::location::Location;

use linked::{Extra, LinkedSpec};

/// Where a factory puts the plugin it makes: the slot of the manager that asked, which holds
/// the manager's own plugin type, erased here since specs are not generic.
///
/// A factory that makes a `P` hands it over with [`put`](Self::put); the plugin goes straight
/// into the manager's slot, so making a plugin costs its one allocation and nothing more. A
/// manager of another type reports [`WrongType`](crate::PluginErrorKind::WrongType).
///
/// The macros write factories; a hand-written one (`fn(Product<'_>) -> Result<(), BoxError>`,
/// see [`FactoryFn`]) looks like this:
///
/// ```
/// use std::sync::Arc;
/// use plux_core::{BoxError, FunctionPlugin, Product};
///
/// fn hook() {}
/// fn factory(product: Product<'_>) -> Result<(), BoxError> {
///     product.put(Arc::new(FunctionPlugin::new(hook as fn())));
///     Ok(())
/// }
/// ```
pub struct Product<'a> {
    /// The manager's `Option<Arc<T>>`.
    pub(crate) slot: &'a mut dyn Any,
    /// The type made, when it is not the manager's.
    other: &'a mut Option<&'static str>,
    /// `Some` when the factory runs in a plugin library, whose `TypeId`s mean nothing to the
    /// slot: the manager's `T` by fingerprint (`Some(None)` when `T` has none, so wants nothing).
    across: Option<Option<&'static Fingerprint>>,
}

impl Product<'_> {
    /// Hands the plugin to the manager; `P` may be a trait object such as `dyn CliPlugin`.
    ///
    /// The `Arc` must be the plugin's only one: the manager needs the plugin to itself until
    /// `load` has run.
    pub fn put<P: ?Sized + Plugin>(self, plugin: Arc<P>) {
        if self.across.is_some() {
            if self.wants::<P>() {
                crate::fingerprint::put_across(self.slot, P::__plux_guarded(plugin));
            } else {
                self.refuse::<P>();
                crate::contain::discard(plugin);
            }
            return;
        }
        match self.slot.downcast_mut::<Option<Arc<P>>>() {
            Some(slot) => *slot = Some(plugin),
            None => {
                *self.other = Some(type_name::<P>());
                crate::contain::discard(plugin);
            }
        }
    }

    /// Whether the factory runs in a plugin library, for a program's manager.
    pub(crate) fn in_library(&self) -> bool {
        self.across.is_some()
    }

    /// Whether the manager asking manages `P`: factories of the runtime check it before making
    /// anything, so that a manager of another type runs no user code.
    pub(crate) fn wants<P: ?Sized + Plugin>(&self) -> bool {
        match self.across {
            Some(wanted) => wanted.is_some() && wanted == P::FINGERPRINT,
            None => self.slot.is::<Option<Arc<P>>>(),
        }
    }

    /// Records that the factory makes a `P`, which the manager does not manage.
    pub(crate) fn refuse<P: ?Sized + Plugin>(self) {
        *self.other = Some(type_name::<P>());
    }

    /// Makes a `P` with `make`, unless the manager manages another type.
    pub(crate) fn make<P: ?Sized + Plugin>(
        self,
        make: impl FnOnce() -> Result<Arc<P>, BoxError>,
    ) -> Result<(), BoxError> {
        if self.wants::<P>() {
            self.put(make()?);
        } else {
            self.refuse::<P>();
        }
        Ok(())
    }
}

impl fmt::Debug for Product<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Product").finish_non_exhaustive()
    }
}

/// A factory that the macros place in a linker section: a plain function pointer, which makes
/// the plugin and [`put`](Product::put)s it into the [`Product`].
pub type FactoryFn = fn(Product<'_>) -> Result<(), BoxError>;

/// How a spec made at run time makes its plugin: a closure of [`PluginSpec::new`], or the entry
/// points of a plugin library.
pub(crate) trait Make: Send + Sync {
    /// Runs the factory.
    fn create(&self, product: Product<'_>) -> Result<(), BoxError>;

    /// Runs the spec's `should_load` check.
    fn check(&self, should_load: fn() -> bool) -> bool {
        should_load()
    }

    /// Whether the factory runs in a plugin library (see [`Product`]'s `across`).
    fn in_library(&self) -> bool {
        false
    }
}

/// A factory closure of [`PluginSpec::new`].
struct Closure<F>(F);

impl<F: Fn(Product<'_>) -> Result<(), BoxError> + Send + Sync> Make for Closure<F> {
    fn create(&self, product: Product<'_>) -> Result<(), BoxError> {
        (self.0)(product)
    }
}

#[derive(Clone)]
enum Factory {
    Static(FactoryFn),
    Dynamic(Arc<dyn Make>),
}

/// The plugin a manager is asked for, by namespace and name: the same across managers.
pub(crate) type RunKey<'a> = (&'a Cow<'static, str>, &'a Cow<'static, str>);

/// What a run is keyed by (see [`PluginSpec::run_key`]): a linked spec, whose names are read
/// only when compared, by a run inside it (reading them on every run costs a cache miss on the
/// name); or the names.
#[derive(Clone, Copy)]
pub(crate) enum Key<'a> {
    Linked(&'static LinkedSpec),
    Names(RunKey<'a>),
}

impl Key<'_> {
    pub(crate) fn names(&self) -> (&str, &str) {
        match *self {
            Key::Linked(spec) => (spec.namespace(), spec.name()),
            Key::Names((namespace, name)) => (namespace, name),
        }
    }
}

/// Why [`PluginSpec::create`] made no plugin.
#[derive(Debug)]
pub(crate) enum NotMade {
    /// The factory makes another type than the one asked for; its name.
    WrongType(&'static str),
    /// The factory failed.
    Failed(BoxError),
}

/// Describes one plugin: its namespace, its name (unique in the namespace), how to make it, and
/// where it was declared.
///
/// `#[plugin]` and `plugin_spec!` place specs in the link-time registry; [`PluginSpec::new`] makes
/// one at run time, for a [`PluginFinder`](crate::PluginFinder) of your own. A spec is a handle,
/// two words wide: one of the registry points into the linker section, and cloning any spec is
/// cheap.
///
/// ```
/// use plux_core::{FunctionPlugin, PluginSpec};
///
/// fn start() {}
/// let factory = || Ok(Box::new(FunctionPlugin::new(start as fn())));
///
/// let spec = PluginSpec::new("localstack.plugins.services", "s3", factory)?;
/// assert_eq!(spec.namespace(), "localstack.plugins.services");
/// assert_eq!(spec.name(), "s3");
/// assert!(spec.location().file.ends_with(".rs"));
///
/// assert!(PluginSpec::new("bad namespace", "s3", factory).is_err());
/// # Ok::<(), plux_core::InvalidIdent>(())
/// ```
#[derive(Clone)]
pub struct PluginSpec(Repr);

#[derive(Clone)]
enum Repr {
    /// Placed in the linker section by a macro.
    Linked(&'static LinkedSpec),
    /// Made at run time, or changed by a `with_*` method, or of a plugin library.
    Made(Arc<MadeSpec>),
}

/// A spec made at run time: every field its own.
#[derive(Clone)]
struct MadeSpec {
    namespace: Cow<'static, str>,
    name: Cow<'static, str>,
    factory: Factory,
    location: Location,
    priority: i32,
    after: Names,
    before: Names,
    requires: Names,
    description: Option<Cow<'static, str>>,
    should_load: Option<fn() -> bool>,
    fingerprint: Option<&'static Fingerprint>,
}

/// The plugin names of an ordering constraint: borrowed from a static spec, or owned.
#[derive(Clone, Debug)]
enum Names {
    Static(&'static [&'static str]),
    Owned(Arc<[Box<str>]>),
}

impl Names {
    fn iter(&self) -> NamesIter<'_> {
        match self {
            Names::Static(names) => names_iter(names, &[]),
            Names::Owned(names) => names_iter(&[], names),
        }
    }

    /// These names followed by `more`.
    fn extended(&self, more: Vec<Box<str>>) -> Self {
        let names: Vec<Box<str>> = self.iter().map(Box::from).chain(more).collect();
        Names::Owned(names.into())
    }
}

type NamesIter<'a> = std::iter::Chain<
    std::iter::Copied<std::slice::Iter<'a, &'a str>>,
    std::iter::Map<std::slice::Iter<'a, Box<str>>, fn(&Box<str>) -> &str>,
>;

fn names_iter<'a>(borrowed: &'a [&'a str], owned: &'a [Box<str>]) -> NamesIter<'a> {
    let as_str: fn(&Box<str>) -> &str = |name| name;
    borrowed.iter().copied().chain(owned.iter().map(as_str))
}

impl MadeSpec {
    fn of_linked(linked: &'static LinkedSpec) -> MadeSpec {
        let extra = linked.extra();
        let names =
            |pick: fn(&Extra) -> &'static [&'static str]| Names::Static(extra.map_or(&[], pick));
        MadeSpec {
            namespace: Cow::Borrowed(linked.namespace()),
            name: Cow::Borrowed(linked.name()),
            factory: Factory::Static(linked.factory()),
            location: linked.location(),
            priority: linked.priority(),
            after: names(|extra| extra.after),
            before: names(|extra| extra.before),
            requires: names(|extra| extra.requires),
            description: extra.and_then(|extra| extra.description).map(Cow::Borrowed),
            should_load: extra.and_then(|extra| extra.should_load),
            fingerprint: linked.fingerprint(),
        }
    }
}

impl PluginSpec {
    /// Makes a spec at run time; the location is the caller's.
    ///
    /// Fails when `namespace` or `name` breaks the [grammar](crate::IdentKind::rule).
    #[track_caller]
    pub fn new<P, F>(
        namespace: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
        factory: F,
    ) -> Result<Self, InvalidIdent>
    where
        P: ?Sized + Plugin,
        F: Fn() -> Result<Box<P>, BoxError> + Send + Sync + 'static,
    {
        let (namespace, name) = (namespace.into(), name.into());
        check_namespace(&namespace)?;
        check_name(&name)?;
        let caller = std::panic::Location::caller();
        Ok(PluginSpec(Repr::Made(Arc::new(MadeSpec {
            namespace,
            name,
            // Runs the factory whatever the manager's type, as a user would expect of their
            // closure; `put` then reports a type the manager does not manage.
            factory: Factory::Dynamic(Arc::new(Closure(move |product: Product<'_>| {
                product.put(Arc::<P>::from(factory()?));
                Ok(())
            }))),
            location: Location {
                module_path: None,
                file: caller.file(),
                line: caller.line(),
                column: caller.column(),
                library: None,
            },
            priority: Self::DEFAULT_PRIORITY,
            after: Names::Static(&[]),
            before: Names::Static(&[]),
            requires: Names::Static(&[]),
            description: None,
            should_load: None,
            fingerprint: P::FINGERPRINT,
        }))))
    }

    /// The spec that `linked` describes, borrowed from the linker section.
    pub(crate) fn linked(linked: &'static LinkedSpec) -> Self {
        PluginSpec(Repr::Linked(linked))
    }

    /// This spec, with `change` made to its own fields (a linked spec is copied first).
    fn set(self, change: impl FnOnce(&mut MadeSpec)) -> Self {
        let mut made = match self.0 {
            Repr::Made(made) => made,
            Repr::Linked(linked) => Arc::new(MadeSpec::of_linked(linked)),
        };
        change(Arc::make_mut(&mut made));
        PluginSpec(Repr::Made(made))
    }

    /// This spec with `more` names added to one kind of constraint; each must be a valid
    /// plugin name.
    fn with_names<S: Into<String>>(
        self,
        field: fn(&mut MadeSpec) -> &mut Names,
        more: impl IntoIterator<Item = S>,
    ) -> Result<Self, InvalidIdent> {
        let more = more
            .into_iter()
            .map(|name| {
                let name: String = name.into();
                check_name(&name).map(|()| name.into_boxed_str())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.set(|made| {
            let names = field(made);
            *names = names.extended(more);
        }))
    }

    /// The priority of a plugin that declares none. Higher priorities load and list first.
    pub const DEFAULT_PRIORITY: i32 = 0;

    /// Sets the priority: within a namespace, higher priorities load and list first; ties go by
    /// name. `after`/`before` constraints override priorities.
    pub fn with_priority(self, priority: i32) -> Self {
        self.set(|made| made.priority = priority)
    }

    /// Adds plugins of the same namespace that must come first, in `load_all` and listings.
    /// Each call adds to the names given before. A name that no plugin could have (`""`, blanks,
    /// quotes: see the [grammar](crate::IdentKind::rule)) is an error, as in `after = [..]`.
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginSpec};
    ///
    /// fn hook() {}
    /// let spec = PluginSpec::new("app.hooks", "cache", || Ok(Box::new(FunctionPlugin::new(hook as fn()))))?
    ///     .with_after(["database"])?;
    /// assert_eq!(spec.after().collect::<Vec<_>>(), ["database"]);
    /// assert!(spec.with_before([" database"]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_after<S: Into<String>>(
        self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, InvalidIdent> {
        self.with_names(|made| &mut made.after, names)
    }

    /// Adds plugins of the same namespace that must come after this one. Each call adds to the
    /// names given before; an invalid name is an error, as for [`with_after`](Self::with_after).
    pub fn with_before<S: Into<String>>(
        self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, InvalidIdent> {
        self.with_names(|made| &mut made.before, names)
    }

    /// Adds plugins of the same namespace that must load before this one, in the same manager:
    /// loading this plugin loads them first, and if one fails or is disabled, this one is
    /// disabled too, with [`DisabledReason::Requirement`](crate::DisabledReason::Requirement)
    /// naming it and saying why. A requirement is also an `after` constraint. Each call adds to
    /// the names given before; an invalid name is an error, as for
    /// [`with_after`](Self::with_after).
    ///
    /// ```
    /// use plux_core::{FunctionPlugin, PluginSpec};
    ///
    /// fn hook() {}
    /// let make = || Ok(Box::new(FunctionPlugin::new(hook as fn())));
    /// let cache = PluginSpec::new("app.hooks", "cache", make)?.with_requires(["database"])?;
    /// assert_eq!(cache.requires().collect::<Vec<_>>(), ["database"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_requires<S: Into<String>>(
        self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, InvalidIdent> {
        self.with_names(|made| &mut made.requires, names)
    }

    /// Sets what the plugin does, for listings and help texts (see
    /// [`description`](Self::description)).
    pub fn with_description(self, description: impl Into<Cow<'static, str>>) -> Self {
        self.set(|made| made.description = Some(description.into()))
    }

    /// Asks `should_load` before the plugin is made: `false` disables it
    /// ([`DisabledReason::ShouldLoad`](crate::DisabledReason::ShouldLoad)) without running its
    /// factory. For plugins that cannot answer themselves, such as functions; a plugin type
    /// answers in [`Plugin::should_load`].
    pub fn with_should_load(self, should_load: fn() -> bool) -> Self {
        self.set(|made| made.should_load = Some(should_load))
    }

    /// A plugin library's spec as the program that opened `library` uses it: made and checked
    /// through the library's entry points, which contain panics on the library's side.
    #[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
    pub(crate) fn of_library(
        library: &'static str,
        spec: &PluginSpec,
        entry: Arc<dyn Make>,
    ) -> PluginSpec {
        spec.clone().set(|made| {
            made.location.library = Some(library);
            made.factory = Factory::Dynamic(entry);
        })
    }

    /// The namespace, e.g. `localstack.plugins.services`.
    pub fn namespace(&self) -> &str {
        match &self.0 {
            Repr::Linked(linked) => linked.namespace(),
            Repr::Made(made) => &made.namespace,
        }
    }

    /// The name, unique within the namespace, e.g. `s3`.
    pub fn name(&self) -> &str {
        match &self.0 {
            Repr::Linked(linked) => linked.name(),
            Repr::Made(made) => &made.name,
        }
    }

    /// The first 16 bytes of the name, read as [`name_sort`](crate::name_sort) reads them,
    /// and the name's length.
    #[inline]
    pub(crate) fn name_head(&self) -> (u128, usize) {
        match &self.0 {
            Repr::Linked(linked) => linked.name_head(),
            Repr::Made(made) => (bytes_at(&made.name, 0), made.name.len()),
        }
    }

    pub(crate) fn name_cow(&self) -> Cow<'static, str> {
        match &self.0 {
            Repr::Linked(linked) => Cow::Borrowed(linked.name()),
            Repr::Made(made) => made.name.clone(),
        }
    }

    /// What the slots key a running lifecycle of this spec by: a linked spec by itself (its
    /// names are read only when compared), a made one by its names, borrowed.
    pub(crate) fn run_key(&self) -> Key<'_> {
        match &self.0 {
            Repr::Linked(linked) => Key::Linked(linked),
            Repr::Made(made) => Key::Names((&made.namespace, &made.name)),
        }
    }

    /// Where the plugin was declared.
    pub fn location(&self) -> Location {
        match &self.0 {
            Repr::Linked(linked) => linked.location(),
            Repr::Made(made) => made.location,
        }
    }

    /// The priority (see [`with_priority`](Self::with_priority)).
    pub fn priority(&self) -> i32 {
        match &self.0 {
            Repr::Linked(linked) => linked.priority(),
            Repr::Made(made) => made.priority,
        }
    }

    /// The names of one kind of constraint.
    fn names(
        &self,
        linked: fn(&Extra) -> &'static [&'static str],
        made: fn(&MadeSpec) -> &Names,
    ) -> NamesIter<'_> {
        match &self.0 {
            Repr::Linked(spec) => names_iter(spec.extra().map_or(&[], linked), &[]),
            Repr::Made(spec) => made(spec).iter(),
        }
    }

    /// The plugins this one must come after.
    pub fn after(&self) -> impl Iterator<Item = &str> {
        self.names(|extra| extra.after, |made| &made.after)
    }

    /// The plugins this one must come before.
    pub fn before(&self) -> impl Iterator<Item = &str> {
        self.names(|extra| extra.before, |made| &made.before)
    }

    /// The plugins this one requires (see [`with_requires`](Self::with_requires)).
    pub fn requires(&self) -> impl Iterator<Item = &str> {
        self.names(|extra| extra.requires, |made| &made.requires)
    }

    /// What the plugin does: its doc comment (`///`) as `#[plugin]` found it, unless it gave
    /// `description = ".."`; `None` when it has neither. Reading it runs nothing of the plugin's,
    /// so a command line can list its plugins' help without loading them.
    pub fn description(&self) -> Option<&str> {
        match &self.0 {
            Repr::Linked(linked) => linked.extra().and_then(|extra| extra.description),
            Repr::Made(made) => made.description.as_deref(),
        }
    }

    /// Whether this spec may have a priority, constraints or a `should_load` check: `false`
    /// only for a linked spec without extras, as most are.
    pub(crate) fn may_have_extras(&self) -> bool {
        match &self.0 {
            Repr::Linked(linked) => linked.extra().is_some(),
            Repr::Made(_) => true,
        }
    }

    /// Whether this spec has `after`, `before` or `requires` constraints.
    pub fn has_constraints(&self) -> bool {
        match &self.0 {
            // Asked of every spec of a namespace when it is first ordered: most have no extras.
            Repr::Linked(linked) => linked.extra().is_some_and(|extra| {
                !(extra.after.is_empty() && extra.before.is_empty() && extra.requires.is_empty())
            }),
            Repr::Made(_) => {
                self.after().next().is_some()
                    || self.before().next().is_some()
                    || self.requires().next().is_some()
            }
        }
    }

    /// The check asked before the plugin is made (see
    /// [`with_should_load`](Self::with_should_load)), if it has one.
    ///
    /// For a plugin of a [plugin library](crate::dynamic), this is the library's function:
    /// called directly, a panic in it is not contained (the manager calls it through the
    /// library, which contains it).
    pub fn should_load(&self) -> Option<fn() -> bool> {
        match &self.0 {
            Repr::Linked(linked) => linked.extra().and_then(|extra| extra.should_load),
            Repr::Made(made) => made.should_load,
        }
    }

    /// The fingerprint of the plugin's type, when it is an interface or a hook point: what a
    /// plugin library's plugin must have to cross into a program (see
    /// [`dynamic`](crate::dynamic)).
    pub fn fingerprint(&self) -> Option<&'static Fingerprint> {
        match &self.0 {
            Repr::Linked(linked) => linked.fingerprint(),
            Repr::Made(made) => made.fingerprint,
        }
    }

    /// The factory that runs in a plugin library or a closure, when it is not a plain fn.
    fn dynamic_factory(&self) -> Option<&dyn Make> {
        match &self.0 {
            Repr::Made(made) => match &made.factory {
                Factory::Dynamic(make) => Some(&**make),
                Factory::Static(_) => None,
            },
            Repr::Linked(_) => None,
        }
    }

    /// The `should_load` check as the manager runs it: a library's through the library.
    pub(crate) fn should_load_check(&self) -> Option<impl Fn() -> bool + '_> {
        let check = self.should_load()?;
        Some(move || match self.dynamic_factory() {
            Some(make) => make.check(check),
            None => check(),
        })
    }

    /// Runs the factory into `product`, in this artifact: what a plugin library's entry point
    /// does for the program.
    #[inline]
    pub(crate) fn make_into(&self, product: Product<'_>) -> Result<(), BoxError> {
        match &self.0 {
            Repr::Linked(linked) => (linked.factory())(product),
            Repr::Made(made) => match &made.factory {
                Factory::Static(factory) => factory(product),
                Factory::Dynamic(make) => make.create(product),
            },
        }
    }

    /// Runs the factory for a manager of `T`. The manager calls this once per plugin, inside
    /// its panic guard.
    ///
    /// `by_fingerprint`: the manager's plugin type may come from another copy of plux (this is a
    /// plugin library's copy, joined to the program's), so `T` is known by fingerprint only.
    pub(crate) fn create<T: ?Sized + Plugin>(
        &self,
        by_fingerprint: bool,
    ) -> Result<Arc<T>, NotMade> {
        let mut slot: Option<Arc<T>> = None;
        let mut other = None;
        // A library's factory, or any factory when the manager's `T` is another copy's.
        let across = match self.dynamic_factory() {
            Some(make) if make.in_library() => Some(T::FINGERPRINT),
            _ if by_fingerprint => Some(T::FINGERPRINT),
            _ => None,
        };
        let product = Product {
            slot: &mut slot,
            other: &mut other,
            across,
        };
        let made = self.make_into(product);
        match (made, slot, other) {
            (Err(error), slot, _) => {
                // Put, then failed: the plugin is dropped, which is user code.
                crate::contain::discard(slot);
                Err(NotMade::Failed(error))
            }
            (Ok(()), Some(plugin), _) => Ok(plugin),
            (Ok(()), None, Some(other)) => Err(NotMade::WrongType(other)),
            (Ok(()), None, None) => Err(NotMade::Failed(
                "the factory returned Ok without putting a plugin into its Product".into(),
            )),
        }
    }
}

impl fmt::Debug for PluginSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginSpec")
            .field("namespace", &self.namespace())
            .field("name", &self.name())
            .field("location", &self.location())
            .field("priority", &self.priority())
            .field("after", &self.after().collect::<Vec<_>>())
            .field("before", &self.before().collect::<Vec<_>>())
            .field("requires", &self.requires().collect::<Vec<_>>())
            .field("description", &self.description())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PluginSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace(), self.name())
    }
}

/// What a plugin factory may return: the plugin itself, or a `Result` of it.
///
/// The macros accept both, so `Default::default`, `MyPlugin::new` and a fallible
/// `MyPlugin::from_env` all work as factories.
///
/// ```
/// use plux_core::{FactoryResult, FunctionPlugin};
///
/// let made: Result<FunctionPlugin<fn()>, std::io::Error> = Ok(FunctionPlugin::new(|| {}));
/// assert!(made.into_plugin().is_ok());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a plugin, nor a `Result` of one",
    label = "this factory must return a type that implements `plux::Plugin`, or `Result<that type, E>`",
    note = "implement `plux::Plugin` for the type the factory returns"
)]
pub trait FactoryResult {
    /// The plugin type.
    type Plugin: Plugin;
    /// The plugin, or the factory's error.
    fn into_plugin(self) -> Result<Self::Plugin, BoxError>;
}

impl<P: Plugin> FactoryResult for P {
    type Plugin = P;
    fn into_plugin(self) -> Result<P, BoxError> {
        Ok(self)
    }
}

impl<P: Plugin, E: Into<BoxError>> FactoryResult for Result<P, E> {
    type Plugin = P;
    fn into_plugin(self) -> Result<P, BoxError> {
        self.map_err(Into::into)
    }
}

/// 16 bytes of `name` from `start`, big-endian, zero-padded.
pub(crate) fn bytes_at(name: &str, start: usize) -> u128 {
    let from = name.as_bytes().get(start..).unwrap_or_default();
    if let Some(bytes) = from.first_chunk::<16>() {
        return u128::from_be_bytes(*bytes);
    }
    let mut bytes = [0u8; 16];
    let len = from.len().min(bytes.len());
    if let (Some(to), Some(from)) = (bytes.get_mut(..len), from.get(..len)) {
        to.copy_from_slice(from);
    }
    u128::from_be_bytes(bytes)
}
