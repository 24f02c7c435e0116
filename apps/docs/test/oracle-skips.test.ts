/**
 * The summary line `npm test` ends with (test-support/oracles.mjs): its counting, and
 * that only oracle reasons are recorded. Pure checks: nothing is written to the record
 * of the running `npm test`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ORACLES,
  oracleReason,
  type RecordedSkip,
  skipName,
  skipsDir,
  summaryLine,
} from '../../../test-support/oracles.mjs';
import { repoRoot } from './support/paths.js';

const recorded = () =>
  existsSync(skipsDir)
    ? readdirSync(skipsDir)
        .map((f) => readFileSync(join(skipsDir, f), 'utf8'))
        .join('')
    : '';

describe('oracle skip summary', () => {
  it('says 0 when nothing was skipped for an oracle', () => {
    expect(summaryLine([])).toBe('oracle suites skipped: 0');
  });

  it('counts suites once, and each oracle with its install command', () => {
    const skips: RecordedSkip[] = [
      { dir: 'packages/dataset', suite: 'a', oracles: ['bcftools', 'samtools'] },
      { dir: 'packages/dataset', suite: 'b', oracles: ['peer'] },
      { dir: 'apps/parity', suite: 'c', oracles: ['peer'] },
    ];
    expect(summaryLine(skips)).toBe(
      'oracle suites skipped: 3 (bcftools not on PATH [1]: apt-get install bcftools; ' +
        'samtools not on PATH [1]: apt-get install samtools; ' +
        'genvarloader oracle venv missing [2]: bash packages/dataset/scripts/setup-oracle.sh)',
    );
  });

  it('every reason names what is missing and the command that installs it', () => {
    for (const id of Object.keys(ORACLES) as (keyof typeof ORACLES)[]) {
      expect(oracleReason(id)).toBe(`${ORACLES[id].missing} (${ORACLES[id].install})`);
    }
    expect(existsSync(join(repoRoot, 'packages/dataset/scripts/setup-oracle.sh'))).toBe(true);
  });

  it('names the reasons of a skipped suite, and records only oracle reasons', () => {
    const before = recorded();
    expect(skipName('x', [])).toBe('x');
    expect(skipName('x', ['not Linux', 'no data'])).toBe('x [skipped: not Linux; no data]');
    expect(recorded()).toBe(before);
  });
});
