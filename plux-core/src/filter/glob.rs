//! The glob patterns of [`PluginPattern`](super::PluginPattern): `*`, `?` and classes of
//! characters, matched against a whole namespace, name or module path. The few lines plux
//! needs, instead of a dependency of every user's build.

use std::fmt;

/// A parsed pattern, with the text it was parsed from (which is what it displays and compares).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    text: String,
    tokens: Vec<Token>,
}

#[derive(Clone, PartialEq, Eq)]
enum Token {
    /// This character.
    Char(char),
    /// `?`: any one character.
    One,
    /// `*` (or a run of them): any run of characters, the empty one included.
    Any,
    /// `[...]` or `[!...]`: one character in (or, `negated`, out of) the inclusive ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Glob {
    /// Parses `text`; the error says what is wrong and what to write instead.
    pub(crate) fn new(text: &str) -> Result<Glob, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut at = 0;
        while let Some(&c) = chars.get(at) {
            at += 1;
            match c {
                '?' => tokens.push(Token::One),
                '*' => {
                    if tokens.last() != Some(&Token::Any) {
                        tokens.push(Token::Any);
                    }
                }
                '[' => {
                    let negated = chars.get(at) == Some(&'!');
                    let first = if negated { at + 1 } else { at };
                    // The class holds at least one character, so a `]` right after `[` or `[!`
                    // is a member, as in shells: `[]]` matches `]`.
                    let close = chars
                        .get(first + 1..)
                        .and_then(|rest| rest.iter().position(|&c| c == ']'))
                        .map(|offset| first + 1 + offset)
                        .ok_or_else(|| {
                            format!(
                                "the `[` at character {} opens a class of characters that no `]` \
                                 closes (write `[[]` for a literal `[`)",
                                at
                            )
                        })?;
                    let members = chars.get(first..close).unwrap_or_default();
                    tokens.push(Token::Class {
                        negated,
                        ranges: ranges(members),
                    });
                    at = close + 1;
                }
                c => tokens.push(Token::Char(c)),
            }
        }
        Ok(Glob {
            text: text.to_owned(),
            tokens,
        })
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut t, mut p) = (0, 0);
        // The last `*` passed, and the position in `text` it is retried from when what follows
        // it fails: a `*` never needs to give back what a later `*` can take, so one is enough.
        let mut retry: Option<(usize, usize)> = None;
        loop {
            match (self.tokens.get(p), text.get(t)) {
                (Some(Token::Any), _) => {
                    p += 1;
                    retry = Some((p, t));
                    continue;
                }
                (Some(token), Some(&c)) if token.takes(c) => {
                    p += 1;
                    t += 1;
                    continue;
                }
                (None, None) => return true,
                _ => {}
            }
            match retry {
                Some((after_star, from)) if from < text.len() => {
                    retry = Some((after_star, from + 1));
                    p = after_star;
                    t = from + 1;
                }
                _ => return false,
            }
        }
    }
}

impl Token {
    /// Whether this token, other than `*`, matches the one character `c`.
    fn takes(&self, c: char) -> bool {
        match self {
            Token::Char(expected) => *expected == c,
            Token::One => true,
            Token::Any => false,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|&(low, high)| low <= c && c <= high) != *negated
            }
        }
    }
}

/// The members of a class: `a-z` is a range, a `-` first or last is itself.
fn ranges(members: &[char]) -> Vec<(char, char)> {
    let mut ranges = Vec::new();
    let mut rest = members;
    while let Some((&low, after)) = rest.split_first() {
        match after {
            ['-', high, tail @ ..] => {
                ranges.push((low, *high));
                rest = tail;
            }
            _ => {
                ranges.push((low, low));
                rest = after;
            }
        }
    }
    ranges
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn matches(pattern: &str, text: &str) -> bool {
        Glob::new(pattern).unwrap().matches(text)
    }

    #[test]
    fn literals_match_the_whole_text() {
        assert!(matches("s3", "s3"));
        assert!(!matches("s3", "s34"));
        assert!(!matches("s3", "xs3"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(matches("ünï.cödé", "ünï.cödé"));
    }

    #[test]
    fn a_star_matches_any_run_dots_and_colons_included() {
        assert!(matches(
            "localstack.plugins.*",
            "localstack.plugins.services"
        ));
        assert!(matches("localstack.plugins.*", "localstack.plugins."));
        assert!(matches("localstack.plugins.*", "localstack.plugins.a.b"));
        assert!(!matches("localstack.plugins.*", "localstack.plugin"));
        assert!(matches("legacy_plugins::*", "legacy_plugins::old::v1"));
        assert!(matches("*", ""));
        assert!(matches("aws-*-east", "aws-s3-east"));
        assert!(matches("aws-*-east", "aws--east"));
        assert!(!matches("aws-*-east", "aws-s3-west"));
        assert!(matches("*a*b*", "xxaxxbxx"));
        assert!(!matches("*a*b*", "xxbxxaxx"));
        // backtracking: the first `a` the star could stop at is not the one that works
        assert!(matches("*ab", "aab"));
        assert!(matches("*a?c", "abacabc"));
        assert!(matches("**", "anything"));
        assert!(matches("a***b", "axyzb"));
    }

    #[test]
    fn a_question_mark_matches_one_character() {
        assert!(matches("s?", "s3"));
        assert!(matches("s?", "sé"));
        assert!(!matches("s?", "s"));
        assert!(!matches("s?", "s34"));
    }

    #[test]
    fn classes_ranges_and_negation() {
        assert!(matches("v[0-9]", "v7"));
        assert!(!matches("v[0-9]", "vx"));
        assert!(matches("[abc]x", "bx"));
        assert!(!matches("[abc]x", "dx"));
        assert!(matches("[!abc]x", "dx"));
        assert!(!matches("[!abc]x", "ax"));
        assert!(matches("[]]", "]"));
        assert!(matches("[!]]", "a"));
        assert!(!matches("[!]]", "]"));
        assert!(matches("[-a]", "-"));
        assert!(matches("[a-]", "-"));
        assert!(!matches("[a-]", "b"));
        assert!(matches("[*?[]", "*"));
        assert!(matches("[*?[]", "["));
        assert!(!matches("[*?[]", "a"));
        assert!(matches("a]", "a]"));
        assert!(matches("!a", "!a"));
    }

    #[test]
    fn an_unclosed_class_is_an_error_saying_where() {
        for (pattern, at) in [
            ("[", 1),
            ("ab[", 3),
            ("[]", 1),
            ("[!]", 1),
            ("[!", 1),
            ("x[a-z", 2),
        ] {
            let Err(error) = Glob::new(pattern) else {
                panic!("{pattern} parsed");
            };
            assert!(
                error.starts_with(&format!("the `[` at character {at} opens a class")),
                "{pattern}: {error}"
            );
        }
    }

    #[test]
    fn displays_and_compares_as_its_text() {
        let glob = Glob::new("a*[bc]").unwrap();
        assert_eq!(glob.to_string(), "a*[bc]");
        assert_eq!(format!("{glob:?}"), "\"a*[bc]\"");
        assert!(Glob::new("a*[bc]").ok() == Some(glob));
    }
}
