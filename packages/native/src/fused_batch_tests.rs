//! The fused dataset batch against the separate kernels composed as the
//! TypeScript read path composed them (geometry, diffs, shifts, offsets and
//! interleaving written out here independently), on random small datasets
//! and requests, serially and at 2 and 8 threads; and its input checks.

use crate::batch::{Genotypes, Queries, Reference, Variants};
use crate::diffs::DiffsBatch;
use crate::errors::Code;
use crate::fused_batch::{AnnotationOut, DatasetSource, Request, Seqs};
use crate::fused_tracks::Track;
use crate::haplotypes::HaplotypeBatch;
use crate::pool::{build, Exec};
use crate::prng::xorshift64;
use crate::rc::{rc_row, reverse_row};
use crate::realign::{Fill, RealignBatch};
use crate::reference::ReferenceBatch;
use crate::tracks::{Intervals, TracksBatch};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = xorshift64(self.0);
        self.0
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn coin(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }
}

struct TrackData {
    starts: Vec<i32>,
    ends: Vec<i32>,
    values: Vec<f32>,
    offsets: Vec<i64>,
    annotation: bool,
}

struct Ds {
    contigs: Vec<u8>,
    contig_offsets: Vec<i64>,
    starts: Vec<i32>,
    ilens: Vec<i32>,
    alts: Vec<u8>,
    alt_offsets: Vec<i64>,
    geno_offsets: Vec<i64>,
    variant_idxs: Vec<i32>,
    regions: Vec<i32>,
    r_idx_map: Vec<i32>,
    n_samples: usize,
    ploidy: usize,
    tracks: Vec<TrackData>,
}

impl Ds {
    fn variants(&self) -> Variants<'_> {
        Variants {
            starts: &self.starts,
            ilens: &self.ilens,
            alts: &self.alts,
            alt_offsets: &self.alt_offsets,
        }
    }
    fn genotypes(&self) -> Genotypes<'_> {
        Genotypes {
            offsets: &self.geno_offsets,
            variant_idxs: &self.variant_idxs,
        }
    }
    fn reference(&self) -> Reference<'_> {
        Reference {
            seq: &self.contigs,
            offsets: &self.contig_offsets,
        }
    }
    fn intervals(&self, t: usize) -> Intervals<'_> {
        let d = &self.tracks[t];
        Intervals {
            starts: &d.starts,
            ends: &d.ends,
            values: &d.values,
            offsets: &d.offsets,
        }
    }
    fn source(&self) -> DatasetSource<'_> {
        DatasetSource {
            regions: &self.regions,
            r_idx_map: &self.r_idx_map,
            n_samples: self.n_samples,
            ploidy: self.ploidy,
            pad: b'N',
            reference: Some(self.reference()),
            genotypes: Some((self.genotypes(), self.variants())),
            tracks: (0..self.tracks.len())
                .map(|t| Track {
                    intervals: self.intervals(t),
                    annotation: self.tracks[t].annotation,
                })
                .collect(),
        }
    }
}

fn make_ds(r: &mut Rng) -> Ds {
    let ploidy = r.range(1, 2) as usize;
    let n_samples = r.range(1, 3) as usize;
    let n_contigs = r.range(1, 2) as usize;
    let (mut contigs, mut contig_offsets, mut contig_lens) = (vec![], vec![0i64], vec![]);
    for _ in 0..n_contigs {
        let len = r.range(20, 120);
        for _ in 0..len {
            contigs.push(b"ACGTN"[(r.next() % 5) as usize]);
        }
        contig_offsets.push(contigs.len() as i64);
        contig_lens.push(len);
    }
    let (mut starts, mut ilens, mut alts, mut alt_offsets) = (vec![], vec![], vec![], vec![0i64]);
    let mut contig_variants: Vec<Vec<i32>> = vec![];
    for &len in &contig_lens {
        let mut pos: Vec<i64> = (0..r.range(0, 20)).map(|_| r.range(0, len - 1)).collect();
        pos.sort();
        let mut ids = vec![];
        for p in pos {
            let ilen = match r.range(0, 2) {
                0 => 0,
                1 => r.range(1, 5),
                _ => -r.range(1, 5),
            };
            ids.push(starts.len() as i32);
            starts.push(p as i32);
            ilens.push(ilen as i32);
            for _ in 0..(if ilen > 0 { ilen + 1 } else { 1 }) {
                alts.push(b"ACGT"[(r.next() % 4) as usize]);
            }
            alt_offsets.push(alts.len() as i64);
        }
        contig_variants.push(ids);
    }
    let n_regions = r.range(1, 6) as usize;
    let mut regions = vec![];
    for _ in 0..n_regions {
        let c = r.range(0, n_contigs as i64 - 1) as usize;
        let start = r.range(-5, contig_lens[c]);
        let end = start + r.range(0, 40);
        let strand = if r.coin() { 1 } else { -1 };
        regions.extend_from_slice(&[c as i32, start as i32, end as i32, strand]);
    }
    let (mut geno_offsets, mut variant_idxs) = (vec![0i64], vec![]);
    for reg in 0..n_regions {
        let c = regions[4 * reg] as usize;
        for _ in 0..n_samples * ploidy {
            for &v in &contig_variants[c] {
                if r.coin() {
                    variant_idxs.push(v);
                }
            }
            geno_offsets.push(variant_idxs.len() as i64);
        }
    }
    // A permutation: input order differs from on-disk order.
    let mut r_idx_map: Vec<i32> = (0..n_regions as i32).collect();
    for i in (1..n_regions).rev() {
        let j = r.range(0, i as i64) as usize;
        r_idx_map.swap(i, j);
    }
    let mut tracks = vec![];
    for _ in 0..r.range(1, 3) {
        let annotation = r.coin();
        let n_groups = if annotation {
            n_regions
        } else {
            n_regions * n_samples
        };
        let mut d = TrackData {
            starts: vec![],
            ends: vec![],
            values: vec![],
            offsets: vec![0],
            annotation,
        };
        for g in 0..n_groups {
            let reg = if annotation { g } else { g / n_samples };
            let (s, e) = (regions[4 * reg + 1] as i64, regions[4 * reg + 2] as i64);
            let mut ss: Vec<i64> = (0..r.range(0, 6)).map(|_| r.range(s - 8, e + 8)).collect();
            ss.sort();
            for st in ss {
                d.starts.push(st as i32);
                d.ends.push((st + r.range(1, 9)) as i32);
                d.values.push(r.range(-40, 40) as f32 * 0.25);
            }
            d.offsets.push(d.starts.len() as i64);
        }
        tracks.push(d);
    }
    Ds {
        contigs,
        contig_offsets,
        starts,
        ilens,
        alts,
        alt_offsets,
        geno_offsets,
        variant_idxs,
        regions,
        r_idx_map,
        n_samples,
        ploidy,
        tracks,
    }
}

struct Req {
    region_idx: Vec<i32>,
    sample_idx: Vec<i32>,
    jitter: Vec<i32>,
    shift_u: Vec<f64>,
    length: Option<usize>,
    rc_neg: bool,
    seqs: Seqs,
    tracks: Vec<u32>,
    realign: bool,
    fills: Vec<Fill>,
    base_seed: Option<u64>,
}

impl Req {
    fn view(&self) -> Request<'_> {
        Request {
            region_idx: &self.region_idx,
            sample_idx: &self.sample_idx,
            jitter: &self.jitter,
            shift_u: &self.shift_u,
            length: self.length,
            rc_neg: self.rc_neg,
            seqs: self.seqs,
            tracks: &self.tracks,
            realign: self.realign,
            fills: &self.fills,
            base_seed: self.base_seed,
        }
    }
}

fn make_req(r: &mut Rng, ds: &Ds) -> Req {
    let n = r.range(0, 8) as usize;
    let region_idx = (0..n)
        .map(|_| r.range(0, ds.r_idx_map.len() as i64 - 1) as i32)
        .collect();
    let sample_idx = (0..n)
        .map(|_| r.range(0, ds.n_samples as i64 - 1) as i32)
        .collect();
    let jitter = if r.coin() {
        (0..n).map(|_| r.range(-4, 4) as i32).collect()
    } else {
        vec![]
    };
    let length = r.coin().then(|| r.range(1, 30) as usize);
    let shift_u = if length.is_some() && r.coin() {
        (0..n * ds.ploidy)
            .map(|_| (r.next() % 1000) as f64 / 1000.0)
            .collect()
    } else {
        vec![]
    };
    let seqs = match r.range(0, 2) {
        0 => Seqs::None,
        1 => Seqs::Reference,
        _ => Seqs::Haplotypes,
    };
    let n_tracks = r.range(0, 3) as usize;
    let tracks: Vec<u32> = (0..n_tracks)
        .map(|_| r.range(0, ds.tracks.len() as i64 - 1) as u32)
        .collect();
    let fills = (0..n_tracks)
        .map(|_| match r.range(0, 4) {
            0 => Fill::Repeat5p,
            1 => Fill::Repeat5pNormalized,
            2 => Fill::Constant(r.range(-3, 3) as f64 * 0.5),
            3 => Fill::FlankSample(r.range(0, 4) as u32),
            _ => Fill::Interpolate(r.range(0, 4) as u8),
        })
        .collect();
    Req {
        region_idx,
        sample_idx,
        jitter,
        shift_u,
        length,
        rc_neg: r.coin(),
        seqs,
        tracks,
        realign: seqs == Seqs::Haplotypes && r.coin(),
        fills,
        base_seed: r.coin().then(|| r.next()),
    }
}

type Out = (Option<(Vec<u8>, Vec<i64>)>, Option<(Vec<u32>, Vec<i64>)>);

fn offsets_from(lens: &[i64]) -> Vec<i64> {
    let mut o = vec![0i64];
    for &l in lens {
        o.push(o.last().unwrap() + l);
    }
    o
}

/// The separate kernels composed in turn, as the read path did before fusion.
fn composed(ds: &Ds, q: &Req, exec: &Exec) -> Out {
    let n = q.region_idx.len();
    let p = ds.ploidy;
    let s_n = ds.n_samples;
    let mut regions = vec![];
    let (mut lens, mut to_rc, mut r_disk, mut ds_idx) = (vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let r = ds.r_idx_map[q.region_idx[i] as usize] as usize;
        let off = q.jitter.get(i).copied().unwrap_or(0);
        let row = &ds.regions[4 * r..4 * r + 4];
        regions.extend_from_slice(&[row[0], row[1] + off, row[2] + off]);
        lens.push((row[2] - row[1]) as i64);
        to_rc.push(q.rc_neg && row[3] == -1);
        r_disk.push(r as i64);
        ds_idx.push((r * s_n + q.sample_idx[i] as usize) as i64);
    }
    let need_haps = q.seqs.haplotypes();
    let groups: Vec<i64> = (0..n * p)
        .map(|k| ds_idx[k / p] * p as i64 + (k % p) as i64)
        .collect();
    let (mut diffs, mut shifts, mut hap_offsets) = (vec![0i32; n * p], vec![0i32; n * p], vec![]);
    if need_haps {
        let b = DiffsBatch {
            queries: Queries {
                regions: &regions,
                ploidy: p,
                groups: &groups,
                shifts: &[],
            },
            genotypes: ds.genotypes(),
            variants: ds.variants(),
        };
        b.validate().unwrap();
        b.run(exec, &mut diffs).unwrap();
        let mut out_lens = vec![];
        for k in 0..n * p {
            let (len, d) = (lens[k / p], diffs[k] as i64);
            out_lens.push(match q.length {
                Some(l) => {
                    if !q.shift_u.is_empty() {
                        let max_shift = d.max(0) + (len - l as i64).max(0);
                        let s = (q.shift_u[k] * (max_shift + 1) as f64).floor() as i64;
                        shifts[k] = max_shift.min(s) as i32;
                    }
                    l as i64
                }
                None => (len + d).max(0),
            });
        }
        hap_offsets = offsets_from(&out_lens);
    }
    let seqs = match q.seqs {
        Seqs::None => None,
        Seqs::Haplotypes | Seqs::Annotated => {
            let b = HaplotypeBatch {
                queries: Queries {
                    regions: &regions,
                    ploidy: p,
                    groups: &groups,
                    shifts: &shifts,
                },
                genotypes: ds.genotypes(),
                variants: ds.variants(),
                reference: ds.reference(),
                out_offsets: &hap_offsets,
                pad: b'N',
            };
            let offs = b.validate().unwrap();
            let mut out = vec![0u8; offs[n * p]];
            b.run(exec, &offs, &mut out).unwrap();
            for k in 0..n * p {
                if to_rc[k / p] {
                    rc_row(&mut out[offs[k]..offs[k + 1]]);
                }
            }
            Some((out, hap_offsets.clone()))
        }
        Seqs::Reference => {
            let mut regs = regions.clone();
            if let Some(l) = q.length {
                for i in 0..n {
                    regs[3 * i + 2] = regs[3 * i + 1] + l as i32;
                }
            }
            let rl: Vec<i64> = (0..n)
                .map(|i| (regs[3 * i + 2] - regs[3 * i + 1]) as i64)
                .collect();
            let out_offsets = offsets_from(&rl);
            let b = ReferenceBatch {
                regions: &regs,
                reference: ds.reference(),
                out_offsets: &out_offsets,
                pad: b'N',
            };
            let offs = b.validate().unwrap();
            let mut out = vec![0u8; offs[n]];
            b.run(exec, &offs, &mut out).unwrap();
            for i in 0..n {
                if to_rc[i] {
                    rc_row(&mut out[offs[i]..offs[i + 1]]);
                }
            }
            Some((out, out_offsets))
        }
    };
    if q.tracks.is_empty() {
        return (seqs, None);
    }
    let realign = need_haps && q.realign;
    let mut blocks: Vec<(Vec<f32>, Vec<i64>)> = vec![];
    for (j, &t) in q.tracks.iter().enumerate() {
        let t = t as usize;
        let groups_t: Vec<i64> = if ds.tracks[t].annotation {
            r_disk.clone()
        } else {
            ds_idx.clone()
        };
        let track_lens: Vec<i64> = (0..n)
            .map(|i| {
                if realign {
                    let min_del = (0..p)
                        .map(|h| diffs[i * p + h] as i64)
                        .min()
                        .unwrap()
                        .min(0);
                    lens[i] - min_del
                } else {
                    q.length.map(|l| l as i64).unwrap_or(lens[i])
                }
            })
            .collect();
        let track_offsets = offsets_from(&track_lens);
        let tb = TracksBatch {
            regions: &regions,
            groups: &groups_t,
            intervals: ds.intervals(t),
            out_offsets: &track_offsets,
        };
        let toffs = tb.validate().unwrap();
        let mut raw = vec![0f32; toffs[n]];
        tb.run(exec, &toffs, &mut raw).unwrap();
        if realign {
            let base_seed = q
                .base_seed
                .unwrap_or_else(|| ds_idx.iter().fold(0u64, |h, &d| h ^ d as u64));
            let rb = RealignBatch {
                queries: Queries {
                    regions: &regions,
                    ploidy: p,
                    groups: &groups,
                    shifts: &shifts,
                },
                genotypes: ds.genotypes(),
                variants: ds.variants(),
                tracks: &raw,
                track_offsets: &track_offsets,
                out_offsets: &hap_offsets,
                fill: q.fills[j],
                base_seed,
            };
            let offs = rb.validate().unwrap();
            let mut out = vec![0f32; offs[n * p]];
            rb.run(exec, &offs, &mut out).unwrap();
            for k in 0..n * p {
                if to_rc[k / p] {
                    reverse_row(&mut out[offs[k]..offs[k + 1]]);
                }
            }
            blocks.push((out, hap_offsets.clone()));
        } else {
            for i in 0..n {
                if to_rc[i] {
                    reverse_row(&mut raw[toffs[i]..toffs[i + 1]]);
                }
            }
            blocks.push((raw, track_offsets));
        }
    }
    // Interleave the per-track blocks into (item, track, inner) rows.
    let inner = if realign { p } else { 1 };
    let (mut data, mut row_lens) = (vec![], vec![]);
    for i in 0..n {
        for (b, o) in &blocks {
            for h in 0..inner {
                let (s, e) = (o[i * inner + h] as usize, o[i * inner + h + 1] as usize);
                data.extend(b[s..e].iter().map(|x| x.to_bits()));
                row_lens.push((e - s) as i64);
            }
        }
    }
    (seqs, Some((data, offsets_from(&row_lens))))
}

fn fused(ds: &Ds, q: &Req, exec: &Exec) -> Out {
    let src = ds.source();
    let req = q.view();
    let plan = src.plan(&req, &Exec::serial()).unwrap();
    let mut seqs = vec![0xAAu8; plan.seq_bytes()];
    let mut tracks = vec![-9.0f32; plan.track_elements()];
    src.run(&req, &plan, exec, &mut seqs, &mut tracks, None)
        .unwrap();
    (
        (q.seqs != Seqs::None).then(|| (seqs, plan.seq_offsets.clone())),
        (!q.tracks.is_empty()).then(|| {
            (
                tracks.iter().map(|x| x.to_bits()).collect(),
                plan.track_offsets.clone(),
            )
        }),
    )
}

#[test]
fn fused_equals_composed_kernels_at_1_2_8_threads() {
    let pools = [build(2).unwrap(), build(8).unwrap()];
    let mut r = Rng(0x5eed_f05e);
    let (mut with_realign, mut with_ref, mut with_rc) = (0, 0, 0);
    for case in 0..150 {
        let ds = make_ds(&mut r);
        let src = ds.source();
        src.validate().unwrap();
        for _ in 0..6 {
            let q = make_req(&mut r, &ds);
            with_realign += (q.realign && !q.tracks.is_empty()) as usize;
            with_ref += (q.seqs == Seqs::Reference) as usize;
            with_rc += q.rc_neg as usize;
            let want = composed(&ds, &q, &Exec::serial());
            assert!(
                fused(&ds, &q, &Exec::serial()) == want,
                "case {case}: serial"
            );
            for pool in &pools {
                let exec = Exec {
                    pool: Some(pool),
                    cancel: None,
                };
                assert!(fused(&ds, &q, &exec) == want, "case {case}: parallel");
            }
        }
    }
    // The generator reaches every branch.
    assert!(with_realign > 50 && with_ref > 100 && with_rc > 200);
}

#[test]
fn bad_requests_are_typed_errors_before_any_work() {
    let mut r = Rng(99);
    let ds = make_ds(&mut r);
    let src = ds.source();
    let mut q = make_req(&mut r, &ds);
    q.region_idx = vec![0, ds.r_idx_map.len() as i32];
    q.sample_idx = vec![0, 0];
    q.jitter.clear();
    q.shift_u.clear();
    let e = src.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(e.code, Code::IndexOutOfRange);
    assert_eq!(e.param.as_deref(), Some("regionIdx"));
    assert_eq!(e.index, Some(1));

    q.region_idx = vec![0, 0];
    q.sample_idx = vec![0, -1];
    let e = src.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(e.param.as_deref(), Some("sampleIdx"));

    q.sample_idx = vec![0, 0];
    q.tracks = vec![ds.tracks.len() as u32];
    let e = src.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(
        (e.code, e.param.as_deref()),
        (Code::IndexOutOfRange, Some("tracks"))
    );

    q.tracks = vec![0];
    q.seqs = Seqs::Haplotypes;
    q.realign = true;
    q.fills = vec![];
    let e = src.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(e.param.as_deref(), Some("fills.length"));

    // Outputs whose arrays the source does not hold.
    let mut bare = ds.source();
    bare.genotypes = None;
    q.fills = vec![Fill::Repeat5p];
    let e = bare.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(
        (e.code, e.param.as_deref()),
        (Code::InvalidArgument, Some("seqs"))
    );
    bare.reference = None;
    q.seqs = Seqs::Reference;
    q.realign = false;
    let e = bare.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(e.param.as_deref(), Some("seqs"));

    // A sample track whose groups do not cover the request.
    let mut short = ds.source();
    let offs = [0i64];
    short.tracks[0].intervals.offsets = &offs;
    short.tracks[0].intervals.starts = &[];
    short.tracks[0].intervals.ends = &[];
    short.tracks[0].intervals.values = &[];
    q.seqs = Seqs::None;
    let e = short.plan(&q.view(), &Exec::serial()).err().unwrap();
    assert_eq!(e.code, Code::IndexOutOfRange);
    assert_eq!(e.param.as_deref(), Some("tracks[0].intervals.offsets"));
}

#[test]
fn bad_sources_are_typed_errors() {
    let mut r = Rng(7);
    let ds = make_ds(&mut r);
    let mut src = ds.source();
    let bad_map = [0i32, 99];
    src.r_idx_map = &bad_map;
    let e = src.validate().err().unwrap();
    assert_eq!(
        (e.code, e.param.as_deref(), e.index),
        (Code::IndexOutOfRange, Some("rIdxMap"), Some(1))
    );

    let mut src = ds.source();
    let bad = [0i64, 5, 2];
    src.tracks[0].intervals.offsets = &bad;
    let e = src.validate().err().unwrap();
    assert_eq!(e.param.as_deref(), Some("tracks[0].intervals.offsets"));

    let mut src = ds.source();
    src.tracks[0].intervals.values = &[];
    if !ds.tracks[0].starts.is_empty() {
        let e = src.validate().err().unwrap();
        assert_eq!(
            e.param.as_deref(),
            Some("tracks[0].intervals.values.length")
        );
    }
}

/// The haplotype side of a random dataset as the fused haplotype source.
fn haplotype_source(ds: &Ds) -> crate::fused::Source<'_> {
    crate::fused::Source {
        genotypes: ds.genotypes(),
        variants: ds.variants(),
        reference: ds.reference(),
        regions: &ds.regions,
        r_idx_map: &ds.r_idx_map,
        n_samples: ds.n_samples,
        ploidy: ds.ploidy,
        pad: b'N',
    }
}

type Annotated = (Vec<u8>, Vec<i32>, Vec<i32>, Vec<i64>);

fn annotated(ds: &Ds, q: &Req, exec: &Exec) -> Annotated {
    let src = haplotype_source(ds);
    let req = crate::fused::Request {
        region_idx: &q.region_idx,
        sample_idx: &q.sample_idx,
        jitter: &q.jitter,
        shift_u: &q.shift_u,
        length: q.length,
        rc_neg: q.rc_neg,
    };
    let plan = src.plan(&req, &Exec::serial()).unwrap();
    let n = plan.total();
    // Poisoned: an element the kernel does not write shows up as a mismatch.
    let (mut seqs, mut vi, mut rc) = (vec![0xAAu8; n], vec![i32::MIN; n], vec![i32::MIN; n]);
    src.run_annotated(&plan, exec, &mut seqs, &mut vi, &mut rc)
        .unwrap();
    let mut plain = vec![0x55u8; n];
    src.run(&plan, &Exec::serial(), &mut plain).unwrap();
    assert_eq!(
        seqs, plain,
        "annotated bytes equal the plain haplotype bytes"
    );
    (seqs, vi, rc, plan.offsets)
}

fn complement(b: u8) -> u8 {
    let mut x = [b];
    rc_row(&mut x);
    x[0]
}

#[test]
fn annotated_haplotypes_serial_equals_parallel_and_reference_bases_match() {
    let pools = [build(2).unwrap(), build(8).unwrap()];
    let mut r = Rng(0xa770_7a7e);
    let (mut checked_ref, mut checked_var, mut reversed) = (0usize, 0usize, 0usize);
    for case in 0..150 {
        let ds = make_ds(&mut r);
        for _ in 0..6 {
            let q = make_req(&mut r, &ds);
            let want = annotated(&ds, &q, &Exec::serial());
            for pool in &pools {
                let exec = Exec {
                    pool: Some(pool),
                    cancel: None,
                };
                assert!(annotated(&ds, &q, &exec) == want, "case {case}: parallel");
            }
            // Property: a reference base at a contig coordinate is that contig base
            // (complemented on a reversed row); a variant base maps to its start.
            let (seqs, vi, rc, offsets) = &want;
            let p = ds.ploidy;
            for k in 0..offsets.len() - 1 {
                let item = k / p;
                let region = ds.r_idx_map[q.region_idx[item] as usize] as usize;
                let contig = ds.regions[4 * region] as usize;
                let seq = ds.reference().contig(contig);
                let flip = q.rc_neg && ds.regions[4 * region + 3] == -1;
                reversed += flip as usize;
                for j in offsets[k] as usize..offsets[k + 1] as usize {
                    let (v, c) = (vi[j], rc[j]);
                    if v < 0 {
                        if c >= 0 && (c as usize) < seq.len() {
                            let base = seq[c as usize];
                            let want = if flip { complement(base) } else { base };
                            assert_eq!(seqs[j], want, "case {case}: row {k} base {j}");
                            checked_ref += 1;
                        } else {
                            assert_eq!(seqs[j], b'N', "case {case}: pad at {j}");
                        }
                    } else {
                        assert_eq!(c, ds.starts[v as usize], "case {case}: variant start");
                        checked_var += 1;
                    }
                }
            }
        }
    }
    assert!(checked_ref > 1000 && checked_var > 50 && reversed > 0);
}

#[test]
fn dataset_source_annotated_equals_haplotypes_plus_the_haplotype_source_annotations() {
    let pools = [build(2).unwrap(), build(8).unwrap()];
    let mut r = Rng(0xa770_da7a);
    let mut with_tracks = 0;
    for case in 0..120 {
        let ds = make_ds(&mut r);
        let src = ds.source();
        for _ in 0..4 {
            let mut q = make_req(&mut r, &ds);
            q.seqs = Seqs::Haplotypes;
            let plain = fused(&ds, &q, &Exec::serial());
            let (hap_bytes, hap_vi, hap_rc, hap_offsets) = annotated(&ds, &q, &Exec::serial());
            q.seqs = Seqs::Annotated;
            with_tracks += (!q.tracks.is_empty()) as usize;
            let req = q.view();
            let plan = src.plan(&req, &Exec::serial()).unwrap();
            for exec in [
                Exec::serial(),
                Exec {
                    pool: Some(&pools[0]),
                    cancel: None,
                },
                Exec {
                    pool: Some(&pools[1]),
                    cancel: None,
                },
            ] {
                let n = plan.seq_bytes();
                let mut seqs = vec![0xAAu8; n];
                let mut tracks = vec![-9.0f32; plan.track_elements()];
                let (mut vi, mut rc) = (vec![i32::MIN; n], vec![i32::MIN; n]);
                src.run(
                    &req,
                    &plan,
                    &exec,
                    &mut seqs,
                    &mut tracks,
                    Some(AnnotationOut {
                        var_idxs: &mut vi,
                        ref_coords: &mut rc,
                    }),
                )
                .unwrap();
                let (want_seqs, want_tracks) = &plain;
                assert!(
                    want_seqs.as_ref() == Some(&(seqs.clone(), plan.seq_offsets.clone())),
                    "case {case}: bytes"
                );
                let got_tracks = (!q.tracks.is_empty()).then(|| {
                    (
                        tracks.iter().map(|x| x.to_bits()).collect::<Vec<u32>>(),
                        plan.track_offsets.clone(),
                    )
                });
                assert!(&got_tracks == want_tracks, "case {case}: tracks");
                assert_eq!(seqs, hap_bytes, "case {case}");
                assert_eq!(plan.seq_offsets, hap_offsets, "case {case}");
                assert_eq!(vi, hap_vi, "case {case}: varIdxs");
                assert_eq!(rc, hap_rc, "case {case}: refCoords");
            }
            // Without the annotation outputs: a typed error, nothing panics.
            let mut seqs = vec![0u8; plan.seq_bytes()];
            let mut tracks = vec![0f32; plan.track_elements()];
            let e = src
                .run(&req, &plan, &Exec::serial(), &mut seqs, &mut tracks, None)
                .err()
                .unwrap();
            assert_eq!(e.code, Code::InvalidArgument);
        }
    }
    assert!(with_tracks > 100);
}
