//! `link_plugins!`: names the plugin crates of a compilation, so that rustc links them.
//!
//! rustc links a dependency only when code names it. The macro finds the plugin crates from two
//! sources that describe the compilation exactly:
//!
//! * rustc's own command line (the macro runs inside the rustc process): its `--extern` flags are
//!   the crates this compilation may name. Cargo passes only the dependencies that apply: the
//!   enabled optional ones, those of the current target platform, dev-dependencies only for tests,
//!   examples and benches, each under its renamed key. The file name of each (`lib<crate>-<hash>.rlib`)
//!   gives its crate name.
//! * `Cargo.lock`: which packages depend on `plux-core`, directly or through other crates. Those
//!   are the plugin crates; the others cannot declare plugins.
//!
//! When rustc's command line is not visible (an IDE expanding the macro out of process), the
//! macro links what it is given and records, for the run-time warning and `plux::inspect`, that
//! it could not check.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// Packages that are plux itself: they depend on plux-core but declare no plugins.
const PLUX_PACKAGES: [&str; 3] = ["plux", "plux_core", "plux_macros"];

/// `link_plugins!()` or `link_plugins!(a, b, no_plugins = [c], crate = path)`.
struct Input {
    krate: Option<syn::Path>,
    listed: Vec<Ident>,
    /// Plux-dependent crates the caller says declare no plugins (say, a crate of interfaces).
    no_plugins: Vec<Ident>,
}

enum Item {
    Crate(Ident),
    NoPlugins(Ident, Vec<Ident>),
    Path(syn::Path),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![crate]) {
            input.parse::<Token![crate]>()?;
            input.parse::<Token![=]>()?;
            return Ok(Item::Path(input.parse()?));
        }
        let lookahead = input.lookahead1();
        if !lookahead.peek(Ident) {
            return Err(syn::Error::new(
                input.span(),
                "expected the name of a plugin crate as the code names it (e.g. `my_plugins`), \
                 `no_plugins = [..]` or `crate = path`",
            ));
        }
        let ident: Ident = input.parse()?;
        if ident != "no_plugins" || !input.peek(Token![=]) {
            return Ok(Item::Crate(ident));
        }
        input.parse::<Token![=]>()?;
        let content;
        syn::bracketed!(content in input);
        let crates = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
        Ok(Item::NoPlugins(ident, crates.into_iter().collect()))
    }
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let items = Punctuated::<Item, Token![,]>::parse_terminated(input)?;
        let mut parsed = Input {
            krate: None,
            listed: Vec::new(),
            no_plugins: Vec::new(),
        };
        let mut seen_no_plugins = false;
        for item in items {
            match item {
                Item::Crate(ident) => parsed.listed.push(ident),
                Item::NoPlugins(key, _) if seen_no_plugins => {
                    return Err(syn::Error::new(
                        key.span(),
                        "`no_plugins = [..]` is given twice: put every crate in one list",
                    ));
                }
                Item::NoPlugins(_, crates) => {
                    seen_no_plugins = true;
                    parsed.no_plugins = crates;
                }
                Item::Path(path) if parsed.krate.is_some() => {
                    return Err(syn::Error::new_spanned(path, "`crate = ..` is given twice"));
                }
                Item::Path(path) => parsed.krate = Some(path),
            }
        }
        Ok(parsed)
    }
}

/// A crate the compilation may name: `--extern name=path`.
#[derive(Debug, Clone)]
struct Extern {
    /// As the code names it.
    name: String,
    /// The crate name, from the file name, when it is a Rust library.
    crate_name: Option<String>,
    /// Its `.rlib` or `.rmeta`.
    path: PathBuf,
}

/// The symbol `plux::export_plugins!()` defines, as `ENTRY_SYMBOL` in plux-core.
const LIBRARY_ENTRY: &[u8] = b"plux_library_v1";

impl Extern {
    /// A plugin library (its crate calls `export_plugins!()`): a `cdylib` that programs open at
    /// run time, never linked. Its metadata and object code name the entry point it defines; a
    /// crate that merely depends on plux does not.
    fn is_plugin_library(&self) -> bool {
        std::fs::read(&self.path).is_ok_and(|bytes| {
            bytes
                .windows(LIBRARY_ENTRY.len())
                .any(|window| window == LIBRARY_ENTRY)
        })
    }
}

/// What rustc's command line says about this compilation.
#[derive(Debug, Default)]
struct CommandLine {
    externs: Vec<Extern>,
    edition: Option<String>,
    /// Directories of the `--extern` files and `-L dependency=` paths: where a target dir is.
    dirs: Vec<PathBuf>,
}

/// Reads rustc's command line, expanding `@argfile`s. `None` when this process is not rustc
/// compiling the calling crate (no `--extern` at all: an IDE's macro server).
fn command_line() -> Option<CommandLine> {
    let args = rustc_args();
    let mut line = CommandLine::default();
    let mut seen_extern = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| iter.next().cloned());
        match flag {
            "--extern" => {
                seen_extern = true;
                if let Some(spec) = value() {
                    if let Some((krate, dir)) = parse_extern(&spec) {
                        line.externs.push(krate);
                        line.dirs.extend(dir);
                    }
                }
            }
            "--edition" => line.edition = value(),
            "-L" => {
                if let Some(path) = value()
                    .as_deref()
                    .and_then(|v| v.strip_prefix("dependency="))
                {
                    line.dirs.push(PathBuf::from(path));
                }
            }
            _ => {
                if let Some(path) = arg.strip_prefix("-Ldependency=") {
                    line.dirs.push(PathBuf::from(path));
                }
            }
        }
    }
    seen_extern.then_some(line)
}

/// The command line of this process, rustc's when a macro runs in it, with `@argfile`s expanded.
pub(crate) fn rustc_args() -> Vec<String> {
    let mut args: Vec<String> = std::env::args_os().map(lossy).collect();
    if args.len() < 2 {
        // Some libcs do not hand the arguments to a dynamically loaded library.
        if let Ok(raw) = std::fs::read("/proc/self/cmdline") {
            args = raw
                .split(|&b| b == 0)
                .filter(|arg| !arg.is_empty())
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect();
        }
    }
    expand_argfiles(args)
}

fn lossy(arg: OsString) -> String {
    arg.to_string_lossy().into_owned()
}

/// rustc reads `@path` as more arguments, one per line; cargo uses it for long command lines and
/// rustdoc for doctests.
fn expand_argfiles(args: Vec<String>) -> Vec<String> {
    let mut expanded = Vec::with_capacity(args.len());
    for arg in args {
        match arg
            .strip_prefix('@')
            .map(|path| path.strip_prefix("shell:").unwrap_or(path))
        {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => expanded.extend(text.lines().map(str::to_owned)),
                Err(_) => expanded.push(arg),
            },
            None => expanded.push(arg),
        }
    }
    expanded
}

/// `[opts:]name[=path]`, e.g. `priv:my_plugins=/t/deps/libmy_plugins-0123.rlib`.
fn parse_extern(spec: &str) -> Option<(Extern, Option<PathBuf>)> {
    let (name, path) = match spec.split_once('=') {
        Some((name, path)) => (name, Some(path)),
        None => (spec, None),
    };
    let (options, name) = name.rsplit_once(':').unwrap_or(("", name));
    // A `noprelude` crate cannot be named by a path; one without a path is a sysroot crate.
    if options.split(',').any(|option| option == "noprelude") {
        return None;
    }
    let path = Path::new(path?);
    let file = path.file_name()?.to_string_lossy();
    let crate_name = [".rlib", ".rmeta"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))
        .and_then(|stem| stem.strip_prefix("lib"))
        .map(|stem| stem.split('-').next().unwrap_or(stem).to_owned());
    let krate = Extern {
        name: name.to_owned(),
        crate_name,
        path: path.to_owned(),
    };
    Some((krate, path.parent().map(Path::to_path_buf)))
}

/// A locked package: name, version, and its dependencies as (name, version if given).
type LockNode<'a> = (&'a str, &'a str, Vec<(&'a str, Option<&'a str>)>);

/// What `Cargo.lock` says: the crate names of the packages that reach plux-core.
struct Lock {
    /// Crate name (package name, `-` made `_`) → whether some package of that name reaches plux.
    reaches_plux: HashMap<String, bool>,
}

impl Lock {
    /// The lock of the workspace being built: rustc runs in the workspace root, a registry
    /// package's build in the package, and a target dir is usually inside the workspace. The
    /// first lock that has the calling package is the one.
    fn find(dirs: &[PathBuf]) -> Result<Lock, String> {
        let package = std::env::var("CARGO_PKG_NAME").ok();
        let version = std::env::var("CARGO_PKG_VERSION").ok();
        let mut candidates: Vec<PathBuf> = Vec::new();
        let mut add = |start: &Path| {
            for dir in start.ancestors() {
                let lock = dir.join("Cargo.lock");
                if !candidates.contains(&lock) {
                    candidates.push(lock);
                }
            }
        };
        if let Ok(cwd) = std::env::current_dir() {
            add(&cwd);
        }
        if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
            add(Path::new(&manifest_dir));
        }
        for dir in dirs {
            add(dir);
        }
        let mut tried = Vec::new();
        for candidate in candidates {
            let Ok(text) = std::fs::read_to_string(&candidate) else {
                continue;
            };
            match Lock::parse(&text, package.as_deref(), version.as_deref()) {
                Ok(Some(lock)) => return Ok(lock),
                Ok(None) => tried.push(format!("{} (not this package's)", candidate.display())),
                Err(error) => tried.push(format!("{}: {error}", candidate.display())),
            }
        }
        Err(if tried.is_empty() {
            "no Cargo.lock found in the workspace or the package's parents".to_owned()
        } else {
            format!("no usable Cargo.lock: {}", tried.join("; "))
        })
    }

    /// Parses a lock; `Ok(None)` when it does not have `package` `version`.
    fn parse(
        text: &str,
        package: Option<&str>,
        version: Option<&str>,
    ) -> Result<Option<Lock>, String> {
        // (name, version) of each package, and its dependencies as written: "name" when one
        // version of the name is locked, else "name version" or "name version (source)".
        let mut nodes: Vec<LockNode> = Vec::new();
        for package in lock_packages(text)? {
            let (Some(name), Some(version)) = (package.name, package.version) else {
                continue;
            };
            let dependencies = package
                .dependencies
                .iter()
                .map(|dep| {
                    let mut words = dep.split(' ');
                    (words.next().unwrap_or(dep), words.next())
                })
                .collect();
            nodes.push((name, version, dependencies));
        }
        if let (Some(package), Some(version)) = (package, version) {
            if !nodes.iter().any(|(n, v, _)| *n == package && *v == version) {
                return Ok(None);
            }
        }

        // Reverse edges, then everything that reaches plux-core.
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for (i, (_, _, deps)) in nodes.iter().enumerate() {
            for (dep_name, dep_version) in deps {
                for (j, (name, version, _)) in nodes.iter().enumerate() {
                    if name == dep_name && dep_version.map_or(true, |v| v == *version) {
                        if let Some(list) = dependents.get_mut(j) {
                            list.push(i);
                        }
                    }
                }
            }
        }
        let mut reaches = vec![false; nodes.len()];
        let mut stack: Vec<usize> = nodes
            .iter()
            .enumerate()
            .filter(|(_, (name, _, _))| *name == "plux-core")
            .map(|(i, _)| i)
            .collect();
        while let Some(i) = stack.pop() {
            for &j in dependents.get(i).map(Vec::as_slice).unwrap_or_default() {
                if let Some(flag @ false) = reaches.get_mut(j) {
                    *flag = true;
                    stack.push(j);
                }
            }
        }
        let mut reaches_plux: HashMap<String, bool> = HashMap::new();
        for ((name, _, _), reaches) in nodes.iter().zip(reaches) {
            *reaches_plux.entry(name.replace('-', "_")).or_default() |= reaches;
        }
        Ok(Some(Lock { reaches_plux }))
    }

    /// `Some(true)`: a plugin crate; `Some(false)`: cannot declare plugins; `None`: unknown
    /// (a library whose crate name differs from its package name).
    fn is_plugin_crate(&self, crate_name: &str) -> Option<bool> {
        if PLUX_PACKAGES.contains(&crate_name) {
            return Some(false);
        }
        self.reaches_plux.get(crate_name).copied()
    }
}

/// The expansion of `link_plugins!(...)`.
pub(crate) fn link_plugins(input: TokenStream) -> syn::Result<TokenStream> {
    let input: Input = syn::parse2(input)?;
    let krate = input
        .krate
        .as_ref()
        .map_or_else(|| quote!(::plux), |path| quote!(#path));
    let mut seen = BTreeSet::new();
    for ident in input.listed.iter().chain(&input.no_plugins) {
        if !seen.insert(ident.to_string()) {
            return Err(syn::Error::new(
                ident.span(),
                format!("`{ident}` is listed twice"),
            ));
        }
    }
    if input.listed.is_empty() {
        if let Some(first) = input.no_plugins.first() {
            return Err(syn::Error::new(
                first.span(),
                "`no_plugins = [..]` completes a list of plugin crates; `link_plugins!()` alone \
                 links every crate that depends on plux and needs no exceptions",
            ));
        }
    }

    let Some(line) = command_line() else {
        // Out of rustc (an IDE): link what is listed, and say at run time that nothing was checked.
        let named = |idents: &[Ident]| -> Vec<(Ident, String)> {
            idents
                .iter()
                .map(|ident| (ident.clone(), ident.to_string()))
                .collect()
        };
        return Ok(expand(
            &krate,
            &Linked {
                plugin_crates: named(&input.listed),
                no_plugins: named(&input.no_plugins),
            },
            true,
            Some("rustc's command line was not visible to the macro"),
        ));
    };
    let externs: BTreeMap<String, Extern> = line
        .externs
        .iter()
        .map(|krate| (krate.name.clone(), krate.clone()))
        .collect();
    let lock = Lock::find(&line.dirs);
    let edition_2015 = line.edition.as_deref().map_or(true, |e| e == "2015");

    // The package's own library (for its binaries, tests, examples and benches) is linked
    // whether listed or not: it is not a dependency anyone would think to list.
    let own_lib = std::env::var("CARGO_PKG_NAME")
        .ok()
        .map(|name| name.replace('-', "_"))
        .filter(|name| std::env::var("CARGO_CRATE_NAME").ok().as_ref() != Some(name));

    let plugin_crates: Result<Vec<&Extern>, &String> = match &lock {
        Ok(lock) => Ok(externs
            .values()
            .filter(|krate| {
                krate
                    .crate_name
                    .as_deref()
                    .and_then(|name| lock.is_plugin_crate(name))
                    .unwrap_or(false)
                    && !krate.is_plugin_library()
            })
            .collect()),
        Err(reason) => Err(reason),
    };

    if input.listed.is_empty() {
        let plugin_crates = plugin_crates.map_err(|reason| {
            syn::Error::new(
                Span::call_site(),
                format!(
                    "link_plugins!() cannot tell which dependencies are plugin crates: {reason}. \
                     Name them instead: `link_plugins!(my_plugins, other_plugins)`"
                ),
            )
        })?;
        let plugin_crates = plugin_crates
            .iter()
            .map(|krate| {
                (
                    Ident::new(&krate.name, Span::call_site()),
                    krate_name(krate),
                )
            })
            .collect();
        let linked = Linked {
            plugin_crates,
            no_plugins: Vec::new(),
        };
        return Ok(expand(&krate, &linked, !edition_2015, None));
    }

    // An explicit list: every name must be a dependency here that depends on plux, and every
    // plugin crate listed (as a plugin crate, or in `no_plugins`).
    let mut errors: Vec<syn::Error> = Vec::new();
    let roles = input
        .listed
        .iter()
        .map(|ident| (ident, Role::PluginCrate))
        .chain(
            input
                .no_plugins
                .iter()
                .map(|ident| (ident, Role::NoPlugins)),
        );
    for (ident, role) in roles {
        let name = ident.to_string();
        let Some(found) = externs.get(&name) else {
            let renamed = externs
                .values()
                .find(|krate| krate.crate_name.as_deref() == Some(name.as_str()));
            let message = match renamed {
                Some(krate) => {
                    // The user meant it: do not also report the crate as missing.
                    seen.insert(krate.name.clone());
                    format!(
                        "`{name}` is renamed in Cargo.toml: the code names it `{}`",
                        krate.name
                    )
                }
                None => format!(
                    "`{name}` is not a dependency of this crate: add it to [dependencies] (or \
                     [dev-dependencies] for tests, examples and benches), or remove it from \
                     link_plugins!"
                ),
            };
            errors.push(syn::Error::new(ident.span(), message));
            continue;
        };
        if let (Ok(lock), Some(crate_name)) = (&lock, &found.crate_name) {
            if lock.is_plugin_crate(crate_name) == Some(false) {
                let message = match role {
                    Role::PluginCrate => format!(
                        "`{name}` declares no plugins: it does not depend on plux (says \
                         Cargo.lock); remove it from link_plugins!"
                    ),
                    Role::NoPlugins => format!(
                        "`{name}` does not depend on plux (says Cargo.lock), so it needs no \
                         mention: remove it from `no_plugins = [..]`"
                    ),
                };
                errors.push(syn::Error::new(ident.span(), message));
            }
        }
    }
    let unverified = match &plugin_crates {
        Ok(plugin_crates) => {
            let missing: Vec<&str> = plugin_crates
                .iter()
                .map(|krate| krate.name.as_str())
                .filter(|name| !seen.contains(*name) && own_lib.as_deref() != Some(*name))
                .collect();
            if !missing.is_empty() {
                let (verb, they, them) = if missing.len() == 1 {
                    ("depends", "it declares", "it")
                } else {
                    ("depend", "they declare", "them")
                };
                let all: Vec<String> = input
                    .listed
                    .iter()
                    .map(Ident::to_string)
                    .filter(|name| externs.contains_key(name))
                    .chain(missing.iter().map(|name| (*name).to_owned()))
                    .collect();
                let described: Vec<String> = missing
                    .iter()
                    .map(
                        |name| match externs.get(*name).and_then(|k| k.crate_name.as_deref()) {
                            Some(crate_name) if crate_name != *name => {
                                format!("`{name}` (crate `{crate_name}`)")
                            }
                            _ => format!("`{name}`"),
                        },
                    )
                    .collect();
                let no_plugins: Vec<String> = input
                    .no_plugins
                    .iter()
                    .map(Ident::to_string)
                    .chain(missing.iter().map(|name| (*name).to_owned()))
                    .collect();
                let listed: Vec<String> = input.listed.iter().map(Ident::to_string).collect();
                errors.push(syn::Error::new(
                    Span::call_site(),
                    format!(
                        "{} {verb} on plux but {} not listed: any plugins {they} would be \
                         missing. List {them}: `link_plugins!({})`; or, if {they} none (say, \
                         interfaces only), say so: `link_plugins!({}, no_plugins = [{}])`; or \
                         write `link_plugins!()` to link every crate that depends on plux",
                        described.join(", "),
                        if missing.len() == 1 { "is" } else { "are" },
                        all.join(", "),
                        listed.join(", "),
                        no_plugins.join(", ")
                    ),
                ));
            }
            None
        }
        Err(_) => Some("no Cargo.lock was found, so unlisted plugin crates could not be caught"),
    };
    if let Some(error) = errors.into_iter().reduce(|mut all, error| {
        all.combine(error);
        all
    }) {
        return Err(error);
    }

    let named = |idents: &[Ident]| -> Vec<(Ident, String)> {
        idents
            .iter()
            .map(|ident| {
                let crate_name = externs
                    .get(&ident.to_string())
                    .map_or_else(|| ident.to_string(), krate_name);
                (ident.clone(), crate_name)
            })
            .collect()
    };
    let mut linked = Linked {
        plugin_crates: named(&input.listed),
        no_plugins: named(&input.no_plugins),
    };
    if let (Some(own), Ok(plugin_crates)) = (&own_lib, &plugin_crates) {
        if let Some(own) = plugin_crates.iter().find(|krate| &krate.name == own) {
            if !seen.contains(own.name.as_str()) {
                linked
                    .plugin_crates
                    .push((Ident::new(&own.name, Span::call_site()), krate_name(own)));
            }
        }
    }
    Ok(expand(&krate, &linked, !edition_2015, unverified))
}

/// How a listed crate was listed.
#[derive(Clone, Copy)]
enum Role {
    PluginCrate,
    NoPlugins,
}

/// What one call links: `(ident as the code names it, crate name)` of each crate.
struct Linked {
    plugin_crates: Vec<(Ident, String)>,
    /// Linked as well, so that a crate that does declare plugins is seen at run time.
    no_plugins: Vec<(Ident, String)>,
}

fn krate_name(krate: &Extern) -> String {
    krate
        .crate_name
        .clone()
        .unwrap_or_else(|| krate.name.clone())
}

/// One `use ::name as _;` per crate (`extern crate` in edition 2015, where `::name` is a path
/// in the crate), and the record of what was linked.
fn expand(
    krate: &TokenStream,
    linked: &Linked,
    use_paths: bool,
    unverified: Option<&str>,
) -> TokenStream {
    let sorted = |crates: &[(Ident, String)]| {
        let mut sorted: Vec<(Ident, String)> = crates.to_vec();
        sorted.sort_by_key(|(ident, _)| ident.to_string());
        sorted
    };
    let plugin_crates = sorted(&linked.plugin_crates);
    let no_plugins = sorted(&linked.no_plugins);
    let uses = plugin_crates.iter().chain(&no_plugins).map(|(ident, _)| {
        if use_paths {
            quote_spanned! {ident.span()=> use ::#ident as _; }
        } else {
            quote_spanned! {ident.span()=> #[allow(unused_extern_crates)] extern crate #ident as _; }
        }
    });
    let records = |crates: &[(Ident, String)]| -> Vec<TokenStream> {
        crates
            .iter()
            .map(|(ident, crate_name)| {
                let name = ident.to_string();
                quote! { #krate::LinkedCrate { name: #name, crate_name: #crate_name } }
            })
            .collect()
    };
    let plugin_records = records(&plugin_crates);
    let no_plugin_records = records(&no_plugins);
    let unverified = match unverified {
        Some(reason) => quote!(::core::option::Option::Some(#reason)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #(#uses)*
        #krate::__private::submit_link! {
            #krate::LinkRecord::__new(
                #krate::__private::location!(),
                &[#(#plugin_records),*],
                &[#(#no_plugin_records),*],
                #unverified,
            )
        }
    }
}

/// One `[[package]]` of a `Cargo.lock`: the fields `link_plugins!` reads.
#[derive(Default)]
struct LockPackage<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    dependencies: Vec<&'a str>,
}

/// The `[[package]]` tables of a `Cargo.lock`.
///
/// Cargo writes the file in a fixed subset of TOML (`[[package]]` headers, `key = "string"`,
/// arrays of strings one per line); this reads that subset rather than pulling a TOML parser
/// and its dependencies into every user's build. A line it does not understand is an error, so
/// that a lock written otherwise is reported ("no usable Cargo.lock"), not misread.
fn lock_packages(text: &str) -> Result<Vec<LockPackage<'_>>, String> {
    let mut packages: Vec<LockPackage> = Vec::new();
    let mut in_package = false;
    // The key of an array whose items are on the lines that follow, until `]`.
    let mut open_array: Option<&str> = None;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        let bad = || format!("line {}: cannot read `{line}`", number + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(key) = open_array {
            if line == "]" {
                open_array = None;
                continue;
            }
            let item = line.strip_suffix(',').unwrap_or(line);
            let item = lock_string(item).ok_or_else(bad)?;
            if let (true, "dependencies", Some(package)) = (in_package, key, packages.last_mut()) {
                package.dependencies.push(item);
            }
            continue;
        }
        if line.starts_with('[') && !line.contains('=') {
            if !line.ends_with(']') {
                return Err(bad());
            }
            in_package = line == "[[package]]";
            if in_package {
                packages.push(LockPackage::default());
            }
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(bad)?;
        let (key, value) = (key.trim(), value.trim());
        let package = packages.last_mut().filter(|_| in_package);
        if value == "[" {
            open_array = Some(key);
        } else if let Some(items) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let items = items
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty());
            let items = items
                .map(lock_string)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(bad)?;
            if let (Some(package), "dependencies") = (package, key) {
                package.dependencies = items;
            }
        } else if let Some(package) = package {
            match key {
                "name" => package.name = Some(lock_string(value).ok_or_else(bad)?),
                "version" => package.version = Some(lock_string(value).ok_or_else(bad)?),
                _ => {}
            }
        }
    }
    if open_array.is_some() {
        return Err("an array is not closed".to_owned());
    }
    if packages.is_empty() {
        return Err("it has no [[package]]".to_owned());
    }
    Ok(packages)
}

/// The text of a `"string"` without escapes (Cargo writes none in names, versions and sources).
fn lock_string(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['"', '\\'])).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extern_forms() {
        let (krate, dir) =
            parse_extern("priv:renamed=/t/debug/deps/libmy_plugins-0a1b.rlib").unwrap();
        assert_eq!(krate.name, "renamed");
        assert_eq!(krate.crate_name.as_deref(), Some("my_plugins"));
        assert_eq!(dir, Some(PathBuf::from("/t/debug/deps")));
        let (krate, _) = parse_extern("x=/t/libx.rmeta").unwrap();
        assert_eq!(krate.crate_name.as_deref(), Some("x"));
        let (krate, _) = parse_extern("pm=/t/libpm-00.so").unwrap();
        assert_eq!(krate.crate_name, None);
        assert!(parse_extern("noprelude:core=/s/libcore.rlib").is_none());
        assert!(parse_extern("proc_macro").is_none());
    }

    const LOCK: &str = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["plux", "my-plugins", "other", "serde 1.0.0", "indirect"]

[[package]]
name = "plux"
version = "0.1.0"
dependencies = ["plux-core", "plux-macros"]

[[package]]
name = "plux-core"
version = "0.1.0"

[[package]]
name = "plux-macros"
version = "0.1.0"
dependencies = ["plux-core"]

[[package]]
name = "my-plugins"
version = "0.2.0"
dependencies = ["plux", "serde 2.0.0"]

[[package]]
name = "indirect"
version = "0.1.0"
dependencies = ["framework"]

[[package]]
name = "framework"
version = "0.1.0"
dependencies = ["plux-core"]

[[package]]
name = "other"
version = "0.1.0"
dependencies = ["serde 1.0.0"]

[[package]]
name = "serde"
version = "1.0.0"

[[package]]
name = "serde"
version = "2.0.0"
dependencies = ["framework"]
"#;

    #[test]
    fn lock_finds_plugin_crates() {
        let lock = Lock::parse(LOCK, Some("app"), Some("0.1.0"))
            .unwrap()
            .unwrap();
        assert_eq!(lock.is_plugin_crate("my_plugins"), Some(true));
        assert_eq!(lock.is_plugin_crate("indirect"), Some(true));
        assert_eq!(lock.is_plugin_crate("framework"), Some(true));
        assert_eq!(lock.is_plugin_crate("other"), Some(false));
        // One of its versions reaches plux.
        assert_eq!(lock.is_plugin_crate("serde"), Some(true));
        assert_eq!(lock.is_plugin_crate("plux"), Some(false));
        assert_eq!(lock.is_plugin_crate("plux_core"), Some(false));
        assert_eq!(lock.is_plugin_crate("unknown"), None);
    }

    #[test]
    fn lock_of_another_package_is_skipped() {
        let parsed = Lock::parse(LOCK, Some("elsewhere"), Some("0.1.0"));
        assert!(matches!(parsed, Ok(None)));
        assert!(Lock::parse("not toml [", None, None).is_err());
    }

    #[test]
    fn lock_reads_what_cargo_writes() {
        // This workspace's own lock, as cargo wrote it: multi-line arrays, sources, checksums.
        let lock = Lock::parse(
            include_str!("../../Cargo.lock"),
            Some("plux"),
            Some("0.1.0"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(lock.is_plugin_crate("plux_fixture_alpha"), Some(true));
        assert_eq!(lock.is_plugin_crate("syn"), Some(false));
        let unclosed = "[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\n \"b\",\n";
        assert!(Lock::parse(unclosed, None, None).is_err());
        assert!(Lock::parse("[[package]]\nname = a\n", None, None).is_err());
    }
}
