import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { writeChecksums } from '../src/format/checksums.js';
import { addTracks, concat, Dataset, type RaggedVariants, write } from '../src/index.js';
import {
  capture,
  chr20,
  hasBcftools,
  hasChr20,
  hasTabix,
  oracleReason,
  peerMissing,
  readFloat32,
  readInt32,
  runPeer,
  suiteName,
} from './helpers.js';

const missing = [
  ...(hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`]),
  ...(hasBcftools ? [] : [oracleReason('bcftools')]),
  ...(hasTabix ? [] : [oracleReason('tabix')]),
];

const SAMPLES = ['HG00096', 'HG00097', 'HG00099', 'HG00100'];
/** The VCF slice: 20:1,000,000-1,060,000 (479 records). */
const SPAN = { start: 1_000_000, end: 1_060_000 };

/**
 * The DS text of record `i` (file order) for sample column `j` (0-based): tenths in
 * [0, 1.9], and `.` for the second sample of every 17th record from the 4th.
 */
function dsText(i: number, j: number): string {
  if (i % 17 === 3 && j === 1) return '.';
  return String(((i * 7 + j * 13) % 20) / 10);
}

/**
 * The chr20 slice of four samples with a `DS` FORMAT field added, as VCF text; `edit`
 * may rewrite each data line (its columns, record index).
 */
function dosageVcfText(edit?: (cols: string[], i: number) => void): string {
  const raw = execFileSync(
    'bcftools',
    [
      'view',
      '--no-version',
      '-s',
      SAMPLES.join(','),
      '-r',
      `20:${SPAN.start}-${SPAN.end}`,
      chr20.vcf,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const out: string[] = [];
  let i = 0;
  for (const line of raw.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      out.push(line);
      if (line.startsWith('##FORMAT=<ID=GT'))
        out.push('##FORMAT=<ID=DS,Number=1,Type=Float,Description="ALT allele dosage">');
      continue;
    }
    const cols = line.split('\t');
    cols[8] = 'GT:DS';
    for (let j = 0; j < SAMPLES.length; j++) cols[9 + j] += `:${dsText(i, j)}`;
    edit?.(cols, i);
    out.push(cols.join('\t'));
    i++;
  }
  return `${out.join('\n')}\n`;
}

/** Writes `text` as `dir/name.vcf.gz` with its `.tbi`; returns the path. */
function bgzipTabix(dir: string, name: string, text: string): string {
  const plain = join(dir, `${name}.vcf`);
  writeFileSync(plain, text);
  execFileSync('bgzip', ['-f', plain]);
  execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
  return `${plain}.gz`;
}

/** `bcftools query` of `vcf`: `start:REF:ALT` → sample → DS (float32; NaN for `.`). */
function queryDosages(vcf: string): Map<string, Map<string, number>> {
  const q = execFileSync(
    'bcftools',
    ['query', '-f', '%POS\\t%REF\\t%ALT[\\t%SAMPLE=%DS]\\n', vcf],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  const out = new Map<string, Map<string, number>>();
  for (const line of q.trim().split('\n')) {
    const [pos, ref, alt, ...calls] = line.split('\t') as string[];
    const bySample = new Map<string, number>();
    for (const c of calls) {
      const [name, ds] = c.split('=') as [string, string];
      bySample.set(name, ds === '.' ? Number.NaN : Math.fround(Number(ds)));
    }
    out.set(`${Number(pos) - 1}:${ref}:${alt}`, bySample);
  }
  return out;
}

type Row = { start: number[]; alt: string[]; ilen: number[]; dosage: (number | null)[] };

/** Every row of a variants output (NaN dosage as null). */
function rowsOf(v: RaggedVariants): Row[] {
  const text = new TextDecoder();
  const rows: Row[] = [];
  for (let k = 0; k + 1 < v.offsets.length; k++) {
    const a = Number(v.offsets[k]);
    const b = Number(v.offsets[k + 1]);
    rows.push({
      start: [...v.start.subarray(a, b)],
      alt: Array.from({ length: b - a }, (_, j) => text.decode(v.alt.row(a + j))),
      ilen: [...v.ilen.subarray(a, b)],
      dosage: Array.from((v.dosage as Float32Array).subarray(a, b), (x) =>
        Number.isNaN(x) ? null : x,
      ),
    });
  }
  return rows;
}

describe.skipIf(missing.length > 0)(
  suiteName('allele dosages (write({ dosageField }), varFields dosage) on chr20', missing),
  () => {
    let dir = '';
    let vcf = '';
    let bed = '';
    let path = '';
    let ds: Dataset<'variants', false, 'ragged'>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-dosage-'));
      vcf = bgzipTabix(dir, 'ds', dosageVcfText());
      // The 2 kb windows inside the slice, both strands.
      bed = join(dir, 'w.bed');
      const lines = readFileSync(chr20.bed2kb, 'utf8')
        .split('\n')
        .filter((l) => l !== '' && Number(l.split('\t')[2]) <= SPAN.end);
      writeFileSync(bed, `${lines.join('\n')}\n`);
      path = join(dir, 'ds.gvl');
      await write(path, {
        bed,
        variants: vcf,
        infoFields: ['AF'],
        dosageField: 'DS',
        progress: false,
        onWarning: () => undefined,
      });
      ds = (await Dataset.open(path)).withSeqs('variants').withTracks(false);
    }, 120_000);
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('stores one float32 dosage per entry of variant_idxs.npy, checksummed', () => {
      const idxs = readInt32(join(path, 'genotypes', 'variant_idxs.npy'));
      const dosages = readFloat32(join(path, 'genotypes', 'dosages.npy'));
      expect(idxs.length).toBeGreaterThan(500);
      expect(dosages.length).toBe(idxs.length);
      const sums = JSON.parse(readFileSync(join(path, 'checksums.json'), 'utf8'));
      expect(Object.keys(sums.files)).toContain('genotypes/dosages.npy');
      expect(ds.availableVarFields).toEqual(['alt', 'ilen', 'start', 'AF', 'ref', 'dosage']);
    });

    it("each variant's dosage is its sample's DS in that record, as bcftools reads it", async () => {
      const truth = queryDosages(vcf);
      const text = new TextDecoder();
      const v = (await ds
        .withSettings({ varFields: ['ref', 'dosage'], rcNeg: false })
        .get()) as RaggedVariants;
      const [R, S, P] = v.shape as [number, number, number, null];
      expect([R, S, P]).toEqual([29, 4, 2]);
      expect(v.dosage).toBeInstanceOf(Float32Array);
      expect(v.dosage?.length).toBe(v.start.length);
      let nan = 0;
      let checked = 0;
      for (let row = 0; row < R * S * P; row++) {
        const sample = ds.samples[Math.floor(row / P) % S] as string;
        for (let i = Number(v.offsets[row]); i < Number(v.offsets[row + 1]); i++) {
          const key = `${v.start[i]}:${text.decode(v.ref?.row(i))}:${text.decode(v.alt.row(i))}`;
          const want = truth.get(key)?.get(sample);
          expect(want, `${key} ${sample}`).toBeDefined();
          expect(v.dosage?.[i], `${key} ${sample}`).toBe(want);
          if (Number.isNaN(want)) nan++;
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(500);
      // The `.` values are among the stored calls.
      expect(nan).toBeGreaterThan(0);
      // Reverse-complemented rows keep the stored order: the same dosages.
      const rc = (await ds
        .withSettings({ varFields: ['dosage'], rcNeg: true })
        .get()) as RaggedVariants;
      expect(rc.offsets).toEqual(v.offsets);
      expect(rc.dosage).toEqual(v.dosage);
      expect(rc.alt.data).not.toEqual(v.alt.data);
    }, 120_000);

    it('follows the AF filter, dummy variants and unphasedUnion in the order of the other fields', async () => {
      const all = rowsOf(
        (await ds.withSettings({ varFields: ['AF', 'dosage'] }).get()) as RaggedVariants,
      );
      const af = (await ds.withSettings({ varFields: ['AF', 'dosage'] }).get()) as RaggedVariants;
      const filtered = (await ds
        .withSettings({ varFields: ['AF', 'dosage'], minAf: 0.5, dummyVariant: {} })
        .get()) as RaggedVariants;
      const got = rowsOf(filtered);
      let dummies = 0;
      for (let k = 0; k < all.length; k++) {
        const a = Number(af.offsets[k]);
        const keep = (all[k] as Row).start.map((_, j) => (af.info?.AF?.[a + j] as number) >= 0.5);
        const pick = <T>(xs: T[]) => xs.filter((_, j) => keep[j]);
        const row = all[k] as Row;
        const want: Row = {
          start: pick(row.start),
          alt: pick(row.alt),
          ilen: pick(row.ilen),
          dosage: pick(row.dosage),
        };
        if (want.start.length === 0) {
          dummies++;
          expect(got[k], `row ${k}`).toEqual({ start: [-1], alt: ['N'], ilen: [0], dosage: [0] });
        } else expect(got[k], `row ${k}`).toEqual(want);
      }
      expect(dummies).toBeGreaterThan(0);
      expect(dummies).toBeLessThan(all.length);
      // unphasedUnion: each item's one row is its haplotypes' rows concatenated.
      const union = rowsOf(
        (await ds
          .withSettings({ varFields: ['dosage'], unphasedUnion: true })
          .get()) as RaggedVariants,
      );
      expect(union.length * 2).toBe(all.length);
      for (let k = 0; k < union.length; k++) {
        const h0 = all[2 * k] as Row;
        const h1 = all[2 * k + 1] as Row;
        expect(union[k]?.dosage, `item ${k}`).toEqual([...h0.dosage, ...h1.dosage]);
        expect(union[k]?.start, `item ${k}`).toEqual([...h0.start, ...h1.start]);
      }
    }, 120_000);

    it('GVL_FORCE_PARALLEL=1 equals serial', async () => {
      const view = ds.withSettings({ varFields: ['dosage', 'AF'], minAf: 0.01 });
      const serial = (await view.withSettings({ parallel: false }).get()) as RaggedVariants;
      const saved = process.env.GVL_FORCE_PARALLEL;
      process.env.GVL_FORCE_PARALLEL = '1';
      let forced: RaggedVariants;
      try {
        forced = (await view.withSettings({ parallel: 'auto' }).get()) as RaggedVariants;
      } finally {
        if (saved === undefined) delete process.env.GVL_FORCE_PARALLEL;
        else process.env.GVL_FORCE_PARALLEL = saved;
      }
      expect(serial.dosage?.length).toBeGreaterThan(100);
      expect(forced.offsets).toEqual(serial.offsets);
      expect(forced.start).toEqual(serial.start);
      expect(forced.dosage).toEqual(serial.dosage);
    }, 120_000);

    it('without dosages, varFields dosage is an unknown field; the output has no dosage unless asked', async () => {
      expect(((await ds.get(0, 0)) as RaggedVariants).dosage).toBeUndefined();
      const bare = join(dir, 'bare.gvl');
      await write(bare, { bed, variants: vcf, progress: false, onWarning: () => undefined });
      const noDs = (await Dataset.open(bare)).withSeqs('variants');
      expect(noDs.availableVarFields).toEqual(['alt', 'ilen', 'start', 'ref']);
      expect(() => noDs.withSettings({ varFields: ['dosage'] })).toThrow(
        expect.objectContaining({ code: 'GVL_UNKNOWN_VAR_FIELD', value: ['dosage'] }),
      );
      await expect(Dataset.open(bare, { varFields: ['dosage'] })).rejects.toMatchObject({
        code: 'GVL_UNKNOWN_VAR_FIELD',
      });
      rmSync(bare, { recursive: true, force: true });
    }, 120_000);

    it('refuses bad dosage fields with GVL_BAD_VCF naming the field or record, leaving nothing behind', async () => {
      // Each edit changes the first record from the 40th on that sample column `col`
      // carries (a stored call, so its dosage is read).
      const once = (col: number, change: (cols: string[]) => void) => {
        let done = false;
        return (c: string[], i: number) => {
          if (done || i < 40 || !(c[col] as string).split(':')[0]?.includes('1')) return;
          done = true;
          change(c);
        };
      };
      const cases: [string, (cols: string[], i: number) => void, string, RegExp][] = [
        ['undeclared', () => undefined, 'XX', /"XX" is not a FORMAT field declared/],
        [
          'multi',
          once(10, (c) => {
            c[10] = `${(c[10] as string).split(':')[0]}:0.1,0.2`;
          }),
          'DS',
          /record 20:\d+ .*FORMAT\/DS of sample HG00097 is "0.1,0.2": expected one value per sample/,
        ],
        [
          'text',
          once(9, (c) => {
            c[9] = `${(c[9] as string).split(':')[0]}:abc`;
          }),
          'DS',
          /FORMAT\/DS of sample HG00096 is "abc": expected a number/,
        ],
        [
          'absent',
          once(9, (c) => {
            c[8] = 'GT';
            for (let j = 9; j < c.length; j++) c[j] = (c[j] as string).split(':')[0] as string;
          }),
          'DS',
          /record 20:\d+ \S+ has no DS in FORMAT "GT"/,
        ],
      ];
      for (const [name, edit, field, message] of cases) {
        const bad = bgzipTabix(dir, `bad-${name}`, dosageVcfText(edit));
        const out = join(dir, `bad-${name}.gvl`);
        await expect(
          write(out, {
            bed,
            variants: bad,
            dosageField: field,
            progress: false,
            onWarning: () => undefined,
          }),
          name,
        ).rejects.toMatchObject({ code: 'GVL_BAD_VCF', message: expect.stringMatching(message) });
        expect(existsSync(out), name).toBe(false);
      }
      // Type=String is refused from the header, before any record is read.
      const stringType = bgzipTabix(
        dir,
        'bad-type',
        dosageVcfText().replace('ID=DS,Number=1,Type=Float', 'ID=DS,Number=1,Type=String'),
      );
      await expect(
        write(join(dir, 'bad-type.gvl'), {
          bed,
          variants: stringType,
          dosageField: 'DS',
          progress: false,
        }),
      ).rejects.toMatchObject({
        code: 'GVL_BAD_VCF',
        message: expect.stringMatching(/FORMAT\/DS has Type=String .*expected Float or Integer/),
      });
    }, 120_000);

    it('gvl write --dosage-field DS writes the same dosages.npy as write({ dosageField })', async () => {
      const out = join(dir, 'cli.gvl');
      const c = capture();
      const argv = ['write', out, '--bed', bed, '--vcf', vcf, '--info-field', 'AF'];
      expect(await main([...argv, '--dosage-field', 'DS', '--no-progress'], c.io)).toBe(0);
      expect(readFileSync(join(out, 'genotypes', 'dosages.npy'))).toEqual(
        readFileSync(join(path, 'genotypes', 'dosages.npy')),
      );
      rmSync(out, { recursive: true, force: true });
    }, 120_000);

    it('Dataset.open refuses a dosages.npy whose length differs from variant_idxs.npy', async () => {
      const copy = join(dir, 'short.gvl');
      cpSync(path, copy, { recursive: true });
      const file = join(copy, 'genotypes', 'dosages.npy');
      truncateSync(file, statSync(file).size - 4);
      await writeChecksums(copy);
      await expect(Dataset.open(copy)).rejects.toMatchObject({
        code: 'GVL_BAD_DATASET',
        file: 'genotypes/dosages.npy',
        message: expect.stringMatching(/expected one per entry of genotypes\/variant_idxs\.npy/),
      });
      rmSync(copy, { recursive: true, force: true });
    });

    it('concat carries dosages with variant_idxs (regions axis), refuses mixing with a dataset without, and addTracks keeps them', async () => {
      const lines = readFileSync(bed, 'utf8').trim().split('\n');
      const halves = [lines.slice(0, 12), lines.slice(12)].map((part, h) => {
        const p = join(dir, `half${h}.bed`);
        writeFileSync(p, `${part.join('\n')}\n`);
        return p;
      });
      const parts: string[] = [];
      for (const [h, half] of halves.entries()) {
        const out = join(dir, `half${h}.gvl`);
        await write(out, {
          bed: half,
          variants: vcf,
          infoFields: ['AF'],
          dosageField: 'DS',
          progress: false,
          onWarning: () => undefined,
        });
        parts.push(out);
      }
      const merged = join(dir, 'merged.gvl');
      await concat(merged, parts, { axis: 'regions' });
      const m = (await Dataset.open(merged)).withSeqs('variants').withTracks(false);
      expect(m.availableVarFields).toContain('dosage');
      const want = (await ds.withSettings({ varFields: ['dosage'] }).get()) as RaggedVariants;
      const got = (await m.withSettings({ varFields: ['dosage'] }).get()) as RaggedVariants;
      expect(got.offsets).toEqual(want.offsets);
      expect(got.start).toEqual(want.start);
      expect(got.dosage).toEqual(want.dosage);
      expect(readFloat32(join(merged, 'genotypes', 'dosages.npy')).length).toBe(
        readInt32(join(merged, 'genotypes', 'variant_idxs.npy')).length,
      );
      // One input without dosages: refused before anything is written.
      const plain = join(dir, 'half1-plain.gvl');
      await write(plain, {
        bed: halves[1] as string,
        variants: vcf,
        infoFields: ['AF'],
        progress: false,
        onWarning: () => undefined,
      });
      const mixed = join(dir, 'mixed.gvl');
      await expect(
        concat(mixed, [parts[0] as string, plain], { axis: 'regions' }),
      ).rejects.toMatchObject({
        code: 'GVL_CONCAT_MISMATCH',
        input: 1,
        field: 'dosages',
      });
      expect(existsSync(mixed)).toBe(false);
      // addTracks: the dataset gains a track and keeps its dosages (and checksums).
      await addTracks(merged, { annotTracks: { w: bed }, progress: false });
      const withTrack = (await Dataset.open(merged)).withSeqs('variants').withTracks(false);
      const again = (await withTrack
        .withSettings({ varFields: ['dosage'] })
        .get()) as RaggedVariants;
      expect(again.dosage).toEqual(want.dosage);
      for (const p of [...parts, plain, merged]) rmSync(p, { recursive: true, force: true });
    }, 120_000);

    describe.skipIf(peerMissing.length > 0)(
      suiteName('against the Python genvarloader (SparseVar with dosages)', peerMissing),
      () => {
        it('equal alt, ilen, start and dosage for every region x sample, both rcNeg settings', async () => {
          const regions = Array.from({ length: 29 }, (_, i) => i);
          const spec = JSON.stringify({ regions, samples: SAMPLES, rc_neg: [true, false] });
          const peer: { available: string[]; rows: Record<string, Row[]> } = JSON.parse(
            runPeer('dosage.py', [vcf, bed, '<scratch>', '<reference>', spec]),
          );
          // The peer also lists the SVAR's `dosages` array file as a field; ours has no
          // such file-named field.
          expect(peer.available.filter((f) => f !== 'dosages')).toEqual(
            ds.availableVarFields.filter((f) => f !== 'AF'),
          );
          for (const rcNeg of [true, false]) {
            const ours = rowsOf(
              (await ds
                .subsetTo({ samples: SAMPLES.map((s) => ds.samples.indexOf(s)) })
                .withSettings({ varFields: ['alt', 'ilen', 'start', 'dosage'], rcNeg })
                .get()) as RaggedVariants,
            );
            const theirs = (peer.rows[String(rcNeg)] as Row[]).map((r) => ({
              start: r.start,
              alt: r.alt,
              ilen: r.ilen,
              dosage: r.dosage,
            }));
            expect(ours.length).toBe(theirs.length);
            expect(ours.reduce((n, r) => n + r.dosage.length, 0)).toBeGreaterThan(500);
            const differ = ours.flatMap((row, k) =>
              JSON.stringify(row) === JSON.stringify(theirs[k]) ? [] : [k],
            );
            expect(differ, `rcNeg ${rcNeg}: rows that differ from the peer's`).toEqual([]);
          }
        }, 300_000);
      },
    );
  },
);
