//! The engine's `agents` section: the market's agents, plus two fields a bid has only in an
//! engine configuration (a market document knows neither):
//!
//! - `forEach: "gpu"` — the bid stands for one bid per GPU of the telemetry catalog
//!   (`gpu0` … `gpu7`), with `{gpu}` in its strings replaced by the device (`gpu3`) and
//!   `{gpu.index}` by its number (`3`). A GPU the machine lacks has none of its variables, so
//!   its bid has no amount and takes no part: one configuration serves 0 to 8 GPUs.
//! - `sets: {kind, target, value, safety?}` — what the bid wins becomes a setting: `value` is
//!   an expression of `grant` (the amount won this tick, in the resource's unit) and the
//!   snapshot, proposed as action `kind` on `target` through the ActionGate (see
//!   [`super::settings`]).
//!
//! Both are taken out here; what is left is decoded as the market's agents, so a bid means the
//! same in both documents. Problems name the bid as written (`$.agents[2].bids[1]`), with the
//! device a repeated bid was made for.

use super::config::key_path;
use crate::features::DEFAULT_GPUS;
use crate::features::Problem;
use crate::market::AgentDef;
use serde::Deserialize;
use serde_json::Value as Json;

/// The placeholder of a repeated bid's device name.
pub const DEVICE_PLACEHOLDER: &str = "{gpu}";
/// The placeholder of a repeated bid's device number.
pub const DEVICE_INDEX_PLACEHOLDER: &str = "{gpu.index}";

/// Where a bid of the decoded agents came from.
#[derive(Debug, Clone, PartialEq)]
pub struct BidOrigin {
    /// Its index in the agent's `bids` as written.
    pub index: usize,
    /// The device it was repeated for (`gpu3`), when written with `forEach`.
    pub device: Option<String>,
}

impl BidOrigin {
    /// The bid's path as written, e.g. `$.agents[2].bids[1]`.
    pub fn path(&self, agent: usize) -> String {
        format!("$.agents[{agent}].bids[{}]", self.index)
    }

    /// `message`, naming the device when the bid was repeated for one.
    pub fn explain(&self, message: &str) -> String {
        match &self.device {
            Some(d) => format!("(for {d}) {message}"),
            None => message.to_string(),
        }
    }
}

/// A bid's `sets` field: the setting its grant becomes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetsDef {
    /// The gate's action kind (`set_gpu_power_limit`); its agent must be the bidder.
    pub kind: String,
    /// What it applies to (`gpu0`, `cpu`, `priority`).
    pub target: String,
    /// A numeric expression of `grant` and the snapshot: the setting's new value, in the
    /// kind's unit (clamped into the gate's bounds).
    pub value: String,
    /// A change in the kind's `safeDirection` is a safety action: it passes during an
    /// emergency and is not paced. Default false.
    #[serde(default)]
    pub safety: bool,
}

/// A bid's setting, placed: which decoded bid it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct BidSetting {
    /// The agent's index in `agents`.
    pub agent: usize,
    /// The bid's index in the decoded agent's `bids`.
    pub bid: usize,
    /// The setting.
    pub sets: SetsDef,
}

/// The decoded section: agents as the market reads them, where each bid came from (same
/// indexing as `agents[a].bids`), and the settings.
#[derive(Debug, Clone, Default)]
pub struct AgentsSection {
    pub agents: Vec<AgentDef>,
    pub origins: Vec<Vec<BidOrigin>>,
    pub settings: Vec<BidSetting>,
}

/// Decodes the `agents` section (`value` as written), every problem into `problems`.
pub fn decode_agents(value: &Json, problems: &mut Vec<Problem>) -> AgentsSection {
    let Json::Array(items) = value else {
        problems.push(Problem::at(
            None,
            "$.agents",
            format!("expected an array of agents, got {value}"),
        ));
        return AgentsSection::default();
    };
    let mut out = AgentsSection::default();
    for (a, item) in items.iter().enumerate() {
        let at = format!("$.agents[{a}]");
        let mut agent = item.clone();
        let mut origins = Vec::new();
        let mut settings = Vec::new();
        if let Some(Json::Array(bids)) = agent.get_mut("bids") {
            let written = std::mem::take(bids);
            for (b, bid) in written.into_iter().enumerate() {
                let bid_at = format!("{at}.bids[{b}]");
                for (device, mut copy) in repeat(bid, &bid_at, problems) {
                    let origin = BidOrigin {
                        index: b,
                        device: device.clone(),
                    };
                    if let Some(sets) = copy.as_object_mut().and_then(|o| o.remove("sets")) {
                        match crate::json_paths::decode_value::<SetsDef>(
                            &sets,
                            &format!("{bid_at}.sets"),
                        ) {
                            Ok(sets) if sets.kind.is_empty() || sets.target.is_empty() => {
                                problems.push(Problem::at(
                                    None,
                                    format!("{bid_at}.sets"),
                                    "a setting needs a kind and a target",
                                ));
                            }
                            Ok(sets) => settings.push(BidSetting {
                                agent: a,
                                bid: origins.len(),
                                sets,
                            }),
                            Err(p) => {
                                problems.push(Problem::at(None, p.path, origin.explain(&p.message)))
                            }
                        }
                    }
                    origins.push(origin);
                    bids.push(copy);
                }
            }
        }
        match crate::json_paths::decode_value::<AgentDef>(&agent, &at) {
            Ok(def) => {
                out.agents.push(def);
                out.origins.push(origins);
                out.settings.extend(settings);
            }
            Err(p) => problems.push(Problem::at(
                None,
                written_path(&p.path, &at, &origins),
                p.message,
            )),
        }
    }
    out
}

/// The copies of a bid: itself (no device), or one per catalog GPU when it says
/// `forEach: "gpu"`, placeholders replaced.
fn repeat(mut bid: Json, at: &str, problems: &mut Vec<Problem>) -> Vec<(Option<String>, Json)> {
    let Some(each) = bid.as_object_mut().and_then(|o| o.remove("forEach")) else {
        return vec![(None, bid)];
    };
    if each != Json::String("gpu".to_string()) {
        problems.push(Problem::at(
            None,
            key_path(at, "forEach"),
            format!("the only device class is \"gpu\", got {each}"),
        ));
        return Vec::new();
    }
    (0..DEFAULT_GPUS)
        .map(|i| {
            let device = format!("gpu{i}");
            let mut copy = bid.clone();
            replace_placeholders(&mut copy, &device, &i.to_string());
            (Some(device), copy)
        })
        .collect()
}

/// Replaces the device placeholders in every string of `value`.
fn replace_placeholders(value: &mut Json, device: &str, index: &str) {
    match value {
        Json::String(s) if s.contains('{') => {
            *s = s
                .replace(DEVICE_INDEX_PLACEHOLDER, index)
                .replace(DEVICE_PLACEHOLDER, device);
        }
        Json::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_placeholders(v, device, index)),
        Json::Object(fields) => fields
            .values_mut()
            .for_each(|v| replace_placeholders(v, device, index)),
        _ => {}
    }
}

/// `path` (under the decoded agent at `at`) with a decoded bid's index turned back into the
/// index as written.
pub fn written_path(path: &str, at: &str, origins: &[BidOrigin]) -> String {
    let prefix = format!("{at}.bids[");
    let Some(rest) = path.strip_prefix(&prefix) else {
        return path.to_string();
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return path.to_string();
    };
    match index.parse::<usize>().ok().and_then(|i| origins.get(i)) {
        Some(o) => format!("{prefix}{}]{tail}", o.index),
        None => path.to_string(),
    }
}
