//! Action scoring and selection: `score = benefit − Σ_r cost_r · p_r`, and the set of actions
//! to take, chosen greedily by score density under the resource capacities and the agents'
//! budgets. [`select_exact`] finds the true optimum by exhaustive search, for tests.

use crate::per_resource::PerResource;
use crate::types::ResourceType;
use serde::Serialize;

/// Why a candidate was not chosen: its score is ≤ 0.
pub const NEGATIVE_SCORE: &str = "negative_score";
/// Why a candidate was not chosen: a resource it needs is already used up.
pub const OVER_CAPACITY: &str = "over_capacity";
/// Why a candidate was not chosen: its agent cannot pay its priced cost.
pub const OVER_BUDGET: &str = "over_budget";
/// Why a candidate was not chosen: benefit or a cost not finite, a cost negative, or an agent
/// index without a budget.
pub const INVALID_CANDIDATE: &str = "invalid_candidate";

/// Most candidates [`select_exact`] searches exhaustively.
pub const EXACT_MAX_CANDIDATES: usize = 20;

/// Slack in the capacity and budget checks, relative to the limit, so sums of the same numbers
/// taken in another order do not flip a verdict.
const FIT_SLACK: f64 = 1e-9;

/// An action that could be taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The agent that would take it (index into the budgets).
    pub agent: usize,
    /// Expected benefit in credits.
    pub benefit: f64,
    /// Resources it consumes, in each resource's unit.
    pub costs: PerResource<f64>,
}

/// The chosen set and the verdict on every candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// Score per candidate (0 for invalid candidates, which also get [`INVALID_CANDIDATE`]).
    pub scores: Vec<f64>,
    /// Chosen candidate indices, in the order they were chosen.
    pub chosen: Vec<usize>,
    /// Per candidate: `None` when chosen, else why not.
    pub reasons: Vec<Option<&'static str>>,
}

impl Selection {
    /// Sum of the chosen candidates' scores.
    pub fn total_score(&self) -> f64 {
        self.chosen.iter().filter_map(|&i| self.scores.get(i)).sum()
    }
}

/// `benefit − Σ_r cost_r · p_r`.
pub fn score(c: &Candidate, prices: &PerResource<f64>) -> f64 {
    c.benefit - priced_cost(c, prices)
}

/// `Σ_r cost_r · p_r`: what the candidate's resources are worth at these prices.
pub fn priced_cost(c: &Candidate, prices: &PerResource<f64>) -> f64 {
    c.costs.0.iter().zip(&prices.0).map(|(q, p)| q * p).sum()
}

/// The problem in a shape both selectors share.
struct Problem<'a> {
    candidates: &'a [Candidate],
    capacity: PerResource<f64>,
    budgets: &'a [f64],
    scores: Vec<f64>,
    charges: Vec<f64>,
    valid: Vec<bool>,
}

impl<'a> Problem<'a> {
    fn new(
        candidates: &'a [Candidate],
        prices: &'a PerResource<f64>,
        capacity: &PerResource<f64>,
        budgets: &'a [f64],
    ) -> Problem<'a> {
        // One pass: the priced cost is computed once per candidate.
        let n = candidates.len();
        let (mut valid, mut scores, mut charges) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for c in candidates {
            let priced = priced_cost(c, prices);
            let score = c.benefit - priced;
            let ok = c.benefit.is_finite()
                && c.costs.0.iter().all(|&q| q.is_finite() && q >= 0.0)
                && budgets.get(c.agent).is_some_and(|b| !b.is_nan())
                && score.is_finite();
            valid.push(ok);
            scores.push(if ok { score } else { 0.0 });
            charges.push(if ok { priced.max(0.0) } else { 0.0 });
        }
        Problem {
            candidates,
            capacity: capacity.map(|_, &c| if c.is_nan() { 0.0 } else { c }),
            budgets,
            scores,
            charges,
            valid,
        }
    }

    /// Why candidate `i` does not fit on top of `used` / `paid`, or `None` when it fits.
    fn misfit(&self, i: usize, used: &PerResource<f64>, paid: &[f64]) -> Option<&'static str> {
        let c = &self.candidates[i];
        for r in ResourceType::ALL {
            let q = c.costs[r];
            if q > 0.0 && !fits(used[r] + q, self.capacity[r]) {
                return Some(OVER_CAPACITY);
            }
        }
        let charge = self.charges[i];
        let budget = self.budgets.get(c.agent).copied().unwrap_or(0.0);
        let already = paid.get(c.agent).copied().unwrap_or(0.0);
        if charge > 0.0 && !fits(already + charge, budget) {
            return Some(OVER_BUDGET);
        }
        None
    }

    fn take(&self, i: usize, used: &mut PerResource<f64>, paid: &mut [f64]) {
        let c = &self.candidates[i];
        for r in ResourceType::ALL {
            used[r] += c.costs[r];
        }
        if let Some(p) = paid.get_mut(c.agent) {
            *p += self.charges[i];
        }
    }

    /// How much of the limits candidate `i` takes: Σ cost_r / capacity_r plus its charge over
    /// its agent's budget. Density is score per unit of it.
    fn size(&self, i: usize) -> f64 {
        let c = &self.candidates[i];
        let mut size = 0.0;
        for r in ResourceType::ALL {
            let q = c.costs[r];
            if q > 0.0 {
                size += q / self.capacity[r].max(f64::MIN_POSITIVE);
            }
        }
        let budget = self.budgets.get(c.agent).copied().unwrap_or(0.0);
        if self.charges[i] > 0.0 {
            size += self.charges[i] / budget.max(f64::MIN_POSITIVE);
        }
        size
    }

    /// Reasons for everything not in `chosen`, judged against the final usage. `paid` is
    /// scratch of one entry per budget.
    fn finish(self, chosen: Vec<usize>, paid: &mut [f64]) -> Selection {
        let mut used = PerResource::splat(0.0);
        paid.fill(0.0);
        for &i in &chosen {
            self.take(i, &mut used, paid);
        }
        // `Some` for now on everything not chosen, replaced by why below.
        let mut reasons = vec![Some(""); self.candidates.len()];
        for &i in &chosen {
            reasons[i] = None;
        }
        for (i, reason) in reasons.iter_mut().enumerate() {
            if reason.is_none() {
                continue;
            }
            *reason = Some(if !self.valid[i] {
                INVALID_CANDIDATE
            } else if self.scores[i] <= 0.0 {
                NEGATIVE_SCORE
            } else {
                // Chosen sets are maximal, so a positive candidate left out does not fit.
                self.misfit(i, &used, paid).unwrap_or(OVER_CAPACITY)
            });
        }
        Selection {
            scores: self.scores,
            chosen,
            reasons,
        }
    }

    fn is_positive(&self, i: usize) -> bool {
        self.valid[i] && self.scores[i] > 0.0
    }

    fn positive(&self) -> Vec<usize> {
        (0..self.candidates.len())
            .filter(|&i| self.is_positive(i))
            .collect()
    }
}

fn fits(total: f64, limit: f64) -> bool {
    total <= limit + FIT_SLACK * limit.abs().max(1.0)
}

/// Greedy selection: candidates with a positive score, densest first (score per unit of
/// [`Problem::size`]; free candidates first of all), ties by higher score, then lower index;
/// each is taken when it still fits the capacities and its agent's budget (its priced cost at
/// `prices`, summed over the agent's chosen candidates, within `budgets[agent]`).
///
/// Density alone can be fooled by a small dense action that blocks a big valuable one (the
/// classic knapsack trap), so a second pass starts from the single best-scoring action that
/// fits on its own and fills greedily around it; the better of the two passes wins (the first
/// on a tie). With one constraint this is the textbook ½-approximation; docs/market.md has
/// the measured gap to the exact optimum.
pub fn select_actions(
    candidates: &[Candidate],
    prices: &PerResource<f64>,
    capacity: &PerResource<f64>,
    budgets: &[f64],
) -> Selection {
    let p = Problem::new(candidates, prices, capacity, budgets);
    // Allocations are kept few: the engine selects every tick.
    let mut order: Vec<(usize, f64)> = (0..candidates.len())
        .filter(|&i| p.is_positive(i))
        .map(|i| {
            let size = p.size(i);
            let density = if size > 0.0 {
                p.scores[i] / size
            } else {
                f64::INFINITY
            };
            (i, density)
        })
        .collect();
    // Densities and scores are never NaN here (scores are finite, sizes > 0 or the density is
    // +∞); the index makes every key distinct.
    order.sort_by(|&(a, da), &(b, db)| {
        db.total_cmp(&da)
            .then_with(|| p.scores[b].total_cmp(&p.scores[a]))
            .then_with(|| a.cmp(&b))
    });
    let mut paid = vec![0.0; budgets.len()];
    let greedy = p.fill(None, &order, &mut paid);
    paid.fill(0.0);
    let none_used = PerResource::splat(0.0);
    let best_single = order
        .iter()
        .map(|&(i, _)| i)
        .filter(|&i| p.misfit(i, &none_used, &paid).is_none())
        .fold(None, |best: Option<usize>, i| match best {
            Some(b) if p.scores[b] >= p.scores[i] => Some(b),
            _ => Some(i),
        });
    let chosen = match best_single {
        Some(seed) if !greedy.contains(&seed) => {
            let seeded = p.fill(Some(seed), &order, &mut paid);
            if p.total(&seeded) > p.total(&greedy) {
                seeded
            } else {
                greedy
            }
        }
        _ => greedy,
    };
    p.finish(chosen, &mut paid)
}

impl Problem<'_> {
    /// Takes `seed` (if any), then every candidate of `order` (index, density) that still
    /// fits. `paid` is scratch of one entry per budget.
    fn fill(&self, seed: Option<usize>, order: &[(usize, f64)], paid: &mut [f64]) -> Vec<usize> {
        let mut used = PerResource::splat(0.0);
        paid.fill(0.0);
        let mut chosen = Vec::with_capacity(order.len());
        for i in seed.into_iter().chain(order.iter().map(|&(i, _)| i)) {
            if Some(i) == seed && !chosen.is_empty() {
                continue; // the seed, met again in `order`
            }
            if self.misfit(i, &used, paid).is_none() {
                self.take(i, &mut used, paid);
                chosen.push(i);
            }
        }
        chosen
    }

    fn total(&self, chosen: &[usize]) -> f64 {
        chosen.iter().map(|&i| self.scores[i]).sum()
    }
}

/// The exact optimum by depth-first search over subsets of the positive candidates (with
/// pruning by feasibility and by an upper bound), for tests and for measuring the greedy gap.
/// Ties keep the first optimum found (include before exclude, lower index first). Beyond
/// [`EXACT_MAX_CANDIDATES`] positive candidates it returns [`select_actions`]'s answer.
pub fn select_exact(
    candidates: &[Candidate],
    prices: &PerResource<f64>,
    capacity: &PerResource<f64>,
    budgets: &[f64],
) -> Selection {
    let p = Problem::new(candidates, prices, capacity, budgets);
    let positive = p.positive();
    if positive.len() > EXACT_MAX_CANDIDATES {
        return select_actions(candidates, prices, capacity, budgets);
    }
    // suffix[k] = Σ scores of positive[k..]: no subset of them can add more.
    let mut suffix = vec![0.0; positive.len() + 1];
    for k in (0..positive.len()).rev() {
        suffix[k] = suffix[k + 1] + p.scores[positive[k]];
    }
    let mut search = Search {
        p: &p,
        positive: &positive,
        suffix: &suffix,
        best: Vec::new(),
        best_score: 0.0,
        current: Vec::new(),
    };
    let mut used = PerResource::splat(0.0);
    let mut paid = vec![0.0; budgets.len()];
    search.dfs(0, 0.0, &mut used, &mut paid);
    let best = search.best;
    p.finish(best, &mut paid)
}

struct Search<'a, 'b> {
    p: &'a Problem<'b>,
    positive: &'a [usize],
    suffix: &'a [f64],
    best: Vec<usize>,
    best_score: f64,
    current: Vec<usize>,
}

impl Search<'_, '_> {
    fn dfs(&mut self, k: usize, score: f64, used: &mut PerResource<f64>, paid: &mut [f64]) {
        if score > self.best_score {
            self.best_score = score;
            self.best = self.current.clone();
        }
        if k == self.positive.len() || score + self.suffix[k] <= self.best_score {
            return;
        }
        let i = self.positive[k];
        if self.p.misfit(i, used, paid).is_none() {
            let (saved_used, saved_paid) = (*used, paid.get(self.p.candidates[i].agent).copied());
            self.p.take(i, used, paid);
            self.current.push(i);
            self.dfs(k + 1, score + self.p.scores[i], used, paid);
            self.current.pop();
            *used = saved_used;
            if let (Some(v), Some(slot)) = (saved_paid, paid.get_mut(self.p.candidates[i].agent)) {
                *slot = v;
            }
        }
        self.dfs(k + 1, score, used, paid);
    }
}
