//! Arbitrary bytes as a trace -> `Replay::from_reader` with the sample engine, then `step` to
//! the end. Never a panic; every error is `INVALID_TRACE` (or `IO_ERROR` for bytes that are
//! not UTF-8); each output line is JSON; a trace that replays at all replays to the same bytes
//! a second time (determinism), and one tick is written per snapshot line.
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_host::replay::Replay;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::path::Path;

const ENGINE: &str = include_str!("../../samples/engine.json");

/// Replays the whole trace; the output, and the error code where it stopped.
fn replay(data: &[u8]) -> (Vec<u8>, usize, Option<&'static str>) {
    let path = Path::new("fuzz.trace");
    let mut out = Vec::new();
    let mut replay = match Replay::from_reader(ENGINE, Cursor::new(data), path) {
        Ok(r) => r,
        Err(e) => {
            assert!(e.to_string().contains("fuzz.trace"), "{e}");
            return (out, 0, Some(e.code()));
        }
    };
    let mut ticks = 0;
    loop {
        // One tick per call, so the count stays exact when a later line fails (`step` then
        // returns the error, not how many ticks it wrote before it).
        match replay.step(1, &mut out) {
            Ok(0) => return (out, ticks, None),
            Ok(n) => ticks += n,
            Err(e) => {
                assert!(e.to_string().contains("fuzz.trace"), "{e}");
                return (out, ticks, Some(e.code()));
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (out, ticks, error) = replay(data);
    if let Some(code) = error {
        let expected = if std::str::from_utf8(data).is_ok() {
            &["INVALID_TRACE"][..]
        } else {
            // `read_line` fails on bytes that are not UTF-8; a line that was cut there may
            // still have failed to parse first.
            &["INVALID_TRACE", "IO_ERROR"][..]
        };
        assert!(expected.contains(&code), "unexpected error code {code}");
    }
    let text = std::str::from_utf8(&out).expect("output is UTF-8");
    assert_eq!(text.lines().count(), ticks);
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each output line is JSON");
    }
    let (out2, ticks2, error2) = replay(data);
    assert_eq!(ticks2, ticks);
    assert_eq!(error2, error);
    assert!(out2 == out, "two replays of the same trace differ");
});
