/**
 * Crash safety of `gvl write --overwrite`: the real CLI, in a child process, is killed
 * (SIGKILL) at every step of the commit — through the test-only `GVL_TEST_COMMIT_KILL`
 * hook, and at every rename/unlink/rmdir system call through `strace` fault injection.
 * Afterwards the target path must hold the complete old or the complete new dataset
 * (file trees compared, by content, with fresh writes), and the next write must restore
 * / sweep whatever the kill left. SIGTERM and SIGHUP abort a write cleanly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchangePaths } from '@gvl/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, datasetInfo, recoverInterruptedWrite, write } from '../src/index.js';
import { copyTinyVcf, hasTabix, oracleReason, pkgDir, suiteName } from './helpers.js';

const bin = join(pkgDir, 'bin', 'gvl.js');
const hasBin = existsSync(join(pkgDir, 'dist', 'cli', 'index.js'));
const hasStrace =
  spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=none', 'true'], {
    stdio: 'ignore',
  }).status === 0;

let dir: string;
let bed: string;
let vcf: string;
/** Content hash of every file of a fresh old (max jitter 0) and new (max jitter 5) write. */
let OLD: Map<string, string>;
let NEW: Map<string, string>;

/** Relative path → sha256 of every file (and `dir/` for every directory) under `root`. */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(`${r}/`, '');
        walk(join(d, e.name), r);
      } else {
        out.set(
          r,
          createHash('sha256')
            .update(readFileSync(join(d, e.name)))
            .digest('hex'),
        );
      }
    }
  };
  walk(root, '');
  return out;
}

/** `'old'`, `'new'`, `'missing'`, or `'other'` for what `path` holds. */
function state(path: string): 'old' | 'new' | 'missing' | 'other' {
  if (!existsSync(path)) return 'missing';
  const t = JSON.stringify([...tree(path)]);
  if (t === JSON.stringify([...OLD])) return 'old';
  if (t === JSON.stringify([...NEW])) return 'new';
  return 'other';
}

const writeArgs = (out: string, jitter: number) => [
  bin,
  'write',
  out,
  '--bed',
  bed,
  '--vcf',
  vcf,
  '--max-jitter',
  String(jitter),
  '--overwrite',
  '--no-progress',
];

/** A fresh case directory whose `out.gvl` is a copy of the old dataset. */
function caseDir(name: string): { parent: string; out: string } {
  const parent = join(dir, name);
  mkdirSync(parent);
  const out = join(parent, 'out.gvl');
  cpSync(join(dir, 'ref-old'), out, { recursive: true });
  return { parent, out };
}

const missing = [
  ...(hasBin ? [] : ['dist/ not built (pnpm build)']),
  ...(hasTabix ? [] : [oracleReason('tabix')]),
];

describe.skipIf(missing.length > 0)(
  suiteName('gvl write --overwrite killed at every commit step', missing),
  () => {
    let canExchange = false;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-commit-'));
      bed = join(dir, 'r.bed');
      writeFileSync(bed, '1\t90\t210\tr0\t0\t+\n1\t1000\t1100\tr1\t0\t-\n');
      vcf = copyTinyVcf(dir);
      const quiet = { progress: false, onWarning: () => undefined };
      await write(join(dir, 'ref-old'), { bed, variants: vcf, maxJitter: 0, ...quiet });
      await write(join(dir, 'ref-new'), { bed, variants: vcf, maxJitter: 5, ...quiet });
      OLD = tree(join(dir, 'ref-old'));
      NEW = tree(join(dir, 'ref-new'));
      mkdirSync(join(dir, 'probe-a'));
      mkdirSync(join(dir, 'probe-b'));
      canExchange = exchangePaths(join(dir, 'probe-a'), join(dir, 'probe-b'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('the two reference writes differ and a write is reproducible', () => {
      expect(OLD).not.toEqual(NEW);
      const { out } = caseDir('repro');
      const r = spawnSync(process.execPath, writeArgs(out, 5), { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(state(out)).toBe('new');
    });

    // Expected content of the target right after a kill before step N, per protocol
    // (steps documented on AtomicDir in src/files.ts); the last N kills after the commit.
    const protocols = {
      exchange: { env: {}, after: ['old', 'new', 'new'] },
      fallback: {
        env: { GVL_TEST_COMMIT_NO_EXCHANGE: '1' },
        after: ['old', 'missing', 'new', 'new', 'new'],
      },
    } as const;

    for (const [name, p] of Object.entries(protocols)) {
      p.after.forEach((expected, i) => {
        const n = i + 1;
        it(`${name}: SIGKILL before step ${n} leaves ${expected}; the next write repairs and sweeps`, async (ctx) => {
          if (name === 'exchange' && !canExchange) {
            ctx.skip('the temp file system cannot exchange paths (renameat2 EXCHANGE)');
          }
          const { parent, out } = caseDir(`${name}-${n}`);
          const r = spawnSync(process.execPath, writeArgs(out, 5), {
            encoding: 'utf8',
            env: { ...process.env, ...p.env, GVL_TEST_COMMIT_KILL: String(n) },
          });
          expect(r.signal, r.stderr).toBe('SIGKILL');
          expect(state(out)).toBe(expected);
          const leftovers = readdirSync(parent).filter((e) => e !== 'out.gvl');
          expect(leftovers.every((e) => /^\.out\.gvl\.(tmp|old)-\d+-[0-9a-f]{8}$/.test(e))).toBe(
            true,
          );
          if (expected === 'missing') {
            // The old dataset is parked under a restorable name; info says where.
            expect(leftovers.some((e) => e.includes('.old-'))).toBe(true);
            await expect(datasetInfo(out)).rejects.toThrow(/interrupted overwrite left/);
            await expect(Dataset.open(out)).rejects.toThrow(/interrupted overwrite left/);
          } else if (leftovers.length > 0) {
            expect((await datasetInfo(out)).staleSiblings.length).toBe(leftovers.length);
          }
          // Recovery alone restores the old dataset where it was missing…
          const rep = await recoverInterruptedWrite(out);
          expect(state(out)).toBe(expected === 'missing' ? 'old' : expected);
          expect(readdirSync(parent)).toEqual(['out.gvl']);
          expect(rep.removed.length + (rep.restored ? 1 : 0)).toBe(leftovers.length);
          // …and a clean overwrite then completes.
          const again = spawnSync(process.execPath, writeArgs(out, 5), { encoding: 'utf8' });
          expect(again.status, again.stderr).toBe(0);
          expect(state(out)).toBe('new');
          expect(readdirSync(parent)).toEqual(['out.gvl']);
        });
      });
    }

    it('a write sweeps the siblings of dead writers, never those of a live one', async () => {
      const { parent, out } = caseDir('sweep');
      const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
      const deadTmp = join(parent, `.out.gvl.tmp-${dead}-0123abcd`);
      const deadOld = join(parent, `.out.gvl.old-${dead}-4567abcd`);
      const liveTmp = join(parent, `.out.gvl.tmp-${process.pid}-89abcdef`);
      for (const d of [deadTmp, deadOld, liveTmp])
        cpSync(join(dir, 'ref-old'), d, { recursive: true });
      const info = await datasetInfo(out);
      expect([...info.staleSiblings].sort()).toEqual([deadOld, deadTmp].sort());
      const r = spawnSync(process.execPath, writeArgs(out, 5), { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(state(out)).toBe('new');
      expect(readdirSync(parent).sort()).toEqual([
        `.out.gvl.tmp-${process.pid}-89abcdef`,
        'out.gvl',
      ]);
    });

    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
      it(`${sig} during a write aborts it: no temp dir, the old dataset intact`, async () => {
        const { parent, out } = caseDir(`signal-${sig}`);
        const child = spawn(process.execPath, writeArgs(out, 5), {
          env: { ...process.env, GVL_TEST_HOLD_BEFORE_COMMIT: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
        });
        const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
        // The write holds before its commit with a complete temp dir: wait for it on disk.
        const tmpRe = new RegExp(`^\\.out\\.gvl\\.tmp-${child.pid}-`);
        for (;;) {
          const t = readdirSync(parent).find((e) => tmpRe.test(e));
          if (t !== undefined && existsSync(join(parent, t, 'metadata.json'))) break;
          await new Promise((res) => setTimeout(res, 5)); // a polling interval, not a race
        }
        child.kill(sig);
        const code = await exited;
        expect(code, stderr).toBe(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[sig]);
        expect(stderr).toContain(`GVL_ABORTED: write interrupted by ${sig}`);
        expect(readdirSync(parent)).toEqual(['out.gvl']);
        expect(state(out)).toBe('old');
      });
    }

    const straceMissing = hasStrace ? [] : ['strace not on PATH or ptrace not permitted'];
    it.skipIf(straceMissing.length > 0)(
      suiteName(
        'strace: SIGKILL at every rename/unlink/rmdir system call of an overwrite',
        straceMissing,
      ),
      async (ctx) => {
        if (!canExchange)
          ctx.skip('the temp file system cannot exchange paths (renameat2 EXCHANGE)');
        const calls = 'rename,renameat,renameat2,unlink,unlinkat,rmdir';
        // One libuv thread: every call then belongs to the main thread or that one
        // thread, so strace's per-thread invocation counts are reproducible.
        const env = { ...process.env, UV_THREADPOOL_SIZE: '1' };
        const { out: traced } = caseDir('strace-trace');
        const log = join(dir, 'strace.log');
        const t = spawnSync(
          'strace',
          [
            '-f',
            '-qq',
            '-o',
            log,
            '-e',
            `trace=execve,${calls}`,
            process.execPath,
            ...writeArgs(traced, 5),
          ],
          { encoding: 'utf8', env },
        );
        expect(t.status, t.stderr).toBe(0);
        expect(state(traced)).toBe('new');
        // Each traced call with its per-thread invocation number, in order.
        const seen = new Map<string, number>();
        const events: { sys: string; k: number; exchange: boolean }[] = [];
        for (const line of readFileSync(log, 'utf8').split('\n')) {
          const m = /^(\d+)\s+(\w+)\(/.exec(line);
          if (!m || m[2] === 'execve') continue;
          const key = `${m[1]}:${m[2]}`;
          const k = (seen.get(key) ?? 0) + 1;
          seen.set(key, k);
          events.push({ sys: m[2] as string, k, exchange: line.includes('RENAME_EXCHANGE') });
        }
        const xi = events.findIndex((e) => e.exchange);
        expect(xi).toBeGreaterThanOrEqual(0);
        expect(events.length - xi).toBeGreaterThan(3); // the exchange, then removing the old one
        // Inject at (syscall, k): the first thread to reach its k-th call of it dies there.
        const tried = new Set<string>();
        for (const [i, e] of events.entries()) {
          const id = `${e.sys}:${e.k}`;
          if (tried.has(id)) continue;
          tried.add(id);
          const first = events.findIndex((f) => f.sys === e.sys && f.k === e.k);
          const expected = first <= xi ? 'old' : 'new';
          const { parent, out } = caseDir(`strace-${i}`);
          const r = spawnSync(
            'strace',
            [
              '-f',
              '-qq',
              '-o',
              '/dev/null',
              '-e',
              `inject=${e.sys}:signal=KILL:when=${e.k}`,
              process.execPath,
              ...writeArgs(out, 5),
            ],
            { encoding: 'utf8', env },
          );
          expect(r.status, `${id}: ${r.stderr}`).not.toBe(0);
          expect(state(out), `killed at ${id}`).toBe(expected);
          await recoverInterruptedWrite(out);
          expect(state(out)).toBe(expected);
          expect(readdirSync(parent)).toEqual(['out.gvl']);
        }
        expect(tried.size).toBeGreaterThan(5);
      },
      300_000, // about 15 child processes under strace
    );
  },
);
