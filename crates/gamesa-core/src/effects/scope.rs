//! Target scopes: which targets a grant covers.
//!
//! A target is a free-form name such as `gpu0` or `cpu.core3`. A pattern is either an exact
//! name (`gpu0` matches only `gpu0`) or a prefix followed by one trailing `*`
//! (`cpu.core*` matches `cpu.core`, `cpu.core0`, `cpu.core12`; a lone `*` matches every
//! target). `*` anywhere but at the end is rejected, so a pattern never means more than it
//! looks like. Matching is byte-exact and case-sensitive.

use super::error::EffectError;
use std::fmt;

/// The longest target or pattern accepted, in bytes: names are identifiers, not payloads.
pub const MAX_TARGET_LEN: usize = 256;

/// One entry of a grant's target scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetPattern {
    /// Matches exactly this target.
    Exact(String),
    /// Matches every target starting with this prefix (written `prefix*`).
    Prefix(String),
}

impl TargetPattern {
    /// Parses `gpu0` or `cpu.core*`. Errors (`INVALID_ARGUMENT`) on an empty pattern, a `*` that
    /// is not the last character, or a control character.
    pub fn parse(pattern: &str) -> Result<TargetPattern, EffectError> {
        let bad = |why: &str| EffectError::InvalidArgument {
            what: "target pattern".to_string(),
            message: format!("{pattern:?} {why}"),
        };
        if pattern.is_empty() {
            return Err(bad("is empty"));
        }
        if pattern.len() > MAX_TARGET_LEN {
            return Err(bad(&format!("is longer than {MAX_TARGET_LEN} bytes")));
        }
        if pattern.chars().any(char::is_control) {
            return Err(bad("contains a control character"));
        }
        match pattern.find('*') {
            None => Ok(TargetPattern::Exact(pattern.to_string())),
            Some(i) if i == pattern.len() - 1 => {
                Ok(TargetPattern::Prefix(pattern[..i].to_string()))
            }
            Some(_) => Err(bad(
                "has a '*' that is not the last character (only a trailing '*' is supported)",
            )),
        }
    }

    /// Whether `target` is inside this pattern.
    pub fn matches(&self, target: &str) -> bool {
        match self {
            TargetPattern::Exact(t) => t == target,
            TargetPattern::Prefix(p) => target.starts_with(p.as_str()),
        }
    }
}

impl fmt::Display for TargetPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetPattern::Exact(t) => f.write_str(t),
            TargetPattern::Prefix(p) => write!(f, "{p}*"),
        }
    }
}

/// Checks a target named in a check: non-empty, bounded, no control characters (it ends up in
/// audit records and messages). `*` is allowed: a target is a name, not a pattern.
pub fn validate_target(target: &str) -> Result<(), EffectError> {
    let bad = |why: &str| EffectError::InvalidArgument {
        what: "target".to_string(),
        message: format!("{target:?} {why}"),
    };
    if target.is_empty() {
        return Err(bad("is empty (leave the target out instead)"));
    }
    if target.len() > MAX_TARGET_LEN {
        return Err(bad(&format!("is longer than {MAX_TARGET_LEN} bytes")));
    }
    if has_control(target) {
        return Err(bad("contains a control character"));
    }
    Ok(())
}

/// Whether `s` holds a control character (`char::is_control`), looking at bytes when `s` is
/// ASCII: names are checked on every gate decision and record, and they are ASCII.
pub(crate) fn has_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_prefix_match() {
        let exact = TargetPattern::parse("gpu0").unwrap();
        assert!(exact.matches("gpu0"));
        assert!(!exact.matches("gpu01"));
        assert!(!exact.matches("GPU0"));
        let prefix = TargetPattern::parse("cpu.core*").unwrap();
        assert!(prefix.matches("cpu.core"));
        assert!(prefix.matches("cpu.core12"));
        assert!(!prefix.matches("cpu.cor"));
        assert!(TargetPattern::parse("*").unwrap().matches("anything"));
        assert_eq!(prefix.to_string(), "cpu.core*");
    }

    #[test]
    fn control_characters_are_found_as_char_is_control_finds_them() {
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("gpu{c}0"), format!("é{c}")] {
                assert_eq!(has_control(&s), s.chars().any(char::is_control), "{s:?}");
            }
        }
    }

    #[test]
    fn inner_star_and_empty_are_rejected() {
        assert!(TargetPattern::parse("cpu.*.freq").is_err());
        assert!(TargetPattern::parse("**").is_err());
        assert!(TargetPattern::parse("").is_err());
        assert!(TargetPattern::parse("a\nb").is_err());
    }
}
