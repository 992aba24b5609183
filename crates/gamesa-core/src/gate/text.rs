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

/// How many texts [`NumberTexts`] keeps (a power of two).
const KEPT: usize = 64;

/// The `{}` text of recently written numbers. A kind's bounds and the values its rules keep
/// proposing recur every tick, and formatting an `f64` costs far more than finding its text.
/// Keyed by the bits, so `-0` and `0` (and every NaN) keep their own text; each number has
/// one slot, picked by a hash of its bits, and a number whose slot holds another replaces it.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberTexts {
    slots: Vec<Option<(u64, String)>>,
}

impl NumberTexts {
    /// Appends `x` as `{}` writes it.
    pub(crate) fn push(&mut self, out: &mut String, x: f64) {
        if self.slots.is_empty() {
            self.slots = vec![None; KEPT];
        }
        let bits = x.to_bits();
        // Fibonacci hashing: the top bits of the product spread nearby numbers apart.
        let slot = (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize & (KEPT - 1);
        if let Some((b, text)) = &self.slots[slot]
            && *b == bits
        {
            out.push_str(text);
            return;
        }
        let start = out.len();
        // Writing to a String cannot fail.
        let _ = write!(out, "{x}");
        self.slots[slot] = Some((bits, out[start..].to_string()));
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
