/**
 * `gvl get`, `gvl bench` and `gvl demo` on the real chr20 data, through `main()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { write } from '../src/index.js';
import {
  capture,
  chr20,
  dataDir,
  hasBcftools,
  hasChr20,
  hasSamtools,
  oracleReason,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(hasBcftools && hasSamtools ? [] : [oracleReason('bcftools'), oracleReason('samtools')]),
];

const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };

describe.skipIf(missing.length > 0)(suiteName('gvl get / bench / demo', missing), () => {
  let dir = '';
  let ds = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-cli-read-'));
    ds = join(dir, 'chr20.gvl');
    await write(ds, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      progress: false,
      onWarning: () => undefined,
    });
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gvl get prints one FASTA record per haplotype, equal to bcftools consensus (minus strand: reverse complement)', async () => {
    const c = capture();
    expect(
      await main(
        ['get', ds, '--reference', chr20.fasta, '--region-index', '1', '--sample', 'HG00097'],
        c.io,
      ),
    ).toBe(0);
    const text = c.out.join('');
    const records = text.split('>').filter(Boolean);
    expect(records.map((r) => r.split('\n')[0])).toEqual([
      'w0001|HG00097|hap0',
      'w0001|HG00097|hap1',
    ]);
    // FASTA lines of 60.
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBe(60);
    const slice = execFileSync('samtools', ['faidx', chr20.fasta, '20:1002049-1004096'], {
      encoding: 'utf8',
    });
    const scratch = join(dir, 'w1.fa');
    execFileSync('sh', ['-c', `cat > ${scratch}`], { input: slice });
    for (const hap of [0, 1]) {
      const consensus = execFileSync(
        'bcftools',
        ['consensus', '-H', String(hap + 1), '-s', 'HG00097', '-f', scratch, chr20.vcf],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      )
        .split('\n')
        .slice(1)
        .join('');
      const ours = (records[hap] as string).split('\n').slice(1).join('');
      expect(ours).toBe(
        [...consensus]
          .reverse()
          .map((b) => COMP[b] ?? b)
          .join(''),
      );
    }
  });

  it('gvl get --len L prints L bases per haplotype; bad input exits 2 with the code', async () => {
    const c = capture();
    expect(
      await main(
        [
          'get',
          ds,
          '--reference',
          chr20.fasta,
          '--region',
          'w0000',
          '--sample-index',
          '0',
          '--len',
          '100',
        ],
        c.io,
      ),
    ).toBe(0);
    const seqs = c.out
      .join('')
      .split('>')
      .filter(Boolean)
      .map((r) => r.split('\n').slice(1).join(''));
    expect(seqs.map((s) => s.length)).toEqual([100, 100]);
    const bad = capture();
    expect(
      await main(
        ['get', ds, '--reference', chr20.fasta, '--region-index', '0', '--sample', 'NOPE'],
        bad.io,
      ),
    ).toBe(2);
    expect(bad.err.join('')).toContain('GVL_UNKNOWN_SAMPLE');
    const noRef = capture();
    expect(await main(['get', ds, '--region-index', '0', '--sample-index', '0'], noRef.io)).toBe(
      64,
    );
    expect(noRef.err.join('')).toContain('GVL_USAGE: --reference is required');
    // A length the regions cannot give is a data error (2) that names --len.
    const long = capture();
    const longArgs = ['get', ds, '--reference', chr20.fasta, '--region-index', '0'];
    expect(await main([...longArgs, '--sample-index', '0', '--len', '100000'], long.io)).toBe(2);
    expect(long.err.join('')).toMatch(
      /^GVL_INVALID_ARGUMENT: --len 100000 is too long for .*: expected L \+ 2·jitter \(100000 \+ 2·0\) <= min region length/,
    );
  });

  it('gvl bench --json reports batches/s, haplotypes/s, MiB/s, threads and peak RSS', async () => {
    const c = capture();
    expect(
      await main(
        [
          'bench',
          ds,
          '--reference',
          chr20.fasta,
          '--batch',
          '16',
          '--len',
          '1024',
          '--seconds',
          '0.5',
          '--json',
        ],
        c.io,
      ),
    ).toBe(0);
    const r = JSON.parse(c.out.join(''));
    expect(r.batches).toBeGreaterThan(0);
    expect(r.haplotypesPerSecond).toBeCloseTo((r.batches * 16 * 2) / r.seconds, 6);
    expect(r.mibPerSecond).toBeCloseTo((r.batches * 16 * 2 * 1024) / 2 ** 20 / r.seconds, 6);
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(['env', 'cgroup', 'affinity', 'fallback']).toContain(r.threadsSource);
    expect(r.peakRssMiB).toBeGreaterThan(10);
    const bad = capture();
    expect(
      await main(
        ['bench', ds, '--reference', chr20.fasta, '--mode', 'turbo', '--seconds', '0.1'],
        bad.io,
      ),
    ).toBe(64);
    expect(bad.err.join('')).toMatch(/^GVL_USAGE: --mode: loader mode "turbo" is not supported/);
  });

  it('gvl demo runs the main job and finds the serial re-check identical', async () => {
    const c = capture();
    const code = await main(
      ['demo', '--data', dataDir, '--out', join(dir, 'demo.gvl'), '--json'],
      c.io,
    );
    expect(code).toBe(0);
    const r = JSON.parse(c.out.join(''));
    expect(r).toMatchObject({
      regions: 488,
      samples: 300,
      ploidy: 2,
      haplotypes: 292800,
      mismatches: 0,
      checkedPairs: 256,
      mode: 'inline',
    });
    expect(r.bytes).toBeGreaterThan(488 * 300 * 2 * 2000);
    expect(r.fastaBytes).toBeGreaterThan(r.bytes);
    expect(r.datasetBytes).toBeLessThan(r.fastaBytes / 50);
  }, 120_000);
});

describe("the removed loader mode 'worker' on the command line", () => {
  it.each([
    [
      'bench',
      join(tmpdir(), 'no-such-dataset.gvl'),
      '--reference',
      'no-such.fa',
      '--mode',
      'worker',
    ],
    ['demo', '--data', join(tmpdir(), 'no-such-data'), '--mode', 'worker'],
  ])(
    'gvl %s --mode worker is a usage error (the GVL_INVALID_MODE message) before touching any file',
    async (...argv) => {
      const c = capture();
      expect(await main(argv, c.io)).toBe(64);
      const err = c.err.join('');
      // The mode is checked first: the missing dataset / data folder is never looked at.
      expect(err).toMatch(/^GVL_USAGE: --mode: loader mode 'worker' was removed/);
      expect(err).toContain("expected one of 'inline'");
      expect(err).not.toContain('GVL_BAD_DATASET');
      expect(err).not.toContain('GVL_UNREADABLE');
    },
  );

  it('gvl bench --workers is no longer an option (a usage error)', async () => {
    const c = capture();
    expect(await main(['bench', 'x.gvl', '--reference', 'x.fa', '--workers', '2'], c.io)).toBe(64);
    expect(c.err.join('')).toContain('--workers');
  });
});
