//! Totals over a replay, for the closing summary of `gamesa replay` and `gamesa run`.

use gamesa_core::engine::TickOutput;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts over every tick so far.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplaySummary {
    pub ticks: u64,
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
    pub emergency_ticks: u64,
    pub active_firings: u64,
    pub shadow_firings: u64,
    pub rule_errors: u64,
    pub approved: u64,
    pub rejected: u64,
    /// Rejections by reason code, sorted.
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub contract_violations: u64,
    pub audit_records: u64,
}

impl ReplaySummary {
    /// Adds one tick.
    pub fn add(&mut self, t: &TickOutput) {
        self.ticks += 1;
        self.first_ms.get_or_insert(t.now_ms);
        self.last_ms = Some(t.now_ms);
        self.emergency_ticks += u64::from(t.emergency);
        self.active_firings += t.firings.active.len() as u64;
        self.shadow_firings += t.firings.shadow.len() as u64;
        self.rule_errors += t.rule_errors.len() as u64;
        self.approved += t.approved.len() as u64;
        self.rejected += t.rejected.len() as u64;
        for r in &t.rejected {
            *self
                .rejected_by_reason
                .entry(r.reason.as_str().to_string())
                .or_default() += 1;
        }
        self.contract_violations += t
            .contracts
            .iter()
            .filter(|c| c.status == "violated")
            .count() as u64;
        self.audit_records += t.audit.len() as u64;
    }
}
