//! The on-disk order of a dataset's regions, exactly as the Python peer
//! computes it.
//!
//! genvarloader 0.43.1 sorts the BED by (natsorted contig, start, end) when it
//! writes a dataset, and sorts `input_regions.arrow` again when it opens one,
//! to pair each stored row with its coordinates and strand. It sorts with
//! polars (`seqpro.bed.sort`), whose multi-column sort is rayon's
//! `par_sort_unstable_by` over `(row, contig)` pairs with the remaining
//! columns as tie-breakers. That sort is unstable: rows that tie on all three
//! keys come out in an order fixed by the algorithm, not by the input. Rows
//! that tie but differ in strand must therefore be stored in that same order,
//! or the peer gives each the other's strand. Running the same sort here, on
//! the same keys in the same input order, yields the same permutation: the
//! algorithm is deterministic and independent of the thread count, so it runs
//! on a private one-thread pool, never on the kernels' pool.

use napi::bindgen_prelude::{Float64Array, Uint32Array};
use napi_derive::napi;
use rayon::prelude::*;

use crate::errors::{Code, GResult, GvlError};

fn coordinate(param: &str, values: &[f64], i: usize) -> GResult<i64> {
    let v = values[i];
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        Ok(v as i64)
    } else {
        Err(GvlError::invalid(param, v, "an integer coordinate").with_index(i))
    }
}

/// The stored row order of regions given by `(contig_rank, start, end)` per
/// input row: `order[d]` is the input row stored at position `d`.
pub fn peer_order(contig_rank: &[u32], starts: &[f64], ends: &[f64]) -> GResult<Vec<u32>> {
    let n = contig_rank.len();
    for (param, len) in [("starts", starts.len()), ("ends", ends.len())] {
        if len != n {
            return Err(GvlError::invalid(
                param,
                len,
                &format!("a length equal to contigRank's ({n})"),
            ));
        }
    }
    if n > u32::MAX as usize {
        return Err(GvlError::invalid(
            "contigRank",
            n,
            "at most 2^32 - 1 regions",
        ));
    }
    let mut keys = Vec::with_capacity(n);
    for i in 0..n {
        keys.push((
            coordinate("starts", starts, i)?,
            coordinate("ends", ends, i)?,
        ));
    }
    let mut rows: Vec<(u32, u32)> = (0..n as u32)
        .map(|i| (i, contig_rank[i as usize]))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| GvlError::new(Code::PoolBuildFailed, e.to_string()))?;
    pool.install(|| {
        rows.par_sort_unstable_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| keys[a.0 as usize].0.cmp(&keys[b.0 as usize].0))
                .then_with(|| keys[a.0 as usize].1.cmp(&keys[b.0 as usize].1))
        })
    });
    Ok(rows.into_iter().map(|(i, _)| i).collect())
}

/// The stored (on-disk) order of a dataset's regions, as genvarloader 0.43.1
/// computes it at write and again at open: sorted by `contigRank` (the rank
/// of each region's contig among the natsorted contigs), then start, then
/// end, with ties in the order of the peer's unstable sort. `contigRank`,
/// `starts` and `ends` have one entry per input (BED) row; starts and ends
/// are 0-based, half-open, unpadded, integers. Returns `order` (uint32, one
/// per row): `order[d]` is the input row stored at position `d`. Use the
/// `peerRegionOrder` wrapper of `@gvl/native`.
#[napi]
pub fn peer_region_order(
    contig_rank: Uint32Array,
    starts: Float64Array,
    ends: Float64Array,
) -> napi::Result<Uint32Array> {
    let order = peer_order(&contig_rank, &starts, &ends)?;
    Ok(Uint32Array::new(order))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_contig_start_end() {
        let order =
            peer_order(&[1, 0, 0, 1], &[5.0, 9.0, 3.0, 1.0], &[6.0, 10.0, 4.0, 2.0]).unwrap();
        assert_eq!(order, vec![2, 1, 3, 0]);
    }

    #[test]
    fn ties_follow_rayon_unstable_sort_not_input_order() {
        // 30 rows, every locus listed 3 times: past rayon's insertion-sort
        // threshold, so ties are partitioned and input order is not kept.
        let n = 30usize;
        let rank = vec![0u32; n];
        let starts: Vec<f64> = (0..n).map(|i| ((i * 7) % 10) as f64 * 100.0).collect();
        let ends: Vec<f64> = starts.iter().map(|s| s + 50.0).collect();
        let order = peer_order(&rank, &starts, &ends).unwrap();
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
        for w in order.windows(2) {
            assert!(starts[w[0] as usize] <= starts[w[1] as usize]);
        }
    }

    #[test]
    fn mismatched_lengths_and_fractions_are_invalid() {
        let e = peer_order(&[0, 0], &[1.0], &[2.0, 3.0]).unwrap_err();
        assert_eq!(e.code.as_str(), "GVL_INVALID_ARGUMENT");
        let e = peer_order(&[0], &[1.5], &[2.0]).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("starts"));
    }
}
