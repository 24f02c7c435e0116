import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, type RaggedVariants, write } from '../src/index.js';
import {
  chr20,
  hasBcftools,
  hasChr20,
  oracleReason,
  peerMissing,
  runPeer,
  suiteName,
} from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];
const bcftoolsMissing = hasBcftools ? [] : [oracleReason('bcftools')];

type Row = Record<string, (number | string | null)[]>;

/** Every row of a variants output as `{ start, alt, <field>: values }` (NaN as null). */
function rowsOf(v: RaggedVariants, fields: readonly string[]): Row[] {
  const text = new TextDecoder();
  const rows: Row[] = [];
  for (let k = 0; k + 1 < v.offsets.length; k++) {
    const a = Number(v.offsets[k]);
    const b = Number(v.offsets[k + 1]);
    const row: Row = { start: [...v.start.subarray(a, b)] };
    const alleles = (r: NonNullable<RaggedVariants['ref']>) =>
      Array.from({ length: b - a }, (_, j) => text.decode(r.row(a + j)));
    row.alt = alleles(v.alt);
    for (const f of fields) {
      if (f === 'start' || f === 'alt') continue;
      if (f === 'ilen') row.ilen = [...v.ilen.subarray(a, b)];
      else if (f === 'ref') row.ref = alleles(v.ref as NonNullable<RaggedVariants['ref']>);
      else
        row[f] = Array.from(
          (v.info as Record<string, Float32Array>)[f]?.subarray(a, b) ?? [],
          (x) => (Number.isNaN(Number(x)) ? null : Number(x)),
        );
    }
    rows.push(row);
  }
  return rows;
}

describe.skipIf(missing.length > 0)(
  suiteName('variant fields and AF filters on chr20', missing),
  () => {
    let dir = '';
    let path = '';
    let ds: Dataset<'variants', false, 'ragged'>;
    const regions = Array.from({ length: 61 }, (_, i) => i * 8);
    const samples = [0, 57, 123, 299];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-var-fields-'));
      path = join(dir, 'chr20.gvl');
      await write(path, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        infoFields: ['AF', 'AC'],
        progress: false,
        onWarning: () => undefined,
      });
      const opened = await Dataset.open(path, { reference: chr20.fasta });
      ds = opened.withSeqs('variants').withTracks(false);
    }, 120_000);
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('lists the stored INFO fields between the built-ins and ref, typed as in the header', async () => {
      expect(ds.availableVarFields).toEqual(['alt', 'ilen', 'start', 'AF', 'AC', 'ref']);
      const v = (await ds
        .withSettings({ varFields: ['AF', 'AC', 'ref'] })
        .get(0, [0, 1])) as RaggedVariants;
      expect(v.info?.AF).toBeInstanceOf(Float32Array);
      expect(v.info?.AC).toBeInstanceOf(Int32Array);
      expect(v.info?.AF?.length).toBe(v.start.length);
      expect(v.ref?.length).toBe(v.start.length);
      // Without varFields naming them, no extra columns.
      const plain = (await ds.get(0, [0, 1])) as RaggedVariants;
      expect(plain.info).toBeUndefined();
      expect(plain.ref).toBeUndefined();
    });

    describe.skipIf(bcftoolsMissing.length > 0)(
      suiteName('against bcftools', bcftoolsMissing),
      () => {
        it('each gathered variant carries its record AF, AC and REF as bcftools reads them', async () => {
          const q = execFileSync(
            'bcftools',
            ['query', '-f', '%POS\\t%REF\\t%ALT\\t%AF\\t%AC\\n', chr20.vcf],
            { encoding: 'utf8', maxBuffer: 1 << 28 },
          );
          const byKey = new Map<string, [string, number, number]>();
          for (const line of q.trim().split('\n')) {
            const [pos, ref, alt, af, ac] = line.split('\t') as [
              string,
              string,
              string,
              string,
              string,
            ];
            byKey.set(`${Number(pos) - 1}:${alt}:${ref}`, [
              ref,
              Math.fround(Number(af)),
              Number(ac),
            ]);
          }
          const view = ds
            .subsetTo({ regions, samples })
            .withSettings({ varFields: ['AF', 'AC', 'ref'], rcNeg: false });
          const v = (await view.get()) as RaggedVariants;
          const text = new TextDecoder();
          expect(v.start.length).toBeGreaterThan(300);
          for (let i = 0; i < v.start.length; i++) {
            const ref = text.decode(v.ref?.row(i));
            const key = `${v.start[i]}:${text.decode(v.alt.row(i))}:${ref}`;
            const want = byKey.get(key);
            expect(want, key).toBeDefined();
            expect([ref, v.info?.AF?.[i], v.info?.AC?.[i]], key).toEqual(want);
          }
        }, 120_000);
      },
    );

    describe.skipIf(bcftoolsMissing.length > 0)(
      suiteName('computeAf against bcftools', bcftoolsMissing),
      () => {
        it('AF computed at write is the ALT calls of the written samples over samples x ploidy', async () => {
          const some = [3, 50, 101, 202, 250].map((i) => ds.samples[i] as string);
          const out = join(dir, 'computed.gvl');
          await write(out, {
            bed: chr20.bed2kb,
            variants: chr20.vcf,
            samples: some,
            computeAf: true,
            progress: false,
            onWarning: () => undefined,
          });
          const gts = execFileSync(
            'bcftools',
            ['query', '-s', some.join(','), '-f', '%POS\\t%REF\\t%ALT[\\t%GT]\\n', chr20.vcf],
            { encoding: 'utf8', maxBuffer: 1 << 28 },
          );
          const want = new Map<string, number>();
          for (const line of gts.trim().split('\n')) {
            const [pos, ref, alt, ...calls] = line.split('\t') as string[];
            const alts = calls
              .join('|')
              .split(/[|/]/)
              .filter((a) => a === '1').length;
            want.set(`${Number(pos) - 1}:${ref}:${alt}`, Math.fround(alts / (some.length * 2)));
          }
          const computed = (await Dataset.open(out)).withSeqs('variants').withTracks(false);
          expect(computed.availableVarFields).toEqual(['alt', 'ilen', 'start', 'AF', 'ref']);
          const v = (await computed
            .subsetTo({ regions })
            .withSettings({ varFields: ['AF', 'ref'], rcNeg: false })
            .get()) as RaggedVariants;
          const text = new TextDecoder();
          expect(v.start.length).toBeGreaterThan(100);
          for (let i = 0; i < v.start.length; i++) {
            const key = `${v.start[i]}:${text.decode(v.ref?.row(i))}:${text.decode(v.alt.row(i))}`;
            expect(v.info?.AF?.[i], key).toBe(want.get(key));
          }
          rmSync(out, { recursive: true, force: true });
        }, 120_000);
      },
    );

    it('minAf/maxAf keep exactly the variants whose AF is within the bounds, in stored order', async () => {
      const sub = ds.subsetTo({ regions, samples }).withSettings({ varFields: ['AF'] });
      const all = rowsOf((await sub.get()) as RaggedVariants, ['AF']);
      for (const [minAf, maxAf] of [
        [0.05, null],
        [null, 0.01],
        [0.01, 0.5],
        [0.3, 0.3],
      ] as const) {
        const lo = minAf === null ? -1 : Math.fround(minAf);
        const hi = maxAf === null ? 2 : Math.fround(maxAf);
        const got = rowsOf((await sub.withSettings({ minAf, maxAf }).get()) as RaggedVariants, [
          'AF',
        ]);
        const want = all.map((row) => {
          const keep = (row.AF as number[]).map((af) => af >= lo && af <= hi);
          const pick = <T>(xs: T[]) => xs.filter((_, j) => keep[j]);
          return {
            start: pick(row.start as number[]),
            alt: pick(row.alt as string[]),
            AF: pick(row.AF as number[]),
          };
        });
        expect(got, `minAf ${minAf}, maxAf ${maxAf}`).toEqual(want);
      }
      // The filter removes something and keeps something on this data.
      const kept = rowsOf((await sub.withSettings({ minAf: 0.05 }).get()) as RaggedVariants, [
        'AF',
      ]).reduce((n, r) => n + (r.start?.length ?? 0), 0);
      const total = all.reduce((n, r) => n + (r.start?.length ?? 0), 0);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(total);
    });

    it('nVariants and haplotypeLengths ignore the AF filter, as the peer', async () => {
      const sub = ds.subsetTo({ regions: regions.slice(0, 8), samples });
      const filtered = sub.withSettings({ minAf: 0.2 });
      expect((await filtered.nVariants()).data).toEqual((await sub.nVariants()).data);
    });

    it('a dummy fills rows the filter empties; its INFO value is NaN and its REF N', async () => {
      const sub = ds
        .subsetTo({ regions, samples })
        .withSettings({ varFields: ['AF', 'AC', 'ref'], minAf: 0.9, dummyVariant: {} });
      const v = (await sub.get()) as RaggedVariants;
      const rows = rowsOf(v, ['AF', 'AC', 'ref']);
      const dummies = rows.filter((r) => r.start?.[0] === -1);
      expect(dummies.length).toBeGreaterThan(0);
      for (const r of dummies)
        expect(r).toEqual({ start: [-1], alt: ['N'], AF: [null], AC: [0], ref: ['N'] });
      for (const r of rows) expect(r.start?.length).toBeGreaterThanOrEqual(1);
    });

    it('GVL_FORCE_PARALLEL=1 equals serial for every window x 4 samples under an AF filter', async () => {
      const view = ds
        .subsetTo({ samples })
        .withSettings({ varFields: ['AF', 'AC', 'ref'], minAf: 0.01, maxAf: 0.6 });
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
      expect(serial.shape).toEqual([488, 4, 2, null]);
      expect(forced.offsets).toEqual(serial.offsets);
      expect(forced.start).toEqual(serial.start);
      expect(forced.alt.data).toEqual(serial.alt.data);
      expect(forced.ref?.data).toEqual(serial.ref?.data);
      expect(forced.info).toEqual(serial.info);
    }, 120_000);

    it('refuses what the peer refuses, with typed errors', async () => {
      expect(() => ds.withSettings({ varFields: ['AF', 'DP'] })).toThrow(
        expect.objectContaining({ code: 'GVL_UNKNOWN_VAR_FIELD', value: ['DP'] }),
      );
      for (const bad of [
        { minAf: 0.5, maxAf: 0.1 },
        { minAf: -0.1 },
        { maxAf: 1.5 },
        { minAf: Number.NaN },
        { maxAf: '0.1' as never },
      ])
        expect(() => ds.withSettings(bad), JSON.stringify(bad)).toThrow(
          expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
        );
      expect(() => ds.withSettings({ varFields: 'AF' as never })).toThrow(
        expect.objectContaining({ code: 'GVL_INVALID_ARGUMENT' }),
      );
      // Haplotypes are not filtered by AF (the peer raises NotImplementedError).
      expect(() => ds.withSettings({ minAf: 0.1 }).withSeqs('haplotypes')).toThrow(
        expect.objectContaining({ code: 'GVL_INVALID_MODE' }),
      );
      expect(() => ds.withSeqs('annotated').withSettings({ maxAf: 0.1 })).toThrow(
        expect.objectContaining({ code: 'GVL_INVALID_MODE' }),
      );
      // A dataset written without AF has no AF filter.
      const bare = join(dir, 'bare.gvl');
      await write(bare, {
        bed: chr20.bed2kb,
        variants: chr20.vcf,
        progress: false,
        onWarning: () => undefined,
      });
      const noAf = (await Dataset.open(bare)).withSeqs('variants');
      expect(noAf.availableVarFields).toEqual(['alt', 'ilen', 'start', 'ref']);
      expect(() => noAf.withSettings({ minAf: 0.1 })).toThrow(
        expect.objectContaining({ code: 'GVL_NO_AF' }),
      );
      await expect(Dataset.open(bare, { maxAf: 0.5 })).rejects.toMatchObject({ code: 'GVL_NO_AF' });
      await expect(Dataset.open(path, { varFields: ['DP'] })).rejects.toMatchObject({
        code: 'GVL_UNKNOWN_VAR_FIELD',
      });
      rmSync(bare, { recursive: true, force: true });
    }, 120_000);

    describe.skipIf(peerMissing.length > 0)(
      suiteName('against the Python genvarloader', peerMissing),
      () => {
        it('opens our dataset with the same fields; equal rows for each var field and AF filter, every 8th window x 4 samples', async () => {
          const modes = {
            fields: {
              var_fields: ['alt', 'ilen', 'start', 'AF', 'AC', 'ref'],
              min_af: null,
              max_af: null,
            },
            ref: { var_fields: ['ref'], min_af: null, max_af: null },
            // (the peer needs 'ilen' or 'ref' among var_fields)
            min: { var_fields: ['ilen', 'AF'], min_af: 0.05, max_af: null },
            max: { var_fields: ['AF', 'ref'], min_af: null, max_af: 0.01 },
            band: { var_fields: ['AC', 'ilen'], min_af: 0.01, max_af: 0.5 },
            point: { var_fields: ['AF', 'ilen'], min_af: 0.3, max_af: 0.3 },
          };
          const names = samples.map((s) => ds.samples[s] as string);
          const spec = JSON.stringify({ regions, samples: names, modes });
          const peer: {
            available: string[];
            haplotypes_af_error: string | null;
            rows: Record<string, Row[]>;
          } = JSON.parse(runPeer('var_fields.py', [path, '<reference>', spec]));
          expect(peer.available).toEqual(ds.availableVarFields);
          expect(peer.haplotypes_af_error).toBe('NotImplementedError');
          for (const [name, mode] of Object.entries(modes)) {
            const view = ds.subsetTo({ regions, samples }).withSettings({
              varFields: mode.var_fields,
              minAf: mode.min_af,
              maxAf: mode.max_af,
            });
            const ours = rowsOf((await view.get()) as RaggedVariants, mode.var_fields);
            const theirs = peer.rows[name] as Row[];
            expect(ours.length, name).toBe(theirs.length);
            const differ = ours.flatMap((row, k) =>
              JSON.stringify(row) === JSON.stringify(theirs[k]) ? [] : [k],
            );
            expect(differ, `${name}: rows that differ from the peer's`).toEqual([]);
          }
        }, 300_000);
      },
    );
  },
);
