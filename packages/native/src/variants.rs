//! Gathering each (query, haplotype)'s stored variants into flat columns
//! (docs/read-semantics.md §3.7: unclipped, in stored order), with the ALT alleles
//! of marked rows reverse-complemented allele by allele (§3.5; `start` and
//! order unchanged).
//!
//! An output row may fold several consecutive groups (`groups_per_row`: the
//! haplotypes of one item, concatenated in order, no sort or dedup: the peer's
//! `unphased_union`), and an empty output row may get one placeholder variant
//! ([`Dummy`]: the peer's `dummy_variant`, its ALT reverse-complemented with
//! the row).
//!
//! Two passes, both one task per row through [`Exec`]: a counting pass gives
//! every row's variant count and ALT byte total, whose prefix sums are the
//! output offsets ([`Layout`]); the fill pass then writes each row into the
//! disjoint slices of the six output columns carved along those offsets.
//!
//! A per-variant `keep` mask (the peer's `min_af`/`max_af` filter, computed
//! once per dataset and thresholds) drops the variants it flags 0 from both
//! passes, so a filtered row is counted and filled exactly like a shorter one
//! (and gets the dummy when nothing is left).

use crate::batch::{Genotypes, Variants};
use crate::errors::{Code, GResult, GvlError, Value};
use crate::pool::Exec;
use crate::rc::rc_row;

/// The placeholder variant written into an output row that gathers none.
#[derive(Clone, Copy, Debug)]
pub struct Dummy<'a> {
    pub start: i32,
    pub ilen: i32,
    /// ASCII ALT bytes.
    pub alt: &'a [u8],
}

/// One gather batch: row `r` holds the variants of genotype groups
/// `groups[r * groups_per_row..(r + 1) * groups_per_row]`, in that order.
#[derive(Clone, Copy)]
pub struct GatherBatch<'a> {
    /// `(n_rows * groups_per_row)` indices into the genotype CSR.
    pub groups: &'a [i64],
    pub genotypes: Genotypes<'a>,
    /// The variant table; `alts` / `alt_offsets` are required.
    pub variants: Variants<'a>,
    /// `(n_rows)` flags: non-zero reverse-complements the row's ALT alleles.
    /// Empty: no row is reverse-complemented.
    pub rc_mask: &'a [u8],
    /// Consecutive groups per output row, >= 1.
    pub groups_per_row: usize,
    /// Written into every output row that gathers no variant.
    pub dummy: Option<Dummy<'a>>,
    /// `(n_variants)` flags over the variant table: a variant flagged 0 is
    /// skipped wherever it is stored. Empty: every variant is kept.
    pub keep: &'a [u8],
}

/// The output layout found by the counting pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `n_rows + 1`, from 0: row `r`'s variants are `offsets[r]..offsets[r + 1]`.
    pub offsets: Vec<usize>,
    /// `n_rows + 1`, from 0: row `r`'s ALT bytes are `alt_starts[r]..alt_starts[r + 1]`.
    pub alt_starts: Vec<usize>,
}

impl Layout {
    pub fn n_rows(&self) -> usize {
        self.offsets.len() - 1
    }
    pub fn n_variants(&self) -> usize {
        self.offsets[self.n_rows()]
    }
    pub fn alt_bytes(&self) -> usize {
        self.alt_starts[self.n_rows()]
    }

    /// The six output columns have exactly the lengths this layout needs.
    pub fn check(&self, out: &GatherOut) -> GResult<()> {
        let n = self.n_variants();
        let want: [(&str, usize, usize, &str); 6] = [
            (
                "out.offsets.length",
                out.offsets.len(),
                self.n_rows() + 1,
                "groups.length + 1",
            ),
            (
                "out.start.length",
                out.start.len(),
                n,
                "the number of gathered variants",
            ),
            (
                "out.ilen.length",
                out.ilen.len(),
                n,
                "the number of gathered variants",
            ),
            (
                "out.variantIdx.length",
                out.variant_idx.len(),
                n,
                "the number of gathered variants",
            ),
            (
                "out.alt.length",
                out.alt.len(),
                self.alt_bytes(),
                "the gathered ALT bytes",
            ),
            (
                "out.altOffsets.length",
                out.alt_offsets.len(),
                n + 1,
                "the number of gathered variants + 1",
            ),
        ];
        for (param, got, need, what) in want {
            if got != need {
                return Err(GvlError::invalid(param, got, &format!("{need} ({what})")));
            }
        }
        Ok(())
    }
}

/// The output columns, borrowed mutably for the fill pass.
pub struct GatherOut<'o> {
    /// int64 `(n_rows + 1)`: row `r` is `offsets[r]..offsets[r + 1]` of the variant columns.
    pub offsets: &'o mut [i64],
    /// int32 `(n)`: 0-based variant starts.
    pub start: &'o mut [i32],
    /// int32 `(n)`: `len(ALT) - len(REF)`.
    pub ilen: &'o mut [i32],
    /// uint8: ALT alleles concatenated.
    pub alt: &'o mut [u8],
    /// int64 `(n + 1)`: variant `i`'s ALT is `alt[alt_offsets[i]..alt_offsets[i + 1]]`.
    pub alt_offsets: &'o mut [i64],
    /// int32 `(n)`: the variant table row of each gathered variant, -1 for a dummy.
    pub variant_idx: &'o mut [i32],
}

/// One row's disjoint slices of the output columns.
struct RowOut<'o> {
    start: &'o mut [i32],
    ilen: &'o mut [i32],
    variant_idx: &'o mut [i32],
    alt: &'o mut [u8],
    /// `alt_offsets[offsets[r] + 1..offsets[r + 1] + 1]`: the end of each ALT.
    alt_ends: &'o mut [i64],
    /// Where the row's ALT bytes start in the whole `alt` column.
    alt_base: usize,
}

impl<'a> GatherBatch<'a> {
    pub fn n_rows(&self) -> usize {
        self.groups.len() / self.groups_per_row.max(1)
    }

    /// The variant-index slices of row `r`'s groups, in order.
    #[inline]
    fn row_variants(&self, r: usize) -> impl Iterator<Item = &'a [i32]> + '_ {
        let k = self.groups_per_row;
        self.groups[r * k..(r + 1) * k]
            .iter()
            .map(|&g| self.genotypes.group(g as usize))
    }

    /// Whether variant `v` passes the keep mask.
    #[inline]
    fn kept(&self, v: i32) -> bool {
        self.keep.is_empty() || self.keep[v as usize] != 0
    }

    #[inline]
    fn rc(&self, r: usize) -> bool {
        !self.rc_mask.is_empty() && self.rc_mask[r] != 0
    }

    /// All checks, before any pass runs: the variant table's shape, the mask
    /// length, every group and its genotype slice, every referenced variant
    /// index and ALT slice.
    pub fn validate(&self) -> GResult<()> {
        self.variants.validate_shape(true)?;
        if self.groups_per_row == 0 || !self.groups.len().is_multiple_of(self.groups_per_row) {
            return Err(GvlError::invalid(
                "groupsPerRow",
                self.groups_per_row,
                &format!(
                    "an integer >= 1 dividing groups.length ({})",
                    self.groups.len()
                ),
            ));
        }
        let n = self.n_rows();
        if !self.rc_mask.is_empty() && self.rc_mask.len() != n {
            return Err(GvlError::invalid(
                "rcMask.length",
                self.rc_mask.len(),
                &format!("{n} (one flag per row of groups) or no mask"),
            ));
        }
        let nv = self.variants.starts.len();
        if !self.keep.is_empty() && self.keep.len() != nv {
            return Err(GvlError::invalid(
                "keep.length",
                self.keep.len(),
                &format!("{nv} (one flag per variant of the table) or no mask"),
            ));
        }
        self.genotypes.validate_groups(self.groups)?;
        for &g in self.groups {
            let base = self.genotypes.offsets[g as usize] as usize;
            for (j, &v) in self.genotypes.group(g as usize).iter().enumerate() {
                self.variants.validate_variant(base + j, v, true, None)?;
            }
        }
        Ok(())
    }

    /// The counting pass: every row's variant count and ALT byte total,
    /// prefix-summed into the output layout in checked 64-bit arithmetic.
    /// Totals beyond `i64::MAX` (they could not be offsets) are a
    /// `GVL_OUTPUT_TOO_LARGE` error; whether the columns fit under the cap is
    /// checked where they are allocated.
    pub fn count(&self, exec: &Exec) -> GResult<Layout> {
        let n = self.n_rows();
        let mut sizes = vec![[0u64; 2]; n];
        exec.fixed_rows(&mut sizes, 1, |r, size| {
            let (mut count, mut bytes) = (0u64, 0u64);
            for vs in self.row_variants(r) {
                for &v in vs.iter().filter(|&&v| self.kept(v)) {
                    count += 1;
                    bytes += self.variants.alt(v as usize).len() as u64;
                }
            }
            size[0] = match self.dummy {
                Some(d) if count == 0 => [1, d.alt.len() as u64],
                _ => [count, bytes],
            };
        })?;
        let mut offsets = Vec::with_capacity(n + 1);
        let mut alt_starts = Vec::with_capacity(n + 1);
        let (mut nv, mut nb) = (0u64, 0u64);
        offsets.push(0);
        alt_starts.push(0);
        for [v, b] in sizes {
            nv = nv
                .checked_add(v)
                .filter(|&t| t <= i64::MAX as u64)
                .ok_or_else(|| too_many("int32 (start, ilen)"))?;
            nb = nb
                .checked_add(b)
                .filter(|&t| t <= i64::MAX as u64)
                .ok_or_else(|| too_many("uint8 (alt)"))?;
            offsets.push(nv as usize);
            alt_starts.push(nb as usize);
        }
        Ok(Layout {
            offsets,
            alt_starts,
        })
    }

    /// The fill pass: write every column of `out` (sized by
    /// [`Layout::check`]), one task per row over disjoint slices.
    pub fn fill(&self, exec: &Exec, layout: &Layout, out: GatherOut) -> GResult<()> {
        layout.check(&out)?;
        for (o, &x) in out.offsets.iter_mut().zip(&layout.offsets) {
            *o = x as i64;
        }
        let (first, alt_ends) = out.alt_offsets.split_at_mut(1);
        first[0] = 0;
        let n = self.n_rows();
        let mut rows = Vec::with_capacity(n);
        let (mut start, mut ilen, mut alt, mut ends) = (out.start, out.ilen, out.alt, alt_ends);
        let mut vidx = out.variant_idx;
        for r in 0..n {
            let nv = layout.offsets[r + 1] - layout.offsets[r];
            let nb = layout.alt_starts[r + 1] - layout.alt_starts[r];
            let (row_start, rest_start) = start.split_at_mut(nv);
            let (row_ilen, rest_ilen) = ilen.split_at_mut(nv);
            let (row_vidx, rest_vidx) = vidx.split_at_mut(nv);
            let (row_alt, rest_alt) = alt.split_at_mut(nb);
            let (row_ends, rest_ends) = ends.split_at_mut(nv);
            rows.push(RowOut {
                start: row_start,
                ilen: row_ilen,
                variant_idx: row_vidx,
                alt: row_alt,
                alt_ends: row_ends,
                alt_base: layout.alt_starts[r],
            });
            (start, ilen, alt, ends) = (rest_start, rest_ilen, rest_alt, rest_ends);
            vidx = rest_vidx;
        }
        exec.each(rows, |r, row| {
            gather_row(
                self.row_variants(r),
                self.keep,
                &self.variants,
                self.dummy,
                self.rc(r),
                row,
            )
        })
    }
}

/// The gathered totals overflow 63 bits: far past any cap.
fn too_many(dtype: &'static str) -> GvlError {
    let mut e = GvlError::new(
        Code::OutputTooLarge,
        format!(
            "groups gather more than 2^63 - 1 {dtype} elements: the output of this call \
             overflows 64-bit offsets; use a smaller batch"
        ),
    );
    e.param = Some("groups".to_owned());
    e.value = Some(Value::Str(">= 2^63".to_owned()));
    e
}

/// Copy one row's variants (start, ilen, ALT) into its output slices, group
/// after group in stored order, or the dummy when there are none and one is
/// set; with `rc`, each ALT allele is reverse-complemented on its own
/// (uppercase `ACGT` only, every other byte moved unchanged).
fn gather_row<'v>(
    groups: impl Iterator<Item = &'v [i32]>,
    keep: &[u8],
    variants: &Variants,
    dummy: Option<Dummy>,
    rc: bool,
    out: RowOut,
) {
    let mut o = 0;
    let mut j = 0;
    let mut put = |start: i32, ilen: i32, a: &[u8], idx: i32, j: usize| {
        out.start[j] = start;
        out.ilen[j] = ilen;
        out.variant_idx[j] = idx;
        let dst = &mut out.alt[o..o + a.len()];
        dst.copy_from_slice(a);
        if rc {
            rc_row(dst);
        }
        o += a.len();
        out.alt_ends[j] = (out.alt_base + o) as i64;
    };
    for var_idxs in groups {
        for &v in var_idxs {
            if !keep.is_empty() && keep[v as usize] == 0 {
                continue;
            }
            let i = v as usize;
            put(variants.starts[i], variants.ilens[i], variants.alt(i), v, j);
            j += 1;
        }
    }
    if let (0, Some(d)) = (j, dummy) {
        put(d.start, d.ilen, d.alt, -1, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::Code;
    use crate::pool::build;

    struct Table {
        starts: Vec<i32>,
        ilens: Vec<i32>,
        alts: Vec<u8>,
        alt_offsets: Vec<i64>,
        geno_offsets: Vec<i64>,
        variant_idxs: Vec<i32>,
    }

    impl Table {
        fn new(vs: &[(i32, i32, &str)], groups: &[&[i32]]) -> Table {
            let mut t = Table {
                starts: vec![],
                ilens: vec![],
                alts: vec![],
                alt_offsets: vec![0],
                geno_offsets: vec![0],
                variant_idxs: vec![],
            };
            for &(p, i, a) in vs {
                t.starts.push(p);
                t.ilens.push(i);
                t.alts.extend_from_slice(a.as_bytes());
                t.alt_offsets.push(t.alts.len() as i64);
            }
            for g in groups {
                t.variant_idxs.extend_from_slice(g);
                t.geno_offsets.push(t.variant_idxs.len() as i64);
            }
            t
        }
        fn batch<'a>(&'a self, groups: &'a [i64], rc_mask: &'a [u8]) -> GatherBatch<'a> {
            GatherBatch {
                groups,
                genotypes: Genotypes {
                    offsets: &self.geno_offsets,
                    variant_idxs: &self.variant_idxs,
                },
                variants: Variants {
                    starts: &self.starts,
                    ilens: &self.ilens,
                    alts: &self.alts,
                    alt_offsets: &self.alt_offsets,
                },
                rc_mask,
                groups_per_row: 1,
                dummy: None,
                keep: &[],
            }
        }
    }

    type Columns = (Vec<i64>, Vec<i32>, Vec<i32>, Vec<u8>, Vec<i64>);

    fn gather(b: &GatherBatch, exec: &Exec) -> Columns {
        gather_with_idx(b, exec).0
    }

    /// The five columns and the variant index column.
    fn gather_with_idx(b: &GatherBatch, exec: &Exec) -> (Columns, Vec<i32>) {
        b.validate().unwrap();
        let layout = b.count(exec).unwrap();
        let n = layout.n_variants();
        let mut c: Columns = (
            vec![-1; b.n_rows() + 1],
            vec![-1; n],
            vec![-1; n],
            vec![0xAA; layout.alt_bytes()],
            vec![-1; n + 1],
        );
        let mut vidx = vec![-2; n];
        let out = GatherOut {
            offsets: &mut c.0,
            start: &mut c.1,
            ilen: &mut c.2,
            alt: &mut c.3,
            alt_offsets: &mut c.4,
            variant_idx: &mut vidx,
        };
        b.fill(exec, &layout, out).unwrap();
        (c, vidx)
    }

    fn table() -> Table {
        Table::new(
            &[
                (3, 0, "G"),
                (5, 2, "ACg"),
                (8, -2, "T"),
                (9, 3, "CNTA"),
                (12, 0, "A"),
            ],
            // group 1 is empty; group 2 repeats variant 3
            &[&[0, 1, 3], &[], &[2, 3, 4]],
        )
    }

    #[test]
    fn gathers_rows_in_group_order_and_rcs_marked_alts() {
        let t = table();
        let groups = [2, 1, 0, 2];
        let b = t.batch(&groups, &[0, 1, 1, 1]);
        let (offsets, start, ilen, alt, alt_offsets) = gather(&b, &Exec::serial());
        assert_eq!(offsets, vec![0, 3, 3, 6, 9]);
        assert_eq!(start, vec![8, 9, 12, 3, 5, 9, 8, 9, 12]);
        assert_eq!(ilen, vec![-2, 3, 0, 0, 2, 3, -2, 3, 0]);
        // row 0 as stored; rows 2 and 3 allele by allele reverse-complemented
        // (lowercase and N are moved, never complemented)
        assert_eq!(
            std::str::from_utf8(&alt).unwrap(),
            concat!("T", "CNTA", "A", "C", "gGT", "TANG", "A", "TANG", "T")
        );
        assert_eq!(alt_offsets, vec![0, 1, 5, 6, 7, 10, 14, 15, 19, 20]);
    }

    #[test]
    fn empty_batches_and_rows() {
        let t = table();
        let (offsets, start, _, alt, alt_offsets) = gather(&t.batch(&[], &[]), &Exec::serial());
        assert_eq!(
            (offsets, start, alt, alt_offsets),
            (vec![0], vec![], vec![], vec![0])
        );
        let (offsets, _, _, alt, alt_offsets) = gather(&t.batch(&[1, 1], &[]), &Exec::serial());
        assert_eq!(
            (offsets, alt, alt_offsets),
            (vec![0, 0, 0], vec![], vec![0])
        );
    }

    #[test]
    fn folds_consecutive_groups_into_one_row_in_order() {
        let t = table();
        // rows: (2, 1) -> group 2's variants; (0, 2) -> group 0's then group 2's
        let groups = [2, 1, 0, 2];
        let mut b = t.batch(&groups, &[0, 1]);
        b.groups_per_row = 2;
        let (offsets, start, _, alt, _) = gather(&b, &Exec::serial());
        assert_eq!(offsets, vec![0, 3, 9]);
        assert_eq!(start, vec![8, 9, 12, 3, 5, 9, 8, 9, 12]);
        assert_eq!(
            std::str::from_utf8(&alt).unwrap(),
            concat!("T", "CNTA", "A", "C", "gGT", "TANG", "A", "TANG", "T")
        );
        b.groups_per_row = 3;
        let e = b.validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref()),
            (Code::InvalidArgument, Some("groupsPerRow"))
        );
    }

    #[test]
    fn the_dummy_fills_empty_rows_only_and_is_reverse_complemented_with_its_row() {
        let t = table();
        let dummy = Dummy {
            start: -1,
            ilen: 0,
            alt: b"AC",
        };
        let groups = [1, 0, 1, 1];
        let mut b = t.batch(&groups, &[0, 0, 1, 0]);
        b.dummy = Some(dummy);
        let (offsets, start, ilen, alt, alt_offsets) = gather(&b, &Exec::serial());
        assert_eq!(offsets, vec![0, 1, 4, 5, 6]);
        assert_eq!(start, vec![-1, 3, 5, 9, -1, -1]);
        assert_eq!(ilen, vec![0, 0, 2, 3, 0, 0]);
        assert_eq!(
            std::str::from_utf8(&alt).unwrap(),
            concat!("AC", "G", "ACg", "CNTA", "GT", "AC")
        );
        assert_eq!(alt_offsets, vec![0, 2, 3, 6, 10, 12, 14]);
        // Folded rows: the dummy goes only where every folded group is empty.
        b.groups_per_row = 2;
        b.rc_mask = &[0, 0];
        let (offsets, start, ..) = gather(&b, &Exec::serial());
        assert_eq!(offsets, vec![0, 3, 4]);
        assert_eq!(start, vec![3, 5, 9, -1]);
        // Serial == parallel with both.
        let many: Vec<i64> = (0..600).map(|i| (i * 5 % 3) as i64).collect();
        let mask: Vec<u8> = (0..300).map(|i| (i % 4 == 1) as u8).collect();
        let mut b = t.batch(&many, &mask);
        b.groups_per_row = 2;
        b.dummy = Some(dummy);
        let serial = gather(&b, &Exec::serial());
        let pool = build(4).unwrap();
        let par = Exec {
            pool: Some(&pool),
            cancel: None,
        };
        assert_eq!(gather(&b, &par), serial);
    }

    #[test]
    fn the_keep_mask_drops_flagged_variants_from_both_passes() {
        let t = table();
        // Rows: group 0 (0, 1, 3), group 2 (2, 3, 4) reverse-complemented, group 1 (empty).
        let groups = [0, 2, 1];
        let mut b = t.batch(&groups, &[0, 1, 0]);
        let (all, all_idx) = gather_with_idx(&b, &Exec::serial());
        assert_eq!(all_idx, vec![0, 1, 3, 2, 3, 4]);
        // Dropping variant 3 shortens both rows that store it, and only them.
        let keep = [1, 1, 1, 0, 1];
        b.keep = &keep;
        let ((offsets, start, ilen, alt, alt_offsets), idx) = gather_with_idx(&b, &Exec::serial());
        assert_eq!(offsets, vec![0, 2, 4, 4]);
        assert_eq!(idx, vec![0, 1, 2, 4]);
        assert_eq!(start, vec![3, 5, 8, 12]);
        assert_eq!(ilen, vec![0, 2, -2, 0]);
        assert_eq!(alt, b"GACgAT".to_vec());
        assert_eq!(alt_offsets, vec![0, 1, 4, 5, 6]);
        // Each kept variant's columns equal the unfiltered gather's for the same index.
        for (j, &v) in idx.iter().enumerate() {
            let k = all_idx.iter().position(|&x| x == v).unwrap();
            assert_eq!((start[j], ilen[j]), (all.1[k], all.2[k]));
        }
        // A row left empty by the mask gets the dummy, with index -1.
        let dummy = Dummy {
            start: -1,
            ilen: 0,
            alt: b"N",
        };
        let none = [0u8; 5];
        b.keep = &none;
        b.dummy = Some(dummy);
        let ((offsets, start, ..), idx) = gather_with_idx(&b, &Exec::serial());
        assert_eq!(offsets, vec![0, 1, 2, 3]);
        assert_eq!(start, vec![-1, -1, -1]);
        assert_eq!(idx, vec![-1, -1, -1]);
        // A mask of the wrong length is refused before any pass.
        let short = [1u8; 4];
        b.keep = &short;
        let e = b.validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.value),
            (
                Code::InvalidArgument,
                Some("keep.length"),
                Some(4usize.into())
            )
        );
        // Serial == parallel under a mask.
        let many: Vec<i64> = (0..600).map(|i| (i * 7 % 3) as i64).collect();
        let keep = [1, 0, 1, 0, 1];
        let mut b = t.batch(&many, &[]);
        b.keep = &keep;
        let serial = gather_with_idx(&b, &Exec::serial());
        let pool = build(4).unwrap();
        let par = Exec {
            pool: Some(&pool),
            cancel: None,
        };
        assert_eq!(gather_with_idx(&b, &par), serial);
    }

    #[test]
    fn serial_equals_parallel() {
        let t = table();
        let groups: Vec<i64> = (0..300).map(|i| (i * 7 % 3) as i64).collect();
        let mask: Vec<u8> = (0..300)
            .map(|i| (i % 5 == 1) as u8 * (1 + i as u8 % 3))
            .collect();
        let b = t.batch(&groups, &mask);
        let want = gather(&b, &Exec::serial());
        for n in [1, 2, 8] {
            let pool = build(n).unwrap();
            let par = Exec {
                pool: Some(&pool),
                cancel: None,
            };
            assert_eq!(gather(&b, &par), want, "{n} threads");
        }
    }

    #[test]
    fn validation_names_the_bad_value() {
        let t = table();
        let e = t.batch(&[0, 3], &[]).validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.index, e.value),
            (
                Code::IndexOutOfRange,
                Some("groups"),
                Some(1),
                Some(3i64.into())
            )
        );
        let e = t.batch(&[0], &[0, 1]).validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.value),
            (
                Code::InvalidArgument,
                Some("rcMask.length"),
                Some(2usize.into())
            )
        );
        let mut bad = table();
        bad.variant_idxs[4] = 5;
        let e = bad.batch(&[2], &[]).validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.index, e.value),
            (
                Code::IndexOutOfRange,
                Some("genotypes.variantIdxs"),
                Some(4),
                Some(5i64.into())
            )
        );
        // group 1 never references the bad index: not an error
        bad.batch(&[1], &[]).validate().unwrap();
        let mut bad = table();
        bad.alt_offsets[3] = 99;
        let e = bad.batch(&[0], &[]).validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.index),
            (Code::IndexOutOfRange, Some("variants.altOffsets"), Some(3))
        );
        let mut bad = table();
        bad.geno_offsets[2] = 1;
        let e = bad.batch(&[1], &[]).validate().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.index),
            (Code::IndexOutOfRange, Some("genotypes.offsets"), Some(1))
        );
    }

    #[test]
    fn wrong_output_lengths_are_refused() {
        let t = table();
        let b = t.batch(&[0], &[]);
        let layout = b.count(&Exec::serial()).unwrap();
        let (mut o, mut s, mut i, mut a, mut ao) =
            (vec![0; 2], vec![0; 3], vec![0; 3], vec![0; 8], vec![0; 3]);
        let mut vi = vec![0; 3];
        let e = b
            .fill(
                &Exec::serial(),
                &layout,
                GatherOut {
                    offsets: &mut o,
                    start: &mut s,
                    ilen: &mut i,
                    alt: &mut a,
                    alt_offsets: &mut ao,
                    variant_idx: &mut vi,
                },
            )
            .unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref(), e.value),
            (
                Code::InvalidArgument,
                Some("out.altOffsets.length"),
                Some(3usize.into())
            )
        );
    }

    #[test]
    fn abort_flag_stops_both_passes() {
        let t = table();
        let groups = [0, 2];
        let b = t.batch(&groups, &[]);
        let layout = b.count(&Exec::serial()).unwrap();
        let pool = build(2).unwrap();
        let flag = std::sync::atomic::AtomicBool::new(true);
        for pool in [None, Some(&pool)] {
            let exec = Exec {
                pool,
                cancel: Some(&flag),
            };
            assert_eq!(b.count(&exec).unwrap_err().code, Code::Aborted);
            let (mut o, mut s, mut i, mut a, mut ao) =
                (vec![0; 3], vec![0; 6], vec![0; 6], vec![0; 14], vec![0; 7]);
            let mut vi = vec![0; 6];
            let out = GatherOut {
                offsets: &mut o,
                start: &mut s,
                ilen: &mut i,
                alt: &mut a,
                alt_offsets: &mut ao,
                variant_idx: &mut vi,
            };
            assert_eq!(b.fill(&exec, &layout, out).unwrap_err().code, Code::Aborted);
        }
    }
}
