//! A background thread that reads a [`Collector`] at a fixed rate, keeps the recent snapshots
//! in a ring buffer and hands each new one to subscribers.
//!
//! Fast sources are read every tick; slow ones (NVML compute processes, milliseconds under the
//! driver lock; the process table, a walk of every `/proc/<pid>`) every `slow_every` ticks. The thread waits on a condition variable, so
//! [`Sampler::stop`] wakes it at once instead of after the rest of a period.

use gamesa_core::error::codes;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::collector::Collector;
use crate::gpu::GpuProcess;
use crate::processes::{ProcessInfo, ProcessReader, ProcessesError};
use crate::snapshot::{Snapshot, SourceStatus};

/// Highest accepted rate: beyond 1 kHz the thread would spend its time in the readers.
pub const MAX_RATE_HZ: f64 = 1000.0;

/// How often to sample and how much to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplerConfig {
    /// Snapshots per second, in (0, [`MAX_RATE_HZ`]]. Default 10.
    pub rate_hz: f64,
    /// Slow sources are read every this many ticks; 0: never (for a caller that reads neither
    /// the process table nor the GPU's processes, such as `gamesa run`, whose own scan of the
    /// processes is cheaper). Default 10 (once a second at 10 Hz).
    pub slow_every: u32,
    /// Snapshots kept for [`Sampler::history`] (≥ 1). Default 100.
    pub buffer_size: usize,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            rate_hz: 10.0,
            slow_every: 10,
            buffer_size: 100,
        }
    }
}

/// Why a sampler could not be started or stopped cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SamplerError {
    /// A configuration field is out of range; the message names it.
    InvalidConfig(String),
    /// The sampling thread panicked; the message is the panic's.
    ThreadPanicked(String),
}

impl SamplerError {
    /// Stable code, as the binding reports it (`INVALID_CONFIG`, `INTERNAL_PANIC`).
    pub fn code(&self) -> &'static str {
        match self {
            SamplerError::InvalidConfig(_) => codes::INVALID_CONFIG,
            SamplerError::ThreadPanicked(_) => codes::INTERNAL_PANIC,
        }
    }
}

impl fmt::Display for SamplerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SamplerError::InvalidConfig(msg) => write!(f, "invalid sampler config: {msg}"),
            SamplerError::ThreadPanicked(msg) => {
                write!(f, "telemetry sampler thread panicked: {msg}")
            }
        }
    }
}

impl std::error::Error for SamplerError {}

impl SamplerConfig {
    /// Checks every field, naming the first one out of range.
    pub fn validate(&self) -> Result<(), SamplerError> {
        if !(self.rate_hz.is_finite() && self.rate_hz > 0.0 && self.rate_hz <= MAX_RATE_HZ) {
            return Err(SamplerError::InvalidConfig(format!(
                "rateHz must be a number in (0, {MAX_RATE_HZ}], got {}",
                self.rate_hz
            )));
        }
        if self.buffer_size == 0 {
            return Err(SamplerError::InvalidConfig(
                "bufferSize must be at least 1, got 0".into(),
            ));
        }
        Ok(())
    }

    fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate_hz)
    }
}

/// Identifies a subscription, for [`Sampler::unsubscribe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub u64);

/// A subscriber: called on the sampling thread with each new snapshot; returning `false` ends
/// the subscription. It must not block (it delays the next tick).
pub type Subscriber = Box<dyn FnMut(&Arc<Snapshot>) -> bool + Send>;

/// The last reading of the slow GPU compute-process source.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuProcessesReading {
    /// Wall-clock milliseconds of the tick that read it.
    pub timestamp_ms: u64,
    /// The processes, or why they could not be read.
    pub processes: Result<Vec<GpuProcess>, SourceStatus>,
}

/// Processes kept per reading of the process table by the sampler (top CPU users).
pub const SAMPLER_PROCESS_LIMIT: usize = 32;

/// The last reading of the slow process-table source.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessesReading {
    /// Wall-clock milliseconds of the tick that read it.
    pub timestamp_ms: u64,
    /// The top [`SAMPLER_PROCESS_LIMIT`] processes by CPU, or why there are none yet (the
    /// first slow tick only records CPU times).
    pub processes: Result<Vec<ProcessInfo>, ProcessesError>,
}

struct State {
    stopped: bool,
    ring: VecDeque<Arc<Snapshot>>,
    gpu_processes: Option<GpuProcessesReading>,
    processes: Option<ProcessesReading>,
    ticks: u64,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    subscribers: Mutex<Vec<(SubscriptionId, Subscriber)>>,
    next_id: Mutex<u64>,
}

/// A state lock that survives a panicking subscriber: the ring and flags stay consistent
/// because every update under the lock is a single push or assignment.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running sampler. Dropping it stops and joins the thread.
pub struct Sampler {
    shared: Arc<Shared>,
    config: SamplerConfig,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sampler")
            .field("config", &self.config)
            .field("running", &self.thread.is_some())
            .finish()
    }
}

impl Sampler {
    /// Starts sampling `collector` on a new thread. `wall_clock_ms` gives each snapshot its
    /// timestamp (Unix epoch ms); it is a parameter so tests and callers own the clock.
    pub fn start(
        collector: Collector,
        config: SamplerConfig,
        wall_clock_ms: impl FnMut() -> u64 + Send + 'static,
    ) -> Result<Sampler, SamplerError> {
        config.validate()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                stopped: false,
                ring: VecDeque::with_capacity(config.buffer_size),
                gpu_processes: None,
                processes: None,
                ticks: 0,
            }),
            wake: Condvar::new(),
            subscribers: Mutex::new(Vec::new()),
            next_id: Mutex::new(0),
        });
        let thread_shared = Arc::clone(&shared);
        let thread_config = config.clone();
        let thread = std::thread::Builder::new()
            .name("gamesa-telemetry".into())
            .spawn(move || run(collector, thread_config, wall_clock_ms, &thread_shared))
            .map_err(|e| SamplerError::ThreadPanicked(format!("could not spawn: {e}")))?;
        Ok(Sampler {
            shared,
            config,
            thread: Some(thread),
        })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SamplerConfig {
        &self.config
    }

    /// The newest snapshot, if any tick has run.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        lock(&self.shared.state).ring.back().cloned()
    }

    /// Up to `n` most recent snapshots, oldest first.
    pub fn history(&self, n: usize) -> Vec<Arc<Snapshot>> {
        let state = lock(&self.shared.state);
        let skip = state.ring.len().saturating_sub(n);
        state.ring.iter().skip(skip).cloned().collect()
    }

    /// Ticks run so far.
    pub fn ticks(&self) -> u64 {
        lock(&self.shared.state).ticks
    }

    /// The last reading of GPU compute processes (a slow source), if one has run.
    pub fn gpu_processes(&self) -> Option<GpuProcessesReading> {
        lock(&self.shared.state).gpu_processes.clone()
    }

    /// The last reading of the process table (a slow source), if one has run.
    pub fn processes(&self) -> Option<ProcessesReading> {
        lock(&self.shared.state).processes.clone()
    }

    /// Calls `subscriber` with every following snapshot, on the sampling thread.
    pub fn subscribe(
        &self,
        subscriber: impl FnMut(&Arc<Snapshot>) -> bool + Send + 'static,
    ) -> SubscriptionId {
        let id = {
            let mut next = lock(&self.shared.next_id);
            *next += 1;
            SubscriptionId(*next)
        };
        lock(&self.shared.subscribers).push((id, Box::new(subscriber)));
        id
    }

    /// A channel receiving every following snapshot; dropping the receiver unsubscribes.
    pub fn subscribe_channel(&self) -> (SubscriptionId, Receiver<Arc<Snapshot>>) {
        let (tx, rx) = channel();
        let id = self.subscribe(move |s| tx.send(Arc::clone(s)).is_ok());
        (id, rx)
    }

    /// Ends a subscription (dropping its subscriber); false if it was not active.
    pub fn unsubscribe(&self, id: SubscriptionId) -> bool {
        let mut subs = lock(&self.shared.subscribers);
        let before = subs.len();
        subs.retain(|(sid, _)| *sid != id);
        subs.len() != before
    }

    /// Whether the thread is still running (false after [`Sampler::stop`]).
    pub fn is_running(&self) -> bool {
        self.thread.is_some()
    }

    /// Stops the thread, waking it at once, joins it and drops every subscriber. Idempotent.
    /// Reports a panic of the sampling thread.
    pub fn stop(&mut self) -> Result<(), SamplerError> {
        lock(&self.shared.state).stopped = true;
        self.shared.wake.notify_all();
        let joined = match self.thread.take() {
            Some(thread) => thread.join(),
            None => Ok(()),
        };
        lock(&self.shared.subscribers).clear();
        joined.map_err(|payload| SamplerError::ThreadPanicked(panic_text(payload.as_ref())))
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        // A thread panic has nowhere to go from a destructor; `stop` reports it to callers
        // who ask.
        let _ = self.stop();
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string())
}

/// The sampling loop: tick on a fixed grid (ticks missed while a read overran are skipped,
/// not bunched up), then wait until the next tick or until stopped.
fn run(
    mut collector: Collector,
    config: SamplerConfig,
    mut wall_clock_ms: impl FnMut() -> u64,
    shared: &Shared,
) {
    let period = config.period();
    let mut next = Instant::now();
    let mut tick: u64 = 0;
    let mut process_reader = ProcessReader::new();
    loop {
        let now = Instant::now();
        let timestamp_ms = wall_clock_ms();
        let snapshot = Arc::new(collector.collect(now, timestamp_ms));
        let slow = config.slow_every > 0 && tick.is_multiple_of(u64::from(config.slow_every));
        let gpu = slow.then(|| GpuProcessesReading {
            timestamp_ms,
            processes: collector.gpu().compute_processes(),
        });
        let procs = slow.then(|| ProcessesReading {
            timestamp_ms,
            processes: process_reader.read(SAMPLER_PROCESS_LIMIT),
        });
        {
            let mut state = lock(&shared.state);
            if state.ring.len() == config.buffer_size {
                state.ring.pop_front();
            }
            state.ring.push_back(Arc::clone(&snapshot));
            if let Some(gpu) = gpu {
                state.gpu_processes = Some(gpu);
            }
            if let Some(procs) = procs {
                state.processes = Some(procs);
            }
            state.ticks += 1;
        }
        notify(shared, &snapshot);
        tick += 1;

        next += period;
        let now = Instant::now();
        while next <= now {
            next += period;
        }
        let mut state = lock(&shared.state);
        while !state.stopped {
            let left = next.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = shared
                .wake
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if state.stopped {
            return;
        }
    }
}

/// Hands `snapshot` to every subscriber, dropping those that return false or panic (a
/// subscriber's panic must not end sampling for the others).
fn notify(shared: &Shared, snapshot: &Arc<Snapshot>) {
    let mut subs = lock(&shared.subscribers);
    subs.retain_mut(|(_, subscriber)| {
        catch_unwind(AssertUnwindSafe(|| subscriber(snapshot))).unwrap_or(false)
    });
}
