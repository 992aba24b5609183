//! A validated action kind, with its patterns, templates and contract binding parsed once.

use super::binding::BindSource;
use super::config::{ActionKindConfig, Bound, key_path};
use super::error::GateError;
use super::template::Template;
use crate::contracts::ContractSet;
use crate::effects::TargetPattern;

/// A bound ready to resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum CompiledBound {
    Number(f64),
    Variable(Template),
}

/// One action kind, compiled.
#[derive(Debug, Clone)]
pub struct CompiledKind {
    pub config: ActionKindConfig,
    /// `config.agent`, shared with the decisions that name it.
    pub agent: std::sync::Arc<str>,
    /// Whether `agent` is a valid agent name (checked once here, not per proposal).
    pub agent_valid: bool,
    pub targets: Vec<TargetPattern>,
    pub exists: Option<Template>,
    pub current: Option<Template>,
    pub min: Option<CompiledBound>,
    pub max: Option<CompiledBound>,
    /// Contract name and (variable, source) in variable order.
    pub contract: Option<(String, Vec<(String, BindSource)>)>,
}

fn template(source: &str, path: String) -> Result<Template, GateError> {
    Template::parse(source).map_err(|m| GateError::at(path, m))
}

fn bound(b: &Option<Bound>, path: String) -> Result<Option<CompiledBound>, GateError> {
    Ok(match b {
        None => None,
        Some(Bound::Number(x)) => Some(CompiledBound::Number(*x)),
        Some(Bound::Variable(t)) => Some(CompiledBound::Variable(template(t, path)?)),
    })
}

impl CompiledKind {
    /// Compiles a kind that passed [`super::GateConfig::validate`], at JSON path `at`; checks
    /// that its contract exists in `contracts` and declares every bound variable.
    pub fn compile(
        config: &ActionKindConfig,
        contracts: &ContractSet,
        at: &str,
    ) -> Result<CompiledKind, GateError> {
        let targets = config
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                TargetPattern::parse(t)
                    .map_err(|e| GateError::at(format!("{at}.targets[{i}]"), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let exists = match &config.exists {
            Some(t) => Some(template(t, format!("{at}.exists"))?),
            None => None,
        };
        let current = match &config.value.current {
            Some(t) => Some(template(t, format!("{at}.value.current"))?),
            None => None,
        };
        let contract = match &config.contract {
            None => None,
            Some(binding) => {
                let name_path = format!("{at}.contract.name");
                let Some(c) = contracts.get(&binding.name) else {
                    let known: Vec<&str> = contracts.names().collect();
                    return Err(GateError::at(
                        name_path,
                        format!(
                            "unknown contract {:?} (known: {})",
                            binding.name,
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    ));
                };
                let mut bind = Vec::with_capacity(binding.bind.len());
                for (var, source) in &binding.bind {
                    let path = key_path(&format!("{at}.contract.bind"), var);
                    if !c.variables().any(|(name, _)| name == var) {
                        return Err(GateError::at(
                            path,
                            format!("contract {:?} declares no variable {var:?}", binding.name),
                        ));
                    }
                    let source = BindSource::parse(source).map_err(|m| GateError::at(path, m))?;
                    bind.push((var.clone(), source));
                }
                Some((binding.name.clone(), bind))
            }
        };
        Ok(CompiledKind {
            config: config.clone(),
            agent: config.agent.as_str().into(),
            agent_valid: crate::effects::checker::validate_agent(&config.agent).is_ok(),
            targets,
            exists,
            current,
            min: bound(&config.min, format!("{at}.min"))?,
            max: bound(&config.max, format!("{at}.max"))?,
            contract,
        })
    }
}
