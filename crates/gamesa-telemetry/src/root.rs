//! Where readers find `/proc` and `/sys`: a root directory (`/` on the host, a temp dir in
//! tests) and an injectable open function, so tests can simulate "permission denied" even when
//! they run as root (root reads a mode-000 file without complaint).

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

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
    /// The real machine: paths resolve under `/`, and each file read stays open to be read
    /// again (see [`KeptOpen`]).
    pub fn host() -> Self {
        let kept = Arc::new(KeptOpen::default());
        SysRoot::new("/").with_open_fn(move |p: &Path| kept.read(p))
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

/// Reads `/proc` and `/sys` files kept open: the first read of a path opens it, later reads
/// read it again from offset 0 (`pread`), which makes the kernel generate it anew. One system
/// call per file per sample, where `read_to_string` takes eleven for `/proc/stat` (open, statx,
/// eight reads growing from 32 bytes, close): the sampler reads about a dozen files ten times a
/// second. Only for the host's kernel files: a regular file replaced by a rename would go on
/// being read through the old one.
#[derive(Debug, Default)]
pub struct KeptOpen {
    state: Mutex<Kept>,
}

/// The open files, and the buffer every read fills (grown once, kept between reads).
#[derive(Debug, Default)]
struct Kept {
    files: HashMap<PathBuf, File>,
    buf: Vec<u8>,
}

/// The first read's buffer: more than any one `/proc` or `/sys` file the collector reads on a
/// small machine (`/proc/stat` with 256 CPUs is about 30 KB); a larger file doubles it.
const KEPT_OPEN_BUFFER: usize = 16 * 1024;

impl KeptOpen {
    /// The whole text of `path`. A kept file whose read fails (a device removed, a process
    /// gone) is opened once more before the error is returned; a file that cannot be opened
    /// is not kept.
    pub fn read(&self, path: &Path) -> io::Result<String> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Kept { files, buf } = &mut *state;
        if let Some(file) = files.get(path) {
            if let Ok(text) = read_from_start(file, buf) {
                return Ok(text);
            }
            files.remove(path);
        }
        let file = File::open(path)?;
        let text = read_from_start(&file, buf)?;
        files.insert(path.to_path_buf(), file);
        Ok(text)
    }
}

/// The text of `file` from offset 0, read into `buf` (at least [`KEPT_OPEN_BUFFER`] long,
/// doubled while a file fills it). A read that leaves room in the buffer ended the file: a
/// `/proc` or `/sys` file fills a read up to its end or the buffer's (seq_file, kernfs), so no
/// second read is spent finding the end.
fn read_from_start(file: &File, buf: &mut Vec<u8>) -> io::Result<String> {
    if buf.len() < KEPT_OPEN_BUFFER {
        buf.resize(KEPT_OPEN_BUFFER, 0);
    }
    let mut len = 0;
    loop {
        let n = file.read_at(&mut buf[len..], len as u64)?;
        len += n;
        if n == 0 || len < buf.len() {
            break;
        }
        let doubled = buf.len() * 2;
        buf.resize(doubled, 0);
    }
    String::from_utf8(buf[..len].to_vec())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_is_read_anew_each_time() {
        let kept = KeptOpen::default();
        let first = kept.read(Path::new("/proc/self/stat")).unwrap();
        assert!(first.contains(&std::process::id().to_string()));
        // /proc/uptime changes every 10 ms; the second read must be generated again, not the
        // first one's bytes.
        let a = kept.read(Path::new("/proc/uptime")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let b = kept.read(Path::new("/proc/uptime")).unwrap();
        assert_ne!(a, b);
        assert_eq!(kept.state.lock().unwrap().files.len(), 2);
    }

    #[test]
    fn a_file_longer_than_the_buffer_is_read_whole() {
        let dir = std::env::temp_dir().join(format!("gamesa-kept-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("long");
        let text: String = (0..KEPT_OPEN_BUFFER / 4)
            .map(|i| format!("{i:07}\n"))
            .collect();
        std::fs::write(&path, &text).unwrap();
        let kept = KeptOpen::default();
        assert_eq!(kept.read(&path).unwrap(), text);
        // Written again in place (same inode, as the kernel's files are): the new text.
        std::fs::write(&path, "short\n").unwrap();
        assert_eq!(kept.read(&path).unwrap(), "short\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_file_is_an_error_and_not_kept() {
        let kept = KeptOpen::default();
        let err = kept.read(Path::new("/proc/no-such-file")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(kept.state.lock().unwrap().files.is_empty());
    }
}
