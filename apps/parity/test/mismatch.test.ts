/**
 * The checker must fail loudly and say where: a golden or a parallel result that differs
 * in one row is reported with its (region, sample, haplotype, position) and both values.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset } from '@gvl/dataset';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oracleReason, skipName } from '../../../test-support/oracles.mjs';
import { type Prepared, prepareDatasets } from '../src/fixtures.js';
import { compareGolden, type GoldenDoc, loadGolden } from '../src/goldens.js';
import { runOracle, writeOracleSpec } from '../src/make-goldens.js';
import { runChild, serialPass } from '../src/passes.js';
import { goldensDir, missingData, onPath } from '../src/paths.js';
import { sha256 } from '../src/rows.js';
import { MODES, type ModeSpec } from '../src/spec.js';
import { describeMismatch } from '../src/table.js';
import { openDatasets } from '../src/views.js';

const missing = [
  ...(missingData() ? [missingData() as string] : []),
  ...(onPath('bgzip') && onPath('tabix') ? [] : [oracleReason('tabix')]),
];

const mode = MODES.find((m) => m.id === 'haplotypes-ragged') as ModeSpec;

/** A copy of a golden whose row `row` (a stored full row) has byte `pos` replaced. */
function tampered(doc: GoldenDoc, pos: number): { doc: GoldenDoc; row: number; was: string } {
  const copy = JSON.parse(JSON.stringify(doc)) as GoldenDoc;
  const part = copy.parts.seqs;
  if (!part) throw new Error('no seqs part');
  const full = part.fullRows[0];
  if (!full) throw new Error('no full row');
  const data = Buffer.from(full.data, 'base64');
  const was = String.fromCharCode(data[pos] as number);
  data[pos] = was === 'A' ? 'C'.charCodeAt(0) : 'A'.charCodeAt(0);
  full.data = data.toString('base64');
  const digests = Buffer.from(part.digests, 'base64');
  sha256(data)
    .subarray(0, 16)
    .copy(digests, full.row * 16);
  part.digests = digests.toString('base64');
  return { doc: copy, row: full.row, was };
}

describe.skipIf(missing.length > 0)(skipName('mismatch reports', missing), () => {
  let work = '';
  let prepared: Prepared;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gvl-parity-test-'));
    prepared = await prepareDatasets(work);
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a golden row that differs is located with both values (from the stored full row)', async () => {
    const ds = (await openDatasets(prepared)).chr20;
    const doc = loadGolden(goldensDir, 'genvarloader', mode.id) as GoldenDoc;
    expect((await compareGolden(ds, mode, doc, () => null)).status).toBe('equal');
    const t = tampered(doc, 100);
    const res = await compareGolden(ds, mode, t.doc, () => null);
    expect(res.status).toBe('differs');
    expect(res.mismatchedRows).toBe(1);
    const first = res.first;
    // Row t.row of the golden: region t.row / 16, sample (t.row % 16) / 2, haplotype t.row % 2.
    expect(first).toMatchObject({
      mode: mode.id,
      region: Math.floor(t.row / 16),
      sample: mode.goldenSamples[Math.floor((t.row % 16) / 2)],
      hap: t.row % 2,
      position: 100,
      what: 'data',
      expectedFrom: 'genvarloader',
    });
    expect(first?.actual).toContain(`'${t.was}'`);
    expect(first?.expected).not.toContain(`'${t.was}'`);
    expect(describeMismatch(first as NonNullable<typeof first>)).toMatch(
      /region \d+ \(w\d+\), sample \S+, haplotype \d, position 100: genvarloader '[AC]'/,
    );
  });

  it('an annotated golden row whose variant index differs is located with bases, indices and coordinates', async () => {
    const ann = MODES.find((m) => m.id === 'annotated-ragged') as ModeSpec;
    const ds = (await openDatasets(prepared)).chr20;
    const doc = loadGolden(goldensDir, 'genvarloader', ann.id) as GoldenDoc;
    expect((await compareGolden(ds, ann, doc, () => null)).status).toBe('equal');
    // Change the variant index of base 100 of the first stored row (bases stay the same).
    const copy = JSON.parse(JSON.stringify(doc)) as GoldenDoc;
    const part = copy.parts.seqs as NonNullable<GoldenDoc['parts']['seqs']>;
    const full = part.fullRows[0] as { row: number; data: string };
    const data = Buffer.from(full.data, 'base64');
    const n = data.length / 9;
    const was = data.readInt32LE(n + 4 * 100);
    data.writeInt32LE(was + 1000, n + 4 * 100);
    full.data = data.toString('base64');
    const digests = Buffer.from(part.digests, 'base64');
    sha256(data)
      .subarray(0, 16)
      .copy(digests, full.row * 16);
    part.digests = digests.toString('base64');
    const res = await compareGolden(ds, ann, copy, () => null);
    expect(res.status).toBe('differs');
    expect(res.mismatchedRows).toBe(1);
    expect(res.first).toMatchObject({ position: 100, what: 'data', expectedFrom: 'genvarloader' });
    expect(res.first?.expected).toContain(`varIdx=${was + 1000} `);
    expect(res.first?.actual).toContain(`varIdx=${was} `);
    expect(res.first?.actual).toMatch(/^'[ACGTN]' varIdx=-?\d+ refCoord=\d+/);
  });

  it('without stored bytes it falls back to regenerating the batch, and says so when it cannot', async () => {
    const ds = (await openDatasets(prepared)).chr20;
    const doc = loadGolden(goldensDir, 'bcftools', mode.id) as GoldenDoc;
    const copy = JSON.parse(JSON.stringify(doc)) as GoldenDoc;
    const part = copy.parts.seqs as NonNullable<GoldenDoc['parts']['seqs']>;
    const stored = new Set(part.fullRows.map((f) => f.row));
    const row = [...Array(64).keys()].find((k) => k > 16 && !stored.has(k)) as number;
    const digests = Buffer.from(part.digests, 'base64');
    digests[row * 16] = (digests[row * 16] as number) ^ 0xff;
    part.digests = digests.toString('base64');
    const blind = await compareGolden(ds, mode, copy, () => null);
    expect(blind.first?.position).toBeNull();
    expect(blind.first?.expected).toContain('golden bytes not stored');
    // A regenerated batch whose row does not match the committed digest is not trusted.
    const untrusted = await compareGolden(ds, mode, copy, () => ({
      seqs: Array(16).fill('QUFB'),
    }));
    expect(untrusted.first?.position).toBeNull();
  });

  it.skipIf(!(onPath('bcftools') && onPath('samtools') && onPath('python3')))(
    'a row not stored in full is located by regenerating its batch with bcftools',
    async () => {
      // Our side reads a reference with one base changed in window 4 (+ strand):
      // bcftools, regenerating the batch from the real reference, shows both values.
      const plain = join(work, 'corrupt.fa');
      const fasta = execFileSync('samtools', ['faidx', prepared.chr20.reference, '20'], {
        maxBuffer: 1 << 26,
      }).toString('latin1');
      const [header, ...lines] = fasta.trimEnd().split('\n');
      const seq = lines.join('');
      const at = 1_000_000 + 4 * 2048 + 100;
      const was = seq[at] as string;
      const now = was === 'A' ? 'C' : 'A';
      writeFileSync(plain, `${header}\n${seq.slice(0, at)}${now}${seq.slice(at + 1)}\n`);
      execFileSync('samtools', ['faidx', plain]);
      const ds = await Dataset.open(prepared.chr20.path, { reference: plain });
      const doc = loadGolden(goldensDir, 'bcftools', mode.id) as GoldenDoc;
      expect(doc.parts.seqs?.fullRows.some((f) => f.row >= 64 && f.row < 80)).toBe(false);
      const spec = writeOracleSpec(prepared, work, MODES);
      const res = await compareGolden(ds, mode, doc, (region) =>
        JSON.parse(runOracle('bcftools', ['bcftools-batch', spec, mode.id, String(region)])),
      );
      expect(res.status).toBe('differs');
      expect(res.first).toMatchObject({
        region: 4,
        position: 100,
        what: 'data',
        sample: 'HG00096',
      });
      expect(res.first?.expected).toContain(`'${was}'`);
      expect(res.first?.expected).toContain('regenerated');
      expect(res.first?.actual).toContain(`'${now}'`);
    },
    120_000,
  );

  it('a parallel row that differs from the serial pass is counted and located by region', async () => {
    const datasets = await openDatasets(prepared);
    const serialDir = join(work, 'serial');
    mkdirSync(serialDir, { recursive: true });
    const ref = MODES.find((m) => m.id === 'reference') as ModeSpec;
    const rows = await serialPass(datasets.chr20, ref, serialDir);
    expect(rows).toBe(488 * 300);
    // Corrupt the serial digest of region 7, sample 3.
    const bin = join(serialDir, 'reference.serial.bin');
    const buf = readFileSync(bin);
    const k = 7 * 300 + 3;
    buf[rows * 4 + k * 32] = (buf[rows * 4 + k * 32] as number) ^ 1;
    writeFileSync(bin, buf);
    const plan = join(work, 'plan.json');
    writeFileSync(plan, JSON.stringify({ prepared, serialDir, modes: ['reference'] }));
    const rep = await runChild(plan, 2);
    expect(rep.threads).toBe(2);
    expect(rep.poolBuilt).toBe(true);
    const m = rep.modes[0];
    expect(m?.mismatchedRows).toBe(1);
    expect(m?.first).toMatchObject({
      region: 7,
      expectedFrom: 'serial',
      actualFrom: 'parallel (2 threads)',
    });
  }, 120_000);
});
