//! [`LeaseId`]: a standing lease's id as a lease change carries it. A tick reports a couple of
//! hundred changes; ids are short (`<agent>/<resource>`), so they are copied in place rather
//! than shared (see [`crate::inline_str`]).

/// A lease id: up to 30 bytes in place (the most that keep it at 32 bytes), longer ones
/// shared. Reads as a `str` and serializes as a JSON string.
pub type LeaseId = crate::inline_str::InlineStr<30>;
