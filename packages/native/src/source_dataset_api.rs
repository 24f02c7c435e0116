//! The napi surface of the fused dataset batch: a `DatasetSource` holds a
//! dataset's arrays (referenced, not copied) once; each batch passes only its
//! region and sample indices and the outputs it wants, and gets finished
//! sequences and tracks from one native call, `getSync()` on the calling
//! thread or `get()` off it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{
    AbortSignal, AsyncTask, BigInt, BigInt64Array, Float32Array, Float64Array, Int32Array,
    Uint8Array,
};
use napi_derive::napi;

use crate::api::{
    pad_byte, parse_fill, parse_u64, GenotypeTable, InsertionFillSpec, IntervalTable,
    ReferenceSequence, VariantTable,
};
use crate::batch;
use crate::encode::{Encoding, SeqOut};
use crate::errors::{GResult, GvlError};
use crate::fused_batch::{AnnotationOut, DatasetSource as Source, Request, Seqs};
use crate::fused_tracks::Track;
use crate::limits::{self, Column};
use crate::pool::Exec;
use crate::realign::Fill;
use crate::tasks::{self, Kernel, KernelTask};
use crate::tracks::Intervals;

/// One held track of a {@link DatasetSource}.
#[napi(object, object_to_js = false)]
pub struct SourceTrack {
    /// The track's intervals: group `g` is `r` (annotation track) or `r·S + s`
    /// (sample track) for on-disk region row `r` and sample `s`.
    pub intervals: IntervalTable,
    /// One group per region (true) or per (region, sample) (false).
    pub annotation: bool,
}

/// The dataset side of {@link DatasetSource}: arrays held for the source's
/// lifetime. JS must not mutate them while the source is in use.
#[napi(object, object_to_js = false)]
pub struct DatasetSourceInput {
    /// int32 `(R, 4)` on-disk order: contig index, start, end (0-based,
    /// half-open, unpadded), strand (+1 / −1).
    pub regions: Int32Array,
    /// int32 `(R_input)`: on-disk row of each input-order region.
    pub r_idx_map: Int32Array,
    pub n_samples: u32,
    pub ploidy: u32,
    /// Needed for reference and haplotype sequences and for realignment.
    pub reference: Option<ReferenceSequence>,
    /// Pad byte for positions off the contig, an integer in [0, 255]. Default `N` (78).
    pub pad_char: Option<f64>,
    /// Needed for haplotypes and realignment, with `variants` (carrying `alts`).
    pub genotypes: Option<GenotypeTable>,
    pub variants: Option<VariantTable>,
    /// Tracks a request may select by index.
    pub tracks: Option<Vec<SourceTrack>>,
}

/// One batch: item `i` is (input region `regionIdx[i]`, sample `sampleIdx[i]`).
#[napi(object, object_to_js = false)]
pub struct DatasetRequest {
    /// int32 `(n)` input-order region indices.
    pub region_idx: Int32Array,
    /// int32 `(n)` sample indices (metadata order).
    pub sample_idx: Int32Array,
    /// int32 `(n)` start offsets (jitter), or absent for none.
    pub jitter: Option<Int32Array>,
    /// float64 `(n * ploidy)` uniforms in `[0, 1)` for random haplotype shifts (fixed length only).
    pub shift_u: Option<Float64Array>,
    /// Fixed output length per row; absent for ragged rows.
    pub length: Option<u32>,
    /// Reverse-complement sequences and reverse tracks of − strand regions.
    pub rc_neg: bool,
    /// `"reference"`, `"haplotypes"`, `"annotated"` (haplotypes with `seqVarIdxs`
    /// and `seqRefCoords`), or absent for no sequences.
    pub seqs: Option<String>,
    /// Indices of the held tracks to return, in output order.
    pub tracks: Option<Vec<u32>>,
    /// Realign the tracks to the haplotypes.
    pub realign: Option<bool>,
    /// One insertion fill per requested track (realignment only); absent, empty or
    /// a hole: `repeat5p`.
    pub fills: Option<Vec<Option<InsertionFillSpec>>>,
    /// uint64 FlankSample base seed; absent: the XOR of every item's `r·S + s`.
    pub base_seed: Option<BigInt>,
    /// How reference or haplotype rows are returned; absent: ASCII bytes.
    pub encoding: Option<SeqEncodingSpec>,
}

/// A sequence encoding: byte `alphabet[i]` is token `i` / one-hot column `i`.
#[napi(object, object_to_js = false)]
pub struct SeqEncodingSpec {
    /// `"ascii"`, `"tokens"` or `"oneHot"`.
    pub kind: String,
    /// 1 to 256 distinct bytes (tokens and one-hot).
    pub alphabet: Option<Uint8Array>,
    /// Tokens: the token of every byte outside the alphabet, an integer in [0, 2147483647].
    pub unknown_token: Option<f64>,
}

/// What an encoding returns per base.
#[napi(object, object_from_js = false)]
pub struct SeqEncodingInfo {
    /// `"uint8"`, `"int32"` or `"float32"`.
    pub dtype: String,
    /// Values per base: the alphabet's size for one-hot, else 1.
    pub width: u32,
}

fn parse_encoding(param: &str, spec: Option<&SeqEncodingSpec>) -> GResult<Encoding> {
    match spec {
        None => Ok(Encoding::Ascii),
        Some(e) => Encoding::parse(
            param,
            &e.kind,
            e.alphabet.as_deref().unwrap_or(&[]),
            e.unknown_token,
        ),
    }
}

/// Checks a sequence encoding exactly as the kernels do (`param` names it in
/// errors) and returns its output dtype and values per base: tokens are uint8
/// when every token (alphabet indices and the unknown token) is at most 255,
/// else int32; one-hot is float32 with one column per alphabet byte.
#[napi]
pub fn check_seq_encoding(
    param: String,
    encoding: SeqEncodingSpec,
) -> napi::Result<SeqEncodingInfo> {
    let e = parse_encoding(&param, Some(&encoding))?;
    Ok(SeqEncodingInfo {
        dtype: e.dtype().to_string(),
        width: e.width() as u32,
    })
}

/// A fused dataset batch's result.
#[napi(object, object_from_js = false)]
pub struct DatasetBatchResult {
    /// uint8 sequence bytes, when sequences were requested: ASCII, or uint8 tokens.
    pub seq_data: Option<Uint8Array>,
    /// int64 sequence row offsets from 0: `(n + 1)` reference rows or `(n * ploidy + 1)` haplotype rows.
    pub seq_offsets: Option<BigInt64Array>,
    /// int32, with `seqs: "annotated"`: per haplotype base (the `seqOffsets` rows), the
    /// variant-table row it came from, or −1 for reference and pad; reversed on − strand rows.
    pub seq_var_idxs: Option<Int32Array>,
    /// int32, with `seqs: "annotated"`: per haplotype base, its 0-based reference
    /// coordinate (the variant's start for allele bases; −1 / 2147483647 for pad before /
    /// past the contig); reversed on − strand rows.
    pub seq_ref_coords: Option<Int32Array>,
    /// int32 tokens instead of `seqData` when the request's token encoding needs
    /// int32 (a token above 255); same offsets (one token per base).
    pub seq_tokens: Option<Int32Array>,
    /// float32 one-hot rows instead of `seqData` with a one-hot encoding: `width`
    /// values per base (`seqOffsets` count bases), 1.0 in the base's alphabet column,
    /// all zero for a base outside the alphabet.
    pub seq_one_hot: Option<Float32Array>,
    /// float32 track values, when tracks were requested.
    pub track_data: Option<Float32Array>,
    /// int64 track row offsets from 0, rows `(item, track)` or realigned `(item, track, haplotype)`.
    pub track_offsets: Option<BigInt64Array>,
    /// Output bytes (sequences + 8 × annotated bases + 4 × track values).
    pub bytes: f64,
    /// Whether the rows ran on the pool.
    pub parallel: bool,
}

struct Held {
    input: DatasetSourceInput,
    pad: u8,
}

impl Held {
    fn view(&self) -> Source<'_> {
        let i = &self.input;
        Source {
            regions: &i.regions,
            r_idx_map: &i.r_idx_map,
            n_samples: i.n_samples as usize,
            ploidy: i.ploidy as usize,
            pad: self.pad,
            reference: i.reference.as_ref().map(|r| r.view()),
            genotypes: match (&i.genotypes, &i.variants) {
                (Some(g), Some(v)) => Some((g.view(), v.view())),
                _ => None,
            },
            tracks: i
                .input_tracks()
                .iter()
                .map(|t| Track {
                    intervals: Intervals {
                        starts: &t.intervals.starts,
                        ends: &t.intervals.ends,
                        values: &t.intervals.values,
                        offsets: &t.intervals.offsets,
                    },
                    annotation: t.annotation,
                })
                .collect(),
        }
    }
}

impl DatasetSourceInput {
    fn input_tracks(&self) -> &[SourceTrack] {
        self.tracks.as_deref().unwrap_or(&[])
    }
}

/// A dataset's arrays held natively so that each batch is one call from
/// region and sample indices to finished outputs: reference or haplotype
/// sequences (reverse-complemented on the − strand) and reference-coordinate
/// or realigned tracks (reversed on the − strand), with haplotypes and
/// realigned tracks sharing one computation of diffs and shifts. Rows run in
/// one parallel region per output with disjoint output slices (identical
/// values for any thread count).
#[napi]
pub struct DatasetSource {
    held: Arc<Held>,
}

#[napi]
impl DatasetSource {
    /// Validates the dataset side once (`GVL_INVALID_ARGUMENT` /
    /// `GVL_INDEX_OUT_OF_RANGE` naming the array and element).
    #[napi(constructor)]
    pub fn new(input: DatasetSourceInput) -> napi::Result<Self> {
        let pad = pad_byte(input.pad_char)?;
        match (&input.genotypes, &input.variants) {
            (Some(_), Some(v)) => v.require_alts()?,
            (None, None) => {}
            (Some(_), None) => {
                return Err(GvlError::invalid(
                    "variants",
                    "undefined",
                    "the variant table (genotypes need it)",
                )
                .into())
            }
            (None, Some(_)) => {
                return Err(GvlError::invalid(
                    "genotypes",
                    "undefined",
                    "the genotype table (variants need it)",
                )
                .into())
            }
        }
        let held = Held { input, pad };
        held.view().validate()?;
        Ok(DatasetSource {
            held: Arc::new(held),
        })
    }

    /// One batch on the calling thread (blocks it; the rows run on the pool
    /// when the output reaches `parallelAt` bytes).
    #[napi]
    pub fn get_sync(
        &self,
        request: DatasetRequest,
        parallel_at: f64,
    ) -> napi::Result<DatasetBatchResult> {
        let kernel = self.kernel(request, parallel_at)?;
        tasks::run_sync(kernel, parallel_at.is_finite())
    }

    /// One batch off the JS thread (a libuv thread; the pool when the output
    /// reaches `parallelAt` bytes).
    #[napi(ts_return_type = "Promise<DatasetBatchResult>")]
    pub fn get(
        &self,
        request: DatasetRequest,
        parallel_at: f64,
        signal: Option<AbortSignal>,
    ) -> napi::Result<AsyncTask<KernelTask<DatasetKernel>>> {
        let kernel = self.kernel(request, parallel_at)?;
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(s) = &signal {
            let f = Arc::clone(&flag);
            s.on_abort(move || f.store(true, Ordering::SeqCst));
        }
        Ok(AsyncTask::with_optional_signal(
            KernelTask::new(kernel, parallel_at.is_finite(), flag),
            signal,
        ))
    }
}

impl DatasetSource {
    /// Parses the request's options (once, on the calling thread).
    fn kernel(&self, request: DatasetRequest, parallel_at: f64) -> GResult<DatasetKernel> {
        if parallel_at.is_nan() || parallel_at < 0.0 {
            return Err(GvlError::invalid(
                "parallelAt",
                parallel_at,
                "a number of bytes >= 0 (Infinity: never parallel)",
            ));
        }
        let seqs = match request.seqs.as_deref() {
            None => Seqs::None,
            Some("reference") => Seqs::Reference,
            Some("haplotypes") => Seqs::Haplotypes,
            Some("annotated") => Seqs::Annotated,
            Some(other) => {
                return Err(GvlError::invalid(
                    "request.seqs",
                    other,
                    "\"reference\", \"haplotypes\", \"annotated\" or undefined",
                ))
            }
        };
        let encoding = parse_encoding("request.encoding", request.encoding.as_ref())?;
        if seqs == Seqs::Annotated && encoding != Encoding::Ascii {
            return Err(GvlError::invalid(
                "request.encoding.kind",
                request
                    .encoding
                    .as_ref()
                    .map_or("ascii", |e| e.kind.as_str()),
                "\"ascii\" with annotated haplotypes (they are ASCII only)",
            ));
        }
        let fills = if request.realign == Some(true) {
            let n_tracks = request.tracks.as_ref().map_or(0, Vec::len);
            let given = request.fills.as_deref().unwrap_or(&[]);
            if !given.is_empty() && given.len() != n_tracks {
                return Err(GvlError::invalid(
                    "request.fills.length",
                    given.len(),
                    &format!("{n_tracks} (one per requested track) or none"),
                ));
            }
            (0..n_tracks)
                .map(|t| {
                    let spec = given.get(t).and_then(Option::as_ref);
                    parse_fill(&format!("request.fills[{t}]"), spec)
                })
                .collect::<GResult<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let base_seed = match &request.base_seed {
            Some(b) => Some(parse_u64("request.baseSeed", b)?),
            None => None,
        };
        Ok(DatasetKernel {
            held: Arc::clone(&self.held),
            seqs,
            encoding,
            fills,
            base_seed,
            request,
            parallel_at,
        })
    }
}

pub struct DatasetKernel {
    held: Arc<Held>,
    request: DatasetRequest,
    seqs: Seqs,
    encoding: Encoding,
    fills: Vec<Fill>,
    base_seed: Option<u64>,
    parallel_at: f64,
}

pub struct DatasetOutput {
    seqs: Option<(SeqOut, Vec<i64>)>,
    /// `(var_idxs, ref_coords)` of annotated haplotypes.
    annotation: Option<(Vec<i32>, Vec<i32>)>,
    tracks: Option<(Vec<f32>, Vec<i64>)>,
    bytes: usize,
    parallel: bool,
}

impl DatasetKernel {
    fn run(&mut self, exec: &Exec) -> GResult<DatasetOutput> {
        let src = self.held.view();
        let r = &self.request;
        let req = Request {
            region_idx: &r.region_idx,
            sample_idx: &r.sample_idx,
            jitter: r.jitter.as_deref().unwrap_or(&[]),
            shift_u: r.shift_u.as_deref().unwrap_or(&[]),
            length: r.length.map(|l| l as usize),
            rc_neg: r.rc_neg,
            seqs: self.seqs,
            tracks: r.tracks.as_deref().unwrap_or(&[]),
            realign: r.realign.unwrap_or(false),
            fills: &self.fills,
            base_seed: self.base_seed,
        };
        let serial = Exec {
            pool: None,
            cancel: exec.cancel,
        };
        let plan = src.plan(&req, &serial)?;
        let (n_seq, n_track, n_raw) =
            (plan.seq_bytes(), plan.track_elements(), plan.raw_elements());
        let enc = &self.encoding;
        let n_annot = if self.seqs == Seqs::Annotated {
            n_seq
        } else {
            0
        };
        let seq_elements = (n_seq as u64).saturating_mul(enc.width() as u64);
        limits::check_output(&[
            Column::of("seqs", seq_elements, enc.elem_size(), enc.dtype()),
            Column::of("tracks", n_track as u64, 4, "float32"),
            Column::of("seqs", 2 * n_annot as u64, 4, "int32"),
            Column::of("realign", n_raw as u64, 4, "float32"),
        ])?;
        let bytes = n_seq * enc.width() * enc.elem_size() + 8 * n_annot + 4 * n_track;
        let parallel = exec.pool.is_some() && bytes as f64 >= self.parallel_at;
        let run_exec = if parallel { *exec } else { serial };
        let mut seqs = enc.alloc(n_seq)?;
        let mut tracks = batch::zeroed::<f32>(n_track)?;
        let mut annotation = if self.seqs == Seqs::Annotated {
            Some((
                batch::zeroed::<i32>(n_annot)?,
                batch::zeroed::<i32>(n_annot)?,
            ))
        } else {
            None
        };
        let annot = annotation.as_mut().map(|(v, c)| AnnotationOut {
            var_idxs: v,
            ref_coords: c,
        });
        match (&mut seqs, enc) {
            (SeqOut::U8(bytes), Encoding::Ascii) => {
                src.run(&req, &plan, &run_exec, bytes, &mut tracks, annot)?
            }
            (out, _) => src.run_encoded(&req, &plan, &run_exec, enc, out, &mut tracks)?,
        }
        Ok(DatasetOutput {
            seqs: (self.seqs != Seqs::None).then_some((seqs, plan.seq_offsets)),
            annotation,
            tracks: (!req.tracks.is_empty()).then_some((tracks, plan.track_offsets)),
            bytes,
            parallel,
        })
    }
}

impl Kernel for DatasetKernel {
    type Output = DatasetOutput;
    type Js = DatasetBatchResult;

    fn compute(&mut self, exec: &Exec) -> GResult<DatasetOutput> {
        self.run(exec)
    }

    fn make_js(&mut self, o: DatasetOutput) -> napi::Result<DatasetBatchResult> {
        let (mut seq_data, mut seq_tokens, mut seq_one_hot) = (None, None, None);
        let seq_offsets = match o.seqs {
            Some((d, off)) => {
                match d {
                    SeqOut::U8(v) => seq_data = Some(Uint8Array::new(v)),
                    SeqOut::I32(v) => seq_tokens = Some(Int32Array::new(v)),
                    SeqOut::F32(v) => seq_one_hot = Some(Float32Array::new(v)),
                }
                Some(BigInt64Array::new(off))
            }
            None => None,
        };
        let (seq_var_idxs, seq_ref_coords) = match o.annotation {
            Some((v, c)) => (Some(Int32Array::new(v)), Some(Int32Array::new(c))),
            None => (None, None),
        };
        let (track_data, track_offsets) = match o.tracks {
            Some((d, off)) => (Some(Float32Array::new(d)), Some(BigInt64Array::new(off))),
            None => (None, None),
        };
        Ok(DatasetBatchResult {
            seq_data,
            seq_tokens,
            seq_one_hot,
            seq_offsets,
            seq_var_idxs,
            seq_ref_coords,
            track_data,
            track_offsets,
            bytes: o.bytes as f64,
            parallel: o.parallel,
        })
    }
}
