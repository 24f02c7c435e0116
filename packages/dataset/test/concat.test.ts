/**
 * `concat` on the real 1000 Genomes chr20 data: datasets written here from halves of the
 * BED (rows interleaved, so the merge must re-sort) and from halves of the samples
 * (interleaved too) are merged along each axis and compared
 *  - with `write` of the whole at once (genotype files byte for byte, every window ×
 *    every sample read equal);
 *  - with the Python genvarloader's own `concat` of the same inputs (file by file bytes;
 *    `input_regions.arrow` by value), and the peer's reads of both results;
 * plus every validation error (and the peer refusing the same inputs), atomicity under an
 * injected failure, and the `gvl concat` command line.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import {
  ConcatError,
  concat,
  Dataset,
  Ragged,
  recoverInterruptedWrite,
  variantsFingerprint,
  write,
} from '../src/index.js';
import { readDatasetFiles } from '../src/open.js';
import {
  capture,
  chr20,
  copyTinyVcf,
  hasChr20,
  oraclePython,
  peerMissing,
  pkgDir,
  readNpyInt32,
  runPeer,
  suiteName,
} from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

/** The chr20 samples written (input, not expected output): 10 of the VCF's 300. */
const SAMPLES = [
  'HG00096',
  'HG00097',
  'HG00099',
  'HG00100',
  'HG00101',
  'HG00102',
  'HG00103',
  'HG00105',
  'HG00106',
  'HG00107',
];
const N_REGIONS = 120;
const MAX_JITTER = 16;

let dir = '';
const p = (name: string) => join(dir, name);

/** Relative path → sha256 of every file under `root` (directories as `dir/`). */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(`${r}/`, '');
        walk(join(d, e.name), r);
      } else
        out.set(
          r,
          createHash('sha256')
            .update(readFileSync(join(d, e.name)))
            .digest('hex'),
        );
    }
  };
  walk(root, '');
  return out;
}

function sameBytes(a: string, b: string, files: readonly string[]): void {
  for (const f of files) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    expect(x.equals(y), `${f}: ${x.length} vs ${y.length} bytes`).toBe(true);
  }
}

/** Region names of a dataset in input order. */
async function names(path: string): Promise<string[]> {
  return (await readDatasetFiles(path)).regionNames as string[];
}

/**
 * Haplotypes (ragged) and reference of `regions` × `samples` of a dataset, as one
 * comparable value per output (data and offsets).
 */
async function reads(path: string, regions: number[], samples: string[]) {
  const ds = (await Dataset.open(path, { reference: chr20.fasta })).subsetTo({
    regions,
    samples,
  });
  const out: Record<string, { data: string; offsets: string }> = {};
  for (const kind of ['haplotypes', 'reference'] as const) {
    const r = await ds.withSeqs(kind).withLen('ragged').get();
    const rg = r as Ragged<Uint8Array>;
    expect(rg).toBeInstanceOf(Ragged);
    out[kind] = {
      data: createHash('sha256').update(rg.data).digest('hex'),
      offsets: Array.from(rg.offsets, String).join(','),
    };
  }
  return out;
}

/**
 * Runs the peer's concat on each job in one process; returns, per job, `null` or the
 * message of the peer's refusal.
 */
function peerConcat(jobs: { out: string; axis: string; inputs: string[] }[]): (string | null)[] {
  const r = spawnSync(
    oraclePython,
    [join(pkgDir, 'test', 'oracle', 'concat.py'), JSON.stringify(jobs)],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).errors;
}

/**
 * `sBext.gvl`: a copy of sB whose stored window of on-disk row 3 ends 500 bp further, as
 * if one of its haplotypes had been extended (still a valid dataset: no checksums).
 */
function makeExtended(): void {
  if (existsSync(p('sBext.gvl'))) return;
  cpSync(p('sB.gvl'), p('sBext.gvl'), { recursive: true });
  rmSync(p('sBext.gvl/checksums.json'));
  const f = p('sBext.gvl/regions.npy');
  const { data, fortran } = readNpyInt32(f);
  expect(fortran).toBe(true);
  const bytes = readFileSync(f);
  const at = bytes.length - 4 * N_REGIONS * 4 + 4 * (2 * N_REGIONS + 3); // column 2, row 3
  expect(bytes.readInt32LE(at)).toBe(data[3 * 4 + 2]);
  bytes.writeInt32LE((data[3 * 4 + 2] as number) + 500, at);
  writeFileSync(f, bytes);
}

describe.skipIf(missing.length > 0)(suiteName('concat on the chr20 data', missing), () => {
  let bedLines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-concat-'));
    bedLines = readFileSync(chr20.bed2kb, 'utf8').trim().split('\n').slice(0, N_REGIONS);
    writeFileSync(p('whole.bed'), `${bedLines.join('\n')}\n`);
    writeFileSync(p('a.bed'), `${bedLines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    writeFileSync(p('b.bed'), `${bedLines.filter((_, i) => i % 2 === 1).join('\n')}\n`);
    const base = {
      variants: chr20.vcf,
      maxJitter: MAX_JITTER,
      progress: false,
      onWarning: () => undefined,
    };
    const jobs: [string, string, string[]][] = [
      ['whole.gvl', 'whole.bed', SAMPLES],
      ['rA.gvl', 'a.bed', SAMPLES],
      ['rB.gvl', 'b.bed', SAMPLES],
      ['sA.gvl', 'whole.bed', SAMPLES.filter((_, i) => i % 2 === 0)],
      ['sB.gvl', 'whole.bed', SAMPLES.filter((_, i) => i % 2 === 1)],
    ];
    for (const [out, bed, samples] of jobs) await write(p(out), { ...base, bed: p(bed), samples });
    await concat(p('rc.gvl'), [p('rA.gvl'), p('rB.gvl')], { axis: 'regions' });
    await concat(p('sc.gvl'), [p('sB.gvl'), p('sA.gvl')], { axis: 'samples' });
  }, 300_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  describe('equals writing the whole at once', () => {
    it('region axis: genotype files byte-identical, same stored windows, same metadata but the fingerprint', async () => {
      // The merged regions sort into the whole BED's on-disk order, so the genotype CSR
      // is the one write() makes for the whole BED.
      sameBytes(p('rc.gvl'), p('whole.gvl'), [
        'genotypes/offsets.npy',
        'genotypes/variant_idxs.npy',
        'genotypes/variants.arrow',
      ]);
      const a = readNpyInt32(p('rc.gvl/regions.npy'));
      const b = readNpyInt32(p('whole.gvl/regions.npy'));
      expect(a.shape).toEqual([N_REGIONS, 4]);
      expect(a.fortran).toBe(false);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      const m = JSON.parse(readFileSync(p('rc.gvl/metadata.json'), 'utf8'));
      const w = JSON.parse(readFileSync(p('whole.gvl/metadata.json'), 'utf8'));
      expect({ ...m, variants_fingerprint: null }).toEqual(w);
      expect(m.variants_fingerprint).toEqual(
        await variantsFingerprint(p('whole.gvl/genotypes/variants.arrow')),
      );
      // Input order: rA's rows, then rB's.
      const wholeNames = await names(p('whole.gvl'));
      expect(await names(p('rc.gvl'))).toEqual([
        ...wholeNames.filter((_, i) => i % 2 === 0),
        ...wholeNames.filter((_, i) => i % 2 === 1),
      ]);
    });

    it('region axis: every window × every sample reads equal (haplotypes, reference)', async () => {
      const wholeNames = await names(p('whole.gvl'));
      const rcNames = await names(p('rc.gvl'));
      const all = rcNames.map((_, i) => i);
      const same = rcNames.map((n) => wholeNames.indexOf(n));
      expect(await reads(p('rc.gvl'), all, SAMPLES)).toEqual(
        await reads(p('whole.gvl'), same, SAMPLES),
      );
    });

    it('sample axis: genotype files, regions and input_regions.arrow byte-identical; samples sorted', async () => {
      // Each haplotype's variants (and its extension) depend on that haplotype alone, and
      // the stored end is the furthest of the inputs': the whole write's.
      sameBytes(p('sc.gvl'), p('whole.gvl'), [
        'genotypes/offsets.npy',
        'genotypes/variant_idxs.npy',
        'genotypes/variants.arrow',
        'input_regions.arrow',
      ]);
      const a = readNpyInt32(p('sc.gvl/regions.npy'));
      const b = readNpyInt32(p('whole.gvl/regions.npy'));
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      const m = JSON.parse(readFileSync(p('sc.gvl/metadata.json'), 'utf8'));
      expect(m.samples).toEqual([...SAMPLES].sort());
    });

    it("sample axis: a stored end is the furthest of the inputs' (extension depends on the samples)", async () => {
      makeExtended();
      for (const inputs of [
        ['sA.gvl', 'sBext.gvl'],
        ['sBext.gvl', 'sA.gvl'],
      ]) {
        const out = p(`ext-${inputs[0]}`);
        await concat(
          out,
          inputs.map((x) => p(x)),
          { axis: 'samples' },
        );
        const merged = readNpyInt32(join(out, 'regions.npy')).data;
        const want = Array.from(readNpyInt32(p('whole.gvl/regions.npy')).data);
        want[3 * 4 + 2] = (want[3 * 4 + 2] as number) + 500;
        expect(Array.from(merged)).toEqual(want);
      }
    });

    it('sample axis: every window × every sample reads equal', async () => {
      const all = Array.from({ length: N_REGIONS }, (_, i) => i);
      expect(await reads(p('sc.gvl'), all, SAMPLES)).toEqual(
        await reads(p('whole.gvl'), all, SAMPLES),
      );
    });
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName("against the Python genvarloader's concat", peerMissing),
    () => {
      const BYTE_EQUAL = [
        'metadata.json',
        'regions.npy',
        'genotypes/offsets.npy',
        'genotypes/variant_idxs.npy',
        'genotypes/variants.arrow',
      ];

      for (const [axis, out, inputs] of [
        ['regions', 'rc.gvl', ['rA.gvl', 'rB.gvl']],
        ['samples', 'sc.gvl', ['sB.gvl', 'sA.gvl']],
      ] as const) {
        it(`${axis} axis: every file but input_regions.arrow byte-identical; input_regions.arrow equal by value; the peer reads both the same`, async () => {
          const theirs = p(`peer-${out}`);
          expect(peerConcat([{ out: theirs, axis, inputs: inputs.map((x) => p(x)) }])).toEqual([
            null,
          ]);
          sameBytes(p(out), theirs, BYTE_EQUAL);
          // polars re-encodes input_regions.arrow (Utf8View strings): compare values.
          const ours = await readDatasetFiles(p(out));
          const peer = await readDatasetFiles(theirs);
          expect(Array.from(peer.rIdxMap)).toEqual(Array.from(ours.rIdxMap));
          expect(peer.regionNames).toEqual(ours.regionNames);
          expect(Array.from(peer.regions)).toEqual(Array.from(ours.regions));
          // The peer opens ours and reads what it reads from its own result.
          const spec = {
            regions: Array.from({ length: N_REGIONS / 4 }, (_, i) => i * 4),
            samples: ['HG00096', 'HG00099', 'HG00102', 'HG00107'],
            modes: [
              ['haplotypes', 'ragged'],
              ['reference', 'ragged'],
            ],
          };
          const digests = (path: string) =>
            JSON.parse(runPeer('read_digests.py', [path, '<reference>', JSON.stringify(spec)]))
              .results;
          const peerOfOurs = digests(p(out));
          expect(peerOfOurs['haplotypes:ragged']).toHaveLength(
            spec.regions.length * spec.samples.length * 2,
          );
          expect(peerOfOurs).toEqual(digests(theirs));
        }, 120_000);
      }

      it("sample axis with differing stored ends: regions.npy byte-identical to the peer's", async () => {
        makeExtended();
        const ours = p('ext-peer-ours.gvl');
        await concat(ours, [p('sBext.gvl'), p('sA.gvl')], { axis: 'samples' });
        const theirs = p('ext-peer-theirs.gvl');
        expect(
          peerConcat([{ out: theirs, axis: 'samples', inputs: [p('sBext.gvl'), p('sA.gvl')] }]),
        ).toEqual([null]);
        sameBytes(ours, theirs, BYTE_EQUAL);
      }, 120_000);

      it("datasets written by the peer: files byte-identical to the peer's concat of them; the merge opens here", async () => {
        // genvarloader writes an index beside the VCF: give it a scratch copy.
        const vdir = p('peer-vcf');
        mkdirSync(vdir);
        for (const ext of ['', '.tbi', '.csi'])
          copyFileSync(chr20.vcf + ext, join(vdir, `v.vcf.gz${ext}`));
        const vcf = join(vdir, 'v.vcf.gz');
        const jobs = ['a.bed', 'b.bed'].map((bed, k) => ({
          out: p(`peer-r${k}.gvl`),
          bed: p(bed),
          vcf,
          max_jitter: MAX_JITTER,
          extend: true,
        }));
        const w = spawnSync(
          oraclePython,
          [join(pkgDir, 'test', 'oracle', 'write_datasets.py'), JSON.stringify(jobs)],
          { encoding: 'utf8' },
        );
        expect(w.status, w.stderr).toBe(0);
        const inputs = jobs.map((j) => j.out);
        await concat(p('ours-of-peer.gvl'), inputs, { axis: 'regions' });
        expect(peerConcat([{ out: p('peer-of-peer.gvl'), axis: 'regions', inputs }])).toEqual([
          null,
        ]);
        sameBytes(p('ours-of-peer.gvl'), p('peer-of-peer.gvl'), BYTE_EQUAL);
        const ours = await readDatasetFiles(p('ours-of-peer.gvl'));
        const theirs = await readDatasetFiles(p('peer-of-peer.gvl'));
        expect(ours.metadata.samples).toHaveLength(300);
        expect(ours.regionNames).toEqual(theirs.regionNames);
        expect(Array.from(ours.rIdxMap)).toEqual(Array.from(theirs.rIdxMap));
        expect(Array.from(ours.regions)).toEqual(Array.from(theirs.regions));
      }, 180_000);

      it('the peer refuses what concat refuses', () => {
        const cases = [
          ['samples', ['sA.gvl', 'whole.gvl'], /non-overlapping samples/],
          ['regions', ['rA.gvl', 'rA.gvl'], /duplicate region name/],
          ['regions', ['rA.gvl', 'sB.gvl'], /identical samples/],
          ['samples', ['rA.gvl', 'sB.gvl'], /identical regions/],
        ] as const;
        const errors = peerConcat(
          cases.map(([axis, inputs]) => ({
            out: p('peer-refused.gvl'),
            axis,
            inputs: inputs.map((x) => p(x)),
          })),
        );
        cases.forEach(([axis, inputs, why], k) => {
          expect(errors[k], `${axis} ${inputs.join(' ')}`).toMatch(why);
        });
        expect(existsSync(p('peer-refused.gvl'))).toBe(false);
      }, 120_000);
    },
  );

  describe('validation: typed errors before anything is written', () => {
    async function rejects(
      inputs: string[],
      axis: 'regions' | 'samples',
      want: { code: string; input: number; field: string; value?: unknown },
    ) {
      const out = p('refused.gvl');
      const err = await concat(
        out,
        inputs.map((x) => p(x)),
        { axis },
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConcatError);
      expect(err).toMatchObject(want);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith('.refused.gvl'))).toEqual([]);
      return err as ConcatError;
    }

    it('GVL_CONCAT_OVERLAP: a sample in two inputs (sample axis)', async () => {
      const e = await rejects(['sA.gvl', 'whole.gvl'], 'samples', {
        code: 'GVL_CONCAT_OVERLAP',
        input: 1,
        field: 'samples',
        value: 'HG00096',
      });
      expect(e.message).toContain('input #0');
    });

    it('GVL_CONCAT_OVERLAP: a region name in two inputs (region axis)', async () => {
      await rejects(['rA.gvl', 'rA.gvl'], 'regions', {
        code: 'GVL_CONCAT_OVERLAP',
        input: 1,
        field: 'region names',
        value: bedLines[0]?.split('\t')[3],
      });
    });

    it('GVL_CONCAT_MISMATCH: different samples (region axis), different regions (sample axis)', async () => {
      await rejects(['rA.gvl', 'sB.gvl'], 'regions', {
        code: 'GVL_CONCAT_MISMATCH',
        input: 1,
        field: 'samples',
      });
      const e = await rejects(['rA.gvl', 'sB.gvl'], 'samples', {
        code: 'GVL_CONCAT_MISMATCH',
        input: 1,
        field: 'regions',
      });
      expect(e.message).toContain(`${N_REGIONS} regions vs ${N_REGIONS / 2}`);
    });

    it('GVL_CONCAT_MISMATCH: max_jitter and contigs differ', async () => {
      // Copies of rB with one metadata field changed (still valid datasets: no checksums).
      for (const [name, edit, field, value] of [
        ['jit.gvl', { max_jitter: 0 }, 'max_jitter', 0],
        ['contigs.gvl', { contigs: ['20', '21'] }, 'contigs', ['20', '21']],
      ] as const) {
        cpSync(p('rB.gvl'), p(name), { recursive: true });
        rmSync(p(`${name}/checksums.json`));
        const m = JSON.parse(readFileSync(p(`${name}/metadata.json`), 'utf8'));
        writeFileSync(p(`${name}/metadata.json`), JSON.stringify({ ...m, ...edit }));
        await rejects(['rA.gvl', name], 'regions', {
          code: 'GVL_CONCAT_MISMATCH',
          input: 1,
          field,
          value,
        });
      }
    });

    it('GVL_CONCAT_VARIANTS: a dataset of another VCF; GVL_CONCAT_OVERLAP: one region twice in an input', async () => {
      const vcf = copyTinyVcf(dir, 'tiny');
      writeFileSync(p('tiny.bed'), '1\t10\t200\tt1\n1\t300\t400\tt2\n');
      writeFileSync(p('dup.bed'), '1\t10\t200\td1\n1\t10\t200\td2\n');
      for (const [out, bed] of [
        ['tiny.gvl', 'tiny.bed'],
        ['dup.gvl', 'dup.bed'],
      ])
        await write(p(out as string), {
          bed: p(bed as string),
          variants: vcf,
          progress: false,
          onWarning: () => undefined,
        });
      const e = await rejects(['rA.gvl', 'tiny.gvl'], 'regions', {
        code: 'GVL_CONCAT_VARIANTS',
        input: 1,
        field: 'variants',
      });
      expect(e.message).toContain('different variant table');
      await rejects(['tiny.gvl', 'dup.gvl'], 'regions', {
        code: 'GVL_CONCAT_OVERLAP',
        input: 1,
        field: 'regions',
        value: '1:10-200',
      });
    });

    it('GVL_INVALID_ARGUMENT: one input, a bad axis', async () => {
      await expect(concat(p('x.gvl'), [p('rA.gvl')], { axis: 'regions' })).rejects.toMatchObject({
        code: 'GVL_INVALID_ARGUMENT',
      });
      await expect(
        concat(p('x.gvl'), [p('rA.gvl'), p('rB.gvl')], { axis: 'rows' as 'regions' }),
      ).rejects.toMatchObject({ code: 'GVL_INVALID_ARGUMENT', value: 'rows' });
    });

    it('GVL_BAD_DATASET naming the input when an input is corrupt', async () => {
      cpSync(p('rB.gvl'), p('corrupt.gvl'), { recursive: true });
      const f = p('corrupt.gvl/genotypes/variant_idxs.npy');
      const b = readFileSync(f);
      b[0] = (b[0] as number) ^ 1;
      writeFileSync(f, b);
      await expect(
        concat(p('x.gvl'), [p('rA.gvl'), p('corrupt.gvl')], { axis: 'regions' }),
      ).rejects.toMatchObject({ code: 'GVL_BAD_DATASET', file: 'genotypes/variant_idxs.npy' });
      expect(existsSync(p('x.gvl'))).toBe(false);
    });

    it('GVL_OUTPUT_CONTAINS_INPUT and GVL_DATASET_EXISTS', async () => {
      await expect(
        concat(p('rA.gvl'), [p('rA.gvl'), p('rB.gvl')], { axis: 'regions', overwrite: true }),
      ).rejects.toMatchObject({ code: 'GVL_OUTPUT_CONTAINS_INPUT' });
      await expect(
        concat(p('whole.gvl'), [p('rA.gvl'), p('rB.gvl')], { axis: 'regions' }),
      ).rejects.toMatchObject({ code: 'GVL_DATASET_EXISTS' });
    });
  });

  describe('atomic', () => {
    /**
     * An AbortSignal that reads as aborted from its `n`-th check on: the first `n - 1`
     * checks are those before the temp directory exists (one per input, one after
     * validation); the `n`-th is the one at the start of the genotype merge. At that
     * instant it records what the temp directory beside `out` holds, to show that the
     * failure lands while the output is half written.
     */
    function failAtCheck(n: number, out: string): { signal: AbortSignal; seen: string[][] } {
      let k = 0;
      const seen: string[][] = [];
      const signal = {
        get aborted() {
          if (++k !== n) return k > n;
          const name = basename(out);
          for (const t of readdirSync(dir).filter((x) => x.startsWith(`.${name}.tmp-`)))
            seen.push(readdirSync(join(dir, t)).sort());
          return true;
        },
        reason: new Error('injected failure'),
      } as unknown as AbortSignal;
      return { signal, seen };
    }

    it('an injected failure mid-write leaves nothing at OUT and no temp directory', async () => {
      const out = p('failed.gvl');
      const f = failAtCheck(4, out);
      await expect(
        concat(out, [p('rA.gvl'), p('rB.gvl')], { axis: 'regions', signal: f.signal }),
      ).rejects.toMatchObject({ code: 'GVL_ABORTED' });
      expect(f.seen).toEqual([['genotypes', 'input_regions.arrow', 'regions.npy']]);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith('.failed.gvl'))).toEqual([]);
    });

    it('an injected failure during an overwrite leaves the existing dataset byte-for-byte intact', async () => {
      const out = p('existing.gvl');
      cpSync(p('whole.gvl'), out, { recursive: true });
      const before = tree(out);
      const f = failAtCheck(4, out);
      await expect(
        concat(out, [p('sB.gvl'), p('sA.gvl')], {
          axis: 'samples',
          overwrite: true,
          signal: f.signal,
        }),
      ).rejects.toMatchObject({ code: 'GVL_ABORTED' });
      expect(f.seen).toHaveLength(1);
      expect(tree(out)).toEqual(before);
      expect(readdirSync(dir).filter((n) => n.startsWith('.existing.gvl'))).toEqual([]);
      // And without a failure the overwrite replaces it with the merge.
      await concat(out, [p('sB.gvl'), p('sA.gvl')], { axis: 'samples', overwrite: true });
      expect(tree(out)).toEqual(tree(p('sc.gvl')));
    });
  });

  describe.skipIf(!existsSync(join(pkgDir, 'dist', 'cli', 'index.js')))(
    'gvl concat --overwrite killed (SIGKILL) at every step of the commit',
    () => {
      // Steps documented on AtomicDir in src/files.ts; the last N kills after the commit.
      const protocols = {
        exchange: { env: {}, steps: 3 },
        fallback: { env: { GVL_TEST_COMMIT_NO_EXCHANGE: '1' }, steps: 5 },
      } as const;
      for (const [name, proto] of Object.entries(protocols)) {
        it(`${name}: the target is the complete old or new dataset (after the next write's repair)`, async () => {
          const OLD = tree(p('whole.gvl'));
          const NEW = tree(p('sc.gvl'));
          const seen = new Set<string>();
          for (let n = 1; n <= proto.steps; n++) {
            const parent = p(`kill-${name}-${n}`);
            mkdirSync(parent);
            const out = join(parent, 'out.gvl');
            cpSync(p('whole.gvl'), out, { recursive: true });
            const r = spawnSync(
              process.execPath,
              [
                join(pkgDir, 'bin', 'gvl.js'),
                'concat',
                out,
                p('sB.gvl'),
                p('sA.gvl'),
                '--axis',
                'samples',
                '--overwrite',
              ],
              {
                encoding: 'utf8',
                env: { ...process.env, ...proto.env, GVL_TEST_COMMIT_KILL: String(n) },
              },
            );
            expect(r.signal, r.stderr).toBe('SIGKILL');
            // What a killed write leaves, the next write to the path repairs first.
            await recoverInterruptedWrite(out);
            const t = tree(out);
            const state = JSON.stringify([...t]) === JSON.stringify([...OLD]) ? 'old' : 'new';
            expect(t).toEqual(state === 'old' ? OLD : NEW);
            seen.add(state);
            expect(readdirSync(parent)).toEqual(['out.gvl']);
          }
          expect([...seen].sort()).toEqual(['new', 'old']);
        }, 120_000);
      }
    },
  );

  describe('gvl concat', () => {
    it('--json prints the summary; the result equals the API result', async () => {
      const c = capture();
      const code = await main(
        ['concat', p('cli.gvl'), p('rA.gvl'), p('rB.gvl'), '--axis', 'regions', '--json'],
        c.io,
      );
      expect(code, c.err.join('')).toBe(0);
      const s = JSON.parse(c.out.join(''));
      expect(s).toMatchObject({ axis: 'regions', nRegions: N_REGIONS, ploidy: 2 });
      expect(tree(p('cli.gvl'))).toEqual(tree(p('rc.gvl')));
    });

    it('usage errors exit 64, data errors exit 2', async () => {
      for (const argv of [
        ['concat', p('u.gvl'), p('rA.gvl'), p('rB.gvl')],
        ['concat', p('u.gvl'), p('rA.gvl'), p('rB.gvl'), '--axis', 'rows'],
        ['concat', p('u.gvl'), p('rA.gvl'), '--axis', 'regions'],
      ]) {
        const c = capture();
        expect(await main(argv, c.io), argv.join(' ')).toBe(64);
        expect(c.err.join('')).toMatch(/^GVL_USAGE: /);
      }
      const c = capture();
      expect(
        await main(['concat', p('u.gvl'), p('sA.gvl'), p('whole.gvl'), '--axis', 'samples'], c.io),
      ).toBe(2);
      expect(c.err.join('')).toMatch(/^GVL_CONCAT_OVERLAP: sample "HG00096"/);
      expect(existsSync(p('u.gvl'))).toBe(false);
    });
  });
});
