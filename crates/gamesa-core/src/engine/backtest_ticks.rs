//! Per-tick records of a closed-loop backtest, for the guardian's experience store: so that
//! simulations produce experience as live runs do. Each tick becomes one JSON line
//! `{"values": {…}, "output": {…}, "outcomes": [null | "why", …]}`: the plant's telemetry the
//! engine saw, the engine's whole tick output (the same shape `Engine::tick` serializes to), and
//! what the plant made of each approved action, in `output.approved` order (`null` applied).

use super::backtest::EnginePolicy;
use super::output::TickOutput;
use crate::sim::{Policy, PolicyStep};
use serde::Serialize;
use std::collections::BTreeMap;

/// Wraps the engine's policy and writes one line per tick.
pub(crate) struct TickRecorder<'a> {
    policy: &'a mut EnginePolicy,
    /// The telemetry of the tick being decided, until its outcomes arrive.
    values: BTreeMap<String, f64>,
    output: Option<TickOutput>,
    lines: Vec<String>,
}

#[derive(Serialize)]
struct TickLine<'a> {
    values: &'a BTreeMap<String, f64>,
    output: &'a TickOutput,
    outcomes: &'a [Option<String>],
}

impl<'a> TickRecorder<'a> {
    /// Records the ticks of `policy` (which must keep its outputs, [`EnginePolicy::keep_outputs`]).
    pub(crate) fn new(policy: &'a mut EnginePolicy) -> TickRecorder<'a> {
        TickRecorder {
            policy,
            values: BTreeMap::new(),
            output: None,
            lines: Vec::new(),
        }
    }

    /// The lines, one per tick that produced an output.
    pub(crate) fn into_lines(self) -> Vec<String> {
        self.lines
    }
}

impl Policy for TickRecorder<'_> {
    fn decide(&mut self, now_ms: f64, telemetry: &BTreeMap<String, f64>) -> PolicyStep {
        let step = self.policy.decide(now_ms, telemetry);
        self.values.clone_from(telemetry);
        self.output = self.policy.take_output();
        step
    }

    fn outcomes(&mut self, outcomes: &[Option<String>]) {
        // A tick that failed has no output (the backtest reports its error instead).
        let Some(output) = self.output.take() else {
            return;
        };
        let line = TickLine {
            values: &self.values,
            output: &output,
            outcomes,
        };
        // Serializing maps of strings and numbers cannot fail; a non-finite reading is `null`.
        if let Ok(text) = serde_json::to_string(&line) {
            self.lines.push(text);
        }
    }
}
