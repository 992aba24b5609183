//! A minimal governor for tests of the journal and restore: applies a list of changes
//! through a live [`Actuator`] and reports each outcome on stdout, one line each.
//!
//! `gamesa-apply-changes --journal PATH --changes FILE [--subtree NAME] [--pause-ms N] [--exit]`
//!
//! `FILE` holds a JSON array of changes. Lines written: `open <restore report of leftovers>`,
//! then `outcome <json>` per change, then `done`. Without `--exit` it then waits; with it, it
//! undoes everything as at a run's end. SIGINT or SIGTERM, at any point between two changes
//! or while waiting, also undoes everything. Either way it writes `restored <report>` and exits
//! 0. SIGKILL leaves the journal for `restore`.

use gamesa_host::actuate::exit_signal_flag;
use gamesa_host::{Actuator, ActuatorOptions, Change};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut journal = None;
    let mut changes = None;
    let mut options = ActuatorOptions::default();
    let mut pause = Duration::ZERO;
    let mut exit = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--journal" => journal = args.next().map(PathBuf::from),
            "--changes" => changes = args.next().map(PathBuf::from),
            "--subtree" => options.cgroup_subtree = args.next().expect("--subtree NAME"),
            "--pause-ms" => {
                pause = Duration::from_millis(
                    args.next()
                        .and_then(|s| s.parse().ok())
                        .expect("--pause-ms N"),
                )
            }
            "--exit" => exit = true,
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let journal = journal.unwrap_or_else(|| fail("--journal PATH is required"));
    let changes = changes.unwrap_or_else(|| fail("--changes FILE is required"));
    let text = std::fs::read_to_string(&changes).unwrap_or_else(|e| fail(&e.to_string()));
    let changes: Vec<Change> = serde_json::from_str(&text).unwrap_or_else(|e| fail(&e.to_string()));

    let stop = exit_signal_flag().unwrap_or_else(|e| fail(&e.to_string()));
    let stopped = || stop.load(Ordering::Relaxed);
    let mut out = std::io::stdout().lock();
    let (mut actuator, report) =
        Actuator::live(&journal, options).unwrap_or_else(|e| fail(&e.to_string()));
    line(
        &mut out,
        "open",
        &serde_json::to_string(&report).expect("json"),
    );
    for change in &changes {
        std::thread::sleep(pause);
        if stopped() {
            break;
        }
        let outcome = actuator
            .apply(change)
            .unwrap_or_else(|e| fail(&e.to_string()));
        line(
            &mut out,
            "outcome",
            &serde_json::to_string(&outcome).expect("json"),
        );
    }
    if !stopped() {
        line(&mut out, "done", "");
    }
    while !exit && !stopped() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let report = actuator.restore().unwrap_or_else(|e| fail(&e.to_string()));
    line(
        &mut out,
        "restored",
        &serde_json::to_string(&report).expect("json"),
    );
}

fn line(out: &mut impl Write, tag: &str, body: &str) {
    let _ = writeln!(out, "{tag} {body}").and_then(|()| out.flush());
}

fn fail(message: &str) -> ! {
    eprintln!("gamesa-apply-changes: {message}");
    std::process::exit(2)
}
