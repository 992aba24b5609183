//! Binding for `gamesa_host::files::FileLock`: one writer per file, for files the package writes
//! from JavaScript (the trace `gamesa record` writes).

use crate::errors::{JsError, guard, to_js};
use gamesa_host::files::FileLock;
use napi_derive::napi;
use std::path::Path;

/// An exclusive lock on a file, held until `release()` or until the process ends (the kernel
/// drops it even after SIGKILL). The file is created if missing and never truncated here.
#[napi]
pub struct NativeFileLock {
    lock: Option<FileLock>,
}

#[napi]
impl NativeFileLock {
    /// Locks `path`: `FILE_LOCKED` if another process holds it, `IO_ERROR` for a path that
    /// cannot be opened or is not a regular file.
    #[napi(constructor)]
    pub fn new(path: String) -> Result<Self, JsError> {
        guard(|| {
            Ok(NativeFileLock {
                lock: Some(FileLock::acquire(Path::new(&path)).map_err(to_js)?),
            })
        })
    }

    /// Releases the lock (idempotent).
    #[napi]
    pub fn release(&mut self) -> Result<(), JsError> {
        guard(|| {
            self.lock = None;
            Ok(())
        })
    }
}
