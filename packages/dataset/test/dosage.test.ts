import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { write } from '../src/index.js';
import { capture, copyTinyVcf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'gvl-dosage-opts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('write({ dosageField }) and gvl write --dosage-field: refusals before any work', () => {
  it('refuses a non-ID dosageField, or one without variants, with GVL_INVALID_ARGUMENT', async () => {
    writeFileSync(join(dir, 'tiny.bed'), '1\t90\t200\n');
    const bed = join(dir, 'tiny.bed');
    const vcf = copyTinyVcf(dir, 'opts');
    const out = join(dir, 'opts.gvl');
    for (const dosageField of [5, '', 'D S', ['DS']])
      await expect(
        write(out, { bed, variants: vcf, dosageField: dosageField as never, progress: false }),
        JSON.stringify(dosageField),
      ).rejects.toMatchObject({ code: 'GVL_INVALID_ARGUMENT', value: dosageField });
    await expect(
      write(out, {
        bed,
        annotTracks: { a: bed },
        dosageField: 'DS',
        progress: false,
      }),
    ).rejects.toMatchObject({
      code: 'GVL_INVALID_ARGUMENT',
      message: expect.stringMatching(/dosageField needs variants/),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('a FORMAT field the header does not declare is GVL_BAD_VCF naming it and the declared ones (API; CLI exit 2)', async () => {
    const vcf = copyTinyVcf(dir, 'undeclared');
    const bed = join(dir, 'tiny.bed');
    writeFileSync(bed, '1\t90\t200\n');
    const out = join(dir, 'undeclared.gvl');
    await expect(
      write(out, { bed, variants: vcf, dosageField: 'DS', progress: false }),
    ).rejects.toMatchObject({
      code: 'GVL_BAD_VCF',
      value: 'DS',
      message: expect.stringMatching(
        /dosageField: "DS" is not a FORMAT field declared in the header of .*undeclared\.vcf\.gz: expected one of GT/,
      ),
    });
    expect(existsSync(out)).toBe(false);
    const c = capture();
    const argv = [
      'write',
      out,
      '--bed',
      bed,
      '--vcf',
      vcf,
      '--no-progress',
      '--dosage-field',
      'DS',
    ];
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/^GVL_BAD_VCF: dosageField: "DS" is not a FORMAT field/);
    expect(existsSync(out)).toBe(false);
  });

  it('gvl write --dosage-field without --vcf, or empty, exits 64 with GVL_USAGE', async () => {
    const c = capture();
    const base = ['write', join(dir, 'none.gvl'), '--bed', join(dir, 'missing.bed')];
    for (const [extra, message] of [
      [
        ['--bigwig', 'cov:A=a.bw', '--dosage-field', 'DS'],
        'GVL_USAGE: --dosage-field DS needs --vcf: dosages are read from the VCF\n',
      ],
      [
        ['--vcf', 'v.vcf.gz', '--dosage-field', ''],
        'GVL_USAGE: --dosage-field needs a FORMAT field ID, e.g. --dosage-field DS\n',
      ],
    ] as const) {
      c.err.length = 0;
      expect(await main([...base, ...extra], c.io), extra.join(' ')).toBe(64);
      expect(c.err.join('')).toBe(message);
    }
    expect(existsSync(join(dir, 'none.gvl'))).toBe(false);
  });
});
