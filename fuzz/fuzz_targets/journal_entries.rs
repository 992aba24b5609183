//! Arbitrary bytes as an actuation journal -> `journal::parse_entries` (what `Journal::open`
//! and `gamesa restore` read, often as root). Never a panic; an error names a line that exists;
//! a torn tail starts where the last newline ends and holds no newline; every entry read names
//! only what the actuators write, and writing the entries back gives a journal that reads to
//! the same entries (what a restore rewrites is readable again).
#![no_main]

use gamesa_host::journal::parse_entries;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let mounts = [PathBuf::from("/sys/fs/cgroup")];
    let lines = data.split(|&b| b == b'\n').count();
    match parse_entries(data, &mounts) {
        Err((line, message)) => {
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            assert!(!message.is_empty());
        }
        Ok(parsed) => {
            if let Some(torn) = &parsed.torn_tail {
                assert!(torn.offset < data.len());
                assert!(torn.offset == 0 || data[torn.offset - 1] == b'\n');
                assert!(!data[torn.offset..].contains(&b'\n'));
                assert!(torn.line.line >= 1 && torn.line.line <= lines);
            }
            let mut text = Vec::new();
            for e in &parsed.entries {
                text.extend(serde_json::to_vec(e).expect("entries serialize"));
                text.push(b'\n');
            }
            let again = parse_entries(&text, &mounts).expect("written entries read back");
            assert_eq!(again.entries, parsed.entries);
            assert!(again.torn_tail.is_none());
        }
    }
});
