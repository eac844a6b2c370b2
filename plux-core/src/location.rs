//! [`Location`]: where a plugin was declared.

use std::fmt;

/// Where a plugin was declared, for diagnostics (duplicates, logs, the module filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// `module_path!()` of the declaration; `None` for specs made at run time.
    pub module_path: Option<&'static str>,
    /// Source file of the declaration.
    pub file: &'static str,
    /// Line of the declaration.
    pub line: u32,
    /// Column of the declaration.
    pub column: u32,
    /// The plugin library the plugin was loaded from (see [`dynamic`](crate::dynamic)); `None`
    /// for plugins linked into the program.
    pub library: Option<&'static str>,
}

impl Location {
    /// The crate that declared the plugin (first segment of the module path), if known.
    pub fn crate_name(&self) -> Option<&'static str> {
        self.module_path.and_then(|path| path.split("::").next())
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(module) = self.module_path {
            write!(f, "{module} at ")?;
        }
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if let Some(library) = self.library {
            write!(f, " in library {library}")?;
        }
        Ok(())
    }
}
