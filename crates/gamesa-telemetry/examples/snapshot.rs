//! Prints one snapshot of this machine: every source's status, then every variable (or why it
//! is absent). Two readings 100 ms apart, so rates such as CPU utilization are filled in.
//! Run: `cargo run -p gamesa-telemetry --example snapshot`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use gamesa_telemetry::Collector;

fn main() {
    let mut collector = Collector::host();
    collector.collect(Instant::now(), unix_ms());
    std::thread::sleep(Duration::from_millis(100));
    let snap = collector.collect(Instant::now(), unix_ms());
    println!("timestamp_ms {}", snap.timestamp_ms);
    match collector.cgroup_layout() {
        Ok(layout) => println!("cgroup {} {layout:?}", layout.version()),
        Err(err) => println!("cgroup not found: {err}"),
    }
    println!("\nsources:");
    for (source, status) in &snap.sources {
        println!("  {source:<12} {status}");
    }
    println!("\nvalues:");
    for (name, value) in &snap.values {
        println!("  {name:<28} {value:.3}");
    }
    println!("\nabsent:");
    for (name, why) in &snap.absent {
        println!("  {name:<28} {why}");
    }
    match collector.gpu().compute_processes() {
        Ok(list) => println!("\ngpu compute processes: {list:?}"),
        Err(status) => println!("\ngpu compute processes: {status}"),
    }
}

/// Wall-clock milliseconds; the example is the caller that owns the clock.
fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
