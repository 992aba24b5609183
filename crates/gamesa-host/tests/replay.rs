//! Replay of recorded traces: byte-identical output, line-numbered errors.

use gamesa_core::ErrorCode;
use gamesa_core::sim::{Plant, Scenario, builtin_scenarios};
use gamesa_host::HostError;
use gamesa_host::replay::Replay;
use std::io::Cursor;
use std::path::Path;

const CONFIG: &str = include_str!("../../../samples/engine.json");

/// A trace in `gamesa record`'s format, taken from the simulated game scenario.
fn trace(ticks: usize) -> String {
    let (_, json) = builtin_scenarios()
        .into_iter()
        .find(|(n, _)| *n == "game_and_compile")
        .unwrap();
    let scenario = Scenario::from_json(json).unwrap();
    let mut plant = Plant::new(&scenario).unwrap();
    let mut out = String::from(
        "{\"format\":\"gamesa-trace\",\"version\":1,\"rateHz\":10,\"startedAtMs\":1700000000000,\"host\":{},\"variables\":[]}\n",
    );
    for _ in 0..ticks {
        let line = serde_json::json!({
            "timestampMs": 1_700_000_000_000.0 + plant.now_ms(),
            "values": plant.telemetry(),
            "absent": {},
            "sources": {},
        });
        out.push_str(&line.to_string());
        out.push('\n');
        plant.step(scenario.tick_ms);
    }
    out
}

fn replay(text: &str) -> Result<Vec<u8>, HostError> {
    let mut r = Replay::from_reader(CONFIG, Cursor::new(text.as_bytes()), Path::new("t.ndjson"))?;
    let mut out = Vec::new();
    out.extend_from_slice(r.output_header().as_bytes());
    out.push(b'\n');
    while r.step(64, &mut out)? > 0 {}
    let snapshots = text.lines().filter(|l| !l.trim().is_empty()).count() - 1;
    assert_eq!(r.summary().ticks as usize, snapshots);
    Ok(out)
}

#[test]
fn replaying_twice_gives_the_same_bytes() {
    let t = trace(400);
    let a = replay(&t).unwrap();
    let b = replay(&t).unwrap();
    assert_eq!(a, b);
    let text = String::from_utf8(a).unwrap();
    assert_eq!(text.lines().count(), 401);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("\"gamesa-decisions\"")
    );
    // The game's late frames made the policy act.
    assert!(text.contains("\"kind\":\"set_cpu_weight\""));
}

#[test]
fn a_malformed_line_is_an_error_with_its_line_number() {
    let t = trace(5);
    let mut lines: Vec<&str> = t.lines().collect();
    lines[3] = "{\"timestampMs\": 12, \"values\": {\"cpu.util\": \"high\"}}";
    let bad = lines.join("\n");
    let e = replay(&bad).unwrap_err();
    assert_eq!(e.code(), "INVALID_TRACE");
    assert!(e.to_string().contains("line 4"), "{e}");

    lines[3] = "not json";
    let e = replay(&lines.join("\n")).unwrap_err();
    assert!(e.to_string().contains("line 4"), "{e}");

    // Time going backwards is the trace's fault too.
    let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
    lines.swap(2, 3);
    let e = replay(&lines.join("\n")).unwrap_err();
    assert_eq!(e.code(), "INVALID_TRACE");
    assert!(e.to_string().contains("line 4"), "{e}");
}

#[test]
fn the_header_is_checked_and_blank_lines_are_skipped() {
    let e = replay("").unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
    let e = replay("{\"format\":\"gamesa-trace\",\"version\":9}\n").unwrap_err();
    assert!(e.to_string().contains("version 9"), "{e}");
    let t = trace(3).replace('\n', "\n\n");
    let out = replay(&t).unwrap();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 4);
}

#[test]
fn a_bad_config_is_reported_before_reading() {
    let e = Replay::from_reader("{\"rules\": 3}", Cursor::new(&b""[..]), Path::new("t"))
        .err()
        .unwrap();
    assert_eq!(e.code(), "INVALID_ENGINE_CONFIG");
}

#[test]
fn replaying_to_a_file_writes_the_same_bytes_as_to_memory() {
    use gamesa_host::replay::ReplayToFile;
    let t = trace(120);
    let dir = std::env::temp_dir().join(format!("gamesa-replay-to-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (trace_path, out_path) = (dir.join("trace.ndjson"), dir.join("out.ndjson"));
    std::fs::write(&trace_path, &t).unwrap();
    let mut r = ReplayToFile::open(CONFIG, &trace_path, &out_path).unwrap();
    while r.step(50).unwrap() > 0 {}
    assert_eq!(r.progress(), (t.len() as u64, t.len() as u64));
    assert_eq!(r.finish().unwrap().ticks, 120);
    assert_eq!(std::fs::read(&out_path).unwrap(), replay(&t).unwrap());

    let missing = dir.join("no-such-dir").join("out.ndjson");
    let e = ReplayToFile::open(CONFIG, &trace_path, &missing)
        .err()
        .expect("the output cannot be created");
    assert_eq!(e.code(), "IO_ERROR");
    assert!(e.to_string().starts_with("I/O error creating "), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
