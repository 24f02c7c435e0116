import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupSupport, createQuotaCgroup, type QuotaCgroup } from '../src/cgroup-create.js';
import type { ThreadsResolution } from '../src/index.js';

const bin = fileURLToPath(new URL('../bin/gvl-threads.js', import.meta.url));
const support = cgroupSupport();
const reason = support.ok ? '' : support.reason;
if (!support.ok) console.warn(`real-cgroup tests skipped: ${reason}`);

function runInside(
  cg: QuotaCgroup,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; json: ThreadsResolution } {
  const [cmd, args] = cg.wrap(process.execPath, [bin, '--json']);
  const childEnv = { ...process.env, ...env };
  delete childEnv.GVL_NUM_THREADS;
  Object.assign(childEnv, env);
  const r = spawnSync(cmd, args, { env: childEnv, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gvl-threads failed (${r.status}): ${r.stderr}`);
  return { status: r.status, json: JSON.parse(r.stdout) as ThreadsResolution };
}

describe.skipIf(!support.ok)(
  `a real cgroup (${support.ok ? `v${support.version} at ${support.base}` : reason})`,
  () => {
    const made: QuotaCgroup[] = [];
    afterEach(() => {
      for (const cg of made.splice(0)) {
        cg.remove();
        expect(existsSync(cg.top)).toBe(false);
      }
    });

    it('a child cgroup with quota 0.5 CPU: gvl-threads reports 1 thread from the cgroup', () => {
      const cg = createQuotaCgroup({ cpus: 0.5 });
      made.push(cg);
      const { json } = runInside(cg);
      expect(json.threads).toBe(1);
      expect(json.source).toBe('cgroup');
      expect(json.quota?.cpus).toBe(0.5);
      expect(json.quota?.path).toBe(cg.leaf);
    });

    it('parent 1.5 CPUs, leaf unlimited: the parent limit is found on the walk up (2 threads)', () => {
      const cg = createQuotaCgroup({ cpus: null, parentCpus: 1.5 });
      made.push(cg);
      const { json } = runInside(cg);
      expect(json.threads).toBe(Math.min(2, json.affinity ?? 2));
      expect(json.quota?.cpus).toBe(1.5);
      expect(json.quota?.path).toBe(cg.top);
    });

    it('GVL_NUM_THREADS=3 still wins inside a 0.5 CPU cgroup', () => {
      const cg = createQuotaCgroup({ cpus: 0.5 });
      made.push(cg);
      const { json } = runInside(cg, { GVL_NUM_THREADS: '3' });
      expect(json).toMatchObject({ threads: 3, source: 'env' });
    });
  },
);
