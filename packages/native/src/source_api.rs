//! The napi surface of the fused haplotype batch: a `HaplotypeSource` holds
//! the dataset's arrays (referenced, not copied) once; each batch passes only
//! its region and sample indices and gets finished haplotype bytes from one
//! native call, `getSync()` on the calling thread or `get()` off it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{
    AbortSignal, AsyncTask, BigInt64Array, Float64Array, Int32Array, Uint8Array,
};
use napi_derive::napi;

use crate::api::{pad_byte, GenotypeTable, ReferenceSequence, VariantTable};
use crate::batch::{self, Genotypes, Reference, Variants};
use crate::errors::{GResult, GvlError};
use crate::fused::{Plan, Request, Source};
use crate::limits::{self, Column};
use crate::pool::Exec;
use crate::recycle::{self, Recycler};
use crate::tasks::{self, Kernel, KernelTask};

/// The dataset side of {@link HaplotypeSource}: arrays held for the
/// source's lifetime. JS must not mutate them while the source is in use.
#[napi(object, object_to_js = false)]
pub struct HaplotypeSourceInput {
    pub genotypes: GenotypeTable,
    /// Must carry `alts` and `altOffsets`.
    pub variants: VariantTable,
    pub reference: ReferenceSequence,
    /// int32 `(R, 4)` on-disk order: contig index, start, end (0-based,
    /// half-open, unpadded), strand (+1 / −1).
    pub regions: Int32Array,
    /// int32 `(R_input)`: on-disk row of each input-order region.
    pub r_idx_map: Int32Array,
    pub n_samples: u32,
    pub ploidy: u32,
    /// Pad byte for positions off the contig, an integer in [0, 255]. Default `N` (78).
    pub pad_char: Option<f64>,
}

/// One batch: item `i` is (input region `regionIdx[i]`, sample `sampleIdx[i]`).
#[napi(object, object_to_js = false)]
pub struct HaplotypeRequest {
    /// int32 `(n)` input-order region indices.
    pub region_idx: Int32Array,
    /// int32 `(n)` sample indices (metadata order).
    pub sample_idx: Int32Array,
    /// int32 `(n)` start offsets (jitter), or absent for none.
    pub jitter: Option<Int32Array>,
    /// float64 `(n * ploidy)` uniforms in `[0, 1)` for random shifts (fixed length only).
    pub shift_u: Option<Float64Array>,
    /// Fixed output length per row; absent for ragged rows.
    pub length: Option<u32>,
    /// Reverse-complement rows of − strand regions.
    pub rc_neg: bool,
    /// Also return, per haplotype base, the variant it came from and its
    /// reference coordinate (`varIdxs`, `refCoords`). Default false.
    pub annotate: Option<bool>,
}

/// A fused batch's result.
#[napi(object, object_from_js = false)]
pub struct HaplotypeBatchResult {
    /// uint8 bytes of length `bytes`, when the kernel allocated them; absent
    /// when they were written into the caller's `out` (its first `bytes` bytes).
    pub data: Option<Uint8Array>,
    /// int64 `(n * ploidy + 1)` row offsets, starting at 0.
    pub offsets: BigInt64Array,
    /// int32, with `annotate`: per base (same offsets as the bytes), the row of
    /// the variant table the base came from, or −1 for reference and pad bases.
    /// Rows of reverse-complemented items are reversed.
    pub var_idxs: Option<Int32Array>,
    /// int32, with `annotate`: per base (same offsets as the bytes), its 0-based
    /// reference coordinate: every base of an allele (anchor and inserted bases)
    /// maps to the variant's start; −1 before the contig start, 2147483647
    /// (`i32::MAX`) past the contig end. Rows of reverse-complemented items are
    /// reversed.
    pub ref_coords: Option<Int32Array>,
    /// Output bytes.
    pub bytes: f64,
    /// Whether the rows ran on the pool.
    pub parallel: bool,
}

struct SourceData {
    input: HaplotypeSourceInput,
    pad: u8,
    /// New batch outputs come from here and return here when JS drops them.
    recycler: Arc<Recycler>,
}

impl SourceData {
    fn view(&self) -> Source<'_> {
        let i = &self.input;
        Source {
            genotypes: Genotypes {
                offsets: &i.genotypes.offsets,
                variant_idxs: &i.genotypes.variant_idxs,
            },
            variants: Variants {
                starts: &i.variants.starts,
                ilens: &i.variants.ilens,
                alts: i.variants.alts.as_deref().unwrap_or(&[]),
                alt_offsets: i.variants.alt_offsets.as_deref().unwrap_or(&[]),
            },
            reference: Reference {
                seq: &i.reference.sequence,
                offsets: &i.reference.offsets,
            },
            regions: &i.regions,
            r_idx_map: &i.r_idx_map,
            n_samples: i.n_samples as usize,
            ploidy: i.ploidy as usize,
            pad: self.pad,
        }
    }

    /// Whether `out` shares memory with any held array.
    fn aliases(&self, out: &[u8]) -> Option<&'static str> {
        let i = &self.input;
        let spans: [(&'static str, &[u8]); 8] = [
            ("reference.sequence", &i.reference.sequence),
            ("reference.offsets", bytes_of(&i.reference.offsets)),
            ("genotypes.offsets", bytes_of(&i.genotypes.offsets)),
            ("genotypes.variantIdxs", bytes_of(&i.genotypes.variant_idxs)),
            ("variants.starts", bytes_of(&i.variants.starts)),
            ("variants.ilens", bytes_of(&i.variants.ilens)),
            ("variants.alts", i.variants.alts.as_deref().unwrap_or(&[])),
            ("regions", bytes_of(&i.regions)),
        ];
        spans
            .into_iter()
            .find(|(_, s)| batch::overlaps(out, s))
            .map(|(n, _)| n)
    }
}

fn bytes_of<T>(s: &[T]) -> &[u8] {
    // SAFETY: plain numbers viewed as bytes, only for address comparisons.
    unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
}

/// A dataset's haplotype inputs, held natively so that each batch is one call
/// from region and sample indices to finished bytes: length changes, output
/// offsets, random shifts, reconstruction and reverse complement of − strand
/// rows, in one parallel region over (item, haplotype) rows with disjoint
/// output slices (identical bytes for any thread count).
#[napi]
pub struct HaplotypeSource {
    data: Arc<SourceData>,
}

#[napi]
impl HaplotypeSource {
    /// Validates the dataset side once (`GVL_INVALID_ARGUMENT` /
    /// `GVL_INDEX_OUT_OF_RANGE` naming the array and element).
    #[napi(constructor)]
    pub fn new(input: HaplotypeSourceInput) -> napi::Result<Self> {
        let pad = pad_byte(input.pad_char)?;
        if input.variants.alts.is_none() || input.variants.alt_offsets.is_none() {
            return Err(GvlError::invalid(
                "variants.alts",
                "undefined",
                "the ALT alleles (alts and altOffsets)",
            )
            .into());
        }
        let data = SourceData {
            input,
            pad,
            recycler: Recycler::new(recycle::DEFAULT_MAX_BYTES),
        };
        data.view().validate()?;
        Ok(HaplotypeSource {
            data: Arc::new(data),
        })
    }

    /// One batch on the calling thread (blocks it; the rows run on the pool
    /// when the output reaches `parallelAt` bytes). `out`: a buffer to write
    /// into when it holds at least the batch's bytes (else a new array).
    #[napi]
    pub fn get_sync(
        &self,
        request: HaplotypeRequest,
        parallel_at: f64,
        out: Option<Uint8Array>,
    ) -> napi::Result<HaplotypeBatchResult> {
        tasks::run_sync(
            self.kernel(request, parallel_at, out),
            parallel_at.is_finite(),
        )
    }

    /// One batch off the JS thread (a libuv thread; the pool when the output
    /// reaches `parallelAt` bytes). Do not touch `out` until it settles.
    #[napi(ts_return_type = "Promise<HaplotypeBatchResult>")]
    pub fn get(
        &self,
        request: HaplotypeRequest,
        parallel_at: f64,
        out: Option<Uint8Array>,
        signal: Option<AbortSignal>,
    ) -> AsyncTask<KernelTask<FusedKernel>> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(s) = &signal {
            let f = Arc::clone(&flag);
            s.on_abort(move || f.store(true, Ordering::SeqCst));
        }
        let kernel = self.kernel(request, parallel_at, out);
        AsyncTask::with_optional_signal(
            KernelTask::new(kernel, parallel_at.is_finite(), flag),
            signal,
        )
    }
}

#[napi]
impl HaplotypeSource {
    /// Bytes of output memory held for reuse: batches whose arrays JS has
    /// dropped (and V8 collected) return their memory here, up to 64 MiB, and
    /// later batches are written into it instead of new allocations.
    #[napi(getter)]
    pub fn held_output_bytes(&self) -> f64 {
        self.data.recycler.held_bytes() as f64
    }
}

impl HaplotypeSource {
    fn kernel(
        &self,
        request: HaplotypeRequest,
        parallel_at: f64,
        out: Option<Uint8Array>,
    ) -> FusedKernel {
        FusedKernel {
            data: Arc::clone(&self.data),
            request,
            parallel_at,
            out,
        }
    }
}

pub struct FusedKernel {
    data: Arc<SourceData>,
    request: HaplotypeRequest,
    parallel_at: f64,
    out: Option<Uint8Array>,
}

pub struct FusedOutput {
    data: Option<Vec<u8>>,
    /// `(var_idxs, ref_coords)` with `annotate`.
    annotation: Option<(Vec<i32>, Vec<i32>)>,
    offsets: Vec<i64>,
    bytes: usize,
    parallel: bool,
}

/// Writes the planned haplotype rows into `out` (length `plan.total()`) and,
/// with `annotate`, their per-base annotations into two new int32 arrays
/// (`(var_idxs, ref_coords)`, returned).
fn write_rows(
    src: &Source,
    plan: &Plan,
    exec: &Exec,
    out: &mut [u8],
    annotate: bool,
) -> GResult<Option<(Vec<i32>, Vec<i32>)>> {
    if !annotate {
        src.run(plan, exec, out)?;
        return Ok(None);
    }
    let n = out.len();
    let (mut vi, mut rc) = (batch::zeroed::<i32>(n)?, batch::zeroed::<i32>(n)?);
    src.run_annotated(plan, exec, out, &mut vi, &mut rc)?;
    Ok(Some((vi, rc)))
}

impl FusedKernel {
    fn run(&mut self, exec: &Exec) -> GResult<FusedOutput> {
        if self.parallel_at.is_nan() || self.parallel_at < 0.0 {
            return Err(GvlError::invalid(
                "parallelAt",
                self.parallel_at,
                "a number of bytes >= 0 (Infinity: never parallel)",
            ));
        }
        let src = self.data.view();
        let r = &self.request;
        let req = Request {
            region_idx: &r.region_idx,
            sample_idx: &r.sample_idx,
            jitter: r.jitter.as_deref().unwrap_or(&[]),
            shift_u: r.shift_u.as_deref().unwrap_or(&[]),
            length: r.length.map(|l| l as usize),
            rc_neg: r.rc_neg,
        };
        let serial = Exec {
            pool: None,
            cancel: exec.cancel,
        };
        let plan: Plan = src.plan(&req, &serial)?;
        let n = plan.total();
        let parallel = exec.pool.is_some() && n as f64 >= self.parallel_at;
        let run_exec = if parallel { *exec } else { serial };
        let annotate = r.annotate.unwrap_or(false);
        let mut columns = vec![Column::of("regionIdx", n as u64, 1, "uint8")];
        if annotate {
            columns.extend([Column::of("regionIdx", n as u64, 4, "int32"); 2]);
        }
        if let Some(out) = self.out.as_mut() {
            // SAFETY: the documented contract: JS does not touch `out` while pending.
            let buf = unsafe { out.as_mut() };
            if buf.len() >= n {
                if let Some(name) = self.data.aliases(buf) {
                    return Err(GvlError::invalid(
                        "out",
                        name,
                        "an output buffer that shares no memory with the source's arrays",
                    ));
                }
                if annotate {
                    limits::check_output(&columns[1..])?;
                }
                let annotation = write_rows(&src, &plan, &run_exec, &mut buf[..n], annotate)?;
                return Ok(FusedOutput {
                    data: None,
                    annotation,
                    offsets: plan.offsets,
                    bytes: n,
                    parallel,
                });
            }
        }
        limits::check_output(&columns)?;
        // SAFETY: `Source::run` writes every byte of every row (reference,
        // alleles, then pad to the row's end), and the rows tile `[0, n)`;
        // on error the buffer is dropped unread.
        let mut v = unsafe { self.data.recycler.take(n)? };
        let annotation = write_rows(&src, &plan, &run_exec, &mut v[..n], annotate)?;
        Ok(FusedOutput {
            data: Some(v),
            annotation,
            offsets: plan.offsets,
            bytes: n,
            parallel,
        })
    }
}

impl Kernel for FusedKernel {
    type Output = FusedOutput;
    type Js = HaplotypeBatchResult;

    fn compute(&mut self, exec: &Exec) -> GResult<FusedOutput> {
        self.run(exec)
    }

    fn make_js(&mut self, o: FusedOutput) -> napi::Result<HaplotypeBatchResult> {
        let (var_idxs, ref_coords) = match o.annotation {
            Some((vi, rc)) => (Some(Int32Array::new(vi)), Some(Int32Array::new(rc))),
            None => (None, None),
        };
        Ok(HaplotypeBatchResult {
            var_idxs,
            ref_coords,
            data: o
                .data
                .map(|v| recycle::into_js(v, o.bytes, &self.data.recycler)),
            offsets: BigInt64Array::new(o.offsets),
            bytes: o.bytes as f64,
            parallel: o.parallel,
        })
    }
}
