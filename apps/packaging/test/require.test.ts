// CommonJS users: `require()` of every published package works (Node's require(esm),
// unflagged from Node 20.19 and 22.12, the floor the packages' `engines` state) and gives
// the very module `import()` gives, so a process mixing both holds one copy of each.
// A package with top-level await would fail here (ERR_REQUIRE_ASYNC_MODULE).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const requireEsm = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23;
const SPECIFIERS = [
  '@gvl/errors',
  '@gvl/threads',
  '@gvl/native',
  '@gvl/native/binding',
  '@gvl/dataset',
  '@gvl/stress',
];

interface Reply {
  report: Record<string, { keys: string[]; types: Record<string, string> }>;
  same: Record<string, boolean>;
  threads: number;
  rc: string;
  ragged: unknown[];
  datasetOpen: string;
  bedError: { isGvl: boolean; instance: boolean } | null;
}

describe.skipIf(!requireEsm)(
  `require() from CommonJS${requireEsm ? '' : ` (skipped: Node ${process.versions.node} has no unflagged require(esm); the floor is 20.19 / 22.12)`}`,
  () => {
    it('a .cjs file requires every package, uses it, and gets the same modules as import()', () => {
      const r = spawnSync(process.execPath, [join(here, 'fixtures', 'require-all.cjs')], {
        cwd: here,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/ExperimentalWarning|ERR_REQUIRE/);
      const reply = JSON.parse(r.stdout) as Reply;
      for (const s of SPECIFIERS) {
        expect(reply.report[s]?.keys.length, s).toBeGreaterThan(0);
        expect(reply.same[s], `require('${s}') === await import('${s}')`).toBe(true);
      }
      expect(reply.report['@gvl/errors']?.types.GvlError).toBe('function');
      expect(reply.report['@gvl/threads']?.types.resolveThreads).toBe('function');
      expect(reply.report['@gvl/native']?.types.configurePool).toBe('function');
      expect(reply.report['@gvl/dataset']?.types.write).toBe('function');
      expect(reply.report['@gvl/stress']?.types.runStress).toBe('function');
      expect(reply.threads).toBeGreaterThanOrEqual(1);
      expect(reply.rc).toBe('AACGT');
      expect(reply.ragged).toEqual([2, null]);
      expect(reply.datasetOpen).toBe('function');
      expect(reply.bedError).toEqual({ isGvl: true, instance: true });
    });
  },
);
