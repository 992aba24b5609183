//! Fake `/proc` and `/sys` trees in a temp dir for reader tests.
//!
//! Permission denied: tests run as root here, and root reads a mode-000 file anyway, so chmod
//! cannot simulate `EACCES`. Instead the tree builds a [`SysRoot`] whose open function fails
//! with `PermissionDenied` (or another injected error) for chosen paths — the same error the
//! kernel gives a non-root reader of RAPL `energy_uj`.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use gamesa_telemetry::SysRoot;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A temp directory standing in for `/`, removed on drop.
pub struct FakeTree {
    dir: PathBuf,
    injected: BTreeMap<PathBuf, io::ErrorKind>,
}

impl FakeTree {
    pub fn new() -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("gamesa-telemetry-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp tree");
        FakeTree {
            dir,
            injected: BTreeMap::new(),
        }
    }

    /// Writes `content` at kernel path `rel` (e.g. `/proc/stat`), creating parents.
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        fs::write(&path, content).expect("write fake file");
        self
    }

    /// Creates directory `rel`.
    pub fn mkdir(&self, rel: &str) -> &Self {
        fs::create_dir_all(self.path(rel)).expect("mkdir");
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel.trim_start_matches('/'))
    }

    /// Makes reads of `rel` fail with `kind` (the file should exist, so listing sees it).
    pub fn inject(&mut self, rel: &str, kind: io::ErrorKind) -> &mut Self {
        self.injected.insert(self.path(rel), kind);
        self
    }

    /// A root reading this tree, with the injected errors.
    pub fn root(&self) -> SysRoot {
        let injected = self.injected.clone();
        SysRoot::new(&self.dir).with_open_fn(move |p: &Path| match injected.get(p) {
            Some(kind) => Err(io::Error::from(*kind)),
            None => fs::read_to_string(p),
        })
    }
}

impl Drop for FakeTree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A `/proc/stat` with the aggregate line and one line per `(core, busy, idle)`: busy ticks are
/// put in `user`, idle ticks in `idle`.
pub fn proc_stat(cores: &[(usize, u64, u64)]) -> String {
    let busy: u64 = cores.iter().map(|c| c.1).sum();
    let idle: u64 = cores.iter().map(|c| c.2).sum();
    let mut s = format!("cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\n");
    for (core, b, i) in cores {
        s.push_str(&format!("cpu{core} {b} 0 0 {i} 0 0 0 0 0 0\n"));
    }
    s.push_str("intr 12345 0 0\nctxt 999\nbtime 1700000000\nprocesses 42\n");
    s
}

pub const MEMINFO: &str = "MemTotal:       16000000 kB\nMemFree:         2000000 kB\nMemAvailable:    4000000 kB\nBuffers:          100000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n";

pub const LOADAVG: &str = "0.52 1.58 2.59 3/234 5678\n";

pub fn psi(avg10: &str) -> String {
    format!(
        "some avg10={avg10} avg60=0.45 avg300=0.13 total=757879\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
    )
}
