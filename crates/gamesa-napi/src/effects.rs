//! Binding for gamesa_core::effects (placeholder until it lands).
