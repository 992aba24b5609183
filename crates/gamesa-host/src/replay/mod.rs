//! Open-loop replay: a recorded trace through an engine, one tick per snapshot, writing each
//! tick's output as one NDJSON line. The output depends only on the configuration and the
//! trace, so two runs — in two processes, on two machines — give byte-identical files.

mod summary;
mod to_file;
mod trace;

pub use summary::ReplaySummary;
pub use to_file::ReplayToFile;
pub use trace::{TRACE_FORMAT, TRACE_VERSION, TraceHeader, TraceLine, parse_header, parse_line};

use crate::error::{HostError, io};
use crate::files::{CappedLine, MAX_LINE_BYTES, read_line_capped};
use gamesa_core::engine::{Engine, EngineError, TickOutput};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The output format name written in the first output line.
pub const DECISIONS_FORMAT: &str = "gamesa-decisions";

/// A replay in progress: call [`Replay::step`] until it returns 0.
pub struct Replay<R: BufRead> {
    engine: Engine,
    reader: R,
    path: PathBuf,
    header: TraceHeader,
    line_no: usize,
    bytes_read: u64,
    buffer: String,
    /// Each tick is written over the last one's output, reusing its buffers.
    output: TickOutput,
    summary: ReplaySummary,
}

impl Replay<BufReader<File>> {
    /// Opens `trace` and builds the engine from `config_text`.
    pub fn open(config_text: &str, trace: &Path) -> Result<Self, HostError> {
        let file = crate::files::open_regular(trace)?;
        Replay::from_reader(config_text, BufReader::with_capacity(1 << 16, file), trace)
    }
}

impl<R: BufRead> Replay<R> {
    /// Builds the engine and reads the trace header from `reader` (`path` names it in errors).
    pub fn from_reader(config_text: &str, mut reader: R, path: &Path) -> Result<Self, HostError> {
        let engine = Engine::from_json(config_text).map_err(HostError::Engine)?;
        let mut buffer = String::new();
        let n = read_line(&mut reader, &mut buffer, path, 1)?;
        if n == 0 {
            return Err(HostError::Trace {
                path: path.to_path_buf(),
                line: 1,
                message: "the trace is empty (expected a header line)".to_string(),
            });
        }
        let header = parse_header(buffer.trim_end()).map_err(|message| HostError::Trace {
            path: path.to_path_buf(),
            line: 1,
            message,
        })?;
        Ok(Replay {
            engine,
            reader,
            path: path.to_path_buf(),
            header,
            line_no: 1,
            bytes_read: n as u64,
            buffer,
            output: TickOutput::default(),
            summary: ReplaySummary::default(),
        })
    }

    /// The first output line: format, version and the trace's header facts.
    pub fn output_header(&self) -> String {
        serde_json::json!({
            "format": DECISIONS_FORMAT,
            "version": 1,
            "trace": {
                "rateHz": self.header.rate_hz,
                "startedAtMs": self.header.started_at_ms,
            },
            "inputs": self.engine.input_names().len(),
        })
        .to_string()
    }

    /// Replays up to `max_ticks` snapshots, writing one line per tick to `out`. Returns how
    /// many ticks ran (0 at the end of the trace). Blank lines are skipped; a malformed line
    /// is an error naming its line number.
    pub fn step(&mut self, max_ticks: usize, out: &mut impl Write) -> Result<usize, HostError> {
        let mut done = 0;
        while done < max_ticks {
            let n = read_line(
                &mut self.reader,
                &mut self.buffer,
                &self.path,
                self.line_no + 1,
            )?;
            if n == 0 {
                break;
            }
            self.bytes_read += n as u64;
            self.line_no += 1;
            let text = self.buffer.trim_end();
            if text.is_empty() {
                continue;
            }
            let line = parse_line(text).map_err(|message| HostError::Trace {
                path: self.path.clone(),
                line: self.line_no,
                message,
            })?;
            self.engine
                .tick_into(&line.values, line.timestamp_ms, &mut self.output)
                .map_err(|e| match e {
                    EngineError::InvalidTime { .. } | EngineError::InvalidInput { .. } => {
                        HostError::Trace {
                            path: self.path.clone(),
                            line: self.line_no,
                            message: e.to_string(),
                        }
                    }
                    other => HostError::Engine(other),
                })?;
            let output = &self.output;
            self.summary.add(output);
            let json = serde_json::to_string(output).map_err(|e| HostError::Trace {
                path: self.path.clone(),
                line: self.line_no,
                message: format!("the tick output could not be serialized: {e}"),
            })?;
            writeln!(out, "{json}").map_err(|source| HostError::Io {
                path: PathBuf::from("<output>"),
                action: "writing",
                source,
            })?;
            done += 1;
        }
        Ok(done)
    }

    /// Totals so far.
    pub fn summary(&self) -> &ReplaySummary {
        &self.summary
    }

    /// Bytes of the trace read so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The trace's header.
    pub fn header(&self) -> &TraceHeader {
        &self.header
    }

    /// The engine (its audit trail, market state).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// Reads line `line` (1-based) into `buffer`: at most [`MAX_LINE_BYTES`] bytes, and UTF-8.
fn read_line(
    reader: &mut impl BufRead,
    buffer: &mut String,
    path: &Path,
    line: usize,
) -> Result<usize, HostError> {
    let trace_error = |message: String| HostError::Trace {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut bytes = std::mem::take(buffer).into_bytes();
    let read = read_line_capped(reader, &mut bytes).map_err(io(path, "reading"))?;
    let CappedLine::Read(n) = read else {
        return Err(trace_error(format!(
            "the line is longer than {MAX_LINE_BYTES} bytes (is this a trace?)"
        )));
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            *buffer = text;
            Ok(n)
        }
        Err(e) => Err(trace_error(format!(
            "not UTF-8 at byte {} of the line",
            e.utf8_error().valid_up_to()
        ))),
    }
}
