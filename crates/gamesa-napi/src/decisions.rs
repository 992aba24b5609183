//! The live path's transport (`NativeEngine::tickValuesPacked`): a tick's decisions
//! ([`TickDecisions`]) as a flat list of numbers plus one string, which `src/decisions.ts`
//! turns into exactly the object `JSON.parse` of the decisions' JSON gives, in the same key
//! order.
//!
//! Why not JSON: for the 64-agent fixture the decisions are ~5 KB of JSON, and `JSON.parse` of
//! them took ~27 µs a tick, more than a third of the tick itself. Numbers cross here as a
//! `Float64Array` the caller owns and reuses; names (rules, kinds, targets, agents and enum
//! values: bounded sets fixed by the configuration) cross once and are sent as an index
//! afterwards; only per-tick text (action ids, messages) crosses every time.
//!
//! The encoding, in the order the decoder reads it (`x` = a number; `name` = an index `k ≥ 0`
//! into the names already sent, or `-(len + 1)` for a new name whose `len` UTF-16 units come
//! next in the string; `text` = a length in UTF-16 units, the characters next in the string):
//! tick, nowMs, emergency, prices ×6, nextPrices ×6, demand ×6, supply ×6, then each list as
//! its length followed by its entries — signals, firings.active, firings.shadow, ruleErrors,
//! approved, rejected — then leaseChanges, violations, and the audit range (a flag, then first
//! and last). `Option`s are a flag then the value; a number JSON would write as `null`
//! (non-finite) is sent as it is and mapped to `null` by the decoder. The decoder is tested
//! against the JSON of the same decisions over generated ticks (__test__/wire_formats.test.ts).

use gamesa_core::engine::{FiringOut, SignalOut, TickDecisions};
use gamesa_core::gate::{ApprovedAction, RejectedAction};
use gamesa_core::per_resource::PerResource;
use std::collections::HashMap;

/// Packs decisions; keeps the names the JS side has been sent, so it lives as long as the
/// engine it packs for (one packer per `NativeEngine`, one JS decoder per `Engine`).
#[derive(Default)]
pub(crate) struct DecisionPacker {
    names: HashMap<Box<str>, u32>,
    /// The last packed decisions: numbers, and the string they refer to.
    pub(crate) nums: Vec<f64>,
    pub(crate) text: String,
}

impl DecisionPacker {
    /// Replaces the last packed decisions with `d`'s.
    pub(crate) fn pack(&mut self, d: &TickDecisions<'_>) {
        self.nums.clear();
        self.text.clear();
        self.num(d.tick as f64);
        self.num(d.now_ms);
        self.flag(d.emergency);
        for per in [d.prices, d.next_prices, d.demand, d.supply] {
            self.per_resource(per);
        }
        self.list(d.signals, Self::signal);
        self.list(&d.firings.active, Self::firing);
        self.list(&d.firings.shadow, Self::firing);
        self.list(d.rule_errors, |p, e| {
            p.text(&e.rule);
            p.text(&e.message);
        });
        self.list(d.approved, Self::approved);
        self.list(d.rejected, Self::rejected);
        self.num(d.lease_changes as f64);
        self.num(d.violations as f64);
        self.flag(d.audit.is_some());
        if let Some([first, last]) = d.audit {
            self.num(first as f64);
            self.num(last as f64);
        }
    }

    fn signal(&mut self, s: &SignalOut) {
        self.name(s.kind.as_str());
        self.name(s.domain.as_str());
        self.num(s.strength);
        self.name(&s.source);
    }

    fn firing(&mut self, f: &FiringOut) {
        self.name(&f.rule);
        self.name(f.priority.as_str());
        self.name(f.domain.as_str());
        self.flag(f.held);
        self.option(f.strength);
    }

    fn approved(&mut self, a: &ApprovedAction) {
        self.text(&a.id);
        self.name(&a.rule);
        self.name(&a.kind);
        self.name(&a.target);
        self.name(&a.agent);
        self.name(a.effect.as_str());
        self.num(a.value);
        self.option(a.previous);
        self.flag(a.healing);
        self.num(a.audit_seq as f64);
    }

    fn rejected(&mut self, r: &RejectedAction) {
        self.text(&r.id);
        self.name(&r.rule);
        self.name(&r.kind);
        self.name(&r.target);
        self.name(r.reason.as_str());
        self.text(&r.message);
        self.option(r.value);
        self.num(r.audit_seq as f64);
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.num(items.len() as f64);
        for item in items {
            each(self, item);
        }
    }

    fn per_resource(&mut self, values: &PerResource<f64>) {
        for (_, v) in values.iter() {
            self.num(*v);
        }
    }

    fn num(&mut self, x: f64) {
        self.nums.push(x);
    }

    fn flag(&mut self, b: bool) {
        self.num(if b { 1.0 } else { 0.0 });
    }

    fn option(&mut self, x: Option<f64>) {
        self.flag(x.is_some());
        if let Some(x) = x {
            self.num(x);
        }
    }

    fn text(&mut self, s: &str) {
        self.num(utf16_len(s) as f64);
        self.text.push_str(s);
    }

    fn name(&mut self, s: &str) {
        if let Some(&k) = self.names.get(s) {
            self.num(f64::from(k));
            return;
        }
        let k = self.names.len() as u32;
        self.names.insert(s.into(), k);
        self.num(-(utf16_len(s) as f64) - 1.0);
        self.text.push_str(s);
    }
}

/// The length of `s` in UTF-16 code units: what JS's `String.prototype.slice` counts.
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

#[cfg(test)]
mod tests {
    use super::utf16_len;

    #[test]
    fn lengths_are_in_utf16_units() {
        assert_eq!(utf16_len("r045"), 4);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("🔥x"), 3);
    }
}
