//! One pass of the workload scanner over at least 1,000 processes: this benchmark starts
//! 1,000 sleeping children (beside whatever the machine runs) and times
//! `WorkloadScanner::scan` in steady state (identities already read), with a name selector
//! and the default exclusion list, as `gamesa run --protect` uses it. Target: ≤ 2 ms.
//!
//! `cargo bench -p gamesa-host --bench scan`. The children are killed at the end.

use criterion::{Criterion, criterion_group, criterion_main};
use gamesa_host::workloads::{
    ScannerOptions, Selector, WorkloadDef, WorkloadScanner, WorkloadsConfig,
};
use std::process::{Child, Command, Stdio};

const CHILDREN: usize = 1000;

struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
        }
        for c in &mut self.0 {
            let _ = c.wait();
        }
    }
}

fn scan(c: &mut Criterion) {
    let children = Children(
        (0..CHILDREN)
            .map(|_| {
                Command::new("sleep")
                    .arg("600")
                    .stdin(Stdio::null())
                    .spawn()
                    .expect("spawn sleep")
            })
            .collect(),
    );
    let config = WorkloadsConfig {
        workloads: vec![WorkloadDef {
            name: "game".into(),
            priority: true,
            select: vec![Selector {
                name: vec!["frameloop".into()],
                ..Default::default()
            }],
            children: true,
        }],
        ..Default::default()
    };
    let mut scanner = WorkloadScanner::new(&config, ScannerOptions::default()).unwrap();
    let first = scanner.scan().unwrap();
    eprintln!(
        "scanning {} processes ({} started here)",
        first.scanned,
        children.0.len()
    );
    assert!(first.scanned >= CHILDREN);
    // Criterion's wall time includes waiting for a CPU on a loaded machine; the process's own
    // CPU time per pass (utime + stime of this thread, /proc/thread-self/stat fields 14 and 15,
    // clock ticks) is what the scan costs the machine.
    let passes = 300;
    let cpu0 = thread_cpu_ticks();
    let mut walls = Vec::with_capacity(passes);
    for _ in 0..passes {
        let t = std::time::Instant::now();
        scanner.scan().unwrap();
        walls.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let cpu_ms = (thread_cpu_ticks() - cpu0) as f64 * 1e3
        / gamesa_host::workloads::proc_read::clock_ticks_per_second() as f64
        / passes as f64;
    walls.sort_by(f64::total_cmp);
    eprintln!(
        "{passes} passes: CPU {cpu_ms:.2} ms per pass (user + system); wall min {:.2} ms, median {:.2} ms",
        walls[0],
        walls[passes / 2]
    );
    c.bench_function("scan_1000_processes", |b| {
        b.iter(|| scanner.scan().unwrap())
    });
    drop(children);
}

fn thread_cpu_ticks() -> u64 {
    let text = std::fs::read("/proc/thread-self/stat").unwrap();
    gamesa_host::workloads::proc_read::parse_stat(&text)
        .unwrap()
        .cpu_ticks
}

criterion_group!(benches, scan);
criterion_main!(benches);
