// The @example blocks of the public TSDoc, run and checked, so docs cannot drift.
import { describe, expect, it } from 'vitest';
import { native } from '../src-ts/binding.js';
import {
  configureLimits,
  counters,
  gatherVariants,
  getDiffs,
  getReference,
  hash4,
  intervalsToTracks,
  limitsInfo,
  realignTracks,
  reconstructHaplotypes,
  reverseComplement,
  reverseRows,
  xorshift64,
} from '../src-ts/index.js';

describe('documented examples', () => {
  it('reconstructHaplotypes', async () => {
    const enc = new TextEncoder();
    const data = await reconstructHaplotypes({
      regions: new Int32Array([0, 2, 8]), // contig 0, [2, 8)
      ploidy: 1,
      groups: new BigInt64Array([0n]),
      genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
      // an insertion after position 3: T -> TGG
      variants: {
        starts: new Int32Array([3]),
        ilens: new Int32Array([2]),
        alts: enc.encode('TGG'),
        altOffsets: new BigInt64Array([0n, 3n]),
      },
      reference: { sequence: enc.encode('ACGTACGTAC'), offsets: new BigInt64Array([0n, 10n]) },
      outOffsets: new BigInt64Array([0n, 8n]),
    });
    expect(new TextDecoder().decode(data)).toBe('GTGGACGT');
  });

  it('getDiffs', async () => {
    const diffs = await getDiffs({
      regions: new Int32Array([0, 0, 10]),
      ploidy: 1,
      groups: new BigInt64Array([0n]),
      genotypes: { offsets: new BigInt64Array([0n, 2n]), variantIdxs: new Int32Array([0, 1]) },
      variants: { starts: new Int32Array([2, 8]), ilens: new Int32Array([3, -4]) },
    });
    expect(diffs).toEqual(new Int32Array([2]));
  });

  it('getReference', async () => {
    const data = await getReference({
      regions: new Int32Array([0, -2, 3]),
      reference: {
        sequence: new TextEncoder().encode('ACGTA'),
        offsets: new BigInt64Array([0n, 5n]),
      },
      outOffsets: new BigInt64Array([0n, 5n]),
    });
    expect(new TextDecoder().decode(data)).toBe('NNACG');
  });

  it('intervalsToTracks', async () => {
    const track = await intervalsToTracks({
      regions: new Int32Array([0, 10, 16]),
      groups: new BigInt64Array([0n]),
      intervals: {
        starts: new Int32Array([8, 12]),
        ends: new Int32Array([11, 14]),
        values: new Float32Array([1, 2]),
        offsets: new BigInt64Array([0n, 2n]),
      },
      outOffsets: new BigInt64Array([0n, 6n]),
    });
    expect(track).toEqual(new Float32Array([1, 0, 2, 2, 0, 0]));
  });

  it('realignTracks', async () => {
    const out = await realignTracks({
      regions: new Int32Array([0, 100, 104]),
      ploidy: 1,
      groups: new BigInt64Array([0n]),
      genotypes: { offsets: new BigInt64Array([0n, 1n]), variantIdxs: new Int32Array([0]) },
      variants: { starts: new Int32Array([101]), ilens: new Int32Array([2]) },
      tracks: new Float32Array([1, 2, 3, 4]),
      trackOffsets: new BigInt64Array([0n, 4n]),
      outOffsets: new BigInt64Array([0n, 6n]),
      fill: { kind: 'constant', value: 0.5 },
    });
    expect(out).toEqual(new Float32Array([1, 0.5, 0.5, 0.5, 3, 4]));
  });

  it('reverseComplement and reverseRows', async () => {
    const data = new TextEncoder().encode('AACGnTTTG');
    await reverseComplement({
      data,
      offsets: new BigInt64Array([0n, 5n, 9n]),
      rows: new Uint8Array([1, 0]),
    });
    expect(new TextDecoder().decode(data)).toBe('nCGTTTTTG');
    const track = new Float32Array([1, 2, 3, 4]);
    await reverseRows({ data: track, offsets: new BigInt64Array([0n, 3n, 4n]) });
    expect(track).toEqual(new Float32Array([3, 2, 1, 4]));
  });

  it('gatherVariants', async () => {
    const enc = new TextEncoder();
    const v = await gatherVariants({
      groups: new BigInt64Array([1n, 0n]), // row 0: group 1; row 1: group 0
      genotypes: {
        offsets: new BigInt64Array([0n, 1n, 3n]),
        variantIdxs: new Int32Array([0, 0, 1]),
      },
      // T -> TGG at 3, a 1-base deletion at 7 (ALT C)
      variants: {
        starts: new Int32Array([3, 7]),
        ilens: new Int32Array([2, -1]),
        alts: enc.encode('TGGC'),
        altOffsets: new BigInt64Array([0n, 3n, 4n]),
      },
      rcMask: new Uint8Array([0, 1]), // row 1 is on the negative strand
    });
    expect(v.offsets).toEqual(new BigInt64Array([0n, 2n, 3n]));
    expect(v.start).toEqual(new Int32Array([3, 7, 3]));
    expect(v.ilen).toEqual(new Int32Array([2, -1, 2]));
    expect(new TextDecoder().decode(v.alt)).toBe('TGGCCCA');
    expect(v.altOffsets).toEqual(new BigInt64Array([0n, 3n, 4n, 7n]));
    // the five columns are V8 buffers too: transferable, not external
    const buffers = Object.values(v).map((a) => a.buffer as ArrayBuffer);
    const moved = structuredClone(v, { transfer: buffers });
    expect(v.alt.byteLength).toBe(0);
    expect(new TextDecoder().decode(moved.alt)).toBe('TGGCCCA');
  });

  it('outputs are ordinary V8 buffers: transferable, not external', async () => {
    const out = await getReference({
      regions: new Int32Array([0, 0, 4]),
      reference: {
        sequence: new TextEncoder().encode('ACGT'),
        offsets: new BigInt64Array([0n, 4n]),
      },
      outOffsets: new BigInt64Array([0n, 4n]),
    });
    const moved = structuredClone(out, { transfer: [out.buffer as ArrayBuffer] });
    expect(out.byteLength).toBe(0); // detached: moved, not copied
    expect(new TextDecoder().decode(moved)).toBe('ACGT');
  });

  it('the raw binding allocates its own output when given none', () => {
    const enc = new TextEncoder();
    const out = native.getReferenceSync(
      {
        regions: new Int32Array([0, -1, 3]),
        reference: { sequence: enc.encode('ACGT'), offsets: new BigInt64Array([0n, 4n]) },
        outOffsets: new BigInt64Array([0n, 5n]),
      },
      true,
    );
    expect(new TextDecoder().decode(out)).toBe('NACGT');
  });

  it('xorshift64, hash4 and counters', () => {
    expect(xorshift64(1n)).toBe(1082269761n);
    expect(hash4(1n, 2n, 3n, 4n)).toBe(11323120931611735037n);
    const c = counters();
    expect(c.started).toBe(c.completed + c.cancelled + c.failed + c.inFlight);
  });

  it('limitsInfo and configureLimits', () => {
    const { maxOutputBytes, source } = limitsInfo();
    if (process.env.GVL_MAX_OUTPUT_BYTES === undefined) {
      expect([maxOutputBytes, source]).toStrictEqual([4294967296, 'default']);
    }
    configureLimits({ maxOutputBytes: 512 * 2 ** 20 }); // 512 MiB per call
    expect(limitsInfo()).toStrictEqual({ maxOutputBytes: 536870912, source: 'configureLimits' });
    configureLimits({ maxOutputBytes: 4294967296 });
  });
});
