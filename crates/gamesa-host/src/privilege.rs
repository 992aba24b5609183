//! Whether this process may act on the machine: the capabilities `--apply` needs, read from
//! the effective set (`CapEff:` of `/proc/self/status`, a hexadecimal bit mask; bit numbers
//! from `linux/capability.h`). Checked before anything is journaled, so a run without them
//! fails at once with a message naming what is missing, not with an EPERM per process.

use crate::error::HostError;

/// `CAP_SYS_ADMIN`: moving other processes between cgroups, and cgroup files.
pub const CAP_SYS_ADMIN: u32 = 21;
/// `CAP_SYS_NICE`: raising priority (lower nice), other users' processes' scheduling.
pub const CAP_SYS_NICE: u32 = 23;

/// The capabilities `--apply` needs, with their names.
pub const NEEDED: [(u32, &str); 2] = [
    (CAP_SYS_NICE, "CAP_SYS_NICE"),
    (CAP_SYS_ADMIN, "CAP_SYS_ADMIN"),
];

/// The names of the [`NEEDED`] capabilities missing from the effective mask `cap_eff`.
pub fn missing(cap_eff: u64) -> Vec<&'static str> {
    NEEDED
        .iter()
        .filter(|(bit, _)| cap_eff & (1u64 << bit) == 0)
        .map(|(_, name)| *name)
        .collect()
}

/// The effective capability mask from the text of `/proc/PID/status`; `None` without a
/// readable `CapEff:` line.
pub fn parse_cap_eff(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
}

/// `ACTUATION_PERMISSION_DENIED` naming every missing capability, or `Ok` when this
/// process holds them all. An unreadable status counts as holding none.
pub fn check_can_apply() -> Result<(), HostError> {
    let eff = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| parse_cap_eff(&s))
        .unwrap_or(0);
    let missing = missing(eff);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(HostError::PermissionDenied { missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gamesa_core::ErrorCode;

    #[test]
    fn names_what_is_missing() {
        let root = parse_cap_eff("Name:\tx\nCapEff:\t000001ffffffffff\n").unwrap();
        assert!(missing(root).is_empty());
        assert_eq!(missing(0), vec!["CAP_SYS_NICE", "CAP_SYS_ADMIN"]);
        assert_eq!(missing(1 << CAP_SYS_NICE), vec!["CAP_SYS_ADMIN"]);
        assert_eq!(parse_cap_eff("CapEff:\tzz\n"), None);
        let e = HostError::PermissionDenied {
            missing: missing(0),
        };
        assert_eq!(e.code(), "ACTUATION_PERMISSION_DENIED");
        assert!(
            e.to_string().contains("CAP_SYS_NICE and CAP_SYS_ADMIN"),
            "{e}"
        );
    }
}
