//! Borrowed views of a batch's input arrays and the validation that runs
//! before any kernel touches them.
//!
//! Every check here happens before the parallel region and returns a
//! structured error naming the parameter, the element and the value. The
//! per-row kernels may then index without further checks; they still use
//! checked slicing, so a missed case panics (caught, `GVL_NATIVE_PANIC`)
//! instead of reading out of bounds.

use crate::errors::{Code, GResult, GvlError};

/// Per-query regions and per-(query, haplotype) genotype groups and shifts.
#[derive(Clone, Copy)]
pub struct Queries<'a> {
    /// `(n, 3)` row-major: `contig_idx, start, end`; 0-based, half-open.
    pub regions: &'a [i32],
    pub ploidy: usize,
    /// `(n * ploidy)` indices into the genotype CSR, or `(n)` for per-query kernels.
    pub groups: &'a [i64],
    /// `(n * ploidy)` non-negative shifts, or empty for all zero.
    pub shifts: &'a [i32],
}

impl<'a> Queries<'a> {
    pub fn n_queries(&self) -> usize {
        self.regions.len() / 3
    }
    pub fn n_rows(&self) -> usize {
        self.n_queries() * self.ploidy
    }
    #[inline]
    pub fn contig(&self, q: usize) -> usize {
        self.regions[3 * q] as usize
    }
    #[inline]
    pub fn start(&self, q: usize) -> i64 {
        self.regions[3 * q + 1] as i64
    }
    #[inline]
    pub fn end(&self, q: usize) -> i64 {
        self.regions[3 * q + 2] as i64
    }
    #[inline]
    pub fn group(&self, k: usize) -> usize {
        self.groups[k] as usize
    }
    #[inline]
    pub fn shift(&self, k: usize) -> i64 {
        if self.shifts.is_empty() {
            0
        } else {
            self.shifts[k] as i64
        }
    }

    /// Shape checks: regions `(n, 3)`, ploidy >= 1, `groups`/`shifts` of
    /// length `n * ploidy` (`per_query`: `groups` of length `n`, no shifts).
    pub fn validate(&self, per_query: bool) -> GResult<()> {
        if !self.regions.len().is_multiple_of(3) {
            return Err(GvlError::invalid(
                "regions.length",
                self.regions.len(),
                "a multiple of 3 (rows of contig_idx, start, end)",
            ));
        }
        if self.ploidy == 0 {
            return Err(GvlError::invalid("ploidy", 0i64, "an integer >= 1"));
        }
        let n = self.n_queries();
        let want = if per_query { n } else { n * self.ploidy };
        if self.groups.len() != want {
            return Err(GvlError::invalid(
                "groups.length",
                self.groups.len(),
                &format!(
                    "{want} (one per {})",
                    if per_query {
                        "query"
                    } else {
                        "query and haplotype"
                    }
                ),
            ));
        }
        if !self.shifts.is_empty() {
            if self.shifts.len() != n * self.ploidy {
                return Err(GvlError::invalid(
                    "shifts.length",
                    self.shifts.len(),
                    &format!(
                        "{} (one per query and haplotype) or no shifts",
                        n * self.ploidy
                    ),
                ));
            }
            if let Some(i) = self.shifts.iter().position(|&s| s < 0) {
                return Err(
                    GvlError::invalid("shifts", self.shifts[i], "a non-negative shift")
                        .with_index(i),
                );
            }
        }
        Ok(())
    }
}

/// Genotypes as CSR: group `g` carries `variant_idxs[offsets[g]..offsets[g + 1]]`.
#[derive(Clone, Copy)]
pub struct Genotypes<'a> {
    pub offsets: &'a [i64],
    pub variant_idxs: &'a [i32],
}

impl<'a> Genotypes<'a> {
    #[inline]
    pub fn group(&self, g: usize) -> &'a [i32] {
        &self.variant_idxs[self.offsets[g] as usize..self.offsets[g + 1] as usize]
    }

    /// Every referenced group exists and delimits a valid slice.
    pub fn validate_groups(&self, groups: &[i64]) -> GResult<()> {
        let n_groups = self.offsets.len().saturating_sub(1) as i64;
        let n_idx = self.variant_idxs.len() as i64;
        for (k, &g) in groups.iter().enumerate() {
            if g < 0 || g >= n_groups {
                return Err(GvlError::out_of_range(
                    "groups",
                    k,
                    g,
                    0,
                    n_groups,
                    "an index into genotypes.offsets, which has length n_groups + 1",
                ));
            }
            let (s, e) = (self.offsets[g as usize], self.offsets[g as usize + 1]);
            if s < 0 || s > e || e > n_idx {
                return Err(GvlError {
                    code: Code::IndexOutOfRange,
                    message: format!(
                        "genotypes.offsets[{g}..{}] = [{s}, {e}] is not a valid slice of \
                         genotypes.variantIdxs (length {n_idx}); expected 0 <= start <= end <= length",
                        g + 1
                    ),
                    param: Some("genotypes.offsets".to_owned()),
                    index: Some(g),
                    value: Some(if s < 0 || s > e { s.into() } else { e.into() }),
                });
            }
        }
        Ok(())
    }
}

/// The variant table as columns; `alts` / `alt_offsets` may be empty for
/// kernels that only need positions and lengths.
#[derive(Clone, Copy)]
pub struct Variants<'a> {
    /// 0-based start (VCF POS - 1).
    pub starts: &'a [i32],
    /// ALT length - REF length.
    pub ilens: &'a [i32],
    pub alts: &'a [u8],
    /// `n_variants + 1` offsets into `alts`.
    pub alt_offsets: &'a [i64],
}

impl<'a> Variants<'a> {
    pub fn len(&self) -> usize {
        self.starts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
    #[inline]
    pub fn alt(&self, v: usize) -> &'a [u8] {
        &self.alts[self.alt_offsets[v] as usize..self.alt_offsets[v + 1] as usize]
    }

    pub fn validate_shape(&self, need_alts: bool) -> GResult<()> {
        let n = self.starts.len();
        if self.ilens.len() != n {
            return Err(GvlError::invalid(
                "variants.ilens.length",
                self.ilens.len(),
                &format!("{n} (variants.starts.length)"),
            ));
        }
        if need_alts && self.alt_offsets.len() != n + 1 {
            return Err(GvlError::invalid(
                "variants.altOffsets.length",
                self.alt_offsets.len(),
                &format!("{} (variants.starts.length + 1)", n + 1),
            ));
        }
        Ok(())
    }

    /// Check the variant at `variant_idxs[pos] = v`; with `contig_len`, also
    /// that its start lies on the contig.
    #[inline]
    pub fn validate_variant(
        &self,
        pos: usize,
        v: i32,
        need_alts: bool,
        contig_len: Option<usize>,
    ) -> GResult<()> {
        let n = self.starts.len() as i64;
        if v < 0 || v as i64 >= n {
            return Err(GvlError::out_of_range(
                "genotypes.variantIdxs",
                pos,
                v as i64,
                0,
                n,
                "an index into the variant table",
            ));
        }
        let v = v as usize;
        if need_alts {
            let (s, e) = (self.alt_offsets[v], self.alt_offsets[v + 1]);
            if s < 0 || s > e || e > self.alts.len() as i64 {
                return Err(GvlError {
                    code: Code::IndexOutOfRange,
                    message: format!(
                        "variants.altOffsets[{v}..{}] = [{s}, {e}] is not a valid slice of \
                         variants.alts (length {}); expected 0 <= start <= end <= length",
                        v + 1,
                        self.alts.len()
                    ),
                    param: Some("variants.altOffsets".to_owned()),
                    index: Some(v as i64),
                    value: Some(if s < 0 || s > e { s.into() } else { e.into() }),
                });
            }
        }
        if let Some(len) = contig_len {
            let p = self.starts[v] as i64;
            if p < 0 || p >= len as i64 {
                return Err(GvlError::out_of_range(
                    "variants.starts",
                    v,
                    p,
                    0,
                    len as i64,
                    "a 0-based position on the query's contig",
                ));
            }
        }
        Ok(())
    }

    /// Check every variant referenced by the queries' groups.
    pub fn validate_referenced(
        &self,
        queries: &Queries,
        genos: &Genotypes,
        need_alts: bool,
        reference: Option<&Reference>,
    ) -> GResult<()> {
        for k in 0..queries.n_rows() {
            let g = queries.group(k);
            let base = genos.offsets[g] as usize;
            let contig_len = reference.map(|r| r.contig(queries.contig(k / queries.ploidy)).len());
            for (j, &v) in genos.group(g).iter().enumerate() {
                self.validate_variant(base + j, v, need_alts, contig_len)?;
            }
        }
        Ok(())
    }
}

/// The reference genome: contigs concatenated in `seq`, contig `c` is
/// `seq[offsets[c]..offsets[c + 1]]`.
#[derive(Clone, Copy)]
pub struct Reference<'a> {
    pub seq: &'a [u8],
    pub offsets: &'a [i64],
}

impl<'a> Reference<'a> {
    #[inline]
    pub fn contig(&self, c: usize) -> &'a [u8] {
        &self.seq[self.offsets[c] as usize..self.offsets[c + 1] as usize]
    }

    pub fn validate(&self) -> GResult<()> {
        if self.offsets.is_empty() {
            return Err(GvlError::invalid(
                "reference.offsets.length",
                0i64,
                "n_contigs + 1 >= 1",
            ));
        }
        check_monotone(
            "reference.offsets",
            self.offsets,
            false,
            self.seq.len() as u64,
        )?;
        Ok(())
    }

    /// Every query's contig index exists.
    pub fn validate_contigs(&self, queries: &Queries) -> GResult<()> {
        let n = self.offsets.len() as i64 - 1;
        for q in 0..queries.n_queries() {
            let c = queries.regions[3 * q] as i64;
            if c < 0 || c >= n {
                return Err(GvlError::out_of_range(
                    "regions",
                    3 * q,
                    c,
                    0,
                    n,
                    &format!("contig index of query {q}; the reference has {n} contigs"),
                ));
            }
        }
        Ok(())
    }
}

/// `offsets` are non-negative, non-decreasing and end at or before `max_end`;
/// with `zero_start` they also start at 0.
pub fn check_monotone(param: &str, offsets: &[i64], zero_start: bool, max_end: u64) -> GResult<()> {
    let Some(&first) = offsets.first() else {
        return Ok(());
    };
    let named = |mut e: GvlError, i: usize| {
        e.param = Some(param.to_owned());
        e.with_index(i)
    };
    if zero_start && first != 0 {
        return Err(named(
            GvlError::invalid(&format!("{param}[0]"), first, "0"),
            0,
        ));
    }
    if first < 0 {
        return Err(named(
            GvlError::invalid(&format!("{param}[0]"), first, "a non-negative offset"),
            0,
        ));
    }
    for i in 1..offsets.len() {
        if offsets[i] < offsets[i - 1] {
            let e = GvlError::invalid(
                &format!("{param}[{i}]"),
                offsets[i],
                &format!(
                    ">= {param}[{}] = {} (offsets must be non-decreasing)",
                    i - 1,
                    offsets[i - 1]
                ),
            );
            return Err(named(e, i));
        }
    }
    let last = *offsets.last().unwrap_or(&0);
    if last as u64 > max_end {
        let i = offsets.len() - 1;
        let e = GvlError {
            code: Code::IndexOutOfRange,
            message: format!(
                "{param}[{i}] = {last} is past the end of its data; expected <= {max_end}"
            ),
            param: Some(param.to_owned()),
            index: Some(i as i64),
            value: Some(last.into()),
        };
        return Err(e);
    }
    Ok(())
}

/// Validate output offsets for `n_rows` rows: length `n_rows + 1`, start 0,
/// non-decreasing. Returns them as `usize`. The size of the output they ask
/// for is checked against the cap where it is allocated (`limits`).
pub fn out_offsets(param: &str, offsets: &[i64], n_rows: usize) -> GResult<Vec<usize>> {
    if offsets.len() != n_rows + 1 {
        return Err(GvlError::invalid(
            &format!("{param}.length"),
            offsets.len(),
            &format!("{} (number of output rows + 1)", n_rows + 1),
        ));
    }
    check_monotone(param, offsets, true, u64::MAX)?;
    Ok(offsets.iter().map(|&o| o as usize).collect())
}

/// Offsets of rows inside caller data (in-place kernels): length
/// `n_rows + 1`, non-negative, non-decreasing, within `data_len`.
pub fn data_offsets(param: &str, offsets: &[i64], data_len: usize) -> GResult<Vec<usize>> {
    if offsets.is_empty() {
        return Err(GvlError::invalid(
            &format!("{param}.length"),
            0i64,
            "n_rows + 1 >= 1",
        ));
    }
    check_monotone(param, offsets, false, data_len as u64)?;
    Ok(offsets.iter().map(|&o| o as usize).collect())
}

/// Zero-initialised output of `n` elements (`calloc`), or `GVL_ALLOCATION_FAILED`.
pub fn zeroed<T: Zeroable>(n: usize) -> GResult<Vec<T>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| alloc_error::<T>(n))?;
    // SAFETY: `layout` has non-zero size; all-zero bits are a valid `T`
    // (guaranteed by `Zeroable`); the pointer is checked for null and the Vec
    // takes ownership with the same layout.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout) as *mut T;
        if ptr.is_null() {
            return Err(alloc_error::<T>(n));
        }
        Ok(Vec::from_raw_parts(ptr, n, n))
    }
}

/// An output of `n` elements left as the allocator returns it (no zero fill:
/// for a fresh 1 MiB batch the fill costs as much as the reconstruction).
///
/// # Safety
/// The caller must write every element before any of them is read or the
/// vector leaves the kernel: the bytes are unspecified until then.
pub unsafe fn uninit<T: Zeroable>(n: usize) -> GResult<Vec<T>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| alloc_error::<T>(n))?;
    // SAFETY: `layout` has non-zero size; the pointer is checked for null and
    // the Vec takes ownership with the same layout. Initialisation is the
    // caller's contract (above).
    let ptr = std::alloc::alloc(layout) as *mut T;
    if ptr.is_null() {
        return Err(alloc_error::<T>(n));
    }
    Ok(Vec::from_raw_parts(ptr, n, n))
}

fn alloc_error<T>(n: usize) -> GvlError {
    GvlError::new(
        Code::AllocationFailed,
        format!(
            "could not allocate an output of {n} elements ({} bytes)",
            n.saturating_mul(std::mem::size_of::<T>())
        ),
    )
}

/// Types whose all-zero bit pattern is a valid value.
///
/// # Safety
/// Implementors must be plain numbers with no invalid bit patterns.
pub unsafe trait Zeroable: Copy {}
unsafe impl Zeroable for u8 {}
unsafe impl Zeroable for i32 {}
unsafe impl Zeroable for i64 {}
unsafe impl Zeroable for f32 {}

/// `true` when two slices share any memory (an output must not alias an input).
pub fn overlaps<A, B>(a: &[A], b: &[B]) -> bool {
    let (a0, a1) = (
        a.as_ptr() as usize,
        a.as_ptr() as usize + std::mem::size_of_val(a),
    );
    let (b0, b1) = (
        b.as_ptr() as usize,
        b.as_ptr() as usize + std::mem::size_of_val(b),
    );
    a0 < b1 && b0 < a1 && a0 != a1 && b0 != b1
}
