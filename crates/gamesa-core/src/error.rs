//! The one convention every error of GAMESA follows: a stable machine-readable code (what the
//! TypeScript `GamesaError.code` carries) plus a human message from `Display`.
//!
//! Every code any crate of the workspace can produce is listed once, in [`codes`]: the error
//! types name their codes through these constants, the binding exports [`codes::ALL`] to
//! JavaScript, and the package's tests check that TypeScript's `GamesaErrorCode` is this list.

/// An error with a stable, documented code such as `INSUFFICIENT_CAPACITY`.
pub trait ErrorCode: std::fmt::Display {
    /// The stable code, one of [`codes::ALL`]. Never changes meaning once published.
    fn code(&self) -> &'static str;
}

/// Defines each code as a constant whose value is its own name, and [`codes::ALL`] (with
/// [`codes::DESCRIBED`], each code's documentation) in the same order, so a code cannot be
/// listed without existing or exist without being listed.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $name:ident,)*) => {
        $($(#[doc = $doc])+ pub const $name: &str = stringify!($name);)*
        /// Every code, in the order documented here.
        pub const ALL: &[&str] = &[$($name),*];
        /// Every code with its documentation (what `docs/errors.md` is generated from).
        pub const DESCRIBED: &[(&str, &str)] = &[$((stringify!($name), concat!($($doc),+))),*];
    };
}

/// The stable error codes (docs: `GamesaErrorCode` in the TypeScript package).
pub mod codes {
    error_codes! {
        /// A pool has too little free capacity for a request.
        INSUFFICIENT_CAPACITY,
        /// An amount is not finite, not positive, or not whole where the pool needs whole units.
        INVALID_AMOUNT,
        /// No pool is configured for the resource.
        UNKNOWN_RESOURCE,
        /// No live lease has the id.
        UNKNOWN_LEASE,
        /// An id (lease, contract, agent) is already in use.
        DUPLICATE_ID,
        /// A configuration document breaks a rule; the error names the JSON path.
        INVALID_CONFIG,
        /// An API argument is unusable: of the wrong JavaScript type (the message names the argument), out of range, or not fitting another (a signal's domain its kind does not belong to).
        INVALID_ARGUMENT,
        /// An agent lacks the capability (effect) an action needs.
        CAPABILITY_DENIED,
        /// An audit trail or file does not verify.
        AUDIT_CORRUPT,
        /// A file could not be read or written.
        IO_ERROR,
        /// A bug: a panic inside the native code, caught before it reached JavaScript.
        INTERNAL_PANIC,
        /// An expression does not compile; the error names line and column.
        EXPR_COMPILE,
        /// An expression failed while evaluating (overflow, division by zero, absent value).
        EXPR_EVAL,
        /// A rule or rule set is invalid.
        INVALID_RULE,
        /// A contract is invalid.
        INVALID_CONTRACT,
        /// No contract has the name.
        UNKNOWN_CONTRACT,
        /// A contract's condition was violated.
        CONTRACT_VIOLATION,
        /// A rate (CPU usage) needs a second reading before it exists.
        NEEDS_TWO_READINGS,
        /// An ActionGate configuration breaks a rule.
        INVALID_GATE,
        /// An engine configuration has problems (every one is listed).
        INVALID_ENGINE_CONFIG,
        /// A recorded trace is malformed.
        INVALID_TRACE,
        /// A simulator scenario breaks a rule.
        INVALID_SCENARIO,
        /// The simulated plant cannot apply an actuation.
        INVALID_ACTUATION,
        /// A telemetry file or device is absent.
        TELEMETRY_MISSING,
        /// A telemetry source needs more privilege than the process has.
        TELEMETRY_PERMISSION_DENIED,
        /// A telemetry source does not exist on this platform or machine.
        TELEMETRY_UNSUPPORTED,
        /// A telemetry file holds something that is not what it should be.
        TELEMETRY_MALFORMED,
        /// Reading a telemetry source failed.
        TELEMETRY_IO,
        /// An actuator cannot act here: the controller, file or device it needs is absent.
        ACTUATION_UNSUPPORTED,
        /// An actuation journal holds a line that is not a journal entry (other than a torn last line).
        JOURNAL_CORRUPT,
        /// Another writer holds the actuation journal's lock.
        JOURNAL_LOCKED,
        /// Another process appends to the audit file (one writer at a time).
        AUDIT_LOCKED,
        /// Another process writes the file (a trace being recorded, one writer at a time).
        FILE_LOCKED,
        /// Applying settings needs a capability (CAP_SYS_NICE, CAP_SYS_ADMIN) the process lacks; the message names it.
        ACTUATION_PERMISSION_DENIED,
        /// Live workloads, actuation and restore need Linux (/proc, cgroups, sysfs); the message names what was asked and the OS this runs on.
        UNSUPPORTED_PLATFORM,
        /// The GameMode-compatible D-Bus service cannot start: no session bus, or the bus could not be reached.
        GAMEMODE_UNAVAILABLE,
        /// Another process writes the experience store (one writer at a time).
        EXPERIENCE_LOCKED,
        /// A file is not an experience store this version can read (another kind of file, a
        /// newer schema, a damaged database).
        EXPERIENCE_INVALID,
        /// A policy proposal is malformed, does not apply to the active configuration, its expressions do not compile, or it loosens a gate limit, a contract or the safety domain without a person's leave; every problem is listed with its JSON path.
        INVALID_PROPOSAL,
        /// A language model could not give an answer: the endpoint refused or timed out after its retries, the token budget ran out, or the local model or its runtime is missing.
        LLM_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::codes;

    #[test]
    fn every_code_is_its_own_name_and_listed_once() {
        assert_eq!(codes::INVALID_CONFIG, "INVALID_CONFIG");
        let mut seen = std::collections::BTreeSet::new();
        for code in codes::ALL {
            assert!(seen.insert(*code), "{code} listed twice");
            assert!(
                code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{code}"
            );
        }
    }
}
