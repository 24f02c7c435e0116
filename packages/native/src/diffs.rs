//! Per-haplotype length differences (docs/read-semantics.md §3.2).

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::batch::{Genotypes, Queries, Variants};
use crate::errors::{GResult, GvlError};
use crate::pool::Exec;

/// One diffs batch: output `(n_queries, ploidy)` int32.
#[derive(Clone, Copy)]
pub struct DiffsBatch<'a> {
    pub queries: Queries<'a>,
    pub genotypes: Genotypes<'a>,
    pub variants: Variants<'a>,
}

impl<'a> DiffsBatch<'a> {
    pub fn validate(&self) -> GResult<usize> {
        self.queries.validate(false)?;
        self.variants.validate_shape(false)?;
        self.genotypes.validate_groups(self.queries.groups)?;
        self.variants
            .validate_referenced(&self.queries, &self.genotypes, false, None)?;
        Ok(self.queries.n_rows())
    }

    /// Fill `out` (`n * ploidy` int32). A row whose length change leaves the
    /// int32 range is a `GVL_INVALID_ARGUMENT` error naming the variant that
    /// took it there: the first such row, whatever the thread count.
    pub fn run(&self, exec: &Exec, out: &mut [i32]) -> GResult<()> {
        let q = &self.queries;
        let first_bad = AtomicUsize::new(usize::MAX);
        exec.fixed_rows(out, 1, |k, cell| {
            cell[0] = match self.row(k) {
                Ok(d) => d,
                Err(_) => {
                    first_bad.fetch_min(k, Ordering::Relaxed);
                    0
                }
            };
        })?;
        let k = first_bad.into_inner();
        if k == usize::MAX {
            return Ok(());
        }
        let Err(o) = self.row(k) else {
            return Ok(());
        };
        let query = k / q.ploidy;
        let mut e = GvlError::invalid(
            &format!("variants.ilens[{}]", o.variant),
            self.variants.ilens[o.variant],
            &format!(
                "an ILEN that keeps the length change of query {query}, haplotype {} \
                 (region [{}, {})) within int32 (it reaches {}; a corrupt ILEN?)",
                k % q.ploidy,
                q.start(query),
                q.end(query),
                o.total
            ),
        );
        e.param = Some("variants.ilens".to_owned());
        Err(e.with_index(o.variant))
    }

    fn row(&self, k: usize) -> Result<i32, DiffOverflow> {
        let q = &self.queries;
        let query = k / q.ploidy;
        diff_row(
            self.genotypes.group(q.group(k)),
            &self.variants,
            q.start(query),
            q.end(query),
        )
    }
}

/// A length change past the int32 range: the variant that took it there and
/// the (64-bit) total reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffOverflow {
    pub variant: usize,
    pub total: i64,
}

/// Sum of the in-region length changes of one haplotype's variants over the
/// region `[q_start, q_end)`, with overlaps resolved first-wins and deletions
/// clipped at both region edges. Accumulated in i64; a sum outside the int32
/// range of the output (the peer's int32 slot) is an error, never a wrap.
pub fn diff_row(
    var_idxs: &[i32],
    variants: &Variants,
    q_start: i64,
    q_end: i64,
) -> Result<i32, DiffOverflow> {
    let mut ref_idx = q_start;
    let mut acc: i64 = 0;
    for &v in var_idxs {
        let v = v as usize;
        let pos = variants.starts[v] as i64;
        let ilen = variants.ilens[v] as i64;
        let end = pos - ilen.min(0) + 1;
        if end <= q_start {
            continue;
        }
        if pos >= q_end {
            break;
        }
        if pos >= q_start && pos < ref_idx {
            continue;
        }
        ref_idx = ref_idx.max(end);
        let mut d = ilen;
        if d < 0 {
            d += (q_start - pos - 1).max(0);
        }
        d += (end - q_end).max(0);
        acc += d;
        if i32::try_from(acc).is_err() {
            return Err(DiffOverflow {
                variant: v,
                total: acc,
            });
        }
    }
    Ok(acc as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(vs: &[(i32, i32)], s: i64, e: i64) -> i32 {
        let starts: Vec<i32> = vs.iter().map(|v| v.0).collect();
        let ilens: Vec<i32> = vs.iter().map(|v| v.1).collect();
        let idx: Vec<i32> = (0..vs.len() as i32).collect();
        let view = Variants {
            starts: &starts,
            ilens: &ilens,
            alts: &[],
            alt_offsets: &[],
        };
        diff_row(&idx, &view, s, e).unwrap()
    }

    #[test]
    fn sums_in_region_changes() {
        assert_eq!(diff(&[], 0, 10), 0);
        assert_eq!(diff(&[(2, 3), (5, -2), (7, 0)], 0, 10), 1);
    }

    #[test]
    fn clips_deletions_at_both_edges() {
        // DEL at 1 of 4 bases (2..=5), region [4, 10): only 4 and 5 are in region.
        assert_eq!(diff(&[(1, -4)], 4, 10), -2);
        // DEL at 8 of 4 bases (9..=12), region [0, 10): only 9 is in region.
        assert_eq!(diff(&[(8, -4)], 0, 10), -1);
        // A DEL ending before the region is ignored; one at/after the end breaks.
        assert_eq!(diff(&[(0, -2)], 3, 10), 0);
        assert_eq!(diff(&[(10, 5)], 0, 10), 0);
    }

    #[test]
    fn insertion_at_last_base_counts_in_full() {
        assert_eq!(diff(&[(9, 4)], 0, 10), 4);
        // anchored just before the region: excluded
        assert_eq!(diff(&[(0, 4)], 1, 10), 0);
    }

    #[test]
    fn sums_past_int32_are_errors_not_wraps() {
        let starts = [1, 5, 9];
        let ilens = [i32::MAX, i32::MAX, -1];
        let view = Variants {
            starts: &starts,
            ilens: &ilens,
            alts: &[],
            alt_offsets: &[],
        };
        // One ILEN of 2^31 - 1 fits; the second takes the sum to 2^32 - 2,
        // which an i32 accumulator would wrap to -2.
        assert_eq!(diff_row(&[0], &view, 0, 10), Ok(i32::MAX));
        assert_eq!(
            diff_row(&[0, 1], &view, 0, 10),
            Err(DiffOverflow {
                variant: 1,
                total: 2 * i32::MAX as i64
            })
        );
        // Back within range after the overflow does not matter: the first exit wins.
        assert!(diff_row(&[0, 1, 2], &view, 0, 10).is_err());
    }

    #[test]
    fn overlaps_first_wins() {
        assert_eq!(diff(&[(2, -3), (3, 2)], 0, 10), -3);
    }
}
