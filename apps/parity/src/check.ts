/**
 * The parity check: every mode serial == forced parallel at several pool sizes ==
 * goldens (bcftools, the Python genvarloader), on the real data.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { prepareDatasets } from './fixtures.js';
import {
  compareGolden,
  type GoldenDoc,
  type GoldenResult,
  type GoldenSource,
  loadGolden,
} from './goldens.js';
import { datasetDigests, makeGoldens, runOracle, writeOracleSpec } from './make-goldens.js';
import { type ChildPlan, type ChildReport, type Mismatch, runChild, serialPass } from './passes.js';
import { dataDir, goldensDir, hasPeer, inputs, missingData, onPath } from './paths.js';
import { MODES, passRegions } from './spec.js';
import { openDatasets, viewFor } from './views.js';

export interface CheckOptions {
  /** Regenerate the goldens live (peer: when the venv is present; bcftools: when installed). */
  live?: boolean;
  /** Pool sizes of the forced-parallel children. Default `[1, 2, 4]`. */
  threads?: number[];
  /** Only these mode ids. Default: all. */
  modes?: string[];
  /** Keep the scratch directory. */
  keep?: boolean;
  /** Committed goldens. Default `apps/parity/goldens`. */
  goldensDir?: string;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

export type CellStatus = 'equal' | 'differs' | 'n/a' | 'error';

/** One cell of the table. */
export interface Cell {
  status: CellStatus;
  /** Rows compared. */
  rows: number;
  note?: string;
  first?: Mismatch | null;
}

export interface ModeReport {
  id: string;
  label: string;
  /** Rows of the serial pass (every region, or the sampled ones, × every sample). */
  rows: number;
  /** Set when serial == parallel reads a sample of the regions (`passStride`): which. */
  sampled?: string;
  /** Pool size → serial == parallel. */
  parallel: Record<string, Cell>;
  bcftools: Cell;
  genvarloader: Cell;
}

export interface ParityReport {
  /** Set when the check did not run (data or tools absent). */
  skipped?: string;
  /** Where the goldens came from, per source. */
  goldens: Record<GoldenSource, string>;
  children: ChildReport[];
  modes: ModeReport[];
  passed: number;
  failed: number;
  warnings: string[];
  seconds: number;
}

const sha256File = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function cellFromGolden(r: GoldenResult, panicsOf: GoldenDoc | null): Cell {
  const notes: string[] = [];
  if (r.rowsExcluded > 0) {
    const reasons = Object.entries(r.reasons)
      .map(([k, v]) => `${v} ${k}`)
      .join('; ');
    notes.push(`${r.rowsExcluded} rows excluded (${reasons})`);
  }
  if (r.panics > 0 && panicsOf) {
    const perQuery = panicsOf.queries !== undefined;
    const total = panicsOf.regions * (perQuery ? panicsOf.samples.length : 1);
    notes.push(
      `peer n/a on ${r.panics} of ${total} ${perQuery ? '(region, sample) queries' : 'batches'}: it raised ${panicsOf.panics?.[0]?.error}`,
    );
  }
  const layout = Object.entries(panicsOf?.multiSampleBatchLayout ?? {}).filter(
    ([k]) => k !== 'sample-major',
  );
  if (panicsOf?.queries && layout.length > 0) {
    notes.push(
      `peer queried one (region, sample) at a time: its multi-sample batches of tracks are not laid out sample-major as their shape says (${layout.map(([k, v]) => `${k}: ${v}`).join(', ')} of ${panicsOf.regions} batches)`,
    );
  }
  if (panicsOf?.peerDtype) {
    notes.push(
      `the peer returned ${panicsOf.peerDtype}, not the int32 it documents: values compared as int32`,
    );
  }
  if (r.note) notes.push(r.note);
  if (r.status === 'stale') return { status: 'error', rows: 0, note: notes.join('; ') };
  if (r.rowsCompared === 0 && r.mismatchedRows === 0)
    return { status: 'n/a', rows: 0, note: notes.join('; ') || 'nothing to compare' };
  return {
    status: r.status === 'equal' ? 'equal' : 'differs',
    rows: r.rowsCompared,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    first: r.first,
  };
}

/** Compares the inputs with the manifest the committed goldens were made with. */
function checkManifest(dir: string, chr16VcfSha256: string, datasets: Record<string, string>) {
  const problems: string[] = [];
  const warnings: string[] = [];
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return { problems: [`${path} missing`], warnings };
  const m = JSON.parse(readFileSync(path, 'utf8')) as {
    inputs: Record<string, string>;
    generatedChr16VcfSha256: string;
    datasetFiles: Record<string, Record<string, string>>;
  };
  const inp = inputs();
  for (const p of [...Object.values(inp.chr20), ...Object.values(inp.chr16)]) {
    const rel = relative(dataDir(), p);
    if (m.inputs[rel] !== sha256File(p)) problems.push(`input ${rel} differs from the goldens'`);
  }
  if (m.generatedChr16VcfSha256 !== chr16VcfSha256)
    problems.push('the generated chr16 VCF differs from the one the goldens were made from');
  for (const [id, path] of Object.entries(datasets)) {
    const now = datasetDigests(path);
    const then = m.datasetFiles[id] ?? {};
    const changed = [...new Set([...Object.keys(now), ...Object.keys(then)])].filter(
      (f) => now[f] !== then[f],
    );
    if (changed.length > 0) {
      warnings.push(
        `the ${id} dataset written now differs from the one the goldens were read from (${changed.join(', ')}): outputs are still compared`,
      );
    }
  }
  return { problems, warnings };
}

/** Runs the whole check. */
export async function runParity(opts: CheckOptions = {}): Promise<ParityReport> {
  // The run's steps in order (goldens, the serial pass, forced-parallel child processes, the golden comparisons), all recording into one report.
  const t0 = Date.now();
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const threads = opts.threads ?? [1, 2, 4];
  const modes = opts.modes ? MODES.filter((m) => opts.modes?.includes(m.id)) : [...MODES];
  const committed = opts.goldensDir ?? goldensDir;
  const empty = (skipped: string): ParityReport => ({
    skipped,
    goldens: { bcftools: committed, genvarloader: committed },
    children: [],
    modes: [],
    passed: 0,
    failed: 0,
    warnings: [],
    seconds: 0,
  });
  const missing = missingData();
  if (missing) return empty(missing);
  if (!onPath('bgzip') || !onPath('tabix'))
    return empty('bgzip/tabix not on PATH (apt-get install tabix): needed to write the chr16 VCF');

  const work = mkdtempSync(join(tmpdir(), 'gvl-parity-'));
  try {
    log(`[parity] writing the datasets in ${work} …`);
    const prepared = await prepareDatasets(work);
    const datasets = await openDatasets(prepared);
    const warnings: string[] = [];
    const staleProblems: string[] = [];

    // Goldens: committed, or regenerated live.
    const dirs: Record<GoldenSource, string> = { bcftools: committed, genvarloader: committed };
    const canBcftools = onPath('bcftools') && onPath('samtools') && onPath('python3');
    const canPeer = hasPeer();
    if (opts.live) {
      const liveDir = join(work, 'live-goldens');
      mkdirSync(liveDir, { recursive: true });
      if (!canPeer)
        warnings.push('--live: genvarloader venv not found: committed peer goldens used');
      if (!canBcftools)
        warnings.push(
          '--live: bcftools/samtools/python3 not found: committed bcftools goldens used',
        );
      log('[parity] regenerating goldens live …');
      await makeGoldens({
        outDir: liveDir,
        work,
        bcftools: canBcftools,
        peer: canPeer,
        manifest: false,
        modes,
        prepared,
        log,
      });
      if (canBcftools) dirs.bcftools = liveDir;
      if (canPeer) dirs.genvarloader = liveDir;
    }
    if (!opts.live || !canBcftools || !canPeer) {
      const m = checkManifest(committed, prepared.chr16VcfSha256, {
        chr20: prepared.chr20.path,
        chr16: prepared.chr16.path,
        'chr20-af': prepared['chr20-af'].path,
        'chr20-splice': prepared['chr20-splice'].path,
      });
      staleProblems.push(...m.problems);
      warnings.push(...m.warnings);
    }
    let specPath: string | null = null;
    const spec = () => {
      specPath ??= writeOracleSpec(prepared, work, MODES);
      return specPath;
    };

    // Serial pass (this process), then forced parallel in child processes.
    const serialDir = join(work, 'serial');
    mkdirSync(serialDir);
    const serialRows: Record<string, number> = {};
    for (const mode of modes) {
      const t = Date.now();
      serialRows[mode.id] = await serialPass(datasets[mode.dataset], mode, serialDir);
      log(`[parity] serial ${mode.id}: ${serialRows[mode.id]} rows (${Date.now() - t} ms)`);
    }
    const plan: ChildPlan = { prepared, serialDir, modes: modes.map((m) => m.id) };
    const planPath = join(work, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan));
    const children: ChildReport[] = [];
    for (const n of threads) {
      const t = Date.now();
      log(`[parity] forced parallel, GVL_NUM_THREADS=${n} (child process) …`);
      const rep = await runChild(planPath, n);
      children.push(rep);
      log(
        `[parity]   pool ${rep.threads} threads (${rep.poolSource}), built: ${rep.poolBuilt} (${Date.now() - t} ms)`,
      );
    }

    // Goldens.
    const reports: ModeReport[] = [];
    for (const mode of modes) {
      const ds = datasets[mode.dataset];
      const parallel: Record<string, Cell> = {};
      threads.forEach((n, i) => {
        const rep = children[i] as ChildReport;
        const m = rep.modes.find((x) => x.mode === mode.id);
        const ok = m !== undefined && m.mismatchedRows === 0 && m.first === null;
        const poolNote =
          rep.threads !== n || !rep.poolBuilt
            ? `pool had ${rep.threads} threads, built: ${rep.poolBuilt}`
            : undefined;
        parallel[String(n)] = {
          status: ok && !poolNote ? 'equal' : 'differs',
          rows: m?.rows ?? 0,
          ...(poolNote ? { note: poolNote } : {}),
          first: m?.first ?? null,
        };
      });
      const golden = async (source: GoldenSource): Promise<Cell> => {
        const oracle = source === 'bcftools' ? mode.bcftools : mode.peer;
        if (oracle.kind === 'none') return { status: 'n/a', rows: 0, note: oracle.why };
        const doc = loadGolden(dirs[source], source, mode.goldensOf ?? mode.id);
        if (!doc) {
          return {
            status: 'error',
            rows: 0,
            note: `golden ${source}.${mode.id}.json missing in ${dirs[source]}; regenerate: pnpm --filter @gvl/parity run goldens`,
          };
        }
        const stale = dirs[source] === committed ? staleProblems : [];
        if (stale.length > 0) {
          return { status: 'error', rows: 0, note: `stale goldens: ${stale.join('; ')}` };
        }
        const canFetch = source === 'bcftools' ? canBcftools : canPeer;
        const res = await compareGolden(ds, mode, doc, (region) => {
          if (!canFetch) return null;
          try {
            const out = runOracle(source === 'bcftools' ? 'bcftools' : 'peer', [
              source === 'bcftools' ? 'bcftools-batch' : 'peer-batch',
              spec(),
              mode.goldensOf ?? mode.id,
              String(region),
            ]);
            return JSON.parse(out);
          } catch {
            return null;
          }
        });
        return cellFromGolden(res, doc);
      };
      const t = Date.now();
      const bcftools = await golden('bcftools');
      const genvarloader = await golden('genvarloader');
      log(`[parity] goldens ${mode.id} (${Date.now() - t} ms)`);
      const nRegions = viewFor(ds, mode, false).nRegions;
      const passCount = passRegions(mode, nRegions).length;
      reports.push({
        id: mode.id,
        label: mode.label,
        rows: serialRows[mode.id] ?? 0,
        ...(passCount < nRegions
          ? {
              sampled: `serial == parallel read one region in ${mode.passStride} (${passCount} of ${nRegions}), every sample; the goldens cover every region`,
            }
          : {}),
        parallel,
        bcftools,
        genvarloader,
      });
    }
    let passed = 0;
    let failed = 0;
    for (const r of reports) {
      for (const c of [...Object.values(r.parallel), r.bcftools, r.genvarloader]) {
        if (c.status === 'equal') passed++;
        else if (c.status !== 'n/a') failed++;
      }
    }
    return {
      goldens: dirs,
      children,
      modes: reports,
      passed,
      failed,
      warnings,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    if (opts.keep || process.env.GVL_KEEP_TMP) log(`[parity] kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}
