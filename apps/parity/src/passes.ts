/**
 * Serial vs forced parallel. The parent computes every mode serially (`parallel: false`)
 * over all (region, sample) pairs, one batch per region with every sample, and stores
 * per-row lengths and SHA-256 digests plus each batch's dtype, shape and offsets digest
 * in a scratch directory. Each child process (spawned with `GVL_NUM_THREADS=n` and
 * `GVL_FORCE_PARALLEL=1`: the native pool size is fixed per process) recomputes every
 * mode with the parallel kernels and compares; on a mismatch it recomputes that batch
 * serially itself to report the first differing element with both values.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '@gvl/dataset';
import type { Prepared } from './fixtures.js';
import { appDir } from './paths.js';
import { type BatchRows, cutOutput, firstDiff, type Part, rowKey, sha256 } from './rows.js';
import { MODES, type ModeSpec, partsOf, passRegions } from './spec.js';
import { openDatasets, readMode, regionName, viewFor } from './views.js';

/** The first differing element found, with both values. */
export interface Mismatch {
  mode: string;
  region: number;
  regionName: string | null;
  sample: string;
  track: string | null;
  hap: number | null;
  part: Part;
  /** Element index in the row (byte, float or variant), or `null` for a batch-level difference. */
  position: number | null;
  /** What differs: `data`, `length` (offsets), `shape`, `dtype`, `offsets`. */
  what: string;
  expected: string;
  actual: string;
  /** Which side is which, e.g. `serial` / `parallel (4 threads)`. */
  expectedFrom: string;
  actualFrom: string;
}

/** Per-batch description compared before the rows: dtype, shape, offsets digest per part. */
function batchMeta(rows: BatchRows): string {
  const meta: Record<string, unknown> = {};
  for (const [part, r] of Object.entries(rows)) {
    meta[part] = {
      dtype: r.dtype,
      shape: r.shape,
      offsets:
        r.offsets === null
          ? null
          : sha256(new Uint8Array(r.offsets.buffer, r.offsets.byteOffset, r.offsets.byteLength))
              .toString('hex')
              .slice(0, 32),
    };
  }
  return JSON.stringify(meta);
}

/** Rows of a batch in order (parts in `partsOf` order). */
function flatRows(mode: ModeSpec, rows: BatchRows) {
  const out: { part: Part; index: number; bytes: Uint8Array; length: number }[] = [];
  for (const part of partsOf(mode)) {
    const r = rows[part];
    if (!r) continue;
    r.rows.forEach((bytes, index) => {
      out.push({ part, index, bytes, length: r.lengths[index] as number });
    });
  }
  return out;
}

interface SerialFiles {
  rows: number;
  lengths: Int32Array;
  digests: Buffer;
  metas: string[];
  rowsPerBatch: number[];
}

function serialPaths(dir: string, modeId: string) {
  return { bin: join(dir, `${modeId}.serial.bin`), meta: join(dir, `${modeId}.serial.json`) };
}

/**
 * The serial pass of one mode over its pass regions (every region, or every
 * `passStride`-th) × every sample; written to `dir`.
 */
export async function serialPass(ds: Dataset, mode: ModeSpec, dir: string): Promise<number> {
  const view = viewFor(ds, mode, false);
  const lengths: number[] = [];
  const digests: Buffer[] = [];
  const metas: string[] = [];
  const rowsPerBatch: number[] = [];
  for (const r of passRegions(mode, view.nRegions)) {
    const rows = cutOutput(mode, await readMode(view, mode, r));
    metas.push(batchMeta(rows));
    const flat = flatRows(mode, rows);
    rowsPerBatch.push(flat.length);
    for (const row of flat) {
      lengths.push(row.length);
      digests.push(sha256(row.bytes));
    }
  }
  const p = serialPaths(dir, mode.id);
  const lens = Int32Array.from(lengths);
  writeFileSync(p.bin, Buffer.concat([Buffer.from(lens.buffer), ...digests]));
  writeFileSync(p.meta, JSON.stringify({ rows: lengths.length, metas, rowsPerBatch }));
  return lengths.length;
}

function readSerial(dir: string, modeId: string): SerialFiles {
  const p = serialPaths(dir, modeId);
  const meta = JSON.parse(readFileSync(p.meta, 'utf8')) as {
    rows: number;
    metas: string[];
    rowsPerBatch: number[];
  };
  const bin = readFileSync(p.bin);
  const lengths = new Int32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + meta.rows * 4));
  return { ...meta, lengths, digests: bin.subarray(meta.rows * 4) };
}

/** What a child reports for one mode. */
export interface ChildModeResult {
  mode: string;
  rows: number;
  mismatchedRows: number;
  first: Mismatch | null;
  ms: number;
}

/** What a child reports. */
export interface ChildReport {
  threads: number;
  poolSource: string;
  poolBuilt: boolean;
  forceParallel: string | undefined;
  modes: ChildModeResult[];
}

/** One plan for every child: the datasets and where the serial pass is. */
export interface ChildPlan {
  prepared: Prepared;
  serialDir: string;
  modes: string[];
}

async function locate(
  ds: Dataset,
  mode: ModeSpec,
  region: number,
  parallelRows: BatchRows,
  label: string,
): Promise<Mismatch> {
  const serialRows = cutOutput(mode, await readMode(viewFor(ds, mode, false), mode, region));
  const base = {
    mode: mode.id,
    region,
    regionName: regionName(ds, mode, region),
    expectedFrom: 'serial',
    actualFrom: label,
  };
  const samples = ds.samples;
  const sm = batchMeta(serialRows);
  const pm = batchMeta(parallelRows);
  const s = flatRows(mode, serialRows);
  const p = flatRows(mode, parallelRows);
  for (let i = 0; i < Math.max(s.length, p.length); i++) {
    const a = s[i];
    const b = p[i];
    if (!a || !b) break;
    const key = rowKey(mode, a.part, a.index, samples);
    const dtype = serialRows[a.part]?.dtype ?? 'uint8';
    const d = firstDiff(dtype, a.bytes, b.bytes);
    if (d !== null || a.length !== b.length) {
      return {
        ...base,
        ...key,
        part: a.part,
        position: d?.position ?? null,
        what: a.length !== b.length ? 'length' : 'data',
        expected: d ? `${d.a} (row length ${a.length})` : `row length ${a.length}`,
        actual: d ? `${d.b} (row length ${b.length})` : `row length ${b.length}`,
      };
    }
  }
  return {
    ...base,
    sample: '(batch)',
    track: null,
    hap: null,
    part: partsOf(mode)[0] as Part,
    position: null,
    what: sm === pm ? 'rows differ only between runs (not reproducible)' : 'dtype/shape/offsets',
    expected: sm,
    actual: pm,
  };
}

/** The child side: parallel pass of every planned mode, compared with the serial files. */
export async function childMain(planPath: string): Promise<ChildReport> {
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as ChildPlan;
  const { poolInfo } = await import('@gvl/native');
  const datasets = await openDatasets(plan.prepared);
  const threads = poolInfo().numThreads;
  const label = `parallel (${threads} threads)`;
  const modes: ChildModeResult[] = [];
  for (const id of plan.modes) {
    const mode = MODES.find((m) => m.id === id) as ModeSpec;
    const t0 = Date.now();
    const ds = datasets[mode.dataset];
    const serial = readSerial(plan.serialDir, id);
    const view = viewFor(ds, mode, 'auto');
    let row = 0;
    let mismatchedRows = 0;
    let first: Mismatch | null = null;
    for (const [b, r] of passRegions(mode, view.nRegions).entries()) {
      const rows = cutOutput(mode, await readMode(view, mode, r));
      const flat = flatRows(mode, rows);
      let bad = batchMeta(rows) !== serial.metas[b] || flat.length !== serial.rowsPerBatch[b];
      for (const x of flat) {
        const k = row++;
        if (k >= serial.rows) {
          bad = true;
          continue;
        }
        const same =
          x.length === serial.lengths[k] &&
          sha256(x.bytes).equals(serial.digests.subarray(k * 32, k * 32 + 32));
        if (!same) {
          mismatchedRows++;
          bad = true;
        }
      }
      if (bad && first === null) first = await locate(ds, mode, r, rows, label);
    }
    if (row !== serial.rows && first === null) {
      first = {
        mode: id,
        region: -1,
        regionName: null,
        sample: '(all)',
        track: null,
        hap: null,
        part: partsOf(mode)[0] as Part,
        position: null,
        what: 'row count',
        expected: String(serial.rows),
        actual: String(row),
        expectedFrom: 'serial',
        actualFrom: label,
      };
    }
    modes.push({ mode: id, rows: row, mismatchedRows, first, ms: Date.now() - t0 });
  }
  const info = poolInfo();
  return {
    threads: info.numThreads,
    poolSource: info.source,
    poolBuilt: info.built,
    forceParallel: process.env.GVL_FORCE_PARALLEL,
    modes,
  };
}

/**
 * Path of the compiled child entry: beside this module in `dist/`, or `dist/child.js`
 * when this module runs from `src/` (vitest).
 */
export function childEntry(): string {
  const beside = fileURLToPath(new URL('./child.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = join(appDir, 'dist', 'child.js');
  if (!existsSync(built)) {
    throw new Error(`${built} not found: build first (pnpm --filter @gvl/parity... build)`);
  }
  return built;
}

/**
 * Spawns one child with a fixed pool size and forced parallel kernels; resolves with
 * its report. Never `fork`: a fresh process, so its native pool is built with `n`.
 */
export function runChild(planPath: string, threads: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childEntry(), planPath], {
      env: {
        ...process.env,
        GVL_NUM_THREADS: String(threads),
        GVL_FORCE_PARALLEL: '1',
        RAYON_NUM_THREADS: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(
          new Error(
            `parity child (GVL_NUM_THREADS=${threads}) exited with ${signal ?? code}: ${err.trim()}`,
          ),
        );
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildReport);
      } catch (e) {
        reject(new Error(`parity child (GVL_NUM_THREADS=${threads}) printed no report: ${e}`));
      }
    });
  });
}
