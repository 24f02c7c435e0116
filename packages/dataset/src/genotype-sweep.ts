/**
 * The per-contig sweep that turns a stream of variant records into, for every region and
 * haplotype, the ascending list of variant indices the haplotype carries — including the
 * `extend_to_length` extension — with memory bounded by the records a window needs.
 *
 * Semantics follow genvarloader 0.43.1 writing from a VCF (genoray 6):
 *
 * 1. The records of region `[qStart, qEnd)` (already padded by `max_jitter`; `qStart`
 *    may be negative) are those whose span `[start, start + 1 - min(ilen, 0))` overlaps
 *    `[max(qStart, 0), qEnd)`, upstream deletions included. No record → every haplotype
 *    is empty and the region is not extended.
 * 2. With `extend`, records starting at or after `qEnd` are read in file order, as the
 *    peer's `_ext_with_length` does: per haplotype `len = qEnd - (max(qStart, 0) + 1) +
 *    Σ carried ilen` over the region's records; for each further indel `len += (start -
 *    lastEnd) + (carried ? ilen : 0)` for every haplotype and `lastEnd = start + len(REF)`
 *    (`lastEnd` starts at the end of the region's last record); the read stops after the
 *    record whose iterator position `i` (counting the records that only span `qEnd` first)
 *    satisfies `i % 20 == 0` and every `len >= qEnd - (max(qStart, 0) + 1)`.
 * 3. Per haplotype, the carried records of that window are walked (genoray
 *    `_length_walk_n_keep`) to keep only what the haplotype needs to reach the region
 *    length: see {@link keepCount}. Without `extend`, every carried record of step 1 is
 *    kept.
 * 4. The stored window end is `max(qEnd, v_end)` of the highest-index record kept by any
 *    haplotype, `v_end = start + 1 - min(ilen, 0)`.
 *
 * @module
 */

/** A variant record as the sweep needs it. */
export interface SweepRecord {
  /** Row of the record in `variants.arrow` (file order). */
  readonly idx: number;
  /** 0-based start (`POS - 1`). */
  readonly start: number;
  /** `len(ALT) - len(REF)`. */
  readonly ilen: number;
  /** `len(REF)`. */
  readonly refLen: number;
  /** Haplotype ids (`sample * ploidy + ploid`) carrying ALT, ascending. */
  readonly carriers: Uint32Array;
}

/** A region of the sweep: a padded write window. */
export interface SweepRegion {
  /** 0-based start, may be negative. */
  readonly qStart: number;
  /** 0-based exclusive end. */
  readonly qEnd: number;
}

/**
 * Receives the sweep's results in blocks of haplotypes (see {@link GenotypeSweep}), so
 * that no array of a region's results needs to be held whole.
 */
export interface RegionSink {
  /**
   * The next haplotypes of `region`, in haplotype order: `lengths[i]` variants kept by
   * haplotype `h0 + i` (`h0` = the haplotypes already given for this region), their
   * indices concatenated in `idxs`. The arrays are reused once the call returns: copy
   * what is kept.
   */
  part(region: number, lengths: Uint32Array, idxs: Int32Array): void;
  /** Every haplotype of `region` has been given; `end` is its stored window end. */
  end(region: number, end: number): void;
}

/** Options of {@link GenotypeSweep}. */
export interface GenotypeSweepOptions {
  /**
   * Haplotypes per block of a region's results (default 4096): the per-region scratch
   * memory is bounded by (records of the window) × this, not by the number of haplotypes.
   */
  haplotypeBlock?: number;
  /**
   * Called exactly once per pushed record, when the sweep holds it no more (it has left
   * every window and can overlap no later region): its `carriers` may then be reused.
   */
  onRelease?: (rec: SweepRecord) => void;
}

/** The sweep's result for one region. */
export interface RegionGenotypes {
  /** Position of the region in the sweep's input order. */
  readonly region: number;
  /** Number of kept variants per haplotype, haplotype-major (`sample * ploidy + ploid`). */
  readonly lengths: Uint32Array;
  /** Kept variant indices, haplotype by haplotype, ascending within each. */
  readonly idxs: Int32Array;
  /** The stored window end (`>= qEnd`). */
  readonly end: number;
}

/** Records per check of the extension read, as genoray's `_CHECK_LEN_EVERY_N`. */
const CHECK_EVERY = 20;

/** 0-based exclusive end of a record, from its ilen as the peer computes it. */
export function variantEnd(start: number, ilen: number): number {
  return start + 1 - Math.min(ilen, 0);
}

/**
 * How many of a haplotype's carried records (in order) to keep so that the haplotype
 * reaches the region length (genoray `_length_walk_n_keep`, exactly, including its
 * treatment of records upstream of `qStart`, whose end is taken without the `+ 1`).
 *
 * ```
 * written = 0; last_end = q_start
 * for each record (pos, ilen):
 *   if pos >= q_start:
 *     written += pos - last_end
 *     if pos >= q_end and written >= q_len: stop, excluding it
 *     written += max(0, ilen) + 1
 *     if pos >= q_end and written >= q_len: stop, including it
 *     last_end = max(last_end, pos - min(0, ilen) + 1)
 *   else:
 *     last_end = max(last_end, pos - min(0, ilen))
 * ```
 *
 * @param starts - 0-based starts of the carried records, in order.
 * @param ilens - their ilens.
 */
export function keepCount(
  starts: ArrayLike<number>,
  ilens: ArrayLike<number>,
  n: number,
  qStart: number,
  qEnd: number,
): number {
  const qLen = qEnd - qStart;
  let lastEnd = qStart;
  let written = 0;
  for (let j = 0; j < n; j++) {
    const start = starts[j] as number;
    const ilen = ilens[j] as number;
    const inside = start >= qStart ? 1 : 0;
    if (inside === 1) {
      const past = start >= qEnd;
      written += start - lastEnd;
      if (past && written >= qLen) return j;
      written += Math.max(0, ilen) + 1;
      if (past && written >= qLen) return j + 1;
    }
    const vEnd = start - Math.min(0, ilen) + inside;
    if (vEnd > lastEnd) lastEnd = vEnd;
  }
  return n;
}

interface ExtState {
  readonly window: SweepRecord[];
  /** Iterator position of the next record starting at or after qEnd. */
  i: number;
  base: number;
  /** Summed ILEN per haplotype; float64 so that no sum of int32 ILENs can wrap. */
  readonly delta: Float64Array;
  readonly target: number;
  lastEnd: number;
}

interface PendingRegion {
  readonly ordinal: number;
  readonly qStart: number;
  readonly qEnd: number;
  ext?: ExtState;
  result?: RegionGenotypes;
}

/**
 * Streams one contig's records through its regions; results come out in region order as
 * soon as they are final: whole, through an `emit` function, or in blocks of haplotypes
 * through a {@link RegionSink}, which the sweep hands views of arrays it reuses (a region
 * that finishes before an earlier one is held, copied, until that one is out).
 *
 * @example
 * ```ts
 * const sweep = new GenotypeSweep(regions, nHaps, true, (r) => write(r));
 * for (const rec of records) sweep.push(rec);
 * sweep.finish();
 * ```
 */
export class GenotypeSweep {
  private readonly regions: readonly SweepRegion[];
  private readonly nHaps: number;
  private readonly extend: boolean;
  private readonly sink: RegionSink;
  private readonly block: number;
  /** Records that may still overlap a region that has not finished collecting. */
  private recent: SweepRecord[] = [];
  /** Size of `recent` at which it is next compacted (1.25× what the last compaction kept). */
  private recentCompactAt = 64;
  /** Next region (sorted order) not yet activated. */
  private nextActivate = 0;
  /** Activated regions still collecting their overlapping records. */
  private collecting: PendingRegion[] = [];
  /** Regions reading extension records. */
  private extending: PendingRegion[] = [];
  /** Finished regions waiting for earlier ones. */
  private readonly finished = new Map<number, HeldResult>();
  private nextEmit = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  /**
   * Scratch of {@link finalize}, per block of haplotypes: CSR offsets, fill cursors and
   * members, the lengths given to the sink; per window record: the next carrier to read
   * and the end of its carriers in the block.
   */
  private readonly scratchCounts: Uint32Array;
  private readonly scratchFill: Uint32Array;
  private readonly scratchLengths: Uint32Array;
  private scratchMembers = new Int32Array(0);
  private scratchCursor = new Int32Array(0);
  private scratchBlockEnd = new Int32Array(0);
  /** Free per-haplotype ILEN sums (`Float64Array(nHaps)`) of finished extensions. */
  private readonly freeDeltas: Float64Array[] = [];
  private readonly onRelease: ((rec: SweepRecord) => void) | undefined;
  /** With `onRelease`: how many of `recent` and the pending windows hold each record. */
  private readonly holds = new Map<SweepRecord, number>();

  /**
   * @param regions - sorted by `qStart`, then `qEnd`.
   * @param nHaps - samples × ploidy.
   * @param extend - apply `extend_to_length`.
   * @param output - receives each region's results, in region order: a function gets
   *   each whole (arrays it owns), a {@link RegionSink} gets them in blocks.
   * @param options - block size; release of the records' carriers.
   */
  constructor(
    regions: readonly SweepRegion[],
    nHaps: number,
    extend: boolean,
    output: ((r: RegionGenotypes) => void) | RegionSink,
    options: GenotypeSweepOptions = {},
  ) {
    for (let i = 1; i < regions.length; i++) {
      const a = regions[i - 1] as SweepRegion;
      const b = regions[i] as SweepRegion;
      if (b.qStart < a.qStart || (b.qStart === a.qStart && b.qEnd < a.qEnd)) {
        throw new Error('GenotypeSweep: regions must be sorted by start, then end');
      }
    }
    this.regions = regions;
    this.nHaps = nHaps;
    const block = options.haplotypeBlock ?? 4096;
    if (!Number.isSafeInteger(block) || block < 1)
      throw new Error(`GenotypeSweep: haplotypeBlock must be an integer >= 1, got ${block}`);
    this.block = Math.min(block, Math.max(nHaps, 1));
    this.scratchCounts = new Uint32Array(this.block + 1);
    this.scratchFill = new Uint32Array(this.block);
    this.scratchLengths = new Uint32Array(this.block);
    this.extend = extend;
    this.sink = typeof output === 'function' ? wholeResults(nHaps, output) : output;
    this.onRelease = options.onRelease;
  }

  private hold(rec: SweepRecord): void {
    if (this.onRelease !== undefined) this.holds.set(rec, (this.holds.get(rec) ?? 0) + 1);
  }

  private drop(rec: SweepRecord): void {
    if (this.onRelease === undefined) return;
    const n = (this.holds.get(rec) as number) - 1;
    if (n > 0) {
      this.holds.set(rec, n);
    } else {
      this.holds.delete(rec);
      this.onRelease(rec);
    }
  }

  /** Whether every region has been emitted (later records can skip genotype parsing). */
  get done(): boolean {
    return this.nextEmit === this.regions.length;
  }

  /**
   * Whether a record at `start` with `ilen` can still end up in some region's window.
   * When false, {@link push} may be given the record with empty carriers, which saves
   * parsing its genotypes.
   */
  needs(start: number, ilen: number): boolean {
    if (this.done) return false;
    if (this.collecting.length > 0 || this.extending.length > 0) return true;
    const next = this.regions[this.nextActivate];
    return (
      next !== undefined &&
      (start >= next.qStart || variantEnd(start, ilen) > Math.max(next.qStart, 0))
    );
  }

  /**
   * Feeds the next record of the contig (file order). Records whose genotypes were not
   * parsed (see {@link needs}) can be passed with empty carriers.
   */
  push(rec: SweepRecord): void {
    if (rec.start < this.lastStart)
      throw new Error('GenotypeSweep: records must be sorted by start');
    this.lastStart = rec.start;
    // Held by `recent` from now on (before any window can take and drop it below).
    this.hold(rec);
    // Activate regions that start at or before this record.
    while (this.nextActivate < this.regions.length) {
      const r = this.regions[this.nextActivate] as SweepRegion;
      if (r.qStart > rec.start) break;
      this.collecting.push({ ordinal: this.nextActivate, qStart: r.qStart, qEnd: r.qEnd });
      this.nextActivate++;
    }
    // Regions whose end this record reaches have all their overlapping records.
    if (this.collecting.length > 0) {
      const still: PendingRegion[] = [];
      for (const p of this.collecting) {
        if (rec.start >= p.qEnd) this.closeCollect(p);
        else still.push(p);
      }
      this.collecting = still;
    }
    // Extension reads.
    if (this.extending.length > 0) {
      const still: PendingRegion[] = [];
      for (const p of this.extending) {
        if (this.extendWith(p, rec)) this.finalize(p);
        else still.push(p);
      }
      this.extending = still;
    }
    this.recent.push(rec);
    if (this.recent.length >= this.recentCompactAt) this.compactRecent();
    this.flush();
  }

  /** Ends the contig: every pending region is finalized and emitted. */
  finish(): void {
    while (this.nextActivate < this.regions.length) {
      const r = this.regions[this.nextActivate] as SweepRegion;
      this.collecting.push({ ordinal: this.nextActivate, qStart: r.qStart, qEnd: r.qEnd });
      this.nextActivate++;
    }
    for (const p of this.collecting) this.closeCollect(p);
    this.collecting = [];
    for (const p of this.extending) this.finalize(p);
    this.extending = [];
    for (const r of this.recent) this.drop(r);
    this.recent = [];
    this.flush();
  }

  /** Drops records that can no longer overlap any region still to collect. */
  private compactRecent(): void {
    let lo = Number.POSITIVE_INFINITY;
    for (const p of this.collecting) lo = Math.min(lo, Math.max(p.qStart, 0));
    const next = this.regions[this.nextActivate];
    if (next !== undefined) lo = Math.min(lo, Math.max(next.qStart, 0));
    const kept: SweepRecord[] = [];
    for (const r of this.recent) {
      if (variantEnd(r.start, r.ilen) > lo) kept.push(r);
      else this.drop(r);
    }
    this.recent = kept;
    this.recentCompactAt = Math.max(64, Math.ceil(this.recent.length * 1.25));
  }

  private closeCollect(p: PendingRegion): void {
    const lo = Math.max(p.qStart, 0);
    const window: SweepRecord[] = [];
    let spanning = 0;
    for (const r of this.recent) {
      if (r.start < p.qEnd && variantEnd(r.start, r.ilen) > lo) {
        window.push(r);
        this.hold(r);
      }
      // htslib's query from qEnd first returns records that merely span qEnd.
      if (r.start < p.qEnd && r.start + r.refLen > p.qEnd) spanning++;
    }
    if (window.length === 0 || !this.extend) {
      p.ext = { window, i: 0, base: 0, delta: new Float64Array(0), target: 0, lastEnd: 0 };
      this.finalize(p);
      return;
    }
    const target = p.qEnd - (lo + 1);
    const delta = this.freeDeltas.pop() ?? new Float64Array(this.nHaps);
    delta.fill(0);
    for (const r of window) {
      if (r.ilen === 0) continue;
      for (const h of r.carriers) delta[h] = (delta[h] as number) + r.ilen;
    }
    const last = window[window.length - 1] as SweepRecord;
    p.ext = { window, i: spanning, base: target, delta, target, lastEnd: last.start + last.refLen };
    this.extending.push(p);
  }

  /** Adds an extension record; returns true when the extension read stops. */
  private extendWith(p: PendingRegion, rec: SweepRecord): boolean {
    const ext = p.ext as ExtState;
    if (rec.start < p.qEnd) return false;
    ext.window.push(rec);
    this.hold(rec);
    if (rec.ilen !== 0) {
      ext.base += rec.start - ext.lastEnd;
      for (const h of rec.carriers) ext.delta[h] = (ext.delta[h] as number) + rec.ilen;
      ext.lastEnd = rec.start + rec.refLen;
    }
    const i = ext.i++;
    if (i % CHECK_EVERY !== 0) return false;
    let min = 0;
    if (ext.delta.length > 0) {
      min = ext.delta[0] as number;
      for (let h = 1; h < ext.delta.length; h++) {
        const d = ext.delta[h] as number;
        if (d < min) min = d;
      }
    }
    return ext.base + min >= ext.target;
  }

  private finalize(p: PendingRegion): void {
    // The hot loop of a region's extension: per block of haplotypes, one CSR pass and one in-place compaction over shared scratch arrays; splitting would pass the scratch and cursors around per block.
    const ext = p.ext as ExtState;
    const window = ext.window;
    const nHaps = this.nHaps;
    const nw = window.length;
    if (this.scratchCursor.length < nw) {
      this.scratchCursor = new Int32Array(
        Math.max(nw, Math.ceil(1.25 * this.scratchCursor.length)),
      );
      this.scratchBlockEnd = new Int32Array(this.scratchCursor.length);
    }
    const cursor = this.scratchCursor;
    const blockEnd = this.scratchBlockEnd;
    cursor.fill(0, 0, nw);
    // In order: straight to the sink. Otherwise held, copied, until the earlier regions
    // are out.
    const held = p.ordinal === this.nextEmit ? undefined : new HeldResult(nHaps);
    const out: RegionSink = held ?? this.sink;
    let maxKept = -1;
    const starts: number[] = [];
    const ilens: number[] = [];
    for (let h0 = 0; h0 < nHaps; h0 += this.block) {
      const h1 = Math.min(h0 + this.block, nHaps);
      const nb = h1 - h0;
      // CSR of window positions per haplotype of the block; carriers are ascending, so
      // each record's carriers in the block follow its cursor.
      const counts = this.scratchCounts;
      counts.fill(0, 0, nb + 1);
      for (let w = 0; w < nw; w++) {
        const c = (window[w] as SweepRecord).carriers;
        let i = cursor[w] as number;
        for (; i < c.length && (c[i] as number) < h1; i++) {
          const k = (c[i] as number) - h0 + 1;
          counts[k] = (counts[k] as number) + 1;
        }
        blockEnd[w] = i;
      }
      for (let k = 0; k < nb; k++)
        counts[k + 1] = (counts[k + 1] as number) + (counts[k] as number);
      const total = counts[nb] as number;
      const fill = this.scratchFill;
      fill.set(counts.subarray(0, nb));
      if (this.scratchMembers.length < total)
        this.scratchMembers = new Int32Array(
          Math.max(total, Math.ceil(1.25 * this.scratchMembers.length)),
        );
      const members = this.scratchMembers;
      for (let w = 0; w < nw; w++) {
        const c = (window[w] as SweepRecord).carriers;
        const e = blockEnd[w] as number;
        for (let i = cursor[w] as number; i < e; i++) {
          const k = (c[i] as number) - h0;
          members[fill[k] as number] = w;
          fill[k] = (fill[k] as number) + 1;
        }
        cursor[w] = e;
      }
      // The kept indices overwrite `members` in place: entry `o` is written only after
      // entries up to `k >= o` were read.
      const lengths = this.scratchLengths;
      let o = 0;
      for (let k = 0; k < nb; k++) {
        const a = counts[k] as number;
        const b = counts[k + 1] as number;
        let keep = b - a;
        if (this.extend && keep > 0) {
          starts.length = 0;
          ilens.length = 0;
          for (let j = a; j < b; j++) {
            const r = window[members[j] as number] as SweepRecord;
            starts.push(r.start);
            ilens.push(r.ilen);
          }
          keep = keepCount(starts, ilens, keep, p.qStart, p.qEnd);
        }
        for (let j = a; j < a + keep; j++) {
          const w = members[j] as number;
          members[o++] = (window[w] as SweepRecord).idx;
          if (w > maxKept) maxKept = w;
        }
        lengths[k] = keep;
      }
      out.part(p.ordinal, lengths.subarray(0, nb), members.subarray(0, o));
    }
    let end = p.qEnd;
    if (maxKept >= 0) {
      const r = window[maxKept] as SweepRecord;
      end = Math.max(end, variantEnd(r.start, r.ilen));
    }
    p.ext = undefined;
    if (ext.delta.length > 0) this.freeDeltas.push(ext.delta);
    for (const r of window) this.drop(r);
    if (held === undefined) {
      this.nextEmit++;
      this.sink.end(p.ordinal, end);
      this.flush();
    } else {
      held.end(p.ordinal, end);
      this.finished.set(p.ordinal, held);
    }
  }

  private flush(): void {
    for (;;) {
      const r = this.finished.get(this.nextEmit);
      if (r === undefined) return;
      this.finished.delete(this.nextEmit);
      this.nextEmit++;
      r.replay(this.sink);
    }
  }
}

/** A region's results held whole, copied from the blocks, until its turn comes. */
class HeldResult implements RegionSink {
  private readonly lengths: Uint32Array;
  private idxs = new Int32Array(0);
  private haps = 0;
  private nIdxs = 0;
  private region = -1;
  private stored = 0;
  constructor(nHaps: number) {
    this.lengths = new Uint32Array(nHaps);
  }
  part(region: number, lengths: Uint32Array, idxs: Int32Array): void {
    this.region = region;
    this.lengths.set(lengths, this.haps);
    this.haps += lengths.length;
    if (this.nIdxs + idxs.length > this.idxs.length) {
      const grown = new Int32Array(Math.max(this.nIdxs + idxs.length, 2 * this.idxs.length));
      grown.set(this.idxs.subarray(0, this.nIdxs));
      this.idxs = grown;
    }
    this.idxs.set(idxs, this.nIdxs);
    this.nIdxs += idxs.length;
  }
  end(region: number, end: number): void {
    this.region = region;
    this.stored = end;
  }
  /** Hands the result, whole, to `emit` (this object gives up its arrays). */
  emitTo(emit: (r: RegionGenotypes) => void): void {
    emit({
      region: this.region,
      lengths: this.lengths,
      idxs: this.idxs.subarray(0, this.nIdxs),
      end: this.stored,
    });
  }
  replay(sink: RegionSink): void {
    sink.part(this.region, this.lengths, this.idxs.subarray(0, this.nIdxs));
    sink.end(this.region, this.stored);
  }
}

/** A {@link RegionSink} that hands `emit` each region whole, in arrays it owns. */
function wholeResults(nHaps: number, emit: (r: RegionGenotypes) => void): RegionSink {
  let held = new HeldResult(nHaps);
  return {
    part: (region, lengths, idxs) => held.part(region, lengths, idxs),
    end: (region, end) => {
      const done = held;
      held = new HeldResult(nHaps);
      done.end(region, end);
      done.emitTo(emit);
    },
  };
}
