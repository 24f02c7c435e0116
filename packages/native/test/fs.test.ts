// exchangePaths: both paths swap in one call, or nothing changes and the failure is
// reported as node:fs reports its own (errno name in `code`).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangePaths, InvalidArgumentError } from '../src-ts/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gvl-native-fs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pair(name: string): [string, string] {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  mkdirSync(a);
  mkdirSync(b);
  writeFileSync(join(a, 'f'), 'A');
  writeFileSync(join(b, 'f'), 'B');
  return [a, b];
}

// Whether this machine's temp file system can exchange at all (a false here is the
// documented fallback signal, not a failure).
function supported(): boolean {
  const [a, b] = pair('probe');
  const ok = exchangePaths(a, b);
  rmSync(a, { recursive: true });
  rmSync(b, { recursive: true });
  return ok;
}

describe('exchangePaths', () => {
  it.skipIf(process.platform !== 'linux')('swaps two directories (Linux)', () => {
    if (!supported()) return;
    const [a, b] = pair('dirs');
    expect(exchangePaths(a, b)).toBe(true);
    expect(readFileSync(join(a, 'f'), 'utf8')).toBe('B');
    expect(readFileSync(join(b, 'f'), 'utf8')).toBe('A');
    // Twice is the identity.
    expect(exchangePaths(a, b)).toBe(true);
    expect(readFileSync(join(a, 'f'), 'utf8')).toBe('A');
  });

  it.skipIf(process.platform !== 'linux')(
    'swaps a directory and a symlink without following it',
    () => {
      if (!supported()) return;
      const [a, b] = pair('link');
      const l = join(dir, 'link-l');
      symlinkSync(b, l);
      expect(exchangePaths(a, l)).toBe(true);
      expect(readFileSync(join(l, 'f'), 'utf8')).toBe('A');
      expect(readFileSync(join(a, 'f'), 'utf8')).toBe('B'); // a is now the link to b
      expect(readFileSync(join(b, 'f'), 'utf8')).toBe('B');
    },
  );

  it.skipIf(process.platform !== 'linux')('a missing path is ENOENT and changes nothing', () => {
    const [a] = pair('missing');
    const missing = join(dir, 'missing-nothing');
    let err: NodeJS.ErrnoException | undefined;
    try {
      exchangePaths(a, missing);
    } catch (e) {
      err = e as NodeJS.ErrnoException;
    }
    expect(err?.code).toBe('ENOENT');
    expect(err?.syscall).toBe('renameat2');
    expect(err?.path).toBe(a);
    expect(err?.message).toContain(missing);
    expect(readFileSync(join(a, 'f'), 'utf8')).toBe('A');
  });

  it('rejects non-strings, empty paths and NUL bytes as GVL_INVALID_ARGUMENT', () => {
    for (const [a, b, param] of [
      ['', 'x', 'a'],
      ['x', 'a\0b', 'b'],
      [42, 'x', 'a'],
    ] as const) {
      let err: unknown;
      try {
        exchangePaths(a as string, b);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).code).toBe('GVL_INVALID_ARGUMENT');
      expect((err as InvalidArgumentError).param).toBe(param);
    }
  });
});
