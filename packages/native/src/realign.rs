//! Track realignment to haplotypes (docs/read-semantics.md §3.6).

use crate::batch::{check_monotone, out_offsets, Genotypes, Queries, Variants};
use crate::errors::{GResult, GvlError};
use crate::pool::Exec;
use crate::prng::hash4;

/// How the bases inserted by an insertion are filled in a realigned track.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fill {
    /// Repeat the track value at the insertion's anchor base.
    Repeat5p,
    /// The anchor value divided by the insertion's span (`ilen + 1`).
    Repeat5pNormalized,
    /// A constant (cast to f32).
    Constant(f64),
    /// Values sampled from the flank `[anchor - width, anchor + width]` with `hash4`.
    FlankSample(u32),
    /// Lagrange interpolation through `(order + 2) / 2` anchors on each side
    /// (`order` at most [`MAX_INTERPOLATE_ORDER`] when parsed from JS).
    Interpolate(u8),
}

/// The JS-facing form of a [`Fill`]: a kind and its optional parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct FillParams<'a> {
    pub kind: Option<&'a str>,
    pub value: Option<f64>,
    pub flank_width: Option<f64>,
    pub order: Option<f64>,
}

impl Fill {
    /// The one place an insertion fill option is validated: `kind` one of the
    /// five names (absent: `repeat5p`), `flankWidth` an integer in
    /// `[0, 2^32)` (default 5), `order` an integer in
    /// `[0, MAX_INTERPOLATE_ORDER]` (default 1), `value` any number (default
    /// NaN). `param` names the option in errors (`fill`, `request.fills[0]`).
    pub fn parse(param: &str, p: FillParams) -> GResult<Fill> {
        let int = |name: &str, v: Option<f64>, default: f64, max: f64| -> GResult<f64> {
            let v = v.unwrap_or(default);
            if !v.is_finite() || v.fract() != 0.0 || v < 0.0 || v > max {
                return Err(GvlError::invalid(
                    &format!("{param}.{name}"),
                    v,
                    &format!("an integer in [0, {max}]"),
                ));
            }
            Ok(v)
        };
        match p.kind.unwrap_or("repeat5p") {
            "repeat5p" => Ok(Fill::Repeat5p),
            "repeat5pNormalized" => Ok(Fill::Repeat5pNormalized),
            "constant" => Ok(Fill::Constant(p.value.unwrap_or(f64::NAN))),
            "flankSample" => {
                Ok(Fill::FlankSample(
                    int("flankWidth", p.flank_width, 5.0, u32::MAX as f64)? as u32,
                ))
            }
            "interpolate" => {
                Ok(Fill::Interpolate(
                    int("order", p.order, 1.0, MAX_INTERPOLATE_ORDER as f64)? as u8,
                ))
            }
            other => Err(GvlError::invalid(
                &format!("{param}.kind"),
                other,
                "one of repeat5p, repeat5pNormalized, constant, flankSample, interpolate",
            )),
        }
    }
}

/// One realignment batch: per query a reference-coordinate track row
/// `tracks[track_offsets[q]..track_offsets[q + 1]]` starting at the query's
/// start; output row `k = query * ploidy + hap`.
#[derive(Clone, Copy)]
pub struct RealignBatch<'a> {
    pub queries: Queries<'a>,
    pub genotypes: Genotypes<'a>,
    pub variants: Variants<'a>,
    pub tracks: &'a [f32],
    pub track_offsets: &'a [i64],
    pub out_offsets: &'a [i64],
    pub fill: Fill,
    pub base_seed: u64,
}

impl<'a> RealignBatch<'a> {
    pub fn validate(&self) -> GResult<Vec<usize>> {
        self.queries.validate(false)?;
        self.variants.validate_shape(false)?;
        let n = self.queries.n_queries();
        if self.track_offsets.len() != n + 1 {
            return Err(GvlError::invalid(
                "trackOffsets.length",
                self.track_offsets.len(),
                &format!("{} (number of queries + 1)", n + 1),
            ));
        }
        check_monotone(
            "trackOffsets",
            self.track_offsets,
            false,
            self.tracks.len() as u64,
        )?;
        self.genotypes.validate_groups(self.queries.groups)?;
        self.variants
            .validate_referenced(&self.queries, &self.genotypes, false, None)?;
        out_offsets("outOffsets", self.out_offsets, self.queries.n_rows())
    }

    pub fn run(&self, exec: &Exec, offsets: &[usize], out: &mut [f32]) -> GResult<()> {
        let q = &self.queries;
        exec.rows(out, offsets, |k, row| {
            let query = k / q.ploidy;
            let hap = k % q.ploidy;
            let track = &self.tracks
                [self.track_offsets[query] as usize..self.track_offsets[query + 1] as usize];
            realign_row(
                self.genotypes.group(q.group(k)),
                &self.variants,
                q.shift(k),
                track,
                q.start(query),
                row,
                self.fill,
                Seed {
                    base: self.base_seed,
                    query: query as u64,
                    hap: hap as u64,
                },
            );
        })
    }
}

/// Largest interpolation order accepted.
pub const MAX_INTERPOLATE_ORDER: u8 = 32;

/// The `FlankSample` seed components: `hash4(base, query, hap, out_index)`.
#[derive(Clone, Copy, Debug)]
pub struct Seed {
    pub base: u64,
    pub query: u64,
    pub hap: u64,
}

/// `track[i]`, or 0.0 outside the row (reads past a short track row pad with 0).
#[inline]
fn at(track: &[f32], i: i64) -> f32 {
    if i >= 0 && (i as usize) < track.len() {
        track[i as usize]
    } else {
        0.0
    }
}

/// `out[..n] = track[from..from + n]`, 0.0 past the end of `track`.
#[inline]
fn copy_padded(out: &mut [f32], track: &[f32], from: i64) {
    let n = out.len() as i64;
    let avail = (track.len() as i64 - from).clamp(0, n);
    if avail > 0 {
        out[..avail as usize].copy_from_slice(&track[from as usize..(from + avail) as usize]);
    }
    out[avail as usize..].fill(0.0);
}

/// Realign one reference-coordinate `track` (starting at `q_start`) to the
/// haplotype given by `var_idxs`, with the same shift semantics as the
/// haplotype kernel. Every element of `out` is written.
#[allow(clippy::too_many_arguments)]
// Long on purpose: one walk whose cursors (reference, output, shift) every step
// shares; it follows the peer's `shift_and_realign_track_sparse` step by step, so it stays whole.
pub fn realign_row(
    var_idxs: &[i32],
    variants: &Variants,
    shift: i64,
    track: &[f32],
    q_start: i64,
    out: &mut [f32],
    fill: Fill,
    seed: Seed,
) {
    let len = out.len() as i64;
    let track_len = track.len() as i64;
    if var_idxs.is_empty() {
        // Peer behaviour: no variants, no shift applied.
        copy_padded(out, track, 0);
        return;
    }

    let mut t: i64 = 0;
    let mut o: i64 = 0;
    let mut shifted: i64 = 0;

    for &v in var_idxs {
        let v = v as usize;
        let rel = variants.starts[v] as i64 - q_start;
        let ilen = variants.ilens[v] as i64;
        let rel_end = rel - ilen.min(0) + 1;

        if ilen < 0 && rel < 0 && rel_end >= 0 {
            t = rel_end;
            continue;
        }
        if rel < t {
            continue;
        }

        let mut v_len = ilen.max(0) + 1;
        if shifted < shift {
            let dist = rel - t;
            if shifted + dist + v_len < shift {
                continue;
            } else if shifted + dist >= shift {
                t += shift - shifted;
                shifted = shift;
            } else {
                let allele_start = shift - shifted - dist;
                shifted = shift;
                if allele_start == v_len {
                    t = rel_end;
                    continue;
                }
                t = rel;
                v_len -= allele_start;
            }
        }

        // SNVs leave the track unchanged.
        if ilen == 0 {
            continue;
        }

        let gap = rel - t;
        if o + gap >= len {
            break;
        }
        copy_padded(&mut out[o as usize..(o + gap) as usize], track, t);
        o += gap;

        let w = v_len.min(len - o);
        let dst = &mut out[o as usize..(o + w) as usize];
        if ilen > 0 && fill != Fill::Repeat5p {
            fill_insertion(dst, o, v_len, track, rel, fill, seed);
        } else {
            dst.fill(at(track, rel));
        }
        o += w;
        t = rel_end;
        if o >= len {
            break;
        }
    }

    if shifted < shift {
        t = (t + (shift - shifted)).min(track_len);
    }
    if o < len {
        copy_padded(&mut out[o as usize..], track, t);
    }
}

/// Fill `dst` (the written part of an insertion starting at row index
/// `out_idx`, total span `v_len`) anchored at track index `rel`.
fn fill_insertion(
    dst: &mut [f32],
    out_idx: i64,
    v_len: i64,
    track: &[f32],
    rel: i64,
    fill: Fill,
    seed: Seed,
) {
    let track_len = track.len() as i64;
    match fill {
        Fill::Repeat5p => dst.fill(at(track, rel)),
        Fill::Repeat5pNormalized => {
            // float32 / int64 promotes to float64 in the peer, then stores as f32.
            let val = (at(track, rel) as f64 / v_len as f64) as f32;
            dst.fill(val);
        }
        Fill::Constant(c) => dst.fill(c as f32),
        Fill::FlankSample(width) => {
            let width = i64::from(width);
            let lo = (rel - width).max(0);
            let hi = (rel + width).min(track_len - 1);
            let size = hi - lo + 1;
            if size <= 0 {
                // The flank lies entirely outside a short track row.
                dst.fill(0.0);
                return;
            }
            for (i, x) in dst.iter_mut().enumerate() {
                let h = hash4(seed.base, seed.query, seed.hap, (out_idx + i as i64) as u64);
                *x = track[(lo + (h % size as u64) as i64) as usize];
            }
        }
        Fill::Interpolate(order) => {
            let k = (usize::from(order) + 2) / 2;
            let n = 2 * k;
            let mut xs = vec![0.0f64; n];
            let mut ys = vec![0.0f64; n];
            for j in 0..k {
                xs[j] = -(j as f64);
                ys[j] = at(track, (rel - j as i64).max(0)) as f64;
                xs[k + j] = v_len as f64 + j as f64;
                ys[k + j] = at(track, (rel + 1 + j as i64).min(track_len - 1)) as f64;
            }
            for (i, x_out) in dst.iter_mut().enumerate() {
                let x = i as f64;
                let mut acc = 0.0f64;
                for a in 0..n {
                    let mut term = ys[a];
                    for b in 0..n {
                        if b != a {
                            term *= (x - xs[b]) / (xs[a] - xs[b]);
                        }
                    }
                    acc += term;
                }
                *x_out = acc as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: Seed = Seed {
        base: 7,
        query: 0,
        hap: 1,
    };

    fn realign(vs: &[(i32, i32)], shift: i64, track: &[f32], len: usize, fill: Fill) -> Vec<f32> {
        let starts: Vec<i32> = vs.iter().map(|v| v.0).collect();
        let ilens: Vec<i32> = vs.iter().map(|v| v.1).collect();
        let idx: Vec<i32> = (0..vs.len() as i32).collect();
        let view = Variants {
            starts: &starts,
            ilens: &ilens,
            alts: &[],
            alt_offsets: &[],
        };
        let mut out = vec![-1.0f32; len];
        realign_row(&idx, &view, shift, track, 100, &mut out, fill, SEED);
        out
    }

    const T: [f32; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];

    #[test]
    fn no_variants_copies_and_pads() {
        assert_eq!(
            realign(&[], 3, &T, 4, Fill::Repeat5p),
            vec![1.0, 2.0, 3.0, 4.0]
        );
        assert_eq!(
            realign(&[], 0, &T[..2], 4, Fill::Repeat5p),
            vec![1.0, 2.0, 0.0, 0.0]
        );
    }

    #[test]
    fn snv_skipped_deletion_and_repeat5p_insertion() {
        assert_eq!(realign(&[(102, 0)], 0, &T, 6, Fill::Repeat5p), T.to_vec());
        // DEL at rel 1 of 2: writes track[1], jumps to rel 4
        assert_eq!(
            realign(&[(101, -2)], 0, &T, 4, Fill::Repeat5p),
            vec![1.0, 2.0, 5.0, 6.0]
        );
        // INS at rel 1 of 2: anchor + 2 inserted = 3 copies of track[1]
        assert_eq!(
            realign(&[(101, 2)], 0, &T, 6, Fill::Repeat5p),
            vec![1.0, 2.0, 2.0, 2.0, 3.0, 4.0]
        );
    }

    #[test]
    fn other_fills_cover_the_whole_span() {
        assert_eq!(
            realign(&[(101, 3)], 0, &T, 7, Fill::Repeat5pNormalized),
            vec![1.0, 0.5, 0.5, 0.5, 0.5, 3.0, 4.0]
        );
        assert_eq!(
            realign(&[(101, 1)], 0, &T, 4, Fill::Constant(9.5)),
            vec![1.0, 9.5, 9.5, 3.0]
        );
        // Interpolate order 0: linear between track[1] = 2 (x = 0) and track[2] = 3 (x = v_len = 4)
        assert_eq!(
            realign(&[(101, 3)], 0, &T, 6, Fill::Interpolate(0)),
            vec![1.0, 2.0, 2.25, 2.5, 2.75, 3.0]
        );
        // FlankSample width 1 samples track[0..=2] by hash4(7, 0, 1, out_index)
        let out = realign(&[(101, 2)], 0, &T, 5, Fill::FlankSample(1));
        let pick = |i: u64| T[(hash4(7, 0, 1, i) % 3) as usize];
        assert_eq!(out, vec![1.0, pick(1), pick(2), pick(3), 3.0]);
    }

    #[test]
    fn deletion_spanning_start_and_past_end() {
        // DEL at rel -2 of 3 (rel_end 2): cursor jumps to 2
        assert_eq!(
            realign(&[(98, -3)], 0, &T, 3, Fill::Repeat5p),
            vec![3.0, 4.0, 5.0]
        );
        // deletion running past the track end pads with 0
        assert_eq!(
            realign(&[(104, -5)], 0, &T, 6, Fill::Repeat5p),
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.0]
        );
    }

    #[test]
    fn shifted_tail() {
        // SNV kept for bookkeeping: shift 2 is applied before it
        assert_eq!(
            realign(&[(104, 0)], 2, &T, 3, Fill::Repeat5p),
            vec![3.0, 4.0, 5.0]
        );
        // shift larger than anything: tail shift, clamped at the track end
        assert_eq!(
            realign(&[(101, 0)], 9, &T, 2, Fill::Repeat5p),
            vec![0.0, 0.0]
        );
    }
}
