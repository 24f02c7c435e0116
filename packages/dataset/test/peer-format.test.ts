/**
 * Files written here against the Python genvarloader 0.43.1's own write of the same
 * inputs, for the cases the chr20 suites do not cover: an all-haploid VCF and BED strand
 * `.`. What the README states about byte identity is checked here file by file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { write } from '../src/index.js';
import {
  hasOracle,
  hasTabix,
  oraclePython,
  oracleReason,
  pkgDir,
  readInt32,
  readInt64,
  readNpyInt32,
  run,
  suiteName,
} from './helpers.js';

const missingTabix = hasTabix ? [] : [oracleReason('tabix')];
const missingPeer = hasOracle ? [] : [oracleReason('peer')];

let dir: string;

/** bgzips and indexes a VCF with samples B, A (column order not sorted) on contig 1. */
function makeVcf(name: string, records: string[]): string {
  const plain = join(dir, `${name}.vcf`);
  writeFileSync(
    plain,
    [
      '##fileformat=VCFv4.2',
      '##contig=<ID=1,length=2000>',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tB\tA',
      ...records,
      '',
    ].join('\n'),
  );
  execFileSync('bgzip', ['-f', plain]);
  execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
  return `${plain}.gz`;
}

function peerWrite(out: string, bed: string, vcf: string): void {
  run(oraclePython, [
    join(pkgDir, 'test', 'oracle', 'write_datasets.py'),
    JSON.stringify([{ out, bed, vcf, max_jitter: 0, extend: true }]),
  ]);
}

function sameBytes(a: string, b: string, files: string[]): void {
  for (const f of files) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    expect(x.equals(y), `${f}: ${x.length} vs ${y.length} bytes`).toBe(true);
  }
}

/** Parses a real `.npy` of float64 `(rows, cols)` into row-major values. */
function readNpyFloat64(path: string): { shape: number[]; data: Float64Array } {
  const b = readFileSync(path);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  expect(header).toContain("'descr': '<f8'");
  const shape = [...(/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').matchAll(/\d+/g)].map((m) =>
    Number(m[0]),
  );
  const body = new Float64Array(
    b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.byteLength),
  );
  const fortran = header.includes("'fortran_order': True");
  const [rows = 0, cols = 1] = shape;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      data[r * cols + c] = body[fortran ? c * rows + r : r * cols + c] as number;
  return { shape, data };
}

describe.skipIf(missingTabix.length > 0)(
  suiteName('haploid VCFs and BED strand "."', missingTabix),
  () => {
    let haploid: string;
    let bed: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'gvl-peer-format-'));
      // Columns B, A: B carries 1:100, A carries 1:120 and 1:150 (B is missing there).
      haploid = makeVcf('haploid', [
        '1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t1\t0',
        '1\t120\t.\tA\tC\t.\tPASS\t.\tGT\t0\t1',
        '1\t150\t.\tA\tT\t.\tPASS\t.\tGT\t.\t1',
      ]);
      bed = join(dir, 'r.bed');
      writeFileSync(bed, '1\t90\t210\tr0\t0\t.\n1\t110\t130\tr1\t0\t-\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('writes an all-haploid VCF with ploidy 2, the second haplotype REF', async () => {
      const out = join(dir, 'haploid.ours.gvl');
      const s = await write(out, {
        bed,
        variants: haploid,
        progress: false,
        onWarning: () => undefined,
      });
      expect(s.ploidy).toBe(2);
      expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).ploidy).toBe(2);
      // Sorted samples A, B → haplotypes A0, A1, B0, B1 per region. Region r0 = [90, 210)
      // holds all three records: A0 = {1, 2}, B0 = {0}; region r1 = [110, 130) holds 1:120:
      // A0 = {1}. Every second haplotype is empty.
      expect([...readInt64(join(out, 'genotypes', 'offsets.npy'))]).toEqual([
        0n,
        2n,
        2n,
        3n,
        3n,
        4n,
        4n,
        4n,
        4n,
      ]);
      expect([...readInt32(join(out, 'genotypes', 'variant_idxs.npy'))]).toEqual([1, 2, 0, 1]);
    });

    it.skipIf(missingPeer.length > 0)(
      suiteName('matches the peer byte for byte, except the documented differences', missingPeer),
      async () => {
        const ours = join(dir, 'dot.ours.gvl');
        const peer = join(dir, 'dot.peer.gvl');
        await write(ours, { bed, variants: haploid, progress: false, onWarning: () => undefined });
        peerWrite(peer, bed, haploid);
        sameBytes(ours, peer, [
          'metadata.json',
          'genotypes/offsets.npy',
          'genotypes/variant_idxs.npy',
        ]);
        // regions.npy: the peer writes float64 with NaN for strand '.'; ours is int32 with
        // +1 (what the peer itself reads '.' as). Every other value is equal.
        const o = readNpyInt32(join(ours, 'regions.npy'));
        const p = readNpyFloat64(join(peer, 'regions.npy'));
        expect(p.shape).toEqual(o.shape);
        for (let k = 0; k < o.data.length; k++) {
          const want = p.data[k] as number;
          if (k % 4 === 3 && Number.isNaN(want)) expect(o.data[k]).toBe(1);
          else expect(o.data[k]).toBe(want);
        }
        expect(Number.isNaN(p.data[3])).toBe(true);
        // input_regions.arrow: same columns, types and values, in the same order; only
        // the string encoding differs (polars writes Utf8View, this package Utf8).
        const compare = run(oraclePython, [
          '-c',
          [
            'import sys, json, pyarrow as pa, pyarrow.ipc as ipc',
            'def load(p):',
            '    t = ipc.open_file(p).read_all()',
            '    return t.cast(pa.schema([pa.field(f.name, pa.string() if pa.types.is_string_view(f.type) else f.type) for f in t.schema]))',
            'a, b = load(sys.argv[1]), load(sys.argv[2])',
            'print(json.dumps({"equal": a.equals(b), "types": [str(f.type) for f in ipc.open_file(sys.argv[2]).schema], "ours": [str(f.type) for f in ipc.open_file(sys.argv[1]).schema]}))',
          ].join('\n'),
          join(ours, 'input_regions.arrow'),
          join(peer, 'input_regions.arrow'),
        ]);
        const r = JSON.parse(compare) as { equal: boolean; types: string[]; ours: string[] };
        expect(r.equal).toBe(true);
        expect(r.ours).toEqual(['string', 'int64', 'int64', 'string', 'double', 'string', 'int64']);
        expect(r.types).toEqual([
          'string_view',
          'int64',
          'int64',
          'string_view',
          'double',
          'string_view',
          'int64',
        ]);
      },
    );
  },
);
