//! The napi surface: input objects, kernels as `fooSync()` and `foo()` (a
//! Promise from an `AsyncTask`), pool configuration and counters.
//!
//! Inputs are JS typed arrays held by reference for the whole call (the
//! AsyncTask keeps them alive until it settles). JS must not mutate an input,
//! or a caller-provided output, while its promise is pending. Outputs are
//! handed to JS without a copy (an external ArrayBuffer over the Rust `Vec`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{
    AbortSignal, AsyncTask, BigInt, BigInt64Array, Float32Array, Int32Array, Uint8Array,
};
use napi_derive::napi;

use crate::batch::{self, Genotypes, Queries, Reference, Variants, Zeroable};
use crate::diffs::DiffsBatch;
use crate::errors::{GResult, GvlError};
use crate::haplotypes::HaplotypeBatch;
use crate::limits::{self, Column};
use crate::pool::{self, Exec};
use crate::realign::{Fill, FillParams, RealignBatch};
use crate::reference::ReferenceBatch;
use crate::tasks::{self, Kernel, KernelTask};
use crate::tracks::{Intervals, TracksBatch};
use crate::variants::{Dummy, GatherBatch, GatherOut};
use crate::{prng, rc};

// ---------------------------------------------------------------------------
// Input objects
// ---------------------------------------------------------------------------

/// The variant table as columns (one entry per variant).
#[napi(object, object_to_js = false)]
pub struct VariantTable {
    /// int32, 0-based start of each variant (VCF `POS - 1`).
    pub starts: Int32Array,
    /// int32, `len(ALT) - len(REF)`: > 0 insertion, < 0 deletion, 0 SNV.
    pub ilens: Int32Array,
    /// uint8, ALT alleles concatenated (ASCII). Required by `reconstructHaplotypes`.
    pub alts: Option<Uint8Array>,
    /// int64, `n_variants + 1` offsets into `alts`. Required by `reconstructHaplotypes`.
    pub alt_offsets: Option<BigInt64Array>,
}

/// Genotypes as CSR groups: group `g` carries the variants
/// `variantIdxs[offsets[g]..offsets[g + 1]]`, sorted by position.
#[napi(object, object_to_js = false)]
pub struct GenotypeTable {
    /// int64, `n_groups + 1` non-decreasing offsets into `variantIdxs`.
    pub offsets: BigInt64Array,
    /// int32 row numbers into the variant table.
    pub variant_idxs: Int32Array,
}

/// The reference genome: contig `c` is `sequence[offsets[c]..offsets[c + 1]]`.
#[napi(object, object_to_js = false)]
pub struct ReferenceSequence {
    /// uint8 ASCII bases of all contigs, concatenated.
    pub sequence: Uint8Array,
    /// int64, `n_contigs + 1` offsets into `sequence`.
    pub offsets: BigInt64Array,
}

/// Intervals as columns with CSR groups: group `g` holds intervals
/// `offsets[g]..offsets[g + 1]`, sorted by start, absolute 0-based half-open.
#[napi(object, object_to_js = false)]
pub struct IntervalTable {
    pub starts: Int32Array,
    pub ends: Int32Array,
    pub values: Float32Array,
    pub offsets: BigInt64Array,
}

/// Input of `getDiffs`.
#[napi(object, object_to_js = false)]
pub struct DiffsInput {
    /// int32 `(n, 3)`: contig index, start, end (0-based, half-open).
    pub regions: Int32Array,
    pub ploidy: u32,
    /// int64 `(n * ploidy)`: genotype group of each (query, haplotype).
    pub groups: BigInt64Array,
    pub genotypes: GenotypeTable,
    pub variants: VariantTable,
}

/// Input of `reconstructHaplotypes`.
#[napi(object, object_to_js = false)]
pub struct HaplotypesInput {
    /// int32 `(n, 3)`: contig index, start, end (0-based, half-open).
    pub regions: Int32Array,
    pub ploidy: u32,
    /// int64 `(n * ploidy)`: genotype group of each (query, haplotype).
    pub groups: BigInt64Array,
    /// int32 `(n * ploidy)` non-negative shifts; absent = all 0.
    pub shifts: Option<Int32Array>,
    pub genotypes: GenotypeTable,
    pub variants: VariantTable,
    pub reference: ReferenceSequence,
    /// int64 `(n * ploidy + 1)`: row `k` is `out[outOffsets[k]..outOffsets[k + 1]]`.
    pub out_offsets: BigInt64Array,
    /// Pad byte, an integer in [0, 255]; default `N` (78).
    pub pad_char: Option<f64>,
}

/// Input of `getReference`.
#[napi(object, object_to_js = false)]
pub struct ReferenceInput {
    /// int32 `(n, 3)`: contig index, start, end (0-based, half-open; end unused).
    pub regions: Int32Array,
    pub reference: ReferenceSequence,
    /// int64 `(n + 1)`: row `i` is `out[outOffsets[i]..outOffsets[i + 1]]`.
    pub out_offsets: BigInt64Array,
    /// Pad byte, an integer in [0, 255]; default `N` (78).
    pub pad_char: Option<f64>,
}

/// Input of `intervalsToTracks`.
#[napi(object, object_to_js = false)]
pub struct TracksInput {
    /// int32 `(n, 3)`: contig index, start, end (0-based, half-open; only start used).
    pub regions: Int32Array,
    /// int64 `(n)`: interval group of each query.
    pub groups: BigInt64Array,
    pub intervals: IntervalTable,
    /// int64 `(n + 1)`: row `i` is `out[outOffsets[i]..outOffsets[i + 1]]`.
    pub out_offsets: BigInt64Array,
}

/// An insertion fill: `kind` is one of `repeat5p` (the default), `repeat5pNormalized`,
/// `constant` (`value`), `flankSample` (`flankWidth`), `interpolate` (`order`).
/// Checked by the addon alone (`Fill::parse`), never in the TS layer.
#[napi(object, object_to_js = false)]
pub struct InsertionFillSpec {
    pub kind: Option<String>,
    pub value: Option<f64>,
    pub flank_width: Option<f64>,
    pub order: Option<f64>,
}

/// Input of `realignTracks`.
#[napi(object, object_to_js = false)]
pub struct RealignInput {
    /// int32 `(n, 3)`: contig index, start, end (0-based, half-open; start used).
    pub regions: Int32Array,
    pub ploidy: u32,
    /// int64 `(n * ploidy)`: genotype group of each (query, haplotype).
    pub groups: BigInt64Array,
    /// int32 `(n * ploidy)` non-negative shifts; absent = all 0.
    pub shifts: Option<Int32Array>,
    pub genotypes: GenotypeTable,
    pub variants: VariantTable,
    /// float32 reference-coordinate track rows, one per query, row `q` starting at query `q`'s start.
    pub tracks: Float32Array,
    /// int64 `(n + 1)` offsets of the track rows.
    pub track_offsets: BigInt64Array,
    /// int64 `(n * ploidy + 1)`: row `k` is `out[outOffsets[k]..outOffsets[k + 1]]`.
    pub out_offsets: BigInt64Array,
    /// Insertion fill; absent: `repeat5p`.
    pub fill: Option<InsertionFillSpec>,
    /// uint64 FlankSample base seed, default 0.
    pub base_seed: Option<BigInt>,
}

/// Input of `countVariants` and `gatherVariants`: row `r` (a query and
/// haplotype) gathers the variants of genotype group `groups[r]`.
#[napi(object, object_to_js = false)]
pub struct GatherVariantsInput {
    /// int64 `(n_rows)`: genotype group of each row.
    pub groups: BigInt64Array,
    pub genotypes: GenotypeTable,
    /// The variant table; `alts` and `altOffsets` are required.
    pub variants: VariantTable,
    /// uint8 `(n_rows)`: a non-zero flag reverse-complements the row's ALT
    /// alleles. Absent: no row is reverse-complemented.
    pub rc_mask: Option<Uint8Array>,
    /// Consecutive groups folded into one output row (an integer >= 1 dividing
    /// `groups.length`; `n_rows = groups.length / groupsPerRow`). Default 1.
    pub groups_per_row: Option<f64>,
    /// A placeholder variant written into every output row that gathers none.
    pub dummy: Option<DummyVariantSpec>,
    /// uint8 `(n_variants)`, one flag per row of the variant table: a variant
    /// flagged 0 is left out of every row that stores it (counted and filled
    /// as if absent; e.g. an allele-frequency filter). Absent: every variant is kept.
    pub keep: Option<Uint8Array>,
}

/// The placeholder variant of `gatherVariants`: `start` (default -1) and `ilen`
/// (default 0) integers in int32, `alt` an ASCII string (default `"N"`).
#[napi(object, object_to_js = false)]
pub struct DummyVariantSpec {
    pub start: Option<f64>,
    pub ilen: Option<f64>,
    pub alt: Option<String>,
}

/// The dummy variant option named `param`, the one place it is checked.
fn parse_dummy<'a>(param: &str, d: &'a DummyVariantSpec) -> GResult<Dummy<'a>> {
    let alt = d.alt.as_deref().unwrap_or("N");
    if !alt.is_ascii() {
        return Err(GvlError::invalid(
            &format!("{param}.alt"),
            alt,
            "an ASCII string",
        ));
    }
    Ok(Dummy {
        start: int32_option(&format!("{param}.start"), d.start, -1)?,
        ilen: int32_option(&format!("{param}.ilen"), d.ilen, 0)?,
        alt: alt.as_bytes(),
    })
}

/// Checks a dummy variant option exactly as `gatherVariants` does (`param`
/// names it in errors), so a caller can reject it when it is set.
#[napi]
pub fn check_dummy_variant(param: String, dummy: DummyVariantSpec) -> napi::Result<()> {
    parse_dummy(&param, &dummy)?;
    Ok(())
}

/// An int32 option (`default` when absent), checked here only.
fn int32_option(param: &str, v: Option<f64>, default: i32) -> GResult<i32> {
    match v {
        None => Ok(default),
        Some(x) if x.fract() == 0.0 && (i32::MIN as f64..=i32::MAX as f64).contains(&x) => {
            Ok(x as i32)
        }
        Some(x) => Err(GvlError::invalid(param, x, "an integer in int32")),
    }
}

/// Result of `countVariants`: the output layout of `gatherVariants`.
#[napi(object, object_from_js = false)]
pub struct VariantCounts {
    /// int64 `(n_rows + 1)`, from 0: row `r` gathers `offsets[r + 1] - offsets[r]` variants;
    /// `offsets[n_rows]` is the total.
    pub offsets: BigInt64Array,
    /// Total ALT bytes gathered (the length of `alt`).
    pub alt_bytes: i64,
}

/// Variants gathered per row, as flat columns (the peer's `RaggedVariants`).
#[napi(object)]
pub struct GatheredVariants {
    /// int64 `(n_rows + 1)`, from 0: row `r` is `offsets[r]..offsets[r + 1]` of the columns below.
    pub offsets: BigInt64Array,
    /// int32 `(n)`: 0-based start of each variant (VCF `POS - 1`).
    pub start: Int32Array,
    /// int32 `(n)`: `len(ALT) - len(REF)`.
    pub ilen: Int32Array,
    /// uint8: ALT alleles (ASCII) concatenated, reverse-complemented in marked rows.
    pub alt: Uint8Array,
    /// int64 `(n + 1)`, from 0: variant `i`'s ALT is `alt[altOffsets[i]..altOffsets[i + 1]]`.
    pub alt_offsets: BigInt64Array,
    /// int32 `(n)`: the variant table row of each gathered variant (-1 for a dummy).
    pub variant_idx: Int32Array,
}

// ---------------------------------------------------------------------------
// Output handling
// ---------------------------------------------------------------------------

/// A JS typed array a kernel can allocate or write into.
pub trait OutArray:
    napi::bindgen_prelude::ToNapiValue + napi::bindgen_prelude::TypeName + Send + Sized + 'static
{
    type Elem: Zeroable + Send + Sync;
    /// The element type's name in messages (`uint8`, `float32`, ...).
    const DTYPE: &'static str;
    fn from_vec(v: Vec<Self::Elem>) -> Self;
    /// # Safety
    /// JS must not touch the array while the kernel runs (documented contract).
    unsafe fn data_mut(&mut self) -> &mut [Self::Elem];
}

macro_rules! out_array {
    ($arr:ty, $elem:ty, $dtype:literal) => {
        impl OutArray for $arr {
            type Elem = $elem;
            const DTYPE: &'static str = $dtype;
            fn from_vec(v: Vec<$elem>) -> Self {
                <$arr>::new(v)
            }
            unsafe fn data_mut(&mut self) -> &mut [$elem] {
                unsafe { self.as_mut() }
            }
        }
    };
}
out_array!(Uint8Array, u8, "uint8");
out_array!(Float32Array, f32, "float32");
out_array!(Int32Array, i32, "int32");
out_array!(BigInt64Array, i64, "int64");

/// A byte range of an input, for alias checks against a caller's output.
struct Span {
    name: &'static str,
    start: usize,
    end: usize,
}

fn span<T>(name: &'static str, s: &[T]) -> Span {
    let start = s.as_ptr() as usize;
    Span {
        name,
        start,
        end: start + std::mem::size_of_val(s),
    }
}

/// `out` shares no memory with any of `others` (empty ranges never alias);
/// else `GVL_INVALID_ARGUMENT` naming `out` and, as the value, the other array.
fn check_disjoint(out: &Span, others: &[Span], expected: &str) -> GResult<()> {
    if out.start == out.end {
        return Ok(());
    }
    match others
        .iter()
        .find(|s| s.start != s.end && out.start < s.end && s.start < out.end)
    {
        Some(s) => Err(GvlError::invalid(out.name, s.name, expected)),
        None => Ok(()),
    }
}

/// Where a kernel's output goes: a caller-provided array or a new one.
struct Dest<A: OutArray> {
    caller: Option<A>,
}

impl<A: OutArray> Dest<A> {
    fn new(caller: Option<A>) -> Self {
        Dest { caller }
    }

    /// Run `f` over an output of exactly `n` elements: the caller's `out`, or
    /// a new array, allocated only after its bytes are checked against the cap
    /// (`sized_by` names the input that sets `n`: a parameter and element).
    fn fill(
        &mut self,
        n: usize,
        sized_by: (&str, Option<usize>),
        inputs: &[Span],
        f: impl FnOnce(&mut [A::Elem]) -> GResult<()>,
    ) -> GResult<Option<Vec<A::Elem>>> {
        match &mut self.caller {
            Some(arr) => {
                // SAFETY: the documented contract: JS does not touch `out` while pending.
                let out = unsafe { arr.data_mut() };
                if out.len() != n {
                    return Err(GvlError::invalid(
                        "out.length",
                        out.len(),
                        &format!("{n} (the last output offset)"),
                    ));
                }
                check_disjoint(
                    &span("out", out),
                    inputs,
                    "an output buffer that shares no memory with any input",
                )?;
                f(out)?;
                Ok(None)
            }
            None => {
                limits::check_output(&[Column {
                    param: sized_by.0,
                    index: sized_by.1,
                    elements: n as u64,
                    elem_size: std::mem::size_of::<A::Elem>(),
                    dtype: A::DTYPE,
                }])?;
                let mut v = batch::zeroed::<A::Elem>(n)?;
                f(&mut v)?;
                Ok(Some(v))
            }
        }
    }

    /// [`Dest::fill`] for rows delimited by `offsets` (the validated
    /// `outOffsets`): `offsets[last]` elements, sized by `outOffsets[last]`.
    fn fill_rows(
        &mut self,
        offsets: &[usize],
        inputs: &[Span],
        f: impl FnOnce(&mut [A::Elem]) -> GResult<()>,
    ) -> GResult<Option<Vec<A::Elem>>> {
        let n = *offsets.last().unwrap_or(&0);
        self.fill(n, ("outOffsets", offsets.len().checked_sub(1)), inputs, f)
    }

    fn make_js(&mut self, output: Option<Vec<A::Elem>>) -> napi::Result<A> {
        match output {
            Some(v) => Ok(A::from_vec(v)),
            None => self
                .caller
                .take()
                .ok_or_else(|| napi::Error::from_reason("output already taken")),
        }
    }
}

// ---------------------------------------------------------------------------
// Input views
// ---------------------------------------------------------------------------

impl VariantTable {
    pub(crate) fn view(&self) -> Variants<'_> {
        Variants {
            starts: &self.starts,
            ilens: &self.ilens,
            alts: self.alts.as_deref().unwrap_or(&[]),
            alt_offsets: self.alt_offsets.as_deref().unwrap_or(&[]),
        }
    }
    pub(crate) fn require_alts(&self) -> GResult<()> {
        if self.alts.is_none() {
            return Err(GvlError::invalid(
                "variants.alts",
                "undefined",
                "a Uint8Array of ALT alleles",
            ));
        }
        if self.alt_offsets.is_none() {
            return Err(GvlError::invalid(
                "variants.altOffsets",
                "undefined",
                "a BigInt64Array of n_variants + 1 offsets",
            ));
        }
        Ok(())
    }
    fn spans(&self, out: &mut Vec<Span>) {
        out.push(span("variants.starts", &self.starts));
        out.push(span("variants.ilens", &self.ilens));
        if let Some(a) = &self.alts {
            out.push(span("variants.alts", a));
        }
        if let Some(a) = &self.alt_offsets {
            out.push(span("variants.altOffsets", a));
        }
    }
}

impl GenotypeTable {
    pub(crate) fn view(&self) -> Genotypes<'_> {
        Genotypes {
            offsets: &self.offsets,
            variant_idxs: &self.variant_idxs,
        }
    }
    fn spans(&self, out: &mut Vec<Span>) {
        out.push(span("genotypes.offsets", &self.offsets));
        out.push(span("genotypes.variantIdxs", &self.variant_idxs));
    }
}

impl ReferenceSequence {
    pub(crate) fn view(&self) -> Reference<'_> {
        Reference {
            seq: &self.sequence,
            offsets: &self.offsets,
        }
    }
    fn spans(&self, out: &mut Vec<Span>) {
        out.push(span("reference.sequence", &self.sequence));
        out.push(span("reference.offsets", &self.offsets));
    }
}

impl GatherVariantsInput {
    fn view(&self) -> GResult<GatherBatch<'_>> {
        self.variants.require_alts()?;
        let per_row = match self.groups_per_row {
            None => 1,
            Some(k) if k.fract() == 0.0 && (1.0..=u32::MAX as f64).contains(&k) => k as usize,
            Some(k) => {
                return Err(GvlError::invalid(
                    "groupsPerRow",
                    k,
                    "an integer >= 1 dividing groups.length",
                ))
            }
        };
        let dummy = match &self.dummy {
            None => None,
            Some(d) => Some(parse_dummy("dummy", d)?),
        };
        Ok(GatherBatch {
            groups: &self.groups,
            genotypes: self.genotypes.view(),
            variants: self.variants.view(),
            rc_mask: self.rc_mask.as_deref().unwrap_or(&[]),
            groups_per_row: per_row,
            dummy,
            keep: self.keep.as_deref().unwrap_or(&[]),
        })
    }
    fn spans(&self) -> Vec<Span> {
        let mut spans = vec![span("groups", &self.groups)];
        if let Some(m) = &self.rc_mask {
            spans.push(span("rcMask", m));
        }
        if let Some(k) = &self.keep {
            spans.push(span("keep", k));
        }
        self.genotypes.spans(&mut spans);
        self.variants.spans(&mut spans);
        spans
    }
}

/// The pad byte option (absent: `N`), the one place it is checked: an integer in [0, 255].
pub(crate) fn pad_byte(pad: Option<f64>) -> GResult<u8> {
    match pad {
        None => Ok(b'N'),
        Some(p) if p.fract() == 0.0 && (0.0..=255.0).contains(&p) => Ok(p as u8),
        Some(p) => Err(GvlError::invalid("padChar", p, "a byte value in [0, 255]")),
    }
}

/// The (query, haplotype) rows of a kernel input: `ploidy` rows per query,
/// `shifts` absent meaning none.
fn queries<'a>(
    regions: &'a [i32],
    ploidy: u32,
    groups: &'a [i64],
    shifts: Option<&'a [i32]>,
) -> Queries<'a> {
    Queries {
        regions,
        ploidy: ploidy as usize,
        groups,
        shifts: shifts.unwrap_or(&[]),
    }
}

// ---------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------

/// `impl Kernel` for a kernel with one [`Dest`] output in its field `dest`:
/// `compute` is the kernel's own `run`, `make_js` hands over the caller's
/// array or the new one. `Kernel(Input) => Js` also declares the kernel as
/// just those two fields (`input`, `dest`) and `Kernel::new(input, out)`.
macro_rules! dest_kernel {
    ($kernel:ident($input:ty) => $js:ty) => {
        pub struct $kernel {
            input: $input,
            dest: Dest<$js>,
        }

        dest_kernel!($kernel => $js);

        impl $kernel {
            fn new(input: $input, out: Option<$js>) -> napi::Result<Self> {
                Ok($kernel {
                    input,
                    dest: Dest::new(out),
                })
            }
        }
    };
    ($kernel:ty => $js:ty) => {
        impl Kernel for $kernel {
            type Output = Option<Vec<<$js as OutArray>::Elem>>;
            type Js = $js;

            fn compute(&mut self, exec: &Exec) -> GResult<Self::Output> {
                self.run(exec)
            }

            fn make_js(&mut self, output: Self::Output) -> napi::Result<$js> {
                self.dest.make_js(output)
            }
        }
    };
}

dest_kernel!(DiffsKernel(DiffsInput) => Int32Array);

impl DiffsKernel {
    fn run(&mut self, exec: &Exec) -> GResult<Option<Vec<i32>>> {
        let i = &self.input;
        let b = DiffsBatch {
            queries: queries(&i.regions, i.ploidy, &i.groups, None),
            genotypes: i.genotypes.view(),
            variants: i.variants.view(),
        };
        let n = b.validate()?;
        let mut spans = vec![span("regions", &i.regions), span("groups", &i.groups)];
        i.genotypes.spans(&mut spans);
        i.variants.spans(&mut spans);
        self.dest
            .fill(n, ("groups", None), &spans, |out| b.run(exec, out))
    }
}

dest_kernel!(HaplotypesKernel(HaplotypesInput) => Uint8Array);

impl HaplotypesKernel {
    fn run(&mut self, exec: &Exec) -> GResult<Option<Vec<u8>>> {
        let i = &self.input;
        i.variants.require_alts()?;
        let b = HaplotypeBatch {
            queries: queries(&i.regions, i.ploidy, &i.groups, i.shifts.as_deref()),
            genotypes: i.genotypes.view(),
            variants: i.variants.view(),
            reference: i.reference.view(),
            out_offsets: &i.out_offsets,
            pad: pad_byte(i.pad_char)?,
        };
        let offsets = b.validate()?;
        let mut spans = vec![
            span("regions", &i.regions),
            span("groups", &i.groups),
            span("outOffsets", &i.out_offsets),
        ];
        spans.extend(i.shifts.as_deref().map(|s| span("shifts", s)));
        i.genotypes.spans(&mut spans);
        i.variants.spans(&mut spans);
        i.reference.spans(&mut spans);
        self.dest
            .fill_rows(&offsets, &spans, |out| b.run(exec, &offsets, out))
    }
}

dest_kernel!(ReferenceKernel(ReferenceInput) => Uint8Array);

impl ReferenceKernel {
    fn run(&mut self, exec: &Exec) -> GResult<Option<Vec<u8>>> {
        let i = &self.input;
        let b = ReferenceBatch {
            regions: &i.regions,
            reference: i.reference.view(),
            out_offsets: &i.out_offsets,
            pad: pad_byte(i.pad_char)?,
        };
        let offsets = b.validate()?;
        let mut spans = vec![
            span("regions", &i.regions),
            span("outOffsets", &i.out_offsets),
        ];
        i.reference.spans(&mut spans);
        self.dest
            .fill_rows(&offsets, &spans, |out| b.run(exec, &offsets, out))
    }
}

dest_kernel!(TracksKernel(TracksInput) => Float32Array);

impl TracksKernel {
    fn run(&mut self, exec: &Exec) -> GResult<Option<Vec<f32>>> {
        let i = &self.input;
        let b = TracksBatch {
            regions: &i.regions,
            groups: &i.groups,
            intervals: Intervals {
                starts: &i.intervals.starts,
                ends: &i.intervals.ends,
                values: &i.intervals.values,
                offsets: &i.intervals.offsets,
            },
            out_offsets: &i.out_offsets,
        };
        let offsets = b.validate()?;
        let spans = vec![
            span("regions", &i.regions),
            span("groups", &i.groups),
            span("outOffsets", &i.out_offsets),
            span("intervals.starts", &i.intervals.starts),
            span("intervals.ends", &i.intervals.ends),
            span("intervals.values", &i.intervals.values),
            span("intervals.offsets", &i.intervals.offsets),
        ];
        self.dest
            .fill_rows(&offsets, &spans, |out| b.run(exec, &offsets, out))
    }
}

pub struct RealignKernel {
    input: RealignInput,
    fill: Fill,
    base_seed: u64,
    dest: Dest<Float32Array>,
}

/// The insertion fill option named `param` (absent: `repeat5p`), checked by [`Fill::parse`].
pub(crate) fn parse_fill(param: &str, spec: Option<&InsertionFillSpec>) -> GResult<Fill> {
    let p = spec.map_or(FillParams::default(), |f| FillParams {
        kind: f.kind.as_deref(),
        value: f.value,
        flank_width: f.flank_width,
        order: f.order,
    });
    Fill::parse(param, p)
}

/// Checks an insertion fill option exactly as the kernels do (`param` names it
/// in errors), so a caller can reject a bad fill when it is set, not at the first batch.
#[napi]
pub fn check_insertion_fill(param: String, fill: Option<InsertionFillSpec>) -> napi::Result<()> {
    parse_fill(&param, fill.as_ref())?;
    Ok(())
}

pub(crate) fn parse_u64(name: &str, v: &BigInt) -> GResult<u64> {
    let (negative, value, lossless) = v.get_u64();
    if negative && value != 0 || !lossless {
        return Err(GvlError::invalid(
            name,
            format!("{}{value}", if negative { "-" } else { "" }),
            "an integer in [0, 2^64)",
        ));
    }
    Ok(value)
}

dest_kernel!(RealignKernel => Float32Array);

impl RealignKernel {
    fn run(&mut self, exec: &Exec) -> GResult<Option<Vec<f32>>> {
        let i = &self.input;
        let b = RealignBatch {
            queries: queries(&i.regions, i.ploidy, &i.groups, i.shifts.as_deref()),
            genotypes: i.genotypes.view(),
            variants: i.variants.view(),
            tracks: &i.tracks,
            track_offsets: &i.track_offsets,
            out_offsets: &i.out_offsets,
            fill: self.fill,
            base_seed: self.base_seed,
        };
        let offsets = b.validate()?;
        let mut spans = vec![
            span("regions", &i.regions),
            span("groups", &i.groups),
            span("tracks", &i.tracks),
            span("trackOffsets", &i.track_offsets),
            span("outOffsets", &i.out_offsets),
        ];
        spans.extend(i.shifts.as_deref().map(|s| span("shifts", s)));
        i.genotypes.spans(&mut spans);
        i.variants.spans(&mut spans);
        self.dest
            .fill_rows(&offsets, &spans, |out| b.run(exec, &offsets, out))
    }
}

/// The counting pass of `gatherVariants` on its own: validates, then writes
/// the row offsets and returns the ALT byte total.
pub struct CountVariantsKernel {
    input: GatherVariantsInput,
    dest: Dest<BigInt64Array>,
}

impl Kernel for CountVariantsKernel {
    type Output = (Option<Vec<i64>>, usize);
    type Js = VariantCounts;

    fn compute(&mut self, exec: &Exec) -> GResult<Self::Output> {
        let i = &self.input;
        let b = i.view()?;
        b.validate()?;
        let mut alt_bytes = 0;
        let offsets = self
            .dest
            .fill(b.n_rows() + 1, ("groups", None), &i.spans(), |out| {
                let layout = b.count(exec)?;
                for (o, &x) in out.iter_mut().zip(&layout.offsets) {
                    *o = x as i64;
                }
                alt_bytes = layout.alt_bytes();
                Ok(())
            })?;
        Ok((offsets, alt_bytes))
    }

    fn make_js(&mut self, (offsets, alt_bytes): Self::Output) -> napi::Result<VariantCounts> {
        Ok(VariantCounts {
            offsets: self.dest.make_js(offsets)?,
            alt_bytes: alt_bytes as i64,
        })
    }
}

/// Columns of a `gatherVariants` output allocated here (no caller `out`).
pub struct OwnedVariants {
    offsets: Vec<i64>,
    start: Vec<i32>,
    ilen: Vec<i32>,
    alt: Vec<u8>,
    alt_offsets: Vec<i64>,
    variant_idx: Vec<i32>,
}

/// `gatherVariants`: validate, count, then fill the caller's six columns
/// (checked for length and for sharing no memory with the inputs or each
/// other) or six new ones.
pub struct GatherVariantsKernel {
    input: GatherVariantsInput,
    out: Option<GatheredVariants>,
}

impl Kernel for GatherVariantsKernel {
    type Output = Option<OwnedVariants>;
    type Js = GatheredVariants;

    fn compute(&mut self, exec: &Exec) -> GResult<Self::Output> {
        let i = &self.input;
        let b = i.view()?;
        b.validate()?;
        match &mut self.out {
            Some(o) => {
                let mut seen = i.spans();
                for s in [
                    span("out.offsets", &o.offsets),
                    span("out.start", &o.start),
                    span("out.ilen", &o.ilen),
                    span("out.alt", &o.alt),
                    span("out.altOffsets", &o.alt_offsets),
                    span("out.variantIdx", &o.variant_idx),
                ] {
                    check_disjoint(
                        &s,
                        &seen,
                        "an output column that shares no memory with any input or other column",
                    )?;
                    seen.push(s);
                }
                let layout = b.count(exec)?;
                // SAFETY: the documented contract: JS does not touch `out` while
                // pending; the six columns were just checked to be disjoint.
                let out = unsafe {
                    GatherOut {
                        offsets: o.offsets.data_mut(),
                        start: o.start.data_mut(),
                        ilen: o.ilen.data_mut(),
                        alt: o.alt.data_mut(),
                        alt_offsets: o.alt_offsets.data_mut(),
                        variant_idx: o.variant_idx.data_mut(),
                    }
                };
                b.fill(exec, &layout, out)?;
                Ok(None)
            }
            None => {
                let layout = b.count(exec)?;
                let n = layout.n_variants();
                let rows = b.n_rows();
                let col = |param, elements: usize, elem_size, dtype| Column {
                    param,
                    index: None,
                    elements: elements as u64,
                    elem_size,
                    dtype,
                };
                limits::check_output(&[
                    col("groups", rows + 1, 8, "int64"),
                    col("groups", n, 4, "int32 (start)"),
                    col("groups", n, 4, "int32 (ilen)"),
                    col("groups", n, 4, "int32 (variantIdx)"),
                    col("groups", n + 1, 8, "int64 (altOffsets)"),
                    col("groups", layout.alt_bytes(), 1, "uint8 (alt)"),
                ])?;
                let mut v = OwnedVariants {
                    offsets: batch::zeroed(b.n_rows() + 1)?,
                    start: batch::zeroed(n)?,
                    ilen: batch::zeroed(n)?,
                    alt: batch::zeroed(layout.alt_bytes())?,
                    alt_offsets: batch::zeroed(n + 1)?,
                    variant_idx: batch::zeroed(n)?,
                };
                let out = GatherOut {
                    offsets: &mut v.offsets,
                    start: &mut v.start,
                    ilen: &mut v.ilen,
                    alt: &mut v.alt,
                    alt_offsets: &mut v.alt_offsets,
                    variant_idx: &mut v.variant_idx,
                };
                b.fill(exec, &layout, out)?;
                Ok(Some(v))
            }
        }
    }

    fn make_js(&mut self, output: Self::Output) -> napi::Result<GatheredVariants> {
        match output {
            Some(v) => Ok(GatheredVariants {
                offsets: BigInt64Array::new(v.offsets),
                start: Int32Array::new(v.start),
                ilen: Int32Array::new(v.ilen),
                alt: Uint8Array::new(v.alt),
                alt_offsets: BigInt64Array::new(v.alt_offsets),
                variant_idx: Int32Array::new(v.variant_idx),
            }),
            None => self
                .out
                .take()
                .ok_or_else(|| napi::Error::from_reason("output already taken")),
        }
    }
}

/// In-place row kernels (reverse complement, reverse).
pub struct RowsKernel<A: OutArray> {
    data: Option<A>,
    offsets: BigInt64Array,
    rows: Option<Uint8Array>,
    op: fn(&mut [A::Elem]),
}

impl<A: OutArray> Kernel for RowsKernel<A> {
    type Output = ();
    type Js = A;

    fn compute(&mut self, exec: &Exec) -> GResult<()> {
        let mask: &[u8] = self.rows.as_deref().unwrap_or(&[]);
        let offsets: &[i64] = &self.offsets;
        let Some(arr) = self.data.as_mut() else {
            return Err(GvlError::invalid("data", "undefined", "a typed array"));
        };
        // SAFETY: the documented contract: JS does not touch `data` while pending.
        let data = unsafe { arr.data_mut() };
        let d = span("data", data);
        for s in [span("offsets", offsets), span("rows", mask)] {
            if d.start != d.end && s.start != s.end && d.start < s.end && s.start < d.end {
                return Err(GvlError::invalid(
                    s.name,
                    "data",
                    "an array that shares no memory with data",
                ));
            }
        }
        let offs = rc::validate_rows(offsets, mask, data.len())?;
        rc::for_selected(exec, data, &offs, mask, self.op)
    }

    fn make_js(&mut self, _output: ()) -> napi::Result<A> {
        self.data
            .take()
            .ok_or_else(|| napi::Error::from_reason("data already taken"))
    }
}

fn cancel_flag(signal: &Option<AbortSignal>) -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    if let Some(signal) = signal {
        let f = Arc::clone(&flag);
        signal.on_abort(move || f.store(true, Ordering::SeqCst));
    }
    flag
}

pub(crate) fn spawn<K: Kernel>(
    kernel: K,
    parallel: bool,
    signal: Option<AbortSignal>,
) -> AsyncTask<KernelTask<K>> {
    let cancel = cancel_flag(&signal);
    AsyncTask::with_optional_signal(KernelTask::new(kernel, parallel, cancel), signal)
}

// ---------------------------------------------------------------------------
// Exported functions
// ---------------------------------------------------------------------------

/// One kernel as its napi pair: `$sync(args…, parallel, extra…)` runs on the
/// calling thread, `$async(args…, parallel, extra…, signal)` is an `AsyncTask`
/// off it; the kernel expression builds the kernel from the arguments
/// (validating options once, before either entry point runs it). The short
/// form `input In, out Out => Kernel;` is a kernel of one input object and an
/// optional `out` array, built by `Kernel::new(input, out)`; it adds the
/// async form's note on referenced inputs. Doc lines are
/// written as `#[doc = "…"]`: napi-derive keeps the `r"` prefix of `///`
/// comments that pass through `macro_rules!`.
macro_rules! kernel_pair {
    (
        $(#[doc = $sync_doc:tt])*
        sync $sync:ident;
        $(#[doc = $async_doc:tt])*
        async $async:ident -> $ts:literal;
        input $input:ty, out $out:ty => $kernel:ident;
    ) => {
        kernel_pair! {
            $(#[doc = $sync_doc])*
            sync $sync;
            $(#[doc = $async_doc])*
            #[doc = " Inputs and `out` are referenced, not copied: do not mutate them until the promise settles."]
            async $async -> $ts;
            args (input: $input), parallel, (out: Option<$out>);
            kernel $kernel = $kernel::new(input, out);
            returns $out;
        }
    };
    (
        $(#[doc = $sync_doc:tt])*
        sync $sync:ident;
        $(#[doc = $async_doc:tt])*
        async $async:ident -> $ts:literal;
        args ($($arg:ident: $ty:ty),*), parallel, ($($extra:ident: $xty:ty),*);
        kernel $kernel:ty = $make:expr;
        returns $out:ty;
    ) => {
        $(#[doc = $sync_doc])*
        #[napi]
        pub fn $sync($($arg: $ty,)* parallel: bool, $($extra: $xty),*) -> napi::Result<$out> {
            let kernel: $kernel = $make?;
            tasks::run_sync(kernel, parallel)
        }

        $(#[doc = $async_doc])*
        #[napi(ts_return_type = $ts)]
        pub fn $async(
            $($arg: $ty,)*
            parallel: bool,
            $($extra: $xty,)*
            signal: Option<AbortSignal>,
        ) -> napi::Result<AsyncTask<KernelTask<$kernel>>> {
            let kernel: $kernel = $make?;
            Ok(spawn(kernel, parallel, signal))
        }
    };
}

kernel_pair! {
    #[doc = " Per-haplotype length differences, int32 `(n, ploidy)`. Blocks the calling thread."]
    sync get_diffs_sync;
    #[doc = " Per-haplotype length differences, int32 `(n, ploidy)`, computed off the JS thread."]
    async get_diffs -> "Promise<Int32Array>";
    input DiffsInput, out Int32Array => DiffsKernel;
}

kernel_pair! {
    #[doc = " Haplotype bytes, rows delimited by `outOffsets`. Blocks the calling thread."]
    sync reconstruct_haplotypes_sync;
    #[doc = " Haplotype bytes, rows delimited by `outOffsets`, computed off the JS thread."]
    async reconstruct_haplotypes -> "Promise<Uint8Array>";
    input HaplotypesInput, out Uint8Array => HaplotypesKernel;
}

kernel_pair! {
    #[doc = " N-padded reference bytes, rows delimited by `outOffsets`. Blocks the calling thread."]
    sync get_reference_sync;
    #[doc = " N-padded reference bytes, rows delimited by `outOffsets`, computed off the JS thread."]
    async get_reference -> "Promise<Uint8Array>";
    input ReferenceInput, out Uint8Array => ReferenceKernel;
}

kernel_pair! {
    #[doc = " Float32 tracks painted from intervals, rows delimited by `outOffsets`. Blocks the calling thread."]
    sync intervals_to_tracks_sync;
    #[doc = " Float32 tracks painted from intervals, computed off the JS thread."]
    async intervals_to_tracks -> "Promise<Float32Array>";
    input TracksInput, out Float32Array => TracksKernel;
}

impl RealignKernel {
    /// Parses `fill` and `baseSeed` once, before either entry point runs.
    fn new(input: RealignInput, out: Option<Float32Array>) -> napi::Result<Self> {
        let fill = parse_fill("fill", input.fill.as_ref())?;
        let base_seed = match &input.base_seed {
            Some(b) => parse_u64("baseSeed", b)?,
            None => 0,
        };
        Ok(RealignKernel {
            input,
            fill,
            base_seed,
            dest: Dest::new(out),
        })
    }
}

kernel_pair! {
    #[doc = " Float32 tracks realigned to haplotypes, rows delimited by `outOffsets`. Blocks the calling thread."]
    sync realign_tracks_sync;
    #[doc = " Float32 tracks realigned to haplotypes, computed off the JS thread."]
    async realign_tracks -> "Promise<Float32Array>";
    input RealignInput, out Float32Array => RealignKernel;
}

kernel_pair! {
    #[doc = " The counting pass of `gatherVariants`: row offsets (written into `out`, or a"]
    #[doc = " new array) and the ALT byte total, so a caller can allocate the six output"]
    #[doc = " columns itself. Blocks the calling thread."]
    sync count_variants_sync;
    #[doc = " The counting pass of `gatherVariants`, computed off the JS thread."]
    #[doc = " Inputs and `out` are referenced, not copied: do not mutate them until the promise settles."]
    async count_variants -> "Promise<VariantCounts>";
    args (input: GatherVariantsInput), parallel, (out: Option<BigInt64Array>);
    kernel CountVariantsKernel = napi::Result::Ok(CountVariantsKernel { input, dest: Dest::new(out) });
    returns VariantCounts;
}

kernel_pair! {
    #[doc = " Each row's variants gathered into flat columns, ALT alleles of rows"]
    #[doc = " flagged in `rcMask` reverse-complemented. Fills `out` (six columns sized"]
    #[doc = " from `countVariants`: the TS layer allocates them in V8, so they are"]
    #[doc = " GC-accounted and transferable) or, without it, columns allocated here and"]
    #[doc = " handed over without a copy (external buffers). Blocks the calling thread."]
    sync gather_variants_sync;
    #[doc = " Each row's variants gathered into flat columns, computed off the JS thread."]
    #[doc = " Inputs and `out` are referenced, not copied: do not mutate them until the promise settles."]
    async gather_variants -> "Promise<GatheredVariants>";
    args (input: GatherVariantsInput), parallel, (out: Option<GatheredVariants>);
    kernel GatherVariantsKernel = napi::Result::Ok(GatherVariantsKernel { input, out });
    returns GatheredVariants;
}

kernel_pair! {
    #[doc = " Reverse-complement the selected byte rows of `data` in place and return `data`."]
    sync reverse_complement_sync;
    #[doc = " Reverse-complement the selected byte rows of `data` in place, off the JS thread."]
    #[doc = " Do not touch `data`, `offsets` or `rows` until the promise settles."]
    async reverse_complement -> "Promise<Uint8Array>";
    args (data: Uint8Array, offsets: BigInt64Array, rows: Option<Uint8Array>), parallel, ();
    kernel RowsKernel<Uint8Array> = napi::Result::Ok(RowsKernel { data: Some(data), offsets, rows, op: rc::rc_row });
    returns Uint8Array;
}

kernel_pair! {
    #[doc = " Reverse the selected float32 rows of `data` in place and return `data`."]
    sync reverse_rows_sync;
    #[doc = " Reverse the selected float32 rows of `data` in place, off the JS thread."]
    #[doc = " Do not touch `data`, `offsets` or `rows` until the promise settles."]
    async reverse_rows -> "Promise<Float32Array>";
    args (data: Float32Array, offsets: BigInt64Array, rows: Option<Uint8Array>), parallel, ();
    kernel RowsKernel<Float32Array> = napi::Result::Ok(RowsKernel { data: Some(data), offsets, rows, op: rc::reverse_row });
    returns Float32Array;
}

/// One round of xorshift64 on a uint64.
#[napi]
pub fn xorshift64(x: BigInt) -> napi::Result<BigInt> {
    Ok(BigInt::from(prng::xorshift64(parse_u64("x", &x)?)))
}

/// hash4(a, b, c, d) on uint64s, as used by the FlankSample fill.
#[napi]
pub fn hash4(a: BigInt, b: BigInt, c: BigInt, d: BigInt) -> napi::Result<BigInt> {
    Ok(BigInt::from(prng::hash4(
        parse_u64("a", &a)?,
        parse_u64("b", &b)?,
        parse_u64("c", &c)?,
        parse_u64("d", &d)?,
    )))
}

/// The pool's configuration.
#[napi(object)]
pub struct PoolState {
    /// Whether the size has been fixed.
    pub configured: bool,
    /// Number of rayon threads (0 while unconfigured).
    pub num_threads: u32,
    /// Who fixed the size.
    pub source: String,
    /// Whether the threads have been spawned.
    pub built: bool,
}

fn pool_state(s: pool::PoolState) -> PoolState {
    PoolState {
        configured: s.configured,
        num_threads: s.num_threads as u32,
        source: s.source,
        built: s.built,
    }
}

/// Fix the pool size. With `explicit`, a different size already fixed is a
/// `GVL_POOL_CONFIGURED` error; otherwise the existing size is kept.
#[napi]
pub fn configure_pool(num_threads: u32, source: String, explicit: bool) -> napi::Result<PoolState> {
    Ok(pool_state(pool::configure(num_threads, &source, explicit)?))
}

/// The pool's current configuration (no side effects).
#[napi]
pub fn pool_info() -> PoolState {
    pool_state(pool::state())
}

/// The output cap, as `limitsInfo()` reports it.
#[napi(object)]
pub struct LimitsState {
    /// The most bytes one kernel call may allocate for its output (all its
    /// output arrays together); an integer in [1, 2^53 - 1].
    pub max_output_bytes: f64,
    /// Where it comes from: `default` (4 GiB), `env` (`GVL_MAX_OUTPUT_BYTES`)
    /// or `configureLimits`.
    pub source: String,
}

fn limits_state() -> GResult<LimitsState> {
    let (cap, source) = limits::current()?;
    Ok(LimitsState {
        max_output_bytes: cap as f64,
        source: source.as_str().to_owned(),
    })
}

/// Set the output cap (process-wide, for calls that start afterwards):
/// `maxOutputBytes` an integer in [1, 2^53 - 1].
#[napi]
pub fn configure_limits(max_output_bytes: f64) -> napi::Result<LimitsState> {
    let v = max_output_bytes;
    if !(v.is_finite() && v.fract() == 0.0 && (1.0..=limits::MAX_CAP as f64).contains(&v)) {
        return Err(GvlError::invalid("maxOutputBytes", v, "an integer in [1, 2^53 - 1]").into());
    }
    limits::set_max_output_bytes(v as u64)?;
    Ok(limits_state()?)
}

/// The output cap and its source. Throws `GVL_INVALID_ARGUMENT` when
/// `GVL_MAX_OUTPUT_BYTES` is set but is not a byte count (and no cap was
/// configured since).
#[napi]
pub fn limits_info() -> napi::Result<LimitsState> {
    Ok(limits_state()?)
}

/// One output array a call is about to allocate, for `checkOutputBytes`.
#[napi(object, object_to_js = false)]
pub struct OutputColumn {
    /// The input that sets its size, e.g. `outOffsets`.
    pub param: String,
    /// The element of `param` that sets it, when `param` is an array.
    pub index: Option<u32>,
    /// Number of elements (a non-negative integer).
    pub elements: BigInt,
    /// Bytes per element.
    pub elem_size: u32,
    /// Element type name for messages, e.g. `float32`.
    pub dtype: String,
}

/// Check, before allocating, that output arrays fit under the cap: their
/// bytes, summed in checked 64-bit arithmetic, are at most `maxOutputBytes`.
/// Returns the total bytes; throws `GVL_OUTPUT_TOO_LARGE` naming the first
/// array that overflows or passes the cap.
#[napi]
pub fn check_output_bytes(columns: Vec<OutputColumn>) -> napi::Result<f64> {
    let mut parsed = Vec::with_capacity(columns.len());
    for c in &columns {
        let (negative, value, lossless) = c.elements.get_u64();
        if negative && value != 0 {
            return Err(GvlError::invalid(
                &c.param,
                -(value.min(i64::MAX as u64) as i64),
                "a non-negative size",
            )
            .into());
        }
        let col = Column {
            param: &c.param,
            index: c.index.map(|i| i as usize),
            elements: value,
            elem_size: c.elem_size as usize,
            dtype: &c.dtype,
        };
        if !lossless && c.elem_size > 0 {
            // At least 2^64 elements: past any cap, whatever the other columns.
            let text = format!("more than {}", u64::MAX);
            return Err(limits::overflow_error(&col, &text).into());
        }
        parsed.push(Column {
            elements: if lossless { value } else { 0 },
            ..col
        });
    }
    Ok(limits::check_output(&parsed)? as f64)
}

/// Process-wide kernel counters.
#[napi(object)]
pub struct Counters {
    pub started: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub failed: i64,
    pub in_flight: i64,
}

/// Process-wide kernel counters: at rest `started == completed + cancelled + failed`.
#[napi]
pub fn counters() -> Counters {
    let s = tasks::snapshot();
    Counters {
        started: s.started,
        completed: s.completed,
        cancelled: s.cancelled,
        failed: s.failed,
        in_flight: s.in_flight,
    }
}
