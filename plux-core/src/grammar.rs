//! The grammar of namespaces and plugin names, checked by the macros at compile time and by
//! `PluginSpec::new` at run time.
//!
//! One file for both: plux-macros includes it through a symlink (as serde_derive_internals
//! does), so that the macro crate does not compile the runtime. It uses std only.

use std::fmt;

/// Which identifier an [`InvalidIdent`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentKind {
    /// A plugin namespace, such as `my.plugins.cli`.
    Namespace,
    /// A plugin name, such as `s3` or `my-plugin`.
    Name,
}

impl IdentKind {
    /// The rule this kind of identifier follows, in words, with an example.
    pub const fn rule(self) -> &'static str {
        match self {
            IdentKind::Namespace => {
                "a namespace is one or more dot-separated segments of ASCII letters, digits and `_`, \
                 each starting with a letter or `_`, e.g. \"my.plugins.cli\""
            }
            IdentKind::Name => {
                "a plugin name is ASCII letters, digits, `_`, `-` and `.`, starting and ending with \
                 a letter, digit or `_`, e.g. \"s3\" or \"my-plugin\""
            }
        }
    }
}

impl fmt::Display for IdentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentKind::Namespace => "namespace",
            IdentKind::Name => "plugin name",
        })
    }
}

/// A namespace or plugin name that breaks the grammar of `IdentKind::rule`.
///
/// ```
/// use plux_core::{check_name, check_namespace};
///
/// assert!(check_namespace("localstack.plugins.services").is_ok());
/// let err = check_namespace("my..cli").unwrap_err();
/// assert_eq!(err.to_string(), "invalid namespace \"my..cli\": empty segment at byte 3; a namespace is \
///     one or more dot-separated segments of ASCII letters, digits and `_`, each starting with a letter \
///     or `_`, e.g. \"my.plugins.cli\"");
/// assert!(check_name("").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIdent {
    /// Namespace or name.
    pub kind: IdentKind,
    /// The rejected text.
    pub value: String,
    /// What is wrong with it, in a few words.
    pub problem: String,
}

impl fmt::Display for InvalidIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let InvalidIdent {
            kind,
            value,
            problem,
        } = self;
        write!(f, "invalid {kind} {value:?}: {problem}; {}", kind.rule())
    }
}

impl std::error::Error for InvalidIdent {}

/// Checks `namespace` against the namespace grammar (see `IdentKind::rule`).
pub fn check_namespace(namespace: &str) -> Result<(), InvalidIdent> {
    let fail = |problem: String| InvalidIdent {
        kind: IdentKind::Namespace,
        value: namespace.to_owned(),
        problem,
    };
    if namespace.is_empty() {
        return Err(fail("it is empty".into()));
    }
    let mut at = 0;
    for segment in namespace.split('.') {
        let mut chars = segment.chars();
        match chars.next() {
            None => return Err(fail(format!("empty segment at byte {at}"))),
            Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
                return Err(fail(format!(
                    "segment {segment:?} starts with {c:?}, not a letter or `_`"
                )))
            }
            Some(_) => {}
        }
        if let Some(c) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
            return Err(fail(format!("{c:?} is not allowed")));
        }
        at += segment.len() + 1;
    }
    Ok(())
}

/// Checks `name` against the plugin-name grammar (see `IdentKind::rule`).
pub fn check_name(name: &str) -> Result<(), InvalidIdent> {
    let fail = |problem: String| InvalidIdent {
        kind: IdentKind::Name,
        value: name.to_owned(),
        problem,
    };
    let edge_ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let (Some(first), Some(last)) = (name.chars().next(), name.chars().last()) else {
        return Err(fail("it is empty".into()));
    };
    if !edge_ok(first) {
        return Err(fail(format!("it starts with {first:?}")));
    }
    if !edge_ok(last) {
        return Err(fail(format!("it ends with {last:?}")));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(edge_ok(*c) || *c == '-' || *c == '.'))
    {
        return Err(fail(format!("{c:?} is not allowed")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        for ok in [
            "a",
            "my.plugins.cli",
            "_x.y_2",
            "localstack.plugins.services",
        ] {
            assert_eq!(check_namespace(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "a.", ".a", "a..b", "1a", "a.1b", "a-b", "a b", "ä"] {
            assert!(check_namespace(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        for ok in ["s3", "my-plugin", "a.b", "_", "9"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "-a", "a-", ".a", "a.", "a b", "a/b", "é"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
