//! GAMESA Core: the deterministic engine.
//!
//! Everything in this crate is a pure function of its configuration and its inputs: no I/O,
//! no clock (time is always an argument), no threads, no unseeded randomness and no unordered
//! iteration in any output. That is what makes record, replay and backtesting honest.

pub mod allocation;
pub mod contracts;
pub mod effects;
pub mod engine;
pub mod error;
pub mod expr;
pub mod features;
pub mod gate;
pub mod inline_str;
mod json_objects;
mod json_paths;
pub mod market;
pub mod per_resource;
pub mod rules;
pub mod signals;
pub mod sim;
pub mod types;

pub use error::ErrorCode;
pub use per_resource::PerResource;
pub use types::{Priority, ResourceType};
