//! Binding placeholder: lands with issue #3.
