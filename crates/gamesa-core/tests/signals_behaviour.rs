//! The scheduler's documented rules, one example each.

use gamesa_core::ErrorCode;
use gamesa_core::signals::{
    DomainRanks, EnqueueOutcome, SchedulerConfig, Signal, SignalDomain, SignalKind,
    SignalScheduler, TelemetryOptions, telemetry_signal,
};

fn sig(id: &str, kind: SignalKind, strength: f64, source: &str, created: f64) -> Signal {
    telemetry_signal(
        kind,
        strength,
        TelemetryOptions {
            id: id.into(),
            source: Some(source.into()),
            created_at_ms: created,
            ttl_ms: Some(100.0),
            payload: None,
        },
    )
    .unwrap()
}

fn drain(q: &mut SignalScheduler, now: f64) -> Vec<String> {
    std::iter::from_fn(|| q.dequeue(now).unwrap())
        .map(|s| s.id)
        .collect()
}

#[test]
fn kinds_map_to_their_domains() {
    use SignalDomain::*;
    use SignalKind::*;
    let table = [
        (CpuBottleneck, Performance),
        (GpuBottleneck, Performance),
        (MemoryPressure, Performance),
        (LatencySpike, Performance),
        (ThermalWarning, Thermal),
        (ThermalCritical, Thermal),
        (PowerLimit, Power),
        (IdleCapacity, Efficiency),
        (SafetyViolation, Safety),
    ];
    assert_eq!(table.len(), SignalKind::ALL.len());
    for (kind, domain) in table {
        assert_eq!(kind.domain(), domain, "{kind}");
        assert_eq!(SignalKind::parse(kind.as_str()), Some(kind));
        assert_eq!(SignalKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(SignalKind::parse("CpuBottleneck"), None);
    assert_eq!(SignalKind::from_code(9), None);
}

#[test]
fn a_signal_in_a_domain_its_kind_does_not_belong_to_is_refused() {
    let mut q = SignalScheduler::new();
    let mut jumper = sig("jump", SignalKind::CpuBottleneck, 0.5, "a", 0.0);
    jumper.domain = SignalDomain::Safety;
    let e = q.enqueue(jumper.clone()).unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert!(e.to_string().contains("signal 'jump'"), "{e}");
    assert!(e.to_string().contains("cpu_bottleneck"), "{e}");
    assert!(e.to_string().contains("performance"), "{e}");
    // Demoting is refused too: a critical temperature must not wait behind efficiency.
    let mut late = sig("late", SignalKind::ThermalCritical, 0.5, "a", 0.0);
    late.domain = SignalDomain::Efficiency;
    assert_eq!(q.enqueue(late).unwrap_err().code(), "INVALID_ARGUMENT");
    assert!(q.is_empty());
    assert_eq!(q.stats().enqueued, 0);
    assert!(q.enqueue_all(vec![jumper]).is_err());
    assert!(q.is_empty());
    // Every kind in its own domain is fine; a critical temperature may also be a safety matter.
    for kind in SignalKind::ALL {
        for domain in SignalDomain::ALL {
            let expected = domain == kind.domain()
                || (kind == SignalKind::ThermalCritical && domain == SignalDomain::Safety);
            assert_eq!(kind.allowed_in(domain), expected, "{kind} in {domain}");
        }
    }
    let mut critical = sig("crit", SignalKind::ThermalCritical, 0.5, "a", 0.0);
    critical.domain = SignalDomain::Safety;
    q.enqueue(critical).unwrap();
    assert_eq!(q.len(), 1);
}

#[test]
fn order_is_domain_then_strength_then_first_in() {
    let mut q = SignalScheduler::new();
    q.enqueue(sig("perf-weak", SignalKind::CpuBottleneck, 0.3, "a", 0.0))
        .unwrap();
    q.enqueue(sig("perf-strong", SignalKind::GpuBottleneck, 0.9, "a", 0.0))
        .unwrap();
    q.enqueue(sig("idle", SignalKind::IdleCapacity, 1.0, "a", 0.0))
        .unwrap();
    q.enqueue(sig("thermal", SignalKind::ThermalWarning, 0.1, "a", 0.0))
        .unwrap();
    q.enqueue(sig("perf-weak-2", SignalKind::LatencySpike, 0.3, "a", 0.0))
        .unwrap();
    q.enqueue(sig("safety", SignalKind::SafetyViolation, 0.0, "a", 0.0))
        .unwrap();
    q.enqueue(sig("power", SignalKind::PowerLimit, 0.5, "a", 0.0))
        .unwrap();
    assert_eq!(
        drain(&mut q, 1.0),
        [
            "safety",
            "thermal",
            "power",
            "perf-strong",
            "perf-weak",
            "perf-weak-2",
            "idle"
        ]
    );
}

#[test]
fn custom_domain_ranks_apply() {
    use SignalDomain::*;
    let ranks =
        DomainRanks::from_order(&[Efficiency, Safety, Thermal, Power, Performance, Maintenance])
            .unwrap();
    let config = SchedulerConfig {
        capacity: 10,
        domain_ranks: ranks,
    };
    let mut q = SignalScheduler::with_config(config).unwrap();
    q.enqueue(sig("safety", SignalKind::SafetyViolation, 1.0, "a", 0.0))
        .unwrap();
    q.enqueue(sig("idle", SignalKind::IdleCapacity, 0.1, "a", 0.0))
        .unwrap();
    assert_eq!(drain(&mut q, 1.0), ["idle", "safety"]);
    assert_eq!(ranks.order()[0], Efficiency);

    let dup = DomainRanks::from_order(&[Safety, Safety, Thermal, Power, Performance, Efficiency]);
    assert_eq!(dup.unwrap_err().code(), "INVALID_CONFIG");
    assert_eq!(
        DomainRanks::from_order(&[Safety]).unwrap_err().code(),
        "INVALID_CONFIG"
    );
    let zero = SchedulerConfig {
        capacity: 0,
        ..SchedulerConfig::default()
    };
    assert_eq!(
        SignalScheduler::with_config(zero).unwrap_err().code(),
        "INVALID_CONFIG"
    );
}

#[test]
fn expired_signals_are_dropped_at_dequeue_and_counted() {
    let mut q = SignalScheduler::new();
    q.enqueue(sig("old", SignalKind::ThermalCritical, 1.0, "a", 0.0))
        .unwrap(); // expires at 100
    q.enqueue(sig("new", SignalKind::CpuBottleneck, 0.5, "a", 50.0))
        .unwrap(); // expires at 150
    assert_eq!(q.peek(99.0).unwrap().map(|s| s.id.as_str()), Some("old"));
    // Expiry is inclusive: at exactly created + ttl the signal is gone.
    assert_eq!(
        q.dequeue(100.0).unwrap().map(|s| s.id),
        Some("new".to_string())
    );
    assert_eq!(q.stats().expired, 1);
    assert_eq!(q.stats().dequeued, 1);
    assert!(q.is_empty());
}

#[test]
fn coalescing_keeps_place_strongest_strength_and_newest_fields() {
    let mut q = SignalScheduler::new();
    q.enqueue(sig("first", SignalKind::CpuBottleneck, 0.9, "cpu0", 10.0))
        .unwrap();
    q.enqueue(sig("other", SignalKind::CpuBottleneck, 0.9, "cpu1", 10.0))
        .unwrap();
    let mut newer = sig("newer", SignalKind::CpuBottleneck, 0.2, "cpu0", 20.0);
    newer.payload = Some("{\"load\":0.97}".into());
    assert_eq!(q.enqueue(newer).unwrap(), EnqueueOutcome::Coalesced);
    // An older reading only raises strength, it does not overwrite newer fields.
    let older = sig("older", SignalKind::CpuBottleneck, 0.95, "cpu0", 5.0);
    assert_eq!(q.enqueue(older).unwrap(), EnqueueOutcome::Coalesced);
    assert_eq!(q.len(), 2);
    let got = q.dequeue(0.0).unwrap().unwrap();
    assert_eq!(got.id, "newer");
    assert_eq!(got.strength, 0.95);
    assert_eq!(got.created_at_ms, 20.0);
    assert_eq!(got.payload.as_deref(), Some("{\"load\":0.97}"));
    assert_eq!(q.stats().coalesced, 2);
    // Same kind, other source, or same source, other kind: no coalescing.
    q.enqueue(sig("gpu", SignalKind::GpuBottleneck, 0.1, "cpu1", 0.0))
        .unwrap();
    assert_eq!(q.len(), 2);
}

#[test]
fn full_queue_drops_the_lowest_ranked() {
    let config = SchedulerConfig {
        capacity: 2,
        ..SchedulerConfig::default()
    };
    let mut q = SignalScheduler::with_config(config).unwrap();
    q.enqueue(sig("perf", SignalKind::CpuBottleneck, 0.5, "a", 0.0))
        .unwrap();
    q.enqueue(sig("idle", SignalKind::IdleCapacity, 0.9, "a", 0.0))
        .unwrap();
    match q
        .enqueue(sig("thermal", SignalKind::ThermalWarning, 0.1, "a", 0.0))
        .unwrap()
    {
        EnqueueOutcome::Evicted(s) => assert_eq!(s.id, "idle"),
        other => panic!("expected eviction, got {other:?}"),
    }
    // A tie with the lowest loses: the incoming signal is the newest.
    match q
        .enqueue(sig("perf-tie", SignalKind::GpuBottleneck, 0.5, "a", 0.0))
        .unwrap()
    {
        EnqueueOutcome::Dropped(s) => assert_eq!(s.id, "perf-tie"),
        other => panic!("expected the incoming signal dropped, got {other:?}"),
    }
    // Coalescing never needs room.
    let merge = sig("perf-2", SignalKind::CpuBottleneck, 0.7, "a", 1.0);
    assert_eq!(q.enqueue(merge).unwrap(), EnqueueOutcome::Coalesced);
    assert_eq!(q.stats().dropped_full, 2);
    assert_eq!(drain(&mut q, 1.0), ["thermal", "perf-2"]);
}

#[test]
fn invalid_inputs_are_typed_errors_and_change_nothing() {
    let mut q = SignalScheduler::new();
    let good = sig("x", SignalKind::PowerLimit, 0.5, "a", 0.0);
    for (field, bad) in [
        (
            "strength",
            Signal {
                strength: 1.5,
                ..good.clone()
            },
        ),
        (
            "strength",
            Signal {
                strength: -0.1,
                ..good.clone()
            },
        ),
        (
            "strength",
            Signal {
                strength: f64::NAN,
                ..good.clone()
            },
        ),
        (
            "ttlMs",
            Signal {
                ttl_ms: -1.0,
                ..good.clone()
            },
        ),
        (
            "ttlMs",
            Signal {
                ttl_ms: f64::NAN,
                ..good.clone()
            },
        ),
        (
            "createdAtMs",
            Signal {
                created_at_ms: f64::INFINITY,
                ..good.clone()
            },
        ),
    ] {
        let err = q.enqueue(bad).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.to_string().contains(field), "{err}");
        assert!(err.to_string().contains("'x'"), "{err}");
    }
    assert_eq!(q.stats().enqueued, 0);
    assert_eq!(q.dequeue(f64::NAN).unwrap_err().code(), "INVALID_ARGUMENT");
    let opts = TelemetryOptions {
        id: "t".into(),
        source: None,
        created_at_ms: 0.0,
        ttl_ms: None,
        payload: None,
    };
    let err = telemetry_signal(SignalKind::IdleCapacity, 2.0, opts).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    // Infinity is a valid ttl: the signal never expires.
    q.enqueue(Signal {
        ttl_ms: f64::INFINITY,
        ..good
    })
    .unwrap();
    assert!(q.dequeue(1e300).unwrap().is_some());
}

#[test]
fn clear_empties_and_keeps_counting() {
    let mut q = SignalScheduler::new();
    for i in 0..5 {
        q.enqueue(sig(
            &format!("{i}"),
            SignalKind::PowerLimit,
            0.5,
            &format!("s{i}"),
            0.0,
        ))
        .unwrap();
    }
    q.clear();
    assert!(q.is_empty());
    assert_eq!(q.dequeue(0.0).unwrap(), None);
    let st = q.stats();
    assert_eq!((st.enqueued, st.cleared, st.len), (5, 5, 0));
    q.enqueue(sig("after", SignalKind::PowerLimit, 0.5, "s0", 0.0))
        .unwrap();
    assert_eq!(q.dequeue(0.0).unwrap().unwrap().id, "after");
}

#[test]
fn many_updates_on_a_small_queue_stay_correct() {
    // Exercises stale-entry rebuilds: strength goes up and down through coalescing.
    let mut q = SignalScheduler::new();
    for i in 0..10_000u32 {
        let strength = f64::from(i % 97) / 96.0;
        let source = format!("s{}", i % 4);
        let domain_kind = if i % 5 == 0 {
            SignalKind::ThermalWarning
        } else {
            SignalKind::CpuBottleneck
        };
        q.enqueue(sig("u", domain_kind, strength, &source, f64::from(i)))
            .unwrap();
    }
    assert!(q.len() <= 8);
    let out: Vec<Signal> = std::iter::from_fn(|| q.dequeue(0.0).unwrap()).collect();
    assert_eq!(out.len(), 8);
    let st = q.stats();
    assert_eq!(st.enqueued, st.dequeued + st.coalesced);
}
