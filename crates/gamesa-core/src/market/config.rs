//! The market's JSON configuration: the `market` section of the engine document
//! ([`MarketConfig`]) and the `agents` section ([`AgentDef`], [`BidDef`]).
//!
//! Every struct rejects unknown fields and arrays in place of objects; optional fields
//! (`Option`) may be absent or `null`, fields with a default may be absent but not `null`.
//! The TypeScript side (`src/market.ts`, `marketConfigSchema`, `agentSchema`) mirrors every
//! rule, and the corpus `samples/market_configs/` checks that both give the same verdict at the
//! same JSON path. Semantic rules are checked in this order, first failure reported:
//!
//! 1. `market`: `kappa` in (0, 10]; `targetUtilization` in (0, 1]; `priceMin` > 0; `priceMax` >
//!    `priceMin`; each `initialPrices.<resource>` (resource order) within
//!    [`priceMin`, `priceMax`].
//! 2. `market.reserve.thermal`, then `market.reserve.power`: see [`ThermalReserve`] and
//!    [`PowerReserve`] (variables not empty; comfort > 0; minimum headroom in (0, comfort);
//!    `exponent` in (0, 16]; `priceAtComfort` > 0; `appliesTo` without duplicates).
//! 3. `agents[i]`, in order: `id` (1–128 of letters, digits, `_ . : -`, unique),
//!    `budgetPerTick` in [0, 1e15], `budgetCap` in [`budgetPerTick`, 1e15], `effects` without
//!    duplicates, then
//!    each `bids[j]`: `amount` a number ≥ 0 or a non-blank expression, `maxUnitPrice` ≥ 0.
//!
//! Every number must also be finite (JSON cannot write ±∞ or NaN; a number too large for a
//! double is a parse error at its path).

use super::error::MarketError;
use super::json::{decode, parse_value};
use crate::effects::Effect;
use crate::json_objects::objects_only;
use crate::types::{Priority, ResourceType};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// Upper bound of `kappa`: beyond it one tick of excess demand multiplies a price by e^10.
pub const KAPPA_MAX: f64 = 10.0;
/// Upper bound of a reserve `exponent`.
pub const EXPONENT_MAX: f64 = 16.0;
/// Most credits a budget (`budgetPerTick`, `budgetCap`) may name: far beyond any real use, and
/// low enough that sums of balances, payments and demand stay finite.
pub const MAX_CREDITS: f64 = 1e15;
/// Longest agent id.
pub const AGENT_ID_MAX_LEN: usize = 128;

/// Market parameters (`market` section). Prices are in credits per unit of the resource
/// (cores, µs per period, %, MB, °C, mW).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct MarketConfig {
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tâtonnement gain κ (per tick): `p ← p·exp(κ·(demand/supply − target))`. Default 0.2.
    #[serde(default = "default_kappa")]
    pub kappa: f64,
    /// Utilization the price steers to: at `demand/supply = target` prices stand still.
    /// Default 0.85.
    #[serde(default = "default_target")]
    pub target_utilization: f64,
    /// Per-resource `targetUtilization`, each in (0, 1], for the resources listed (the same
    /// keys as `initialPrices`). A pool that is itself a hard limit — the power pool, sized to
    /// the cap less its margin — is meant to be used to the full: at the default 0.85 its price
    /// would climb whenever the machine runs near its cap, until the bids could not pay for the
    /// power they draw. Default: none.
    #[serde(default, skip_serializing_if = "InitialPrices::is_empty")]
    pub target_utilizations: InitialPrices,
    /// Lowest price of any resource, credits per unit. Default 0.01.
    #[serde(default = "default_price_min")]
    pub price_min: f64,
    /// Highest price of any resource, credits per unit (reserves are clamped to it too).
    /// Default 1000.
    #[serde(default = "default_price_max")]
    pub price_max: f64,
    /// Starting price per resource; absent resources start at 1.0 credit per unit (moved into
    /// [`priceMin`, `priceMax`] when outside).
    #[serde(default)]
    pub initial_prices: InitialPrices,
    /// Reserve prices set by safety inputs.
    #[serde(default)]
    pub reserve: ReserveConfig,
}

/// Starting prices, one optional entry per resource (keys are resource names).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct InitialPrices {
    /// `cpu_cores`, credits per core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_cores: Option<f64>,
    /// `cpu_time`, credits per µs of a period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_time: Option<f64>,
    /// `gpu_compute`, credits per %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_compute: Option<f64>,
    /// `gpu_memory`, credits per MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_memory: Option<f64>,
    /// `thermal_headroom`, credits per °C.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thermal_headroom: Option<f64>,
    /// `power_budget`, credits per mW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_budget: Option<f64>,
}

impl MarketConfig {
    /// The utilization `r`'s price steers to: its `targetUtilizations` entry, else
    /// `targetUtilization`.
    pub fn target_for(&self, r: ResourceType) -> f64 {
        self.target_utilizations
            .get(r)
            .unwrap_or(self.target_utilization)
    }
}

/// Price of a resource without an `initialPrices` entry.
pub const DEFAULT_INITIAL_PRICE: f64 = 1.0;

impl InitialPrices {
    /// The configured starting price of `r`, if any.
    pub fn get(&self, r: ResourceType) -> Option<f64> {
        match r {
            ResourceType::CpuCores => self.cpu_cores,
            ResourceType::CpuTime => self.cpu_time,
            ResourceType::GpuCompute => self.gpu_compute,
            ResourceType::GpuMemory => self.gpu_memory,
            ResourceType::ThermalHeadroom => self.thermal_headroom,
            ResourceType::PowerBudget => self.power_budget,
        }
    }

    /// Whether no resource has an entry.
    pub fn is_empty(&self) -> bool {
        ResourceType::ALL.iter().all(|&r| self.get(r).is_none())
    }

    /// Sets (or clears) the starting price of `r`.
    pub fn set(&mut self, r: ResourceType, price: Option<f64>) {
        let slot = match r {
            ResourceType::CpuCores => &mut self.cpu_cores,
            ResourceType::CpuTime => &mut self.cpu_time,
            ResourceType::GpuCompute => &mut self.gpu_compute,
            ResourceType::GpuMemory => &mut self.gpu_memory,
            ResourceType::ThermalHeadroom => &mut self.thermal_headroom,
            ResourceType::PowerBudget => &mut self.power_budget,
        };
        *slot = price;
    }
}

/// Reserve prices from safety inputs (`market.reserve`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ReserveConfig {
    /// Thermal headroom reserve.
    #[serde(default)]
    pub thermal: ThermalReserve,
    /// Power-cap reserve.
    #[serde(default)]
    pub power: PowerReserve,
}

/// As the thermal headroom `h` (°C to the throttle point) falls below `comfortC`, the
/// resources in `appliesTo` get a reserve price
/// `priceAtComfort · (comfortC / max(h, minHeadroomC))^exponent` (credits per unit), clamped
/// to `priceMax`: 1 credit at 15 °C, 9 at 5 °C, 900 at 0.5 °C and below with the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ThermalReserve {
    /// When false, the thermal reserve is never applied. Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Snapshot variable holding the headroom in °C (read by the engine). Default
    /// `thermal.headroom_c`.
    #[serde(default = "default_thermal_variable")]
    pub variable: String,
    /// Headroom (°C) at and above which there is no reserve. Default 15.
    #[serde(default = "default_comfort_c", rename = "comfortC")]
    pub comfort_c: f64,
    /// Headroom (°C) at and below which the reserve stops growing. Default 0.5.
    #[serde(default = "default_min_headroom_c", rename = "minHeadroomC")]
    pub min_headroom_c: f64,
    /// Steepness. Default 2.
    #[serde(default = "default_exponent")]
    pub exponent: f64,
    /// Reserve at the comfort point, credits per unit. Default 1.
    #[serde(default = "default_price_at_comfort")]
    pub price_at_comfort: f64,
    /// Resources that get the reserve. Default `["thermal_headroom"]`.
    #[serde(default = "default_thermal_resources")]
    pub applies_to: Vec<ResourceType>,
}

/// As the power headroom `h = capW − Σ variables` (W) falls below `comfortW`, the resources
/// in `appliesTo` get a reserve price
/// `priceAtComfort · (comfortW / max(h, minHeadroomW))^exponent`, clamped to `priceMax`:
/// 1 credit at 20 W of headroom, 400 at 1 W and below with the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct PowerReserve {
    /// When false, the power reserve is never applied. Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Snapshot variables (W) whose sum is the measured power (read by the engine). Default
    /// `["power.cpu_w"]`.
    #[serde(default = "default_power_variables")]
    pub variables: Vec<String>,
    /// The power cap in W. Absent: no cap configured, so no power reserve (the engine passes
    /// no power headroom). Default absent.
    #[serde(default, rename = "capW", skip_serializing_if = "Option::is_none")]
    pub cap_w: Option<f64>,
    /// Headroom (W) at and above which there is no reserve. Default 20.
    #[serde(default = "default_comfort_w", rename = "comfortW")]
    pub comfort_w: f64,
    /// Headroom (W) at and below which the reserve stops growing. Default 1.
    #[serde(default = "default_min_headroom_w", rename = "minHeadroomW")]
    pub min_headroom_w: f64,
    /// Steepness. Default 2.
    #[serde(default = "default_exponent")]
    pub exponent: f64,
    /// Reserve at the comfort point, credits per unit. Default 1.
    #[serde(default = "default_price_at_comfort")]
    pub price_at_comfort: f64,
    /// Resources that get the reserve. Default `["power_budget"]`.
    #[serde(default = "default_power_resources")]
    pub applies_to: Vec<ResourceType>,
}

/// An agent (`agents[i]`): it holds a budget, bids for resources and performs actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct AgentDef {
    /// Unique: 1–128 of letters, digits and `_ . : -`.
    pub id: String,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Breaks ties in auctions and rounding (higher first, then id). Default `normal`.
    #[serde(default)]
    pub priority: Priority,
    /// Credits added to the balance every tick.
    pub budget_per_tick: f64,
    /// Most credits the balance may hold (unspent credits carry over up to it). Default
    /// 4 × `budgetPerTick`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_cap: Option<f64>,
    /// Capabilities the agent holds (checked by the ActionGate). Default none.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Standing bids, placed every tick. Default none.
    #[serde(default)]
    pub bids: Vec<BidDef>,
}

/// A standing bid of an agent (`agents[i].bids[j]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct BidDef {
    /// The resource bid for.
    pub resource: ResourceType,
    /// How much, in the resource's unit: a number, or an expression over the snapshot and
    /// features evaluated by the engine every tick.
    pub amount: BidAmount,
    /// Most credits the agent pays per unit.
    pub max_unit_price: f64,
}

/// A bid amount: a number, or an expression string (JSON: either).
#[derive(Debug, Clone, PartialEq)]
pub enum BidAmount {
    /// A fixed amount.
    Fixed(f64),
    /// An expression the engine compiles and evaluates each tick.
    Expr(String),
}

impl Serialize for BidAmount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            BidAmount::Fixed(x) => s.serialize_f64(*x),
            BidAmount::Expr(e) => s.serialize_str(e),
        }
    }
}

impl<'de> Deserialize<'de> for BidAmount {
    // Written by hand instead of `#[serde(untagged)]` so a wrong type is reported with a
    // message that says what is accepted, at the field's own path.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = BidAmount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or an expression string")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<BidAmount, E> {
                Ok(BidAmount::Fixed(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BidAmount, E> {
                Ok(BidAmount::Fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BidAmount, E> {
                Ok(BidAmount::Fixed(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BidAmount, E> {
                Ok(BidAmount::Expr(v.to_string()))
            }
        }
        d.deserialize_any(AmountVisitor)
    }
}

objects_only!(
    MarketConfig,
    InitialPrices,
    ReserveConfig,
    ThermalReserve,
    PowerReserve,
    AgentDef,
    BidDef,
    MarketDocument
);

/// The market part of an engine document: `{"market": {...}, "agents": [...]}` (both
/// optional). This is the shape of the `samples/market_configs/` corpus.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct MarketDocument {
    /// Optional `$schema` reference, accepted so editors can attach a JSON schema.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The `market` section (defaults when absent).
    #[serde(default)]
    pub market: MarketConfig,
    /// The `agents` section.
    #[serde(default)]
    pub agents: Vec<AgentDef>,
}

impl MarketDocument {
    /// Parses and validates a document; the error names the JSON path of the first problem
    /// (`$.market.kappa`, `$.agents[2].budgetPerTick`).
    pub fn from_json(text: &str) -> Result<MarketDocument, MarketError> {
        let doc: MarketDocument = decode(&parse_value(text)?)?;
        doc.market.validate()?;
        validate_agents(&doc.agents)?;
        Ok(doc)
    }
}

impl Default for MarketConfig {
    fn default() -> Self {
        MarketConfig {
            description: None,
            kappa: default_kappa(),
            target_utilization: default_target(),
            price_min: default_price_min(),
            price_max: default_price_max(),
            initial_prices: InitialPrices::default(),
            target_utilizations: InitialPrices::default(),
            reserve: ReserveConfig::default(),
        }
    }
}

impl Default for ThermalReserve {
    fn default() -> Self {
        ThermalReserve {
            enabled: true,
            variable: default_thermal_variable(),
            comfort_c: default_comfort_c(),
            min_headroom_c: default_min_headroom_c(),
            exponent: default_exponent(),
            price_at_comfort: default_price_at_comfort(),
            applies_to: default_thermal_resources(),
        }
    }
}

impl Default for PowerReserve {
    fn default() -> Self {
        PowerReserve {
            enabled: true,
            variables: default_power_variables(),
            cap_w: None,
            comfort_w: default_comfort_w(),
            min_headroom_w: default_min_headroom_w(),
            exponent: default_exponent(),
            price_at_comfort: default_price_at_comfort(),
            applies_to: default_power_resources(),
        }
    }
}

impl MarketConfig {
    /// The starting price of `r`: its `initialPrices` entry, or 1.0 moved into
    /// [`priceMin`, `priceMax`].
    pub fn initial_price(&self, r: ResourceType) -> f64 {
        self.initial_prices
            .get(r)
            .unwrap_or_else(|| DEFAULT_INITIAL_PRICE.clamp(self.price_min, self.price_max))
    }

    /// Rules 1–2 of the module documentation, paths under `$.market`.
    pub fn validate(&self) -> Result<(), MarketError> {
        self.validate_at("$.market")
    }

    /// Rules 1–2 of the module documentation, paths under `at`.
    pub fn validate_at(&self, at: &str) -> Result<(), MarketError> {
        in_range(
            self.kappa,
            &format!("{at}.kappa"),
            Above(0.0),
            AtMost(KAPPA_MAX),
        )?;
        in_range(
            self.target_utilization,
            &format!("{at}.targetUtilization"),
            Above(0.0),
            AtMost(1.0),
        )?;
        in_range(self.price_min, &format!("{at}.priceMin"), Above(0.0), NoMax)?;
        let max_at = format!("{at}.priceMax");
        finite(self.price_max, &max_at)?;
        if self.price_max <= self.price_min {
            return Err(MarketError::config(
                max_at,
                format!(
                    "must be greater than priceMin ({}), got {}",
                    self.price_min, self.price_max
                ),
            ));
        }
        for r in ResourceType::ALL {
            if let Some(p) = self.initial_prices.get(r) {
                let path = format!("{at}.initialPrices.{r}");
                finite(p, &path)?;
                if p < self.price_min || p > self.price_max {
                    return Err(MarketError::config(
                        path,
                        format!(
                            "must be within [priceMin, priceMax] = [{}, {}], got {p}",
                            self.price_min, self.price_max
                        ),
                    ));
                }
            }
        }
        for r in ResourceType::ALL {
            if let Some(u) = self.target_utilizations.get(r) {
                let path = format!("{at}.targetUtilizations.{r}");
                in_range(u, &path, Above(0.0), AtMost(1.0))?;
            }
        }
        let t = &self.reserve.thermal;
        let t_at = format!("{at}.reserve.thermal");
        non_blank(&t.variable, &format!("{t_at}.variable"))?;
        curve(
            &t_at,
            ("comfortC", t.comfort_c),
            ("minHeadroomC", t.min_headroom_c),
            t.exponent,
            t.price_at_comfort,
            &t.applies_to,
        )?;
        let p = &self.reserve.power;
        let p_at = format!("{at}.reserve.power");
        if p.variables.is_empty() {
            return Err(MarketError::config(
                format!("{p_at}.variables"),
                "at least one variable is required",
            ));
        }
        for (i, v) in p.variables.iter().enumerate() {
            non_blank(v, &format!("{p_at}.variables[{i}]"))?;
        }
        if let Some(cap) = p.cap_w {
            in_range(cap, &format!("{p_at}.capW"), Above(0.0), NoMax)?;
        }
        curve(
            &p_at,
            ("comfortW", p.comfort_w),
            ("minHeadroomW", p.min_headroom_w),
            p.exponent,
            p.price_at_comfort,
            &p.applies_to,
        )
    }
}

/// Rule 3 of the module documentation for the whole `agents` section, paths under `$.agents`.
pub fn validate_agents(agents: &[AgentDef]) -> Result<(), MarketError> {
    validate_agents_at(agents, "$.agents")
}

/// Rule 3 of the module documentation, paths under `at`.
pub fn validate_agents_at(agents: &[AgentDef], at: &str) -> Result<(), MarketError> {
    for (i, agent) in agents.iter().enumerate() {
        let a_at = format!("{at}[{i}]");
        let id_at = format!("{a_at}.id");
        check_id(&agent.id, &id_at)?;
        if let Some(first) = agents[..i].iter().position(|a| a.id == agent.id) {
            return Err(MarketError::config(
                id_at,
                format!(
                    "duplicate agent id {:?} (already used at {at}[{first}])",
                    agent.id
                ),
            ));
        }
        agent.validate_fields(&a_at)?;
    }
    Ok(())
}

impl AgentDef {
    /// The balance cap: `budgetCap`, or 4 × `budgetPerTick`.
    pub fn effective_budget_cap(&self) -> f64 {
        self.budget_cap.unwrap_or(4.0 * self.budget_per_tick)
    }

    /// The per-agent part of rule 3 (everything but id uniqueness), paths under `at`.
    pub fn validate_fields(&self, at: &str) -> Result<(), MarketError> {
        in_range(
            self.budget_per_tick,
            &format!("{at}.budgetPerTick"),
            AtLeast(0.0),
            AtMost(MAX_CREDITS),
        )?;
        if let Some(cap) = self.budget_cap {
            let cap_at = format!("{at}.budgetCap");
            in_range(cap, &cap_at, AtLeast(0.0), AtMost(MAX_CREDITS))?;
            if cap < self.budget_per_tick {
                return Err(MarketError::config(
                    cap_at,
                    format!(
                        "must be at least budgetPerTick ({}), got {cap}",
                        self.budget_per_tick
                    ),
                ));
            }
        }
        for (j, e) in self.effects.iter().enumerate() {
            if self.effects[..j].contains(e) {
                return Err(MarketError::config(
                    format!("{at}.effects[{j}]"),
                    format!("duplicate effect {e}"),
                ));
            }
        }
        for (j, bid) in self.bids.iter().enumerate() {
            let b_at = format!("{at}.bids[{j}]");
            match &bid.amount {
                BidAmount::Fixed(x) => {
                    in_range(*x, &format!("{b_at}.amount"), AtLeast(0.0), NoMax)?
                }
                BidAmount::Expr(e) => non_blank(e, &format!("{b_at}.amount"))?,
            }
            in_range(
                bid.max_unit_price,
                &format!("{b_at}.maxUnitPrice"),
                AtLeast(0.0),
                NoMax,
            )?;
        }
        Ok(())
    }
}

fn check_id(id: &str, at: &str) -> Result<(), MarketError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-');
    if id.is_empty() || id.chars().count() > AGENT_ID_MAX_LEN || !id.chars().all(ok_char) {
        return Err(MarketError::config(
            at,
            format!(
                "an agent id is 1 to {AGENT_ID_MAX_LEN} letters, digits or _ . : -, got {id:?}"
            ),
        ));
    }
    Ok(())
}

/// The shared rules of a reserve curve.
fn curve(
    at: &str,
    (comfort_name, comfort): (&str, f64),
    (min_name, min): (&str, f64),
    exponent: f64,
    price_at_comfort: f64,
    applies_to: &[ResourceType],
) -> Result<(), MarketError> {
    in_range(comfort, &format!("{at}.{comfort_name}"), Above(0.0), NoMax)?;
    let min_at = format!("{at}.{min_name}");
    in_range(min, &min_at, Above(0.0), NoMax)?;
    if min >= comfort {
        return Err(MarketError::config(
            min_at,
            format!("must be less than {comfort_name} ({comfort}), got {min}"),
        ));
    }
    in_range(
        exponent,
        &format!("{at}.exponent"),
        Above(0.0),
        AtMost(EXPONENT_MAX),
    )?;
    in_range(
        price_at_comfort,
        &format!("{at}.priceAtComfort"),
        Above(0.0),
        NoMax,
    )?;
    for (i, r) in applies_to.iter().enumerate() {
        if applies_to[..i].contains(r) {
            return Err(MarketError::config(
                format!("{at}.appliesTo[{i}]"),
                format!("duplicate resource {r}"),
            ));
        }
    }
    Ok(())
}

fn non_blank(s: &str, at: &str) -> Result<(), MarketError> {
    if s.trim().is_empty() {
        return Err(MarketError::config(at, "must not be empty or blank"));
    }
    Ok(())
}

fn finite(x: f64, at: &str) -> Result<(), MarketError> {
    if !x.is_finite() {
        return Err(MarketError::config(
            at,
            format!("must be a finite number, got {x}"),
        ));
    }
    Ok(())
}

/// Lower bounds of [`in_range`].
enum Low {
    Above(f64),
    AtLeast(f64),
}
use Low::{Above, AtLeast};

/// Upper bounds of [`in_range`].
enum High {
    AtMost(f64),
    NoMax,
}
use High::{AtMost, NoMax};

fn in_range(x: f64, at: &str, low: Low, high: High) -> Result<(), MarketError> {
    finite(x, at)?;
    let (low_ok, low_text) = match low {
        Above(b) => (x > b, format!("> {b}")),
        AtLeast(b) => (x >= b, format!(">= {b}")),
    };
    let (high_ok, high_text) = match high {
        AtMost(b) => (x <= b, format!(" and <= {b}")),
        NoMax => (true, String::new()),
    };
    if !low_ok || !high_ok {
        return Err(MarketError::config(
            at,
            format!("must be {low_text}{high_text}, got {x}"),
        ));
    }
    Ok(())
}

fn yes() -> bool {
    true
}
fn default_kappa() -> f64 {
    0.2
}
fn default_target() -> f64 {
    0.85
}
fn default_price_min() -> f64 {
    0.01
}
fn default_price_max() -> f64 {
    1000.0
}
fn default_thermal_variable() -> String {
    "thermal.headroom_c".to_string()
}
fn default_comfort_c() -> f64 {
    15.0
}
fn default_min_headroom_c() -> f64 {
    0.5
}
fn default_exponent() -> f64 {
    2.0
}
fn default_price_at_comfort() -> f64 {
    1.0
}
fn default_thermal_resources() -> Vec<ResourceType> {
    vec![ResourceType::ThermalHeadroom]
}
fn default_power_variables() -> Vec<String> {
    vec!["power.cpu_w".to_string()]
}
fn default_comfort_w() -> f64 {
    20.0
}
fn default_min_headroom_w() -> f64 {
    1.0
}
fn default_power_resources() -> Vec<ResourceType> {
    vec![ResourceType::PowerBudget]
}
