// serial == parallel == naive oracle at pool sizes 1, 2 and 8. The pool is
// per process and fixed once, so each size runs in its own child process
// (GVL_NUM_THREADS=n) over the same fast-check-generated cases, comparing data
// and offsets byte for byte.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, bytesOf, toJson, worldArb } from './arbitraries.js';
import {
  naiveDiffs,
  naiveGatherVariants,
  naiveHaplotypes,
  naiveRealign,
  naiveReference,
  naiveReverseComplement,
  naiveTracks,
} from './naive.js';

const child = fileURLToPath(new URL('./helpers/pool-size-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gvl-native-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const worlds = fc.sample(worldArb(12), { numRuns: 120, seed: 20240611 });
const cases = worlds.map(buildCase);
const file = join(dir, 'cases.json');
writeFileSync(file, toJson(cases));

const b64 = (a: ArrayBufferView) => bytesOf(a).toString('base64');
const columns = ['offsets', 'start', 'ilen', 'alt', 'altOffsets'] as const;
const expected = cases.map((c) => {
  const hap = naiveHaplotypes(c.haplotypes);
  return {
    haplotypes: b64(hap),
    diffs: b64(naiveDiffs(c.diffs)),
    reference: b64(naiveReference(c.reference)),
    tracks: b64(naiveTracks(c.tracks)),
    realign: b64(naiveRealign(c.realign)),
    rc: b64(naiveReverseComplement(hap, c.haplotypes.outOffsets, c.rcRows)),
    gather: ((v) => columns.map((k) => b64(v[k])).join('|'))(naiveGatherVariants(c.gather)),
  };
});

describe.each([1, 2, 8])('pool of %i threads (child process)', (threads) => {
  it('every kernel, serial / parallel / auto / async, equals the oracle byte for byte', () => {
    const run = spawnSync(process.execPath, [child, file], {
      env: { ...process.env, GVL_NUM_THREADS: String(threads) },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      pool: { numThreads: number; built: boolean; source: string };
      counters: { started: number; completed: number; failed: number; inFlight: number };
      results: Record<string, string>[];
    };
    expect(out.pool.numThreads).toBe(threads);
    expect(out.pool.built).toBe(true);
    expect(out.pool.source).toBe('capThreads:env');
    expect(out.results).toHaveLength(cases.length);
    out.results.forEach((r, i) => {
      const want = expected[i];
      for (const kernel of [
        'haplotypes',
        'diffs',
        'reference',
        'tracks',
        'realign',
        'rc',
        'gather',
      ] as const) {
        for (const mode of ['serial', 'parallel', 'auto']) {
          expect(r[`${kernel}_${mode}`], `case ${i} ${kernel} ${mode}`).toBe(want?.[kernel]);
        }
      }
      expect(r.haplotypes_async, `case ${i} async`).toBe(want?.haplotypes);
      expect(r.realign_async, `case ${i} async`).toBe(want?.realign);
      expect(r.gather_async, `case ${i} async`).toBe(want?.gather);
    });
    expect(out.counters.failed).toBe(0);
    expect(out.counters.inFlight).toBe(0);
    expect(out.counters.completed).toBe(out.counters.started);
  });
});
