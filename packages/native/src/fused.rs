//! The fused haplotype batch: one call from a batch's region and sample
//! indices to finished haplotype bytes (gvl-semantics.md §3.2–3.5).
//!
//! Per batch it validates the indices, builds the jittered query geometry
//! and genotype groups, computes the per-haplotype length changes, the
//! output offsets and the random shifts, then reconstructs every
//! (query, haplotype) row and reverse-complements rows of negative-strand
//! regions, all in one parallel region over rows with disjoint output
//! slices. The per-row work is the existing kernels' (`diff_row`,
//! `reconstruct_row`, `rc_row`); only the index arithmetic moved here from
//! the TypeScript read path, so the bytes are those of the separate kernels
//! for any thread count.

use crate::batch::{Genotypes, Queries, Reference, Variants};
use crate::diffs::DiffsBatch;
use crate::errors::{GResult, GvlError};
use crate::haplotypes::reconstruct_row;
use crate::pool::Exec;
use crate::rc::rc_row;

/// The dataset side of a fused batch: everything that does not change from
/// one batch to the next.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub genotypes: Genotypes<'a>,
    pub variants: Variants<'a>,
    pub reference: Reference<'a>,
    /// int32 `(R, 4)` on-disk order: contig index, start, end (0-based,
    /// half-open, unpadded), strand (+1 / −1).
    pub regions: &'a [i32],
    /// `r_idx_map[i]`: on-disk row of input-order region `i`.
    pub r_idx_map: &'a [i32],
    pub n_samples: usize,
    pub ploidy: usize,
    pub pad: u8,
}

/// One batch request: `n` items, item `i` is (input region `region_idx[i]`,
/// sample `sample_idx[i]`).
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub region_idx: &'a [i32],
    pub sample_idx: &'a [i32],
    /// Per-item start offsets (jitter), or empty for none.
    pub jitter: &'a [i32],
    /// Per-(item, haplotype) uniforms in `[0, 1)` for random shifts (fixed
    /// length only), or empty for none.
    pub shift_u: &'a [f64],
    /// Fixed output length, or `None` for ragged rows of `len + diff`.
    pub length: Option<usize>,
    /// Reverse-complement rows of regions on the − strand.
    pub rc_neg: bool,
}

/// Everything about a batch except its bytes, computed before any output is
/// written.
pub struct Plan {
    /// `(n, 3)`: contig index, jittered start, jittered end.
    pub queries: Vec<i32>,
    /// `(n * ploidy)` genotype groups `((r·S + s)·P + p)`.
    pub groups: Vec<i64>,
    /// `(n * ploidy)` shifts (all zero without `shift_u`).
    pub shifts: Vec<i32>,
    /// `(n * ploidy)` length change of each haplotype over its region
    /// (shared with track realignment, which reads extra span for deletions).
    pub diffs: Vec<i32>,
    /// `(n)` reverse-complement flag per item.
    pub to_rc: Vec<bool>,
    /// `(n * ploidy + 1)` output offsets, starting at 0.
    pub offsets: Vec<i64>,
}

impl Plan {
    /// Output bytes.
    pub fn total(&self) -> usize {
        *self.offsets.last().unwrap_or(&0) as usize
    }
}

impl<'a> Source<'a> {
    /// One-time checks of the dataset side (shapes, reference offsets).
    pub fn validate(&self) -> GResult<()> {
        if self.ploidy == 0 {
            return Err(GvlError::invalid("ploidy", 0i64, "an integer >= 1"));
        }
        if !self.regions.len().is_multiple_of(4) {
            return Err(GvlError::invalid(
                "regions.length",
                self.regions.len(),
                "a multiple of 4 (rows of contig_idx, start, end, strand)",
            ));
        }
        let n_regions = self.regions.len() / 4;
        if let Some(i) = self
            .r_idx_map
            .iter()
            .position(|&r| r < 0 || r as usize >= n_regions)
        {
            return Err(GvlError::out_of_range(
                "rIdxMap",
                i,
                self.r_idx_map[i] as i64,
                0,
                n_regions as i64,
                "an on-disk region row",
            ));
        }
        let want = n_regions * self.n_samples * self.ploidy + 1;
        if self.genotypes.offsets.len() != want {
            return Err(GvlError::invalid(
                "genotypes.offsets.length",
                self.genotypes.offsets.len(),
                &format!("{want} (regions × samples × ploidy + 1)"),
            ));
        }
        self.variants.validate_shape(true)?;
        self.reference.validate()
    }

    /// Checks the request and computes the batch geometry, diffs, shifts and
    /// output offsets. Nothing is written to any output.
    pub fn plan(&self, req: &Request, exec: &Exec) -> GResult<Plan> {
        let n = req.region_idx.len();
        let p = self.ploidy;
        if req.sample_idx.len() != n {
            return Err(GvlError::invalid(
                "sampleIdx.length",
                req.sample_idx.len(),
                &format!("{n} (regionIdx.length)"),
            ));
        }
        if !req.jitter.is_empty() && req.jitter.len() != n {
            return Err(GvlError::invalid(
                "jitter.length",
                req.jitter.len(),
                &format!("{n} (one per item) or no jitter"),
            ));
        }
        if !req.shift_u.is_empty() {
            if req.shift_u.len() != n * p {
                return Err(GvlError::invalid(
                    "shiftU.length",
                    req.shift_u.len(),
                    &format!("{} (one per item and haplotype) or none", n * p),
                ));
            }
            if let Some(i) = req.shift_u.iter().position(|u| !(0.0..1.0).contains(u)) {
                return Err(
                    GvlError::invalid("shiftU", req.shift_u[i], "a number in [0, 1)").with_index(i),
                );
            }
        }
        if req.length == Some(0) {
            return Err(GvlError::invalid("length", 0i64, "an integer >= 1"));
        }
        let n_input = self.r_idx_map.len();
        let mut queries = Vec::with_capacity(n * 3);
        let mut groups = Vec::with_capacity(n * p);
        let mut lens = Vec::with_capacity(n);
        let mut to_rc = Vec::with_capacity(n);
        for i in 0..n {
            let ri = req.region_idx[i];
            if ri < 0 || ri as usize >= n_input {
                return Err(GvlError::out_of_range(
                    "regionIdx",
                    i,
                    ri as i64,
                    0,
                    n_input as i64,
                    "an input-order region index",
                ));
            }
            let si = req.sample_idx[i];
            if si < 0 || si as usize >= self.n_samples {
                return Err(GvlError::out_of_range(
                    "sampleIdx",
                    i,
                    si as i64,
                    0,
                    self.n_samples as i64,
                    "a sample index",
                ));
            }
            let r = self.r_idx_map[ri as usize] as usize;
            let row = &self.regions[4 * r..4 * r + 4];
            let off = if req.jitter.is_empty() {
                0
            } else {
                req.jitter[i]
            };
            let (start, end) = (row[1].checked_add(off), row[2].checked_add(off));
            let (Some(start), Some(end)) = (start, end) else {
                return Err(GvlError::invalid(
                    "jitter",
                    off,
                    "an offset that keeps the region inside the int32 range",
                )
                .with_index(i));
            };
            queries.extend_from_slice(&[row[0], start, end]);
            lens.push(row[2] as i64 - row[1] as i64);
            to_rc.push(req.rc_neg && row[3] == -1);
            let ds = (r * self.n_samples + si as usize) * p;
            for h in 0..p {
                groups.push((ds + h) as i64);
            }
        }

        let diffs_batch = DiffsBatch {
            queries: Queries {
                regions: &queries,
                ploidy: p,
                groups: &groups,
                shifts: &[],
            },
            genotypes: self.genotypes,
            variants: self.variants,
        };
        diffs_batch.queries.validate(false)?;
        self.reference.validate_contigs(&diffs_batch.queries)?;
        self.genotypes.validate_groups(&groups)?;
        self.variants.validate_referenced(
            &diffs_batch.queries,
            &self.genotypes,
            true,
            Some(&self.reference),
        )?;
        // Diffs are cheap (a walk over each row's variant indices): serial
        // unless the batch is large enough to be parallel anyway.
        let mut diffs = vec![0i32; n * p];
        diffs_batch.run(exec, &mut diffs)?;

        let mut shifts = vec![0i32; n * p];
        let mut offsets = Vec::with_capacity(n * p + 1);
        offsets.push(0i64);
        let mut acc: i64 = 0;
        for k in 0..n * p {
            let len = lens[k / p];
            let d = diffs[k] as i64;
            let row_len = match req.length {
                Some(l) => {
                    if !req.shift_u.is_empty() {
                        let max_shift = d.max(0) + (len - l as i64).max(0);
                        let s = (req.shift_u[k] * (max_shift as f64 + 1.0)).floor() as i64;
                        shifts[k] = s.min(max_shift) as i32;
                    }
                    l as i64
                }
                None => (len + d).max(0),
            };
            acc += row_len;
            offsets.push(acc);
        }
        Ok(Plan {
            queries,
            groups,
            shifts,
            diffs,
            to_rc,
            offsets,
        })
    }

    /// Writes every byte of `out` (length `plan.total()`): row
    /// `k = i * ploidy + h` at `out[offsets[k]..offsets[k + 1]]`,
    /// reverse-complemented when item `i` is flagged.
    pub fn run(&self, plan: &Plan, exec: &Exec, out: &mut [u8]) -> GResult<()> {
        let q = Queries {
            regions: &plan.queries,
            ploidy: self.ploidy,
            groups: &plan.groups,
            shifts: &plan.shifts,
        };
        let offsets: Vec<usize> = plan.offsets.iter().map(|&o| o as usize).collect();
        exec.rows(out, &offsets, |k, row| {
            let item = k / q.ploidy;
            reconstruct_row(
                self.genotypes.group(q.group(k)),
                &self.variants,
                q.shift(k),
                self.reference.contig(q.contig(item)),
                q.start(item),
                row,
                self.pad,
            );
            if plan.to_rc[item] {
                rc_row(row);
            }
        })
    }
}
