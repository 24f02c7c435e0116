// The external oracles the test suites compare against (bcftools, samtools, tabix, the
// Python peer, Chromium): one reason string per oracle, saying what is missing and the one
// command that installs it; a record of every suite skipped for one, under
// `node_modules/.cache/gvl-skips/` at the repository root; and the one summary line that
// `npm test` prints last (scripts/bootstrap.mjs).
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Where skipped oracle suites are recorded, one JSON line each. */
export const skipsDir = join(repoRoot, 'node_modules', '.cache', 'gvl-skips');

/** Each oracle: what is missing, and the command that installs it. */
export const ORACLES = {
  bcftools: { missing: 'bcftools not on PATH', install: 'apt-get install bcftools' },
  samtools: { missing: 'samtools not on PATH', install: 'apt-get install samtools' },
  tabix: { missing: 'bgzip/tabix not on PATH', install: 'apt-get install tabix' },
  peer: {
    missing: 'genvarloader oracle venv missing',
    install: 'bash packages/dataset/scripts/setup-oracle.sh',
  },
  chromium: {
    missing: 'chromium not found (or set GVL_CHROMIUM)',
    install: 'apt-get install chromium',
  },
};

/** The skip reason for one oracle, e.g. `bcftools not on PATH (apt-get install bcftools)`. */
export function oracleReason(id) {
  const o = ORACLES[id];
  if (!o)
    throw new Error(`unknown oracle '${id}': expected one of ${Object.keys(ORACLES).join(', ')}`);
  return `${o.missing} (${o.install})`;
}

const byReason = new Map(Object.keys(ORACLES).map((id) => [oracleReason(id), id]));

/**
 * A suite name that says why it is skipped: `name [skipped: reason; reason]`, or `name`
 * when `missing` is empty. Records the suite when one of the reasons is an oracle's
 * (`oracleReason`); other reasons (no real data, not Linux) are only shown.
 */
export function skipName(name, missing) {
  if (missing.length === 0) return name;
  const oracles = [...new Set(missing.map((r) => byReason.get(r)).filter(Boolean))];
  if (oracles.length > 0) {
    const line = JSON.stringify({ dir: relative(repoRoot, process.cwd()), suite: name, oracles });
    try {
      mkdirSync(skipsDir, { recursive: true });
      appendFileSync(join(skipsDir, `${process.pid}.jsonl`), `${line}\n`);
    } catch {
      // A read-only checkout only loses the summary line, never a test.
    }
  }
  return `${name} [skipped: ${missing.join('; ')}]`;
}

/** Forgets every recorded skip (the start of `npm test`). */
export function clearSkips() {
  rmSync(skipsDir, { recursive: true, force: true });
}

/** The recorded skips, one per (package folder, suite). */
export function readSkips() {
  let files = [];
  try {
    files = readdirSync(skipsDir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const seen = new Map();
  for (const f of files) {
    for (const line of readFileSync(join(skipsDir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const s = JSON.parse(line);
        seen.set(`${s.dir}\0${s.suite}`, s);
      } catch {
        // a line cut short by a killed worker
      }
    }
  }
  return [...seen.values()];
}

/**
 * `oracle suites skipped: N (what missing [suites]: install; …)`, or
 * `oracle suites skipped: 0`. A suite missing two oracles counts once in N and under each.
 */
export function summaryLine(skips = readSkips()) {
  if (skips.length === 0) return 'oracle suites skipped: 0';
  const per = new Map();
  for (const s of skips) for (const id of s.oracles) per.set(id, (per.get(id) ?? 0) + 1);
  const parts = Object.keys(ORACLES)
    .filter((id) => per.has(id))
    .map((id) => `${ORACLES[id].missing} [${per.get(id)}]: ${ORACLES[id].install}`);
  return `oracle suites skipped: ${skips.length} (${parts.join('; ')})`;
}
