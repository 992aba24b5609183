//! Variable templates: a snapshot variable name with an optional `{target}` placeholder, such
//! as `{target}.power_min_w`, read for the target of a proposal (`gpu0.power_min_w`).

use std::fmt;

/// The one placeholder a template may hold.
pub const TARGET_PLACEHOLDER: &str = "{target}";

/// Longest template accepted, in bytes (names are identifiers, not payloads).
pub const MAX_TEMPLATE_LEN: usize = 256;

/// A validated variable template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Template {
    source: String,
    /// `source` split at each placeholder (one more piece than placeholders), so expanding
    /// does not search for the placeholder again.
    pieces: Vec<String>,
}

impl Template {
    /// Parses a template: non-empty, at most [`MAX_TEMPLATE_LEN`] bytes, no whitespace or
    /// control characters, and braces only as part of `{target}` (so a typo such as
    /// `{targt}` is a configuration error, not a variable that never exists).
    pub fn parse(source: &str) -> Result<Template, String> {
        template_problem(source).map_or_else(
            || {
                Ok(Template {
                    source: source.to_string(),
                    pieces: source
                        .split(TARGET_PLACEHOLDER)
                        .map(str::to_string)
                        .collect(),
                })
            },
            Err,
        )
    }

    /// The variable name for `target`.
    pub fn expand(&self, target: &str) -> String {
        self.source.replace(TARGET_PLACEHOLDER, target)
    }

    /// The variable name for `target`, written into `out` (cleared first): the gate reads
    /// several variables per check and reuses one buffer for their names.
    pub fn expand_into(&self, target: &str, out: &mut String) {
        out.clear();
        let mut pieces = self.pieces.iter();
        if let Some(first) = pieces.next() {
            out.push_str(first);
        }
        for piece in pieces {
            out.push_str(target);
            out.push_str(piece);
        }
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Why `source` is not a template, or `None` when it is one.
pub fn template_problem(source: &str) -> Option<String> {
    if source.is_empty() {
        return Some("a variable template must not be empty".into());
    }
    if source.len() > MAX_TEMPLATE_LEN {
        return Some(format!(
            "a variable template must be at most {MAX_TEMPLATE_LEN} bytes"
        ));
    }
    if source.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Some(format!(
            "variable template {source:?} contains whitespace or a control character"
        ));
    }
    if source.replace(TARGET_PLACEHOLDER, "").contains(['{', '}']) {
        return Some(format!(
            "variable template {source:?} has a brace outside `{TARGET_PLACEHOLDER}` (the only placeholder)"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_the_target() {
        let t = Template::parse("{target}.power_min_w").unwrap();
        assert_eq!(t.expand("gpu0"), "gpu0.power_min_w");
        assert_eq!(
            Template::parse("wl.{target}.weight")
                .unwrap()
                .expand("game"),
            "wl.game.weight"
        );
        assert_eq!(
            Template::parse("thermal.headroom_c").unwrap().expand("x"),
            "thermal.headroom_c"
        );
        let mut buf = String::from("stale");
        for (source, target) in [
            ("{target}.power_min_w", "gpu0"),
            ("a.{target}.b.{target}", "x"),
            ("{target}", "t"),
            ("plain", "t"),
        ] {
            let t = Template::parse(source).unwrap();
            t.expand_into(target, &mut buf);
            assert_eq!(buf, t.expand(target));
        }
    }

    #[test]
    fn rejects_typos_and_junk() {
        for bad in [
            "",
            "{targt}.x",
            "{target",
            "a }",
            "a b",
            "x\n",
            &"a".repeat(300),
        ] {
            assert!(Template::parse(bad).is_err(), "{bad:?}");
        }
    }
}
