//! Arbitrary text -> `effects::scan_ndjson`: a verification report, never a panic. The report
//! must be self-consistent (verified records <= complete lines; a torn tail only without a
//! final newline).
#![no_main]

use gamesa_core::effects::scan_ndjson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scan = scan_ndjson(text, None);
    let report = &scan.report;
    assert_eq!(scan.records.len() as u64, report.verified);
    assert!(report.verified <= report.records);
    assert_eq!(
        report.torn_tail.is_some(),
        !text.is_empty() && !text.ends_with('\n')
    );
    if report.problem.is_none() {
        assert_eq!(report.verified, report.records);
    }
});
