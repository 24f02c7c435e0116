/**
 * The parity check itself, with the committed goldens: every mode serial == forced
 * parallel at 1, 2 and 4 threads (child processes) == bcftools == genvarloader. This is
 * what `npm test` (and so `.ci/run`) runs; `pnpm parity` prints the same table.
 */
import { describe, expect, it } from 'vitest';
import { oracleReason, skipName } from '../../../test-support/oracles.mjs';
import { runParity } from '../src/check.js';
import { missingData, onPath } from '../src/paths.js';
import { MODES } from '../src/spec.js';
import { renderText } from '../src/table.js';

const missing = [
  ...(missingData() ? [missingData() as string] : []),
  ...(onPath('bgzip') && onPath('tabix') ? [] : [oracleReason('tabix')]),
];
const title = skipName('parity on ../shared/data', missing);

describe.skipIf(missing.length > 0)(title, () => {
  it('every mode: serial == parallel (1, 2, 4 threads) == bcftools == genvarloader', async () => {
    const report = await runParity({ log: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(renderText(report));
    expect(report.skipped).toBeUndefined();
    expect(report.modes.map((m) => m.id)).toEqual(MODES.map((m) => m.id));
    // Each child really ran the parallel kernels on a pool of the requested size.
    expect(report.children.map((c) => [c.threads, c.poolBuilt, c.forceParallel])).toEqual([
      [1, true, '1'],
      [2, true, '1'],
      [4, true, '1'],
    ]);
    for (const m of report.modes) {
      for (const [n, cell] of Object.entries(m.parallel)) {
        expect(cell.status, `${m.id} serial == parallel (${n} threads)`).toBe('equal');
        expect(cell.rows, `${m.id} rows (${n} threads)`).toBe(m.rows);
      }
      for (const [source, cell] of [
        ['bcftools', m.bcftools],
        ['genvarloader', m.genvarloader],
      ] as const) {
        expect(['equal', 'n/a'], `${m.id} == ${source}: ${cell.note ?? ''}`).toContain(cell.status);
      }
      // Only modes without a bcftools definition (tracks, annotations) lack a bcftools
      // golden; the peer is compared on every mode.
      expect(m.genvarloader.status, m.id).toBe('equal');
      const spec = MODES.find((x) => x.id === m.id);
      // A sampled serial == parallel pass is said so in the table.
      expect(m.sampled !== undefined, `${m.id} sampled`).toBe((spec?.passStride ?? 1) > 1);
      if (spec?.bcftools.kind !== 'none') expect(m.bcftools.status, m.id).toBe('equal');
      else expect(m.bcftools.status, m.id).toBe('n/a');
    }
    expect(report.failed).toBe(0);
    const noBcftools = MODES.filter((m) => m.bcftools.kind === 'none').length;
    expect(report.passed).toBe(report.modes.length * 5 - noBcftools);
  }, 600_000);
});
