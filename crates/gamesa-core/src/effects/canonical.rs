//! The canonical encoding of an audit record (documented in [`super::record`]), written by
//! hand instead of through `serde_json`: every record is hashed when it is appended, several
//! per engine tick, and the generic serializer (plus the `String` it builds only to hash it)
//! was most of that cost. The bytes go to a [`Sink`]: a `String` for the body or line as
//! text, or straight into the SHA-256 state, so hashing needs no buffer at all. The tests
//! check these bytes equal `serde_json`'s on arbitrary strings (escapes, control characters,
//! non-ASCII).

use super::effect::Effect;
use super::hash_text::HashText;
use super::record::AuditDecision;
use sha2::{Digest, Sha256};

/// Where encoded bytes go.
pub(crate) trait Sink {
    /// Appends a piece of the encoding. Pieces are cut only at ASCII bytes, so a `String`
    /// sink stays valid UTF-8.
    fn put(&mut self, s: &str);

    /// Appends ASCII bytes (digits, escapes).
    fn put_ascii(&mut self, bytes: &[u8]);
}

impl Sink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }

    fn put_ascii(&mut self, bytes: &[u8]) {
        self.extend(bytes.iter().map(|&b| char::from(b)));
    }
}

/// Hashes the encoding in few, large pieces: the body arrives in two dozen small ones, and
/// each `Sha256::update` call costs more than copying its bytes into this buffer. A trail
/// keeps one and reuses it for every record (it is left empty and reset after each digest),
/// rather than clear a new buffer per record.
#[derive(Clone)]
pub(crate) struct HashSink {
    sha: Sha256,
    buf: [u8; 512],
    len: usize,
}

impl std::fmt::Debug for HashSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashSink")
    }
}

impl Default for HashSink {
    fn default() -> HashSink {
        HashSink::new()
    }
}

impl HashSink {
    fn new() -> HashSink {
        HashSink {
            sha: Sha256::new(),
            buf: [0; 512],
            len: 0,
        }
    }

    fn flush(&mut self) {
        self.sha.update(&self.buf[..self.len]);
        self.len = 0;
    }

    /// The digest as 64 lowercase hex digits. Borrows rather than consumes the sink (its
    /// state is left finalized and must not be reused): moving the ~600-byte sink into a
    /// consuming call was a memcpy per record.
    fn finish(&mut self) -> [u8; 64] {
        self.flush();
        let digest = self.sha.finalize_reset();
        let mut out = [0u8; 64];
        for (to, from) in out.chunks_exact_mut(8).zip(digest.chunks_exact(4)) {
            if let Ok(from) = <[u8; 4]>::try_from(from) {
                to.copy_from_slice(&hex4(from));
            }
        }
        out
    }
}

impl Sink for HashSink {
    fn put(&mut self, s: &str) {
        self.put_ascii(s.as_bytes());
    }

    /// Any bytes, in fact: the hash does not care about UTF-8.
    #[inline]
    fn put_ascii(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buf.len() {
            self.flush();
            if bytes.len() > self.buf.len() {
                self.sha.update(bytes);
                return;
            }
        }
        let to = &mut self.buf[self.len..self.len + bytes.len()];
        if bytes.len() <= 32 {
            copy_small(to, bytes);
        } else {
            to.copy_from_slice(bytes);
        }
        self.len += bytes.len();
    }
}

/// `to.copy_from_slice(from)` for at most 32 bytes, in a few fixed-size moves (two that may
/// overlap) instead of a call to `memcpy`: most pieces of a body are names, numbers and
/// short constants, and the call's setup cost more than the copy.
#[inline]
fn copy_small(to: &mut [u8], from: &[u8]) {
    fn pair<const N: usize>(to: &mut [u8], from: &[u8]) {
        let n = from.len();
        let (Some(head), Some(tail)) = (from.first_chunk::<N>(), from.last_chunk::<N>()) else {
            return;
        };
        if let Some(t) = to.first_chunk_mut::<N>() {
            *t = *head;
        }
        if let Some(t) = to.get_mut(n - N..).and_then(<[u8]>::first_chunk_mut::<N>) {
            *t = *tail;
        }
    }
    match from.len() {
        0 => {}
        1 => to[0] = from[0],
        2..4 => pair::<2>(to, from),
        4..8 => pair::<4>(to, from),
        8..16 => pair::<8>(to, from),
        16..=32 => pair::<16>(to, from),
        _ => to.copy_from_slice(from),
    }
}

/// The fields of a record that the body covers, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyFields<'a> {
    pub seq: u64,
    pub time_ms: u64,
    pub agent: &'a str,
    pub decision: AuditDecision,
    pub effect: Option<Effect>,
    pub target: Option<&'a str>,
    pub reason: &'a str,
    pub prev_hash: &'a str,
}

impl BodyFields<'_> {
    /// Writes the body without its closing `}`, so a line can append `hash` before it.
    fn write_open<S: Sink>(&self, out: &mut S) {
        // The quotes around strings ride along with the constant pieces: fewer, larger
        // pieces are cheaper to hash.
        out.put("{\"seq\":");
        write_u64(out, self.seq);
        out.put(",\"time_ms\":");
        write_u64(out, self.time_ms);
        out.put(",\"agent\":\"");
        write_str_contents(out, self.agent);
        out.put("\",\"decision\":\"");
        // Decision and effect names are plain snake_case: nothing to escape.
        out.put(self.decision.as_str());
        match self.effect {
            Some(e) => {
                out.put("\",\"effect\":\"");
                out.put(e.as_str());
                out.put("\",\"target\":");
            }
            None => out.put("\",\"effect\":null,\"target\":"),
        }
        match self.target {
            Some(t) => {
                out.put("\"");
                write_str_contents(out, t);
                out.put("\",\"reason\":\"");
            }
            None => out.put("null,\"reason\":\""),
        }
        write_str_contents(out, self.reason);
        out.put("\",\"prev_hash\":\"");
        write_str_contents(out, self.prev_hash);
        out.put("\"");
    }

    /// The canonical body.
    pub fn write_body<S: Sink>(&self, out: &mut S) {
        self.write_open(out);
        out.put("}");
    }

    /// The canonical line (without its newline): the body with `hash` as the last key.
    pub fn write_line<S: Sink>(&self, hash: &str, out: &mut S) {
        self.write_open(out);
        out.put(",\"hash\":\"");
        write_str_contents(out, hash);
        out.put("\"}");
    }

    /// SHA-256 of the body, lowercase hex.
    pub fn hash(&self) -> String {
        self.with_hash(str::to_string)
    }

    /// [`BodyFields::hash`] held inline, without an allocation; hashed through `sink`.
    pub fn hash_text(&self, sink: &mut HashSink) -> HashText {
        self.write_body(sink);
        super::hash_text::from_hex_digits(sink.finish())
    }

    fn with_hash<T>(&self, make: impl FnOnce(&str) -> T) -> T {
        let digits = self.digits();
        // Hex digits are ASCII.
        make(std::str::from_utf8(&digits).unwrap_or_default())
    }

    fn digits(&self) -> [u8; 64] {
        let mut sink = HashSink::new();
        self.write_body(&mut sink);
        sink.finish()
    }
}

/// `n` in decimal appended to `out`, as `{}` writes it, without the formatting machinery.
pub(crate) fn push_u64(out: &mut String, n: u64) {
    write_u64(out, n);
}

/// A number in decimal, as JSON writes an unsigned integer.
fn write_u64<S: Sink>(out: &mut S, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_ascii(&buf[i..]);
}

/// Ones in the lowest bit of every byte of a word.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// Whether any byte of the 8 in `x` (read little-endian) is one JSON must escape: below
/// 0x20, `"` or `\`. The usual word-at-a-time tests: a byte below `n` (n ≤ 0x80) borrows
/// out of its subtraction of `n`, a byte equal to `c` is zero after xor with `c`. Exact for
/// the word as a whole: a borrow can only spread upwards from a byte that is itself a hit.
fn word_needs_escape(x: u64) -> bool {
    const HIGH: u64 = LOW_BITS * 0x80;
    let below_space = x.wrapping_sub(LOW_BITS * 0x20) & !x;
    let q = x ^ (LOW_BITS * u64::from(b'"'));
    let quote = q.wrapping_sub(LOW_BITS) & !q;
    let b = x ^ (LOW_BITS * u64::from(b'\\'));
    let backslash = b.wrapping_sub(LOW_BITS) & !b;
    (below_space | quote | backslash) & HIGH != 0
}

/// Whether JSON must escape byte `b`.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of 16 bytes is one JSON must escape. Written without branches so the compiler
/// turns it into a few vector compares (SSE2 is always there on x86-64).
fn block_needs_escape(block: &[u8; 16]) -> bool {
    block
        .iter()
        .fold(0u8, |acc, &b| acc | u8::from(needs_escape(b)))
        != 0
}

/// The index of the first byte at or after `i` that JSON must escape, or `bytes.len()`.
/// Plain blocks of 16 bytes, then words of 8, are skipped whole.
fn next_escape(bytes: &[u8], mut i: usize) -> usize {
    while let Some(block) = bytes.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        if block_needs_escape(block) {
            break;
        }
        i += 16;
    }
    while let Some(word) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        if word_needs_escape(u64::from_le_bytes(*word)) {
            break;
        }
        i += 8;
    }
    // Within the word that has one, or the last few bytes.
    while i < bytes.len() && !needs_escape(bytes[i]) {
        i += 1;
    }
    i
}

/// The inside of a JSON string (without its quotes) with `serde_json`'s minimal escaping:
/// runs that need none are passed on whole.
fn write_str_contents<S: Sink>(out: &mut S, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut start = 0;
    loop {
        let i = next_escape(bytes, start);
        // `i` is at an ASCII byte or the end, so the slice ends on a character boundary.
        out.put(&s[start..i]);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x09 => "\\t",
            0x0a => "\\n",
            0x0c => "\\f",
            0x0d => "\\r",
            _ => "",
        };
        if escape.is_empty() {
            let u = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0x0f) as usize],
            ];
            out.put_ascii(&u);
        } else {
            out.put(escape);
        }
        start = i + 1;
    }
}

/// Four bytes as eight lowercase hex digits, all at once in a word: each nibble is spread
/// into a byte of its own, then every byte becomes its digit (`'0' + n`, plus the gap to
/// `'a'` where `n ≥ 10`).
fn hex4(bytes: [u8; 4]) -> [u8; 8] {
    let x = u64::from(u32::from_be_bytes(bytes));
    let x = ((x & 0xffff_0000) << 16) | (x & 0xffff);
    let x = ((x & 0x0000_ff00_0000_ff00) << 8) | (x & 0x0000_00ff_0000_00ff);
    let x = ((x & 0x00f0_00f0_00f0_00f0) << 4) | (x & 0x000f_000f_000f_000f);
    // 1 in the bytes holding 10..=15 (n + 6 carries into bit 4 exactly then).
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & LOW_BITS;
    (x + 0x3030_3030_3030_3030 + letters * u64::from(b'a' - b'0' - 10)).to_be_bytes()
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0x0f) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effects::record::{AuditRecord, GENESIS_HASH};
    use proptest::prelude::*;

    /// The reference: the record's fields through `serde_json`, as the encoding was first
    /// written.
    #[derive(serde::Serialize)]
    struct SerdeBody<'a> {
        seq: u64,
        time_ms: u64,
        agent: &'a str,
        decision: AuditDecision,
        effect: Option<Effect>,
        target: Option<&'a str>,
        reason: &'a str,
        prev_hash: &'a str,
    }

    fn serde_body(f: &BodyFields) -> String {
        serde_json::to_string(&SerdeBody {
            seq: f.seq,
            time_ms: f.time_ms,
            agent: f.agent,
            decision: f.decision,
            effect: f.effect,
            target: f.target,
            reason: f.reason,
            prev_hash: f.prev_hash,
        })
        .unwrap()
    }

    fn check(f: &BodyFields) {
        let mut body = String::new();
        f.write_body(&mut body);
        assert_eq!(body, serde_body(f));
        assert_eq!(
            f.hash(),
            crate::effects::record::sha256_hex(body.as_bytes())
        );
        let mut sink = HashSink::new();
        assert_eq!(*f.hash_text(&mut sink), f.hash());
        // A reused sink starts afresh.
        assert_eq!(*f.hash_text(&mut sink), f.hash());
        let record = AuditRecord {
            seq: f.seq,
            time_ms: f.time_ms,
            agent: f.agent.into(),
            decision: f.decision,
            effect: f.effect,
            target: f.target.map(Into::into),
            reason: f.reason.into(),
            prev_hash: f.prev_hash.into(),
            hash: "h\"\u{1}é".into(),
        };
        let mut line = String::new();
        f.write_line(&record.hash, &mut line);
        assert_eq!(line, serde_json::to_string(&record).unwrap());
    }

    #[test]
    fn block_test_flags_exactly_the_blocks_with_a_byte_to_escape() {
        for fill in [b'a', 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']'] {
            for pos in 0..16 {
                for b in 0..=255u8 {
                    let mut block = [fill; 16];
                    block[pos] = b;
                    assert_eq!(block_needs_escape(&block), needs_escape(b), "{block:?}");
                }
            }
        }
    }

    #[test]
    fn word_hex_is_hex() {
        for b in 0..=255u8 {
            for pos in 0..4 {
                let mut x = [0x5a, 0x00, 0xff, 0x09];
                x[pos] = b;
                assert_eq!(hex4(x).to_vec(), hex(&x).into_bytes());
            }
        }
    }

    #[test]
    fn small_copies_copy_exactly() {
        let src: Vec<u8> = (1..=40).collect();
        for n in 0..=40 {
            let mut to = vec![0u8; n];
            copy_small(&mut to, &src[..n]);
            assert_eq!(to, &src[..n]);
        }
    }

    #[test]
    fn word_test_flags_exactly_the_words_with_a_byte_to_escape() {
        let special = needs_escape;
        // Every byte value in every position, among plain and high bytes.
        for fill in [b'a', 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']'] {
            for pos in 0..8 {
                for b in 0..=255u8 {
                    let mut w = [fill; 8];
                    w[pos] = b;
                    let expected = w.iter().any(|&x| special(x));
                    assert_eq!(word_needs_escape(u64::from_le_bytes(w)), expected, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn tricky_strings_match_serde_json() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for s in [
            "",
            "plain",
            "\"quoted\" back\\slash",
            "tab\there\nnew\rcr\u{8}bs\u{c}ff",
            &all_controls,
            "\u{7f} del, é ü 中文 🚀, \u{2028} \u{2029} \u{feff}",
            "\\u0000 literal",
            "ends with escape\n",
            "\u{0}",
        ] {
            for (seq, time_ms) in [(0, 0), (9, 10), (u64::MAX, 1_700_000_000_000)] {
                check(&BodyFields {
                    seq,
                    time_ms,
                    agent: s,
                    decision: AuditDecision::Rejected,
                    effect: Some(Effect::GpuControl),
                    target: Some(s),
                    reason: s,
                    prev_hash: GENESIS_HASH,
                });
            }
        }
    }

    fn decision() -> impl Strategy<Value = AuditDecision> {
        prop_oneof![
            Just(AuditDecision::Allowed),
            Just(AuditDecision::Denied),
            Just(AuditDecision::Granted),
            Just(AuditDecision::Revoked),
            Just(AuditDecision::Approved),
            Just(AuditDecision::Rejected),
        ]
    }

    fn effect() -> impl Strategy<Value = Option<Effect>> {
        proptest::option::of(proptest::sample::select(Effect::ALL.to_vec()))
    }

    /// Strings weighted towards what needs escaping: ASCII controls, quotes, backslashes,
    /// DEL and multi-byte characters, mixed with plain text.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\\x00-\\x1f\"\\\\\\x7f a-zé中🚀\u{2028}]{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn body_and_line_match_serde_json(
            seq in any::<u64>(),
            time_ms in any::<u64>(),
            agent in text(),
            decision in decision(),
            effect in effect(),
            target in proptest::option::of(text()),
            reason in text(),
            prev_hash in text(),
        ) {
            check(&BodyFields {
                seq,
                time_ms,
                agent: &agent,
                decision,
                effect,
                target: target.as_deref(),
                reason: &reason,
                prev_hash: &prev_hash,
            });
        }
    }
}
