// Kernel throughput benchmark (not a test): MiB/s of output for the haplotype,
// reverse-complement and track kernels, serial and parallel, and the ratio to a plain copy
// (Buffer.copy) of the same number of bytes measured in the same run.
// Compare numbers within one run only; the machine line says where it ran.
//
//   pnpm bench                     # pool from @gvl/threads (GVL_NUM_THREADS respected)
//   GVL_NUM_THREADS=8 pnpm bench
import os from 'node:os';
import * as gvl from '../dist/index.js';

const MiB = 1024 * 1024;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 21);

function rng(seed) {
  let x = BigInt(seed) | 1n;
  return () => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return Number(x % 1000000007n) / 1000000007;
  };
}

/** A chr22-like synthetic batch: `queries` regions of `length` bp, ploidy 2, a variant every ~100 bp. */
function makeBatch(queries, length) {
  const rand = rng(queries * 7919 + length);
  const contigLen = queries * length * 2 + 10_000;
  const sequence = new Uint8Array(contigLen);
  for (let i = 0; i < contigLen; i++) sequence[i] = 'ACGT'.charCodeAt((rand() * 4) | 0);
  const starts = [];
  const ilens = [];
  const alts = [];
  const altOffsets = [0n];
  for (let p = 50; p < contigLen - 50; p += 20 + ((rand() * 160) | 0)) {
    const r = rand();
    const ilen = r < 0.8 ? 0 : r < 0.9 ? 1 + ((rand() * 6) | 0) : -(1 + ((rand() * 6) | 0));
    starts.push(p);
    ilens.push(ilen);
    const n = ilen > 0 ? ilen + 1 : 1;
    for (let i = 0; i < n; i++) alts.push('ACGT'.charCodeAt((rand() * 4) | 0));
    altOffsets.push(BigInt(alts.length));
  }
  const regions = new Int32Array(queries * 3);
  const groupIdx = [];
  const genoOffsets = [0n];
  const variantIdxs = [];
  let v0 = 0;
  for (let q = 0; q < queries; q++) {
    const start = 1000 + q * length * 2;
    regions.set([0, start, start + length], 3 * q);
    while (v0 < starts.length && starts[v0] < start - 10) v0++;
    for (let h = 0; h < 2; h++) {
      for (let v = v0; v < starts.length && starts[v] < start + length + 200; v++) {
        if (rand() < 0.5) variantIdxs.push(v);
      }
      groupIdx.push(BigInt(genoOffsets.length - 1));
      genoOffsets.push(BigInt(variantIdxs.length));
    }
  }
  const rows = queries * 2;
  const outOffsets = BigInt64Array.from({ length: rows + 1 }, (_, k) => BigInt(k * length));
  const trackLen = length + 64;
  const tracks = new Float32Array(queries * trackLen).map(() => rand());
  const itvStarts = [];
  const itvEnds = [];
  const itvValues = [];
  const itvOffsets = [0n];
  for (let q = 0; q < queries; q++) {
    const s = regions[3 * q + 1];
    for (let p = s; p < s + length; p += 50) {
      itvStarts.push(p);
      itvEnds.push(p + 30);
      itvValues.push(rand());
    }
    itvOffsets.push(BigInt(itvStarts.length));
  }
  const genotypes = {
    offsets: BigInt64Array.from(genoOffsets),
    variantIdxs: Int32Array.from(variantIdxs),
  };
  const groups = BigInt64Array.from(groupIdx);
  return {
    haplotypes: {
      regions,
      ploidy: 2,
      groups,
      genotypes,
      variants: {
        starts: Int32Array.from(starts),
        ilens: Int32Array.from(ilens),
        alts: Uint8Array.from(alts),
        altOffsets: BigInt64Array.from(altOffsets),
      },
      reference: { sequence, offsets: new BigInt64Array([0n, BigInt(contigLen)]) },
      outOffsets,
    },
    realign: {
      regions,
      ploidy: 2,
      groups,
      genotypes,
      variants: { starts: Int32Array.from(starts), ilens: Int32Array.from(ilens) },
      tracks,
      trackOffsets: BigInt64Array.from({ length: queries + 1 }, (_, q) => BigInt(q * trackLen)),
      outOffsets,
    },
    tracks: {
      regions,
      groups: BigInt64Array.from({ length: queries }, (_, q) => BigInt(q)),
      intervals: {
        starts: Int32Array.from(itvStarts),
        ends: Int32Array.from(itvEnds),
        values: Float32Array.from(itvValues),
        offsets: BigInt64Array.from(itvOffsets),
      },
      outOffsets: BigInt64Array.from({ length: queries + 1 }, (_, q) => BigInt(q * length)),
    },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms of `fn` and of a plain copy of `bytes`, measured interleaved so drift hits both. */
async function timeWithCopy(fn, bytes) {
  const src = Buffer.alloc(bytes, 7);
  const copy = () => {
    const dst = Buffer.allocUnsafeSlow(bytes);
    src.copy(dst);
    return dst;
  };
  for (let i = 0; i < 3; i++) {
    await fn();
    copy();
  }
  const kernelMs = [];
  const copyMs = [];
  for (let i = 0; i < REPEATS; i++) {
    let t = performance.now();
    await fn();
    kernelMs.push(performance.now() - t);
    t = performance.now();
    copy();
    copyMs.push(performance.now() - t);
  }
  return { ms: median(kernelMs), copyMs: median(copyMs) };
}

const pad = (s, n) => String(s).padEnd(n);
const fmt = (x) => x.toFixed(1);

gvl.poolInfo();
const rowsOut = [];
for (const [queries, length] of [
  [32, 16384],
  [128, 16384],
]) {
  const b = makeBatch(queries, length);
  // Every haplotype row of the batch, reverse-complemented in place (all rows selected).
  b.rows = {
    data: gvl.reconstructHaplotypesSync(b.haplotypes),
    offsets: BigInt64Array.from({ length: queries * 2 + 1 }, (_, k) => BigInt(k * length)),
  };
  const cases = [
    [
      'reconstructHaplotypes',
      1,
      (o) => gvl.reconstructHaplotypesSync(b.haplotypes, o),
      (o) => gvl.reconstructHaplotypes(b.haplotypes, o),
    ],
    [
      'realignTracks',
      4,
      (o) => gvl.realignTracksSync(b.realign, o),
      (o) => gvl.realignTracks(b.realign, o),
    ],
    [
      'intervalsToTracks',
      4,
      (o) => gvl.intervalsToTracksSync(b.tracks, o),
      (o) => gvl.intervalsToTracks(b.tracks, o),
    ],
    [
      'reverseComplement',
      1,
      (o) => gvl.reverseComplementSync(b.rows, o),
      (o) => gvl.reverseComplement(b.rows, o),
    ],
  ];
  for (const [name, width, sync, async] of cases) {
    const elems = name === 'intervalsToTracks' ? queries * length : queries * 2 * length;
    const bytes = elems * width;
    for (const [mode, run] of [
      ['serial', () => sync({ parallel: false })],
      ['parallel', () => sync({ parallel: true })],
      ['async parallel', () => async({ parallel: true })],
    ]) {
      const { ms, copyMs } = await timeWithCopy(run, bytes);
      rowsOut.push({
        kernel: name,
        batch: `${queries}x${length}`,
        mode,
        outMiB: bytes / MiB,
        ms,
        mibs: bytes / MiB / (ms / 1000),
        copyMibs: bytes / MiB / (copyMs / 1000),
        ratio: ms / copyMs,
      });
    }
  }
}

const info = gvl.poolInfo();
console.log(
  `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}; ` +
    `pool: ${info.numThreads} threads (${info.source}); median of ${REPEATS}`,
);
console.log(
  `${pad('kernel', 22)}${pad('batch', 11)}${pad('mode', 16)}${pad('out MiB', 9)}${pad('ms', 9)}` +
    `${pad('MiB/s', 10)}${pad('copy MiB/s', 12)}time / copy time`,
);
for (const r of rowsOut) {
  console.log(
    `${pad(r.kernel, 22)}${pad(r.batch, 11)}${pad(r.mode, 16)}${pad(fmt(r.outMiB), 9)}${pad(r.ms.toFixed(2), 9)}` +
      `${pad(fmt(r.mibs), 10)}${pad(fmt(r.copyMibs), 12)}${r.ratio.toFixed(2)}`,
  );
}
