//! Rules for text people type: key names, organization names and revocation reasons.
//!
//! Names end up in tables and in `verify` output read by scripts, so they are trimmed,
//! bounded, and free of control and bidirectional-override characters that could
//! rewrite a terminal or disguise what a reader sees.

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadText {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is {len} characters long; at most {max} are allowed")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{what} contains a control or bidirectional-override character ({found})")]
    ControlCharacter { what: &'static str, found: String },
    /// A secret pasted where text goes: stored, it would show in tables, logs and exports.
    #[error(
        "{what} looks like an API key: it contains a Seenty key, and a key is never stored as text"
    )]
    LooksLikeKey { what: &'static str },
}

pub const NAME_MAX: usize = 100;
pub const REASON_MAX: usize = 500;

/// A key name: 1 to 100 characters after trimming, no control characters.
pub fn validate_name(raw: &str) -> Result<String, BadText> {
    validate("the name", raw, NAME_MAX)
}

/// A revocation reason or organization display name: same rules, longer bound.
pub fn validate_text(what: &'static str, raw: &str) -> Result<String, BadText> {
    validate(what, raw, REASON_MAX)
}

fn validate(what: &'static str, raw: &str, max: usize) -> Result<String, BadText> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(BadText::Empty { what });
    }
    if super::key::contains_key(text) {
        return Err(BadText::LooksLikeKey { what });
    }
    if let Some(c) = text.chars().find(|&c| is_unsafe(c)) {
        return Err(BadText::ControlCharacter {
            what,
            found: c.escape_unicode().to_string(),
        });
    }
    let len = text.chars().count();
    if len > max {
        return Err(BadText::TooLong { what, len, max });
    }
    Ok(text.to_owned())
}

/// Control characters (C0, DEL, C1) and the Unicode bidirectional embeddings, overrides
/// and isolates (the "Trojan Source" characters).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Names the best practices call generic ("test", "key1"): allowed, with a warning.
pub fn is_generic_name(name: &str) -> bool {
    const GENERIC: &[&str] = &[
        "test", "testing", "key", "apikey", "api key", "api-key", "api_key", "temp", "tmp", "new",
        "new key", "my key", "mykey", "default", "foo", "bar", "demo", "example", "sample",
        "secret", "token", "dev", "prod",
    ];
    let lowered = name.trim().to_lowercase();
    let stem =
        lowered.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '-' || c == '_');
    GENERIC.contains(&stem) || stem.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(
            validate_name("  GitHub Actions CI ").unwrap(),
            "GitHub Actions CI"
        );
        assert!(matches!(validate_name("   "), Err(BadText::Empty { .. })));
        assert!(matches!(
            validate_name(&"x".repeat(101)),
            Err(BadText::TooLong { len: 101, .. })
        ));
        assert!(validate_name(&"é".repeat(100)).is_ok());
        assert!(matches!(
            validate_name("a\u{1b}[31mb"),
            Err(BadText::ControlCharacter { .. })
        ));
        assert!(matches!(
            validate_name("evil\u{202E}txt"),
            Err(BadText::ControlCharacter { .. })
        ));
        assert!(matches!(
            validate_name("a\nb"),
            Err(BadText::ControlCharacter { .. })
        ));
    }

    #[test]
    fn keys_are_not_text() {
        let key = crate::domain::key::Secret::generate().unwrap();
        let key = key.expose();
        for text in [
            key.to_owned(),
            format!("found in build log: {key}"),
            format!("x{key}"),
        ] {
            assert_eq!(
                validate_name(&text),
                Err(BadText::LooksLikeKey { what: "the name" })
            );
            assert!(matches!(
                validate_text("the reason", &text),
                Err(BadText::LooksLikeKey { .. })
            ));
        }
        // A cut key is not a key: naming one after its hint stays possible.
        assert!(validate_name(&key[..20]).is_ok());
    }

    #[test]
    fn generic_names() {
        for n in ["test", "Key1", "temp", "key 2", "TEST-3", "123"] {
            assert!(is_generic_name(n), "{n}");
        }
        for n in [
            "GitHub Actions CI",
            "Terraform integration",
            "test runner for deploys",
        ] {
            assert!(!is_generic_name(n), "{n}");
        }
    }

    proptest! {
        #[test]
        fn validated_names_obey_the_rules(raw in any::<String>()) {
            if let Ok(name) = validate_name(&raw) {
                prop_assert!(!name.is_empty());
                prop_assert!(name.chars().count() <= NAME_MAX);
                prop_assert!(!name.chars().any(is_unsafe));
                prop_assert_eq!(name.trim(), name.as_str());
            }
        }
    }
}
