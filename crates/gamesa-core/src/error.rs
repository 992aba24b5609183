//! The one convention every error of the stream follows: a stable machine-readable code
//! (what the TypeScript `GamesaError.code` carries) plus a human message from `Display`.

/// An error with a stable, documented code such as `INSUFFICIENT_CAPACITY`.
pub trait ErrorCode: std::fmt::Display {
    /// The stable code. Never changes meaning once published.
    fn code(&self) -> &'static str;
}
