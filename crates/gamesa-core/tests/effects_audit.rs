//! The hash chain: every way of tampering is caught, and names the first bad seq.

use gamesa_core::ErrorCode;
use gamesa_core::effects::{
    AuditRecord, AuditTrail, BreakKind, ChainVerifier, Effect, EffectChecker, GENESIS_HASH,
    GrantOptions, scan_ndjson, scan_ndjson_from, verify_ndjson, verify_records,
};
use proptest::prelude::*;

/// A checker with 8 varied records.
fn sample() -> EffectChecker {
    let mut c = EffectChecker::new();
    c.grant(
        "cpu_agent",
        &[Effect::CpuControl],
        GrantOptions::default(),
        100,
    )
    .unwrap();
    c.check("cpu_agent", Effect::CpuControl, Some("cpu.core0"), 101)
        .unwrap();
    c.check("gpu_agent", Effect::GpuControl, None, 102).unwrap();
    c.check("cpu_agent", Effect::GpuControl, Some("gpu\"0\""), 103)
        .unwrap();
    c.revoke("cpu_agent", Some(Effect::CpuControl), 104)
        .unwrap();
    c.check("cpu_agent", Effect::CpuControl, None, 105).unwrap();
    c.check("é-agent", Effect::TelemetryRead, None, 106)
        .unwrap();
    c.revoke("nobody", None, 107).unwrap();
    c
}

fn lines(c: &EffectChecker) -> Vec<String> {
    c.trail().to_ndjson().lines().map(str::to_string).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn a_fresh_trail_verifies_and_round_trips() {
    let c = sample();
    let trail = c.trail();
    assert_eq!(trail.len(), 8);
    assert_eq!(&*trail.records()[0].prev_hash, GENESIS_HASH);
    let report = trail.verify();
    assert!(report.is_ok());
    assert_eq!(report.head_hash, trail.head_hash());
    let text = trail.to_ndjson();
    let reread = AuditTrail::from_ndjson(&text).unwrap();
    assert_eq!(&reread, trail);
    let ok = verify_ndjson(&text, Some(&trail.anchor()));
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!((ok.records, ok.verified), (8, 8));
    assert!(verify_ndjson("", None).is_ok());
}

#[test]
fn an_altered_record_is_caught_at_its_seq() {
    let c = sample();
    let mut ls = lines(&c);
    ls[3] = ls[3].replace("\"decision\":\"denied\"", "\"decision\":\"allowed\"");
    let r = verify_ndjson(&join(&ls), None);
    let b = r.problem.unwrap();
    assert_eq!((b.seq, b.line), (3, Some(4)));
    assert!(matches!(b.kind, BreakKind::HashMismatch { .. }), "{b}");
    assert_eq!(r.verified, 3);

    // Also through records: altering the time of seq 5.
    let mut recs: Vec<AuditRecord> = c.trail().records().to_vec();
    recs[5].time_ms += 1;
    assert_eq!(verify_records(&recs, None).problem.unwrap().seq, 5);
}

#[test]
fn a_removed_record_is_caught() {
    let c = sample();
    for removed in [0usize, 4] {
        let mut ls = lines(&c);
        ls.remove(removed);
        let b = verify_ndjson(&join(&ls), None).problem.unwrap();
        assert_eq!(b.seq, removed as u64);
        assert!(
            matches!(b.kind, BreakKind::SeqMismatch { found } if found == removed as u64 + 1),
            "{b}"
        );
    }
}

#[test]
fn an_inserted_record_is_caught_even_when_well_formed() {
    let c = sample();
    let recs = c.trail().records();
    // A forged record that claims seq 3, links to seq 2 and carries a correct hash of itself.
    let mut forged = recs[3].clone();
    forged.agent = "intruder".into();
    forged.hash = forged.compute_hash().into();
    let mut ls = lines(&c);
    ls.insert(3, forged.to_line());
    let b = verify_ndjson(&join(&ls), None).problem.unwrap();
    assert_eq!(
        (b.seq, b.line),
        (4, Some(5)),
        "the record after the forgery no longer follows"
    );
    assert!(matches!(b.kind, BreakKind::SeqMismatch { found: 3 }), "{b}");
}

#[test]
fn reordered_records_are_caught() {
    let c = sample();
    let mut ls = lines(&c);
    ls.swap(5, 6);
    let b = verify_ndjson(&join(&ls), None).problem.unwrap();
    assert_eq!(b.seq, 5);
    assert!(matches!(b.kind, BreakKind::SeqMismatch { found: 6 }));
    // Renumbering the swapped records does not help: the links break instead.
    let mut recs: Vec<AuditRecord> = c.trail().records().to_vec();
    recs.swap(5, 6);
    recs[5].seq = 5;
    recs[6].seq = 6;
    let b = verify_records(&recs, None).problem.unwrap();
    assert_eq!(b.seq, 5);
    assert!(matches!(b.kind, BreakKind::PrevHashMismatch { .. }));
}

#[test]
fn truncation_and_rewrites_need_the_anchor() {
    let c = sample();
    let anchor = c.trail().anchor();
    let mut ls = lines(&c);
    ls.pop();
    let text = join(&ls);
    assert!(
        verify_ndjson(&text, None).is_ok(),
        "a bare chain cannot see a cut-off end"
    );
    let b = verify_ndjson(&text, Some(&anchor)).problem.unwrap();
    assert_eq!(b.seq, 7);
    assert!(matches!(
        b.kind,
        BreakKind::LengthMismatch {
            expected: 8,
            found: 7
        }
    ));

    // Rewrite the whole chain from seq 2 on: verifies alone, not against the anchor.
    let mut forged =
        AuditTrail::from_records(c.trail().records().take(2).cloned().collect()).unwrap();
    for r in c.trail().records().skip(2) {
        forged.append(
            r.time_ms,
            "forger",
            r.decision,
            r.effect,
            r.target.as_deref(),
            r.reason.to_string(),
        );
    }
    assert!(forged.verify().is_ok());
    let b = verify_records(forged.records(), Some(&anchor))
        .problem
        .unwrap();
    assert!(matches!(b.kind, BreakKind::HeadHashMismatch { .. }));
}

#[test]
fn torn_tail_is_reported_not_parsed() {
    let c = sample();
    let text = c.trail().to_ndjson();
    let cut = text.len() - 20;
    let scan = scan_ndjson(&text[..cut], None);
    let torn = scan.report.torn_tail.clone().unwrap();
    assert_eq!(torn.line, 8);
    assert_eq!(torn.byte_offset + torn.byte_len, cut);
    assert!(scan.report.problem.is_none());
    assert!(!scan.report.is_ok());
    assert_eq!(scan.records.len(), 7);
    let err = AuditTrail::from_ndjson(&text[..cut]).unwrap_err();
    assert_eq!(err.code(), "AUDIT_CORRUPT");
    assert_eq!(err.line, Some(8));
    // A complete last record without its newline is still torn: the write did not finish.
    assert!(verify_ndjson(text.trim_end(), None).torn_tail.is_some());
}

#[test]
fn garbage_blank_and_reformatted_lines_are_caught() {
    let c = sample();
    let mut ls = lines(&c);
    ls[2] = "{not json".into();
    assert!(matches!(
        verify_ndjson(&join(&ls), None).problem.unwrap().kind,
        BreakKind::Unparsable(_)
    ));
    let mut ls = lines(&c);
    ls.insert(2, String::new());
    assert_eq!(
        verify_ndjson(&join(&ls), None).problem.unwrap().line,
        Some(3)
    );
    let mut ls = lines(&c);
    ls[1] = ls[1].replacen(",", ", ", 1);
    assert_eq!(
        verify_ndjson(&join(&ls), None).problem.unwrap().kind,
        BreakKind::NotCanonical
    );
    let mut ls = lines(&c);
    ls[1] = ls[1].replacen("{", "{\"extra\":1,", 1);
    assert!(matches!(
        verify_ndjson(&join(&ls), None).problem.unwrap().kind,
        BreakKind::Unparsable(_)
    ));
    let crlf = c.trail().to_ndjson().replace('\n', "\r\n");
    assert_eq!(verify_ndjson(&crlf, None).problem.unwrap().line, Some(1));
}

#[test]
fn a_trail_continues_from_loaded_records() {
    let c = sample();
    let mut trail = AuditTrail::from_ndjson(&c.trail().to_ndjson()).unwrap();
    let prev = trail.head_hash().to_string();
    let r = trail.append(
        200,
        "a",
        gamesa_core::effects::AuditDecision::Denied,
        Some(Effect::AuditRead),
        None,
        "x".into(),
    );
    assert_eq!((r.seq, &*r.prev_hash), (8, prev.as_str()));
    let mut checker = EffectChecker::with_trail(trail);
    checker.check("a", Effect::CpuControl, None, 201).unwrap();
    assert!(checker.trail().verify().is_ok());
    assert_eq!(checker.trail().range(8, 100).len(), 2);
    assert!(checker.trail().range(5, 3).is_empty());
}

#[derive(Debug, Clone)]
enum Tamper {
    Alter(usize, u64),
    Remove(usize),
    Duplicate(usize),
    Swap(usize),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (0usize..64, 1u64..1000).prop_map(|(i, d)| Tamper::Alter(i, d)),
        (0usize..64).prop_map(Tamper::Remove),
        (0usize..64).prop_map(Tamper::Duplicate),
        (0usize..64).prop_map(Tamper::Swap),
    ]
}

proptest! {
    /// Any single edit that does not cut the end off is caught, at or before the edited seq.
    #[test]
    fn every_single_edit_is_caught(n in 2usize..24, t in tamper()) {
        let mut c = EffectChecker::with_defaults(0);
        for i in 0..n {
            c.check("cpu_agent", Effect::ALL[i % Effect::ALL.len()], None, i as u64).unwrap();
        }
        let mut recs: Vec<AuditRecord> = c.trail().records().to_vec();
        let len = recs.len();
        let at = match t {
            Tamper::Alter(i, d) => { let i = i % len; recs[i].time_ms += d; i }
            Tamper::Remove(i) => { let i = i % (len - 1); recs.remove(i); i }
            Tamper::Duplicate(i) => { let i = i % len; let r = recs[i].clone(); recs.insert(i, r); i + 1 }
            Tamper::Swap(i) => { let i = i % (len - 1); recs.swap(i, i + 1); i }
        };
        let b = verify_records(&recs, None).problem.expect("tampering detected");
        prop_assert!(b.seq <= at as u64, "break at {} after edit at {}", b.seq, at);
    }
}

#[test]
fn a_bounded_trail_keeps_recent_records_and_verifies_as_a_segment() {
    let mut bounded = AuditTrail::new();
    bounded.set_retention(Some(4));
    let mut c = EffectChecker::with_trail(bounded);
    let mut full = EffectChecker::new();
    for i in 0..21u64 {
        let e = Effect::ALL[i as usize % Effect::ALL.len()];
        c.check("a", e, None, i).unwrap();
        full.check("a", e, None, i).unwrap();
    }
    let t = c.trail();
    assert_eq!(t.len(), 21);
    assert!(
        (4..=8).contains(&t.records().len()),
        "{}",
        t.records().len()
    );
    // Dropping records from memory changes nothing about the chain itself.
    assert_eq!(t.anchor(), full.trail().anchor());
    assert_eq!(
        (t.base().length, t.base().head_hash.as_str()),
        (t.records()[0].seq, &*t.records()[0].prev_hash)
    );
    assert!(t.verify().is_ok());
    let text = t.to_ndjson();
    assert!(full.trail().to_ndjson().ends_with(&text));
    assert_eq!(
        verify_ndjson(&text, None).problem.unwrap().seq,
        0,
        "a segment does not start at genesis"
    );
    assert!(
        scan_ndjson_from(t.base(), &text, Some(&t.anchor()))
            .report
            .is_ok()
    );
    assert_eq!(t.range(0, 100).len(), t.records().len());
    assert_eq!(t.range(19, 20)[0].seq, 19);
    assert!(t.range(0, 3).is_empty());
    // Tampering inside a segment is caught at its absolute seq.
    let mut ls: Vec<String> = text.lines().map(str::to_string).collect();
    ls[1] = ls[1].replace("\"time_ms\":", "\"time_ms\":1");
    let b = scan_ndjson_from(t.base(), &join(&ls), None)
        .report
        .problem
        .unwrap();
    assert_eq!(b.seq, t.base().length + 1);
    // A checker resumed from a segment continues the chain.
    let mut resumed = AuditTrail::resume(t.base().clone(), t.records().to_vec()).unwrap();
    resumed.append(
        99,
        "a",
        gamesa_core::effects::AuditDecision::Denied,
        None,
        None,
        "r".into(),
    );
    assert_eq!(&*resumed.records().last().unwrap().prev_hash, t.head_hash());
    assert!(
        AuditTrail::resume(
            gamesa_core::effects::Anchor {
                length: 0,
                head_hash: GENESIS_HASH.into()
            },
            t.records().to_vec()
        )
        .is_err()
    );
}

#[test]
fn the_streaming_verifier_agrees_with_the_batch_one() {
    let c = sample();
    let mut v = ChainVerifier::new();
    for line in c.trail().to_ndjson().lines() {
        v.push_line(line).unwrap();
    }
    assert_eq!(v.anchor(), c.trail().anchor());
    assert!(v.check_end(Some(&c.trail().anchor())).is_none());
    let bad = c.trail().records()[2].clone();
    assert!(matches!(
        v.push(&bad),
        Err(BreakKind::SeqMismatch { found: 2 })
    ));
    assert_eq!(
        v.next_seq(),
        8,
        "a rejected record does not move the verifier"
    );
}
