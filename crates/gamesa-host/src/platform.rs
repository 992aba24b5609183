//! What needs Linux. Live workloads read `/proc`, actuation writes cgroups, `/proc` and sysfs,
//! and restore undoes those writes: on another OS each says so with `UNSUPPORTED_PLATFORM`
//! before touching anything, instead of failing on the first missing file.

use crate::error::HostError;

/// `Ok` on Linux; `UNSUPPORTED_PLATFORM` naming `what` and this OS elsewhere.
pub fn require_linux(what: &'static str) -> Result<(), HostError> {
    require_linux_on(std::env::consts::OS, what)
}

/// [`require_linux`] for the OS named `os` (`std::env::consts::OS`'s spelling).
fn require_linux_on(os: &'static str, what: &'static str) -> Result<(), HostError> {
    if os == "linux" {
        Ok(())
    } else {
        Err(HostError::UnsupportedPlatform { what, os })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gamesa_core::ErrorCode;

    #[test]
    fn linux_passes_and_every_other_os_is_a_typed_error_naming_both() {
        assert!(require_linux_on("linux", "live workloads").is_ok());
        for os in ["macos", "windows", "freebsd"] {
            let err = require_linux_on(os, "live workloads").unwrap_err();
            assert_eq!(err.code(), "UNSUPPORTED_PLATFORM");
            let message = err.to_string();
            assert!(
                message.contains("live workloads") && message.contains(os),
                "{message}"
            );
        }
        // This suite runs on Linux.
        assert!(require_linux("live workloads").is_ok());
    }
}
