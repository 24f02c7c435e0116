//! The fused haplotype batch: one call from a batch's region and sample
//! indices to finished haplotype bytes (docs/read-semantics.md §3.2–3.5).
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
use crate::encode::{Encoding, SeqOut};
use crate::errors::{GResult, GvlError};
use crate::haplotypes::{Annotation, HaplotypeData};
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

impl Request<'_> {
    /// Checks `shift_u` (one uniform in `[0, 1)` per item and haplotype, or
    /// none) and `length` (>= 1).
    fn validate(&self, ploidy: usize) -> GResult<()> {
        let rows = self.region_idx.len() * ploidy;
        if !self.shift_u.is_empty() {
            if self.shift_u.len() != rows {
                return Err(GvlError::invalid(
                    "shiftU.length",
                    self.shift_u.len(),
                    &format!("{rows} (one per item and haplotype) or none"),
                ));
            }
            if let Some(i) = self.shift_u.iter().position(|u| !(0.0..1.0).contains(u)) {
                return Err(
                    GvlError::invalid("shiftU", self.shift_u[i], "a number in [0, 1)")
                        .with_index(i),
                );
            }
        }
        if self.length == Some(0) {
            return Err(GvlError::invalid("length", 0i64, "an integer >= 1"));
        }
        Ok(())
    }

    /// Per (item, haplotype) row `k`: its random shift (fixed length with
    /// `shift_u` only, else 0) and the row offsets (`rows + 1`, from 0), each
    /// row `length` long or, ragged, `lens[item] + diffs[k]` (at least 0).
    fn row_layout(&self, lens: &[i64], diffs: &[i32], ploidy: usize) -> (Vec<i32>, Vec<i64>) {
        let rows = diffs.len();
        let mut shifts = vec![0i32; rows];
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0i64);
        let mut acc: i64 = 0;
        for k in 0..rows {
            let len = lens[k / ploidy];
            let d = diffs[k] as i64;
            let row_len = match self.length {
                Some(l) => {
                    if !self.shift_u.is_empty() {
                        let max_shift = d.max(0) + (len - l as i64).max(0);
                        let s = (self.shift_u[k] * (max_shift as f64 + 1.0)).floor() as i64;
                        shifts[k] = s.min(max_shift) as i32;
                    }
                    l as i64
                }
                None => (len + d).max(0),
            };
            acc += row_len;
            offsets.push(acc);
        }
        (shifts, offsets)
    }
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

    /// The planned queries, groups and shifts as the kernels take them.
    pub fn queries(&self, ploidy: usize) -> Queries<'_> {
        Queries {
            regions: &self.queries,
            ploidy,
            groups: &self.groups,
            shifts: &self.shifts,
        }
    }
}

/// Per-item geometry of a batch.
pub struct Geometry {
    /// `(n, 3)`: contig index, jittered start, jittered end.
    pub queries: Vec<i32>,
    /// Unjittered region length per item.
    pub lens: Vec<i64>,
    /// Reverse (complement) flag per item: − strand and `rc_neg`.
    pub to_rc: Vec<bool>,
    /// On-disk region row per item (annotation-track group).
    pub rows: Vec<usize>,
    /// `r·S + s` per item (sample-track group).
    pub ds: Vec<usize>,
}

impl Geometry {
    pub fn n(&self) -> usize {
        self.lens.len()
    }
    pub fn contig(&self, i: usize) -> usize {
        self.queries[3 * i] as usize
    }
    pub fn start(&self, i: usize) -> i64 {
        self.queries[3 * i + 1] as i64
    }
}

/// The item side of a batch request: which (region, sample) pairs, their
/// jitter, and whether − strand rows are reverse-complemented.
pub struct Items<'r> {
    /// int32 `(n)` input-order region indices.
    pub region_idx: &'r [i32],
    /// int32 `(n)` sample indices.
    pub sample_idx: &'r [i32],
    /// int32 `(n)` start offsets, or empty for none.
    pub jitter: &'r [i32],
    pub rc_neg: bool,
}

/// Checks a batch's items against the dataset's regions (`(R, 4)`: contig,
/// start, end, strand, on-disk order), its input-order map and sample count,
/// and computes each item's jittered query, length, strand flag, on-disk row
/// and `r·S + s`: the geometry every fused output starts from
/// (`GVL_INVALID_ARGUMENT` / `GVL_INDEX_OUT_OF_RANGE` naming the element).
pub fn item_geometry(
    regions: &[i32],
    r_idx_map: &[i32],
    n_samples: usize,
    items: &Items,
) -> GResult<Geometry> {
    let n = items.region_idx.len();
    if items.sample_idx.len() != n {
        return Err(GvlError::invalid(
            "sampleIdx.length",
            items.sample_idx.len(),
            &format!("{n} (regionIdx.length)"),
        ));
    }
    if !items.jitter.is_empty() && items.jitter.len() != n {
        return Err(GvlError::invalid(
            "jitter.length",
            items.jitter.len(),
            &format!("{n} (one per item) or no jitter"),
        ));
    }
    let n_input = r_idx_map.len();
    let mut g = Geometry {
        queries: Vec::with_capacity(3 * n),
        lens: Vec::with_capacity(n),
        to_rc: Vec::with_capacity(n),
        rows: Vec::with_capacity(n),
        ds: Vec::with_capacity(n),
    };
    for i in 0..n {
        let ri = items.region_idx[i];
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
        let si = items.sample_idx[i];
        if si < 0 || si as usize >= n_samples {
            return Err(GvlError::out_of_range(
                "sampleIdx",
                i,
                si as i64,
                0,
                n_samples as i64,
                "a sample index",
            ));
        }
        let r = r_idx_map[ri as usize] as usize;
        let row = &regions[4 * r..4 * r + 4];
        let off = if items.jitter.is_empty() {
            0
        } else {
            items.jitter[i]
        };
        let (Some(start), Some(end)) = (row[1].checked_add(off), row[2].checked_add(off)) else {
            return Err(GvlError::invalid(
                "jitter",
                off,
                "an offset that keeps the region inside the int32 range",
            )
            .with_index(i));
        };
        g.queries.extend_from_slice(&[row[0], start, end]);
        g.lens.push(row[2] as i64 - row[1] as i64);
        g.to_rc.push(items.rc_neg && row[3] == -1);
        g.rows.push(r);
        g.ds.push(r * n_samples + si as usize);
    }
    Ok(g)
}

/// Checks the dataset side shared by every fused source: ploidy ≥ 1,
/// `regions` rows of 4 (contig, start, end, strand) and an input-order map
/// into them (`GVL_INVALID_ARGUMENT` / `GVL_INDEX_OUT_OF_RANGE`).
pub fn validate_layout(ploidy: usize, regions: &[i32], r_idx_map: &[i32]) -> GResult<()> {
    if ploidy == 0 {
        return Err(GvlError::invalid("ploidy", 0i64, "an integer >= 1"));
    }
    if !regions.len().is_multiple_of(4) {
        return Err(GvlError::invalid(
            "regions.length",
            regions.len(),
            "a multiple of 4 (rows of contig_idx, start, end, strand)",
        ));
    }
    let n_regions = regions.len() / 4;
    if let Some(i) = r_idx_map
        .iter()
        .position(|&r| r < 0 || r as usize >= n_regions)
    {
        return Err(GvlError::out_of_range(
            "rIdxMap",
            i,
            r_idx_map[i] as i64,
            0,
            n_regions as i64,
            "an on-disk region row",
        ));
    }
    Ok(())
}

impl<'a> Source<'a> {
    /// One-time checks of the dataset side (shapes, reference offsets).
    pub fn validate(&self) -> GResult<()> {
        validate_layout(self.ploidy, self.regions, self.r_idx_map)?;
        let n_regions = self.regions.len() / 4;
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
        req.validate(p)?;
        let Geometry {
            queries,
            lens,
            to_rc,
            ds,
            ..
        } = item_geometry(
            self.regions,
            self.r_idx_map,
            self.n_samples,
            &Items {
                region_idx: req.region_idx,
                sample_idx: req.sample_idx,
                jitter: req.jitter,
                rc_neg: req.rc_neg,
            },
        )?;
        let groups: Vec<i64> = ds
            .iter()
            .flat_map(|&d| (0..p).map(move |h| (d * p + h) as i64))
            .collect();

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

        let (shifts, offsets) = req.row_layout(&lens, &diffs, p);
        Ok(Plan {
            queries,
            groups,
            shifts,
            diffs,
            to_rc,
            offsets,
        })
    }

    /// What the haplotype rows are rebuilt from (`HaplotypeData::write_row`
    /// writes row `k` of the planned queries and returns its item).
    fn haplotype_data(&self) -> HaplotypeData<'a> {
        HaplotypeData {
            genotypes: self.genotypes,
            variants: self.variants,
            reference: self.reference,
            pad: self.pad,
        }
    }

    /// Writes every byte of `out` (length `plan.total()`): row
    /// `k = i * ploidy + h` at `out[offsets[k]..offsets[k + 1]]`,
    /// reverse-complemented when item `i` is flagged.
    pub fn run(&self, plan: &Plan, exec: &Exec, out: &mut [u8]) -> GResult<()> {
        let q = plan.queries(self.ploidy);
        let offsets: Vec<usize> = plan.offsets.iter().map(|&o| o as usize).collect();
        exec.rows(out, &offsets, |k, row| self.finish_row(plan, &q, k, row))
    }

    /// Writes haplotype row `k` of `plan`, reverse-complemented when its item
    /// is flagged (every byte of `row`).
    fn finish_row(&self, plan: &Plan, q: &Queries, k: usize, row: &mut [u8]) {
        let item = self.haplotype_data().write_row(q, k, row, None);
        if plan.to_rc[item] {
            rc_row(row);
        }
    }

    /// [`Source::run`] with each finished row encoded by `enc` in the same
    /// task (`out` from `enc.alloc(plan.total())`).
    pub fn run_encoded(
        &self,
        plan: &Plan,
        exec: &Exec,
        enc: &Encoding,
        out: &mut SeqOut,
    ) -> GResult<()> {
        let q = plan.queries(self.ploidy);
        let offsets: Vec<usize> = plan.offsets.iter().map(|&o| o as usize).collect();
        enc.rows(exec, &offsets, out, |k, row| {
            self.finish_row(plan, &q, k, row)
        })
    }
    /// [`Source::run`], also writing every element of `var_idxs` and
    /// `ref_coords` (each of length `plan.total()`, the same row offsets as
    /// `out`): per base, the variant-table row it came from (−1: reference or
    /// pad) and its reference coordinate (−1: before the contig, `i32::MAX`:
    /// past it). Rows of flagged items are reverse-complemented (bytes) and
    /// reversed (annotations), as the peer's annotated haplotypes.
    pub fn run_annotated(
        &self,
        plan: &Plan,
        exec: &Exec,
        out: &mut [u8],
        var_idxs: &mut [i32],
        ref_coords: &mut [i32],
    ) -> GResult<()> {
        let q = plan.queries(self.ploidy);
        let n_rows = plan.offsets.len().saturating_sub(1);
        let mut rows = Vec::with_capacity(n_rows);
        let (mut bytes, mut vis, mut rcs) = (out, var_idxs, ref_coords);
        for k in 0..n_rows {
            let w = (plan.offsets[k + 1] - plan.offsets[k]) as usize;
            let (b, b_rest) = bytes.split_at_mut(w);
            let (v, v_rest) = vis.split_at_mut(w);
            let (c, c_rest) = rcs.split_at_mut(w);
            rows.push((b, v, c));
            (bytes, vis, rcs) = (b_rest, v_rest, c_rest);
        }
        exec.each(rows, |k, (row, vi, rc)| {
            let mut annot = Annotation {
                var_idxs: vi,
                ref_coords: rc,
            };
            let item = self
                .haplotype_data()
                .write_row(&q, k, row, Some(&mut annot));
            if plan.to_rc[item] {
                rc_row(row);
                annot.reverse();
            }
        })
    }
}
