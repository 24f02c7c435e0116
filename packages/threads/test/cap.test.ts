import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Runs a module snippet in a fresh Node process (capThreads state is per process). */
function node(code: string, env: Record<string, string | undefined>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env: childEnv,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const script = `
import { spawnSync } from 'node:child_process';
import { capThreads, numThreads, cappedResolution } from ${JSON.stringify(dist)};
const before = process.env.RAYON_NUM_THREADS ?? null;
const first = capThreads();
process.env.GVL_NUM_THREADS = '7'; // resolved once: later changes do not move the cap
const second = capThreads();
const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(process.env.RAYON_NUM_THREADS ?? "unset")'], { encoding: 'utf8' }).stdout;
console.log(JSON.stringify({ before, first, second, n: numThreads(), after: process.env.RAYON_NUM_THREADS, child, source: cappedResolution().source }));
`;

describe('capThreads', () => {
  it('overwrites an inherited RAYON_NUM_THREADS (16 -> 4) and children inherit the cap', () => {
    const out = node(script, { RAYON_NUM_THREADS: '16', GVL_NUM_THREADS: '4' });
    expect(out).toEqual({
      before: '16',
      first: 4,
      second: 4,
      n: 4,
      after: '4',
      child: '4',
      source: 'env',
    });
  });

  it('sets RAYON_NUM_THREADS when it was not set, from detection', () => {
    const out = node(script, { RAYON_NUM_THREADS: undefined, GVL_NUM_THREADS: undefined });
    expect(out.before).toBeNull();
    expect(out.first).toBeGreaterThanOrEqual(1);
    expect(out.after).toBe(String(out.first));
    expect(out.child).toBe(String(out.first));
    expect(['cgroup', 'affinity', 'fallback']).toContain(out.source);
  });

  it('throws GVL_INVALID_ENV for a malformed GVL_NUM_THREADS and leaves RAYON_NUM_THREADS alone', () => {
    const code = `
import { capThreads } from ${JSON.stringify(dist)};
try { capThreads(); console.log(JSON.stringify({ ok: true })); }
catch (e) { console.log(JSON.stringify({ code: e.code, rayon: process.env.RAYON_NUM_THREADS })); }`;
    expect(node(code, { GVL_NUM_THREADS: 'lots', RAYON_NUM_THREADS: '16' })).toEqual({
      code: 'GVL_INVALID_ENV',
      rayon: '16',
    });
  });
});
