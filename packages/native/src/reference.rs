//! Reference fetch with `N` padding.

use crate::batch::{out_offsets, Queries, Reference};
use crate::errors::GResult;
use crate::pool::Exec;

/// One reference batch: row `i` is the reference from `regions[i].start`
/// for `out_offsets[i + 1] - out_offsets[i]` bytes.
#[derive(Clone, Copy)]
pub struct ReferenceBatch<'a> {
    pub regions: &'a [i32],
    pub reference: Reference<'a>,
    pub out_offsets: &'a [i64],
    pub pad: u8,
}

impl<'a> ReferenceBatch<'a> {
    fn queries(&self) -> Queries<'a> {
        Queries {
            regions: self.regions,
            ploidy: 1,
            groups: &[],
            shifts: &[],
        }
    }

    pub fn validate(&self) -> GResult<Vec<usize>> {
        let q = self.queries();
        if !self.regions.len().is_multiple_of(3) {
            return Err(crate::errors::GvlError::invalid(
                "regions.length",
                self.regions.len(),
                "a multiple of 3 (rows of contig_idx, start, end)",
            ));
        }
        self.reference.validate()?;
        self.reference.validate_contigs(&q)?;
        out_offsets("outOffsets", self.out_offsets, q.n_queries())
    }

    pub fn run(&self, exec: &Exec, offsets: &[usize], out: &mut [u8]) -> GResult<()> {
        let q = self.queries();
        exec.rows(out, offsets, |i, row| {
            reference_row(
                self.reference.contig(q.contig(i)),
                q.start(i),
                row,
                self.pad,
            );
        })
    }
}

/// `out[i] = contig[start + i]` where that position exists, `pad` elsewhere.
pub fn reference_row(contig: &[u8], start: i64, out: &mut [u8], pad: u8) {
    let len = out.len() as i64;
    let clen = contig.len() as i64;
    let left = (-start).clamp(0, len);
    let from = start.max(0);
    let n = (clen - from).clamp(0, len - left);
    out[..left as usize].fill(pad);
    if n > 0 {
        out[left as usize..(left + n) as usize]
            .copy_from_slice(&contig[from as usize..(from + n) as usize]);
    }
    out[(left + n) as usize..].fill(pad);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(start: i64, len: usize) -> String {
        let mut out = vec![0u8; len];
        reference_row(b"ACGTA", start, &mut out, b'N');
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pads_both_sides() {
        assert_eq!(fetch(1, 3), "CGT");
        assert_eq!(fetch(-2, 4), "NNAC");
        assert_eq!(fetch(3, 4), "TANN");
        assert_eq!(fetch(-1, 7), "NACGTAN");
        assert_eq!(fetch(9, 2), "NN");
        assert_eq!(fetch(-9, 2), "NN");
        assert_eq!(fetch(0, 0), "");
    }
}
