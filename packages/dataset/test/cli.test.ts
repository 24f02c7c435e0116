import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, formatInfo } from '../src/cli/cli.js';
import { main, parseBigWigSpecs } from '../src/cli/index.js';
import { Dataset, write } from '../src/index.js';
import { capture, chr20, copyTinyVcf, hasChr20, pkgDir, suiteName } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'gvl-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gvl CLI', () => {
  it('has a command table with write, info, verify, concat, get, bench, demo and add-tracks', () => {
    expect(Object.keys(COMMANDS)).toEqual([
      'write',
      'info',
      'verify',
      'concat',
      'get',
      'bench',
      'demo',
      'add-tracks',
    ]);
  });

  it('usage errors exit 64 with GVL_USAGE naming the flag; help exits 0', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(64);
    expect(c.err.join('')).toMatch(/^GVL_USAGE: a command is required\n\nUsage: gvl <command>/);
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('Usage: gvl <command>');
    c.err.length = 0;
    expect(await main(['frobnicate'], c.io)).toBe(64);
    expect(c.err.join('')).toContain('GVL_USAGE: unknown command "frobnicate"');
    c.err.length = 0;
    expect(await main(['write', 'x.gvl', '--bed', 'a.bed', '--vfc', 'v'], c.io)).toBe(64);
    expect(c.err.join('')).toMatch(
      /^GVL_USAGE: unknown option '--vfc' \(did you mean --vcf\?\)\n\nUsage: gvl write OUT/,
    );
    c.err.length = 0;
    expect(await main(['write', 'x.gvl', '--vcf', 'v.vcf.gz'], c.io)).toBe(64);
    expect(c.err.join('')).toBe('GVL_USAGE: --bed is required\n');
    c.err.length = 0;
    expect(
      await main(['write', 'x.gvl', '--bed', 'a.bed', '--vcf', 'v', '--max-jitter=-3'], c.io),
    ).toBe(64);
    expect(c.err.join('')).toBe(
      'GVL_USAGE: --max-jitter "-3" is invalid: expected an integer from 0 to 2147483647\n',
    );
    c.err.length = 0;
    expect(
      await main(
        ['write', 'x.gvl', '--bed', 'a.bed', '--vcf', 'v', '--max-jitter', '2147483648'],
        c.io,
      ),
    ).toBe(64);
    expect(c.err.join('')).toContain('--max-jitter "2147483648" is invalid');
    c.err.length = 0;
    expect(await main(['write', 'x.gvl', 'y.gvl', '--bed', 'a.bed', '--vcf', 'v'], c.io)).toBe(64);
    expect(c.err.join('')).toBe(
      'GVL_USAGE: expected exactly one output path (OUT), got 2 ("x.gvl" "y.gvl")\n',
    );
    c.err.length = 0;
    expect(await main(['write', 'x.gvl', '--bed', 'a.bed', '--bigwig', 'cov=a.bw'], c.io)).toBe(64);
    expect(c.err.join('')).toMatch(
      /^GVL_USAGE: --bigwig "cov=a.bw" is invalid: expected NAME:SAMPLE=PATH/,
    );
    c.out.length = 0;
    expect(await main(['write', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('--bigwig <NAME:SAMPLE=PATH>');
    expect(c.out.join('')).toContain('--info-field <NAME>');
    expect(c.out.join('')).toContain('--json');
  });

  it('write messages name the CLI flags (--vcf, --bigwig, --samples), not the API options', async () => {
    const c = capture();
    expect(await main(['write', join(dir, 'o.gvl'), '--bed', join(dir, 'r.bed')], c.io)).toBe(64);
    const err = c.err.join('');
    expect(err).toBe(
      'GVL_USAGE: nothing to write: give --vcf VCF (genotypes), --bigwig NAME:SAMPLE=PATH or --table (tracks), --annot, or several\n',
    );
    expect(err).not.toMatch(/`variants`|`tracks`/);
    writeFileSync(join(dir, 'empty.txt'), '# no samples\n\n');
    writeFileSync(join(dir, 'twice.txt'), 'A\nB\nA\n');
    for (const [file, message] of [
      ['empty.txt', `GVL_INVALID_ARGUMENT: --samples ${join(dir, 'empty.txt')} lists no sample\n`],
      [
        'twice.txt',
        `GVL_INVALID_ARGUMENT: --samples ${join(dir, 'twice.txt')} lists sample "A" twice\n`,
      ],
    ] as const) {
      c.err.length = 0;
      const argv = ['write', join(dir, 'o.gvl'), '--bed', join(dir, 'r.bed'), '--vcf', 'v.vcf.gz'];
      // A samples file with bad content is a data error (2), not a usage error.
      expect(await main([...argv, '--samples', join(dir, file)], c.io)).toBe(2);
      expect(c.err.join('')).toBe(message);
    }
  });

  it('gvl --version prints the package version; the exit codes reach the process', () => {
    const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      version: string;
    };
    const bin = join(pkgDir, 'bin', 'gvl.js');
    for (const flag of ['--version', '-V']) {
      const r = spawnSync(process.execPath, [bin, flag], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
    const usage = spawnSync(process.execPath, [bin, 'write', '--vfc'], { encoding: 'utf8' });
    expect(usage.status).toBe(64);
    const data = spawnSync(process.execPath, [bin, 'info', join(dir, 'nothing')], {
      encoding: 'utf8',
    });
    expect(data.status).toBe(2);
  });

  it.skipIf(!existsSync(join(pkgDir, 'dist', 'cli', 'index.js')))(
    'gvl write --json prints the WriteSummary, equal to what write() returns',
    async () => {
      const vcf = copyTinyVcf(dir, 'info');
      writeFileSync(join(dir, 'tiny.bed'), '1\t90\t210\tr0\t0\t+\n1\t1000\t1100\tr1\t0\t-\n');
      const out = join(dir, 'tiny.gvl');
      const c = capture();
      const argv = ['write', out, '--bed', join(dir, 'tiny.bed'), '--vcf', vcf, '--no-progress'];
      expect(await main([...argv, '--json'], c.io), c.err.join('')).toBe(0);
      const printed = JSON.parse(c.out.join(''));
      expect(printed).toMatchObject({ path: out, nRegions: 2, samples: ['A', 'B'], ploidy: 2 });
      expect(printed.nVariants).toBe(2);
      // The library's own summary of the same write.
      const summary = await write(join(dir, 'tiny2.gvl'), {
        bed: join(dir, 'tiny.bed'),
        variants: vcf,
        progress: false,
      });
      expect({ ...printed, path: summary.path }).toEqual(JSON.parse(JSON.stringify(summary)));
      // Without --json: one human line.
      const h = capture();
      expect(await main([...argv, '--overwrite'], h.io)).toBe(0);
      expect(h.out.join('')).toMatch(
        /^wrote .*tiny\.gvl: 2 regions × 2 samples, ploidy 2, 2 variants/,
      );
    },
  );

  it('reports errors as CODE: message with exit 2', async () => {
    const c = capture();
    writeFileSync(join(dir, 'r.bed'), '1\t5\t1\n');
    expect(
      await main(
        ['write', join(dir, 'o.gvl'), '--bed', join(dir, 'r.bed'), '--vcf', join(dir, 'v.vcf.gz')],
        c.io,
      ),
    ).toBe(2);
    expect(c.err.join('')).toMatch(/^GVL_BAD_BED: .*r\.bed:1: 1:5-1 has chromEnd <= chromStart/);
    c.err.length = 0;
    expect(await main(['info', join(dir, 'nothing')], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/^GVL_BAD_DATASET: /);
    c.err.length = 0;
    expect(
      await main(
        [
          'write',
          join(dir, 'o.gvl'),
          '--bed',
          join(dir, 'r.bed'),
          '--vcf',
          join(dir, 'v.vcf.gz'),
          '--samples',
          join(dir, 'none.txt'),
        ],
        c.io,
      ),
    ).toBe(2);
    expect(c.err.join('')).toMatch(/^GVL_UNREADABLE: cannot read --samples/);
  });

  it('parses --bigwig NAME:SAMPLE=PATH into tracks', () => {
    expect(parseBigWigSpecs(['sig:a=/x/a.bw', 'sig:b=/x/b.bw', 'gc:a=C:/y.bw'])).toEqual([
      { name: 'sig', paths: { a: '/x/a.bw', b: '/x/b.bw' } },
      { name: 'gc', paths: { a: 'C:/y.bw' } },
    ]);
    expect(() => parseBigWigSpecs(['sig=a.bw'])).toThrow(/NAME:SAMPLE=PATH/);
    expect(() => parseBigWigSpecs(['s:a=1.bw', 's:a=2.bw'])).toThrow(/twice/);
  });

  it('formats info for humans', () => {
    const text = formatInfo({
      path: '/d.gvl',
      formatVersion: '2.0.0',
      writerVersion: '0.43.1',
      nRegions: 3,
      samples: ['a', 'b'],
      ploidy: null,
      contigs: ['1', '2'],
      maxJitter: 0,
      nVariants: null,
      nVariantCalls: null,
      tracks: ['gc'],
      annotationTracks: [],
      bytes: 2048,
      staleSiblings: [],
    });
    expect(text).toBe(
      [
        'path         /d.gvl',
        'format       2.0.0 (genvarloader 0.43.1)',
        'regions      3',
        'samples      2 (a, b)',
        'ploidy       none (no genotypes)',
        'contigs      2 (1, 2)',
        'max jitter   0 bp',
        'variants     none (no genotypes)',
        'tracks       gc',
        'on disk      2.0 KiB (2048 bytes)',
      ].join('\n'),
    );
  });
});

const binMissing = [
  ...(existsSync(join(pkgDir, 'dist', 'cli', 'index.js')) ? [] : ['dist/ not built (pnpm build)']),
  ...(hasChr20 ? [] : ['real data not found (set GVL_DATA_DIR)']),
];
describe.skipIf(binMissing.length > 0)(suiteName('bin/gvl.js on the real data', binMissing), () => {
  it('writes the 300-sample VCF with a peak RSS under 512 MiB and prints info', () => {
    const out = join(dir, 'bin.gvl');
    // Measure the writer alone in a fresh process (no vitest in the heap).
    const script = `
      const { main } = await import(${JSON.stringify(join(pkgDir, 'dist', 'cli', 'index.js'))});
      const code = await main(${JSON.stringify(['write', out, '--bed', chr20.bed2kb, '--vcf', chr20.vcf, '--reference', chr20.fasta, '--no-progress'])});
      process.stdout.write(JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const res = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('{'))) as {
      code: number;
      maxRssKiB: number;
    };
    expect(res.code).toBe(0);
    expect(res.maxRssKiB).toBeLessThan(512 * 1024);
    const info = spawnSync(
      process.execPath,
      [join(pkgDir, 'bin', 'gvl.js'), 'info', out, '--json'],
      { encoding: 'utf8' },
    );
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      nRegions: 488,
      nVariants: 7568,
      nVariantCalls: 398272,
      ploidy: 2,
    });
    const bad = spawnSync(
      process.execPath,
      [join(pkgDir, 'bin', 'gvl.js'), 'write', out, '--bed', chr20.bed2kb, '--vcf', chr20.vcf],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^GVL_DATASET_EXISTS: /);
  });
});

describe('gvl write --info-field / --compute-af', () => {
  it('refuses them without --vcf, with an empty field, or AF both read and computed (64, before any file is read)', async () => {
    const c = capture();
    const base = ['write', join(dir, 'none.gvl'), '--bed', join(dir, 'missing.bed')];
    for (const [extra, message] of [
      [
        ['--bigwig', 'cov:A=a.bw', '--info-field', 'AF', '--info-field', 'AC'],
        'GVL_USAGE: --info-field AF, AC needs --vcf: INFO fields are read from the VCF\n',
      ],
      [
        ['--bigwig', 'cov:A=a.bw', '--compute-af'],
        'GVL_USAGE: --compute-af needs --vcf: AF is computed from the genotypes\n',
      ],
      [
        ['--vcf', 'v.vcf.gz', '--info-field', ''],
        'GVL_USAGE: --info-field needs an INFO field ID, e.g. --info-field AF\n',
      ],
      [
        ['--vcf', 'v.vcf.gz', '--info-field', 'AF', '--compute-af'],
        'GVL_USAGE: --compute-af and --info-field AF both name the AF column: keep one\n',
      ],
    ] as const) {
      c.err.length = 0;
      expect(await main([...base, ...extra], c.io), extra.join(' ')).toBe(64);
      expect(c.err.join('')).toBe(message);
    }
    expect(existsSync(join(dir, 'none.gvl'))).toBe(false);
  });

  it('an INFO field the VCF does not declare exits 2 with GVL_BAD_INFO_FIELD naming it', async () => {
    const c = capture();
    const vcf = copyTinyVcf(dir, 'info');
    writeFileSync(join(dir, 'tiny.bed'), '1\t90\t200\n');
    const out = join(dir, 'undeclared.gvl');
    const argv = ['write', out, '--bed', join(dir, 'tiny.bed'), '--vcf', vcf, '--no-progress'];
    expect(await main([...argv, '--info-field', 'NOPE'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/^GVL_BAD_INFO_FIELD: infoFields: "NOPE" is not declared/);
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!hasChr20)(
    'stores the same variant table as write({ infoFields, computeAf }) on chr20',
    async () => {
      const samples = join(dir, 'five.txt');
      writeFileSync(samples, 'HG00096\nHG00100\nHG00103\nHG00105\nHG00107\n');
      const fromCli = join(dir, 'cli-af.gvl');
      const c = capture();
      const code = await main(
        [
          'write',
          fromCli,
          '--bed',
          chr20.bed2kb,
          '--vcf',
          chr20.vcf,
          '--samples',
          samples,
          '--info-field',
          'AC',
          '--compute-af',
          '--no-progress',
          '--json',
        ],
        c.io,
      );
      expect(c.err.join('').replace(/^warning .*\n/gm, ''), c.err.join('')).toBe('');
      expect(code).toBe(0);
      const fromApi = join(dir, 'api-af.gvl');
      await write(fromApi, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        samples: ['HG00096', 'HG00100', 'HG00103', 'HG00105', 'HG00107'],
        infoFields: ['AC'],
        computeAf: true,
        progress: false,
        onWarning: () => undefined,
      });
      const ds = await Dataset.open(fromCli);
      expect(ds.availableVarFields).toEqual(['alt', 'ilen', 'start', 'AC', 'AF', 'ref']);
      const table = (p: string) => readFileSync(join(p, 'genotypes', 'variants.arrow'));
      expect(table(fromCli).equals(table(fromApi))).toBe(true);
      const summary = JSON.parse(c.out.join('')) as { nVariants: number; samples: string[] };
      expect(summary.samples).toHaveLength(5);
      expect(summary.nVariants).toBeGreaterThan(0);
    },
  );
});
