//! The fused dataset batch: one call from a batch's region and sample indices
//! to every requested output — reference or haplotype sequences, and
//! reference-coordinate or realigned tracks — with the index arithmetic
//! (jittered geometry, genotype and interval groups, diffs, shifts, output
//! offsets, strand flags, the deterministic seed) done here rather than per
//! item in TypeScript.
//!
//! Haplotypes and realigned tracks share one [`fused::Plan`](crate::fused::Plan):
//! the diffs and shifts are computed once per batch. The per-row work is the
//! existing kernels' (`reference_row`, `reconstruct_row`, `intervals_row`,
//! `realign_row`, `rc_row`, `reverse_row`), each output row written by one
//! task into a disjoint slice, so the bytes are those of the separate kernels
//! called in turn, for any thread count.

use crate::batch::{Genotypes, Queries, Reference, Variants};
use crate::encode::{Encoding, SeqOut};
use crate::errors::{GResult, GvlError};
pub use crate::fused::Geometry;
use crate::fused::{self, Plan};
use crate::fused_tracks::{self, Realign, Selected, Track};
use crate::limits::{self, Column};
use crate::pool::Exec;
use crate::realign::Fill;
use crate::{batch, fused_reference};

/// The dataset side: arrays that do not change from one batch to the next.
/// Reference, genotypes and tracks are each optional; a request for an
/// output whose arrays are absent is a `GVL_INVALID_ARGUMENT` error.
#[derive(Clone)]
pub struct DatasetSource<'a> {
    /// int32 `(R, 4)` on-disk order: contig index, start, end (0-based,
    /// half-open, unpadded), strand (+1 / −1).
    pub regions: &'a [i32],
    /// `r_idx_map[i]`: on-disk row of input-order region `i`.
    pub r_idx_map: &'a [i32],
    pub n_samples: usize,
    pub ploidy: usize,
    pub pad: u8,
    pub reference: Option<Reference<'a>>,
    /// Genotypes and variants (with ALT alleles), both or neither.
    pub genotypes: Option<(Genotypes<'a>, Variants<'a>)>,
    pub tracks: Vec<Track<'a>>,
}

/// The sequence output of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seqs {
    None,
    Reference,
    Haplotypes,
    /// Haplotypes with per-base variant indices and reference coordinates.
    Annotated,
}

impl Seqs {
    /// Haplotype rows (plain or annotated).
    pub fn haplotypes(self) -> bool {
        matches!(self, Seqs::Haplotypes | Seqs::Annotated)
    }
}

/// The annotation rows of an annotated request: `var_idxs` and `ref_coords`,
/// each of `plan.seq_bytes()` elements (the haplotype bytes' offsets).
pub struct AnnotationOut<'o> {
    pub var_idxs: &'o mut [i32],
    pub ref_coords: &'o mut [i32],
}

/// One batch request: `n` items, item `i` is (input region `region_idx[i]`,
/// sample `sample_idx[i]`).
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub region_idx: &'a [i32],
    pub sample_idx: &'a [i32],
    /// Per-item start offsets (jitter), or empty for none.
    pub jitter: &'a [i32],
    /// Per-(item, haplotype) uniforms in `[0, 1)` for random haplotype
    /// shifts (fixed length only), or empty for none.
    pub shift_u: &'a [f64],
    /// Fixed row length, or `None` for ragged rows.
    pub length: Option<usize>,
    /// Reverse-complement (sequences) or reverse (tracks) − strand items.
    pub rc_neg: bool,
    pub seqs: Seqs,
    /// Held tracks to return, in output order (indices into the source's tracks).
    pub tracks: &'a [u32],
    /// Realign the tracks to the haplotypes (needs genotypes and a reference).
    pub realign: bool,
    /// One insertion fill per requested track (realignment only).
    pub fills: &'a [Fill],
    /// FlankSample base seed, or `None` for the deterministic one: the XOR of
    /// every item's `r·S + s`.
    pub base_seed: Option<u64>,
}

/// Everything about a batch except its values, computed before any output
/// is allocated or written.
pub struct BatchPlan {
    pub geometry: Geometry,
    /// The haplotype plan, when haplotypes or realigned tracks are requested.
    pub haplotypes: Option<Plan>,
    /// Sequence row offsets from 0 (empty without sequences).
    pub seq_offsets: Vec<i64>,
    /// Track row offsets from 0, interleaved `(item, track[, haplotype])`
    /// (empty without tracks).
    pub track_offsets: Vec<i64>,
    /// Realignment scratch rows `(item, track)` (empty unless realigning).
    pub raw_offsets: Vec<i64>,
    pub base_seed: u64,
}

impl BatchPlan {
    /// Bytes of the sequence output.
    pub fn seq_bytes(&self) -> usize {
        last(&self.seq_offsets)
    }
    /// Elements (float32) of the track output.
    pub fn track_elements(&self) -> usize {
        last(&self.track_offsets)
    }
    /// Elements (float32) of the realignment scratch.
    pub fn raw_elements(&self) -> usize {
        last(&self.raw_offsets)
    }
}

fn offsets_column(elements: u64) -> Column<'static> {
    Column {
        param: "tracks",
        index: None,
        elements,
        elem_size: 8,
        dtype: "int64",
    }
}

fn last(o: &[i64]) -> usize {
    *o.last().unwrap_or(&0) as usize
}

fn usize_offsets(o: &[i64]) -> Vec<usize> {
    o.iter().map(|&x| x as usize).collect()
}

impl<'a> DatasetSource<'a> {
    /// One-time checks of the dataset side.
    pub fn validate(&self) -> GResult<()> {
        fused::validate_layout(self.ploidy, self.regions, self.r_idx_map)?;
        let n_regions = self.regions.len() / 4;
        if let Some(r) = &self.reference {
            r.validate()?;
        }
        if let Some((g, v)) = self.genotypes {
            // The haplotype source's own checks (genotype offsets, variants).
            if let Some(h) = self.haplotype_source() {
                h.validate()?;
            } else {
                let want = n_regions * self.n_samples * self.ploidy + 1;
                if g.offsets.len() != want {
                    return Err(GvlError::invalid(
                        "genotypes.offsets.length",
                        g.offsets.len(),
                        &format!("{want} (regions × samples × ploidy + 1)"),
                    ));
                }
                v.validate_shape(true)?;
            }
        }
        for (t, track) in self.tracks.iter().enumerate() {
            track.validate(t)?;
        }
        Ok(())
    }

    fn haplotype_source(&self) -> Option<fused::Source<'a>> {
        let (genotypes, variants) = self.genotypes?;
        Some(fused::Source {
            genotypes,
            variants,
            reference: self.reference?,
            regions: self.regions,
            r_idx_map: self.r_idx_map,
            n_samples: self.n_samples,
            ploidy: self.ploidy,
            pad: self.pad,
        })
    }

    fn need_haplotypes(&self, what: &str) -> GResult<fused::Source<'a>> {
        self.haplotype_source().ok_or_else(|| {
            GvlError::invalid(
                what,
                "requested",
                "a source holding genotypes, variants (with ALT alleles) and a reference",
            )
        })
    }

    /// The per-item geometry (validates the indices and jitter).
    pub fn geometry(&self, req: &Request) -> GResult<Geometry> {
        fused::item_geometry(
            self.regions,
            self.r_idx_map,
            self.n_samples,
            &fused::Items {
                region_idx: req.region_idx,
                sample_idx: req.sample_idx,
                jitter: req.jitter,
                rc_neg: req.rc_neg,
            },
        )
    }

    fn selected(&self, req: &Request) -> GResult<Selected<'a>> {
        let mut sel = Selected {
            tracks: Vec::with_capacity(req.tracks.len()),
            names: Vec::with_capacity(req.tracks.len()),
        };
        for (j, &t) in req.tracks.iter().enumerate() {
            let Some(track) = self.tracks.get(t as usize) else {
                return Err(GvlError::out_of_range(
                    "tracks",
                    j,
                    t as i64,
                    0,
                    self.tracks.len() as i64,
                    "an index into the source's tracks",
                ));
            };
            sel.tracks.push(*track);
            sel.names.push(t as usize);
        }
        Ok(sel)
    }

    /// The row offsets of the requested sequences: the haplotype plan's, the
    /// reference rows' (checked against the reference's contigs), or none.
    fn seq_offsets(
        &self,
        req: &Request,
        geometry: &Geometry,
        haplotypes: Option<&Plan>,
    ) -> GResult<Vec<i64>> {
        Ok(match req.seqs {
            Seqs::None => Vec::new(),
            Seqs::Haplotypes | Seqs::Annotated => haplotypes.expect("planned").offsets.clone(),
            Seqs::Reference => {
                let Some(reference) = &self.reference else {
                    return Err(GvlError::invalid(
                        "seqs",
                        "reference",
                        "a source holding a reference",
                    ));
                };
                reference.validate_contigs(&Queries {
                    regions: &geometry.queries,
                    ploidy: 1,
                    groups: &[],
                    shifts: &[],
                })?;
                fused_reference::offsets(geometry, req.length)
            }
        })
    }

    /// Checks the request and computes geometry, haplotype plan (diffs,
    /// shifts), output offsets and seed. Nothing is allocated for outputs.
    pub fn plan(&self, req: &Request, exec: &Exec) -> GResult<BatchPlan> {
        if req.length == Some(0) {
            return Err(GvlError::invalid("length", 0i64, "an integer >= 1"));
        }
        let sel = self.selected(req)?;
        let realign = req.realign && !sel.is_empty();
        if realign && req.fills.len() != sel.len() {
            return Err(GvlError::invalid(
                "fills.length",
                req.fills.len(),
                &format!("{} (one per requested track)", sel.len()),
            ));
        }
        let geometry = self.geometry(req)?;
        let p = self.ploidy;
        let haplotypes = if req.seqs.haplotypes() || realign {
            let src = self.need_haplotypes(if req.seqs.haplotypes() {
                "seqs"
            } else {
                "realign"
            })?;
            let hreq = fused::Request {
                region_idx: req.region_idx,
                sample_idx: req.sample_idx,
                jitter: req.jitter,
                shift_u: if req.length.is_some() {
                    req.shift_u
                } else {
                    &[]
                },
                length: req.length,
                rc_neg: req.rc_neg,
            };
            Some(src.plan(&hreq, exec)?)
        } else {
            None
        };
        let seq_offsets = self.seq_offsets(req, &geometry, haplotypes.as_ref())?;
        sel.validate_groups(&geometry)?;
        // The row offsets are outputs too (int64): bound them by the cap before
        // allocating them (`n · T · P` rows can be large for a long track list).
        let inner = if realign { p } else { 1 };
        let n = geometry.n();
        let track_rows = (n as u64)
            .checked_mul(sel.len() as u64)
            .and_then(|r| r.checked_mul(inner as u64));
        let Some(track_rows) = track_rows else {
            return Err(limits::overflow_error(
                &offsets_column(0),
                &format!("{n} × {} × {inner}", sel.len()),
            ));
        };
        limits::check_output(&[offsets_column(track_rows + 1)])?;
        let (track_offsets, raw_offsets) = if sel.is_empty() {
            (Vec::new(), Vec::new())
        } else if realign {
            let hp = haplotypes.as_ref().expect("planned");
            let extra = fused_tracks::deletion_span(hp, p);
            (
                fused_tracks::realigned_offsets(hp, sel.len(), p),
                sel.plain_offsets(&geometry, req.length, &extra),
            )
        } else {
            (sel.plain_offsets(&geometry, req.length, &[]), Vec::new())
        };
        let base_seed = req
            .base_seed
            .unwrap_or_else(|| geometry.ds.iter().fold(0u64, |h, &d| h ^ d as u64));
        Ok(BatchPlan {
            geometry,
            haplotypes,
            seq_offsets,
            track_offsets,
            raw_offsets,
            base_seed,
        })
    }

    /// Writes every value of `seqs` (length `plan.seq_bytes()`), `tracks`
    /// (length `plan.track_elements()`) and, for `Seqs::Annotated`, of `annot`
    /// (a `GVL_INVALID_ARGUMENT` error when it is missing).
    pub fn run(
        &self,
        req: &Request,
        plan: &BatchPlan,
        exec: &Exec,
        seqs: &mut [u8],
        tracks: &mut [f32],
        annot: Option<AnnotationOut>,
    ) -> GResult<()> {
        let geom = &plan.geometry;
        match req.seqs {
            Seqs::None => {}
            Seqs::Reference => {
                let reference = self.reference.as_ref().expect("planned");
                let offsets = usize_offsets(&plan.seq_offsets);
                fused_reference::run(reference, self.pad, geom, &offsets, exec, seqs)?;
            }
            Seqs::Haplotypes => {
                let src = self.haplotype_source().expect("planned");
                src.run(plan.haplotypes.as_ref().expect("planned"), exec, seqs)?;
            }
            Seqs::Annotated => {
                let Some(a) = annot else {
                    return Err(GvlError::invalid(
                        "annotations",
                        "missing",
                        "varIdxs and refCoords outputs for annotated haplotypes",
                    ));
                };
                let src = self.haplotype_source().expect("planned");
                src.run_annotated(
                    plan.haplotypes.as_ref().expect("planned"),
                    exec,
                    seqs,
                    a.var_idxs,
                    a.ref_coords,
                )?;
            }
        }
        self.run_tracks(req, plan, exec, tracks)
    }

    /// [`DatasetSource::run`] for reference or haplotype sequences encoded by
    /// `enc` (tokens or one-hot, each row encoded by the task that wrote it):
    /// `seqs` from `enc.alloc(plan.seq_bytes())`. Annotated haplotypes are
    /// ASCII only (`GVL_INVALID_ARGUMENT` on `encoding`).
    pub fn run_encoded(
        &self,
        req: &Request,
        plan: &BatchPlan,
        exec: &Exec,
        enc: &Encoding,
        seqs: &mut SeqOut,
        tracks: &mut [f32],
    ) -> GResult<()> {
        let geom = &plan.geometry;
        let offsets = usize_offsets(&plan.seq_offsets);
        match req.seqs {
            Seqs::None => {}
            Seqs::Reference => {
                let reference = self.reference.as_ref().expect("planned");
                fused_reference::run_encoded(reference, self.pad, geom, &offsets, exec, enc, seqs)?;
            }
            Seqs::Haplotypes => {
                let src = self.haplotype_source().expect("planned");
                src.run_encoded(plan.haplotypes.as_ref().expect("planned"), exec, enc, seqs)?;
            }
            Seqs::Annotated => {
                return Err(GvlError::invalid(
                    "encoding",
                    enc.dtype(),
                    "no encoding with annotated haplotypes (they are ASCII)",
                ))
            }
        }
        self.run_tracks(req, plan, exec, tracks)
    }

    /// Writes every value of `tracks` (length `plan.track_elements()`).
    fn run_tracks(
        &self,
        req: &Request,
        plan: &BatchPlan,
        exec: &Exec,
        tracks: &mut [f32],
    ) -> GResult<()> {
        let geom = &plan.geometry;
        if plan.track_offsets.is_empty() {
            return Ok(());
        }
        let sel = self.selected(req)?;
        let offsets = usize_offsets(&plan.track_offsets);
        if plan.raw_offsets.is_empty() {
            return sel.paint(geom, &offsets, true, exec, tracks);
        }
        let raw_offsets = usize_offsets(&plan.raw_offsets);
        let mut raw = batch::zeroed::<f32>(plan.raw_elements())?;
        sel.paint(geom, &raw_offsets, false, exec, &mut raw)?;
        let (genotypes, variants) = self.genotypes.expect("planned");
        let r = Realign {
            genotypes,
            variants,
            fills: req.fills,
            base_seed: plan.base_seed,
        };
        fused_tracks::realign(
            &r,
            plan.haplotypes.as_ref().expect("planned"),
            geom,
            sel.len(),
            &raw,
            &raw_offsets,
            &offsets,
            exec,
            tracks,
        )
    }
}
