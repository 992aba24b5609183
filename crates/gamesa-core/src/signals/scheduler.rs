//! The domain-ranked signal queue.
//!
//! Storage is a slab of slots (signals never move once queued) plus two 4-ary heaps of small
//! copyable entries: a max-heap in dequeue order and a min-heap in eviction order. Heaps use
//! lazy deletion: an entry is live only while its slot still holds the same signal (same
//! sequence number) with the same priority key; everything else is skipped when it surfaces
//! and swept by a rebuild once stale entries outnumber live ones. Coalescing finds the pending
//! signal through [`super::index`] in O(1).

use super::heap::QuadHeap;
use super::index::{ChainHeads, NONE, key_hash};
use super::{DomainRanks, Signal, SignalError};
use std::cmp::Reverse;

/// Capacity of a scheduler built with [`SignalScheduler::new`].
pub const DEFAULT_CAPACITY: usize = 4096;

/// Options of a scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// Most signals pending at once (>= 1).
    pub capacity: usize,
    /// Domain ranks (default: safety > thermal > power > performance > efficiency >
    /// maintenance).
    pub domain_ranks: DomainRanks,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            capacity: DEFAULT_CAPACITY,
            domain_ranks: DomainRanks::default(),
        }
    }
}

/// What happened to an enqueued signal.
#[derive(Debug, Clone, PartialEq)]
pub enum EnqueueOutcome {
    /// It is pending as a new entry.
    Queued,
    /// It was merged into the pending signal with the same `(kind, source)`.
    Coalesced,
    /// It is pending; the queue was full, so this lower-ranked pending signal was dropped.
    Evicted(Signal),
    /// The queue was full and it ranked lowest of all, so it was dropped itself (returned).
    Dropped(Signal),
}

/// Counters since the scheduler was built. Every successful `enqueue` counts once in
/// `enqueued`, and each such signal ends in exactly one of the other buckets, so
/// `enqueued == dequeued + expired + dropped_full + coalesced + cleared + len` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignalStats {
    /// Signals pending now.
    pub len: usize,
    /// Signals accepted by `enqueue` (invalid ones are rejected and not counted).
    pub enqueued: u64,
    /// Signals returned by `dequeue`.
    pub dequeued: u64,
    /// Incoming signals merged into a pending one with the same `(kind, source)`.
    pub coalesced: u64,
    /// Signals found expired by `dequeue`/`peek` and dropped.
    pub expired: u64,
    /// Signals dropped because the queue was full (evicted pending ones and rejected incoming).
    pub dropped_full: u64,
    /// Signals removed by `clear`.
    pub cleared: u64,
}

/// A heap entry: a slot and its priority key at the time it was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    /// High and low halves of the priority key ([`priority_key`]): greater is dequeued
    /// earlier. Two `u64`s instead of one `u128` keep the entry at 24 bytes (a `u128` would
    /// align it to 32), which makes heap sifts measurably cheaper. Compared first (field order).
    key_hi: u64,
    key_lo: u64,
    slot: u32,
}

impl Entry {
    #[inline]
    fn new(key: u128, slot: u32) -> Self {
        Entry {
            key_hi: (key >> 64) as u64,
            key_lo: key as u64,
            slot,
        }
    }

    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.key_hi) << 64) | u128::from(self.key_lo)
    }
}

/// Packs the dequeue order into one integer, so heap comparisons are a single `u128`
/// compare: bits 127..125 hold `7 - rank` (lower rank first), bits 124..63 the strength's
/// `f64` bits (strength is in `[0, 1]` with `-0.0` normalised, so its bit pattern fits in 62
/// bits and orders like the number), bits 62..0 the complement of the arrival sequence
/// (earlier first). Sequences are unique among pending signals, so the order is total; 2^63
/// arrivals would take centuries at a billion a second.
#[inline]
fn priority_key(rank: u8, strength: f64, seq: u64) -> u128 {
    const SEQ_MASK: u64 = (1 << 63) - 1;
    let urgency = u128::from(7 - rank);
    (urgency << 125)
        | (u128::from(strength.to_bits()) << 63)
        | u128::from(SEQ_MASK - (seq & SEQ_MASK))
}

#[derive(Debug)]
struct Slot {
    /// `None` while the slot is free.
    signal: Option<Signal>,
    /// The signal's current priority key; heap entries with another key are stale.
    key: u128,
    /// Arrival order, kept through coalescing.
    seq: u64,
    /// `key_hash(kind, source)` of the signal, to unlink it from its chain.
    hash: u64,
    /// Next slot with the same key hash, or `NONE`.
    chain_next: u32,
}

/// Heaps are rebuilt when they hold more than `2 * len + SLACK` entries, so a burst of
/// updates on a tiny queue does not rebuild on every call.
const SLACK: usize = 64;

/// The domain-ranked, bounded, coalescing signal queue. Deterministic: the same calls with
/// the same arguments give the same results.
///
/// * Dequeue order: domain rank, then strength (higher first), then arrival (first in).
/// * Expiry: `dequeue(now_ms)` and `peek(now_ms)` drop signals with
///   `now_ms >= created_at_ms + ttl_ms` and count them in `expired`.
/// * Coalescing: an incoming signal whose `(kind, source)` matches a pending one merges into
///   it. The merged signal keeps the pending one's place in line (its arrival order) and the
///   higher of the two strengths; its other fields (`id`, `domain`, `created_at_ms`, `ttl_ms`,
///   `payload`) come from whichever has the later `created_at_ms`, the incoming one on a tie.
/// * Capacity: when full, a non-coalescing incoming signal competes with the lowest-ranked
///   pending one (lowest domain rank, then weakest, then newest). The loser is dropped and
///   counted in `dropped_full`; as the incoming one is the newest, it loses every tie.
#[derive(Debug)]
pub struct SignalScheduler {
    config: SchedulerConfig,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Dequeue order (max first).
    best: QuadHeap<Entry>,
    /// Eviction order (lowest first). Only kept while `worst_kept`: it is built when the queue
    /// first fills and dropped once the queue is less than half full, so a queue that never
    /// fills pays nothing for it, and the O(len) rebuild is paid for by the >= capacity/2
    /// enqueues needed to fill the queue again.
    worst: QuadHeap<Reverse<Entry>>,
    worst_kept: bool,
    chains: ChainHeads,
    next_seq: u64,
    stats: SignalStats,
}

impl Default for SignalScheduler {
    fn default() -> Self {
        Self::new()
    }
}

impl SignalScheduler {
    /// A scheduler with [`DEFAULT_CAPACITY`] and the default domain ranks.
    pub fn new() -> Self {
        SignalScheduler {
            config: SchedulerConfig::default(),
            slots: Vec::new(),
            free: Vec::new(),
            best: QuadHeap::default(),
            worst: QuadHeap::default(),
            worst_kept: false,
            chains: ChainHeads::default(),
            next_seq: 0,
            stats: SignalStats::default(),
        }
    }

    /// A scheduler with the given options; `INVALID_CONFIG` when `capacity` is 0 or does not
    /// fit the slot index.
    pub fn with_config(config: SchedulerConfig) -> Result<Self, SignalError> {
        if config.capacity == 0 || config.capacity >= NONE as usize {
            return Err(SignalError::InvalidConfig(format!(
                "capacity must be between 1 and {}, got {}",
                NONE - 1,
                config.capacity
            )));
        }
        let mut scheduler = Self::new();
        scheduler.config = config;
        Ok(scheduler)
    }

    /// The options this scheduler was built with.
    pub fn config(&self) -> &SchedulerConfig {
        &self.config
    }

    /// Signals pending now (expired ones included until a dequeue or peek meets them).
    pub fn len(&self) -> usize {
        self.stats.len
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.stats.len == 0
    }

    /// The counters.
    pub fn stats(&self) -> SignalStats {
        self.stats
    }

    /// Adds a signal (see the type's documentation for coalescing and capacity). An invalid
    /// signal is rejected with `INVALID_ARGUMENT` and changes nothing.
    pub fn enqueue(&mut self, mut signal: Signal) -> Result<EnqueueOutcome, SignalError> {
        signal.validate()?;
        // -0.0 would sort below +0.0 by bits; make them the same strength.
        signal.strength += 0.0;
        self.stats.enqueued += 1;

        let hash = key_hash(signal.kind, &signal.source);
        let head = self.chains.get(hash);
        if let Some(head) = head
            && let Some(slot) = self.find(head, &signal)
        {
            self.coalesce(slot, signal);
            self.stats.coalesced += 1;
            return Ok(EnqueueOutcome::Coalesced);
        }

        let rank = self.config.domain_ranks.rank(signal.domain);
        let mut evicted = None;
        if self.stats.len >= self.config.capacity {
            let lowest = self.lowest_live().expect("a full queue has a live entry");
            // The incoming signal would get the newest sequence, so it loses ties on rank and
            // strength; comparing keys with its sequence set gives exactly that.
            if priority_key(rank, signal.strength, self.next_seq) < lowest.key() {
                self.stats.dropped_full += 1;
                return Ok(EnqueueOutcome::Dropped(signal));
            }
            self.stats.dropped_full += 1;
            self.worst.pop();
            evicted = Some(self.remove(lowest.slot));
        }

        // Eviction may have emptied this key's chain; look the head up again only then.
        let head = if evicted.is_some() {
            self.chains.get(hash)
        } else {
            head
        };
        self.insert(signal, hash, head, rank);
        Ok(match evicted {
            Some(signal) => EnqueueOutcome::Evicted(signal),
            None => EnqueueOutcome::Queued,
        })
    }

    /// Removes and returns the first signal in dequeue order that is not expired at `now_ms`,
    /// dropping (and counting) the expired ones met on the way. `INVALID_ARGUMENT` if
    /// `now_ms` is NaN.
    pub fn dequeue(&mut self, now_ms: f64) -> Result<Option<Signal>, SignalError> {
        check_now(now_ms)?;
        Ok(match self.head_live(now_ms) {
            Some(slot) => {
                self.best.pop();
                self.stats.dequeued += 1;
                Some(self.remove(slot))
            }
            None => None,
        })
    }

    /// Dequeues up to `max` signals in order, as `dequeue(now_ms)` would one by one; fewer
    /// when the queue runs out of unexpired signals.
    pub fn dequeue_up_to(&mut self, now_ms: f64, max: usize) -> Result<Vec<Signal>, SignalError> {
        check_now(now_ms)?;
        let mut out = Vec::new();
        while out.len() < max {
            match self.dequeue(now_ms)? {
                Some(s) => out.push(s),
                None => break,
            }
        }
        Ok(out)
    }

    /// The signal `dequeue(now_ms)` would return, without removing it. Expired signals met on
    /// the way are dropped and counted exactly as `dequeue` would, which is why this takes
    /// `&mut self`.
    pub fn peek(&mut self, now_ms: f64) -> Result<Option<&Signal>, SignalError> {
        check_now(now_ms)?;
        Ok(match self.head_live(now_ms) {
            Some(slot) => self.slots[slot as usize].signal.as_ref(),
            None => None,
        })
    }

    /// Removes every pending signal, counting them in `cleared`. Other counters are kept.
    pub fn clear(&mut self) {
        self.stats.cleared += self.stats.len as u64;
        self.stats.len = 0;
        self.slots.clear();
        self.free.clear();
        self.best.clear();
        self.worst.clear();
        self.worst_kept = false;
        self.chains.clear();
    }

    /// Pending signals in dequeue order (ignoring expiry), for inspection and tests.
    pub fn pending(&self) -> Vec<&Signal> {
        let mut live = self.live_entries();
        live.sort_by(|a, b| b.cmp(a));
        live.iter()
            .filter_map(|e| self.slots[e.slot as usize].signal.as_ref())
            .collect()
    }

    // ---- internals ----

    /// The pending slot, in the chain starting at `head`, with the same `(kind, source)` as
    /// `signal`.
    #[inline]
    fn find(&self, head: u32, signal: &Signal) -> Option<u32> {
        let mut slot = head;
        while slot != NONE {
            let s = &self.slots[slot as usize];
            if let Some(p) = &s.signal
                && p.kind == signal.kind
                && p.source == signal.source
            {
                return Some(slot);
            }
            slot = s.chain_next;
        }
        None
    }

    /// Merges `incoming` into the pending signal in `slot` (rules on the type).
    fn coalesce(&mut self, slot: u32, incoming: Signal) {
        let ranks = self.config.domain_ranks;
        let s = &mut self.slots[slot as usize];
        let pending = s.signal.as_mut().expect("coalesce targets a live slot");
        let strength = pending.strength.max(incoming.strength);
        if incoming.created_at_ms >= pending.created_at_ms {
            *pending = incoming;
        }
        pending.strength = strength;
        let key = priority_key(ranks.rank(pending.domain), strength, s.seq);
        if key != s.key {
            // The old heap entries no longer match the slot's key, so they turn stale.
            s.key = key;
            self.push(Entry::new(key, slot));
        }
    }

    /// Stores a new pending signal; `head` is the current head of its key's chain, if any.
    fn insert(&mut self, signal: Signal, hash: u64, head: Option<u32>, rank: u8) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = priority_key(rank, signal.strength, seq);
        let chain_next = head.unwrap_or(NONE);
        let slot = Slot {
            signal: Some(signal),
            key,
            seq,
            hash,
            chain_next,
        };
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        // The new slot becomes the head of its chain.
        self.chains.set(hash, index);
        self.stats.len += 1;
        self.push(Entry::new(key, index));
    }

    /// Frees `slot`, unlinking it from its chain; returns its signal. Heap entries pointing
    /// to it turn stale.
    fn remove(&mut self, slot: u32) -> Signal {
        let (hash, next) = {
            let s = &self.slots[slot as usize];
            (s.hash, s.chain_next)
        };
        let head = self.chains.get(hash).expect("a live slot is in its chain");
        if head == slot {
            if next == NONE {
                self.chains.remove(hash);
            } else {
                self.chains.set(hash, next);
            }
        } else {
            let mut prev = head;
            while self.slots[prev as usize].chain_next != slot {
                prev = self.slots[prev as usize].chain_next;
            }
            self.slots[prev as usize].chain_next = next;
        }
        let s = &mut self.slots[slot as usize];
        s.chain_next = NONE;
        self.free.push(slot);
        self.stats.len -= 1;
        if self.worst_kept && self.stats.len < self.config.capacity / 2 {
            self.worst.clear();
            self.worst_kept = false;
        }
        s.signal.take().expect("remove targets a live slot")
    }

    fn push(&mut self, entry: Entry) {
        let limit = 2 * self.stats.len + SLACK;
        self.best.push(entry);
        if self.best.len() > limit {
            self.best = QuadHeap::from_vec(self.live_entries());
        }
        if self.worst_kept {
            self.worst.push(Reverse(entry));
            if self.worst.len() > limit {
                self.rebuild_worst();
            }
        }
    }

    fn rebuild_worst(&mut self) {
        let live = self
            .live_entries()
            .into_iter()
            .map(Reverse)
            .collect::<Vec<_>>();
        self.worst = QuadHeap::from_vec(live);
    }

    fn live_entries(&self) -> Vec<Entry> {
        let live = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.signal.is_some());
        live.map(|(i, s)| Entry::new(s.key, i as u32)).collect()
    }

    #[inline]
    fn is_live(&self, e: &Entry) -> bool {
        let s = &self.slots[e.slot as usize];
        s.key == e.key() && s.signal.is_some()
    }

    /// Pops stale and expired entries off the top of `best`; returns the slot of the live,
    /// unexpired head, which stays on top.
    fn head_live(&mut self, now_ms: f64) -> Option<u32> {
        while let Some(&top) = self.best.peek() {
            if !self.is_live(&top) {
                self.best.pop();
                continue;
            }
            let expired = self.slots[top.slot as usize]
                .signal
                .as_ref()
                .is_some_and(|s| s.is_expired(now_ms));
            if expired {
                self.best.pop();
                self.remove(top.slot);
                self.stats.expired += 1;
                continue;
            }
            return Some(top.slot);
        }
        None
    }

    /// The live lowest entry, left on top of `worst` (built first if it is not kept).
    fn lowest_live(&mut self) -> Option<Entry> {
        if !self.worst_kept {
            self.rebuild_worst();
            self.worst_kept = true;
        }
        while let Some(&Reverse(low)) = self.worst.peek() {
            if self.is_live(&low) {
                return Some(low);
            }
            self.worst.pop();
        }
        None
    }
}

fn check_now(now_ms: f64) -> Result<(), SignalError> {
    if now_ms.is_nan() {
        return Err(SignalError::InvalidArgument(
            "nowMs must be a number of ms, got NaN".to_string(),
        ));
    }
    Ok(())
}
