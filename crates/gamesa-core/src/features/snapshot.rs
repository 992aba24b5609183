//! A snapshot as the engine sees it: one typed value per declared variable (a slot array
//! indexed like its [`Env`]) plus whether each variable is present. Built once and refilled
//! every tick, so a tick allocates nothing for its input.

use super::error::SnapshotError;
use crate::expr::{Env, Type, Value};

/// Values of the variables of one [`Env`], each present or absent.
#[derive(Debug, Clone)]
pub struct Snapshot {
    env: Env,
    types: Vec<Type>,
    values: Vec<Value>,
    present: Vec<bool>,
}

/// The value a slot holds while absent: a zero of its type, never read by a program (the
/// engine checks presence first).
fn placeholder(ty: Type) -> Value {
    match ty {
        Type::Int => Value::Int(0),
        Type::Uint => Value::Uint(0),
        Type::Double => Value::Double(0.0),
        Type::Bool => Value::Bool(false),
    }
}

impl Snapshot {
    /// A snapshot of `env`'s variables, all absent.
    pub fn new(env: &Env) -> Snapshot {
        let types: Vec<Type> = env.names().map(|(_, ty)| ty).collect();
        Snapshot {
            env: env.clone(),
            values: types.iter().map(|&t| placeholder(t)).collect(),
            present: vec![false; types.len()],
            types,
        }
    }

    /// The declarations this snapshot follows.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Number of slots (declared variables).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no variable is declared.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The declared type of each slot.
    pub fn types(&self) -> &[Type] {
        &self.types
    }

    /// The slot array handed to `Program::eval_slots`. Absent slots hold a zero of their type.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Whether each slot is present.
    pub fn presence(&self) -> &[bool] {
        &self.present
    }

    /// Whether slot `slot` is present (false past the end).
    #[inline]
    pub fn is_present(&self, slot: usize) -> bool {
        self.present.get(slot).copied().unwrap_or(false)
    }

    /// The value of slot `slot` when present.
    pub fn get(&self, slot: usize) -> Option<Value> {
        self.is_present(slot).then(|| self.values[slot])
    }

    /// The value of variable `name` when declared and present.
    pub fn get_named(&self, name: &str) -> Option<Value> {
        self.get(self.env.slot(name)?)
    }

    /// Marks every variable absent, keeping the allocation (call at the start of a tick).
    pub fn clear(&mut self) {
        self.present.fill(false);
    }

    /// Sets slot `slot`; the value must have the slot's declared type.
    pub fn set(&mut self, slot: usize, value: Value) -> Result<(), SnapshotError> {
        let Some(&ty) = self.types.get(slot) else {
            return Err(SnapshotError::NoSuchSlot {
                slot,
                len: self.types.len(),
            });
        };
        if value.type_of() != ty {
            return Err(SnapshotError::TypeMismatch {
                name: self.name_of(slot),
                expected: ty,
                got: value.type_of(),
            });
        }
        self.values[slot] = value;
        self.present[slot] = true;
        Ok(())
    }

    /// Sets variable `name`; it must be declared, and the value of its type.
    pub fn set_named(&mut self, name: &str, value: Value) -> Result<(), SnapshotError> {
        let slot = self
            .env
            .slot(name)
            .ok_or_else(|| SnapshotError::Undeclared {
                name: name.to_string(),
            })?;
        self.set(slot, value)
    }

    /// Sets slot `slot` from a double, converted to the slot's type: a double as is; an int or
    /// uint when `x` is a whole number in range; a bool from 0 or 1 ([`crate::expr::coerce_packed`]).
    /// This is how the Node binding fills snapshots from a `Float64Array`.
    pub fn set_f64(&mut self, slot: usize, x: f64) -> Result<(), SnapshotError> {
        let Some(&ty) = self.types.get(slot) else {
            return Err(SnapshotError::NoSuchSlot {
                slot,
                len: self.types.len(),
            });
        };
        let value =
            crate::expr::coerce_packed(x, ty).map_err(|_| SnapshotError::NotRepresentable {
                name: self.name_of(slot),
                expected: ty,
                value: x,
            })?;
        self.values[slot] = value;
        self.present[slot] = true;
        Ok(())
    }

    /// Marks slot `slot` absent.
    pub fn unset(&mut self, slot: usize) {
        if let Some(p) = self.present.get_mut(slot) {
            *p = false;
        }
    }

    /// Writes a computed double into a slot known to be a double (features write their own
    /// slots through this; the type was checked when they were compiled).
    #[inline]
    pub(crate) fn put_double(&mut self, slot: usize, x: f64) {
        self.values[slot] = Value::Double(x);
        self.present[slot] = true;
    }

    /// The name of slot `slot`.
    pub fn name_of(&self, slot: usize) -> String {
        self.env
            .names()
            .nth(slot)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default()
    }
}
