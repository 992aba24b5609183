// Inputs the tests generate: a seeded random source, engine input values from it, and a
// plausible reading of the sample machine.

/** A small seeded generator (mulberry32), so a failure reproduces. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A value for the input `name`: mostly plausible, sometimes absent (NaN), zero, negative, huge or infinite. */
export function generatedValue(r: () => number, name: string): number {
  const u = r()
  if (u < 0.1) return Number.NaN
  if (u < 0.13) return 0
  if (u < 0.15) return -1000 * r()
  if (u < 0.17) return 1e12 * r()
  if (u < 0.18) return Number.POSITIVE_INFINITY
  if (name === 'gpu.count') return Math.floor(1 + 8 * r())
  if (name.endsWith('.util') || name.endsWith('_rate')) return r()
  return 500 * r()
}

/** A plausible reading of the sample machine at step `t` (samples/engine.json's inputs). */
export function reading(t: number): { values: Record<string, number> } {
  const wave = Math.sin(t * 0.3)
  return {
    values: {
      'cpu.util': 0.6 + 0.3 * wave,
      'cpu.freq_max_mhz': 4000,
      'cpu.freq_hw_max_mhz': 4800,
      'thermal.cpu_c': 70 + 5 * wave,
      'thermal.headroom_c': 30 - 5 * wave,
      'power.cpu_w': 90,
      'power.total_w': 280 + 20 * wave,
      'power.cap_w': 300,
      'gpu.count': 1,
      'gpu0.util': 0.9,
      'gpu0.temp_c': 70,
      'gpu0.power_w': 190,
      'gpu0.power_limit_w': 250,
      'gpu0.power_min_w': 100,
      'gpu0.power_max_w': 350,
      'gpu0.mem_used_mb': 6000,
      'wl.priority.cpu_weight': 100,
      'wl.priority.pinned_cores': 0,
      'wl.priority.deadline_miss_rate': 0.04 + 0.04 * wave,
    },
  }
}
