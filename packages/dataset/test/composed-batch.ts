/**
 * The read path as it was composed before fusion: per-item geometry, genotype groups,
 * diffs, shifts and offsets in TypeScript, then one public `@gvl/native` kernel per
 * step (getDiffs, reconstructHaplotypes, getReference, intervalsToTracks,
 * realignTracks, reverseComplement, reverseRows), tracks interleaved here. The fused
 * `DatasetSource` path must produce the same values.
 */
import {
  getDiffs,
  getReference,
  intervalsToTracks,
  realignTracks,
  reconstructHaplotypes,
  reverseComplement,
  reverseRows,
} from '@gvl/native';
import { offsetsFromLengths } from '../src/ragged.js';
import type { BatchRequest, Core, ReadPlan } from '../src/read-pipeline.js';

export interface Rows<T> {
  data: T;
  offsets: BigInt64Array;
}

export async function composedBatch(
  core: Core,
  plan: ReadPlan,
  req: BatchRequest,
): Promise<{ seqs?: Rows<Uint8Array>; tracks?: Rows<Float32Array> }> {
  const { files } = core;
  const reference = core.reference;
  const parallel = false;
  const n = req.regionIdx.length;
  const S = files.metadata.samples.length;
  const P = files.metadata.ploidy ?? 1;
  const L = plan.length;
  const regions = new Int32Array(n * 3);
  const lengths = new Int32Array(n);
  const toRc = new Uint8Array(n);
  const rDisk = new Int32Array(n);
  const dsIdx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = files.rIdxMap[req.regionIdx[i] as number] as number;
    const off = req.jitter ? (req.jitter[i] as number) : 0;
    const start = files.regions[r * 4 + 1] as number;
    const end = files.regions[r * 4 + 2] as number;
    regions.set([files.regions[r * 4] as number, start + off, end + off], i * 3);
    lengths[i] = end - start;
    toRc[i] = plan.settings.rcNeg && files.regions[r * 4 + 3] === -1 ? 1 : 0;
    rDisk[i] = r;
    dsIdx[i] = r * S + (req.sampleIdx[i] as number);
  }
  const expand = (m: Uint8Array) =>
    Uint8Array.from({ length: n * P }, (_, k) => m[Math.floor(k / P)] as number);
  const g = files.genotypes;
  const v = files.variants;
  const refSeq = reference ? { sequence: reference.data, offsets: reference.offsets } : null;
  const out: { seqs?: Rows<Uint8Array>; tracks?: Rows<Float32Array> } = {};

  let hap:
    | { groups: BigInt64Array; diffs: Int32Array; shifts: Int32Array; offsets: BigInt64Array }
    | undefined;
  if (plan.seqs === 'haplotypes' && g && v && refSeq) {
    const groups = new BigInt64Array(n * P);
    for (let k = 0; k < n * P; k++)
      groups[k] = BigInt((dsIdx[Math.floor(k / P)] as number) * P + (k % P));
    const genotypes = { offsets: g.offsets, variantIdxs: g.variantIdxs };
    const diffs = await getDiffs(
      { regions, ploidy: P, groups, genotypes, variants: { starts: v.start, ilens: v.ilen } },
      { parallel },
    );
    const lens = new Float64Array(n * P);
    const shifts = new Int32Array(n * P);
    for (let k = 0; k < n * P; k++) {
      const len = lengths[Math.floor(k / P)] as number;
      const d = diffs[k] as number;
      lens[k] = typeof L === 'number' ? L : Math.max(0, len + d);
      if (req.shiftU && typeof L === 'number') {
        const maxShift = Math.max(d, 0) + Math.max(len - L, 0);
        shifts[k] = Math.min(maxShift, Math.floor((req.shiftU[k] as number) * (maxShift + 1)));
      }
    }
    hap = { groups, diffs, shifts, offsets: offsetsFromLengths(lens) };
    const data = await reconstructHaplotypes(
      {
        regions,
        ploidy: P,
        groups,
        shifts,
        genotypes,
        variants: { starts: v.start, ilens: v.ilen, alts: v.alt, altOffsets: v.altOffsets },
        reference: refSeq,
        outOffsets: hap.offsets,
        padChar: reference?.padChar,
      },
      { parallel },
    );
    await reverseComplement({ data, offsets: hap.offsets, rows: expand(toRc) }, { parallel });
    out.seqs = { data, offsets: hap.offsets };
  } else if (plan.seqs === 'reference' && refSeq) {
    const regs = regions.slice();
    const lens = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (typeof L === 'number') regs[i * 3 + 2] = (regs[i * 3 + 1] as number) + L;
      lens[i] = (regs[i * 3 + 2] as number) - (regs[i * 3 + 1] as number);
    }
    const offsets = offsetsFromLengths(lens);
    const data = await getReference(
      { regions: regs, reference: refSeq, outOffsets: offsets, padChar: reference?.padChar },
      { parallel },
    );
    await reverseComplement({ data, offsets, rows: toRc }, { parallel });
    out.seqs = { data, offsets };
  }

  if (plan.tracks.length === 0) return out;
  const realign = plan.seqs === 'haplotypes' && plan.settings.realignTracks && hap && g && v;
  const blocks: Rows<Float32Array>[] = [];
  for (const name of plan.tracks) {
    const t = files.tracks.get(name);
    if (!t) throw new Error(`no track ${name}`);
    const lens = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (realign && hap) {
        let minDel = 0;
        for (let p = 0; p < P; p++) minDel = Math.min(minDel, hap.diffs[i * P + p] as number);
        lens[i] = (lengths[i] as number) - minDel;
      } else lens[i] = typeof L === 'number' ? L : (lengths[i] as number);
    }
    const trackOffsets = offsetsFromLengths(lens);
    const raw = await intervalsToTracks(
      {
        regions,
        groups: BigInt64Array.from(t.annotation ? rDisk : dsIdx, (x) => BigInt(x)),
        intervals: { starts: t.starts, ends: t.ends, values: t.values, offsets: t.offsets },
        outOffsets: trackOffsets,
      },
      { parallel },
    );
    if (realign && hap && g && v) {
      let xor = 0n;
      for (const x of dsIdx) xor ^= BigInt(x);
      const data = await realignTracks(
        {
          regions,
          ploidy: P,
          groups: hap.groups,
          shifts: hap.shifts,
          genotypes: { offsets: g.offsets, variantIdxs: g.variantIdxs },
          variants: { starts: v.start, ilens: v.ilen },
          tracks: raw,
          trackOffsets,
          outOffsets: hap.offsets,
          fill: plan.settings.insertionFill[name] ?? { kind: 'repeat5p' },
          baseSeed: plan.settings.deterministic ? xor : BigInt(plan.settings.seed),
        },
        { parallel },
      );
      await reverseRows({ data, offsets: hap.offsets, rows: expand(toRc) }, { parallel });
      blocks.push({ data, offsets: hap.offsets });
    } else {
      await reverseRows({ data: raw, offsets: trackOffsets, rows: toRc }, { parallel });
      blocks.push({ data: raw, offsets: trackOffsets });
    }
  }
  // Interleave per-track blocks into (item, track, inner) rows.
  const inner = realign ? P : 1;
  const total = blocks.reduce((a, b) => a + b.data.length, 0);
  const data = new Float32Array(total);
  const rowLens = new Float64Array(n * blocks.length * inner);
  let o = 0;
  let row = 0;
  for (let i = 0; i < n; i++)
    for (const b of blocks)
      for (let j = 0; j < inner; j++) {
        const s = Number(b.offsets[i * inner + j]);
        const e = Number(b.offsets[i * inner + j + 1]);
        data.set(b.data.subarray(s, e), o);
        o += e - s;
        rowLens[row++] = e - s;
      }
  out.tracks = { data, offsets: offsetsFromLengths(rowLens) };
  return out;
}
