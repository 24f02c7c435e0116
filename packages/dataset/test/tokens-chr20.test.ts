import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { Dataset, type Dense, isGvlError, Ragged, type RaggedOneHot, write } from '../src/index.js';
import { capture, chr20, hasChr20, peerMissing, runPeer, suiteName } from './helpers.js';

const missing = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];
const ACGT = 'ACGT';

type Tokens = Ragged<Uint8Array> | Ragged<Int32Array> | Dense<Uint8Array> | Dense<Int32Array>;
type OneHot = RaggedOneHot | Dense<Float32Array>;
type Bytes = Ragged<Uint8Array> | Dense<Uint8Array>;

/** Row `i` of ragged or dense rows (`width` values per base; dense one-hot: `[..., L, width]`). */
function rowOf(
  a: Bytes | Tokens | OneHot,
  i: number,
  width = 1,
): Uint8Array | Int32Array | Float32Array {
  if (a instanceof Ragged) return a.row(i);
  if ('offsets' in a)
    return a.data.subarray(
      Number(a.offsets[i] as bigint) * width,
      Number(a.offsets[i + 1] as bigint) * width,
    );
  const L = (a.shape[a.shape.length - (width === 1 ? 1 : 2)] as number) * width;
  return a.data.subarray(i * L, (i + 1) * L);
}

function nRows(a: Bytes): number {
  if (a instanceof Ragged) return a.length;
  return a.data.length / (a.shape[a.shape.length - 1] as number);
}

/** Tokens back to ASCII through the alphabet (`unknown` for a token outside it). */
function detokenize(tokens: ArrayLike<number>, alphabet: string, unknown: number): Uint8Array {
  const out = new Uint8Array(tokens.length);
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j] as number;
    out[j] = t < alphabet.length ? alphabet.charCodeAt(t) : unknown;
  }
  return out;
}

/** One-hot rows back to ASCII: the column holding 1.0, `unknown` for an all-zero base. */
function unOneHot(values: Float32Array, alphabet: string, unknown: number): Uint8Array {
  const A = alphabet.length;
  const out = new Uint8Array(values.length / A);
  for (let j = 0; j < out.length; j++) {
    let hot = -1;
    for (let c = 0; c < A; c++) {
      const v = values[j * A + c] as number;
      if (v === 1) {
        if (hot !== -1) throw new Error(`base ${j}: two hot columns`);
        hot = c;
      } else if (v !== 0) throw new Error(`base ${j}: value ${v}`);
    }
    out[j] = hot === -1 ? unknown : alphabet.charCodeAt(hot);
  }
  return out;
}

/** ASCII with every byte outside `alphabet` replaced by `unknown`. */
function masked(bytes: Uint8Array, alphabet: string, unknown: number): Uint8Array {
  return bytes.map((b) => (alphabet.includes(String.fromCharCode(b)) ? b : unknown));
}

const sha = (b: Uint8Array | Int32Array | Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    .digest('hex');

async function forcedParallel<T>(f: () => Promise<T>): Promise<T> {
  const saved = process.env.GVL_FORCE_PARALLEL;
  process.env.GVL_FORCE_PARALLEL = '1';
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.GVL_FORCE_PARALLEL;
    else process.env.GVL_FORCE_PARALLEL = saved;
  }
}

describe.skipIf(missing.length > 0)(suiteName('tokens and one-hot on chr20', missing), () => {
  let dir = '';
  let dsPath = '';
  let ds: Dataset<'haplotypes' | 'reference', false, 'ragged'>;
  const SAMPLES = ['HG00096', 'HG00171', 'HG01504', 'NA06986'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-tokens-'));
    dsPath = join(dir, 'chr20.gvl');
    await write(dsPath, {
      bed: chr20.bed2kb,
      variants: chr20.vcf,
      reference: chr20.fasta,
      progress: false,
      onWarning: () => undefined,
    });
    ds = (await Dataset.open(dsPath, { reference: chr20.fasta }))
      .withTracks(false)
      .subsetTo({ samples: SAMPLES });
  }, 180_000);
  afterAll(() => {
    if (dir && !process.env.GVL_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ['haplotypes', 'reference'] as const) {
    for (const len of ['ragged', 2048] as const) {
      it(`${kind}, ${len}: uint8 and int32 tokens and one-hot decode back to the ASCII rows (all 488 windows, both strands)`, async () => {
        const view = ds.withSeqs(kind).withLen(len as 'ragged');
        const ascii = (await view.get()) as Bytes;
        const u8 = (await view
          .withSettings({ tokenAlphabet: ACGT, unknownToken: 4 })
          .get()) as Tokens;
        const i32 = (await view
          .withSettings({ tokenAlphabet: ACGT, unknownToken: 1000 })
          .get()) as Tokens;
        const oh = (await view.withSettings({ tokenAlphabet: ACGT, oneHot: true }).get()) as OneHot;
        expect(u8.data).toBeInstanceOf(Uint8Array);
        expect(i32.data).toBeInstanceOf(Int32Array);
        expect(oh.data).toBeInstanceOf(Float32Array);
        const lead = kind === 'haplotypes' ? [488, 4, 2] : [488, 4];
        const last = len === 'ragged' ? null : len;
        expect(u8.shape).toEqual([...lead, last]);
        expect(i32.shape).toEqual([...lead, last]);
        expect(oh.shape).toEqual([...lead, last, 4]);
        if (ascii instanceof Ragged) {
          expect((u8 as Ragged<Uint8Array>).offsets).toEqual(ascii.offsets);
          expect((oh as RaggedOneHot).offsets).toEqual(ascii.offsets);
        }
        const N = 78;
        let minus = 0;
        for (let k = 0; k < nRows(ascii); k++) {
          const want = masked(rowOf(ascii, k) as Uint8Array, ACGT, N);
          const row = rowOf(ascii, k) as Uint8Array;
          const got8 = detokenize(rowOf(u8, k), ACGT, N);
          const got32 = detokenize(rowOf(i32, k), ACGT, N);
          const gotOh = unOneHot(rowOf(oh, k, 4) as Float32Array, ACGT, N);
          if (sha(got8) !== sha(want)) throw new Error(`uint8 row ${k} differs`);
          if (sha(got32) !== sha(want)) throw new Error(`int32 row ${k} differs`);
          if (sha(gotOh) !== sha(want)) throw new Error(`one-hot row ${k} differs`);
          // Unknown bytes are the unknown token, not any alphabet token.
          const t = rowOf(i32, k);
          for (let j = 0; j < row.length; j++)
            if (!ACGT.includes(String.fromCharCode(row[j] as number)) && t[j] !== 1000)
              throw new Error(`row ${k} base ${j}: unknown byte gave token ${t[j]}`);
        }
        for (let r = 0; r < 488; r++) if (ds.region(r).strand === -1) minus++;
        expect(minus).toBeGreaterThan(100);
      }, 120_000);
    }
  }

  it("'variable' pads tokens with the token of N (the unknown token here) and one-hot with all-zero bases", async () => {
    const view = ds
      .withSeqs('haplotypes')
      .subsetTo({ regions: Array.from({ length: 40 }, (_, i) => i) });
    const rag = (await view
      .withSettings({ tokenAlphabet: ACGT, unknownToken: 7 })
      .get()) as Ragged<Uint8Array>;
    const tok = (await view
      .withLen('variable')
      .withSettings({ tokenAlphabet: ACGT, unknownToken: 7 })
      .get()) as Dense<Uint8Array>;
    const ohRag = (await view
      .withSettings({ tokenAlphabet: ACGT, oneHot: true })
      .get()) as RaggedOneHot;
    const oh = (await view
      .withLen('variable')
      .withSettings({ tokenAlphabet: ACGT, oneHot: true })
      .get()) as Dense<Float32Array>;
    const L = tok.shape[3] as number;
    expect(oh.shape).toEqual([40, 4, 2, L, 4]);
    let padded = 0;
    for (let k = 0; k < 40 * 4 * 2; k++) {
      const n = rag.row(k).length;
      const row = tok.data.subarray(k * L, (k + 1) * L);
      expect(sha(row.subarray(0, n))).toBe(sha(rag.row(k)));
      expect(row.subarray(n).every((x) => x === 7)).toBe(true);
      const ohRow = oh.data.subarray(k * L * 4, (k + 1) * L * 4);
      expect(sha(ohRow.subarray(0, n * 4))).toBe(sha(rowOf(ohRag, k, 4)));
      expect(ohRow.subarray(n * 4).every((x) => x === 0)).toBe(true);
      padded += L - n;
    }
    expect(padded).toBeGreaterThan(0);
    // N inside the alphabet: the pad is N's own token.
    const withN = (await view
      .withLen('variable')
      .withSettings({ tokenAlphabet: 'ACGTN', unknownToken: 9 })
      .get()) as Dense<Uint8Array>;
    for (let k = 0; k < 40 * 4 * 2; k++) {
      const n = rag.row(k).length;
      expect(withN.data.subarray(k * L + n, (k + 1) * L).every((x) => x === 4)).toBe(true);
    }
  });

  it('GVL_FORCE_PARALLEL=1 equals serial: tokens (uint8, int32) and one-hot, haplotypes and reference, ragged and 2048', async () => {
    for (const kind of ['haplotypes', 'reference'] as const) {
      for (const len of ['ragged', 2048] as const) {
        for (const settings of [
          { tokenAlphabet: ACGT, unknownToken: 4 },
          { tokenAlphabet: ACGT, unknownToken: 300 },
          { tokenAlphabet: ACGT, oneHot: true },
        ]) {
          const view = ds
            .withSeqs(kind)
            .withLen(len as 'ragged')
            .withSettings(settings);
          const serial = (await view.withSettings({ parallel: false }).get()) as Tokens | OneHot;
          const forced = (await forcedParallel(() =>
            view.withSettings({ parallel: 'auto' }).get(),
          )) as Tokens | OneHot;
          const what = `${kind} ${len} ${JSON.stringify(settings)}`;
          expect(sha(forced.data), what).toBe(sha(serial.data));
          expect(forced.shape, what).toEqual(serial.shape);
          if ('offsets' in serial)
            expect((forced as { offsets: BigInt64Array }).offsets, what).toEqual(serial.offsets);
        }
      }
    }
  }, 300_000);

  it('in batches: the same tokens as get()', async () => {
    const view = ds
      .withSeqs('haplotypes')
      .withLen(2048)
      .withSettings({ tokenAlphabet: ACGT, unknownToken: 4 })
      .subsetTo({ regions: Array.from({ length: 16 }, (_, i) => i) });
    const all = (await view.get()) as Dense<Uint8Array>;
    const seen: Uint8Array[] = [];
    for await (const b of view.batches({ batchSize: 8 }))
      seen.push((b.data as Dense<Uint8Array>).data);
    expect(sha(Buffer.concat(seen))).toBe(sha(all.data));
  });

  it('bad token settings are typed errors naming the value, before any batch', () => {
    const h = ds.withSeqs('haplotypes');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { tokenAlphabet: 'ACGA', unknownToken: 4 },
        'GVL_INVALID_ARGUMENT',
        /tokenAlphabet.*index 0/,
      ],
      [{ tokenAlphabet: ACGT }, 'GVL_INVALID_ARGUMENT', /unknownToken/],
      [{ unknownToken: 4 }, 'GVL_INVALID_ARGUMENT', /unknownToken 4/],
      [{ tokenAlphabet: ACGT, unknownToken: -1 }, 'GVL_INVALID_ARGUMENT', /unknownToken -1/],
      [{ tokenAlphabet: ACGT, unknownToken: 1.5 }, 'GVL_INVALID_ARGUMENT', /unknownToken 1.5/],
      [{ tokenAlphabet: ACGT, unknownToken: 2 ** 31 }, 'GVL_INVALID_ARGUMENT', /2147483648/],
      [{ tokenAlphabet: '', unknownToken: 0 }, 'GVL_INVALID_ARGUMENT', /tokenAlphabet/],
      [{ tokenAlphabet: 'ACGTé', unknownToken: 0 }, 'GVL_INVALID_ARGUMENT', /tokenAlphabet/],
      [{ tokenAlphabet: 42, unknownToken: 0 }, 'GVL_INVALID_ARGUMENT', /tokenAlphabet 42/],
      [{ oneHot: true }, 'GVL_INVALID_ARGUMENT', /oneHot/],
      [{ tokenAlphabet: 'AA', oneHot: true }, 'GVL_INVALID_ARGUMENT', /tokenAlphabet/],
      [{ tokenAlphabet: ACGT, oneHot: 'yes' }, 'GVL_INVALID_ARGUMENT', /oneHot "yes"/],
    ];
    for (const [patch, code, msg] of cases) {
      let err: unknown;
      try {
        h.withSettings(patch as never);
      } catch (e) {
        err = e;
      }
      expect(isGvlError(err, code as 'GVL_INVALID_ARGUMENT'), JSON.stringify(patch)).toBe(true);
      expect((err as Error).message, JSON.stringify(patch)).toMatch(msg);
    }
    const tok = h.withSettings({ tokenAlphabet: ACGT, unknownToken: 4 });
    expect(() => tok.withSeqs('annotated')).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_MODE' }),
    );
    expect(() =>
      ds.withSeqs('annotated').withSettings({ tokenAlphabet: ACGT, oneHot: true }),
    ).toThrow(expect.objectContaining({ code: 'GVL_INVALID_MODE' }));
    // Back to ASCII.
    expect(() =>
      tok.withSettings({ tokenAlphabet: null, unknownToken: null }).withSeqs('annotated'),
    ).not.toThrow();
    const oneHot = h.withSettings({ tokenAlphabet: ACGT, oneHot: true });
    const ascii = oneHot.withSettings({ tokenAlphabet: null });
    expect(ascii.settings).toMatchObject({
      tokenAlphabet: null,
      unknownToken: null,
      oneHot: false,
    });
  });

  async function gvl(args: string[]) {
    const c = capture();
    const code = await main(args, c.io);
    return { code, out: c.out.join(''), err: c.err.join('') };
  }

  it('gvl get --seqs tokens (text, --json, --one-hot) prints the API rows', async () => {
    const args = ['get', dsPath, '--reference', chr20.fasta, '--region', 'w0001'];
    const full = await Dataset.open(dsPath, { reference: chr20.fasta });
    const sample = 'HG00171';
    const api = (await full
      .withTracks(false)
      .withSettings({ tokenAlphabet: 'ACGTN', unknownToken: 5 })
      .get(1, sample)) as Ragged<Uint8Array>;
    const text = await gvl([
      ...args,
      '--sample',
      sample,
      '--seqs',
      'tokens',
      '--alphabet',
      'ACGTN',
    ]);
    expect(text.code, text.err).toBe(0);
    const recs = text.out.trimEnd().split(/^>/m).filter(Boolean);
    expect(recs.length).toBe(2);
    for (const [p, rec] of recs.entries()) {
      const [head, ...lines] = rec.split('\n').filter((l) => l !== '');
      expect(head).toBe(`w0001|${sample}|hap${p}`);
      expect(lines.every((l) => l.split(' ').length <= 60)).toBe(true);
      expect(lines.join(' ').split(' ').map(Number)).toEqual([...api.row(p)]);
    }
    const js = await gvl([...args, '--sample', sample, '--seqs', 'tokens', '--json']);
    expect(js.code, js.err).toBe(0);
    const apiAcgt = (await full
      .withTracks(false)
      .withSettings({ tokenAlphabet: ACGT, unknownToken: 4 })
      .get(1, sample)) as Ragged<Uint8Array>;
    const json = JSON.parse(js.out) as { unknownToken: number; haplotypes: { tokens: number[] }[] };
    expect(json.unknownToken).toBe(4);
    expect(json.haplotypes.map((h) => h.tokens)).toEqual([
      [...apiAcgt.row(0)],
      [...apiAcgt.row(1)],
    ]);
    const oh = await gvl([...args, '--sample', sample, '--seqs', 'tokens', '--one-hot', '--json']);
    expect(oh.code, oh.err).toBe(0);
    const ohJson = JSON.parse(oh.out) as { haplotypes: { oneHot: number[][] }[] };
    for (const p of [0, 1]) {
      const rows = ohJson.haplotypes[p]?.oneHot ?? [];
      expect(rows.length).toBe(apiAcgt.row(p).length);
      rows.forEach((r, j) => {
        const t = apiAcgt.row(p)[j] as number;
        expect(r).toEqual([0, 1, 2, 3].map((c) => (c === t ? 1 : 0)));
      });
    }
  });

  it('gvl get token flags: usage errors (exit 64) for a bad alphabet, flags without --seqs tokens, or tokens with --track', async () => {
    const base = [
      'get',
      join(dir, 'absent.gvl'),
      '--reference',
      chr20.fasta,
      '--region-index',
      '0',
      '--sample-index',
      '0',
    ];
    const dup = await gvl([...base, '--seqs', 'tokens', '--alphabet', 'ACGG']);
    expect(dup.code).toBe(64);
    expect(dup.err).toContain('--alphabet');
    const stray = await gvl([...base, '--one-hot']);
    expect(stray.code).toBe(64);
    expect(stray.err).toContain('--one-hot needs --seqs tokens');
    const withTrack = await gvl([...base, '--seqs', 'tokens', '--track', 'x']);
    expect(withTrack.code).toBe(64);
    expect(withTrack.err).toContain('--seqs tokens cannot be combined with --track');
  });

  describe.skipIf(peerMissing.length > 0)(
    suiteName('against the Python genvarloader', peerMissing),
    () => {
      it('every 8th window (even and odd) x 4 samples, haplotypes and reference, ragged and 2048, both strands: tokens (uint8 and int32 by its rule) and one-hot equal genvarloader 0.43.1 rows through its token table', async () => {
        // 61 windows 8 apart, alternately of even and odd index (the strands alternate).
        const regions = Array.from({ length: 61 }, (_, i) => i * 8 + (i % 2));
        expect(regions.some((r) => ds.region(r).strand === -1)).toBe(true);
        expect(regions.some((r) => ds.region(r).strand === 1)).toBe(true);
        for (const unknownToken of [4, 300]) {
          const spec = {
            regions,
            samples: SAMPLES,
            lengths: ['ragged', 2048],
            kinds: ['haplotypes', 'reference'],
            alphabet: ACGT,
            unknown_token: unknownToken,
          };
          const parsed = JSON.parse(
            runPeer('token_digests.py', [dsPath, '<reference>', JSON.stringify(spec)]),
          );
          expect(parsed.version).toBe('0.43.1');
          expect(parsed.dtype).toBe(unknownToken > 255 ? 'int32' : 'uint8');
          const theirs: Record<string, [number, string, string][]> = parsed.results;
          for (const kind of ['haplotypes', 'reference'] as const) {
            for (const len of ['ragged', 2048] as const) {
              const view = ds
                .withSeqs(kind)
                .withLen(len as 'ragged')
                .subsetTo({ regions });
              const tok = (await view
                .withSettings({ tokenAlphabet: ACGT, unknownToken })
                .get()) as Tokens;
              const oh = (await view
                .withSettings({ tokenAlphabet: ACGT, oneHot: true })
                .get()) as OneHot;
              const want = theirs[`${kind}/${len}`] ?? [];
              const rows = regions.length * 4 * (kind === 'haplotypes' ? 2 : 1);
              expect(want.length, `${kind}/${len}`).toBe(rows);
              for (let k = 0; k < rows; k++) {
                const t = rowOf(tok, k);
                expect([t.length, sha(t), sha(rowOf(oh, k, 4))], `${kind}/${len} row ${k}`).toEqual(
                  want[k],
                );
              }
            }
          }
        }
      }, 600_000);
    },
  );
});
