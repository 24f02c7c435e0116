// Child process for the pool-size parity test. Reads cases (JSON with typed
// arrays, see arbitraries.ts toJson) from argv[2], runs every kernel serially,
// in parallel, and with parallel: 'auto' under GVL_FORCE_PARALLEL=1, and
// prints base64 outputs plus the pool it ran on. GVL_NUM_THREADS sets the pool.
import { readFileSync } from 'node:fs';
import * as gvl from '../../dist/index.js';

function fromJson(text) {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && '$bigint' in v) return BigInt(v.$bigint);
    if (v && typeof v === 'object' && '$typed' in v) {
      switch (v.$typed) {
        case 'BigInt64Array':
          return BigInt64Array.from(v.data.map((x) => BigInt(x)));
        case 'Int32Array':
          return Int32Array.from(v.data);
        case 'Float32Array':
          return Float32Array.from(v.data);
        default:
          return Uint8Array.from(v.data);
      }
    }
    return v;
  });
}

const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const b64Columns = (v) =>
  ['offsets', 'start', 'ilen', 'alt', 'altOffsets'].map((k) => b64(v[k])).join('|');
const cases = fromJson(readFileSync(process.argv[2], 'utf8'));
process.env.GVL_FORCE_PARALLEL = '1';
const results = [];
for (const c of cases) {
  const r = {};
  for (const mode of [false, true, 'auto']) {
    const o = { parallel: mode };
    const key = mode === 'auto' ? 'auto' : mode ? 'parallel' : 'serial';
    const hap = gvl.reconstructHaplotypesSync(c.haplotypes, o);
    r[`haplotypes_${key}`] = b64(hap);
    r[`diffs_${key}`] = b64(gvl.getDiffsSync(c.diffs, o));
    r[`reference_${key}`] = b64(gvl.getReferenceSync(c.reference, o));
    r[`tracks_${key}`] = b64(gvl.intervalsToTracksSync(c.tracks, o));
    r[`realign_${key}`] = b64(gvl.realignTracksSync(c.realign, o));
    r[`rc_${key}`] = b64(
      gvl.reverseComplementSync({ data: hap, offsets: c.haplotypes.outOffsets, rows: c.rcRows }, o),
    );
    r[`gather_${key}`] = b64Columns(gvl.gatherVariantsSync(c.gather, o));
  }
  // the async path on the same pool
  r.haplotypes_async = b64(await gvl.reconstructHaplotypes(c.haplotypes, { parallel: true }));
  r.realign_async = b64(await gvl.realignTracks(c.realign, { parallel: true }));
  r.gather_async = b64Columns(await gvl.gatherVariants(c.gather, { parallel: true }));
  results.push(r);
}
process.stdout.write(JSON.stringify({ pool: gvl.poolInfo(), counters: gvl.counters(), results }));
