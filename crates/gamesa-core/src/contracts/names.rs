//! The naming rules of a contract definition: contract names and variable names.

use crate::expr::RESERVED_WORDS;

/// Literal keywords of the language: a variable named after one could never be referenced.
const KEYWORDS: [&str; 4] = ["true", "false", "null", "in"];

pub(super) fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name must not be empty".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "the name `{name}` contains {c:?}: use letters, digits, `_`, `-` and `.`"
        ));
    }
    None
}

/// A variable name must be an identifier or dotted identifiers (`gpu0.temp_c`), none reserved.
pub(super) fn variable_name_problem(name: &str) -> Option<String> {
    for segment in name.split('.') {
        let mut chars = segment.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Some(format!(
                "`{name}` is not a variable name: use identifiers (letters, digits, `_`, not starting with a digit) joined by `.`"
            ));
        }
        if KEYWORDS.contains(&segment) || RESERVED_WORDS.contains(&segment) {
            return Some(format!("`{name}` uses the reserved word `{segment}`"));
        }
    }
    None
}

pub(super) fn variable_path(name: &str) -> String {
    // Variable names with dots are not identifiers: bracket them, as JSON paths do elsewhere.
    let identifier = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if identifier {
        format!("$.variables.{name}")
    } else {
        format!(
            "$.variables[{}]",
            serde_json::Value::String(name.to_string())
        )
    }
}
