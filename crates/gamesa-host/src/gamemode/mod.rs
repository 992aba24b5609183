//! A drop-in for Feral's GameMode daemon: the `com.feralinteractive.GameMode` D-Bus interface
//! of GameMode 1.7 ([`service`]), whose registered games ([`registry`]) become members of the
//! priority workload, with their descendants, exactly as `gamesa run --protect` makes them
//! (see [`crate::workloads::LiveWorkloads::enable_gamemode`]). docs/gamemode.md describes it.

pub mod name_watch;
pub mod registry;
pub mod service;

pub use registry::{Caller, DEFAULT_MAX_GAMES, Event, Game, Registry};
pub use service::{
    BUS_NAME, GameModeOptions, GameModeReport, GameModeService, GameModeStatus, OBJECT_PATH,
};
