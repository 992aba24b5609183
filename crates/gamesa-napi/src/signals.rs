//! Binding for gamesa_core::signals (placeholder until it lands).
