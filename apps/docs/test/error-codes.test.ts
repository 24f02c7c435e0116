/**
 * Every error code a package declares is in its README's error table: adding a code to
 * `errors.ts` without documenting it fails here (docs/architecture.md, "Add an error
 * code").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths.js';

/** Each package with typed errors, and the file that declares its codes. */
const DECLARATIONS = [
  ['threads', 'src/errors.ts'],
  ['native', 'src-ts/errors.ts'],
  ['dataset', 'src/errors.ts'],
  ['stress', 'src/errors.ts'],
] as const;

/** The `'GVL_…'` string literals of a source file (codes in comments are not declarations). */
const declaredCodes = (source: string): string[] => [
  ...new Set([...source.matchAll(/'(GVL_[A-Z0-9_]+)'/g)].map((m) => m[1] as string)),
];

describe('error codes are documented', () => {
  for (const [pkg, file] of DECLARATIONS) {
    it(`@gvl/${pkg}: every code of ${file} is in README.md`, () => {
      const dir = join(repoRoot, 'packages', pkg);
      const codes = declaredCodes(readFileSync(join(dir, file), 'utf8'));
      expect(codes.length).toBeGreaterThan(0);
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      const undocumented = codes.filter((c) => !readme.includes(`\`${c}\``));
      expect(undocumented, `codes missing from packages/${pkg}/README.md`).toEqual([]);
    });
  }
});
