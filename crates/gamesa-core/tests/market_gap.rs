//! How far greedy selection by score density (`select_actions`) falls from the exact optimum
//! (`select_exact`, exhaustive search) on small random instances. The figures are printed
//! (run with `--nocapture`) and recorded in docs/market.md; the assertions keep them from
//! getting worse.

use gamesa_core::PerResource;
use gamesa_core::market::{Candidate, select_actions, select_exact};

/// SplitMix64: a fixed, seeded stream so the measured figures are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Instance {
    candidates: Vec<Candidate>,
    prices: PerResource<f64>,
    capacity: PerResource<f64>,
    budgets: Vec<f64>,
}

/// `resources` resources in use; capacities around a third of the total demand so a few
/// candidates fit; budgets binding when `tight_budgets`.
fn instance(rng: &mut Rng, n: usize, resources: usize, tight_budgets: bool) -> Instance {
    let agents = 1 + rng.below(3);
    let prices = PerResource(std::array::from_fn(|_| rng.range(0.1, 2.0)));
    let candidates: Vec<Candidate> = (0..n)
        .map(|_| {
            let costs = PerResource(std::array::from_fn(|r| {
                if r < resources && rng.range(0.0, 1.0) < 0.8 {
                    rng.range(0.5, 10.0)
                } else {
                    0.0
                }
            }));
            let priced: f64 = costs.iter().map(|(r, q)| q * prices[r]).sum();
            Candidate {
                agent: rng.below(agents),
                benefit: priced + rng.range(-2.0, 20.0),
                costs,
            }
        })
        .collect();
    let capacity = PerResource(std::array::from_fn(|r| {
        let total: f64 = candidates.iter().map(|c| c.costs.0[r]).sum();
        total * rng.range(0.2, 0.5)
    }));
    let budgets = (0..agents)
        .map(|_| {
            if tight_budgets {
                rng.range(5.0, 25.0)
            } else {
                1e9
            }
        })
        .collect();
    Instance {
        candidates,
        prices,
        capacity,
        budgets,
    }
}

struct Gap {
    instances: usize,
    optimal: usize,
    worst: f64,
    mean: f64,
}

fn measure(seed: u64, count: usize, resources: usize, tight_budgets: bool) -> Gap {
    let mut rng = Rng(seed);
    let (mut optimal, mut worst, mut sum, mut measured) = (0, 1.0f64, 0.0, 0);
    for _ in 0..count {
        let n = 4 + rng.below(11);
        let inst = instance(&mut rng, n, resources, tight_budgets);
        let args = (
            &inst.candidates,
            &inst.prices,
            &inst.capacity,
            &inst.budgets,
        );
        let greedy = select_actions(args.0, args.1, args.2, args.3).total_score();
        let exact = select_exact(args.0, args.1, args.2, args.3).total_score();
        assert!(
            greedy <= exact + 1e-9,
            "greedy {greedy} beat the exact optimum {exact}"
        );
        if exact <= 0.0 {
            continue;
        }
        let ratio = greedy / exact;
        measured += 1;
        sum += ratio;
        worst = worst.min(ratio);
        if ratio >= 1.0 - 1e-9 {
            optimal += 1;
        }
    }
    Gap {
        instances: measured,
        optimal,
        worst,
        mean: sum / measured as f64,
    }
}

#[test]
fn greedy_is_close_to_the_exact_optimum_on_small_instances() {
    let families = [
        ("1 resource, loose budgets", 1, false),
        ("3 resources, loose budgets", 3, false),
        ("3 resources, tight budgets", 3, true),
        ("6 resources, tight budgets", 6, true),
    ];
    for (i, (name, resources, tight)) in families.into_iter().enumerate() {
        let g = measure(0x5EED + i as u64, 2000, resources, tight);
        println!(
            "{name}: {} instances (4–14 candidates), greedy optimal in {:.1} %, mean ratio {:.4}, worst {:.4}",
            g.instances,
            100.0 * g.optimal as f64 / g.instances as f64,
            g.mean,
            g.worst
        );
        assert!(g.instances >= 1000, "{name}: {} instances", g.instances);
        assert!(g.mean >= 0.95, "{name}: mean ratio {}", g.mean);
        assert!(g.worst >= 0.5, "{name}: worst ratio {}", g.worst);
    }
}
