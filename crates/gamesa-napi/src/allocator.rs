//! Binding for gamesa_core::allocation (placeholder until it lands).
