/**
 * Disk full while writing: a real 1 MiB tmpfs fills up under `write()`. The failure is one
 * typed error (`GVL_DISK_FULL`, naming the output, `cause` the `ENOSPC`), the partial output
 * is removed, and an existing dataset at the same path is left byte-for-byte as it was.
 * Needs root (or CAP_SYS_ADMIN) to mount a tmpfs and the real chr20 data; skips otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileError, isGvlError, write } from '../src/index.js';
import { chr20, hasChr20, suiteName } from './helpers.js';

const base = mkdtempSync(join(tmpdir(), 'gvl-diskfull-'));
const mnt = join(base, 'mnt');

function tryMount(): string | null {
  spawnSync('mkdir', ['-p', mnt]);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], {
    encoding: 'utf8',
  });
  if (r.error) return `mount is not available (${r.error.message})`;
  if (r.status !== 0) return `mounting a tmpfs is not permitted (${r.stderr.trim()})`;
  return null;
}

const missing: string[] = [];
if (!hasChr20) missing.push('the real chr20 data is absent (GVL_DATA_DIR)');
const mountProblem =
  missing.length === 0 && process.platform === 'linux' ? tryMount() : 'not Linux';
if (mountProblem) missing.push(mountProblem);

afterAll(() => {
  if (!mountProblem) spawnSync('umount', [mnt]);
  rmSync(base, { recursive: true, force: true });
});

/** Every file under `dir`, relative path → bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out.set(p.slice(dir.length), readFileSync(p));
    }
  }
  return out;
}

describe.skipIf(missing.length > 0)(suiteName('write() on a full disk', missing), () => {
  const bigOptions = () => ({
    bed: chr20.bed2kb, // 488 regions × 300 samples: about 4 MB, more than the 1 MiB tmpfs
    variants: chr20.vcf,
    progress: false as const,
  });

  beforeAll(() => {
    writeFileSync(
      join(base, 'small.bed'),
      `${readFileSync(chr20.bed2kb, 'utf8').split('\n').slice(0, 3).join('\n')}\n`,
    );
  });

  it('a fresh write fails with GVL_DISK_FULL naming the output, and leaves nothing', async () => {
    const target = join(mnt, 'fresh.gvl');
    const err = await write(target, bigOptions()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileError);
    expect(isGvlError(err, 'GVL_DISK_FULL')).toBe(true);
    const e = err as FileError;
    expect(e.value).toBe(target);
    expect(e.message).toContain(target);
    expect(e.message).toContain('ENOSPC');
    expect((e.cause as { code?: string }).code).toBe('ENOSPC');
    expect(readdirSync(mnt)).toEqual([]);
  });

  it('with overwrite, an existing dataset survives the failed write unchanged', async () => {
    const target = join(mnt, 'kept.gvl');
    await write(target, {
      bed: join(base, 'small.bed'),
      variants: chr20.vcf,
      samples: ['HG00096'],
      progress: false,
      onWarning: () => undefined,
    });
    const before = snapshot(target);
    expect(before.size).toBeGreaterThan(3);
    await expect(write(target, { ...bigOptions(), overwrite: true })).rejects.toMatchObject({
      code: 'GVL_DISK_FULL',
      value: target,
    });
    expect(readdirSync(mnt)).toEqual(['kept.gvl']);
    expect(snapshot(target)).toEqual(before);
  });
});
