//! A replay written to an output file: the header line, then one line per tick, flushed at the
//! end.

use super::{Replay, ReplaySummary};
use crate::error::HostError;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A replay of a trace file into an output file, run in steps so a caller can show progress.
pub struct ReplayToFile {
    replay: Replay<BufReader<File>>,
    out: BufWriter<File>,
    out_path: PathBuf,
    trace_bytes: u64,
}

impl ReplayToFile {
    /// Opens the trace, builds the engine from `config_text`, creates `out` and writes its
    /// header line. Errors: `INVALID_ENGINE_CONFIG`, `INVALID_TRACE` (with the line number),
    /// `IO_ERROR` naming the file.
    pub fn open(config_text: &str, trace: &Path, out: &Path) -> Result<Self, HostError> {
        // The size is only for progress: a trace whose size cannot be read reports 0.
        let trace_bytes = std::fs::metadata(trace).map_or(0, |m| m.len());
        let replay = Replay::open(config_text, trace)?;
        let io = |action| {
            move |source| HostError::Io {
                path: out.to_path_buf(),
                action,
                source,
            }
        };
        let file = File::create(out).map_err(io("creating"))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        writeln!(writer, "{}", replay.output_header()).map_err(io("writing"))?;
        Ok(ReplayToFile {
            replay,
            out: writer,
            out_path: out.to_path_buf(),
            trace_bytes,
        })
    }

    /// Replays up to `max_ticks` snapshots; returns how many ran (0 at the end).
    pub fn step(&mut self, max_ticks: usize) -> Result<usize, HostError> {
        self.replay.step(max_ticks, &mut self.out)
    }

    /// `(bytes of the trace read, trace size in bytes)`.
    pub fn progress(&self) -> (u64, u64) {
        (self.replay.bytes_read(), self.trace_bytes)
    }

    /// Flushes the output; returns the summary.
    pub fn finish(&mut self) -> Result<&ReplaySummary, HostError> {
        self.out.flush().map_err(|source| HostError::Io {
            path: self.out_path.clone(),
            action: "writing",
            source,
        })?;
        Ok(self.replay.summary())
    }
}
