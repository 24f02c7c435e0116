//! Intervals to base-pair tracks (docs/read-semantics.md §3.6, `intervals_to_tracks`).

use crate::batch::out_offsets;
use crate::errors::{Code, GResult, GvlError};
use crate::pool::Exec;

/// Intervals as columns with CSR `offsets`: group `g` holds intervals
/// `offsets[g]..offsets[g + 1]`, sorted by start, in absolute coordinates.
#[derive(Clone, Copy)]
pub struct Intervals<'a> {
    pub starts: &'a [i32],
    pub ends: &'a [i32],
    pub values: &'a [f32],
    pub offsets: &'a [i64],
}

/// One tracks batch: row `i` covers `[regions[i].start, start + row_len)`.
#[derive(Clone, Copy)]
pub struct TracksBatch<'a> {
    pub regions: &'a [i32],
    /// `(n)` group index per query into `intervals.offsets`.
    pub groups: &'a [i64],
    pub intervals: Intervals<'a>,
    pub out_offsets: &'a [i64],
}

impl<'a> TracksBatch<'a> {
    pub fn validate(&self) -> GResult<Vec<usize>> {
        if !self.regions.len().is_multiple_of(3) {
            return Err(GvlError::invalid(
                "regions.length",
                self.regions.len(),
                "a multiple of 3 (rows of contig_idx, start, end)",
            ));
        }
        let n = self.regions.len() / 3;
        if self.groups.len() != n {
            return Err(GvlError::invalid(
                "groups.length",
                self.groups.len(),
                &format!("{n} (one per query)"),
            ));
        }
        let itv = &self.intervals;
        let n_itv = itv.starts.len();
        if itv.ends.len() != n_itv {
            return Err(GvlError::invalid(
                "intervals.ends.length",
                itv.ends.len(),
                &format!("{n_itv} (intervals.starts.length)"),
            ));
        }
        if itv.values.len() != n_itv {
            return Err(GvlError::invalid(
                "intervals.values.length",
                itv.values.len(),
                &format!("{n_itv} (intervals.starts.length)"),
            ));
        }
        let n_groups = itv.offsets.len() as i64 - 1;
        for (i, &g) in self.groups.iter().enumerate() {
            if g < 0 || g >= n_groups {
                return Err(GvlError::out_of_range(
                    "groups",
                    i,
                    g,
                    0,
                    n_groups.max(0),
                    "an index into intervals.offsets, which has length n_groups + 1",
                ));
            }
            let (s, e) = (itv.offsets[g as usize], itv.offsets[g as usize + 1]);
            if s < 0 || s > e || e > n_itv as i64 {
                return Err(GvlError {
                    code: Code::IndexOutOfRange,
                    message: format!(
                        "intervals.offsets[{g}..{}] = [{s}, {e}] is not a valid slice of the \
                         intervals (length {n_itv}); expected 0 <= start <= end <= length",
                        g + 1
                    ),
                    param: Some("intervals.offsets".to_owned()),
                    index: Some(g),
                    value: Some(if s < 0 || s > e { s.into() } else { e.into() }),
                });
            }
        }
        out_offsets("outOffsets", self.out_offsets, n)
    }

    pub fn run(&self, exec: &Exec, offsets: &[usize], out: &mut [f32]) -> GResult<()> {
        let itv = &self.intervals;
        exec.rows(out, offsets, |i, row| {
            let g = self.groups[i] as usize;
            let (s, e) = (itv.offsets[g] as usize, itv.offsets[g + 1] as usize);
            intervals_row(
                &itv.starts[s..e],
                &itv.ends[s..e],
                &itv.values[s..e],
                self.regions[3 * i + 1] as i64,
                row,
            );
        })
    }
}

/// Paint sorted intervals onto a zeroed row starting at `q_start`; later
/// intervals overwrite earlier ones; stops at the first interval starting at
/// or past the row's end.
pub fn intervals_row(starts: &[i32], ends: &[i32], values: &[f32], q_start: i64, out: &mut [f32]) {
    out.fill(0.0);
    let len = out.len() as i64;
    for i in 0..starts.len() {
        let rel_start = starts[i] as i64 - q_start;
        if rel_start >= len {
            break;
        }
        let s = rel_start.max(0);
        let e = (ends[i] as i64 - q_start).min(len);
        if e > s {
            out[s as usize..e as usize].fill(values[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_clamps_and_overwrites() {
        let mut out = vec![9.0f32; 6];
        // [8, 11) -> 1.0 clipped on the left; [11, 13) -> 2.0; [12, 20) -> 3.0
        // overwrites and is clipped on the right; [16, 18) is past the end.
        intervals_row(
            &[8, 11, 12, 16],
            &[11, 13, 20, 18],
            &[1.0, 2.0, 3.0, 4.0],
            10,
            &mut out,
        );
        assert_eq!(out, vec![1.0, 2.0, 3.0, 3.0, 3.0, 3.0]);
    }

    #[test]
    fn empty_group_is_zero() {
        let mut out = vec![9.0f32; 3];
        intervals_row(&[], &[], &[], 0, &mut out);
        assert_eq!(out, vec![0.0; 3]);
    }
}
