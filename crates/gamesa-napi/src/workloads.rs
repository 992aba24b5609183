//! Binding for `gamesa_host::workloads::LiveWorkloads`: live workloads of real processes and
//! the settings the engine's actions give them. Converts and forwards only; the report types
//! are described in src/workloads.ts.

use crate::convert::to_json;
use crate::errors::{JsError, guard, js_error, to_js};
use gamesa_core::error::codes;
use gamesa_host::actuate::ActuatorOptions;
use gamesa_host::gamemode::GameModeOptions;
use gamesa_host::workloads::{LiveAction, LiveWorkloads, ScannerOptions, WorkloadsConfig};
use napi_derive::napi;
use std::path::PathBuf;

/// Live workloads: scans `/proc`, classifies processes, and (when opened to apply) acts.
#[napi]
pub struct NativeLiveWorkloads {
    inner: Option<LiveWorkloads>,
    leftover: Option<String>,
}

impl NativeLiveWorkloads {
    fn get(&mut self) -> Result<&mut LiveWorkloads, JsError> {
        self.inner
            .as_mut()
            .ok_or_else(|| js_error(codes::INVALID_ARGUMENT, "live workloads were closed"))
    }
}

#[napi]
impl NativeLiveWorkloads {
    /// `configJson`: a workloads configuration (INVALID_CONFIG). With `apply`, acts through a
    /// journal at `journalPath` (default `defaultJournalPath()`) in the cgroup subtree
    /// `cgroupSubtree` (default `gamesa`): ACTUATION_PERMISSION_DENIED without the
    /// capabilities, JOURNAL_LOCKED while another governor runs.
    #[napi(constructor)]
    pub fn new(
        config_json: String,
        apply: bool,
        journal_path: Option<String>,
        cgroup_subtree: Option<String>,
    ) -> Result<Self, JsError> {
        guard(|| {
            let config = WorkloadsConfig::from_json(&config_json).map_err(to_js)?;
            if !apply {
                let inner =
                    LiveWorkloads::dry_run(&config, ScannerOptions::default()).map_err(to_js)?;
                return Ok(NativeLiveWorkloads {
                    inner: Some(inner),
                    leftover: None,
                });
            }
            let journal =
                journal_path.map_or_else(gamesa_host::default_journal_path, PathBuf::from);
            let mut options = ActuatorOptions::default();
            if let Some(s) = cgroup_subtree {
                options.cgroup_subtree = s;
            }
            let (inner, report) =
                LiveWorkloads::live(&config, ScannerOptions::default(), &journal, options)
                    .map_err(to_js)?;
            Ok(NativeLiveWorkloads {
                inner: Some(inner),
                leftover: Some(to_json(&report)?),
            })
        })
    }

    /// What opening the journal undid (a crashed run's changes), as JSON; null for a dry run.
    #[napi(js_name = "leftoverJson")]
    pub fn leftover_json(&self) -> Option<String> {
        self.leftover.clone()
    }

    /// Whether this acts.
    #[napi(js_name = "isLive")]
    pub fn is_live(&mut self) -> Result<bool, JsError> {
        guard(|| Ok(self.get()?.is_live()))
    }

    /// Whether a process or thread started since the last pass listed `/proc`.
    #[napi(js_name = "processesStarted")]
    pub fn processes_started(&mut self) -> Result<bool, JsError> {
        guard(|| Ok(self.get()?.processes_started()))
    }

    /// One pass (scan, moves, settings) as JSON.
    #[napi(js_name = "passJson")]
    pub fn pass_json(&mut self) -> Result<String, JsError> {
        guard(|| to_json(&self.get()?.pass().map_err(to_js)?))
    }

    /// Applies approved actions given as JSON `[{kind, target, value}]`; the results as JSON.
    #[napi(js_name = "applyJson")]
    pub fn apply_json(&mut self, actions_json: String) -> Result<String, JsError> {
        guard(|| {
            let actions: Vec<LiveAction> = serde_json::from_str(&actions_json)
                .map_err(|e| js_error(codes::INVALID_ARGUMENT, format!("actions: {e}")))?;
            to_json(&self.get()?.apply(&actions))
        })
    }

    /// Starts the GameMode-compatible D-Bus service; `optionsJson` `{address?, maxGames?,
    /// audit?}` (INVALID_ARGUMENT); GAMEMODE_UNAVAILABLE without a bus. Its status as JSON.
    #[napi(js_name = "enableGamemodeJson")]
    pub fn enable_gamemode_json(&mut self, options_json: String) -> Result<String, JsError> {
        guard(|| {
            let options = GameModeOptions::from_json(&options_json).map_err(to_js)?;
            to_json(&self.get()?.enable_gamemode(options).map_err(to_js)?)
        })
    }

    /// Undoes every change; the restore report as JSON.
    #[napi(js_name = "restoreJson")]
    pub fn restore_json(&mut self) -> Result<String, JsError> {
        guard(|| to_json(&self.get()?.restore().map_err(to_js)?))
    }

    /// Restores everything and ignores actions until `resume()`; the restore report as JSON.
    #[napi(js_name = "pauseJson")]
    pub fn pause_json(&mut self) -> Result<String, JsError> {
        guard(|| to_json(&self.get()?.pause().map_err(to_js)?))
    }

    /// Acts again after `pause`, putting the settings in force before it back; their results
    /// as JSON.
    #[napi(js_name = "resumeJson")]
    pub fn resume_json(&mut self) -> Result<String, JsError> {
        guard(|| to_json(&self.get()?.resume()))
    }

    /// Releases the journal (without restoring: call `restoreJson` first). Idempotent.
    #[napi]
    pub fn close(&mut self) -> Result<(), JsError> {
        guard(|| {
            self.inner = None;
            Ok(())
        })
    }
}
