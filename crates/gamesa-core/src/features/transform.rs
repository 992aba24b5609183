//! The α/β/θ transforms that turn a raw reading into a feature.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a feature maps its source value `x` (α = alpha, β = beta, θ = theta).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    /// `α·x + β` (θ unused).
    Linear,
    /// `α·sin(θ·x) + β`.
    Sin,
    /// `α·cos(θ·x) + β`.
    Cos,
    /// `α·tanh(θ·x) + β`: a soft saturation.
    Tanh,
    /// `α·ln(1 + θ·x) + β`, computed with `ln_1p` so it stays exact near 0. NaN where
    /// `θ·x < -1` (IEEE 754, like every other double in the expression language).
    Log1p,
    /// `α·x + β` clamped to `[0, 1]` (θ unused): normalises a range, e.g. 40–100 °C to 0–1
    /// with α = 1/60, β = -40/60. NaN stays NaN.
    Clamp01,
}

impl Transform {
    /// Every transform, in declaration order.
    pub const ALL: [Transform; 6] = [
        Transform::Linear,
        Transform::Sin,
        Transform::Cos,
        Transform::Tanh,
        Transform::Log1p,
        Transform::Clamp01,
    ];

    /// The string used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Transform::Linear => "linear",
            Transform::Sin => "sin",
            Transform::Cos => "cos",
            Transform::Tanh => "tanh",
            Transform::Log1p => "log1p",
            Transform::Clamp01 => "clamp01",
        }
    }

    /// True when θ takes part in the formula.
    pub const fn uses_theta(self) -> bool {
        !matches!(self, Transform::Linear | Transform::Clamp01)
    }

    /// Applies the transform to `x` with parameters `p`.
    #[inline]
    pub fn apply(self, x: f64, p: Params) -> f64 {
        match self {
            Transform::Linear => p.alpha * x + p.beta,
            Transform::Sin => p.alpha * (p.theta * x).sin() + p.beta,
            Transform::Cos => p.alpha * (p.theta * x).cos() + p.beta,
            Transform::Tanh => p.alpha * (p.theta * x).tanh() + p.beta,
            Transform::Log1p => p.alpha * (p.theta * x).ln_1p() + p.beta,
            Transform::Clamp01 => (p.alpha * x + p.beta).clamp(0.0, 1.0),
        }
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The three parameters of a transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Gain α.
    pub alpha: f64,
    /// Offset β.
    pub beta: f64,
    /// Inner scale θ.
    pub theta: f64,
}

impl Default for Params {
    /// α = 1, β = 0, θ = 1: every transform applied to `x` as is.
    fn default() -> Self {
        Params {
            alpha: 1.0,
            beta: 0.0,
            theta: 1.0,
        }
    }
}
