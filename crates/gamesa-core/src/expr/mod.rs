//! Placeholder: lands with issue #3.
