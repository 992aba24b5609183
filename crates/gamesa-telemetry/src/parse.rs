//! Small number parsers that report the file and line they failed on.

use std::path::Path;
use std::str::FromStr;

use crate::error::ReadError;

/// Parses `field` as a `T`, or a [`ReadError::Malformed`] naming `path:line` and `what`.
pub(crate) fn num<T: FromStr>(
    path: &Path,
    line: usize,
    what: &str,
    field: &str,
) -> Result<T, ReadError> {
    field
        .trim()
        .parse()
        .map_err(|_| ReadError::malformed(path, line, format!("{what}: not a number: {field:?}")))
}

/// Parses a file that holds one number (sysfs attributes such as `energy_uj`).
pub(crate) fn single<T: FromStr>(path: &Path, text: &str, what: &str) -> Result<T, ReadError> {
    let first = text.lines().next().unwrap_or("");
    num(path, 1, what, first)
}
