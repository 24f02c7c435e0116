/**
 * The corruption suite: single-fault corruptions of real written datasets (1000 Genomes
 * chr20; the hg38 chr16 chunk with bigWig tracks), each with the exact expected outcome:
 *
 * - `error`: `Dataset.open` (with the reference) rejects with `GVL_BAD_DATASET` naming
 *   the file at fault, and `verifyDataset` reports a problem with that file;
 * - `same`: everything read (haplotypes, reference, variants, tracks, names) is
 *   byte-identical to the pristine dataset; `verify` says whether it still flags the
 *   fault (a full-only check);
 * - `verify-only`: a fault no cheap check can see in a dataset without `checksums.json`
 *   (like every dataset the Python peer writes); `verifyDataset` must flag it.
 *
 * `sealed` cases keep `checksums.json` (as `write` leaves it); the others delete it first,
 * so the structural checks are exercised as they are on the peer's datasets.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import {
  Int32,
  makeVector,
  type Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import {
  BadDatasetError,
  Dataset,
  datasetInfo,
  slice,
  verifyDataset,
  write,
} from '../src/index.js';
import { makeChr16Fixture } from './chr16-fixture.js';
import {
  capture,
  chr20,
  hasChr16,
  hasChr20,
  hasTabix,
  oracleReason,
  suiteName,
} from './helpers.js';

type Fault = (dir: string) => void;
type Expect =
  | { kind: 'error'; file: string; index?: number; message?: RegExp }
  | { kind: 'same'; verify: 'ok' | 'flags' }
  | { kind: 'verify-only'; check: string };
interface Case {
  name: string;
  sealed: boolean;
  fault: Fault;
  expect: Expect;
}

// ---- fault helpers -------------------------------------------------------------------

const M = 'metadata.json';
const IR = 'input_regions.arrow';
const RN = 'regions.npy';
const OF = 'genotypes/offsets.npy';
const VI = 'genotypes/variant_idxs.npy';
const VA = 'genotypes/variants.arrow';
const CK = 'checksums.json';

function truncate(rel: string, keep: (size: number) => number): Fault {
  return (d) => {
    const size = readFileSync(join(d, rel)).length;
    truncateSync(join(d, rel), keep(size));
  };
}
function flip(rel: string, at: (size: number) => number): Fault {
  return (d) => {
    const b = readFileSync(join(d, rel));
    const i = at(b.length);
    b[i] = (b[i] as number) ^ 0x5a;
    writeFileSync(join(d, rel), b);
  };
}
function editMeta(edit: (m: Record<string, unknown>) => unknown): Fault {
  return (d) => {
    const m = JSON.parse(readFileSync(join(d, M), 'utf8'));
    const r = edit(m);
    // An edit returns the new document, or nothing (or `delete`'s boolean) to keep `m`.
    writeFileSync(join(d, M), JSON.stringify(r === undefined || typeof r === 'boolean' ? m : r));
  };
}
function i64(d: string, rel: string): BigInt64Array {
  const b = readFileSync(join(d, rel));
  return new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}
function i32(d: string, rel: string): Int32Array {
  const b = readFileSync(join(d, rel));
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}
function editI64(rel: string, edit: (a: BigInt64Array) => unknown): Fault {
  return (d) => {
    const a = i64(d, rel);
    const r = edit(a);
    writeFileSync(join(d, rel), new Uint8Array((r instanceof BigInt64Array ? r : a).buffer));
  };
}
function editI32(rel: string, edit: (a: Int32Array, d: string) => unknown): Fault {
  return (d) => {
    const a = i32(d, rel);
    const r = edit(a, d);
    writeFileSync(join(d, rel), new Uint8Array((r instanceof Int32Array ? r : a).buffer));
  };
}
/** Rewrites an Arrow IPC file with one column replaced (or removed when `make` returns null). */
function editArrow(rel: string, col: string, make: (t: Table) => Vector | null): Fault {
  return (d) => {
    const t = tableFromIPC(readFileSync(join(d, rel)));
    const cols: Record<string, Vector> = {};
    for (const f of t.schema.fields) {
      if (f.name !== col) cols[f.name] = t.getChild(f.name) as Vector;
      else {
        const v = make(t);
        if (v) cols[f.name] = v;
      }
    }
    writeFileSync(join(d, rel), tableToIPC(new arrow.Table(cols), 'file'));
  };
}
/** Appends column `col` (from `make`) to the Arrow file `rel`. */
function addArrowColumn(rel: string, col: string, make: (t: Table) => Vector): Fault {
  return (d) => {
    const t = tableFromIPC(readFileSync(join(d, rel)));
    const cols: Record<string, Vector> = {};
    for (const f of t.schema.fields) cols[f.name] = t.getChild(f.name) as Vector;
    cols[col] = make(t);
    writeFileSync(join(d, rel), tableToIPC(new arrow.Table(cols), 'file'));
  };
}
function values(t: Table, name: string): unknown[] {
  return Array.from((t.getChild(name) as Vector).toArray() as ArrayLike<unknown>);
}
function bigints(xs: unknown[]): Vector {
  return makeVector(BigInt64Array.from(xs, (x) => BigInt(x as number | bigint)));
}
/** First haplotype group with at least `n` variants. */
function groupWith(offsets: BigInt64Array, n: number): [number, number] {
  for (let g = 0; g + 1 < offsets.length; g++) {
    const a = Number(offsets[g]);
    const b = Number(offsets[g + 1]);
    if (b - a >= n) return [a, b];
  }
  throw new Error('no group with enough variants');
}

// ---- what a read returns -------------------------------------------------------------

function digestOf(value: unknown, h: ReturnType<typeof createHash>): void {
  if (ArrayBuffer.isView(value)) {
    h.update(`${value.constructor.name}:${value.byteLength}:`);
    h.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (Array.isArray(value)) {
    h.update(`[${value.length}`);
    for (const v of value) digestOf(v, h);
    h.update(']');
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value).sort()) {
      h.update(`{${k}:`);
      digestOf((value as Record<string, unknown>)[k], h);
    }
  } else {
    h.update(JSON.stringify(value) ?? 'undefined');
  }
}

/** SHA-256 over everything the dataset returns: names, shapes and every output's bytes. */
async function readAll(path: string, reference: string): Promise<string> {
  const ds = await Dataset.open(path, { reference });
  const all = [slice(), slice()] as const;
  const parts: unknown[] = [
    ds.samples,
    ds.contigs,
    ds.shape,
    ds.ploidy,
    ds.maxJitter,
    ds.availableTracks,
  ];
  if (ds.hasGenotypes) {
    parts.push(
      await ds
        .withSeqs('haplotypes')
        .withTracks(false)
        .get(...all),
    );
    parts.push(
      await ds
        .withSeqs('variants')
        .withTracks(false)
        .get(...all),
    );
  }
  parts.push(
    await ds
      .withSeqs('reference')
      .withTracks(false)
      .get(...all),
  );
  if (ds.availableTracks.length > 0) {
    parts.push(
      await ds
        .withSeqs(null)
        .withTracks(true)
        .get(...all),
    );
    parts.push(
      await ds
        .withSeqs('haplotypes')
        .withTracks(true)
        .get(...all),
    );
  }
  const h = createHash('sha256');
  digestOf(parts, h);
  return h.digest('hex');
}

// ---- the cases -----------------------------------------------------------------------

const err = (file: string, message?: RegExp, index?: number): Expect => ({
  kind: 'error',
  file,
  ...(message ? { message } : {}),
  ...(index !== undefined ? { index } : {}),
});
const sealed = (name: string, fault: Fault, expect: Expect): Case => ({
  name,
  sealed: true,
  fault,
  expect,
});
const bare = (name: string, fault: Fault, expect: Expect): Case => ({
  name,
  sealed: false,
  fault,
  expect,
});

const CHR20_CASES: Case[] = [
  // truncations (checksums catch them first; without checksums, the structural checks)
  sealed(
    'truncated metadata.json',
    truncate(M, (n) => n >> 1),
    err(M),
  ),
  sealed(
    'empty metadata.json',
    truncate(M, () => 0),
    err(M),
  ),
  sealed(
    'truncated input_regions.arrow',
    truncate(IR, (n) => n >> 1),
    err(IR),
  ),
  sealed(
    'truncated regions.npy',
    truncate(RN, (n) => n - 4),
    err(RN),
  ),
  sealed(
    'truncated offsets.npy',
    truncate(OF, (n) => n - 8),
    err(OF),
  ),
  sealed(
    'truncated variant_idxs.npy',
    truncate(VI, (n) => n - 4),
    err(VI),
  ),
  sealed(
    'truncated variants.arrow',
    truncate(VA, (n) => n >> 1),
    err(VA),
  ),
  sealed(
    'truncated checksums.json',
    truncate(CK, (n) => n >> 1),
    err(CK),
  ),
  bare(
    'truncated input_regions.arrow, no checksums',
    truncate(IR, (n) => n >> 1),
    err(IR, /Arrow/),
  ),
  bare(
    'truncated regions.npy, no checksums',
    truncate(RN, (n) => n - 4),
    err(RN, /bytes: expected/),
  ),
  bare(
    'offsets.npy one element short, no checksums',
    truncate(OF, (n) => n - 8),
    err(OF, /entries: expected/),
  ),
  bare(
    'offsets.npy with a partial element',
    truncate(OF, (n) => n - 3),
    err(OF, /multiple of 8/),
  ),
  bare(
    'variant_idxs.npy one element short',
    truncate(VI, (n) => n - 4),
    err(OF, /last offset/),
  ),
  bare(
    'variant_idxs.npy with a partial element',
    truncate(VI, (n) => n - 1),
    err(VI, /multiple of 4/),
  ),
  bare(
    'truncated variants.arrow, no checksums',
    truncate(VA, (n) => n >> 1),
    err(VA, /Arrow/),
  ),
  bare(
    'regions.npy cut inside its header',
    truncate(RN, () => 20),
    err(RN, /header/),
  ),
  // byte flips
  sealed(
    'flipped byte in metadata.json',
    flip(M, (n) => n >> 1),
    err(M, /SHA-256/),
  ),
  sealed(
    'flipped Arrow magic of input_regions.arrow',
    flip(IR, () => 0),
    err(IR, /SHA-256/),
  ),
  sealed(
    'flipped data byte of input_regions.arrow',
    flip(IR, (n) => n >> 1),
    err(IR, /SHA-256/),
  ),
  sealed(
    'flipped npy magic of regions.npy',
    flip(RN, () => 1),
    err(RN, /SHA-256/),
  ),
  sealed(
    'flipped last byte of regions.npy',
    flip(RN, (n) => n - 1),
    err(RN, /SHA-256/),
  ),
  sealed(
    'flipped low byte in offsets.npy',
    flip(OF, (n) => (n >> 1) & ~7),
    err(OF, /SHA-256/),
  ),
  sealed(
    'flipped low byte in variant_idxs.npy',
    flip(VI, (n) => (n >> 1) & ~3),
    err(VI, /SHA-256/),
  ),
  sealed(
    'flipped byte in variants.arrow',
    flip(VA, (n) => n >> 1),
    err(VA, /SHA-256/),
  ),
  sealed(
    'flipped hex digit in checksums.json',
    (d) => {
      const t = readFileSync(join(d, CK), 'utf8');
      const i = t.search(/[0-9a-f]{64}/);
      writeFileSync(join(d, CK), t.slice(0, i) + (t[i] === '0' ? '1' : '0') + t.slice(i + 1));
    },
    err(OF, /SHA-256/),
  ),
  bare(
    'flipped npy magic of regions.npy, no checksums',
    flip(RN, () => 1),
    err(RN, /magic/),
  ),
  bare(
    'flipped high byte of offsets[1]',
    flip(OF, () => 15),
    err(OF, /offsets\[1\]|non-decreasing/),
  ),
  bare(
    'flipped high byte of a variant index',
    flip(VI, () => 3),
    err(VI, /variant_idxs\[0\]/, 0),
  ),
  bare(
    'flipped Arrow magic of variants.arrow, no checksums',
    flip(VA, () => 0),
    err(VA, /Arrow/),
  ),
  // missing files and kinds
  sealed('metadata.json removed', (d) => rmSync(join(d, M)), err(M, /missing/)),
  sealed('input_regions.arrow removed', (d) => rmSync(join(d, IR)), err(IR, /missing/)),
  sealed('regions.npy removed', (d) => rmSync(join(d, RN)), err(RN, /missing/)),
  sealed('offsets.npy removed', (d) => rmSync(join(d, OF)), err(OF, /missing/)),
  sealed('variant_idxs.npy removed', (d) => rmSync(join(d, VI)), err(VI, /missing/)),
  sealed('variants.arrow removed', (d) => rmSync(join(d, VA)), err(VA, /missing/)),
  sealed(
    'genotypes/ removed',
    (d) => rmSync(join(d, 'genotypes'), { recursive: true }),
    err('genotypes', /missing/),
  ),
  bare(
    'genotypes/ replaced by a file',
    (d) => {
      rmSync(join(d, 'genotypes'), { recursive: true });
      writeFileSync(join(d, 'genotypes'), 'x');
    },
    err('genotypes', /expected a directory/),
  ),
  bare(
    'offsets.npy replaced by a directory',
    (d) => {
      rmSync(join(d, OF));
      mkdirSync(join(d, OF));
    },
    err(OF, /expected a file/),
  ),
  sealed('checksums.json removed', (d) => rmSync(join(d, CK)), { kind: 'same', verify: 'ok' }),
  sealed('an unrelated file added', (d) => writeFileSync(join(d, 'NOTES.txt'), 'hello'), {
    kind: 'same',
    verify: 'flags',
  }),
  // offsets
  bare(
    'offsets[0] = 5',
    editI64(OF, (a) => {
      a[0] = 5n;
    }),
    err(OF, /offsets\[0\] = 5/, 0),
  ),
  bare(
    'last offset + 1',
    editI64(OF, (a) => {
      a[a.length - 1] = (a[a.length - 1] as bigint) + 1n;
    }),
    err(OF, /last offset/),
  ),
  bare(
    'last offset − 1',
    editI64(OF, (a) => {
      a[a.length - 1] = (a[a.length - 1] as bigint) - 1n;
    }),
    err(OF, /non-decreasing|last offset/),
  ),
  bare(
    'non-monotone offsets',
    editI64(OF, (a) => {
      const [s] = groupWith(a, 2);
      const g = a.indexOf(BigInt(s));
      a[g + 1] = (a[g + 2] as bigint) + 1n;
      return undefined;
    }),
    err(OF, /non-decreasing/),
  ),
  bare(
    'negative offset',
    editI64(OF, (a) => {
      a[7] = -1n;
    }),
    err(OF, /offsets\[7\] = -1/, 7),
  ),
  bare(
    'one offset too many',
    editI64(OF, (a) => {
      const b = new BigInt64Array(a.length + 1);
      b.set(a);
      b[a.length] = a[a.length - 1] as bigint;
      return b;
    }),
    err(OF, /entries: expected/),
  ),
  // variant indices
  bare(
    'variant index = number of variants',
    editI32(VI, (a, d) => {
      a[0] = tableFromIPC(readFileSync(join(d, VA))).numRows;
      return undefined;
    }),
    err(VI, /variant_idxs\[0\]/, 0),
  ),
  bare(
    'negative variant index',
    editI32(VI, (a) => {
      a[5] = -1;
    }),
    err(VI, /variant_idxs\[5\] = -1/, 5),
  ),
  bare(
    'descending variant indices within a haplotype',
    (d) => {
      const [s] = groupWith(i64(d, OF), 2);
      editI32(VI, (a) => {
        const t = a[s] as number;
        a[s] = a[s + 1] as number;
        a[s + 1] = t;
        return undefined;
      })(d);
    },
    err(VI, /strictly ascending/),
  ),
  bare(
    'a variant repeated within a haplotype',
    (d) => {
      const [s] = groupWith(i64(d, OF), 2);
      editI32(VI, (a) => {
        a[s + 1] = a[s] as number;
      })(d);
    },
    err(VI, /strictly ascending/),
  ),
  {
    name: 'a haplotype carrying a far-away variant (in range, ascending)',
    sealed: false,
    fault: (d) => {
      const [, e] = groupWith(i64(d, OF), 1);
      const n = tableFromIPC(readFileSync(join(d, VA))).numRows;
      editI32(VI, (a) => {
        a[e - 1] = n - 1;
      })(d);
    },
    expect: { kind: 'verify-only', check: 'variant-placement' },
  },
  // metadata values and types (unsealed: the schema itself)
  bare(
    'metadata.json = null',
    editMeta(() => null),
    err(M, /the document is null/),
  ),
  bare(
    'metadata.json = []',
    editMeta(() => []),
    err(M, /JSON object/),
  ),
  bare(
    'metadata.json = 42',
    editMeta(() => 42),
    err(M, /JSON object/),
  ),
  bare('metadata.json not JSON', (d) => writeFileSync(join(d, M), '{"samples": ['), err(M, /JSON/)),
  bare(
    'n_regions missing',
    editMeta((m) => delete m.n_regions),
    err(M, /n_regions is missing/),
  ),
  bare(
    'n_regions as a string',
    editMeta((m) => {
      m.n_regions = String(m.n_regions);
    }),
    err(M, /n_regions/),
  ),
  bare(
    'n_regions one short',
    editMeta((m) => {
      m.n_regions = (m.n_regions as number) - 1;
    }),
    err(IR, /n_regions/),
  ),
  bare(
    'n_regions = 1.5',
    editMeta((m) => {
      m.n_regions = 1.5;
    }),
    err(M, /n_regions/),
  ),
  bare(
    'samples missing',
    editMeta((m) => delete m.samples),
    err(M, /samples/),
  ),
  bare(
    'samples a string',
    editMeta((m) => {
      m.samples = 'HG00096';
    }),
    err(M, /samples/),
  ),
  bare(
    'a number as a sample name',
    editMeta((m) => {
      (m.samples as unknown[])[0] = 96;
    }),
    err(M, /samples\[0\]/, 0),
  ),
  bare(
    'duplicate sample names',
    editMeta((m) => {
      const s = m.samples as string[];
      s[1] = s[0] as string;
    }),
    err(M, /samples\[1\].*repeats/, 1),
  ),
  bare(
    'unsorted sample names',
    editMeta((m) => {
      const s = m.samples as string[];
      [s[0], s[1]] = [s[1] as string, s[0] as string];
    }),
    err(M, /samples\[1\].*sorted/, 1),
  ),
  bare(
    'a sample dropped (wrong n_samples)',
    editMeta((m) => {
      (m.samples as string[]).pop();
    }),
    err(OF, /entries: expected/),
  ),
  bare(
    'contigs missing',
    editMeta((m) => delete m.contigs),
    err(M, /contigs/),
  ),
  bare(
    'a number as a contig name',
    editMeta((m) => {
      m.contigs = [20];
    }),
    err(M, /contigs\[0\]/, 0),
  ),
  bare(
    'duplicate contigs',
    editMeta((m) => {
      m.contigs = ['20', '20'];
    }),
    err(M, /repeats/),
  ),
  bare(
    'contig renamed',
    editMeta((m) => {
      m.contigs = ['21'];
    }),
    err(IR, /chrom\[0\]/),
  ),
  bare(
    'ploidy 3',
    editMeta((m) => {
      m.ploidy = 3;
    }),
    err(OF, /entries: expected/),
  ),
  bare(
    'ploidy null with genotypes',
    editMeta((m) => {
      m.ploidy = null;
    }),
    err(M, /ploidy is null/),
  ),
  bare(
    'ploidy "2"',
    editMeta((m) => {
      m.ploidy = '2';
    }),
    err(M, /ploidy/),
  ),
  bare(
    'ploidy 0',
    editMeta((m) => {
      m.ploidy = 0;
    }),
    err(M, /ploidy/),
  ),
  bare(
    'format_version missing',
    editMeta((m) => delete m.format_version),
    err(M, /format_version/),
  ),
  bare(
    'format_version 1.0.0',
    editMeta((m) => {
      m.format_version = '1.0.0';
    }),
    err(M, /format_version/),
  ),
  bare(
    'format_version a number',
    editMeta((m) => {
      m.format_version = 2;
    }),
    err(M, /format_version/),
  ),
  bare(
    'max_jitter −1',
    editMeta((m) => {
      m.max_jitter = -1;
    }),
    err(M, /max_jitter/),
  ),
  bare(
    'max_jitter "0"',
    editMeta((m) => {
      m.max_jitter = '0';
    }),
    err(M, /max_jitter/),
  ),
  bare(
    'version a number',
    editMeta((m) => {
      m.version = 43;
    }),
    err(M, /version/),
  ),
  bare(
    'svar_link set',
    editMeta((m) => {
      m.svar_link = 'x.svar';
    }),
    err(M, /svar_link/),
  ),
  bare(
    'an extra key',
    editMeta((m) => {
      m.comment = 'hello';
    }),
    { kind: 'same', verify: 'ok' },
  ),
  bare(
    'keys reordered',
    editMeta((m) => Object.fromEntries(Object.entries(m).reverse())),
    {
      kind: 'same',
      verify: 'ok',
    },
  ),
  // input_regions.arrow columns and coordinates
  bare(
    'chromEnd column missing',
    editArrow(IR, 'chromEnd', () => null),
    err(IR, /chromEnd/),
  ),
  bare(
    'r_idx_map column missing',
    editArrow(IR, 'r_idx_map', () => null),
    err(IR, /r_idx_map/),
  ),
  bare(
    'chromStart as Utf8',
    editArrow(IR, 'chromStart', (t) =>
      vectorFromArray(values(t, 'chromStart').map(String), new Utf8()),
    ),
    err(IR, /chromStart has type/),
  ),
  bare(
    'a null chrom',
    editArrow(IR, 'chrom', (t) =>
      vectorFromArray(
        values(t, 'chrom').map((c, i) => (i === 3 ? null : c)) as (string | null)[],
        new Utf8(),
      ),
    ),
    err(IR, /chrom\[3\] is null/, 3),
  ),
  bare(
    'r_idx_map with a repeat',
    editArrow(IR, 'r_idx_map', (t) => {
      const v = values(t, 'r_idx_map');
      v[1] = v[0];
      return bigints(v);
    }),
    err(IR, /permutation/, 1),
  ),
  bare(
    'r_idx_map with two regions swapped',
    editArrow(IR, 'r_idx_map', (t) => {
      const v = values(t, 'r_idx_map');
      [v[2], v[9]] = [v[9], v[2]];
      return bigints(v);
    }),
    err(IR, /sorted by start/),
  ),
  bare(
    'chromEnd <= chromStart',
    editArrow(IR, 'chromEnd', (t) => {
      const s = values(t, 'chromStart');
      const v = values(t, 'chromEnd');
      v[4] = s[4];
      return bigints(v);
    }),
    err(IR, /chromEnd\[4\]/, 4),
  ),
  bare(
    'chromEnd past the contig',
    editArrow(IR, 'chromEnd', (t) => {
      const v = values(t, 'chromEnd');
      v[v.length - 1] = 3_000_000;
      return bigints(v);
    }),
    err(IR, /past the end of contig/),
  ),
  bare(
    'negative chromStart',
    editArrow(IR, 'chromStart', (t) => {
      const v = values(t, 'chromStart');
      v[0] = -5;
      return bigints(v);
    }),
    err(IR, /chromStart\[0\] = -5/, 0),
  ),
  bare(
    'chromStart ≥ 2^31',
    editArrow(IR, 'chromStart', (t) => {
      const v = values(t, 'chromStart');
      v[0] = 2 ** 31;
      return bigints(v);
    }),
    err(IR, /chromStart\[0\]/, 0),
  ),
  bare(
    'a chrom absent from contigs',
    editArrow(IR, 'chrom', (t) =>
      vectorFromArray(
        values(t, 'chrom').map((c, i) => (i === 2 ? '7' : c)) as string[],
        new Utf8(),
      ),
    ),
    err(IR, /chrom\[2\]/, 2),
  ),
  // variants.arrow columns
  bare(
    'an integer INFO column with a null',
    addArrowColumn(VA, 'AC', (t) =>
      vectorFromArray(
        Array.from({ length: t.numRows }, (_, i) => (i === 5 ? null : i)),
        new Int32(),
      ),
    ),
    err(VA, /AC\[5\] is null/, 5),
  ),
  bare(
    'a float INFO column with a null (read as NaN) and a text column: opens, reads the same',
    (d) => {
      addArrowColumn(VA, 'AF', (t) =>
        vectorFromArray(
          Array.from({ length: t.numRows }, (_, i) => (i === 5 ? null : i / t.numRows)),
          new arrow.Float32(),
        ),
      )(d);
      addArrowColumn(VA, 'NOTE', (t) =>
        vectorFromArray(
          Array.from({ length: t.numRows }, () => 'x'),
          new Utf8(),
        ),
      )(d);
    },
    { kind: 'same', verify: 'ok' },
  ),
  bare(
    'ALT column missing',
    editArrow(VA, 'ALT', () => null),
    err(VA, /ALT/),
  ),
  bare(
    'an empty ALT',
    editArrow(VA, 'ALT', (t) =>
      vectorFromArray(values(t, 'ALT').map((a, i) => (i === 6 ? '' : a)) as string[], new Utf8()),
    ),
    err(VA, /ALT\[6\]/, 6),
  ),
  bare(
    'a null ALT',
    editArrow(VA, 'ALT', (t) =>
      vectorFromArray(
        values(t, 'ALT').map((a, i) => (i === 6 ? null : a)) as (string | null)[],
        new Utf8(),
      ),
    ),
    err(VA, /ALT\[6\] is null/, 6),
  ),
  bare(
    'ILEN inconsistent with REF/ALT',
    editArrow(VA, 'ILEN', (t) =>
      makeVector(Int32Array.from(values(t, 'ILEN') as number[], (x, i) => (i === 8 ? x + 1 : x))),
    ),
    err(VA, /ILEN\[8\]/, 8),
  ),
  bare(
    'POS as Utf8',
    editArrow(VA, 'POS', (t) => vectorFromArray(values(t, 'POS').map(String), new Utf8())),
    err(VA, /POS has type/),
  ),
  bare(
    'POS = 0',
    editArrow(VA, 'POS', (t) =>
      makeVector(Int32Array.from(values(t, 'POS') as number[], (x, i) => (i === 2 ? 0 : x))),
    ),
    err(VA, /POS\[2\] = 0/, 2),
  ),
  bare(
    'an empty REF',
    editArrow(VA, 'REF', (t) =>
      vectorFromArray(values(t, 'REF').map((a, i) => (i === 1 ? '' : a)) as string[], new Utf8()),
    ),
    err(VA, /REF\[1\]/, 1),
  ),
  bare(
    'ILEN missing (derived from REF/ALT instead)',
    editArrow(VA, 'ILEN', () => null),
    {
      kind: 'same',
      verify: 'ok',
    },
  ),
  bare(
    'CHROM missing (not needed to read)',
    editArrow(VA, 'CHROM', () => null),
    {
      kind: 'same',
      verify: 'ok',
    },
  ),
  bare(
    'ILEN as Int32 list',
    editArrow(VA, 'ILEN', (t) =>
      vectorFromArray(
        (values(t, 'ILEN') as number[]).map((x) => [x]),
        new arrow.List(new arrow.Field('item', new Int32(), true)),
      ),
    ),
    { kind: 'same', verify: 'ok' },
  ),
  // regions.npy
  bare(
    'regions.npy dtype <i8',
    (d) => {
      const b = readFileSync(join(d, RN));
      writeFileSync(
        join(d, RN),
        Buffer.from(b.toString('latin1').replace("'<i4'", "'<i8'"), 'latin1'),
      );
    },
    err(RN, /dtype <i8/),
  ),
  bare(
    'regions.npy shape one row short',
    (d) => {
      const b = readFileSync(join(d, RN)).toString('latin1');
      const m = /'shape': \((\d+), 4\)/.exec(b) as RegExpExecArray;
      const fixed = b.replace(m[0], `'shape': (${Number(m[1]) - 1}, 4)`.padEnd(m[0].length, ' '));
      writeFileSync(join(d, RN), Buffer.from(fixed, 'latin1'));
    },
    err(RN, /shape/),
  ),
  bare(
    'a regions.npy window start moved (not read by the read path)',
    (d) => {
      // Fortran order (as written): column 1 (starts) begins at header + 4·R.
      const b = readFileSync(join(d, RN));
      const hdr = 10 + b.readUInt16LE(8);
      const at = hdr + 4 * ((b.length - hdr) / 16);
      b.writeInt32LE(b.readInt32LE(at) - 1, at);
      writeFileSync(join(d, RN), b);
    },
    { kind: 'same', verify: 'flags' },
  ),
];

const TRACK_CASES: Case[] = [
  sealed(
    'truncated track starts.npy',
    truncate('intervals/gc/starts.npy', (n) => n - 4),
    err('intervals/gc/starts.npy'),
  ),
  sealed(
    'flipped byte of track values',
    flip('intervals/signal/values.npy', (n) => n >> 1),
    err('intervals/signal/values.npy', /SHA-256/),
  ),
  sealed(
    'a track folder removed',
    (d) => rmSync(join(d, 'intervals/gc'), { recursive: true }),
    err('intervals/gc/ends.npy', /listed/),
  ),
  bare(
    'a track folder replaced by a file',
    (d) => {
      rmSync(join(d, 'intervals/gc'), { recursive: true });
      writeFileSync(join(d, 'intervals/gc'), 'x');
    },
    err('intervals/gc', /expected a directory/),
  ),
  bare(
    'intervals/ replaced by a file',
    (d) => {
      rmSync(join(d, 'intervals'), { recursive: true });
      writeFileSync(join(d, 'intervals'), 'x');
    },
    err('intervals', /expected a directory/),
  ),
  bare(
    'track offsets one entry short',
    truncate('intervals/gc/offsets.npy', (n) => n - 8),
    err('intervals/gc/offsets.npy', /entries: expected/),
  ),
  bare(
    'track offsets[0] = 1',
    editI64('intervals/gc/offsets.npy', (a) => {
      a[0] = 1n;
    }),
    err('intervals/gc/offsets.npy', /offsets\[0\]/, 0),
  ),
  bare(
    'track offsets non-monotone',
    editI64('intervals/gc/offsets.npy', (a) => {
      a[1] = (a[2] as bigint) + 1n;
    }),
    err('intervals/gc/offsets.npy', /non-decreasing/),
  ),
  bare(
    'track ends.npy one short',
    truncate('intervals/gc/ends.npy', (n) => n - 4),
    err('intervals/gc/ends.npy', /one end per interval/),
  ),
  bare(
    'track values.npy one short',
    truncate('intervals/gc/values.npy', (n) => n - 4),
    err('intervals/gc/values.npy', /one value per interval/),
  ),
  bare(
    'track interval with end <= start',
    (d) => {
      const s = i32(d, 'intervals/gc/starts.npy');
      editI32('intervals/gc/ends.npy', (a) => {
        a[3] = s[3] as number;
      })(d);
    },
    err('intervals/gc/ends.npy', /interval 3/, 3),
  ),
  bare(
    'track intervals out of order',
    (d) => {
      const off = i64(d, 'intervals/gc/offsets.npy');
      const [s] = groupWith(off, 2);
      for (const f of ['starts', 'ends', 'values'])
        editI32(`intervals/gc/${f}.npy`, (a) => {
          const t = a[s] as number;
          a[s] = a[s + 1] as number;
          a[s + 1] = t;
          return undefined;
        })(d);
    },
    err('intervals/gc/starts.npy', /sorted by start/),
  ),
  {
    name: 'a track interval moved outside its region window',
    sealed: false,
    fault: (d) => {
      const off = i64(d, 'intervals/gc/offsets.npy');
      const [, e] = groupWith(off, 1);
      editI32('intervals/gc/starts.npy', (a) => {
        a[e - 1] = 200_000;
      })(d);
      editI32('intervals/gc/ends.npy', (a) => {
        a[e - 1] = 200_001;
      })(d);
    },
    expect: { kind: 'verify-only', check: 'track-placement' },
  },
  bare(
    'annot_intervals/ as a file',
    (d) => writeFileSync(join(d, 'annot_intervals'), 'x'),
    err('annot_intervals', /expected a directory/),
  ),
];

// ---- the runner ----------------------------------------------------------------------

async function runCase(c: Case, pristine: string, reference: string, work: string, golden: string) {
  const p = join(work, c.name.replace(/[^\w.-]+/g, '_'));
  cpSync(pristine, p, { recursive: true });
  if (!c.sealed) rmSync(join(p, CK), { force: true });
  c.fault(p);
  let outcome: { ok: true; digest: string } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, digest: await readAll(p, reference) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const report = await verifyDataset(p, { reference });
  const cli = capture();
  const code = await main(['verify', p, '--reference', reference], cli.io);
  const e = c.expect;
  if (e.kind === 'error') {
    expect(outcome.ok, `${c.name}: expected GVL_BAD_DATASET, the dataset read`).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(BadDatasetError);
    const bad = error as BadDatasetError;
    expect(bad.code).toBe('GVL_BAD_DATASET');
    expect(bad.file).toBe(e.file);
    if (e.message) expect(bad.message).toMatch(e.message);
    if (e.index !== undefined) expect(bad.index).toBe(e.index);
    expect(report.ok).toBe(false);
    expect(report.problems.map((x) => x.file)).toContain(e.file);
    expect(code).toBe(2);
    expect(cli.err.join('')).toMatch(/^GVL_BAD_DATASET: /);
  } else if (e.kind === 'same') {
    if (!outcome.ok) throw (outcome as { error: unknown }).error;
    expect(outcome.digest, `${c.name}: output differs from the pristine dataset`).toBe(golden);
    expect(report.ok, JSON.stringify(report.problems)).toBe(e.verify === 'ok');
    expect(code).toBe(e.verify === 'ok' ? 0 : 2);
  } else {
    expect(report.ok).toBe(false);
    expect(report.checks.find((x) => x.name === e.check)?.status).toBe('failed');
    expect(code).toBe(2);
  }
  rmSync(p, { recursive: true, force: true });
}

const missing20 = hasChr20 ? [] : [`real data not found at ${chr20.vcf} (set GVL_DATA_DIR)`];

describe.skipIf(missing20.length > 0)(suiteName('corruption suite: chr20', missing20), () => {
  let work = '';
  let pristine = '';
  let golden = '';
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gvl-corrupt-'));
    // The first 40 windows of the real 2 kb BED and 12 real samples: small enough to read
    // every (region, sample) pair in every case.
    const bed = join(work, 'r.bed');
    writeFileSync(
      bed,
      `${readFileSync(chr20.bed2kb, 'utf8').split('\n').slice(0, 40).join('\n')}\n`,
    );
    const probe = join(work, 'probe.gvl');
    await write(probe, { bed, variants: chr20.vcf, progress: false, onWarning: () => undefined });
    const all = JSON.parse(readFileSync(join(probe, M), 'utf8')).samples as string[];
    pristine = join(work, 'pristine.gvl');
    await write(pristine, {
      bed,
      variants: chr20.vcf,
      reference: chr20.fasta,
      samples: all.filter((_, i) => i % 25 === 0),
      progress: false,
      onWarning: () => undefined,
    });
    golden = await readAll(pristine, chr20.fasta);
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('has at least 60 single-fault cases', () => {
    expect(CHR20_CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CHR20_CASES.map((c) => c.name)).size).toBe(CHR20_CASES.length);
  });

  it('the pristine dataset verifies and reads', async () => {
    const report = await verifyDataset(pristine, { reference: chr20.fasta });
    expect(report.problems).toEqual([]);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['checksums', 'ok'],
      ['open', 'ok'],
      ['arrow', 'ok'],
      ['regions-npy', 'ok'],
      ['variant-placement', 'ok'],
      ['track-placement', 'ok'],
      ['reference', 'ok'],
    ]);
  });

  it('gvl verify --json prints { path, ok, checks, problems }; exit 0 valid, 2 corrupt', async () => {
    const good = capture();
    expect(await main(['verify', pristine, '--json'], good.io)).toBe(0);
    const report = JSON.parse(good.out.join(''));
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.checks.find((c: { name: string }) => c.name === 'reference')).toMatchObject({
      status: 'skipped',
    });
    const p = join(work, 'json-case');
    cpSync(pristine, p, { recursive: true });
    rmSync(join(p, CK));
    editI64(OF, (a) => {
      a[0] = 3n;
    })(p);
    const bad = capture();
    expect(await main(['verify', p, '--json'], bad.io)).toBe(2);
    const r = JSON.parse(bad.out.join(''));
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({
        check: 'open',
        code: 'GVL_BAD_DATASET',
        file: OF,
        index: 0,
        value: '3',
      }),
    ]);
    const human = capture();
    expect(await main(['verify', p], human.io)).toBe(2);
    expect(human.out.join('')).toMatch(/failed\s+open/);
    expect(human.err.join('')).toMatch(
      /^GVL_BAD_DATASET: .*offsets\.npy: offsets\[0\] = 3: expected 0/,
    );
  });

  it('datasetInfo applies the same metadata schema', async () => {
    const p = join(work, 'info-case');
    cpSync(pristine, p, { recursive: true });
    const edits: [(m: Record<string, unknown>) => unknown, RegExp][] = [
      [() => null, /the document is null/],
      [(m) => delete m.n_regions, /n_regions is missing/],
      [
        (m) => {
          m.contigs = [20];
        },
        /contigs\[0\] is 20/,
      ],
    ];
    for (const [edit, message] of edits) {
      cpSync(join(pristine, M), join(p, M));
      editMeta(edit)(p);
      await expect(datasetInfo(p)).rejects.toMatchObject({
        code: 'GVL_BAD_DATASET',
        file: M,
        message: expect.stringMatching(message),
      });
    }
  });

  it.each(CHR20_CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_, c) => {
      await runCase(c, pristine, chr20.fasta, work, golden);
    },
    60_000,
  );
});

const missing16 = [
  ...(hasChr16 ? [] : ['hg38 chr16 chunk not found (set GVL_DATA_DIR)']),
  ...(hasTabix ? [] : [oracleReason('tabix')]),
];

describe.skipIf(missing16.length > 0)(
  suiteName('corruption suite: tracks (chr16)', missing16),
  () => {
    let work = '';
    let pristine = '';
    let golden = '';
    let reference = '';
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'gvl-corrupt16-'));
      const fx = makeChr16Fixture(join(work, 'fx'));
      reference = fx.reference;
      pristine = join(work, 'pristine.gvl');
      await write(pristine, {
        bed: fx.bed,
        variants: fx.sortedVcf,
        reference: fx.reference,
        tracks: fx.tracks,
        progress: false,
        onWarning: () => undefined,
      });
      golden = await readAll(pristine, reference);
    }, 120_000);
    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it.each(TRACK_CASES.map((c) => [c.name, c] as const))(
      '%s',
      async (_, c) => {
        await runCase(c, pristine, reference, work, golden);
      },
      60_000,
    );
  },
);
