//! What the simulated machine reports: the telemetry catalog's names and units
//! (`docs/telemetry.md`), a few simulator extensions (`cpu.freq_max_mhz`, `power.total_w`,
//! `power.cap_w`) and workload variables `wl.<name>.<field>`.

use super::plant::Plant;
use super::scenario::Profile;
use super::workload::{Service, WorkloadState};
use std::collections::BTreeMap;

impl Plant {
    /// The current readings by name. Counters (utilization, power, clocks, frame times) are
    /// those of the last step; temperatures and settings are current. Every value is finite.
    pub fn telemetry(&self) -> BTreeMap<String, f64> {
        let mut t = BTreeMap::new();
        let mut put = |k: String, v: f64| {
            t.insert(k, if v.is_finite() { v } else { 0.0 });
        };
        let s = &self.scenario;
        let m = &s.machine;
        let cpu = &m.cpu;
        let last = &self.last;

        put(
            "cpu.util".into(),
            (last.cpu_busy / cpu.cores).clamp(0.0, 1.0),
        );
        put("cpu.freq_mhz".into(), last.freq_mhz);
        put("cpu.freq_max_mhz".into(), self.freq_max_mhz);
        // The hardware ceiling, so a policy can restore a lowered cap without asking for more
        // than the CPU can do.
        put("cpu.freq_hw_max_mhz".into(), cpu.freq_max_mhz);
        put("cpu.load1".into(), self.load1);
        put("cpu.psi_some_avg10".into(), self.psi);
        // Per-core: exclusive cores first, each carrying its workload's use; the shared cores
        // split the rest evenly.
        let mut core = 0usize;
        let mut shared_used = 0.0;
        for (w, svc) in self.workloads.iter().zip(&last.services) {
            if w.pinned > 0.0 {
                let k = w.pinned as usize;
                for _ in 0..k {
                    put(
                        format!("cpu.core{core}.util"),
                        (svc.cpu_used / w.pinned).clamp(0.0, 1.0),
                    );
                    core += 1;
                }
            } else {
                shared_used += svc.cpu_used;
            }
        }
        let total_cores = cpu.cores as usize;
        let shared_cores = total_cores.saturating_sub(core);
        let per_shared = if shared_cores > 0 {
            (shared_used / shared_cores as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        for c in core..total_cores {
            put(format!("cpu.core{c}.util"), per_shared);
        }

        let mem_used = m.base_mem_mb
            + self
                .workloads
                .iter()
                .filter(|w| w.active(self.now_ms))
                .map(|w| w.def.mem_mb)
                .sum::<f64>();
        let mem_used = mem_used.min(m.mem_total_mb);
        put("mem.used_ratio".into(), mem_used / m.mem_total_mb);
        put("mem.available_mb".into(), m.mem_total_mb - mem_used);

        put("thermal.cpu_c".into(), self.cpu_node.temp_c);
        put(
            "thermal.headroom_c".into(),
            cpu.critical_c - self.cpu_node.temp_c,
        );
        put("power.cpu_w".into(), last.cpu_power_w);
        let full_w = cpu.idle_w + cpu.dynamic_w;
        put(
            "power.cpu_limit_w".into(),
            self.cpu_power_limit_w.unwrap_or(full_w),
        );
        put("power.cpu_limit_max_w".into(), full_w);
        put("power.total_w".into(), self.total_power_w());
        if let Some(cap) = m.power_cap_w {
            put("power.cap_w".into(), cap);
        }

        put("gpu.count".into(), m.gpus.len() as f64);
        for (i, g) in m.gpus.iter().enumerate() {
            let p = last.gpus.get(i);
            let vram: f64 = self
                .workloads
                .iter()
                .filter(|w| w.def.gpu as usize == i && w.active(self.now_ms))
                .map(|w| w.def.gpu_mem_mb)
                .sum();
            put(format!("gpu{i}.util"), p.map_or(0.0, |p| p.busy));
            put(
                format!("gpu{i}.temp_c"),
                self.gpu_nodes.get(i).map_or(m.ambient_c, |n| n.temp_c),
            );
            put(format!("gpu{i}.power_w"), p.map_or(g.idle_w, |p| p.power_w));
            put(
                format!("gpu{i}.power_limit_w"),
                self.gpu_limits.get(i).copied().unwrap_or(g.power_max_w),
            );
            put(format!("gpu{i}.power_min_w"), g.power_min_w);
            put(format!("gpu{i}.power_max_w"), g.power_max_w);
            put(
                format!("gpu{i}.sm_clock_mhz"),
                g.sm_clock_max_mhz * p.map_or(1.0, |p| p.speed),
            );
            put(format!("gpu{i}.mem_used_mb"), vram.min(g.mem_total_mb));
            put(format!("gpu{i}.mem_total_mb"), g.mem_total_mb);
            put(format!("gpu{i}.temp_limit_c"), g.limit_c);
        }

        for (w, svc) in self.workloads.iter().zip(&last.services) {
            self.put_workload(&mut put, &w.def.name, w, svc);
            // The priority workload is also published under its role, so one configuration
            // serves every scenario whatever the workload is called.
            if w.def.priority {
                self.put_workload(&mut put, ROLE_PRIORITY, w, svc);
            }
        }
        self.put_background(&mut put, &last.services);
        t
    }
}

/// The role the priority workload is also published under (`wl.priority.<field>`).
const ROLE_PRIORITY: &str = "priority";

impl Plant {
    /// One workload's variables, `wl.<n>.<field>`.
    fn put_workload(
        &self,
        put: &mut impl FnMut(String, f64),
        n: &str,
        w: &WorkloadState,
        svc: &Service,
    ) {
        let demand = w.demand(self.now_ms);
        put(
            format!("wl.{n}.active"),
            if w.active(self.now_ms) { 1.0 } else { 0.0 },
        );
        put(format!("wl.{n}.cpu_cores"), svc.cpu_used);
        put(format!("wl.{n}.cpu_grant"), svc.cpu_grant);
        put(
            format!("wl.{n}.cpu_weight"),
            w.effective_weight(demand.threads),
        );
        if let Some(q) = w.quota {
            put(format!("wl.{n}.cpu_quota"), q);
        }
        put(format!("wl.{n}.pinned_cores"), w.pinned);
        put(format!("wl.{n}.gpu_util"), svc.gpu_time);
        put(format!("wl.{n}.throughput"), svc.throughput);
        put(format!("wl.{n}.served"), svc.served);
        match w.def.profile() {
            Some(Profile::FrameLoop(_)) => {
                put(
                    format!("wl.{n}.frame_ms"),
                    if w.frames > 0 {
                        w.frame_ms
                    } else {
                        svc.frame_base_ms.min(super::plant::MAX_FRAME_MS)
                    },
                );
                put(format!("wl.{n}.fps"), svc.throughput);
                put(format!("wl.{n}.deadline_miss_rate"), w.miss_rate);
                put(format!("wl.{n}.deadline_misses"), w.misses as f64);
            }
            Some(Profile::Batch(_)) => {
                put(format!("wl.{n}.progress"), w.progress().unwrap_or(0.0));
            }
            _ => {}
        }
    }

    /// The background role, every workload but the priority one, as a group:
    /// `wl.background.active` (any active), `cpu_cores`, `cpu_grant`, `pinned_cores` and
    /// `gpu_util` (sums), `served` (the lowest among the active ones, 1 when none runs),
    /// `cpu_weight` (the highest effective weight among the active ones, what the priority
    /// workload competes with; absent when none runs) and `cpu_quota` (the highest, present
    /// when every background workload has one).
    fn put_background(&self, put: &mut impl FnMut(String, f64), services: &[Service]) {
        let mut active = false;
        let (mut cores, mut grant, mut pinned, mut gpu) = (0.0, 0.0, 0.0, 0.0);
        let mut weight: Option<f64> = None;
        let mut quota: Option<f64> = None;
        let mut every_quota = true;
        let mut served: f64 = 1.0;
        for (w, svc) in self.workloads.iter().zip(services) {
            if w.def.priority {
                continue;
            }
            cores += svc.cpu_used;
            grant += svc.cpu_grant;
            pinned += w.pinned;
            gpu += svc.gpu_time;
            match w.quota {
                Some(q) => quota = Some(quota.map_or(q, |m: f64| m.max(q))),
                None => every_quota = false,
            }
            if w.active(self.now_ms) {
                active = true;
                let wt = w.effective_weight(w.demand(self.now_ms).threads);
                weight = Some(weight.map_or(wt, |m: f64| m.max(wt)));
                served = served.min(svc.served);
            }
        }
        let active = if active { 1.0 } else { 0.0 };
        put("wl.background.active".to_string(), active);
        put("wl.background.cpu_cores".to_string(), cores);
        put("wl.background.cpu_grant".to_string(), grant);
        put("wl.background.pinned_cores".to_string(), pinned);
        put("wl.background.gpu_util".to_string(), gpu);
        put("wl.background.served".to_string(), served);
        if let Some(wt) = weight {
            put("wl.background.cpu_weight".to_string(), wt);
        }
        if let (true, Some(q)) = (every_quota, quota) {
            put("wl.background.cpu_quota".to_string(), q);
        }
    }
}
