import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appDir } from '../src/paths.js';

const cli = join(appDir, 'dist', 'cli.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });

describe.skipIf(!existsSync(cli))('gvl-parity CLI (built)', () => {
  it('prints usage and rejects bad arguments with status 64 (usage)', () => {
    const help = run('--', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: gvl-parity [--live]');
    expect(help.stdout).toContain('Usage: gvl-parity goldens [--out DIR]');
    const threads = run('--threads', '0,2');
    expect(threads.status).toBe(64);
    expect(threads.stderr).toContain('--threads 0,2: expected positive integers');
    const modes = run('--modes', 'haplotypes-ragged,nope');
    expect(modes.status).toBe(64);
    expect(modes.stderr).toContain('unknown mode(s) nope');
    // `goldens --modes` checks the ids before writing anything.
    const goldens = run('goldens', '--modes', 'annotated-ragged,nope', '--out', '/nonexistent');
    expect(goldens.status).toBe(64);
    expect(goldens.stderr).toContain('unknown mode(s) nope');
  });

  it('skips with a clear message and status 0 when the real data is absent', () => {
    const r = spawnSync(process.execPath, [cli], {
      encoding: 'utf8',
      env: { ...process.env, GVL_DATA_DIR: join(appDir, 'no-such-data') },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /parity: skipped: real data not found .*\n0 passed, 0 failed \(skipped\)/,
    );
  });
});
