//! Where readers find `/proc` and `/sys`: a root directory (`/` on the host, a temp dir in
//! tests) and an injectable open function, so tests can simulate "permission denied" even when
//! they run as root (root reads a mode-000 file without complaint).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::ReadError;

/// The function that reads a whole file. Tests replace it to inject errors.
pub type OpenFn = dyn Fn(&Path) -> io::Result<String> + Send + Sync;

/// A root directory for `/proc` and `/sys` paths plus the function used to read files.
#[derive(Clone)]
pub struct SysRoot {
    root: PathBuf,
    open: Arc<OpenFn>,
}

impl fmt::Debug for SysRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SysRoot").field("root", &self.root).finish()
    }
}

impl Default for SysRoot {
    fn default() -> Self {
        SysRoot::host()
    }
}

impl SysRoot {
    /// The real machine: paths resolve under `/`.
    pub fn host() -> Self {
        SysRoot::new("/")
    }

    /// Paths resolve under `root` (a fake tree in tests).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        SysRoot {
            root: root.into(),
            open: Arc::new(|p: &Path| std::fs::read_to_string(p)),
        }
    }

    /// Replaces the read function (used by tests to inject `EACCES` and other errors).
    pub fn with_open_fn(
        mut self,
        open: impl Fn(&Path) -> io::Result<String> + Send + Sync + 'static,
    ) -> Self {
        self.open = Arc::new(open);
        self
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of `rel` (an absolute kernel path such as `/proc/stat`) under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Reads the file at kernel path `rel`.
    pub fn read(&self, rel: &str) -> Result<(PathBuf, String), ReadError> {
        let path = self.path(rel);
        let text = self.read_path(&path)?;
        Ok((path, text))
    }

    /// Reads a file given its full path (one returned by [`SysRoot::path`] or [`SysRoot::list`]).
    pub fn read_path(&self, path: &Path) -> Result<String, ReadError> {
        (self.open)(path).map_err(|e| ReadError::from_io(path, &e))
    }

    /// The entry names of directory `rel`, sorted so every output built from them is
    /// deterministic.
    pub fn list(&self, rel: &str) -> Result<Vec<String>, ReadError> {
        let path = self.path(rel);
        let entries = std::fs::read_dir(&path).map_err(|e| ReadError::from_io(&path, &e))?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names)
    }
}
