//! Haplotype reconstruction (docs/read-semantics.md §3.3).

use crate::batch::{out_offsets, Genotypes, Queries, Reference, Variants};
use crate::errors::GResult;
use crate::pool::Exec;

/// One haplotype batch: row `k = query * ploidy + hap` of the output is
/// `out[out_offsets[k]..out_offsets[k + 1]]`.
#[derive(Clone, Copy)]
pub struct HaplotypeBatch<'a> {
    pub queries: Queries<'a>,
    pub genotypes: Genotypes<'a>,
    pub variants: Variants<'a>,
    pub reference: Reference<'a>,
    pub out_offsets: &'a [i64],
    pub pad: u8,
}

impl<'a> HaplotypeBatch<'a> {
    /// All checks, before any output is written. Returns the row offsets.
    pub fn validate(&self) -> GResult<Vec<usize>> {
        self.queries.validate(false)?;
        self.variants.validate_shape(true)?;
        self.reference.validate()?;
        self.reference.validate_contigs(&self.queries)?;
        self.genotypes.validate_groups(self.queries.groups)?;
        self.variants.validate_referenced(
            &self.queries,
            &self.genotypes,
            true,
            Some(&self.reference),
        )?;
        out_offsets("outOffsets", self.out_offsets, self.queries.n_rows())
    }

    /// Fill `out` (length `out_offsets[last]`) row by row.
    pub fn run(&self, exec: &Exec, offsets: &[usize], out: &mut [u8]) -> GResult<()> {
        let data = HaplotypeData {
            genotypes: self.genotypes,
            variants: self.variants,
            reference: self.reference,
            pad: self.pad,
        };
        exec.rows(out, offsets, |k, row| {
            data.write_row(&self.queries, k, row, None);
        })
    }
}

/// What a haplotype row is rebuilt from: the genotype groups, the variant
/// table (with ALT alleles), the reference and the pad byte.
#[derive(Clone, Copy)]
pub struct HaplotypeData<'a> {
    pub genotypes: Genotypes<'a>,
    pub variants: Variants<'a>,
    pub reference: Reference<'a>,
    pub pad: u8,
}

impl HaplotypeData<'_> {
    /// Reconstructs row `k` of `q` (query `k / ploidy`, haplotype
    /// `k % ploidy`) into `row`, and its annotations when given; returns the
    /// query index.
    pub fn write_row(
        &self,
        q: &Queries,
        k: usize,
        row: &mut [u8],
        annot: Option<&mut Annotation>,
    ) -> usize {
        let query = k / q.ploidy;
        reconstruct_row(
            self.genotypes.group(q.group(k)),
            &self.variants,
            q.shift(k),
            self.reference.contig(q.contig(query)),
            q.start(query),
            row,
            self.pad,
            annot,
        );
        query
    }
}

/// `ref_coords` value of a base left of the contig start (leading pad).
pub const COORD_BEFORE_CONTIG: i32 = -1;
/// `ref_coords` value of a base past the contig end (trailing pad): `i32::MAX`.
pub const COORD_PAST_CONTIG: i32 = i32::MAX;
/// `var_idxs` value of a base not from a variant (reference or pad).
pub const NOT_A_VARIANT: i32 = -1;

/// The per-base annotation rows of one haplotype, each as long as its bytes:
/// the variant-table row each base came from ([`NOT_A_VARIANT`] for reference
/// and pad) and the reference coordinate it maps to (the variant's start for
/// every base of an allele; [`COORD_BEFORE_CONTIG`] / [`COORD_PAST_CONTIG`] for
/// pad), as the peer's `AnnotatedHaps`.
pub struct Annotation<'r> {
    pub var_idxs: &'r mut [i32],
    pub ref_coords: &'r mut [i32],
}

impl Annotation<'_> {
    fn reference(&mut self, o: i64, n: i64, ref_idx: i64) {
        let (o, n) = (o as usize, n as usize);
        self.var_idxs[o..o + n].fill(NOT_A_VARIANT);
        for (j, c) in self.ref_coords[o..o + n].iter_mut().enumerate() {
            *c = (ref_idx + j as i64) as i32;
        }
    }

    fn allele(&mut self, o: i64, n: i64, v: usize, pos: i64) {
        let (o, n) = (o as usize, n as usize);
        self.var_idxs[o..o + n].fill(v as i32);
        self.ref_coords[o..o + n].fill(pos as i32);
    }

    fn pad(&mut self, o: i64, n: i64, coord: i32) {
        let (o, n) = (o as usize, n as usize);
        self.var_idxs[o..o + n].fill(NOT_A_VARIANT);
        self.ref_coords[o..o + n].fill(coord);
    }

    /// Reverses both rows (the bytes of a − strand row are reverse-complemented).
    pub fn reverse(&mut self) {
        self.var_idxs.reverse();
        self.ref_coords.reverse();
    }
}

/// Reconstruct one haplotype into `out`, starting at reference position
/// `ref_start` (may be negative: left `pad`), skipping the first `shift`
/// bytes of the haplotype, right-padding past the contig end. Every byte of
/// `out` is written.
///
/// `var_idxs` index `variants` and are sorted by position. Overlapping
/// variants: the first wins (as `bcftools consensus`). A deletion starting
/// before `ref_start` and reaching it moves the reference cursor to its end.
///
/// With `annot`, every element of its rows (as long as `out`) is written too:
/// the same segments (reference run, allele, pad) carry their variant index
/// and reference coordinate.
#[allow(clippy::too_many_arguments)]
// Long on purpose: one walk whose cursors (reference, output, shift) every step
// shares; it follows the peer's `reconstruct_haplotype_from_sparse` step by step, so it stays whole.
pub fn reconstruct_row(
    var_idxs: &[i32],
    variants: &Variants,
    shift: i64,
    contig: &[u8],
    ref_start: i64,
    out: &mut [u8],
    pad: u8,
    mut annot: Option<&mut Annotation>,
) {
    let len = out.len() as i64;
    let contig_len = contig.len() as i64;
    let mut ref_idx = ref_start;
    let mut o: i64 = 0;
    let mut shifted: i64 = 0;

    if ref_idx < 0 {
        shifted = shift.min(-ref_idx);
        let n = (-ref_idx - shifted).min(len);
        out[..n as usize].fill(pad);
        if let Some(a) = annot.as_deref_mut() {
            a.pad(0, n, COORD_BEFORE_CONTIG);
        }
        o = n;
        ref_idx = 0;
    }

    for &v in var_idxs {
        let v = v as usize;
        let pos = variants.starts[v] as i64;
        let ilen = variants.ilens[v] as i64;
        let alt = variants.alt(v);
        let alt_len = alt.len() as i64;
        let v_end = pos - ilen.min(0) + 1;

        // Deletion spanning the start of the query.
        if pos < ref_start && ilen < 0 && v_end >= ref_start {
            ref_idx = v_end;
            continue;
        }
        // Overlapping a variant already applied: the first wins.
        if pos < ref_idx {
            continue;
        }

        let mut allele_start: i64 = 0;
        if shifted < shift {
            let dist = pos - ref_idx;
            if shifted + dist + alt_len < shift {
                // Not enough to finish the shift even with this variant; the
                // reference cursor deliberately stays put (peer quirk).
                continue;
            } else if shifted + dist >= shift {
                ref_idx += shift - shifted;
                shifted = shift;
            } else {
                allele_start = shift - shifted - dist;
                shifted = shift;
                if allele_start == alt_len {
                    ref_idx = v_end;
                    continue;
                }
                ref_idx = pos;
            }
        }

        let gap = pos - ref_idx;
        if o + gap >= len {
            break;
        }
        out[o as usize..(o + gap) as usize]
            .copy_from_slice(&contig[ref_idx as usize..pos as usize]);
        if let Some(a) = annot.as_deref_mut() {
            a.reference(o, gap, ref_idx);
        }
        o += gap;

        let w = (alt_len - allele_start).min(len - o);
        out[o as usize..(o + w) as usize]
            .copy_from_slice(&alt[allele_start as usize..(allele_start + w) as usize]);
        if let Some(a) = annot.as_deref_mut() {
            a.allele(o, w, v, pos);
        }
        o += w;
        ref_idx = v_end;
        if o >= len {
            break;
        }
    }

    if shifted < shift {
        ref_idx = (ref_idx + (shift - shifted)).min(contig_len);
    }

    if o < len {
        let k = (len - o).min(contig_len - ref_idx).max(0);
        if k > 0 {
            out[o as usize..(o + k) as usize]
                .copy_from_slice(&contig[ref_idx as usize..(ref_idx + k) as usize]);
        }
        out[(o + k) as usize..].fill(pad);
        if let Some(a) = annot {
            a.reference(o, k, ref_idx);
            a.pad(o + k, len - o - k, COORD_PAST_CONTIG);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vs {
        starts: Vec<i32>,
        ilens: Vec<i32>,
        alts: Vec<u8>,
        offs: Vec<i64>,
    }

    impl Vs {
        fn new(vs: &[(i32, i32, &str)]) -> Vs {
            let mut out = Vs {
                starts: vec![],
                ilens: vec![],
                alts: vec![],
                offs: vec![0],
            };
            for &(p, i, a) in vs {
                out.starts.push(p);
                out.ilens.push(i);
                out.alts.extend_from_slice(a.as_bytes());
                out.offs.push(out.alts.len() as i64);
            }
            out
        }
        fn view(&self) -> Variants<'_> {
            Variants {
                starts: &self.starts,
                ilens: &self.ilens,
                alts: &self.alts,
                alt_offsets: &self.offs,
            }
        }
    }

    fn hap(contig: &str, vs: &[(i32, i32, &str)], start: i64, len: usize, shift: i64) -> String {
        let t = Vs::new(vs);
        let idx: Vec<i32> = (0..vs.len() as i32).collect();
        let mut out = vec![0u8; len];
        reconstruct_row(
            &idx,
            &t.view(),
            shift,
            contig.as_bytes(),
            start,
            &mut out,
            b'N',
            None,
        );
        String::from_utf8(out).unwrap()
    }

    const REF: &str = "ACGTACGTAC"; // 10 bp

    #[test]
    fn no_variants_is_the_reference() {
        assert_eq!(hap(REF, &[], 2, 5, 0), "GTACG");
    }

    #[test]
    fn snv_insertion_deletion() {
        // SNV at 3 (T -> G)
        assert_eq!(hap(REF, &[(3, 0, "G")], 0, 6, 0), "ACGGAC");
        // insertion after 2: G -> GTT
        assert_eq!(hap(REF, &[(2, 2, "GTT")], 0, 8, 0), "ACGTTTAC");
        // deletion at 2 of 2 bases (GTA -> G)
        assert_eq!(hap(REF, &[(2, -2, "G")], 0, 6, 0), "ACGCGT");
    }

    #[test]
    fn deletion_spanning_start() {
        // DEL at 1 removes 2,3,4; query starts at 3: cursor jumps to 5.
        assert_eq!(hap(REF, &[(1, -3, "C")], 3, 4, 0), "CGTA");
        // A DEL ending exactly at the start (v_end == start) also moves the cursor there.
        assert_eq!(hap(REF, &[(0, -2, "A")], 3, 3, 0), "TAC");
    }

    #[test]
    fn overlapping_first_wins() {
        assert_eq!(hap(REF, &[(2, -2, "G"), (3, 0, "A")], 0, 6, 0), "ACGCGT");
        assert_eq!(hap(REF, &[(2, 0, "T"), (2, 0, "C")], 0, 5, 0), "ACTTA");
    }

    #[test]
    fn insertion_at_last_base_is_included_in_full() {
        // region [0, 4): insertion anchored at 3 (the last base) is written in full
        // when the row has room (ragged length 4 + 3).
        assert_eq!(hap(REF, &[(3, 3, "TGGG")], 0, 7, 0), "ACGTGGG");
        // with a fixed length 5 it is truncated
        assert_eq!(hap(REF, &[(3, 3, "TGGG")], 0, 5, 0), "ACGTG");
    }

    #[test]
    fn left_pad_when_start_negative() {
        assert_eq!(hap(REF, &[], -3, 6, 0), "NNNACG");
        assert_eq!(hap(REF, &[(1, 0, "T")], -2, 5, 0), "NNATG");
        // the pad is clamped to the row length
        assert_eq!(hap(REF, &[(1, 0, "T")], -20, 5, 0), "NNNNN");
        // a shift consumes the pad first
        assert_eq!(hap(REF, &[], -3, 4, 2), "NACG");
    }

    #[test]
    fn right_pad_past_contig_end() {
        assert_eq!(hap(REF, &[], 7, 6, 0), "TACNNN");
        assert_eq!(hap(REF, &[(8, 0, "G")], 7, 5, 0), "TGCNN");
        // region entirely past the end
        assert_eq!(hap(REF, &[], 15, 3, 0), "NNN");
        // deletion running off the end
        assert_eq!(hap(REF, &[(8, -5, "A")], 6, 5, 0), "GTANN");
    }

    #[test]
    fn shifts() {
        // shift lands before the variant: the cursor moves by the shift
        assert_eq!(hap(REF, &[(5, 1, "CT")], 0, 5, 2), "GTACT");
        // shift ends inside the inserted allele
        assert_eq!(hap(REF, &[(3, 2, "TGG")], 0, 4, 4), "GGAC");
        // shift ends exactly at the end of the allele: cursor to v_end
        assert_eq!(hap(REF, &[(3, 2, "TGG")], 0, 4, 6), "ACGT");
        // no variants: the tail clause applies the shift
        assert_eq!(hap(REF, &[], 0, 4, 3), "TACG");
    }

    #[test]
    fn shift_quirk_skipped_variant_does_not_advance_cursor() {
        // shift 5: the SNV at 1 is too close to finish the shift (0 + 1 + 1 < 5),
        // so it is skipped without moving ref_idx; the shift is applied at the
        // next variant (dist 6 >= 5): cursor 0 + 5 = 5.
        assert_eq!(hap(REF, &[(1, 0, "T"), (6, 0, "A")], 0, 4, 5), "CATA");
        // shift 3: SNV at 1 skipped (0 + 1 + 1 < 3); SNV at 2 has dist 2 and
        // 0 + 2 + 1 == 3, so its allele finishes the shift: cursor to its end, 3.
        assert_eq!(hap(REF, &[(1, 0, "T"), (2, 0, "A")], 0, 4, 3), "TACG");
    }

    #[test]
    fn zero_length_row_writes_nothing() {
        assert_eq!(hap(REF, &[(2, 2, "GTT")], 0, 0, 0), "");
    }
    fn ann(
        contig: &str,
        vs: &[(i32, i32, &str)],
        start: i64,
        len: usize,
        shift: i64,
    ) -> (String, Vec<i32>, Vec<i32>) {
        let t = Vs::new(vs);
        let idx: Vec<i32> = (0..vs.len() as i32).collect();
        let mut out = vec![0u8; len];
        // Poisoned so an unwritten element shows.
        let mut vi = vec![i32::MIN; len];
        let mut rc = vec![i32::MIN; len];
        reconstruct_row(
            &idx,
            &t.view(),
            shift,
            contig.as_bytes(),
            start,
            &mut out,
            b'N',
            Some(&mut Annotation {
                var_idxs: &mut vi,
                ref_coords: &mut rc,
            }),
        );
        // The bytes are those of the plain kernel.
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            hap(contig, vs, start, len, shift)
        );
        (String::from_utf8(out).unwrap(), vi, rc)
    }

    const M: i32 = COORD_PAST_CONTIG;

    #[test]
    fn annotated_reference_only() {
        let (h, vi, rc) = ann(REF, &[], 2, 5, 0);
        assert_eq!(h, "GTACG");
        assert_eq!(vi, [-1; 5]);
        assert_eq!(rc, [2, 3, 4, 5, 6]);
    }

    #[test]
    fn annotated_snv_insertion_deletion() {
        // SNV at 3 is variant 0: its base maps to 3.
        let (_, vi, rc) = ann(REF, &[(3, 0, "G")], 0, 6, 0);
        assert_eq!(vi, [-1, -1, -1, 0, -1, -1]);
        assert_eq!(rc, [0, 1, 2, 3, 4, 5]);
        // Insertion G -> GTT at 2: the anchor and both inserted bases are the
        // variant's, all at its start.
        let (h, vi, rc) = ann(REF, &[(2, 2, "GTT")], 0, 8, 0);
        assert_eq!(h, "ACGTTTAC");
        assert_eq!(vi, [-1, -1, 0, 0, 0, -1, -1, -1]);
        assert_eq!(rc, [0, 1, 2, 2, 2, 3, 4, 5]);
        // Deletion GTA -> G at 2: the anchor is the variant's, then coordinates jump.
        let (h, vi, rc) = ann(REF, &[(2, -2, "G")], 0, 6, 0);
        assert_eq!(h, "ACGCGT");
        assert_eq!(vi, [-1, -1, 0, -1, -1, -1]);
        assert_eq!(rc, [0, 1, 2, 5, 6, 7]);
    }

    #[test]
    fn annotated_variant_index_is_the_table_row() {
        // Rows 1 and 3 of a 4-variant table apply; indices are table rows.
        let t = Vs::new(&[(0, 0, "T"), (1, 0, "A"), (2, 0, "T"), (4, 0, "C")]);
        let mut out = vec![0u8; 6];
        let (mut vi, mut rc) = (vec![0i32; 6], vec![0i32; 6]);
        reconstruct_row(
            &[1, 3],
            &t.view(),
            0,
            REF.as_bytes(),
            0,
            &mut out,
            b'N',
            Some(&mut Annotation {
                var_idxs: &mut vi,
                ref_coords: &mut rc,
            }),
        );
        assert_eq!(&out, b"AAGTCC");
        assert_eq!(vi, [-1, 1, -1, -1, 3, -1]);
        assert_eq!(rc, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn annotated_overlap_and_spanning_deletion() {
        // The second variant overlaps the deletion and is not applied.
        let (_, vi, rc) = ann(REF, &[(2, -2, "G"), (3, 0, "A")], 0, 6, 0);
        assert_eq!(vi, [-1, -1, 0, -1, -1, -1]);
        assert_eq!(rc, [0, 1, 2, 5, 6, 7]);
        // A deletion spanning the start: nothing of it is written, the row starts at its end.
        let (h, vi, rc) = ann(REF, &[(1, -3, "C")], 3, 4, 0);
        assert_eq!(h, "CGTA");
        assert_eq!(vi, [-1; 4]);
        assert_eq!(rc, [5, 6, 7, 8]);
    }

    #[test]
    fn annotated_padding() {
        // Leading pad maps to -1, trailing pad to i32::MAX; both are not variants.
        let (h, vi, rc) = ann(REF, &[(1, 0, "T")], -2, 5, 0);
        assert_eq!(h, "NNATG");
        assert_eq!(vi, [-1, -1, -1, 0, -1]);
        assert_eq!(rc, [-1, -1, 0, 1, 2]);
        let (h, vi, rc) = ann(REF, &[(8, 0, "G")], 7, 5, 0);
        assert_eq!(h, "TGCNN");
        assert_eq!(vi, [-1, 0, -1, -1, -1]);
        assert_eq!(rc, [7, 8, 9, M, M]);
        let (_, vi, rc) = ann(REF, &[], 15, 3, 0);
        assert_eq!(vi, [-1; 3]);
        assert_eq!(rc, [M; 3]);
        // A deletion running off the end.
        let (h, _, rc) = ann(REF, &[(8, -5, "A")], 6, 5, 0);
        assert_eq!(h, "GTANN");
        assert_eq!(rc, [6, 7, 8, M, M]);
    }

    #[test]
    fn annotated_shifts() {
        // Shift ends inside the inserted allele: the rest of the allele keeps the
        // variant's start.
        let (h, vi, rc) = ann(REF, &[(3, 2, "TGG")], 0, 4, 4);
        assert_eq!(h, "GGAC");
        assert_eq!(vi, [0, 0, -1, -1]);
        assert_eq!(rc, [3, 3, 4, 5]);
        // Shift consumes the leading pad first.
        let (h, _, rc) = ann(REF, &[], -3, 4, 2);
        assert_eq!(h, "NACG");
        assert_eq!(rc, [-1, 0, 1, 2]);
        // A fixed length past the last variant continues on the reference.
        let (h, vi, rc) = ann(REF, &[(5, 1, "CT")], 0, 5, 2);
        assert_eq!(h, "GTACT");
        assert_eq!(vi, [-1, -1, -1, 0, 0]);
        assert_eq!(rc, [2, 3, 4, 5, 5]);
    }
}
