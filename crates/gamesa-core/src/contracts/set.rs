//! A registry of compiled contracts, by name.

use super::check::CheckResult;
use super::context::Context;
use super::contract::Contract;
use super::definition::ConditionKind;
use super::error::ContractError;
use super::safety::safety_contract;
use std::collections::BTreeMap;

/// Compiled contracts by name (ordered, so listings are deterministic).
#[derive(Debug, Clone, Default)]
pub struct ContractSet {
    contracts: BTreeMap<String, Contract>,
}

impl ContractSet {
    /// An empty set.
    pub fn new() -> ContractSet {
        ContractSet::default()
    }

    /// A set holding the built-in `safety_check` contract.
    pub fn with_safety() -> ContractSet {
        let mut set = ContractSet::new();
        // The built-in definition compiles (a test pins it); failing here would be a bug.
        let safety = Contract::compile(safety_contract())
            .unwrap_or_else(|e| unreachable!("the built-in safety contract compiles: {e}"));
        set.contracts.insert(safety.name().to_string(), safety);
        set
    }

    /// Adds a contract. A name already registered is `DUPLICATE_ID`, so a contract (such as
    /// `safety_check`) is never weakened by accident; [`ContractSet::replace`] means it.
    pub fn register(&mut self, contract: Contract) -> Result<(), ContractError> {
        if self.contracts.contains_key(contract.name()) {
            return Err(ContractError::DuplicateContract {
                name: contract.name().to_string(),
            });
        }
        self.contracts.insert(contract.name().to_string(), contract);
        Ok(())
    }

    /// Adds or replaces a contract; returns the one replaced.
    pub fn replace(&mut self, contract: Contract) -> Option<Contract> {
        self.contracts.insert(contract.name().to_string(), contract)
    }

    /// Removes a contract; returns it.
    pub fn remove(&mut self, name: &str) -> Option<Contract> {
        self.contracts.remove(name)
    }

    /// The contract of this name.
    pub fn get(&self, name: &str) -> Option<&Contract> {
        self.contracts.get(name)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.contracts.keys().map(String::as_str)
    }

    /// Number of contracts.
    pub fn len(&self) -> usize {
        self.contracts.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.contracts.is_empty()
    }

    /// Checks the conditions of one kind of contract `name` (`UNKNOWN_CONTRACT` if absent).
    pub fn check(
        &self,
        name: &str,
        kind: ConditionKind,
        context: &(impl Context + ?Sized),
    ) -> Result<CheckResult, ContractError> {
        let contract = self
            .contracts
            .get(name)
            .ok_or_else(|| ContractError::UnknownContract {
                name: name.to_string(),
                known: self.contracts.keys().cloned().collect(),
            })?;
        Ok(contract.check(kind, context))
    }

    /// Checks the preconditions of contract `name`.
    pub fn check_pre(
        &self,
        name: &str,
        context: &(impl Context + ?Sized),
    ) -> Result<CheckResult, ContractError> {
        self.check(name, ConditionKind::Pre, context)
    }

    /// Checks the postconditions of contract `name`.
    pub fn check_post(
        &self,
        name: &str,
        context: &(impl Context + ?Sized),
    ) -> Result<CheckResult, ContractError> {
        self.check(name, ConditionKind::Post, context)
    }

    /// Checks the invariants of contract `name`.
    pub fn check_invariants(
        &self,
        name: &str,
        context: &(impl Context + ?Sized),
    ) -> Result<CheckResult, ContractError> {
        self.check(name, ConditionKind::Invariant, context)
    }
}
