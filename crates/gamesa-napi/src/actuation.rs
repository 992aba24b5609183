//! `gamesa restore`: replays an actuation journal (`gamesa_host::restore`). Converts and
//! forwards only.

use crate::errors::{JsError, guard, js_error, to_js};
use gamesa_core::error::codes;
use napi_derive::napi;
use std::path::PathBuf;

/// Undoes what the actuation journal at `path` records (default: `defaultJournalPath()`) and
/// returns the report as JSON text: `{ journal, entries, restored, unchanged, skippedExited,
/// conflicts, removedGroups, keptGroups, returnedBorn, failed, tornTail }` (docs/actuation.md).
/// A journal that does not exist gives an empty report.
/// Errors: `JOURNAL_LOCKED` (a governor holds it), `JOURNAL_CORRUPT`, `IO_ERROR`.
#[napi(js_name = "restoreJournalJson")]
pub fn restore_journal_json(path: Option<String>) -> Result<String, JsError> {
    guard(|| {
        let path = path.map_or_else(gamesa_host::default_journal_path, PathBuf::from);
        let report = gamesa_host::restore(&path).map_err(to_js)?;
        serde_json::to_string(&report).map_err(|e| {
            js_error(
                codes::INTERNAL_PANIC,
                format!("restore report to JSON: {e}"),
            )
        })
    })
}

/// Where the actuation journal is by default: `/var/lib/gamesa/actuation.journal` as root,
/// `$XDG_STATE_HOME/gamesa/actuation.journal` otherwise.
#[napi(js_name = "defaultJournalPath")]
pub fn default_journal_path() -> Result<String, JsError> {
    guard(|| {
        Ok(gamesa_host::default_journal_path()
            .to_string_lossy()
            .into_owned())
    })
}

/// The actuation journal at `path` (default: `defaultJournalPath()`) read without changing it,
/// as JSON text: `{ entries, tornTail, locked }` (`locked`: a running governor holds it).
/// Errors: `JOURNAL_CORRUPT`, `IO_ERROR`.
#[napi(js_name = "peekJournalJson")]
pub fn peek_journal_json(path: Option<String>) -> Result<String, JsError> {
    guard(|| {
        let path = path.map_or_else(gamesa_host::default_journal_path, PathBuf::from);
        let view = gamesa_host::Journal::peek(&path).map_err(to_js)?;
        crate::convert::to_json(&view)
    })
}
