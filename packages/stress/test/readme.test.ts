/**
 * The README's examples run, so the docs cannot drift: the TypeScript example through
 * the package's own export, the CLI examples' flags through the parser.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/command.js';
import { pkgDir } from './helpers.js';

const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');

describe('README', () => {
  it('runs the TypeScript example', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toContain("from '@gvl/stress'");
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', block ?? ''], {
      cwd: pkgDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/result: clean \(0 hangs, 0 crashes\)/);
  });

  it('uses only flags the CLI accepts', () => {
    const commands = [...readme.matchAll(/^pnpm exec gvl-stress(.*)$/gm)].map((m) =>
      (m[1] ?? '').replace(/\s+#.*$/, '').trim(),
    );
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const c of commands) {
      const argv = c.split(/\s+/).filter(Boolean);
      expect(() => parseCli(argv), c).not.toThrow();
    }
  });
});
