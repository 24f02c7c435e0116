/**
 * The golden driver: writes the datasets (gvl-ts `write()`, deterministic), hands
 * `scripts/make_goldens.py` a spec (this app's modes plus where the datasets and inputs
 * are) and lets it produce the goldens from bcftools/samtools and from the Python
 * genvarloader. Also has the peer write the same datasets itself and compares them byte
 * for byte with ours, and records input digests in `goldens/manifest.json`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { type Prepared, prepareDatasets } from './fixtures.js';
import { dataDir, inputs, makeGoldensScript, oraclePython } from './paths.js';
import { type DatasetId, MODES, type ModeSpec } from './spec.js';

/** The command that regenerates the committed goldens (from the repo root). */
export const GOLDENS_COMMAND = 'pnpm --filter @gvl/parity run goldens';

/** The JSON `make_goldens.py` reads. */
export interface OracleSpec {
  command: string;
  datasets: Record<
    DatasetId,
    {
      path: string;
      reference: string;
      /** Scratch copy for the peer (it writes a `.gvlfa` cache beside the FASTA). */
      referenceCopy: string;
      vcf: string;
      bed: string;
      maxJitter: number;
      tracks: Record<string, Record<string, string>>;
    }
  >;
  modes: readonly ModeSpec[];
}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Writes the oracle spec for datasets prepared in `work`; copies the references. */
export function writeOracleSpec(
  prepared: Prepared,
  work: string,
  modes: readonly ModeSpec[],
): string {
  const datasets = {} as OracleSpec['datasets'];
  for (const id of ['chr20', 'chr16', 'chr20-af', 'chr20-splice'] as const) {
    const d = prepared[id];
    const dir = join(work, `peer-reference-${id}`);
    mkdirSync(dir, { recursive: true });
    const name = d.reference.split('/').at(-1) as string;
    for (const ext of ['', '.fai', '.gzi']) {
      if (existsSync(d.reference + ext)) copyFileSync(d.reference + ext, join(dir, name + ext));
    }
    datasets[id] = {
      path: d.path,
      reference: d.reference,
      referenceCopy: join(dir, name),
      vcf: d.vcf,
      bed: d.bed,
      maxJitter: d.maxJitter,
      tracks: d.tracks,
    };
  }
  const spec: OracleSpec = { command: GOLDENS_COMMAND, datasets, modes };
  const path = join(work, 'oracle-spec.json');
  writeFileSync(path, JSON.stringify(spec, null, 2));
  return path;
}

/**
 * Runs `make_goldens.py CMD SPEC ...args` with python3 (bcftools side) or the venv
 * (peer); returns its stdout. Its `[make_goldens]` progress lines go to `log`; the
 * peer's own logging and progress bars are dropped unless the command fails.
 */
export function runOracle(
  side: 'bcftools' | 'peer',
  args: string[],
  log?: (line: string) => void,
): string {
  const python = side === 'peer' ? oraclePython() : 'python3';
  const r = spawnSync(python, [makeGoldensScript, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, RUST_BACKTRACE: '0', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  for (const line of (r.stderr ?? '').split('\n'))
    if (line.startsWith('[make_goldens]')) log?.(line);
  if (r.status !== 0) {
    const tail = (r.stderr ?? '').trim().split('\n').slice(-8).join('\n');
    throw new Error(`${python} make_goldens.py ${args[0]} exited with ${r.status}: ${tail}`);
  }
  return r.stdout;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** File digests of a dataset directory. */
export function datasetDigests(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, sha256File(join(dir, f))]));
}

export interface MakeGoldensOptions {
  /** Where the golden JSON files go. */
  outDir: string;
  /** Scratch directory (datasets, spec, reference copies). */
  work: string;
  bcftools: boolean;
  peer: boolean;
  /** Also let the peer write the datasets and compare them with ours; write the manifest. */
  manifest: boolean;
  modes?: readonly ModeSpec[];
  log?: (line: string) => void;
  /** Datasets already written in `work` (the checker's), else written here. */
  prepared?: Prepared & { chr16VcfSha256: string };
}

/** Makes goldens into `outDir`. */
export async function makeGoldens(o: MakeGoldensOptions): Promise<void> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  mkdirSync(o.outDir, { recursive: true });
  const prepared = o.prepared ?? (await prepareDatasets(o.work));
  // Modes reusing another mode's goldens (`goldensOf`) have none of their own: that
  // mode's are made instead.
  const modes = [
    ...new Set(
      (o.modes ?? MODES).map((m) =>
        m.goldensOf === undefined ? m : (MODES.find((x) => x.id === m.goldensOf) as ModeSpec),
      ),
    ),
  ];
  const spec = writeOracleSpec(prepared, o.work, modes);
  if (o.bcftools) {
    log('[goldens] bcftools consensus/query + samtools faidx …');
    runOracle('bcftools', ['bcftools', spec, o.outDir], log);
  }
  if (o.peer) {
    log(`[goldens] genvarloader (${oraclePython()}) …`);
    runOracle('peer', ['peer', spec, o.outDir], log);
  }
  if (!o.manifest) return;
  let peerWrite: Record<string, { identical: boolean; differing: string[] }> = {};
  if (o.peer) {
    const dir = join(o.work, 'peer-written');
    mkdirSync(dir, { recursive: true });
    log('[goldens] genvarloader writes the same datasets …');
    peerWrite = JSON.parse(runOracle('peer', ['peer-write', spec, dir], log));
  }
  const inp = inputs();
  const rel = (p: string) => relative(dataDir(), p);
  const manifest = {
    format: 'gvl-parity-manifest/1',
    command: GOLDENS_COMMAND,
    datasets:
      'written by gvl-ts @gvl/dataset write() from ../shared/data (chr20: windows_2kb.bed, maxJitter 0; chr16: the generated VCF and 48 windows, maxJitter 16; chr20-af: the chr20 inputs with infoFields AF; chr20-splice: the chr20 inputs, windows grouped into transcripts); the peer reads these same directories',
    inputs: Object.fromEntries(
      [...Object.values(inp.chr20), ...Object.values(inp.chr16)].map((p) => [
        rel(p),
        sha256File(p),
      ]),
    ),
    generatedChr16VcfSha256: prepared.chr16VcfSha256,
    datasetFiles: {
      chr20: datasetDigests(prepared.chr20.path),
      chr16: datasetDigests(prepared.chr16.path),
      'chr20-af': datasetDigests(prepared['chr20-af'].path),
      'chr20-splice': datasetDigests(prepared['chr20-splice'].path),
    },
    peerWrittenDatasets: peerWrite,
    tools: {
      bcftools: o.bcftools ? firstLine('bcftools', ['--version']) : null,
      samtools: o.bcftools ? firstLine('samtools', ['--version']) : null,
      genvarloader: o.peer ? runOracle('peer', ['peer-version', spec]).trim() : null,
    },
  };
  writeFileSync(join(o.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [id, res] of Object.entries(peerWrite)) {
    log(
      `[goldens] the peer-written ${id} dataset ${res.identical ? 'equals ours (raw arrays byte for byte, Arrow tables by content)' : `differs from ours: ${res.differing.join(', ')}`}`,
    );
  }
}

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? null) : null;
}
