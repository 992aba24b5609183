//! The background sampler on the host's /proc (GPU disabled, so it runs without a driver).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::thread::sleep;
use std::time::{Duration, Instant};

use gamesa_telemetry::sampler::{Sampler, SamplerConfig, SamplerError};
use gamesa_telemetry::{Collector, CollectorConfig, ProcessesError, SourceStatus};

fn collector() -> Collector {
    Collector::new(CollectorConfig::default())
}

/// A clock that returns 0, 1, 2, …: each snapshot's timestamp is its tick number.
fn counter() -> impl FnMut() -> u64 + Send + 'static {
    let mut n = 0;
    move || {
        let t = n;
        n += 1;
        t
    }
}

fn config(rate_hz: f64, slow_every: u32, buffer_size: usize) -> SamplerConfig {
    SamplerConfig {
        rate_hz,
        slow_every,
        buffer_size,
    }
}

/// Waits (at most 5 s) until `sampler` has run `ticks` ticks.
fn wait_ticks(sampler: &Sampler, ticks: u64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sampler.ticks() < ticks {
        assert!(Instant::now() < deadline, "only {} ticks", sampler.ticks());
        sleep(Duration::from_millis(2));
    }
}

#[test]
fn rate_is_roughly_honoured() {
    let mut s = Sampler::start(collector(), config(50.0, 10, 1000), counter()).unwrap();
    sleep(Duration::from_millis(500));
    s.stop().unwrap();
    let n = s.ticks();
    // 25 expected (plus the tick at start); bounds are wide for a loaded 2-core machine.
    assert!((12..=35).contains(&n), "{n} snapshots in 0.5 s at 50 Hz");
    assert_eq!(s.history(usize::MAX).len() as u64, n);
}

#[test]
fn ring_buffer_keeps_the_newest_oldest_first() {
    let s = Sampler::start(collector(), config(500.0, 10, 5), counter()).unwrap();
    wait_ticks(&s, 12);
    let all = s.history(100);
    assert_eq!(all.len(), 5);
    let stamps: Vec<u64> = all.iter().map(|x| x.timestamp_ms).collect();
    assert!(stamps.windows(2).all(|w| w[1] == w[0] + 1), "{stamps:?}");
    assert!(stamps[0] >= 7, "old snapshots kept: {stamps:?}");
    let last3 = s.history(3);
    assert_eq!(last3.len(), 3);
    assert!(last3[2].timestamp_ms >= stamps[4]);
    assert!(last3[0].timestamp_ms < last3[2].timestamp_ms);
    assert!(s.latest().unwrap().timestamp_ms >= last3[2].timestamp_ms);
    assert!(s.history(0).is_empty());
}

#[test]
fn stop_wakes_the_thread_instead_of_waiting_out_the_period() {
    // One tick per 10 s: a stop that waited for the period would take seconds.
    let mut s = Sampler::start(collector(), config(0.1, 1, 4), counter()).unwrap();
    wait_ticks(&s, 1);
    let t = Instant::now();
    s.stop().unwrap();
    let took = t.elapsed();
    assert!(took < Duration::from_millis(100), "stop took {took:?}");
    assert!(!s.is_running());
    s.stop().unwrap(); // idempotent
    assert_eq!(s.ticks(), 1);
}

#[test]
fn dropping_without_stop_ends_the_thread() {
    let s = Sampler::start(collector(), config(100.0, 10, 4), counter()).unwrap();
    let (_, rx) = s.subscribe_channel();
    rx.recv_timeout(Duration::from_secs(5)).unwrap();
    drop(s);
    // The thread is joined and the subscriber dropped: the channel drains, then disconnects.
    loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(_) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!("sampler still running after drop"),
        }
    }
}

#[test]
fn subscribers_get_every_new_snapshot_until_unsubscribed() {
    let s = Sampler::start(collector(), config(200.0, 10, 64), counter()).unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let seen2 = Arc::clone(&seen);
    let id = s.subscribe(move |_| {
        seen2.fetch_add(1, Ordering::SeqCst);
        true
    });
    let (_, rx) = s.subscribe_channel();
    let a = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let b = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(b.timestamp_ms > a.timestamp_ms);
    assert!(a.sources.contains_key("proc_stat"));
    assert!(s.unsubscribe(id));
    assert!(!s.unsubscribe(id));
    let frozen = seen.load(Ordering::SeqCst);
    assert!(frozen >= 1);
    let before = s.ticks();
    wait_ticks(&s, before + 3);
    assert_eq!(seen.load(Ordering::SeqCst), frozen);
}

#[test]
fn a_subscriber_that_returns_false_or_panics_is_dropped_and_sampling_goes_on() {
    let s = Sampler::start(collector(), config(200.0, 10, 64), counter()).unwrap();
    let calls = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&calls);
    s.subscribe(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
        false
    });
    s.subscribe(|_| panic!("subscriber bug"));
    let before = s.ticks();
    wait_ticks(&s, before + 4);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_process_table_is_a_slow_source_that_needs_two_readings() {
    // 50 ticks between slow reads leave time to look at the first one before the second.
    let s = Sampler::start(collector(), config(500.0, 50, 64), counter()).unwrap();
    wait_ticks(&s, 2);
    let first = s.processes().expect("slow source read at tick 0");
    assert_eq!(first.timestamp_ms, 0);
    assert_eq!(first.processes, Err(ProcessesError::NeedsTwoReadings));
    wait_ticks(&s, 52);
    let second = s.processes().expect("read again at tick 50");
    assert_eq!(second.timestamp_ms % 50, 0);
    assert!(second.timestamp_ms >= 50);
    let list = second.processes.expect("second reading has rates");
    assert!(list.iter().any(|p| p.pid == std::process::id()));
}

#[test]
fn slow_sources_run_every_slow_every_ticks() {
    let s = Sampler::start(collector(), config(500.0, 3, 64), counter()).unwrap();
    wait_ticks(&s, 8);
    let gpu = s.gpu_processes().expect("slow source read at tick 0");
    assert_eq!(gpu.timestamp_ms % 3, 0, "read at tick {}", gpu.timestamp_ms);
    assert!(gpu.timestamp_ms >= 3);
    assert!(matches!(
        gpu.processes,
        Err(SourceStatus::Unsupported { .. })
    ));
}

#[test]
fn slow_every_zero_never_reads_the_slow_sources() {
    let s = Sampler::start(collector(), config(500.0, 0, 64), counter()).unwrap();
    wait_ticks(&s, 5);
    assert!(s.gpu_processes().is_none());
    assert!(s.processes().is_none());
}

#[test]
fn invalid_config_names_the_field() {
    let bad = [
        (config(0.0, 1, 1), "rateHz"),
        (config(f64::NAN, 1, 1), "rateHz"),
        (config(5000.0, 1, 1), "rateHz"),
        (config(10.0, 1, 0), "bufferSize"),
    ];
    for (cfg, field) in bad {
        let err = Sampler::start(collector(), cfg, counter()).unwrap_err();
        assert!(matches!(err, SamplerError::InvalidConfig(_)));
        assert_eq!(err.code(), "INVALID_CONFIG");
        assert!(err.to_string().contains(field), "{err}");
    }
    assert_eq!(SamplerConfig::default().rate_hz, 10.0);
}
