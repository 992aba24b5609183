//! Batch enqueue: a list or columns behave exactly like one `enqueue` per signal, and both
//! are all-or-nothing.

use gamesa_core::ErrorCode;
use gamesa_core::signals::{
    BatchOutcome, EnqueueOutcome, SchedulerConfig, Signal, SignalColumns, SignalDomain, SignalKind,
    SignalScheduler,
};

fn signals(n: usize) -> Vec<Signal> {
    (0..n)
        .map(|i| {
            let kind = SignalKind::ALL[i * 7 % 9];
            Signal {
                id: format!("s{i}"),
                kind,
                // A kind in another domain it is allowed in, now and then.
                domain: if i % 2 == 0 && kind == SignalKind::ThermalCritical {
                    SignalDomain::Safety
                } else {
                    kind.domain()
                },
                strength: (i * 13 % 5) as f64 / 4.0,
                source: format!("src{}", i * 3 % 4),
                created_at_ms: (i * 11 % 50) as f64,
                ttl_ms: (i * 17 % 90) as f64,
                payload: (i % 3 == 0).then(|| format!("{{\"i\":{i}}}")),
            }
        })
        .collect()
}

fn scheduler(capacity: usize) -> SignalScheduler {
    SignalScheduler::with_config(SchedulerConfig {
        capacity,
        ..SchedulerConfig::default()
    })
    .unwrap()
}

fn drain(q: &mut SignalScheduler) -> Vec<Signal> {
    std::iter::from_fn(|| q.dequeue(40.0).unwrap()).collect()
}

#[test]
fn list_and_columns_match_single_enqueues() {
    for capacity in [2, 7, 100] {
        let input = signals(300);
        let mut single = scheduler(capacity);
        let mut want = BatchOutcome::default();
        for s in input.clone() {
            match single.enqueue(s).unwrap() {
                EnqueueOutcome::Queued => want.queued += 1,
                EnqueueOutcome::Coalesced => want.coalesced += 1,
                EnqueueOutcome::Evicted(_) => want.evicted += 1,
                EnqueueOutcome::Dropped(_) => want.dropped += 1,
            }
        }
        let mut list = scheduler(capacity);
        assert_eq!(list.enqueue_all(input.clone()).unwrap(), want);

        let sources: Vec<String> = (0..4).map(|i| format!("src{i}")).collect();
        let kinds: Vec<u8> = input.iter().map(|s| s.kind.code()).collect();
        let strengths: Vec<f64> = input.iter().map(|s| s.strength).collect();
        let source_index: Vec<u32> = input
            .iter()
            .map(|s| s.source[3..].parse().unwrap())
            .collect();
        let domains: Vec<u8> = input.iter().map(|s| s.domain.index() as u8).collect();
        let created: Vec<f64> = input.iter().map(|s| s.created_at_ms).collect();
        let ttl: Vec<f64> = input.iter().map(|s| s.ttl_ms).collect();
        let ids: Vec<String> = input.iter().map(|s| s.id.clone()).collect();
        let payloads: Vec<Option<String>> = input.iter().map(|s| s.payload.clone()).collect();
        let cols = SignalColumns {
            kinds: &kinds,
            strengths: &strengths,
            sources: Some(&sources),
            source_index: Some(&source_index),
            domains: Some(&domains),
            created_at_ms: Some(&created),
            ttl_ms: Some(&ttl),
            ids: Some(&ids),
            payloads: Some(&payloads),
        };
        let built = cols
            .to_signals(0.0, 0.0, |_| unreachable!("ids are given"))
            .unwrap();
        assert_eq!(built, input);
        let mut columns = scheduler(capacity);
        assert_eq!(columns.enqueue_all(built).unwrap(), want);

        assert_eq!(list.stats(), single.stats());
        assert_eq!(columns.stats(), single.stats());
        let expected = drain(&mut single);
        assert_eq!(drain(&mut list), expected);
        assert_eq!(drain(&mut columns), expected);
    }
}

#[test]
fn column_defaults() {
    let kinds = [
        SignalKind::PowerLimit.code(),
        SignalKind::IdleCapacity.code(),
    ];
    let cols = SignalColumns {
        kinds: &kinds,
        strengths: &[0.5, 0.25],
        ..Default::default()
    };
    let mut n = 0;
    let built = cols
        .to_signals(123.0, 1000.0, |k| {
            n += 1;
            format!("{k}#{n}")
        })
        .unwrap();
    assert_eq!(built[0].id, "power_limit#1");
    assert_eq!(built[1].id, "idle_capacity#2");
    assert_eq!(built[1].domain, SignalDomain::Efficiency);
    assert_eq!(built[0].source, "telemetry");
    assert_eq!((built[0].created_at_ms, built[0].ttl_ms), (123.0, 1000.0));
    assert_eq!(built[0].payload, None);
}

#[test]
fn bad_batches_name_the_place_and_enqueue_nothing() {
    let mut q = SignalScheduler::new();
    let mut input = signals(5);
    input[3].strength = 7.0;
    let err = q.enqueue_all(input).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().starts_with("signals[3]: "), "{err}");
    assert_eq!(q.len(), 0);
    assert_eq!(q.stats().enqueued, 0);

    let id = |_| String::from("x");
    let short = SignalColumns {
        kinds: &[0, 1],
        strengths: &[0.5],
        ..Default::default()
    };
    let err = short.to_signals(0.0, 1.0, id).unwrap_err();
    assert!(
        err.to_string().contains("columns.strengths has 1 entries"),
        "{err}"
    );
    let bad_kind = SignalColumns {
        kinds: &[0, 9],
        strengths: &[0.5, 0.5],
        ..Default::default()
    };
    let err = bad_kind.to_signals(0.0, 1.0, id).unwrap_err();
    assert!(err.to_string().contains("columns.kinds[1]: 9"), "{err}");
    let sources = ["a".to_string()];
    let bad_source = SignalColumns {
        kinds: &[0],
        strengths: &[0.5],
        sources: Some(&sources),
        source_index: Some(&[1]),
        ..Default::default()
    };
    let err = bad_source.to_signals(0.0, 1.0, id).unwrap_err();
    assert!(
        err.to_string().contains("columns.sourceIndex[0]: 1"),
        "{err}"
    );
    let bad_domain = SignalColumns {
        kinds: &[0],
        strengths: &[0.5],
        domains: Some(&[6]),
        ..Default::default()
    };
    assert!(
        bad_domain
            .to_signals(0.0, 1.0, id)
            .unwrap_err()
            .to_string()
            .contains("columns.domains[0]")
    );
    let bad_ttl = SignalColumns {
        kinds: &[0],
        strengths: &[0.5],
        ..Default::default()
    };
    let err = bad_ttl.to_signals(0.0, -1.0, id).unwrap_err();
    assert!(err.to_string().starts_with("signals[0]: "), "{err}");
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}

#[test]
fn owned_columns_round_trip() {
    use gamesa_core::signals::OwnedSignalColumns;
    let input = signals(50);
    let cols = OwnedSignalColumns::from_signals(input.clone());
    assert_eq!(cols.sources, ["src0", "src3", "src2", "src1"]);
    let back = cols
        .view()
        .to_signals(0.0, 0.0, |_| unreachable!())
        .unwrap();
    assert_eq!(back, input);
}
