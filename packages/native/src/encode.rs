//! Sequence encodings applied as each finished row is written: integer
//! tokens through a 256-entry lookup table (the peer's `token_alphabet` /
//! `unknown_token`), or one-hot float32 rows (`alphabet.len()` columns per
//! base). A row is reconstructed (and reverse-complemented) as ASCII first,
//! then encoded by the same task that wrote it, inside the parallel loop:
//! no second pass over the batch, identical values for any thread count.

use crate::batch;
use crate::errors::{GResult, GvlError};
use crate::pool::Exec;

/// How sequence rows are returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Encoding {
    /// ASCII bytes as reconstructed.
    Ascii,
    /// `lut[byte]`: the byte's index in the alphabet, else the unknown token.
    /// `wide`: int32 output (a token above 255), else uint8.
    Tokens { lut: Box<[i32; 256]>, wide: bool },
    /// `width` float32 values per base: 1.0 in column `col[byte]` (the byte's
    /// index in the alphabet), all zero for a byte outside the alphabet (−1).
    OneHot { col: Box<[i16; 256]>, width: usize },
}

/// The encoded values of a batch's sequence rows.
pub enum SeqOut {
    U8(Vec<u8>),
    I32(Vec<i32>),
    F32(Vec<f32>),
}

/// Checks an alphabet: 1 to 256 distinct bytes (`GVL_INVALID_ARGUMENT`
/// naming the first repeated byte and both positions).
fn check_alphabet(param: &str, alphabet: &[u8]) -> GResult<()> {
    if alphabet.is_empty() || alphabet.len() > 256 {
        return Err(GvlError::invalid(
            &format!("{param}.alphabet.length"),
            alphabet.len(),
            "1 to 256 distinct bytes",
        ));
    }
    let mut seen = [usize::MAX; 256];
    for (i, &b) in alphabet.iter().enumerate() {
        let first = seen[b as usize];
        if first != usize::MAX {
            return Err(GvlError::invalid(
                &format!("{param}.alphabet"),
                format!("{:?} (byte {b})", b as char),
                &format!("distinct bytes: it repeats the byte at index {first}"),
            )
            .with_index(i));
        }
        seen[b as usize] = i;
    }
    Ok(())
}

impl Encoding {
    /// Parses an encoding option named `param`: `kind` `"ascii"`, `"tokens"`
    /// (needs `unknown_token`, an integer in `[0, 2^31 − 1]`) or `"oneHot"`;
    /// `alphabet` 1 to 256 distinct bytes, byte `alphabet[i]` being token /
    /// column `i`. Tokens are uint8 when every token (the alphabet's indices
    /// and the unknown token) is at most 255, else int32 (the peer's rule).
    pub fn parse(
        param: &str,
        kind: &str,
        alphabet: &[u8],
        unknown_token: Option<f64>,
    ) -> GResult<Encoding> {
        match kind {
            "ascii" => Ok(Encoding::Ascii),
            "tokens" => {
                check_alphabet(param, alphabet)?;
                let Some(unk) = unknown_token else {
                    return Err(GvlError::invalid(
                        &format!("{param}.unknownToken"),
                        "undefined",
                        "an integer in [0, 2147483647] (tokens need one)",
                    ));
                };
                if !(unk.fract() == 0.0 && (0.0..=i32::MAX as f64).contains(&unk)) {
                    return Err(GvlError::invalid(
                        &format!("{param}.unknownToken"),
                        unk,
                        "an integer in [0, 2147483647]",
                    ));
                }
                let unk = unk as i32;
                let mut lut = Box::new([unk; 256]);
                for (i, &b) in alphabet.iter().enumerate() {
                    lut[b as usize] = i as i32;
                }
                let max = unk.max(alphabet.len() as i32 - 1);
                Ok(Encoding::Tokens {
                    lut,
                    wide: max > u8::MAX as i32,
                })
            }
            "oneHot" => {
                check_alphabet(param, alphabet)?;
                let mut col = Box::new([-1i16; 256]);
                for (i, &b) in alphabet.iter().enumerate() {
                    col[b as usize] = i as i16;
                }
                Ok(Encoding::OneHot {
                    col,
                    width: alphabet.len(),
                })
            }
            other => Err(GvlError::invalid(
                &format!("{param}.kind"),
                other,
                "\"ascii\", \"tokens\" or \"oneHot\"",
            )),
        }
    }

    /// Output elements per base: the alphabet's size for one-hot, else 1.
    pub fn width(&self) -> usize {
        match self {
            Encoding::OneHot { width, .. } => *width,
            _ => 1,
        }
    }

    /// Bytes per output element.
    pub fn elem_size(&self) -> usize {
        match self {
            Encoding::Ascii | Encoding::Tokens { wide: false, .. } => 1,
            _ => 4,
        }
    }

    /// The output dtype's name.
    pub fn dtype(&self) -> &'static str {
        match self {
            Encoding::Ascii | Encoding::Tokens { wide: false, .. } => "uint8",
            Encoding::Tokens { wide: true, .. } => "int32",
            Encoding::OneHot { .. } => "float32",
        }
    }

    /// A zeroed output for `bases` bases (`bases · width` elements).
    pub fn alloc(&self, bases: usize) -> GResult<SeqOut> {
        let n = bases * self.width();
        Ok(match self {
            Encoding::Ascii | Encoding::Tokens { wide: false, .. } => SeqOut::U8(batch::zeroed(n)?),
            Encoding::Tokens { wide: true, .. } => SeqOut::I32(batch::zeroed(n)?),
            Encoding::OneHot { .. } => SeqOut::F32(batch::zeroed(n)?),
        })
    }

    /// `out[j] = lut[bases[j]]` (int32 tokens; `out` as long as `bases`).
    fn tokens_into(lut: &[i32; 256], bases: &[u8], out: &mut [i32]) {
        for (o, &b) in out.iter_mut().zip(bases) {
            *o = lut[b as usize];
        }
    }

    /// Base `j` of `bases` as `width` values from `out[j · width]`: 1.0 in
    /// column `col[byte]`, all zero when it is −1 (`out` is overwritten).
    fn one_hot_into(col: &[i16; 256], width: usize, bases: &[u8], out: &mut [f32]) {
        out.fill(0.0);
        for (j, &b) in bases.iter().enumerate() {
            let c = col[b as usize];
            if c >= 0 {
                out[j * width + c as usize] = 1.0;
            }
        }
    }

    /// Writes every row of `out`: row `k` covers bases
    /// `offsets[k]..offsets[k + 1]` (elements scaled by [`Encoding::width`]);
    /// `finish(k, row)` writes the row's ASCII bytes (every byte), which the
    /// same task then encodes. `out` must come from [`Encoding::alloc`] for
    /// `offsets`' last value.
    pub fn rows<F>(
        &self,
        exec: &Exec,
        offsets: &[usize],
        out: &mut SeqOut,
        finish: F,
    ) -> GResult<()>
    where
        F: Fn(usize, &mut [u8]) + Sync,
    {
        match (self, out) {
            (Encoding::Ascii, SeqOut::U8(v)) => exec.rows(v, offsets, finish),
            (Encoding::Tokens { lut, wide: false }, SeqOut::U8(v)) => {
                exec.rows(v, offsets, |k, row| {
                    finish(k, row);
                    for b in row.iter_mut() {
                        *b = lut[*b as usize] as u8;
                    }
                })
            }
            (Encoding::Tokens { lut, wide: true }, SeqOut::I32(v)) => {
                exec.rows(v, offsets, |k, row| {
                    let mut bases = vec![0u8; row.len()];
                    finish(k, &mut bases);
                    Self::tokens_into(lut, &bases, row);
                })
            }
            (Encoding::OneHot { col, width }, SeqOut::F32(v)) => {
                let scaled: Vec<usize> = offsets.iter().map(|&o| o * width).collect();
                exec.rows(v, &scaled, |k, row| {
                    let mut bases = vec![0u8; row.len() / width];
                    finish(k, &mut bases);
                    Self::one_hot_into(col, *width, &bases, row);
                })
            }
            _ => Err(GvlError::invalid(
                "encoding",
                self.dtype(),
                "an output allocated for this encoding",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial() -> Exec<'static> {
        Exec {
            pool: None,
            cancel: None,
        }
    }

    fn tokens(alphabet: &[u8], unk: f64) -> Encoding {
        Encoding::parse("e", "tokens", alphabet, Some(unk)).unwrap()
    }

    #[test]
    fn dtype_follows_the_largest_token() {
        assert_eq!(tokens(b"ACGT", 4.0).dtype(), "uint8");
        assert_eq!(tokens(b"ACGT", 255.0).dtype(), "uint8");
        assert_eq!(tokens(b"ACGT", 256.0).dtype(), "int32");
        let all: Vec<u8> = (0..=255u8).collect();
        assert_eq!(tokens(&all, 0.0).dtype(), "uint8");
        assert_eq!(
            Encoding::parse("e", "oneHot", b"ACGT", None)
                .unwrap()
                .dtype(),
            "float32"
        );
    }

    #[test]
    fn bad_options_name_the_value() {
        let dup = Encoding::parse("e", "tokens", b"ACGA", Some(4.0)).unwrap_err();
        assert!(dup.encode().contains("e.alphabet"), "{}", dup.encode());
        assert!(dup.encode().contains("index 0"), "{}", dup.encode());
        for bad in [-1.0, 0.5, 2147483648.0, f64::NAN] {
            let e = Encoding::parse("e", "tokens", b"ACGT", Some(bad)).unwrap_err();
            assert!(e.encode().contains("e.unknownToken"), "{}", e.encode());
        }
        assert!(Encoding::parse("e", "tokens", b"ACGT", None).is_err());
        assert!(Encoding::parse("e", "tokens", b"", Some(0.0)).is_err());
        assert!(Encoding::parse("e", "oneHot", b"", None).is_err());
        assert!(Encoding::parse("e", "bytes", b"ACGT", None).is_err());
    }

    /// Rows of known ASCII, encoded through `rows` with any thread count.
    fn encode_rows(enc: &Encoding, rows: &[&[u8]], exec: &Exec) -> SeqOut {
        let mut offsets = vec![0usize];
        for r in rows {
            offsets.push(offsets.last().unwrap() + r.len());
        }
        let mut out = enc.alloc(*offsets.last().unwrap()).unwrap();
        enc.rows(exec, &offsets, &mut out, |k, row| {
            row.copy_from_slice(rows[k])
        })
        .unwrap();
        out
    }

    #[test]
    fn tokens_map_each_byte_and_unknowns() {
        let rows: [&[u8]; 3] = [b"ACGTN", b"", b"acgT"];
        let SeqOut::U8(v) = encode_rows(&tokens(b"ACGT", 4.0), &rows, &serial()) else {
            panic!("uint8 expected");
        };
        assert_eq!(v, [0, 1, 2, 3, 4, 4, 4, 4, 3]);
        let SeqOut::I32(w) = encode_rows(&tokens(b"ACGT", 1000.0), &rows, &serial()) else {
            panic!("int32 expected");
        };
        assert_eq!(w, [0, 1, 2, 3, 1000, 1000, 1000, 1000, 3]);
    }

    #[test]
    fn one_hot_rows_are_zero_outside_the_alphabet() {
        let rows: [&[u8]; 2] = [b"AN", b"T"];
        let enc = Encoding::parse("e", "oneHot", b"ACGT", None).unwrap();
        let SeqOut::F32(v) = encode_rows(&enc, &rows, &serial()) else {
            panic!("float32 expected");
        };
        assert_eq!(v, [1., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1.]);
    }

    #[test]
    fn parallel_equals_serial() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let par = Exec {
            pool: Some(&pool),
            cancel: None,
        };
        let data: Vec<Vec<u8>> = (0..200)
            .map(|i| {
                (0..(i * 7) % 53)
                    .map(|j| b"ACGTNacgt"[(i + j) % 9])
                    .collect()
            })
            .collect();
        let rows: Vec<&[u8]> = data.iter().map(|r| r.as_slice()).collect();
        for enc in [
            tokens(b"ACGT", 4.0),
            tokens(b"ACGTN", 300.0),
            Encoding::parse("e", "oneHot", b"ACGT", None).unwrap(),
        ] {
            let (a, b) = (
                encode_rows(&enc, &rows, &serial()),
                encode_rows(&enc, &rows, &par),
            );
            match (a, b) {
                (SeqOut::U8(a), SeqOut::U8(b)) => assert_eq!(a, b),
                (SeqOut::I32(a), SeqOut::I32(b)) => assert_eq!(a, b),
                (SeqOut::F32(a), SeqOut::F32(b)) => assert_eq!(a, b),
                _ => panic!("dtypes differ"),
            }
        }
    }
}
