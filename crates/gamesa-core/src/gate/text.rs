//! Writing the gate's messages and audit reasons without `format!`: every check of every tick
//! writes one, so they are built in one buffer of the right size, names are quoted without
//! the general `Debug` machinery when they need no escaping, and numbers that recur tick after
//! tick are formatted once. The text is exactly what `format!` with `{}` and `{:?}` writes.

use std::fmt::Write;

/// `s` as `{:?}` writes it: quoted, with escapes. Names are almost always printable ASCII
/// without quotes or backslashes, which `Debug` leaves as they are; anything else goes through
/// `Debug` itself.
pub(crate) fn push_quoted(out: &mut String, s: &str) {
    let plain = s
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    if plain {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // Writing to a String cannot fail.
        let _ = write!(out, "{s:?}");
    }
}

/// How many texts [`NumberTexts`] keeps.
const KEPT: usize = 32;

/// The `{}` text of recently written numbers. A kind's bounds and the values its rules keep
/// proposing recur every tick, and formatting an `f64` costs far more than finding its text.
/// Keyed by the bits, so `-0` and `0` (and every NaN) keep their own text.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberTexts {
    kept: Vec<(u64, String)>,
    /// The slot the next new number replaces once `kept` is full (oldest first).
    next: usize,
}

impl NumberTexts {
    /// Appends `x` as `{}` writes it.
    pub(crate) fn push(&mut self, out: &mut String, x: f64) {
        let bits = x.to_bits();
        if let Some((_, text)) = self.kept.iter().find(|(b, _)| *b == bits) {
            out.push_str(text);
            return;
        }
        let start = out.len();
        let _ = write!(out, "{x}");
        let text = out[start..].to_string();
        if self.kept.len() < KEPT {
            self.kept.push((bits, text));
        } else {
            self.kept[self.next] = (bits, text);
            self.next = (self.next + 1) % KEPT;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quoting_matches_debug() {
        for s in [
            "",
            "gpu0",
            "199.r101",
            "a\"b",
            "back\\slash",
            "tab\t",
            "é",
            "\u{7f}",
            "\u{301}x",
            "\u{200b}",
            "🚀",
        ] {
            let mut out = String::new();
            push_quoted(&mut out, s);
            assert_eq!(out, format!("{s:?}"));
        }
    }

    #[test]
    fn numbers_match_display_and_survive_eviction() {
        let mut texts = NumberTexts::default();
        let xs: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.1 - 3.0).collect();
        for _ in 0..3 {
            for &x in xs
                .iter()
                .chain(&[0.0, -0.0, f64::NAN, f64::INFINITY, 1e300, 5e-324])
            {
                let mut out = String::from("v=");
                texts.push(&mut out, x);
                assert_eq!(out, format!("v={x}"));
            }
        }
    }

    proptest! {
        #[test]
        fn any_string_quotes_like_debug(s in any::<String>()) {
            let mut out = String::new();
            push_quoted(&mut out, &s);
            prop_assert_eq!(out, format!("{s:?}"));
        }

        #[test]
        fn any_number_writes_like_display(xs in proptest::collection::vec(any::<f64>(), 1..80)) {
            let mut texts = NumberTexts::default();
            for x in xs.iter().chain(&xs) {
                let mut out = String::new();
                texts.push(&mut out, *x);
                prop_assert_eq!(out, format!("{x}"));
            }
        }
    }
}
