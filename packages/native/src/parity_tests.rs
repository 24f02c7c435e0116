//! Randomised serial == parallel tests at 1, 2 and 8 threads, and the
//! cooperative abort flag. Inputs come from a fixed xorshift stream, so every
//! run checks the same cases.

use std::sync::atomic::AtomicBool;

use crate::batch::{Genotypes, Queries, Reference, Variants};
use crate::diffs::DiffsBatch;
use crate::errors::Code;
use crate::haplotypes::HaplotypeBatch;
use crate::pool::{build, Exec};
use crate::prng::xorshift64;
use crate::realign::{Fill, RealignBatch};
use crate::reference::ReferenceBatch;
use crate::tracks::{Intervals, TracksBatch};
use crate::variants::{GatherBatch, GatherOut};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = xorshift64(self.0);
        self.0
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

struct Case {
    contigs: Vec<u8>,
    contig_offsets: Vec<i64>,
    starts: Vec<i32>,
    ilens: Vec<i32>,
    alts: Vec<u8>,
    alt_offsets: Vec<i64>,
    geno_offsets: Vec<i64>,
    variant_idxs: Vec<i32>,
    regions: Vec<i32>,
    groups: Vec<i64>,
    shifts: Vec<i32>,
    out_offsets: Vec<i64>,
    tracks: Vec<f32>,
    track_offsets: Vec<i64>,
    ploidy: usize,
}

fn make_case(seed: u64) -> Case {
    let mut r = Rng(seed);
    let ploidy = r.range(1, 3) as usize;
    let n_contigs = r.range(1, 3) as usize;
    let mut contigs = vec![];
    let mut contig_offsets = vec![0i64];
    let mut contig_lens = vec![];
    for _ in 0..n_contigs {
        let len = r.range(20, 200) as usize;
        for _ in 0..len {
            contigs.push(b"ACGT"[(r.next() % 4) as usize]);
        }
        contig_offsets.push(contigs.len() as i64);
        contig_lens.push(len as i64);
    }
    // Variants per contig, sorted by start.
    let mut starts = vec![];
    let mut ilens = vec![];
    let mut alts = vec![];
    let mut alt_offsets = vec![0i64];
    let mut contig_variants: Vec<Vec<i32>> = vec![];
    for &len in &contig_lens {
        let n = r.range(0, 30);
        let mut pos: Vec<i64> = (0..n).map(|_| r.range(0, len - 1)).collect();
        pos.sort();
        let mut ids = vec![];
        for p in pos {
            let kind = r.range(0, 2);
            let ilen = match kind {
                0 => 0,
                1 => r.range(1, 6),
                _ => -r.range(1, 6),
            };
            ids.push(starts.len() as i32);
            starts.push(p as i32);
            ilens.push(ilen as i32);
            let alt_len = if ilen > 0 { ilen + 1 } else { 1 };
            for _ in 0..alt_len {
                alts.push(b"acgt"[(r.next() % 4) as usize]);
            }
            alt_offsets.push(alts.len() as i64);
        }
        contig_variants.push(ids);
    }
    let n_queries = r.range(0, 12) as usize;
    let mut regions = vec![];
    let mut geno_offsets = vec![0i64];
    let mut variant_idxs = vec![];
    let mut groups = vec![];
    let mut shifts = vec![];
    let mut out_offsets = vec![0i64];
    let mut tracks = vec![];
    let mut track_offsets = vec![0i64];
    let fixed = r.range(0, 1) == 1;
    let fixed_len = r.range(0, 40);
    for _ in 0..n_queries {
        let c = r.range(0, n_contigs as i64 - 1) as usize;
        let len = contig_lens[c];
        let start = r.range(-15, len + 5);
        let end = start + r.range(0, 60);
        regions.extend_from_slice(&[c as i32, start as i32, end as i32]);
        let t_len = (end - start + 10) as usize;
        for i in 0..t_len {
            tracks.push((i as f32) * 0.5 + (r.next() % 7) as f32);
        }
        track_offsets.push(tracks.len() as i64);
        for _ in 0..ploidy {
            // a random subset of the contig's variants, in order
            for &v in &contig_variants[c] {
                if r.next().is_multiple_of(2) {
                    variant_idxs.push(v);
                }
            }
            groups.push(geno_offsets.len() as i64 - 1);
            geno_offsets.push(variant_idxs.len() as i64);
            shifts.push(r.range(0, 8) as i32);
            let row = if fixed {
                fixed_len
            } else {
                (end - start) + r.range(0, 12)
            };
            out_offsets.push(out_offsets.last().unwrap() + row);
        }
    }
    // Shuffle group order: groups are indices, not positions.
    groups.reverse();
    let n_rows = groups.len();
    let mut regrouped_offsets = vec![0i64; n_rows + 1];
    let mut regrouped_idxs = vec![];
    for (k, &g) in groups.iter().enumerate() {
        let g = g as usize;
        regrouped_idxs.extend_from_slice(
            &variant_idxs[geno_offsets[g] as usize..geno_offsets[g + 1] as usize],
        );
        regrouped_offsets[k + 1] = regrouped_idxs.len() as i64;
    }
    let mut inv = vec![0i64; n_rows];
    for (k, &g) in groups.iter().enumerate() {
        inv[g as usize] = k as i64;
    }
    Case {
        contigs,
        contig_offsets,
        starts,
        ilens,
        alts,
        alt_offsets,
        geno_offsets: regrouped_offsets,
        variant_idxs: regrouped_idxs,
        regions,
        groups: inv,
        shifts,
        out_offsets,
        tracks,
        track_offsets,
        ploidy,
    }
}

impl Case {
    fn queries(&self) -> Queries<'_> {
        Queries {
            regions: &self.regions,
            ploidy: self.ploidy,
            groups: &self.groups,
            shifts: &self.shifts,
        }
    }
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
}

fn haplotypes(c: &Case, exec: &Exec) -> Vec<u8> {
    let b = HaplotypeBatch {
        queries: c.queries(),
        genotypes: c.genotypes(),
        variants: c.variants(),
        reference: c.reference(),
        out_offsets: &c.out_offsets,
        pad: b'N',
    };
    let offs = b.validate().expect("valid case");
    let mut out = vec![0xAAu8; offs[offs.len() - 1]];
    b.run(exec, &offs, &mut out).unwrap();
    out
}

fn diffs(c: &Case, exec: &Exec) -> Vec<i32> {
    let b = DiffsBatch {
        queries: c.queries(),
        genotypes: c.genotypes(),
        variants: c.variants(),
    };
    let n = b.validate().expect("valid case");
    let mut out = vec![-7i32; n];
    b.run(exec, &mut out).unwrap();
    out
}

fn realign(c: &Case, exec: &Exec, fill: Fill) -> Vec<u32> {
    let b = RealignBatch {
        queries: c.queries(),
        genotypes: c.genotypes(),
        variants: c.variants(),
        tracks: &c.tracks,
        track_offsets: &c.track_offsets,
        out_offsets: &c.out_offsets,
        fill,
        base_seed: 12345,
    };
    let offs = b.validate().expect("valid case");
    let mut out = vec![-9.0f32; offs[offs.len() - 1]];
    b.run(exec, &offs, &mut out).unwrap();
    out.iter().map(|x| x.to_bits()).collect()
}

fn reference(c: &Case, exec: &Exec) -> Vec<u8> {
    let n = c.regions.len() / 3;
    let offsets: Vec<i64> = (0..=n as i64).map(|i| i * 17).collect();
    let b = ReferenceBatch {
        regions: &c.regions,
        reference: c.reference(),
        out_offsets: &offsets,
        pad: b'N',
    };
    let offs = b.validate().unwrap();
    let mut out = vec![0u8; offs[n]];
    b.run(exec, &offs, &mut out).unwrap();
    out
}

fn tracks(c: &Case, exec: &Exec) -> Vec<u32> {
    let n = c.regions.len() / 3;
    // Intervals: one group per query, painted from the query's own start.
    let mut starts = vec![];
    let mut ends = vec![];
    let mut values = vec![];
    let mut offsets = vec![0i64];
    for q in 0..n {
        let s = c.regions[3 * q + 1];
        for j in 0..4 {
            starts.push(s - 3 + 7 * j);
            ends.push(s + 2 + 7 * j);
            values.push(j as f32 + 0.25);
        }
        offsets.push(starts.len() as i64);
    }
    let groups: Vec<i64> = (0..n as i64).rev().collect();
    let out_offsets: Vec<i64> = (0..=n as i64).map(|i| i * 23).collect();
    let b = TracksBatch {
        regions: &c.regions,
        groups: &groups,
        intervals: Intervals {
            starts: &starts,
            ends: &ends,
            values: &values,
            offsets: &offsets,
        },
        out_offsets: &out_offsets,
    };
    let offs = b.validate().unwrap();
    let mut out = vec![5.0f32; offs[n]];
    b.run(exec, &offs, &mut out).unwrap();
    out.iter().map(|x| x.to_bits()).collect()
}

/// Gathered variant columns, byte-encoded for comparison.
fn gather(c: &Case, exec: &Exec) -> Vec<u8> {
    let mask: Vec<u8> = (0..c.groups.len()).map(|k| (k % 3 == 1) as u8).collect();
    let b = GatherBatch {
        groups: &c.groups,
        genotypes: c.genotypes(),
        variants: c.variants(),
        rc_mask: &mask,
        groups_per_row: 1,
        dummy: None,
        keep: &[],
    };
    b.validate().expect("valid case");
    let layout = b.count(exec).unwrap();
    let n = layout.n_variants();
    let mut offsets = vec![-1i64; c.groups.len() + 1];
    let mut start = vec![-1i32; n];
    let mut ilen = vec![-1i32; n];
    let mut alt = vec![0xAAu8; layout.alt_bytes()];
    let mut alt_offsets = vec![-1i64; n + 1];
    let mut variant_idx = vec![-2i32; n];
    let out = GatherOut {
        offsets: &mut offsets,
        start: &mut start,
        ilen: &mut ilen,
        alt: &mut alt,
        alt_offsets: &mut alt_offsets,
        variant_idx: &mut variant_idx,
    };
    b.fill(exec, &layout, out).unwrap();
    let mut bytes = alt;
    for x in offsets.iter().chain(&alt_offsets) {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    for x in start.iter().chain(&ilen).chain(&variant_idx) {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes
}

const FILLS: [Fill; 6] = [
    Fill::Repeat5p,
    Fill::Repeat5pNormalized,
    Fill::Constant(f64::NAN),
    Fill::FlankSample(3),
    Fill::Interpolate(1),
    Fill::Interpolate(4),
];

#[test]
fn serial_equals_parallel_at_1_2_8_threads() {
    let pools: Vec<_> = [1usize, 2, 8].iter().map(|&n| build(n).unwrap()).collect();
    for seed in 1..=150u64 {
        let case = make_case(seed * 0x9E37_79B9);
        let serial = Exec::serial();
        let h = haplotypes(&case, &serial);
        let d = diffs(&case, &serial);
        let rf = reference(&case, &serial);
        let tr = tracks(&case, &serial);
        let re: Vec<_> = FILLS.iter().map(|&f| realign(&case, &serial, f)).collect();
        let gv = gather(&case, &serial);
        // every haplotype byte is written
        assert!(!h.contains(&0xAA), "seed {seed}: unwritten haplotype byte");
        for pool in &pools {
            let par = Exec {
                pool: Some(pool),
                cancel: None,
            };
            assert_eq!(h, haplotypes(&case, &par), "haplotypes seed {seed}");
            assert_eq!(d, diffs(&case, &par), "diffs seed {seed}");
            assert_eq!(rf, reference(&case, &par), "reference seed {seed}");
            assert_eq!(tr, tracks(&case, &par), "tracks seed {seed}");
            assert_eq!(gv, gather(&case, &par), "gather seed {seed}");
            for (f, want) in FILLS.iter().zip(&re) {
                assert_eq!(want, &realign(&case, &par, *f), "realign {f:?} seed {seed}");
            }
        }
    }
}

#[test]
fn ragged_rows_have_diff_lengths() {
    // Ragged rows sized (end - start) + diff reproduce hap_len exactly and end
    // in reference bytes (no pad) when the window lies inside the contig.
    let c = Case {
        contigs: b"ACGTACGTACGTACGTACGT".to_vec(),
        contig_offsets: vec![0, 20],
        starts: vec![3, 6, 9],
        ilens: vec![2, -2, 0],
        alts: b"TGGCT".to_vec(),
        alt_offsets: vec![0, 3, 4, 5],
        geno_offsets: vec![0, 3],
        variant_idxs: vec![0, 1, 2],
        regions: vec![0, 2, 12],
        groups: vec![0],
        shifts: vec![],
        out_offsets: vec![0, 10],
        tracks: vec![],
        track_offsets: vec![0, 0],
        ploidy: 1,
    };
    let d = diffs(&c, &Exec::serial());
    assert_eq!(d, vec![0]);
    assert_eq!(&haplotypes(&c, &Exec::serial()), b"GTGGACCTGT");
}

#[test]
fn abort_flag_stops_between_rows() {
    let case = make_case(77);
    let pool = build(2).unwrap();
    let flag = AtomicBool::new(true);
    for exec in [
        Exec {
            pool: None,
            cancel: Some(&flag),
        },
        Exec {
            pool: Some(&pool),
            cancel: Some(&flag),
        },
    ] {
        let b = HaplotypeBatch {
            queries: case.queries(),
            genotypes: case.genotypes(),
            variants: case.variants(),
            reference: case.reference(),
            out_offsets: &case.out_offsets,
            pad: b'N',
        };
        let offs = b.validate().unwrap();
        let mut out = vec![0u8; offs[offs.len() - 1]];
        if offs.len() > 1 {
            let err = b.run(&exec, &offs, &mut out).unwrap_err();
            assert_eq!(err.code, Code::Aborted);
        }
    }
}

#[test]
fn validation_names_the_bad_value() {
    let mut seed = 5;
    let mut c = make_case(seed);
    while c.groups.is_empty() {
        seed += 1;
        c = make_case(seed);
    }
    c.groups[0] = 1_000_000;
    {
        let b = HaplotypeBatch {
            queries: c.queries(),
            genotypes: c.genotypes(),
            variants: c.variants(),
            reference: c.reference(),
            out_offsets: &c.out_offsets,
            pad: b'N',
        };
        let e = b.validate().unwrap_err();
        assert_eq!(e.code, Code::IndexOutOfRange);
        assert_eq!(e.param.as_deref(), Some("groups"));
        assert_eq!(e.index, Some(0));
        assert_eq!(e.value, Some(1_000_000i64.into()));
    }
    c.groups[0] = 0;
    let last = c.out_offsets.len() - 1;
    c.out_offsets[last] = c.out_offsets[last - 1] - 1;
    let b = HaplotypeBatch {
        queries: c.queries(),
        genotypes: c.genotypes(),
        variants: c.variants(),
        reference: c.reference(),
        out_offsets: &c.out_offsets,
        pad: b'N',
    };
    let e = b.validate().unwrap_err();
    assert_eq!(e.code, Code::InvalidArgument);
    assert_eq!(e.param.as_deref(), Some("outOffsets"));
    assert_eq!(e.index, Some(last as i64));
}
