/**
 * `gvl get` on a dataset with tracks (real hg38 chr16 bigWigs) and with numeric sample and
 * region names; the CLI's exit-code contract (typed error → `CODE: message`, exit 2; a bug →
 * exit 1 with how to report it); `gvl bench` counting only delivered items.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigWig } from '@gmod/bbi';
import { IndexOutOfRangeError } from '@gvl/native';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/index.js';
import { Dataset, type Ragged, write } from '../src/index.js';
import { type Chr16Fixture, makeChr16Fixture } from './chr16-fixture.js';
import { capture, chr16Dir, hasChr16, hasTabix, oracleReason, suiteName } from './helpers.js';

const missing = [
  ...(hasChr16 ? [] : ['hg38-chr16-chunk data not found (set GVL_DATA_DIR)']),
  ...(hasTabix ? [] : [oracleReason('tabix')]),
];

async function gvl(args: string[]) {
  const c = capture();
  const code = await main(args, c.io);
  return { code, out: c.out.join(''), err: c.err.join('') };
}

/** Expands bedGraph lines `label start end value` into per-label value arrays. */
function fromBedGraph(text: string): Map<string, Map<string, number[]>> {
  const tracks = new Map<string, Map<string, number[]>>();
  let cur: Map<string, number[]> | undefined;
  for (const line of text.trimEnd().split('\n')) {
    const t = /^track type=bedGraph name=(\S+)$/.exec(line);
    if (t) {
      cur = new Map();
      tracks.set(t[1] as string, cur);
      continue;
    }
    const [label, a, b, v] = line.split('\t') as [string, string, string, string];
    const row = cur?.get(label) ?? [];
    expect(Number(a)).toBe(row.length); // runs are contiguous, 0-based half-open
    for (let i = Number(a); i < Number(b); i++) row.push(Number(v));
    cur?.set(label, row);
  }
  return tracks;
}

describe.skipIf(missing.length > 0)(suiteName('gvl get', missing), () => {
  let dir = '';
  let fx: Chr16Fixture;
  let tracksDs = '';
  let numericDs = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-cli-get-'));
    fx = makeChr16Fixture(join(dir, 'chr16'));
    tracksDs = join(dir, 'tracks.gvl');
    await write(tracksDs, {
      bed: fx.bed,
      variants: fx.sortedVcf,
      reference: fx.reference,
      tracks: fx.tracks,
      progress: false,
      onWarning: () => undefined,
    });
    // Samples "1", "10", "2" (sorted as strings: index 1 is "10") with distinct genotypes at
    // one SNV; BED names "10", "2", "1" in that order (region index 1 is the one named "2").
    const vcf = join(dir, 'numeric.vcf');
    const seq = readFileSync(fx.reference, 'utf8')
      .split('\n')
      .slice(1)
      .join('')
      .charAt(1000)
      .toUpperCase();
    const alt = seq === 'A' ? 'C' : 'A';
    writeFileSync(
      vcf,
      [
        '##fileformat=VCFv4.2',
        '##contig=<ID=chr16,length=210155>',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t1\t10\t2',
        `chr16\t1001\t.\t${seq}\t${alt}\t.\tPASS\t.\tGT\t1|0\t0|0\t0|1`,
        '',
      ].join('\n'),
    );
    execFileSync('bgzip', ['-f', vcf]);
    execFileSync('tabix', ['-f', '-p', 'vcf', `${vcf}.gz`]);
    const bed = join(dir, 'numeric.bed');
    writeFileSync(bed, 'chr16\t990\t1010\t10\nchr16\t995\t1005\t2\nchr16\t1000\t1002\t1\n');
    numericDs = join(dir, 'numeric.gvl');
    await write(numericDs, { bed, variants: `${vcf}.gz`, progress: false });
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints FASTA on a dataset that has tracks, equal to the library', async () => {
    const r = await gvl([
      'get',
      tracksDs,
      '--reference',
      fx.reference,
      '--region',
      'a',
      '--sample',
      's_gc',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ds = (await Dataset.open(tracksDs, { reference: fx.reference }))
      .withSeqs('haplotypes')
      .withTracks(false);
    const want = (await ds.get(1, 's_gc')) as Ragged<Uint8Array>;
    const records = r.out.split('>').filter(Boolean);
    expect(records.map((x) => x.split('\n')[0])).toEqual(['a|s_gc|hap0', 'a|s_gc|hap1']);
    for (const p of [0, 1]) {
      expect((records[p] as string).split('\n').slice(1).join('')).toBe(
        Buffer.from(want.row(p)).toString('latin1'),
      );
    }
  });

  it('--track prints bedGraph runs that match the bigWig where the region has no variant', async () => {
    // Region c (chr16:150000-150500, + strand) carries no variant: its realigned gc track is
    // the bigWig's own values, read here independently with @gmod/bbi.
    const r = await gvl([
      'get',
      tracksDs,
      '--reference',
      fx.reference,
      '--region',
      'c',
      '--sample',
      's_al',
      '--track',
      'gc',
    ]);
    expect(r.code).toBe(0);
    const tracks = fromBedGraph(r.out);
    expect([...tracks.keys()]).toEqual(['gc']);
    const rows = tracks.get('gc') as Map<string, number[]>;
    expect([...rows.keys()]).toEqual(['c|s_al|hap0', 'c|s_al|hap1']);
    const want = new Float32Array(500);
    const bw = new BigWig({ path: join(chr16Dir, 'gc.bw') });
    await bw.getHeader();
    for (const f of await bw.getFeatures('chr16', 150000, 150500)) {
      for (let i = Math.max(f.start, 150000); i < Math.min(f.end, 150500); i++)
        want[i - 150000] = f.score;
    }
    expect(want.some((v) => v !== 0)).toBe(true);
    for (const row of rows.values()) expect(row).toEqual(Array.from(want));
  });

  it('--tracks bedGraph and --json agree with each other and with the FASTA lengths (indels realigned)', async () => {
    const base = ['get', tracksDs, '--reference', fx.reference, '--region', 'b'];
    const bg = await gvl([...base, '--sample', 's_gc', '--tracks']);
    const js = await gvl([...base, '--sample', 's_gc', '--json']);
    const fa = await gvl([...base, '--sample', 's_gc']);
    expect([bg.code, js.code, fa.code]).toEqual([0, 0, 0]);
    const json = JSON.parse(js.out) as {
      region: { name: string; strand: number };
      sample: string;
      haplotypes: { hap: number; sequence: string }[];
      tracks: Record<string, number[][]>;
    };
    expect(json.region).toMatchObject({ name: 'b', strand: -1 });
    expect(json.sample).toBe('s_gc');
    const fasta = fa.out
      .split('>')
      .filter(Boolean)
      .map((x) => x.split('\n').slice(1).join(''));
    expect(json.haplotypes.map((h) => h.sequence)).toEqual(fasta);
    // The fixture gives region b a deletion on one haplotype: lengths differ per haplotype.
    expect(new Set(fasta.map((f) => f.length)).size).toBe(2);
    const tracks = fromBedGraph(bg.out);
    expect(Object.keys(json.tracks)).toEqual([...tracks.keys()]);
    for (const [name, rows] of tracks) {
      const perHap = json.tracks[name] as number[][];
      for (const p of [0, 1]) {
        expect(perHap[p]).toHaveLength((fasta[p] as string).length);
        expect(rows.get(`b|s_gc|hap${p}`)).toEqual(perHap[p]);
      }
    }
  });

  it('numeric names win over indices; indices need --sample-index / --region-index or #N', async () => {
    const base = ['get', numericDs, '--reference', fx.reference];
    const header = async (args: string[]) => {
      const r = await gvl([...base, ...args]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      return r.out.split('\n')[0];
    };
    expect(await header(['--region', '1', '--sample', '1'])).toBe('>1|1|hap0');
    expect(await header(['--region', '10', '--sample', '10'])).toBe('>10|10|hap0');
    expect(await header(['--region-index', '1', '--sample-index', '1'])).toBe('>2|10|hap0');
    expect(await header(['--region', '#0', '--sample', '#2'])).toBe('>10|2|hap0');
    // The SNV at chr16:1001 (0-based 1000) is in region "1" [1000, 1002): sample "1"
    // carries it on hap0 only, sample "2" on hap1 only, sample "10" on neither.
    const seqs = async (sample: string) =>
      (await gvl([...base, '--region', '1', '--sample', sample])).out
        .split('>')
        .filter(Boolean)
        .map((x) => x.split('\n')[1]);
    const [s1, s10, s2] = [await seqs('1'), await seqs('10'), await seqs('2')];
    expect(s10?.[0]).toBe(s10?.[1]);
    expect(s1?.[0]).not.toBe(s10?.[0]);
    expect(s1?.[1]).toBe(s10?.[1]);
    expect(s2?.[1]).toBe(s1?.[0]);
    expect(s2?.[0]).toBe(s10?.[0]);

    const unknown = await gvl([...base, '--region', '1', '--sample', '5']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^GVL_UNKNOWN_SAMPLE: no sample is named "5"; .*--sample-index 5/);
    const both = await gvl([...base, '--region', '1', '--sample', '1', '--sample-index', '0']);
    expect(both.code).toBe(64);
    expect(both.err).toMatch(/^GVL_USAGE: give exactly one of --sample/);
    const noRegion = await gvl([...base, '--region', '7', '--sample', '1']);
    expect(noRegion.err).toMatch(/^GVL_UNKNOWN_REGION: no region is named "7"; .*--region-index 7/);
  });

  it('a native typed error exits 2 printing its code once; a bug exits 1 with how to report it', async () => {
    const args = ['get', numericDs, '--reference', fx.reference, '--region', '1', '--sample', '1'];
    vi.spyOn(Dataset, 'open').mockRejectedValueOnce(
      new IndexOutOfRangeError('groups[3] = 99 is out of range; expected 0 <= value < 10', {
        param: 'groups',
        index: 3,
        value: 99,
      }),
    );
    const typed = await gvl(args);
    expect(typed.code).toBe(2);
    expect(typed.err).toBe(
      'GVL_INDEX_OUT_OF_RANGE: groups[3] = 99 is out of range; expected 0 <= value < 10\n',
    );
    vi.spyOn(Dataset, 'open').mockRejectedValueOnce(
      new TypeError("Cannot read properties of undefined (reading 'subarray')"),
    );
    const bug = await gvl(args);
    expect(bug.code).toBe(1);
    expect(bug.err).toMatch(/^internal error: this is a bug in gvl-ts: please report it/);
    expect(bug.err).toContain(
      "TypeError: Cannot read properties of undefined (reading 'subarray')",
    );
    expect(bug.err).toContain('    at '); // the stack
  });

  it('gvl bench never counts items past the end of the dataset', async () => {
    const r = await gvl([
      'bench',
      numericDs,
      '--reference',
      fx.reference,
      '--batch',
      '1000',
      '--seconds',
      '0.3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as {
      batches: number;
      items: number;
      haplotypes: number;
      seconds: number;
      haplotypesPerSecond: number;
    };
    // 3 regions × 3 samples = 9 items: every batch of 1000 is one short batch of 9.
    expect(res.batches).toBeGreaterThan(0);
    expect(res.items).toBe(res.batches * 9);
    expect(res.haplotypes).toBe(res.items * 2);
    expect(res.haplotypesPerSecond).toBeCloseTo(res.haplotypes / res.seconds, 6);
  });
});
