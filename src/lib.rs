//! **plux** — plugins that register themselves at link time, and a typed manager that loads them.
//!
//! Put `#[plugin]` on a type or a function in any crate of your build; in the application, a
//! [`PluginManager`] finds every plugin of a namespace and drives each one through its lifecycle
//! **resolved → init → loaded**. There is no list of plugins to maintain, no build script, and
//! nothing runs before `main`: each plugin is a `static` in a linker section
//! ([linkme](https://docs.rs/linkme)), and the
//! index of a namespace is built when a manager first needs it.
//!
//! This is the Rust counterpart of LocalStack's Python [plux](https://github.com/localstack/plux).
//!
//! # Quick start
//!
//! An *interface* is a trait that owns a namespace and the lifecycle of its plugins. A plugin
//! implements it and carries one attribute; the manager hands back `Arc<dyn Greeter>`. A *hook
//! point* is a namespace of functions of one signature, which the compiler checks.
//!
//! ```
//! use plux::{hook_point, plugin, plugin_interface, PluginManager};
//!
//! #[plugin_interface(namespace = "my.plugins.greeters")]
//! pub trait Greeter {
//!     fn greet(&self, who: &str) -> String;
//! }
//!
//! #[derive(Default)]
//! struct English;
//!
//! #[plugin(name = "en")] // registers `English` as `my.plugins.greeters/en`
//! impl Greeter for English {
//!     fn greet(&self, who: &str) -> String {
//!         format!("hello, {who}")
//!     }
//! }
//!
//! #[hook_point(namespace = "my.startup")]
//! pub struct Startup(fn(&mut Vec<String>));
//!
//! #[plugin(hook = Startup)] // a fn of another signature does not compile
//! fn greet_everyone(log: &mut Vec<String>) {
//!     log.push("hello, everyone".into());
//! }
//!
//! let greeters = PluginManager::<dyn Greeter>::new();
//! assert_eq!(greeters.list_names(), ["en"]);
//! for greeter in greeters.load_all() {
//!     assert_eq!(greeter.greet("world"), "hello, world");
//! }
//!
//! let mut log = Vec::new();
//! PluginManager::<Startup>::new().call_all(|hook| hook(&mut log));
//! assert_eq!(log, ["hello, everyone"]);
//! ```
//!
//! # Declaring plugins
//!
//! | you have | you write | the manager is |
//! |---|---|---|
//! | one type per plugin, behind an interface | `#[plugin]` on `impl Interface for Type` (or `#[plugin(interface = Interface)]` on the type) | `PluginManager::<dyn Interface>::new()` |
//! | functions of one signature | `#[hook_point(namespace = "...")]` on `struct Hooks(fn(..));`, then `#[plugin(hook = Hooks)]` on each `fn` | `PluginManager::<Hooks>::new()` |
//! | one type per plugin, no interface | `#[plugin(namespace = "...")]` on the struct or enum (nothing to load), or on its `impl Plugin` | `PluginManager::<Type>::new()` |
//! | one type, many instances | `plugin_spec!("namespace", "name", factory)` at module level | `PluginManager::<Type>::in_namespace("namespace")` (or `dyn Interface` with `plugin_spec!(dyn Interface, ...)`) |
//! | a function, quickly | `#[plugin(namespace = "...")]` on the `fn` | `PluginManager::<FunctionPlugin<fn(..) -> ..>>::in_namespace("...")` |
//!
//! The name defaults to the type's or function's name in snake case (`MyCliPlugin` →
//! `my_cli_plugin`); give `name = "..."` to choose it. A type plugin is made with
//! `Default::default()` unless you give `factory = path`; a factory may return the plugin or a
//! `Result` of it. Namespaces are dotted identifiers (`my.plugins.cli`) and names are letters,
//! digits, `_`, `-` and `.` (see [`IdentKind::rule`]); the macros check both at compile time.
//!
//! ## Interfaces own the lifecycle
//!
//! What every plugin of an interface does when it is loaded is written once, in the interface:
//! its `load` (whose parameter is the manager's load arguments, and whose `Ok` is the output
//! kept beside the plugin), its `should_load`, and its `should_load_with(&self, args)`, which
//! sees the load arguments and may decline them with a [`Veto`] (the plugin is then *disabled*,
//! with that reason, not failed). A plugin writes only its own methods, and may override any. Python plux's `class MyCliPlugin(CliPlugin): name = "my"` reads:
//!
//! ```
//! use std::sync::Mutex;
//! use plux::{plugin, plugin_interface, BoxError, PluginManager};
//!
//! #[derive(Default)]
//! pub struct Cli {
//!     commands: Mutex<Vec<&'static str>>,
//! }
//!
//! #[plugin_interface(namespace = "my.cli")]
//! pub trait CliPlugin {
//!     fn attach(&self, cli: &Cli);
//!
//!     /// Every CLI plugin attaches itself when it is loaded.
//!     fn load(&mut self, cli: &Cli) -> Result<(), BoxError> {
//!         self.attach(cli);
//!         Ok(())
//!     }
//! }
//!
//! #[derive(Default)]
//! struct MyCliPlugin;
//!
//! #[plugin(name = "my")]
//! impl CliPlugin for MyCliPlugin {
//!     fn attach(&self, cli: &Cli) {
//!         cli.commands.lock().unwrap().push("my");
//!     }
//! }
//!
//! let plugins = PluginManager::<dyn CliPlugin>::with_args(Cli::default());
//! plugins.load_all();
//! ```
//!
//! `#[plugin_interface]` adds `Send + Sync + 'static` to the trait, a `should_load` (`true`) and
//! a `load` (doing nothing) when the trait has none, and implements [`Plugin`] and
//! [`PluginInterface`] for `dyn Trait`, and `Debug`, so that `.unwrap_err()` works on what the
//! manager returns.
//!
//! ## Re-usable plugins: `plugin_spec!`
//!
//! One plugin type, registered several times with different parameters. The factory expression runs
//! when the plugin is loaded, so it may be any expression that yields a callable:
//!
//! ```
//! use plux::{plugin_spec, BoxError, Plugin, PluginManager};
//!
//! pub struct ServicePlugin {
//!     service: &'static str,
//!     started: bool,
//! }
//!
//! impl Plugin for ServicePlugin {
//!     type Args = ();
//!     type Output = ();
//!     fn should_load(&self) -> bool {
//!         self.service != "sqs" // e.g. read from configuration
//!     }
//!     fn load(&mut self, _: &()) -> Result<(), BoxError> {
//!         self.started = true;
//!         Ok(())
//!     }
//! }
//!
//! fn service_plugin_factory(service: &'static str) -> impl Fn() -> ServicePlugin {
//!     move || ServicePlugin { service, started: false }
//! }
//!
//! plugin_spec!("my.services", "s3", service_plugin_factory("s3"));
//! plugin_spec!("my.services", "sqs", service_plugin_factory("sqs"));
//!
//! let services = PluginManager::<ServicePlugin>::in_namespace("my.services");
//! assert!(services.load("s3")?.started);
//! assert!(services.load("sqs").is_err_and(|err| err.is_disabled()));
//! # Ok::<(), plux::PluginError>(())
//! ```
//!
//! ## Hooks: functions as plugins
//!
//! A hook point declares a namespace and a signature once; `#[plugin(hook = ..)]` on a `fn`
//! joins it, and a fn of another signature is a compile error at that fn, saying which signature
//! the hook point expects. A loaded hook derefs to the function: call it like one, or run them all
//! in load order with [`call_all`](PluginManager::call_all) (failures are logged and skipped) or
//! [`try_call_all`](PluginManager::try_call_all) (runs none if one failed to load).
//!
//! ```
//! use std::cell::Cell;
//! use plux::{hook_point, plugin, PluginManager};
//!
//! pub struct Runtime {
//!     log_level: Cell<&'static str>,
//! }
//!
//! #[hook_point(namespace = "my.configurators")]
//! pub struct Configurator(fn(&Runtime));
//!
//! #[plugin(hook = Configurator)]
//! fn configure_logging(runtime: &Runtime) {
//!     runtime.log_level.set("debug");
//! }
//!
//! let runtime = Runtime { log_level: Cell::new("info") };
//! PluginManager::<Configurator>::new().try_call_all(|configure| configure(&runtime))?;
//! assert_eq!(runtime.log_level.get(), "debug");
//! # Ok::<(), plux::PluginError>(())
//! ```
//!
//! For quick use, `#[plugin(namespace = "...")]` on a fn registers a [`FunctionPlugin`] in that
//! namespace, loaded by `PluginManager::<FunctionPlugin<fn(&Runtime)>>::in_namespace("...")`;
//! nothing then ties the namespace to the signature (a mismatch is a
//! [`WrongType`](PluginErrorKind::WrongType) error at run time).
//!
//! # The lifecycle
//!
//! A plugin is **resolved** when the manager first needs the specs of its namespace. Loading it
//! runs, once: the [filters](PluginManager::filter) and the process-wide [`global_filter`], the
//! factory (**init**), [`Plugin::should_load`], the listeners'
//! [`approve`](PluginLifecycleListener::approve), then [`Plugin::load`] with the manager's load
//! arguments and the listeners' [`confirm`](PluginLifecycleListener::confirm), which may still
//! fail it (**loaded**). A filter, `should_load() == false` or a listener's [`Veto`] makes it
//! *disabled*, with that reason, which is not an error. Every step is logged (target `plux`;
//! failures at ERROR) and reported to the [listeners](PluginLifecycleListener).
//!
//! Failures are contained: a factory, `should_load` or `load` that returns an error **or panics**
//! marks that plugin failed, tells the listeners, and the manager carries on with the others.
//! [`PluginManager::load`] returns a [`PluginError`] saying which plugin and
//! [what went wrong](PluginErrorKind); [`PluginManager::try_load_all`] stops at the first failure.
//! A loaded plugin is cached; a failed or disabled one keeps its outcome until
//! [`PluginManager::retry`]. The [error model](error) has the full table. No user code — a
//! factory, `load`, a listener, or the `Drop` and `Display` of a plugin or its error — runs while
//! plux holds a lock, and none unwinds out of a manager method. Catching a panic needs unwinding:
//! built with `panic = "abort"`, a panicking plugin aborts the process like any other panic
//! (errors returned as `Err` are contained all the same).
//!
//! A manager is `Send + Sync`: threads that ask *one manager* for the same plugin at once see its
//! factory and its `load` run exactly once, and all get that instance. Two managers of one
//! namespace are independent, and each makes and loads its own instance: share the manager (in a
//! `static` or an `Arc`) for one instance per process.
//!
//! A plugin that asks for itself while it loads gets [`PluginErrorKind::Reentrant`] instead of a
//! deadlock: through its manager or a fresh manager of the same namespace, directly or through
//! other plugins, on the same thread or through threads that are themselves waiting inside a plux
//! manager. plux cannot see waits outside itself, and those deadlock as a lock held across them
//! would: a `load` that joins a helper thread (or blocks on a channel) while the helper asks for
//! the same plugin; a [`PluginFinder`] that, while its namespace resolves, waits on a thread using
//! the same manager; a listener that does the same from `on_resolve_after`.
//!
//! # Ordering
//!
//! Everything a manager lists and loads comes in *load order*: higher `priority` first (the
//! default is [`PluginSpec::DEFAULT_PRIORITY`], 0), ties by name. `after = [...]` and
//! `before = [...]` name plugins of the same namespace that must come earlier or later; they win
//! over priorities. A constraint naming no plugin, or constraints that form a cycle, fail the
//! plugins concerned ([`PluginErrorKind::OrderUnknown`], [`PluginErrorKind::OrderCycle`]) and the
//! others still load. Function plugins then make ordered hooks:
//!
//! ```
//! use plux::{hook_point, plugin, PluginManager};
//!
//! #[hook_point(namespace = "app.startup")]
//! pub struct Startup(fn(&mut Vec<&'static str>));
//!
//! #[plugin(hook = Startup, priority = 10)]
//! fn open_database(log: &mut Vec<&'static str>) { log.push("database"); }
//!
//! #[plugin(hook = Startup, after = ["open_database"])]
//! fn warm_cache(log: &mut Vec<&'static str>) { log.push("cache"); }
//!
//! #[plugin(hook = Startup, priority = -10)]
//! fn announce(log: &mut Vec<&'static str>) { log.push("ready"); }
//!
//! let mut log = Vec::new();
//! PluginManager::<Startup>::new().call_all(|hook| hook(&mut log));
//! assert_eq!(log, ["database", "cache", "ready"]);
//! ```
//!
//! # Dependencies, descriptions, and a parallel start
//!
//! `after` orders; `requires = [...]` depends. Loading a plugin loads what it requires first, in
//! the same manager, and a requirement that fails or is disabled — by its own `should_load`, a
//! filter, a listener's veto, or a requirement of its own — disables the plugin with
//! [`DisabledReason::Requirement`], which names the requirement and says why. A requirement is an
//! `after` constraint too, with the same errors for a name that is not there or a cycle; once the
//! requirement recovers ([`PluginManager::retry`]), a retry of the plugin does.
//!
//! A plugin's doc comment is its description, unless it gives `description = "..."`:
//! [`PluginSpec::description`] reads it without making the plugin, for a command line's help.
//! On `impl Interface for Type` it is the impl's doc comment, or else the type's — declared in
//! the same module of the same file (read through `Span::local_file`, Rust 1.88 and later);
//! a type's docs elsewhere are out of the macro's reach: say it with `description = ".."`. A
//! computed `#[doc = concat!(..)]` is a compile error unless `description` is given.
//!
//! [`PluginManager::load_all_parallel`] loads a namespace on several threads, each plugin as soon
//! as those it follows are done, with the guarantees of `load_all`:
//!
//! ```
//! use std::num::NonZeroUsize;
//! use plux::{hook_point, plugin, PluginManager};
//!
//! #[hook_point(namespace = "app.services")]
//! pub struct Service(fn() -> &'static str);
//!
//! /// Opens the connection pool.
//! #[plugin(hook = Service)]
//! fn database() -> &'static str { "database" }
//!
//! /// Fills the cache from the database.
//! #[plugin(hook = Service, requires = ["database"])]
//! fn cache() -> &'static str { "cache" }
//!
//! let services = PluginManager::<Service>::new();
//! let help: Vec<_> = services.list_specs().iter().map(|s| (s.name(), s.description())).collect();
//! assert_eq!(help[1], ("cache", Some("Fills the cache from the database.")));
//!
//! let started = services.load_all_parallel(NonZeroUsize::new(4).unwrap());
//! assert_eq!(started.iter().map(|s| s()).collect::<Vec<_>>(), ["database", "cache"]);
//! ```
//!
//! # Async plugins
//!
//! A plugin whose `load` is I/O (a connection pool, a listener, remote configuration) declares
//! it `async`: `#[plugin_interface]` and `#[plugin]` box the future, so that `dyn Trait` still
//! works (any other `async fn` of the interface is boxed the same way). The async API of the
//! manager — [`load_async`](PluginManager::load_async),
//! [`load_all_async`](PluginManager::load_all_async),
//! [`try_load_all_async`](PluginManager::try_load_all_async),
//! [`retry_async`](PluginManager::retry_async) — awaits each plugin's `load` exactly once, starts
//! each as soon as those it follows are done, concurrently on the caller's task (no thread
//! spawned: tokio's runtimes, smol, `futures::executor`), and keeps every other promise of
//! `load_all`. A task asking for a plugin that another task or thread is loading awaits it; a
//! plugin whose `load` awaits itself, through any chain, gets
//! [`Reentrant`](PluginErrorKind::Reentrant).
//!
//! ```
//! use plux::{plugin, plugin_interface, BoxError, PluginErrorKind, PluginManager};
//!
//! pub struct Config { pub port: u16 }
//!
//! #[plugin_interface(namespace = "app.servers")]
//! pub trait Server {
//!     async fn load(&mut self, config: &Config) -> Result<(), BoxError>;
//!     async fn stop(&self) -> String;
//! }
//!
//! #[derive(Default)]
//! struct Http { port: u16 }
//!
//! #[plugin(name = "http")]
//! impl Server for Http {
//!     async fn load(&mut self, config: &Config) -> Result<(), BoxError> {
//!         self.port = config.port; // bind, await...
//!         Ok(())
//!     }
//!     async fn stop(&self) -> String {
//!         format!("http :{} drained", self.port)
//!     }
//! }
//!
//! let servers = PluginManager::<dyn Server>::with_args(Config { port: 8080 });
//! // The blocking API does not block a thread on a future: it says so.
//! assert!(matches!(servers.load("http").unwrap_err().kind(), PluginErrorKind::LoadsAsync));
//!
//! futures::executor::block_on(async {
//!     let started = servers.load_all_async().await;
//!     for server in started.iter().rev() {
//!         assert_eq!(server.stop().await, "http :8080 drained");
//!     }
//! });
//! ```
//!
//! An interface may declare `unload` (`fn` or `async fn`, of `&self`):
//! [`unload_all`](PluginManager::unload_all) and
//! [`unload_all_async`](PluginManager::unload_all_async) run it once for each loaded plugin, in
//! reverse load order, each failure contained and returned — the shutdown every supervisor
//! otherwise writes.
//!
//! Dropping the future part-way (a `select!`, a timeout) drops the loads in flight: those plugins
//! are failed with [`Cancelled`](PluginErrorKind::Cancelled), which
//! [`retry_async`](PluginManager::retry_async) runs again; the others are left as they were. A
//! hook may be an `async fn` too, of a hook point whose hooks return a [`HookFuture`].
//!
//! # Linking: every plugin crate must be named
//!
//! rustc does not link a dependency that no code names, and a linker section cannot bring it back:
//! the plugins of a crate that your application only lists in `Cargo.toml` silently vanish (with
//! any backend, in every profile, with or without LTO). One line links them all, and catches the
//! one you forgot:
//!
//! ```text
//! plux::link_plugins!();   // in main.rs, and once in each integration test, example and bench
//! ```
//!
//! The macro runs inside rustc, so it reads the compilation itself: the crates rustc was given
//! (`--extern`) and, from `Cargo.lock`, which of them depend on plux, directly or through other
//! crates. It names each of those plugin crates (`use ::my_plugins as _;`). So it follows
//! everything Cargo decides: a renamed dependency is linked under its key, an optional one only
//! when its feature is on, a platform-specific one only on its platform, and dev-dependencies
//! only in tests, examples and benches (and in unit tests, `cfg(test)`). A package's own
//! library is linked for its binaries and tests. A library may call it too: its plugin crates
//! then come along wherever the library is linked. Without the macro, name each plugin crate
//! yourself: `use my_plugins as _;`.
//!
//! With a list, it links those crates and checks the list at compile time:
//!
//! ```text
//! plux::link_plugins!(auth_plugins, storage_plugins);
//! ```
//!
//! fails to compile — naming the crate — when a crate of the compilation that depends on plux is
//! missing from the list, when a listed name is not a dependency here (or is the package name of
//! a renamed one), and when a listed crate does not depend on plux. A crate that depends on plux
//! but declares no plugins — the crate of your interfaces — is said to have none, and the claim
//! is checked when the program runs (the crate is linked all the same, so plugins it does declare
//! are loaded, logged at WARN and reported by [`inspect::check`]):
//!
//! ```text
//! plux::link_plugins!(auth_plugins, storage_plugins, no_plugins = [app_api]);
//! ```
//!
//! `crate = path` says where plux is when it is renamed.
//!
//! Every call is recorded: [`Registry::links`] and [`inspect`] show what it linked. Where the
//! macro cannot see the compilation (an IDE expanding it out of process, a build without
//! `Cargo.lock`), it links what it was given, and the record — and a warning logged (target
//! `plux`) the first time the program looks for plugins — says that it could not check.
//!
//! What no macro can catch: a binary, test or example that calls neither `link_plugins!` nor
//! `use my_plugins as _;`. Each is a crate of its own and needs its own call. Such a program
//! says so at run time, where its user looks: a `load` that finds nothing in an empty namespace
//! returns a [`NotFound`](PluginErrorKind::NotFound) whose message says what to add, and the
//! first `load_all` of an interface or hook point with no plugins warns once (on standard error
//! when no logger shows WARN). A program whose plugins are there gets neither. What plux logs,
//! and at which level, is in one place: [`PluginManager`'s Logging](PluginManager#logging).
//!
//! One test in the application's suite checks all of this — and every plugin that cannot load —
//! at once; it fails listing each problem:
//!
//! ```text
//! // tests/plugins.rs
//! plux::link_plugins!();
//!
//! #[test]
//! fn plugins_are_sound() {
//!     plux::inspect::check().unwrap();
//! }
//! ```
//!
//! A library whose `[lib] name` differs from its package name is not recognized as a plugin crate: name it
//! yourself.
//!
//! # Backends
//!
//! The registry has two backends with the same API, chosen by a cargo feature of `plux`:
//!
//! | feature | how a plugin registers | platforms | before `main` | at first use |
//! |---|---|---|---|---|
//! | *(default)* linkme | a `static` in a linker section ([linkme](https://docs.rs/linkme)) | Linux, Android, Fuchsia, macOS, iOS, tvOS, Windows, FreeBSD, OpenBSD, illumos, bare metal; **not** wasm, NetBSD, DragonFly, Haiku | no code runs (in a position-independent executable the loader relocates 3 pointers per plugin) | the section is scanned for the namespace, once per namespace |
//! | `inventory` | a `static`, linked into a list by a constructor ([inventory](https://docs.rs/inventory)) | all of linkme's, and wasm (constructors run through `__wasm_call_ctors`; Rust ≥ 1.85), NetBSD, DragonFly, Haiku, Redox, VxWorks, QNX | one constructor per plugin and per `link_plugins!` (a pointer swap each) | the list is copied into a slice, once |
//!
//! ```toml
//! plux = { version = "0.1", features = ["inventory"] }
//! ```
//!
//! Trade-offs: linkme runs no code at start-up and keeps no list at run time (in a
//! position-independent executable, the default, the dynamic loader still relocates each spec's
//! pointers before `main`, as measured in BENCHMARKS.md;
//! `-C relocation-model=static` resolves them at link time instead), but a platform without its
//! linker support does not build. inventory builds wherever constructors run, at
//! the price of code that runs before `main` (tiny, and never plugin code: factories still run
//! when a plugin is loaded) and of a host that must run constructors (a wasm module whose host
//! never calls `__wasm_call_ctors`, directly or through an export, has an empty registry). The
//! feature is unified across a build: when any crate turns `inventory` on, the whole program
//! uses it. Neither backend changes what is linked: both need [`link_plugins!`].
//!
//! **cdylib and `dlopen`.** A shared library opened at run time has its own copy of plux and of
//! the registry, with either backend. To have its plugins join the program's, make it a plugin
//! library (below).
//!
//! # Plugin libraries
//!
//! A distribution installed beside a program adds plugins without rebuilding it: a crate of
//! ordinary `#[plugin]`s, of interfaces and hook points shared through a crate both link, built
//! as a `cdylib` with one line, [`export_plugins!`]. The program, with the feature `dynamic`,
//! opens it, checks it, and its plugins join the registry:
//!
//! | feature | what it adds | needs |
//! |---|---|---|
//! | `dynamic` | `dynamic::open`, `dynamic::open_dir` (both `unsafe`), `dynamic::libraries`, `dynamic::requirements`, `dynamic::check_library`; [`PluginManager::refresh`] finds what they add | [libloading](https://docs.rs/libloading); a plugin library itself needs no feature |
//!
//! ```toml
//! plux = { version = "0.1", features = ["dynamic"] }
//! ```
//!
//! ```no_run
//! # #[plux::plugin_interface(namespace = "my.greeters")]
//! # pub trait Greeter { fn greet(&self, who: &str) -> String; }
//! use plux::{dynamic, PluginManager};
//!
//! // SAFETY: only the program's installer writes to its plugins directory; opening a library
//! // runs its code, and trusts what it says of its build (see `dynamic::open`).
//! let opened = unsafe { dynamic::open_dir("/usr/lib/my-app/plugins") }?;
//! for refused in opened.refused() {
//!     eprintln!("{refused}"); // e.g. built against another plux, or another `Greeter`
//! }
//! for greeter in PluginManager::<dyn Greeter>::new().load_all() {
//!     println!("{}", greeter.greet("world")); // linked and library plugins alike
//! }
//! # Ok::<(), dynamic::LibraryError>(())
//! ```
//!
//! Before anything registers, the program refuses, with a `dynamic::LibraryError` naming both
//! sides, a library built by another rustc, for another target, with another panic strategy,
//! against another plux (another version, or the same from other sources), or against another
//! definition of one of its interfaces as the compiler saw it (each interface and hook point has
//! a [`dynamic::Fingerprint`] of its methods after `#[cfg]` evaluation, their signatures, the
//! layout of their types and the crate's features; `TypeId` differs between artifacts), and a
//! library that would take something away: one whose plugin has a name the program has, or a
//! second copy of an open library. A library exports only its own crate's plugins. Each refusal
//! says what to do and is logged at `WARN`. What no check can see (a library's initialisers run
//! when it is loaded; a library that lies about its build) is the caller's promise: `open` is
//! `unsafe`. A panic in a library's code (its factories, `should_load` and `load`, its plugins'
//! methods, `Drop` and errors, its hook fns) is caught on the library's side and raised again as
//! the program's own, which the program contains like a linked plugin's; the library allocates
//! with the program's allocator. A library is never unloaded. `docs/dynamic.md` has the design,
//! hazard by hazard, and what is not handled (library code reached through other values it hands
//! out). `cargo run --example dynamic` runs it.
//!
//! # Inspecting a program
//!
//! [`inspect`] lists what a built program contains: every namespace and plugin in load order,
//! with its declaring crate, module, file and line, priority and `after`/`before`, every plugin
//! that cannot load (duplicates with all their sites, broken ordering constraints), and what each
//! `link_plugins!` linked — as text or JSON. One line gives an application a `--plux-list` flag:
//!
//! ```no_run
//! plux::inspect::exit_if_listing(); // `--plux-list` (text) or `--plux-list=json`, then exit
//! ```
//!
//! `cargo run --example inspect` shows the report. [`Report::with_states`](inspect::Report::with_states)
//! adds what a manager made of each plugin (loaded, or disabled or failed and why), and
//! [`inspect::check`] is the health check for an application's tests.
//!
//! # Limits
//!
//! * Registration order is unspecified and changes between builds (and with LTO): everything plux
//!   lists is in load order, never in link order.
//! * A `cdylib` opened at run time joins the registry only as a [plugin
//!   library](#plugin-libraries), with plugins of interfaces and hook points only.
//! * A [`PluginFinder`] must not use the manager that asks it, nor wait for anything that does:
//!   it runs while that manager resolves its namespace, and every other user of the manager waits
//!   for that. Listeners may use their manager from every hook, on their own thread.
//! * Panics are contained only where they unwind: with `panic = "abort"`, a panicking plugin ends
//!   the process.
//! * In a module under `#![no_implicit_prelude]`, every form works except `#[plugin_interface]`
//!   and `plugin_spec!(dyn ..)`: the compiler messages they add are `#[diagnostic::..]`
//!   attributes, which that module cannot resolve. Declare those outside it; their plugins may
//!   live in it.
//!
//! # Crates
//!
//! | crate | holds |
//! |---|---|
//! | `plux` | this facade: re-exports both below; depend on this one only |
//! | `plux-core` | [`Plugin`], [`PluginSpec`], [`Registry`], [`PluginManager`] and the lifecycle, [`dynamic`] |
//! | `plux-macros` | [`plugin`], [`plugin_interface`], [`plugin_spec!`] |

#![warn(missing_docs)]
// On docs.rs (see `[package.metadata.docs.rs]`): a badge on each item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the macros' `::plux` paths resolve inside this crate's own doctests and tests.
extern crate self as plux;

pub use plux_core::*;

/// Registers a plugin at link time.
///
/// | on | keys | registers |
/// |---|---|---|
/// | `impl Interface for Type` | `name`, `factory` | `Type` as `dyn Interface`, in the interface's namespace |
/// | a struct or enum | `interface`, `name`, `factory` | the type, as `dyn Interface` |
/// | a struct or enum, or an inherent `impl Type` | `namespace`, `name`, `factory`, `should_load` | the type as itself, with nothing to load (the macro implements [`Plugin`] and [`PluginInterface`]) |
/// | `impl Plugin for Type` | `namespace`, `name`, `factory` | the type as itself, with its own lifecycle (the macro implements [`PluginInterface`]) |
/// | a `fn` | `hook`, `name`, `should_load` | the fn as a hook of that [`hook_point`] |
/// | a `fn` | `namespace`, `name`, `should_load` | a [`FunctionPlugin`]`<fn(..) -> ..>` |
///
/// Every key, with the forms that take it:
///
/// * `namespace = "my.plugins"`: the namespace of a type registered as itself or of a function
///   plugin (a string literal, checked at compile time against the
///   [grammar](IdentKind::rule)).
/// * `interface = MyInterface` (on a struct or enum): the [`plugin_interface`] it is registered
///   as; the type implements it elsewhere.
/// * `hook = MyHookPoint` (on a `fn`): the [`hook_point`] it joins.
/// * `name = "my-plugin"`: its name in the namespace (default: the snake-cased type or fn name).
/// * `factory = MyPlugin::new`: a function returning the plugin or a `Result` of it
///   (default: `Default::default`).
/// * `should_load = is_enabled`: a `fn() -> bool` asked before the plugin is made; `false`
///   disables it. (A plugin that decides from the manager's load arguments overrides
///   [`Plugin::should_load`] instead.)
/// * `priority = 10`, `after = ["other-plugin"]`, `before = ["other-plugin"]`: its place in the
///   [load order](crate#ordering) of its namespace.
/// * `requires = ["database"]`: plugins of the namespace loaded first; if one does not load,
///   this one is disabled (see [dependencies](crate#dependencies-descriptions-and-a-parallel-start)).
/// * `description = "what the plugin does"`: its description, readable without loading it
///   ([`PluginSpec::description`]). Without the key, the doc comment is the description: on
///   `impl Interface for Type`, the impl's `///` if it has one, else the type's (see
///   [dependencies, descriptions](crate#dependencies-descriptions-and-a-parallel-start)).
/// * `crate = ::my_framework::plux`: where `plux` is, when it is renamed or re-exported.
///
/// Values may come through `macro_rules!` (`$name:literal`, `$factory:expr`). A function
/// plugin's `fn` may have lifetime parameters (it becomes a `for<'a> fn(..)`), but no type or
/// const parameters, and it may not be `unsafe` or a method; an `async fn` is registered as the
/// fn that returns its boxed future (a [`HookFuture`]). On `impl Interface for Type`, every
/// `async fn` is boxed as the interface's is.
///
/// ```
/// use plux::{plugin, FunctionPlugin, PluginManager};
///
/// #[plugin(namespace = "app.jobs", name = "cleanup", factory = Cleanup::new)]
/// pub struct Cleanup { every_secs: u64 }
///
/// impl Cleanup {
///     fn new() -> Self { Cleanup { every_secs: 60 } }
/// }
///
/// fn hooks_enabled() -> bool { true }
///
/// #[plugin(namespace = "app.hooks", should_load = hooks_enabled)]
/// fn on_start() -> &'static str { "started" }
///
/// assert_eq!(PluginManager::<Cleanup>::new().load("cleanup")?.every_secs, 60);
/// let hook = PluginManager::<FunctionPlugin<fn() -> &'static str>>::in_namespace("app.hooks")
///     .load("on_start")?;
/// assert_eq!(hook(), "started");
/// # Ok::<(), plux::PluginError>(())
/// ```
pub use plux_macros::plugin;

/// Declares a plugin interface: `#[plugin_interface(namespace = "...")]` on a trait, whose
/// `load` and `should_load` (provided, or added by the macro) are the lifecycle of its plugins.
///
/// It implements [`Plugin`] and [`PluginInterface`] for `dyn Trait`, so that `#[plugin]` on
/// `impl Trait for Type` and [`PluginManager::new`] need no namespace. The load arguments are
/// what `load` borrows (`fn load(&mut self, args: &MyArgs)`; none when it takes none), and the
/// output is what its `Result` holds (`()` when it returns nothing). An `async fn load` makes
/// its plugins [async](crate#async-plugins): every `async fn` of the trait becomes a method that
/// returns a boxed, `Send` future, so that `dyn Trait` works.
///
/// ```
/// use plux::{plugin_interface, PluginInterface};
///
/// #[plugin_interface(namespace = "my.plugins.cli")]
/// pub trait CliPlugin {
///     fn command(&self) -> &str;
/// }
///
/// assert_eq!(<dyn CliPlugin as PluginInterface>::NAMESPACE, "my.plugins.cli");
/// ```
pub use plux_macros::plugin_interface;

/// Declares a hook point: `#[hook_point(namespace = "...")]` on `struct Name(fn(..) -> ..);`.
///
/// Functions join it with `#[plugin(hook = Name)]`; one of another signature does not compile.
/// The struct is the hook: it implements [`Hook`] and derefs to its fn, and
/// `PluginManager::<Name>::new()` loads and [calls](PluginManager::call_all) every hook. It also
/// implements `Debug` unless the struct derives it; put such a `#[derive(..)]` *below*
/// `#[hook_point]`, where the macro can see it.
///
/// ```
/// use plux::{hook_point, plugin, PluginManager};
///
/// #[hook_point(namespace = "app.shutdown")]
/// pub struct Shutdown(fn() -> &'static str);
///
/// #[plugin(hook = Shutdown)]
/// fn flush() -> &'static str { "flushed" }
///
/// assert_eq!(PluginManager::<Shutdown>::new().call_all(|hook| hook()), ["flushed"]);
/// ```
pub use plux_macros::hook_point;

/// Registers one plugin made by a factory: `plugin_spec!(namespace, name, factory)`.
///
/// * `namespace`: a string literal, or `dyn Interface` to register the plugin as that interface
///   in the interface's namespace.
/// * `name`: a string literal.
/// * `factory`: an expression that yields something callable with no arguments, returning the
///   plugin or a `Result` of it: `|| ServicePlugin::new("s3")`, `ServicePlugin::default`,
///   `service_plugin_factory("s3")`. It is evaluated when the plugin is loaded.
/// * then, optionally, `priority = 10`, `after = ["name"]`, `before = ["name"]`,
///   `requires = ["name"]`, `description = "what it does"` and `crate = path`, as for
///   [`plugin`].
///
/// See the [crate documentation](crate#re-usable-plugins-plugin_spec) for more.
///
/// ```
/// use plux::{plugin_spec, PluginManager};
///
/// pub struct Service { name: &'static str }
/// # impl plux::Plugin for Service {
/// #     type Args = ();
/// #     type Output = ();
/// #     fn load(&mut self, _: &()) -> Result<(), plux::BoxError> { Ok(()) }
/// # }
///
/// plugin_spec!("app.services", "database", || Service { name: "db" });
/// plugin_spec!(
///     "app.services",
///     "cache",
///     || Service { name: "cache" },
///     priority = -1,
///     requires = ["database"],
///     description = "an in-memory cache in front of the database",
/// );
///
/// let services = PluginManager::<Service>::in_namespace("app.services");
/// let cache = services.list_specs().into_iter().find(|spec| spec.name() == "cache").unwrap();
/// assert_eq!(cache.description(), Some("an in-memory cache in front of the database"));
/// assert_eq!(services.load("cache")?.name, "cache");
/// assert!(services.is_loaded("database"));
/// # Ok::<(), plux::PluginError>(())
/// ```
pub use plux_macros::plugin_spec;

/// Links every plugin crate that this crate depends on: `plux::link_plugins!();`, once, in each
/// binary, integration test, example and bench. With a list, `plux::link_plugins!(a, b)` links
/// those and fails to compile if a plugin crate is missing from it.
///
/// ```text
/// plux::link_plugins!();                                    // every plugin crate
/// plux::link_plugins!(auth_plugins, storage_plugins);       // exactly these, checked
/// plux::link_plugins!(auth_plugins, no_plugins = [app_api]); // app_api depends on plux, declares none
/// plux::link_plugins!(crate = ::my_framework::plux);        // plux renamed or re-exported
/// ```
///
/// See [Linking: every plugin crate must be named](crate#linking-every-plugin-crate-must-be-named)
/// for how it works.
pub use plux_macros::link_plugins;

// The README's example compiles and runs as a doctest, so that it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
