//! Core errors and panics to JS errors with a `code` property.

use gamesa_core::ErrorCode;
use gamesa_core::error::codes;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A napi error whose status is our code string: napi-rs puts it on the JS error's `code`.
pub type JsError = napi::Error<String>;
pub type JsResult<T> = Result<T, JsError>;

/// Converts any core error to a JS error carrying its code.
pub fn to_js<E: ErrorCode>(e: E) -> JsError {
    napi::Error::new(e.code().to_string(), e.to_string())
}

/// A JS error with an explicit code, for argument errors the binding detects while converting.
pub fn js_error(code: &str, message: impl Into<String>) -> JsError {
    napi::Error::new(code.to_string(), message.into())
}

/// Runs `f`, turning a panic into `INTERNAL_PANIC`. Unwinding out of an `extern "C"` callback
/// would abort the process, so every entry point goes through here.
pub fn guard<T>(f: impl FnOnce() -> JsResult<T>) -> JsResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            Err(js_error(
                codes::INTERNAL_PANIC,
                format!("internal error in gamesa-core (a bug, please report it): {what}"),
            ))
        }
    }
}
