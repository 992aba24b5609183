//! The JSON form of `samples/scale_presets.json`: named α/β/θ presets and the features built
//! from them. The TypeScript side mirrors it with zod (`ScalePresetsSchema` in
//! `src/features.ts`).

use super::transform::Transform;
use crate::json_objects::objects_only;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A document of presets and features.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalePresets {
    /// Optional `$schema` reference, accepted so editors can attach the JSON schema.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Named parameter sets, referenced by features with `preset`.
    #[serde(default)]
    pub presets: BTreeMap<String, Preset>,
    /// The features, computed in this order; each may use the ones declared before it.
    pub features: Vec<FeatureDef>,
}

/// A named α/β/θ parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct Preset {
    /// Gain α.
    pub alpha: f64,
    /// Offset β.
    pub beta: f64,
    /// Inner scale θ.
    pub theta: f64,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One feature: `feat.<name> = transform(source)` with a preset's or inline parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct FeatureDef {
    /// An identifier (`[A-Za-z_][A-Za-z0-9_]*`); the feature is the variable `feat.<name>`.
    pub name: String,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A variable name or an expression with a numeric result (int and uint are converted to
    /// double).
    pub source: String,
    /// How the source value is mapped.
    pub transform: Transform,
    /// A preset's name; excludes the inline `alpha`, `beta`, `theta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Inline α (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Inline β (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// Inline θ (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
}

objects_only!(ScalePresets, Preset, FeatureDef);

impl FeatureDef {
    /// A feature with inline parameters left at their defaults and no preset.
    pub fn new(name: &str, source: &str, transform: Transform) -> FeatureDef {
        FeatureDef {
            name: name.to_string(),
            description: None,
            source: source.to_string(),
            transform,
            preset: None,
            alpha: None,
            beta: None,
            theta: None,
        }
    }

    /// True when any of `alpha`, `beta`, `theta` is given inline.
    pub fn has_inline_params(&self) -> bool {
        self.alpha.is_some() || self.beta.is_some() || self.theta.is_some()
    }
}

/// The top level read first, items kept as JSON so each is decoded (and reported) on its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScalePresets {
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub presets: BTreeMap<String, serde_json::Value>,
    pub features: Vec<serde_json::Value>,
}
