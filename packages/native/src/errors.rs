//! Structured errors that cross the FFI as `CODE: message\n{json detail}`.
//!
//! The TypeScript layer (`src-ts/errors.ts`) parses that encoding back into a
//! typed error class with the same stable `code`. Every message names the bad
//! value and what was expected.

use std::fmt::Write as _;

/// Stable error codes shared with the TypeScript layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// A malformed argument: wrong length, shape, non-monotone offsets, bad option.
    InvalidArgument,
    /// An index (contig, group, variant, offset) outside the range it indexes.
    IndexOutOfRange,
    /// `configurePool` called with a size different from the pool already fixed.
    PoolConfigured,
    /// The rayon pool could not be built.
    PoolBuildFailed,
    /// An output buffer could not be allocated.
    AllocationFailed,
    /// A call's output would take more bytes than the cap (`maxOutputBytes`),
    /// or its size overflows 64 bits.
    OutputTooLarge,
    /// The kernel was cancelled through its `AbortSignal`.
    Aborted,
    /// A Rust panic was caught before it could cross the FFI.
    NativePanic,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidArgument => "GVL_INVALID_ARGUMENT",
            Code::IndexOutOfRange => "GVL_INDEX_OUT_OF_RANGE",
            Code::PoolConfigured => "GVL_POOL_CONFIGURED",
            Code::PoolBuildFailed => "GVL_POOL_BUILD_FAILED",
            Code::AllocationFailed => "GVL_ALLOCATION_FAILED",
            Code::OutputTooLarge => "GVL_OUTPUT_TOO_LARGE",
            Code::Aborted => "GVL_ABORTED",
            Code::NativePanic => "GVL_NATIVE_PANIC",
        }
    }
}

/// The offending value carried in an error's detail.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}

/// A structured kernel error: a code, a human message, and the offending
/// parameter / index / value.
#[derive(Clone, Debug, PartialEq)]
pub struct GvlError {
    pub code: Code,
    pub message: String,
    pub param: Option<String>,
    pub index: Option<i64>,
    pub value: Option<Value>,
}

pub type GResult<T> = Result<T, GvlError>;

impl GvlError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        GvlError {
            code,
            message: message.into(),
            param: None,
            index: None,
            value: None,
        }
    }

    /// `param` (optionally element `index`) holds `value`, but `expected`.
    pub fn invalid(param: &str, value: impl Into<Value>, expected: &str) -> Self {
        let value = value.into();
        GvlError {
            code: Code::InvalidArgument,
            message: format!("{param} is {}; expected {expected}", show(&value)),
            param: Some(param.to_owned()),
            index: None,
            value: Some(value),
        }
    }

    /// `param[index] = value` is outside `[lo, hi)`; `context` says what it indexes.
    pub fn out_of_range(
        param: &str,
        index: usize,
        value: i64,
        lo: i64,
        hi: i64,
        context: &str,
    ) -> Self {
        GvlError {
            code: Code::IndexOutOfRange,
            message: format!(
                "{param}[{index}] = {value} is out of range; expected {lo} <= value < {hi} ({context})"
            ),
            param: Some(param.to_owned()),
            index: Some(index as i64),
            value: Some(Value::Int(value)),
        }
    }

    pub fn with_index(mut self, index: usize) -> Self {
        self.index = Some(index as i64);
        self
    }

    pub fn aborted() -> Self {
        GvlError::new(
            Code::Aborted,
            "the kernel was aborted through its AbortSignal",
        )
    }

    /// Encoded as `CODE: message\n{json}` for the TypeScript layer to parse.
    pub fn encode(&self) -> String {
        let mut json = String::from("{");
        let mut first = true;
        let mut field = |json: &mut String, k: &str, v: String| {
            if !first {
                json.push(',');
            }
            first = false;
            let _ = write!(json, "\"{k}\":{v}");
        };
        if let Some(p) = &self.param {
            field(&mut json, "param", json_str(p));
        }
        if let Some(i) = self.index {
            field(&mut json, "index", json_int(i));
        }
        if let Some(v) = &self.value {
            let enc = match v {
                Value::Int(i) => json_int(*i),
                Value::Float(f) if f.is_finite() => format!("{f}"),
                Value::Float(f) => json_str(&f.to_string()),
                Value::Str(s) => json_str(s),
            };
            field(&mut json, "value", enc);
        }
        json.push('}');
        format!(
            "{}: {}\n{}",
            self.code.as_str(),
            self.message.replace('\n', " "),
            json
        )
    }
}

impl std::fmt::Display for GvlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl From<GvlError> for napi::Error {
    fn from(e: GvlError) -> Self {
        napi::Error::new(napi::Status::GenericFailure, e.encode())
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => format!("{s:?}"),
    }
}

/// Integers beyond 2^53 are sent as strings so JSON.parse keeps every digit.
fn json_int(i: i64) -> String {
    if i.unsigned_abs() > (1u64 << 53) {
        format!("\"{i}\"")
    } else {
        i.to_string()
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_code_message_and_detail() {
        let e = GvlError::out_of_range("groups", 3, 99, 0, 10, "genotypes.offsets has 10 groups");
        assert_eq!(
            e.encode(),
            "GVL_INDEX_OUT_OF_RANGE: groups[3] = 99 is out of range; expected 0 <= value < 10 \
             (genotypes.offsets has 10 groups)\n{\"param\":\"groups\",\"index\":3,\"value\":99}"
        );
    }

    #[test]
    fn big_ints_and_strings_are_json_safe() {
        let e = GvlError::invalid("parallel", "a\"b", "a boolean");
        assert!(e
            .encode()
            .ends_with("{\"param\":\"parallel\",\"value\":\"a\\\"b\"}"));
        let e = GvlError::invalid("outOffsets", i64::MAX, "<= 4294967296");
        assert!(e.encode().contains("\"value\":\"9223372036854775807\""));
    }
}
