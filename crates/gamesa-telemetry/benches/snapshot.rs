//! Cost of one full snapshot of this machine without the process table (target:
//! median ≤ 0.5 ms). The GPU is included when NVML loads; on a machine without a driver the
//! `nvml` source is a cached `Unsupported` and costs nothing.
//! Run: `cargo bench -p gamesa-telemetry --bench snapshot`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use gamesa_telemetry::Collector;

fn snapshot(c: &mut Criterion) {
    let mut collector = Collector::host();
    collector.collect(Instant::now(), 0);
    c.bench_function("full_snapshot", |b| {
        b.iter(|| black_box(collector.collect(Instant::now(), 0)))
    });
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
