// Every changeset parses the way `changeset version` reads it: a YAML front matter that
// maps published package names to a bump type, then a summary. One malformed file makes
// `changeset status` and `changeset version` (and so the release) fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest, PACKAGES, root } from './helpers.js';

const dir = join(root, '.changeset');
const changesets = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const published = new Set(PACKAGES.map((p) => manifest(p).name));
const FRONT = /^---\n((?:"[^"\n]+": (?:major|minor|patch)\n)+)---\n\n(\S[\s\S]*)$/;

describe('.changeset/*.md', () => {
  it('there are changesets to check', () => {
    expect(changesets.length).toBeGreaterThan(0);
  });

  it.each(changesets)('%s: front matter maps published packages to a bump, then a summary', (f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const m = FRONT.exec(text);
    expect(
      m,
      `${f} does not start with ---\\n"@gvl/<pkg>": major|minor|patch\\n---\\n\\n`,
    ).not.toBeNull();
    const entries = (m?.[1] ?? '').trim().split('\n');
    const names = entries.map((l) => l.slice(1, l.indexOf('"', 1)));
    for (const n of names)
      expect(published.has(n), `${f}: ${n} is not a published package`).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});
