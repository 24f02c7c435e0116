/**
 * Runs the README's ```ts test blocks, turning `expr; // value` comments into assertions,
 * so the documented examples cannot drift from the code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pkgDir } from './helpers.js';

const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts test\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const dir = mkdtempSync(join(tmpdir(), 'gvl-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPED = /^(Uint8Array|BigInt64Array|Int32Array|Float32Array) (\[.*\])$/;

/** `expr; // value` → an assertion; values ending in `…` are string prefixes. */
function instrument(code: string): string {
  const src = join(pkgDir, 'src', 'index.ts');
  return code
    .replaceAll("'@gvl/dataset'", JSON.stringify(pathToFileURL(src).href))
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(.+?);\s*\/\/\s*(.+)$/.exec(line);
      if (!m) return line;
      const [, indent, expr, comment] = m as unknown as [string, string, string, string];
      let value =
        comment
          .split(' — ')[0]
          ?.replace(/ \([^)]*\)$/, '')
          .trim() ?? '';
      const typed = TYPED.exec(value);
      if (typed) value = `new ${typed[1]}(${typed[2]})`;
      if (value.endsWith("…'")) {
        return `${indent}__check.prefix(${expr}, ${value.slice(0, -2)}');`;
      }
      return `${indent}__check.equal(${expr}, ${value});`;
    })
    .join('\n');
}

describe('README examples', () => {
  it('has runnable examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs and its commented values hold`, async () => {
      const file = join(dir, `block${i}.ts`);
      writeFileSync(file, `${instrument(code)}\nexport {};\n`);
      const checks: [unknown, unknown, 'equal' | 'prefix'][] = [];
      (globalThis as Record<string, unknown>).__check = {
        equal: (a: unknown, b: unknown) => checks.push([a, b, 'equal']),
        prefix: (a: unknown, b: unknown) => checks.push([a, b, 'prefix']),
      };
      await import(pathToFileURL(file).href);
      expect(checks.length).toBeGreaterThan(0);
      for (const [a, b, kind] of checks) {
        if (kind === 'prefix') expect(String(a).startsWith(String(b))).toBe(true);
        else expect(a).toEqual(b);
      }
    });
  });
});
