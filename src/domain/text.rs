//! Rules for text people type: key names, organization names and revocation reasons.
//!
//! Names end up in tables and in `verify` output read by scripts, so they are trimmed,
//! bounded, and free of control and bidirectional-override characters that could
//! rewrite a terminal or disguise what a reader sees. Key names must also look like what
//! they are: invisible characters are refused, and two names that look alike are the
//! same name ([`name_key`]).

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::{GeneralSecurityProfile, skeleton};

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
    #[error(
        "{what} contains an invisible character or a separator other than a space ({found}), which would make it look like another name"
    )]
    Invisible { what: &'static str, found: String },
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
    let name = validate("the name", raw, NAME_MAX)?;
    let invisible = |found: String| BadText::Invisible {
        what: "the name",
        found,
    };
    if let Some(c) = name.chars().find(|&c| is_invisible(c)) {
        return Err(invisible(c.escape_unicode().to_string()));
    }
    // Marks with nothing to sit on show as nothing, or as a dotted circle at best.
    if name.chars().all(is_mark) {
        return Err(invisible(format!(
            "only combining marks: {}",
            name.escape_unicode()
        )));
    }
    Ok(name)
}

/// Characters that show as nothing, or as blank space, other than the plain space, by
/// their Unicode properties:
/// - Default_Ignorable_Code_Point (zero-width spaces and joiners, the soft hyphen, bidi
///   marks, tag characters, Hangul fillers, variation selectors): `unicode-security`'s
///   identifier type `Default_Ignorable`, and the characters its TS #39 confusable
///   skeleton drops;
/// - General_Category Cf, format characters (the byte-order mark, interlinear annotation
///   U+FFF9–FFFB, Egyptian hieroglyph format controls U+13430…, musical beams), and the
///   separators Zs, Zl, Zp, from `unicode-properties`; White_Space from `std`;
/// - blank glyphs, which no property names: a character whose TS #39 skeleton is blank
///   (U+2800 BRAILLE PATTERN BLANK is confusable with the space), and the two fillers
///   that are neither ignorable nor confusable: U+16FE4 KHITAN SMALL SCRIPT FILLER and
///   U+1D159 MUSICAL SYMBOL NULL NOTEHEAD.
pub fn is_invisible(c: char) -> bool {
    if c == ' ' {
        return false;
    }
    let mut buf = [0u8; 4];
    c.is_whitespace()
        || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::SpaceSeparator
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
        || skeleton(c.encode_utf8(&mut buf)).all(char::is_whitespace)
        || matches!(c, '\u{16FE4}' | '\u{1D159}')
}

/// A combining mark (General_Category Mn, Mc or Me): drawn on the character before it.
fn is_mark(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Mark
}

/// The form in which key names are compared: NFKC, case-folded, and reduced to the
/// confusable skeleton of Unicode TS #39, so `Deploy`, `deploy`, `ｄｅｐｌｏｙ` and a
/// `deplоy` with a Cyrillic `о` are one name.
pub fn name_key(name: &str) -> String {
    let folded = name.nfkc().collect::<String>().to_lowercase();
    let skeleton: String = skeleton(&folded).collect();
    skeleton.nfkc().collect::<String>().to_lowercase()
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
    // Also in its compatibility form: a key in full-width or mathematical letters is
    // still the key to whoever reads it.
    if super::key::contains_key(text) || super::key::contains_key(&text.nfkc().collect::<String>())
    {
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
    fn invisible_characters_are_refused_in_names() {
        for c in [
            '\u{200B}',
            '\u{200E}',
            '\u{061C}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{200D}',
            '\u{034F}',
            '\u{180E}',
            '\u{E0041}',
            '\u{3164}',
            '\u{115F}',
            '\u{FFA0}',
            '\u{2029}',
            '\u{00A0}',
            '\u{2028}',
            '\u{3000}',
            '\u{FE0F}',
            '\u{2800}',
            '\u{FFF9}',
            '\u{FFFA}',
            '\u{FFFB}',
            '\u{13430}',
            '\u{13438}',
            '\u{1343F}',
            '\u{16FE4}',
            '\u{1D159}',
            '\u{1D173}',
            '\u{2061}',
            '\u{1160}',
        ] {
            let name = format!("Prod{c}deploy");
            assert!(
                matches!(validate_name(&name), Err(BadText::Invisible { .. })),
                "{}",
                c.escape_unicode()
            );
        }
        assert!(validate_name("Prod deploy").is_ok());
        assert!(validate_name("Déploiement 本番 v2").is_ok());
        for marks in ["\u{0301}", "\u{0301}\u{0308}\u{20DD}", " \u{093F} "] {
            assert!(
                matches!(validate_name(marks), Err(BadText::Invisible { .. })),
                "{}",
                marks.escape_unicode()
            );
        }
        assert!(validate_name("e\u{0301}").is_ok());
    }

    #[test]
    fn names_that_look_alike_have_one_key() {
        let key = name_key("Prod deploy");
        for alike in [
            "prod deploy",
            "PROD DEPLOY",
            "Prod depl\u{043E}y",
            "Ｐｒｏｄ ｄｅｐｌｏｙ",
        ] {
            assert_eq!(name_key(alike), key, "{alike}");
        }
        assert_ne!(name_key("Prod deploy"), name_key("Prod deploy 2"));
        assert_ne!(name_key("staging"), name_key("production"));
    }

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
