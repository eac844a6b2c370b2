//! [`Requirements`]: what a plugin library must match to be opened by this program, in a form a
//! library's author can keep in a file and check a built library against.

use std::fmt;
use std::str::FromStr;

use crate::dynamic::abi::{ABI_VERSION, PANIC, PLUX_SOURCE, PLUX_VERSION, RUSTC, TARGET};
use crate::fingerprint::{interfaces, Fingerprint};

/// What a plugin library must match to be opened by this program: the rustc, target and panic
/// strategy it is built with, the plux it is built against (version, source fingerprint and
/// header layout), and the fingerprint of every interface and hook point the program has.
///
/// Its [`Display`](fmt::Display) is a text of one `key: value` per line, which [`str::parse`]
/// reads back: a program prints it (also in `--plux-list`, and as `requirements` in the JSON
/// of [`inspect`](crate::inspect)), and a library's author checks a built library against the
/// file with [`check_library`](crate::dynamic::check_library), without the program.
///
/// ```
/// let requirements = plux_core::dynamic::requirements();
/// let text = requirements.to_string();
/// assert!(text.contains(&format!("target: {}", requirements.target)));
/// assert_eq!(text.parse::<plux_core::dynamic::Requirements>().unwrap(), requirements);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Requirements {
    /// `rustc -vV`'s first line: release and commit.
    pub rustc: String,
    /// The target triple.
    pub target: String,
    /// `unwind` or `abort`.
    pub panic: String,
    /// plux's version.
    pub plux_version: String,
    /// A fingerprint of plux's sources.
    pub plux_source: String,
    /// The layout version of the header every plugin library exports.
    pub layout: u32,
    /// Every interface and hook point of the program, sorted by namespace.
    pub types: Vec<RequiredType>,
}

/// An interface or hook point of a program, as [`Requirements`] list it.
///
/// ```
/// for required in &plux_core::dynamic::requirements().types {
///     // e.g. `my.greeters: `Greeter` of my-api 1.2.0 (definition ..)`
///     println!("{}: {}", required.namespace, required.fingerprint);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequiredType {
    /// Its plugins' namespace.
    pub namespace: String,
    /// The crate that declares it.
    pub crate_name: String,
    /// Its Rust name.
    pub name: String,
    /// What its [`Fingerprint`] compares, as text, without the crate's version (a version bump
    /// with the same definition passes, as it does for `open`).
    pub fingerprint: String,
}

impl RequiredType {
    fn of(fingerprint: &Fingerprint) -> Self {
        RequiredType {
            namespace: fingerprint.namespace().to_owned(),
            crate_name: fingerprint.crate_name().to_owned(),
            name: fingerprint.name().to_owned(),
            fingerprint: fingerprint.identity(),
        }
    }
}

/// What a plugin library must match to be opened by this program (see [`Requirements`]).
///
/// ```
/// // e.g. `my-app --plugin-requirements > requirements.txt`, for the authors of its plugins.
/// print!("{}", plux_core::dynamic::requirements());
/// ```
pub fn requirements() -> Requirements {
    let mut types: Vec<RequiredType> = interfaces().iter().map(RequiredType::of).collect();
    types.sort_by(|a, b| {
        (&a.namespace, &a.crate_name, &a.name, &a.fingerprint).cmp(&(
            &b.namespace,
            &b.crate_name,
            &b.name,
            &b.fingerprint,
        ))
    });
    types.dedup();
    Requirements {
        rustc: RUSTC.to_owned(),
        target: TARGET.to_owned(),
        panic: PANIC.to_owned(),
        plux_version: PLUX_VERSION.to_owned(),
        plux_source: PLUX_SOURCE.to_owned(),
        layout: ABI_VERSION,
        types,
    }
}

impl Requirements {
    /// The program's type that a library's plugin of `fingerprint` is checked against: of the
    /// same namespace, or of the same crate and name.
    pub(crate) fn counterpart(&self, fingerprint: &Fingerprint) -> Option<&RequiredType> {
        self.types.iter().find(|required| {
            required.namespace == fingerprint.namespace()
                || (required.crate_name == fingerprint.crate_name()
                    && required.name == fingerprint.name())
        })
    }
}

const TITLE: &str = "# What a plux plugin library must match to be opened by this program";

impl fmt::Display for Requirements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{TITLE}")?;
        writeln!(f, "rustc: {}", self.rustc)?;
        writeln!(f, "target: {}", self.target)?;
        writeln!(f, "panic: {}", self.panic)?;
        writeln!(f, "plux: {}", self.plux_version)?;
        writeln!(f, "plux source: {}", self.plux_source)?;
        writeln!(f, "layout: {}", self.layout)?;
        for required in &self.types {
            writeln!(
                f,
                "type: {} {} {} = {}",
                required.namespace, required.crate_name, required.name, required.fingerprint
            )?;
        }
        Ok(())
    }
}

/// A text that is not the [`Display`](fmt::Display) of [`Requirements`].
///
/// ```
/// let error = "rustc: rustc 1.0.0\nnonsense\n"
///     .parse::<plux_core::dynamic::Requirements>()
///     .unwrap_err();
/// assert_eq!(error.line, 2);
/// ```
#[derive(Debug)]
pub struct RequirementsError {
    /// The line, from 1 (0: the text as a whole).
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for RequirementsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RequirementsError { line, reason } = self;
        write!(
            f,
            "plux requirements, line {line}: {reason}; give the text that \
             `plux::dynamic::requirements()` prints"
        )
    }
}

impl std::error::Error for RequirementsError {}

impl FromStr for Requirements {
    type Err = RequirementsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut fields: [Option<String>; 6] = Default::default();
        const KEYS: [&str; 6] = ["rustc", "target", "panic", "plux", "plux source", "layout"];
        let mut types = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let error = |reason: String| RequirementsError {
                line: number + 1,
                reason,
            };
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once(": ")
                .ok_or_else(|| error(format!("`{line}` is not `key: value`")))?;
            if key == "type" {
                let mut parts = value.splitn(4, ' ');
                let (Some(namespace), Some(crate_name), Some(name), Some(fingerprint)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(error(format!(
                        "`{value}` is not `namespace crate name = fingerprint`"
                    )));
                };
                let fingerprint = fingerprint
                    .strip_prefix("= ")
                    .ok_or_else(|| error(format!("no `= ` before `{fingerprint}`")))?;
                types.push(RequiredType {
                    namespace: namespace.to_owned(),
                    crate_name: crate_name.to_owned(),
                    name: name.to_owned(),
                    fingerprint: fingerprint.to_owned(),
                });
                continue;
            }
            let slot = KEYS
                .iter()
                .position(|known| *known == key)
                .and_then(|at| fields.get_mut(at))
                .ok_or_else(|| error(format!("unknown key `{key}`")))?;
            *slot = Some(value.to_owned());
        }
        let [rustc, target, panic, plux_version, plux_source, layout] = fields;
        let missing = |key: &str| RequirementsError {
            line: 0,
            reason: format!("no `{key}: ..` line"),
        };
        let layout = layout.ok_or_else(|| missing("layout"))?;
        Ok(Requirements {
            rustc: rustc.ok_or_else(|| missing("rustc"))?,
            target: target.ok_or_else(|| missing("target"))?,
            panic: panic.ok_or_else(|| missing("panic"))?,
            plux_version: plux_version.ok_or_else(|| missing("plux"))?,
            plux_source: plux_source.ok_or_else(|| missing("plux source"))?,
            layout: layout.parse().map_err(|_| RequirementsError {
                line: 0,
                reason: format!("layout `{layout}` is not a number"),
            })?,
            types,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_reads_back() {
        let mut requirements = requirements();
        requirements.types.push(RequiredType {
            namespace: "my.greeters".to_owned(),
            crate_name: "my-api".to_owned(),
            name: "Greeter".to_owned(),
            fingerprint: "`Greeter` of my-api 1.2.0 (definition 0123456789abcdef)".to_owned(),
        });
        let text = requirements.to_string();
        assert_eq!(text.parse::<Requirements>().unwrap(), requirements);
    }

    #[test]
    fn a_bad_text_says_where() {
        let error = "rustc: x\nnonsense\n".parse::<Requirements>().unwrap_err();
        assert_eq!(error.line, 2);
        let error = "rustc: x\n".parse::<Requirements>().unwrap_err();
        assert!(error.to_string().contains("no `layout"), "{error}");
    }
}
