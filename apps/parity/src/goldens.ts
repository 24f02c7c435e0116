/**
 * Reading golden files and comparing our serial output with them: per batch (one
 * region × the mode's golden samples, as `get(region, samples)`), dtype and shape, then
 * per row the length (offsets) and the first 128 bits of the row's SHA-256. On the first
 * mismatch the golden row's bytes come from the golden's stored full rows, or from
 * regenerating that batch with the oracle (bcftools: python3 + bcftools; peer: the
 * venv), to print the first differing element with both values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '@gvl/dataset';
import type { Mismatch } from './passes.js';
import {
  cutOutput,
  type Dtype,
  firstDiff,
  type Part,
  rowKey,
  rowsPerSample,
  sha256,
} from './rows.js';
import { type ModeSpec, partsOf } from './spec.js';
import { readMode, regionName, viewFor } from './views.js';

export type GoldenSource = 'bcftools' | 'genvarloader';

export interface GoldenPart {
  dtype: Dtype | '';
  rows: number;
  /** Per-batch shapes, run-length encoded (`1,8,2,~*488`); `null` when the oracle has none. */
  shapes: string | null;
  /** int32 LE per row, base64; -1 = excluded. */
  lengths: string;
  /** 16 bytes per row, base64. */
  digests: string;
  excluded: { rows: number; reasons: Record<string, number>; batches: number[] };
  fullRows: { row: number; data: string }[];
}

export interface GoldenDoc {
  format: string;
  oracle: string;
  source: GoldenSource;
  mode: ModeSpec;
  dataset: string;
  regions: number;
  samples: string[];
  command: string;
  /** Batches (or single queries, with `sample`) on which the peer raised. */
  panics?: { region: number; sample?: string; error: string }[];
  /** Set when the peer was queried one (region, sample) at a time (modes with tracks). */
  queries?: string;
  /** How the peer laid out its multi-sample batches of those modes, counted per batch. */
  multiSampleBatchLayout?: Record<string, number>;
  /**
   * The integer dtype the peer really returned when it was not int32 (its rows are
   * compared as int32 values, the dtype its docs state).
   */
  peerDtype?: string;
  parts: Partial<Record<Part, GoldenPart>>;
}

export const DIGEST_BYTES = 16;

/** The golden of `mode` from `source` in `dir`, or `null` when there is none. */
export function loadGolden(dir: string, source: GoldenSource, modeId: string): GoldenDoc | null {
  const path = join(dir, `${source}.${modeId}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as GoldenDoc) : null;
}

function expandShapes(rle: string | null, batches: number): (string | null)[] {
  if (rle === null) return Array.from({ length: batches }, () => null);
  const out: string[] = [];
  for (const item of rle.split(';')) {
    const [shape, count] = item.split('*');
    for (let i = 0; i < Number(count ?? 1); i++) out.push(shape as string);
  }
  return out;
}

export const shapeString = (shape: readonly (number | null)[]) =>
  shape.map((d) => (d === null ? '~' : String(d))).join(',');

/** Result of one golden cell. */
export interface GoldenResult {
  status: 'equal' | 'differs' | 'stale';
  rowsCompared: number;
  rowsExcluded: number;
  mismatchedRows: number;
  panics: number;
  reasons: Record<string, number>;
  first: Mismatch | null;
  note?: string;
}

/** Fetches the golden's full rows of one batch (by regenerating it), or `null`. */
export type BatchFetcher = (region: number) => Partial<Record<Part, (string | null)[]>> | null;

/**
 * Whether golden `a` was made for mode `b`: the same spec, or for a mode `b` reusing
 * another mode's goldens (`goldensOf`), that mode's spec on `b`'s dataset.
 */
function sameSpec(a: ModeSpec, b: ModeSpec): boolean {
  if (b.goldensOf !== undefined && a.id !== b.goldensOf) return false;
  const key = (m: ModeSpec) =>
    JSON.stringify([
      b.goldensOf !== undefined ? '' : m.dataset,
      m.seqs,
      m.length,
      m.tracks,
      m.goldenSamples,
      m.call ?? 'get',
      m.settings ?? {},
    ]);
  return key(a) === key(b);
}

/**
 * Compares our serial output of `mode` with a golden. `fetch` regenerates a golden batch
 * to locate a mismatch when the golden does not store the row.
 */
export async function compareGolden(
  ds: Dataset,
  mode: ModeSpec,
  doc: GoldenDoc,
  fetch: BatchFetcher,
): Promise<GoldenResult> {
  // Compares every output of one golden mode field by field; one short comparison per field.
  const base = {
    rowsCompared: 0,
    rowsExcluded: 0,
    mismatchedRows: 0,
    panics: doc.panics?.length ?? 0,
    reasons: {} as Record<string, number>,
    first: null as Mismatch | null,
  };
  const view = viewFor(ds, mode, false);
  const nRegions = view.nRegions;
  if (!sameSpec(doc.mode, mode) || doc.regions !== nRegions) {
    return {
      ...base,
      status: 'stale',
      note: `golden made for a different mode spec or dataset (${doc.dataset}, ${doc.regions} regions); regenerate with ${doc.command}`,
    };
  }
  const parts = partsOf(mode).filter((p) => doc.parts[p] !== undefined);
  const decoded = parts.map((p) => {
    const g = doc.parts[p] as GoldenPart;
    const lb = Buffer.from(g.lengths, 'base64');
    return {
      part: p,
      g,
      lengths: new Int32Array(lb.buffer, lb.byteOffset, lb.byteLength / 4),
      digests: Buffer.from(g.digests, 'base64'),
      shapes: expandShapes(g.shapes, nRegions),
      full: new Map(g.fullRows.map((f) => [f.row, Buffer.from(f.data, 'base64')])),
      perBatch: mode.goldenSamples.length * rowsPerSample(mode, p),
    };
  });
  for (const d of decoded) {
    base.rowsExcluded += d.g.excluded.rows;
    for (const [k, v] of Object.entries(d.g.excluded.reasons))
      base.reasons[k] = (base.reasons[k] ?? 0) + v;
  }
  for (let r = 0; r < nRegions; r++) {
    const ours = cutOutput(mode, await readMode(view, mode, r, mode.goldenSamples));
    for (const d of decoded) {
      const mine = ours[d.part];
      if (!mine) continue;
      const mismatchBase = {
        mode: mode.id,
        region: r,
        regionName: regionName(ds, mode, r),
        part: d.part,
        expectedFrom: doc.source,
        actualFrom: 'gvl-ts (serial)',
      };
      // Batch-level: dtype and shape (skipped for batches the oracle could not produce).
      const shape = d.shapes[r];
      const batchProblem =
        d.g.dtype !== '' && d.g.dtype !== mine.dtype
          ? { what: 'dtype', expected: d.g.dtype, actual: mine.dtype }
          : shape !== null &&
              shape !== undefined &&
              shape !== '?' &&
              shape !== shapeString(mine.shape)
            ? { what: 'shape', expected: shape, actual: shapeString(mine.shape) }
            : mine.rows.length !== d.perBatch
              ? {
                  what: 'rows per batch',
                  expected: String(d.perBatch),
                  actual: String(mine.rows.length),
                }
              : null;
      if (batchProblem) {
        base.mismatchedRows += d.perBatch;
        base.first ??= {
          ...mismatchBase,
          sample: '(batch)',
          track: null,
          hap: null,
          position: null,
          ...batchProblem,
        };
        continue;
      }
      for (let i = 0; i < d.perBatch; i++) {
        const k = r * d.perBatch + i;
        const want = d.lengths[k] as number;
        if (want < 0) continue;
        base.rowsCompared++;
        const bytes = mine.rows[i] as Uint8Array;
        const got = mine.lengths[i] as number;
        const same =
          got === want &&
          sha256(bytes)
            .subarray(0, DIGEST_BYTES)
            .equals(d.digests.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES));
        if (same) continue;
        base.mismatchedRows++;
        if (base.first) continue;
        const key = rowKey(mode, d.part, i, mode.goldenSamples);
        let golden: Uint8Array | null = d.full.get(k) ?? null;
        let source = golden ? 'stored full row' : '';
        if (!golden) {
          const fetched = fetch(r)?.[d.part]?.[i];
          if (fetched) {
            const b = Buffer.from(fetched, 'base64');
            // Only trust a regenerated row that still matches the committed digest.
            if (
              sha256(b)
                .subarray(0, DIGEST_BYTES)
                .equals(d.digests.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES))
            ) {
              golden = b;
              source = 'regenerated';
            }
          }
        }
        const diff = golden ? firstDiff(mine.dtype, golden, bytes) : null;
        base.first = {
          ...mismatchBase,
          ...key,
          position: diff?.position ?? null,
          what: got !== want ? 'length' : 'data',
          expected: diff
            ? `${diff.a} (row length ${want}; ${source})`
            : `row length ${want}, sha256[:16] ${d.digests.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES).toString('hex')} (golden bytes not stored; rerun with --live to regenerate them)`,
          actual: diff
            ? `${diff.b} (row length ${got})`
            : `row length ${got}, sha256[:16] ${sha256(bytes).subarray(0, DIGEST_BYTES).toString('hex')}`,
        };
      }
    }
  }
  return { ...base, status: base.mismatchedRows === 0 ? 'equal' : 'differs' };
}
