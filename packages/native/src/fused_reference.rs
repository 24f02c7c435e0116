//! The reference output of a fused batch (docs/read-semantics.md §3.3): one row per
//! item, the reference from the item's jittered start, `pad` off the contig,
//! reverse-complemented for − strand items when asked.

use crate::batch::Reference;
use crate::encode::{Encoding, SeqOut};
use crate::errors::GResult;
use crate::fused_batch::Geometry;
use crate::pool::Exec;
use crate::rc::rc_row;
use crate::reference::reference_row;

/// `(n + 1)` row offsets from 0: row `i` holds `length` bytes when fixed,
/// else the item's unjittered region length.
pub fn offsets(geom: &Geometry, length: Option<usize>) -> Vec<i64> {
    let mut offsets = Vec::with_capacity(geom.n() + 1);
    offsets.push(0i64);
    let mut acc = 0i64;
    for &len in &geom.lens {
        // Saturating: an absurd request ends at i64::MAX, which the output cap refuses.
        acc = acc.saturating_add(match length {
            Some(l) => l as i64,
            None => len.max(0),
        });
        offsets.push(acc);
    }
    offsets
}

/// Writes every byte of `out` (length `offsets[n]`).
pub fn run(
    reference: &Reference,
    pad: u8,
    geom: &Geometry,
    offsets: &[usize],
    exec: &Exec,
    out: &mut [u8],
) -> GResult<()> {
    exec.rows(out, offsets, |i, row| {
        reference_row(reference.contig(geom.contig(i)), geom.start(i), row, pad);
        if geom.to_rc[i] {
            rc_row(row);
        }
    })
}

/// [`run`] with each finished row encoded by `enc` in the same task (`out`
/// from `enc.alloc(offsets[n])`).
pub fn run_encoded(
    reference: &Reference,
    pad: u8,
    geom: &Geometry,
    offsets: &[usize],
    exec: &Exec,
    enc: &Encoding,
    out: &mut SeqOut,
) -> GResult<()> {
    enc.rows(exec, offsets, out, |i, row| {
        reference_row(reference.contig(geom.contig(i)), geom.start(i), row, pad);
        if geom.to_rc[i] {
            rc_row(row);
        }
    })
}
