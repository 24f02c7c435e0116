//! The output cap: the most bytes one kernel call may allocate for its output.
//!
//! Every output size is computed in checked 64-bit arithmetic (element count
//! × element size, summed over the call's columns) and compared with the cap
//! before anything is allocated. An overflow or a size past the cap is a
//! `GVL_OUTPUT_TOO_LARGE` error naming the input that asked for it, the bytes
//! requested and the cap.
//!
//! The cap is process-wide (shared by every JS environment that loads the
//! addon). It starts at [`DEFAULT_MAX_OUTPUT_BYTES`], or at the value of the
//! `GVL_MAX_OUTPUT_BYTES` environment variable, read once on first use; a
//! later [`set_max_output_bytes`] replaces either.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use crate::errors::{Code, GResult, GvlError, Value};

/// The default cap: 4 GiB.
pub const DEFAULT_MAX_OUTPUT_BYTES: u64 = 4 << 30;

/// The largest cap accepted: 2^53 - 1, the largest integer a JS number holds exactly.
pub const MAX_CAP: u64 = (1 << 53) - 1;

/// The environment variable read once for the initial cap.
pub const ENV_VAR: &str = "GVL_MAX_OUTPUT_BYTES";

/// The cap set by [`set_max_output_bytes`]; 0 until then.
static CONFIGURED: AtomicU64 = AtomicU64::new(0);
/// The initial cap from the environment, parsed once (`None`: unset).
static FROM_ENV: OnceLock<Result<Option<u64>, GvlError>> = OnceLock::new();

/// Where the current cap comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    Env,
    Configured,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::Env => "env",
            Source::Configured => "configureLimits",
        }
    }
}

/// Parse a byte count: a decimal integer, optionally followed by a binary
/// unit `K`, `M`, `G` or `T` (case-insensitive; `Ki`, `KiB`, `KB` and `K`
/// all mean 1024), in `[1, 2^53 - 1]`.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 20 {
        return None;
    }
    let n: u64 = t[..digits].parse().ok()?;
    let rest = t[digits..].to_ascii_lowercase();
    let unit = rest.strip_suffix('b').unwrap_or(&rest);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    if shift == 0 && !rest.is_empty() {
        return None;
    }
    let bytes = n.checked_mul(1u64 << shift)?;
    (1..=MAX_CAP).contains(&bytes).then_some(bytes)
}

fn from_env() -> GResult<Option<u64>> {
    FROM_ENV
        .get_or_init(|| match std::env::var(ENV_VAR) {
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(v)) => Err(bad_env(&v.to_string_lossy())),
            Ok(v) => parse_bytes(&v).map(Some).ok_or_else(|| bad_env(&v)),
        })
        .clone()
}

fn bad_env(v: &str) -> GvlError {
    GvlError::invalid(
        ENV_VAR,
        v,
        "a byte count in [1, 2^53 - 1]: an integer, optionally with a binary unit K, M, G or T \
         (e.g. 4294967296 or 4G)",
    )
}

/// The current cap and where it comes from. An unparsable
/// `GVL_MAX_OUTPUT_BYTES` (with no cap set since) is a `GVL_INVALID_ARGUMENT`
/// error naming the variable.
pub fn current() -> GResult<(u64, Source)> {
    let c = CONFIGURED.load(Ordering::SeqCst);
    if c != 0 {
        return Ok((c, Source::Configured));
    }
    Ok(match from_env()? {
        Some(v) => (v, Source::Env),
        None => (DEFAULT_MAX_OUTPUT_BYTES, Source::Default),
    })
}

/// Replace the cap (process-wide, takes effect for calls that start afterwards).
pub fn set_max_output_bytes(bytes: u64) -> GResult<()> {
    if !(1..=MAX_CAP).contains(&bytes) {
        return Err(GvlError::invalid(
            "maxOutputBytes",
            bytes.min(i64::MAX as u64) as i64,
            "an integer in [1, 2^53 - 1]",
        ));
    }
    CONFIGURED.store(bytes, Ordering::SeqCst);
    Ok(())
}

/// One output column of a call: `elements` values of `elem_size` bytes
/// (`dtype`), sized by the input `param` (element `index`, when an array).
#[derive(Clone, Copy, Debug)]
pub struct Column<'a> {
    pub param: &'a str,
    pub index: Option<usize>,
    pub elements: u64,
    pub elem_size: usize,
    pub dtype: &'a str,
}

impl<'a> Column<'a> {
    /// A column sized by the whole input `param` (no element index).
    pub fn of(param: &'a str, elements: u64, elem_size: usize, dtype: &'a str) -> Self {
        Column {
            param,
            index: None,
            elements,
            elem_size,
            dtype,
        }
    }
}

/// Check that a call's output columns fit under the cap, before allocating
/// them: bytes are summed in checked u64 arithmetic. Returns the total bytes.
/// The first column whose bytes overflow or take the total past the cap is
/// named in the `GVL_OUTPUT_TOO_LARGE` error, with the bytes of the whole
/// call (or `>= 2^64`) and the cap.
pub fn check_output(columns: &[Column]) -> GResult<u64> {
    let (cap, source) = current()?;
    let mut total: Option<u64> = Some(0);
    let mut culprit: Option<&Column> = None;
    for c in columns {
        total = total.and_then(|t| c.elements.checked_mul(c.elem_size as u64)?.checked_add(t));
        if culprit.is_none() && total.is_none_or(|t| t > cap) {
            culprit = Some(c);
        }
    }
    match culprit {
        None => Ok(total.unwrap_or(0)),
        Some(c) => Err(too_large(c, &c.elements.to_string(), total, cap, source)),
    }
}

/// The `GVL_OUTPUT_TOO_LARGE` error for a column whose element count does not
/// even fit 64 bits (`elements` as text).
pub fn overflow_error(c: &Column, elements: &str) -> GvlError {
    match current() {
        Ok((cap, source)) => too_large(c, elements, None, cap, source),
        Err(e) => e,
    }
}

fn too_large(c: &Column, elements: &str, total: Option<u64>, cap: u64, source: Source) -> GvlError {
    let at = match c.index {
        Some(i) => format!("{}[{i}]", c.param),
        None => c.param.to_owned(),
    };
    let requested = match total {
        Some(t) => format!("{t} bytes"),
        None => "at least 2^64 bytes (the size overflows 64 bits)".to_owned(),
    };
    GvlError {
        code: Code::OutputTooLarge,
        message: format!(
            "{at} asks for {elements} {} elements: the output of this call would take {requested}, \
             more than the limit of {cap} bytes (maxOutputBytes, source: {}); use a smaller \
             batch, or raise the limit with configureLimits({{ maxOutputBytes }}) or {ENV_VAR}",
            c.dtype,
            source.as_str()
        ),
        param: Some(c.param.to_owned()),
        index: c.index.map(|i| i as i64),
        value: Some(match total {
            Some(t) if t <= i64::MAX as u64 => Value::Int(t as i64),
            Some(t) => Value::Str(t.to_string()),
            None => Value::Str(">= 2^64".to_owned()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_byte_counts() {
        assert_eq!(parse_bytes("4294967296"), Some(4 << 30));
        assert_eq!(parse_bytes(" 4G "), Some(4 << 30));
        assert_eq!(parse_bytes("512MiB"), Some(512 << 20));
        assert_eq!(parse_bytes("64kb"), Some(64 << 10));
        assert_eq!(parse_bytes("1T"), Some(1 << 40));
        for bad in [
            "",
            "0",
            "-1",
            "4.5G",
            "G",
            "4X",
            "4GG",
            "4 G",
            "4GiBB",
            "4Kii",
            "4ib",
            "9007199254740992",
            "99999999999999999999999",
            "8192T",
        ] {
            assert_eq!(parse_bytes(bad), None, "{bad:?}");
        }
        assert_eq!(parse_bytes("9007199254740991"), Some(MAX_CAP));
    }

    #[test]
    fn agrees_with_128_bit_arithmetic_at_the_edges() {
        let (cap, _) = current().unwrap();
        let edges = [
            0u64,
            1,
            cap / 8,
            cap / 4,
            cap / 4 + 1,
            cap - 1,
            cap,
            cap + 1,
            (1 << 31) - 1,
            1 << 31,
            (1 << 32) - 1,
            1 << 32,
            (1 << 53) - 1,
            (1 << 61) + 1,
            1 << 62,
            i64::MAX as u64,
            u64::MAX,
        ];
        for &a in &edges {
            for &b in &edges {
                for (sa, sb) in [(1, 1), (4, 8), (8, 4), (8, 8)] {
                    let want = a as u128 * sa as u128 + b as u128 * sb as u128;
                    let got = check_output(&[col(a, sa), col(b, sb)]);
                    if want <= cap as u128 {
                        assert_eq!(got.unwrap() as u128, want);
                    } else {
                        let e = got.unwrap_err();
                        assert_eq!(e.code, Code::OutputTooLarge);
                        let shown = match e.value {
                            Some(Value::Int(v)) => v.to_string(),
                            Some(Value::Str(v)) => v,
                            v => panic!("{v:?}"),
                        };
                        if want <= u64::MAX as u128 {
                            assert_eq!(shown, want.to_string());
                        } else {
                            assert_eq!(shown, ">= 2^64");
                        }
                    }
                }
            }
        }
    }

    fn col(elements: u64, elem_size: usize) -> Column<'static> {
        Column {
            param: "outOffsets",
            index: Some(1),
            elements,
            elem_size,
            dtype: "float32",
        }
    }

    #[test]
    fn counts_bytes_not_elements_and_never_wraps() {
        let (cap, _) = current().unwrap();
        assert_eq!(check_output(&[col(cap / 4, 4)]).unwrap(), cap / 4 * 4);
        let e = check_output(&[col(cap / 4 + 1, 4)]).unwrap_err();
        assert_eq!(e.code, Code::OutputTooLarge);
        assert_eq!(e.value, Some(Value::Int((cap / 4 + 1) as i64 * 4)));
        assert!(
            e.message.contains(&format!("limit of {cap} bytes")),
            "{}",
            e.message
        );
        // 2^62 elements of 8 bytes wrap u64 to 0 in unchecked arithmetic.
        let e = check_output(&[col(1 << 62, 8)]).unwrap_err();
        assert_eq!(e.value, Some(Value::Str(">= 2^64".to_owned())));
        // Two columns under the cap each, over it together: the second is named.
        let mut second = col(cap / 2 + 1, 1);
        second.param = "groups";
        second.index = None;
        let e = check_output(&[col(cap / 2, 1), second]).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("groups"));
        assert_eq!(e.index, None);
    }
}
