/**
 * `verifyDataset()` and `gvl verify`: every integrity check of a dataset on disk — the
 * cheap ones `Dataset.open` runs, plus the full ones that read every value.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ContigNormalizer } from './contigs.js';
import { BadDatasetError, describeError, GvlError, type GvlErrorCode } from './errors.js';
import { CHECKSUMS_FILE, listDatasetFiles, readChecksums, sha256File } from './format/checksums.js';
import {
  ANNOTATION_TRACKS_DIR,
  INPUT_REGIONS_FILE,
  REGIONS_FILE,
  SAMPLE_TRACKS_DIR,
  trackFile,
  VARIANT_IDXS_FILE,
  VARIANTS_FILE,
} from './format/layout.js';
import { parseNpyHeader } from './format/npy.js';
import { registerZstd } from './format/zstd.js';
import { checkRegionsInReference, type DatasetFiles, readDatasetFiles } from './open.js';
import { loadReference } from './reference.js';

/** Outcome of one named check. */
export interface VerifyCheck {
  /** Stable check name, e.g. `'open'`, `'checksums'`, `'variant-placement'`. */
  readonly name: string;
  /** `'ok'`, `'failed'` (see the problems with this `check`), or `'skipped'` (see `detail`). */
  readonly status: 'ok' | 'failed' | 'skipped';
  /** What was checked, or why it was skipped. */
  readonly detail: string;
}

/** One problem found. */
export interface VerifyProblem {
  /** Name of the check that found it. */
  readonly check: string;
  /** Error code: `GVL_BAD_DATASET`, or the reference's code (`GVL_UNKNOWN_CONTIG`, …). */
  readonly code: GvlErrorCode;
  /** File at fault, relative to the dataset (`'.'` for the directory). */
  readonly file: string;
  /** Element, row or byte offset at fault, or `null`. */
  readonly index: number | null;
  /** Offending value (bigints as decimal strings, so the report is JSON). */
  readonly value: unknown;
  /** The same message the corresponding error carries. */
  readonly message: string;
}

/**
 * The report of {@link verifyDataset}; `gvl verify --json` prints exactly this.
 *
 * @example
 * ```json
 * { "path": "/data/chr20.gvl", "ok": false,
 *   "checks": [{ "name": "open", "status": "failed", "detail": "…" }, …],
 *   "problems": [{ "check": "open", "code": "GVL_BAD_DATASET", "file": "genotypes/offsets.npy",
 *                  "index": 0, "value": "5", "message": "…: offsets[0] = 5: expected 0" }] }
 * ```
 */
export interface VerifyReport {
  /** Absolute path of the dataset. */
  readonly path: string;
  /** `true` when no check failed. */
  readonly ok: boolean;
  /** Every check, in the order run. */
  readonly checks: readonly VerifyCheck[];
  /** Every problem found (a check may report several). */
  readonly problems: readonly VerifyProblem[];
}

/** Options of {@link verifyDataset}. */
export interface VerifyOptions {
  /** A reference FASTA: also checks that every region lies within its contig. */
  reference?: string;
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  return v;
}

function problemOf(check: string, e: unknown): VerifyProblem {
  if (e instanceof BadDatasetError)
    return {
      check,
      code: e.code,
      file: e.file,
      index: e.index,
      value: jsonSafe(e.value),
      message: e.message,
    };
  if (e instanceof GvlError)
    return {
      check,
      code: e.code,
      file: '.',
      index: null,
      value: jsonSafe(e.value),
      message: e.message,
    };
  throw e;
}

type Found = (file: string, index: number | null, value: unknown, message: string) => void;

/** Every file on disk against `checksums.json`: all listed, all matching, none unlisted. */
async function checkChecksums(dir: string, found: Found): Promise<string> {
  let manifest: Awaited<ReturnType<typeof readChecksums>>;
  try {
    manifest = await readChecksums(dir);
  } catch (e) {
    if (!(e instanceof BadDatasetError)) throw e;
    found(e.file, e.index, e.value, e.message);
    return `${CHECKSUMS_FILE} is unreadable`;
  }
  if (manifest === null) return 'skipped';
  const onDisk = new Set(await listDatasetFiles(dir));
  for (const [rel, want] of Object.entries(manifest.files)) {
    if (!onDisk.has(rel)) {
      found(rel, null, rel, `${dir}: ${rel} is listed in ${CHECKSUMS_FILE} but is missing`);
      continue;
    }
    const got = await sha256File(join(dir, rel));
    if (got !== want) found(rel, null, got, `${dir}: ${rel} has SHA-256 ${got}: expected ${want}`);
  }
  for (const rel of onDisk) {
    if (!(rel in manifest.files))
      found(rel, null, rel, `${dir}: ${rel} is not listed in ${CHECKSUMS_FILE}`);
  }
  return `${Object.keys(manifest.files).length} files match their SHA-256`;
}

/** Decodes every value of every column of both Arrow tables. */
async function checkArrow(dir: string, found: Found): Promise<string> {
  registerZstd();
  let cells = 0;
  for (const rel of [INPUT_REGIONS_FILE, VARIANTS_FILE]) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, rel));
    } catch {
      continue; // absent genotypes; open reports a required file that is missing
    }
    try {
      const t = tableFromIPC(bytes);
      for (const f of t.schema.fields) {
        const col = t.getChild(f.name);
        if (!col) continue;
        for (let i = 0; i < col.length; i++) col.get(i);
        cells += col.length;
      }
    } catch (e) {
      found(rel, null, rel, `${dir}: ${rel}: a value does not decode (${describeError(e)})`);
    }
  }
  return `${cells} cells decode`;
}

/** `regions.npy`, row by row, against the input regions and `max_jitter`. */
async function checkWindows(files: DatasetFiles, found: Found): Promise<Int32Array> {
  const rel = REGIONS_FILE;
  const bytes = await readFile(join(files.path, rel));
  const h = parseNpyHeader(bytes);
  const R = files.rIdxMap.length;
  const win = new Int32Array(R * 4);
  if (typeof h === 'string') return win; // reported by open
  const body = new Int32Array(bytes.buffer.slice(bytes.byteOffset + h.dataOffset));
  for (let d = 0; d < R; d++)
    for (let c = 0; c < 4; c++)
      win[d * 4 + c] = body[h.fortranOrder ? c * R + d : d * 4 + c] as number;
  const J = files.metadata.max_jitter;
  for (let d = 0; d < R; d++) {
    const wc = win[d * 4] as number;
    const ws = win[d * 4 + 1] as number;
    const we = win[d * 4 + 2] as number;
    const wst = win[d * 4 + 3] as number;
    const c = files.regions[d * 4] as number;
    const s = files.regions[d * 4 + 1] as number;
    const e = files.regions[d * 4 + 2] as number;
    const st = files.regions[d * 4 + 3] as number;
    const at = `row ${d} (${wc}, ${ws}, ${we}, ${wst})`;
    if (wc !== c) found(rel, d, wc, `${files.path}: ${rel}: ${at} has contig ${wc}: expected ${c}`);
    else if (ws !== s - J)
      found(
        rel,
        d,
        ws,
        `${files.path}: ${rel}: ${at} starts at ${ws}: expected chromStart − max_jitter = ${s - J}`,
      );
    else if (we < e + J)
      found(
        rel,
        d,
        we,
        `${files.path}: ${rel}: ${at} ends at ${we}: expected at least chromEnd + max_jitter = ${e + J}`,
      );
    else if (wst !== st)
      found(rel, d, wst, `${files.path}: ${rel}: ${at} has strand ${wst}: expected ${st}`);
  }
  return win;
}

/** Every carried variant lies on its region's contig and overlaps its stored window. */
async function checkVariantPlacement(
  files: DatasetFiles,
  win: Int32Array,
  found: Found,
): Promise<string> {
  const g = files.genotypes;
  const v = files.variants;
  if (!g || !v) return 'skipped';
  registerZstd();
  const table = tableFromIPC(await readFile(join(files.path, VARIANTS_FILE)));
  const chromCol = table.getChild('CHROM');
  const norm = new ContigNormalizer(files.metadata.contigs);
  const contigIndex = new Map(files.metadata.contigs.map((c, i) => [c, i]));
  const vContig = new Int32Array(v.start.length).fill(-1);
  if (chromCol) {
    for (let i = 0; i < vContig.length; i++) {
      const c = String(chromCol.get(i));
      vContig[i] = contigIndex.get(norm.normalize(c) ?? c) ?? -1;
    }
  }
  const S = files.metadata.samples.length;
  const P = files.metadata.ploidy ?? 1;
  const rel = VARIANT_IDXS_FILE;
  for (let grp = 0; grp < g.offsets.length - 1; grp++) {
    const d = Math.floor(grp / (S * P));
    const a = Number(g.offsets[grp]);
    const b = Number(g.offsets[grp + 1]);
    for (let i = a; i < b; i++) {
      const k = g.variantIdxs[i] as number;
      const pos = v.start[k] as number;
      const vEnd = pos - Math.min(v.ilen[k] as number, 0) + 1;
      if (chromCol && vContig[k] !== win[d * 4]) {
        found(
          rel,
          i,
          k,
          `${files.path}: ${rel}: variant_idxs[${i}] = ${k} is on contig ${String(chromCol.get(k))} but haplotype group ${grp} belongs to region ${d} on ${files.metadata.contigs[win[d * 4] as number]}`,
        );
        return 'failed';
      }
      if (vEnd <= (win[d * 4 + 1] as number) || pos >= (win[d * 4 + 2] as number)) {
        found(
          rel,
          i,
          k,
          `${files.path}: ${rel}: variant_idxs[${i}] = ${k} (0-based [${pos}, ${vEnd})) does not overlap the stored window [${win[d * 4 + 1]}, ${win[d * 4 + 2]}) of region ${d} (haplotype group ${grp})`,
        );
        return 'failed';
      }
    }
  }
  return `${g.variantIdxs.length} variant calls lie in their regions' windows`;
}

/** Every track interval overlaps its region's stored window. */
function checkTrackPlacement(files: DatasetFiles, win: Int32Array, found: Found): string {
  const S = files.metadata.samples.length;
  let n = 0;
  for (const [name, t] of files.tracks) {
    const folder = t.annotation ? ANNOTATION_TRACKS_DIR : SAMPLE_TRACKS_DIR;
    for (let grp = 0; grp < t.offsets.length - 1; grp++) {
      const d = t.annotation ? grp : Math.floor(grp / S);
      const a = Number(t.offsets[grp]);
      const b = Number(t.offsets[grp + 1]);
      for (let i = a; i < b; i++) {
        const s = t.starts[i] as number;
        const e = t.ends[i] as number;
        if (e <= (win[d * 4 + 1] as number) || s >= (win[d * 4 + 2] as number)) {
          const rel = trackFile(folder, name, 'starts');
          found(
            rel,
            i,
            s,
            `${files.path}: ${rel}: interval ${i} [${s}, ${e}) does not overlap the stored window [${win[d * 4 + 1]}, ${win[d * 4 + 2]}) of region ${d}`,
          );
          return 'failed';
        }
      }
      n += b - a;
    }
  }
  return `${n} track intervals lie in their regions' windows`;
}

/**
 * Runs every integrity check of a dataset and reports each one; never throws for a bad
 * dataset (only for an unexpected failure).
 *
 * Checks, in order:
 * - `checksums`: every file against `checksums.json` (all listed files present and
 *   matching, no unlisted file); skipped for datasets without one (the peer writes none);
 * - `open`: everything `Dataset.open` checks (metadata schema, array shapes and CSR
 *   offsets, index ranges, per-haplotype order, `ILEN`/`REF`/`ALT`, region coordinates,
 *   track folders and offsets, npy headers);
 * - `arrow`: every value of every column of the Arrow tables decodes;
 * - `regions-npy`: each stored write window has the region's contig and strand, starts
 *   at `chromStart − max_jitter` and ends at or after `chromEnd + max_jitter`;
 * - `variant-placement`: each carried variant is on its region's contig and its REF span
 *   overlaps the region's stored window;
 * - `track-placement`: each track interval overlaps its region's stored window;
 * - `reference` (with `reference`): the FASTA has every contig and each region ends
 *   within its contig.
 * The checks after `open` need the dataset to open and are skipped otherwise.
 *
 * @param path - the dataset directory.
 * @returns the report: `ok`, every check and every problem (file relative to the
 *   dataset, element index, value, message).
 * @example
 * ```ts
 * const report = await verifyDataset('chr20.gvl');
 * if (!report.ok) for (const p of report.problems) console.error(p.file, p.index, p.message);
 * ```
 */
export async function verifyDataset(
  path: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const dir = resolve(path);
  const checks: VerifyCheck[] = [];
  const problems: VerifyProblem[] = [];
  const run = async (name: string, fn: (found: Found) => Promise<string> | string) => {
    const before = problems.length;
    const found: Found = (file, index, value, message) =>
      problems.push({
        check: name,
        code: 'GVL_BAD_DATASET',
        file,
        index,
        value: jsonSafe(value),
        message,
      });
    let detail: string;
    try {
      detail = await fn(found);
    } catch (e) {
      problems.push(problemOf(name, e));
      detail = 'failed';
    }
    const failed = problems.length > before;
    checks.push({
      name,
      status: failed ? 'failed' : detail === 'skipped' ? 'skipped' : 'ok',
      detail: detail === 'skipped' ? skipReason(name) : detail,
    });
  };
  await run('checksums', (found) => checkChecksums(dir, found));
  let files: DatasetFiles | null = null;
  await run('open', async () => {
    files = await readDatasetFiles(dir);
    return 'every cheap invariant Dataset.open checks holds';
  });
  const opened = files as DatasetFiles | null;
  const later = ['arrow', 'regions-npy', 'variant-placement', 'track-placement'];
  if (opened === null) {
    for (const name of later)
      checks.push({ name, status: 'skipped', detail: 'needs a dataset that opens' });
  } else {
    let win: Int32Array = new Int32Array(0);
    await run('arrow', (found) => checkArrow(dir, found));
    await run('regions-npy', async (found) => {
      win = await checkWindows(opened, found);
      return `${opened.rIdxMap.length} stored windows match their regions`;
    });
    const winOk = checks[checks.length - 1]?.status === 'ok';
    if (winOk) {
      await run('variant-placement', (found) => checkVariantPlacement(opened, win, found));
      await run('track-placement', (found) => checkTrackPlacement(opened, win, found));
    } else {
      for (const name of later.slice(2))
        checks.push({ name, status: 'skipped', detail: 'needs valid regions.npy windows' });
    }
  }
  const refPath = options.reference;
  if (refPath === undefined) {
    checks.push({ name: 'reference', status: 'skipped', detail: 'no reference given' });
  } else if (opened === null) {
    checks.push({ name: 'reference', status: 'skipped', detail: 'needs a dataset that opens' });
  } else {
    await run('reference', async () => {
      const ref = await loadReference(refPath, opened.metadata.contigs);
      checkRegionsInReference(opened, ref);
      return `every region lies within its contig of ${refPath}`;
    });
  }
  return { path: dir, ok: problems.length === 0, checks, problems };
}

function skipReason(name: string): string {
  if (name === 'checksums')
    return `no ${CHECKSUMS_FILE} (datasets written by genvarloader have none)`;
  if (name === 'variant-placement') return 'no genotypes';
  return 'not applicable';
}

/** The human-readable form of a {@link VerifyReport} printed by `gvl verify`. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`${report.path}: ${report.ok ? 'ok' : 'CORRUPT'}`];
  for (const c of report.checks)
    lines.push(`  ${c.status.padEnd(8)}${c.name.padEnd(19)}${c.detail}`);
  return lines.join('\n');
}
