//! What the gate remembers between checks: a token bucket per kind, and per target the value
//! last approved and when.

use super::config::TokenBucket;
use std::collections::BTreeMap;

/// A token bucket's level. It starts full; it refills continuously with time (never beyond
/// `burst`); a clock that goes backwards refills nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    at_ms: Option<f64>,
}

impl Bucket {
    /// A full bucket.
    pub fn new() -> Bucket {
        Bucket {
            tokens: 0.0,
            at_ms: None,
        }
    }

    /// Tokens available at `now_ms`.
    pub fn available(&self, config: &TokenBucket, now_ms: f64) -> f64 {
        match self.at_ms {
            None => config.burst,
            Some(at) => {
                let elapsed_s = (now_ms - at).max(0.0) / 1000.0;
                (self.tokens + elapsed_s * config.per_second).min(config.burst)
            }
        }
    }

    /// Takes one token at `now_ms` (the caller checked that one is available).
    pub fn take(&mut self, config: &TokenBucket, now_ms: f64) {
        let available = self.available(config, now_ms);
        self.tokens = (available - 1.0).max(0.0);
        // Never move the reference time backwards: that would refill tokens twice.
        self.at_ms = Some(self.at_ms.map_or(now_ms, |at| at.max(now_ms)));
    }

    /// Milliseconds until one token is available (0 when one is).
    pub fn wait_ms(&self, config: &TokenBucket, now_ms: f64) -> f64 {
        let missing = 1.0 - self.available(config, now_ms);
        if missing <= 0.0 {
            0.0
        } else {
            missing / config.per_second * 1000.0
        }
    }
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket::new()
    }
}

/// Per target: the value last approved and when.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TargetState {
    /// The value last approved (what the gate believes is set).
    pub value: Option<f64>,
    /// When it was approved (ms).
    pub at_ms: Option<f64>,
}

/// Per action kind: its bucket and its targets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindState {
    pub bucket: Bucket,
    pub targets: BTreeMap<String, TargetState>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_starts_full_refills_and_caps() {
        let cfg = TokenBucket {
            burst: 2.0,
            per_second: 1.0,
        };
        let mut b = Bucket::new();
        assert_eq!(b.available(&cfg, 0.0), 2.0);
        b.take(&cfg, 0.0);
        b.take(&cfg, 0.0);
        assert_eq!(b.available(&cfg, 0.0), 0.0);
        assert_eq!(b.wait_ms(&cfg, 0.0), 1000.0);
        assert_eq!(b.available(&cfg, 500.0), 0.5);
        assert_eq!(b.available(&cfg, 10_000.0), 2.0);
        // A clock going backwards refills nothing.
        assert_eq!(b.available(&cfg, -5_000.0), 0.0);
    }
}
