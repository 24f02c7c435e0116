//! The track output of a fused batch (docs/read-semantics.md §3.6): intervals
//! painted onto base-pair rows from each item's jittered start, optionally
//! realigned to the item's haplotypes, and reversed (not complemented) for
//! − strand items when asked.
//!
//! Rows are interleaved as the dataset returns them: `(item, track)` for
//! reference-coordinate tracks and `(item, track, haplotype)` for realigned
//! ones. A realigned batch paints each `(item, track)` once into a scratch
//! row spanning the region plus its largest deletion, then realigns it per
//! haplotype: the same two steps as `intervalsToTracks` + `realignTracks`.

use crate::batch::{Genotypes, Variants};
use crate::errors::{GResult, GvlError};
use crate::fused::Plan;
use crate::fused_batch::Geometry;
use crate::pool::Exec;
use crate::rc::reverse_row;
use crate::realign::{realign_row, Fill, Seed};
use crate::tracks::{intervals_row, Intervals};

/// One held track: its intervals and whether it is an annotation track (one
/// group per region) or a sample track (one group per region and sample).
#[derive(Clone, Copy)]
pub struct Track<'a> {
    pub intervals: Intervals<'a>,
    pub annotation: bool,
}

impl<'a> Track<'a> {
    /// The CSR shape: equal column lengths, monotone in-bounds offsets.
    pub fn validate(&self, t: usize) -> GResult<()> {
        let itv = &self.intervals;
        let n = itv.starts.len();
        for (name, len) in [("ends", itv.ends.len()), ("values", itv.values.len())] {
            if len != n {
                return Err(GvlError::invalid(
                    &format!("tracks[{t}].intervals.{name}.length"),
                    len,
                    &format!("{n} (intervals.starts.length)"),
                ));
            }
        }
        if itv.offsets.is_empty() {
            return Err(GvlError::invalid(
                &format!("tracks[{t}].intervals.offsets.length"),
                0i64,
                "n_groups + 1 >= 1",
            ));
        }
        crate::batch::check_monotone(
            &format!("tracks[{t}].intervals.offsets"),
            itv.offsets,
            false,
            n as u64,
        )
    }

    fn n_groups(&self) -> usize {
        self.intervals.offsets.len() - 1
    }

    /// Paints group `g` onto `row` from `start`.
    fn paint(&self, g: usize, start: i64, row: &mut [f32]) {
        let itv = &self.intervals;
        let (s, e) = (itv.offsets[g] as usize, itv.offsets[g + 1] as usize);
        intervals_row(
            &itv.starts[s..e],
            &itv.ends[s..e],
            &itv.values[s..e],
            start,
            row,
        );
    }
}

/// The selected tracks of a batch, in output order.
pub struct Selected<'a> {
    pub tracks: Vec<Track<'a>>,
    /// The parameter name of each selected track (for messages).
    pub names: Vec<usize>,
}

impl<'a> Selected<'a> {
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Interval group of item `i` in track `t`.
    fn group(&self, t: usize, geom: &Geometry, i: usize) -> usize {
        if self.tracks[t].annotation {
            geom.rows[i]
        } else {
            geom.ds[i]
        }
    }

    /// Checks every item's group against each selected track's groups.
    pub fn validate_groups(&self, geom: &Geometry) -> GResult<()> {
        for (t, track) in self.tracks.iter().enumerate() {
            let n_groups = track.n_groups();
            for i in 0..geom.n() {
                let g = self.group(t, geom, i);
                if g >= n_groups {
                    return Err(GvlError::out_of_range(
                        &format!("tracks[{}].intervals.offsets", self.names[t]),
                        i,
                        g as i64,
                        0,
                        n_groups as i64,
                        if track.annotation {
                            "a group per on-disk region (annotation track)"
                        } else {
                            "a group per (region, sample) (sample track)"
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    /// `(n · T + 1)` offsets of reference-coordinate rows: `length` when
    /// fixed, else the region length; `extra[i]` more for item `i` (the
    /// realignment span of its largest deletion), when given.
    pub fn plain_offsets(&self, geom: &Geometry, length: Option<usize>, extra: &[i64]) -> Vec<i64> {
        let t = self.len();
        let mut offsets = Vec::with_capacity(geom.n() * t + 1);
        offsets.push(0i64);
        let mut acc = 0i64;
        for i in 0..geom.n() {
            let len = match (extra.is_empty(), length) {
                (false, _) => geom.lens[i] + extra[i],
                (true, Some(l)) => l as i64,
                (true, None) => geom.lens[i],
            }
            .max(0);
            for _ in 0..t {
                // Saturating: an absurd request ends at i64::MAX, which the output cap refuses.
                acc = acc.saturating_add(len);
                offsets.push(acc);
            }
        }
        offsets
    }

    /// Reference-coordinate rows `(item, track)`, reversed for flagged items
    /// when `reverse`.
    pub fn paint(
        &self,
        geom: &Geometry,
        offsets: &[usize],
        reverse: bool,
        exec: &Exec,
        out: &mut [f32],
    ) -> GResult<()> {
        let n_t = self.len();
        exec.rows(out, offsets, |k, row| {
            let (i, t) = (k / n_t, k % n_t);
            self.tracks[t].paint(self.group(t, geom, i), geom.start(i), row);
            if reverse && geom.to_rc[i] {
                reverse_row(row);
            }
        })
    }
}

/// Extra reference span of each item's scratch track row: minus the largest
/// deletion over its haplotypes (0 when none shortens it).
pub fn deletion_span(plan: &Plan, ploidy: usize) -> Vec<i64> {
    plan.diffs
        .chunks(ploidy)
        .map(|d| -(d.iter().copied().min().unwrap_or(0).min(0) as i64))
        .collect()
}

/// `(n · T · P + 1)` offsets of realigned rows: each haplotype row's length.
pub fn realigned_offsets(plan: &Plan, n_tracks: usize, ploidy: usize) -> Vec<i64> {
    let n = plan.to_rc.len();
    let mut offsets = Vec::with_capacity(n * n_tracks * ploidy + 1);
    offsets.push(0i64);
    let mut acc = 0i64;
    for i in 0..n {
        for _ in 0..n_tracks {
            for h in 0..ploidy {
                let k = i * ploidy + h;
                acc = acc.saturating_add(plan.offsets[k + 1] - plan.offsets[k]);
                offsets.push(acc);
            }
        }
    }
    offsets
}

/// What realignment reads besides the tracks.
pub struct Realign<'a> {
    pub genotypes: Genotypes<'a>,
    pub variants: Variants<'a>,
    /// One fill per selected track.
    pub fills: &'a [Fill],
    pub base_seed: u64,
}

/// Realigns the scratch rows (`(item, track)` rows at `raw_offsets`) into
/// `out` rows `(item, track, haplotype)` at `offsets`, reversing flagged items.
#[allow(clippy::too_many_arguments)]
pub fn realign(
    r: &Realign,
    plan: &Plan,
    geom: &Geometry,
    n_tracks: usize,
    raw: &[f32],
    raw_offsets: &[usize],
    offsets: &[usize],
    exec: &Exec,
    out: &mut [f32],
) -> GResult<()> {
    let p = plan.groups.len() / plan.to_rc.len().max(1);
    exec.rows(out, offsets, |k, row| {
        let (it, h) = (k / p, k % p);
        let (i, t) = (it / n_tracks, it % n_tracks);
        let hk = i * p + h;
        realign_row(
            r.genotypes.group(plan.groups[hk] as usize),
            &r.variants,
            plan.shifts[hk] as i64,
            &raw[raw_offsets[it]..raw_offsets[it + 1]],
            geom.start(i),
            row,
            r.fills[t],
            Seed {
                base: r.base_seed,
                query: i as u64,
                hap: h as u64,
            },
        );
        if geom.to_rc[i] {
            reverse_row(row);
        }
    })
}
