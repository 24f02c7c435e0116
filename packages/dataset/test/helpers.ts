import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oracleReason, skipName } from '../../../test-support/oracles.mjs';

/** The skip reason for a missing oracle (bcftools, samtools, tabix, the peer), naming its install command. */
export { oracleReason };

/** packages/dataset */
export const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** the monorepo root */
export const repoRoot = resolve(pkgDir, '..', '..');
/** Real data: `$GVL_DATA_DIR` or `<repo>/../shared/data` (never copied into git). */
export const dataDir = process.env.GVL_DATA_DIR ?? resolve(repoRoot, '..', 'shared', 'data');
export const chr20Dir = join(dataDir, '1kg-chr20');
export const chr20 = {
  vcf: join(chr20Dir, '1kg_chr20_300samples.vcf.gz'),
  fasta: join(chr20Dir, 'chr20_1-2Mb.fa.gz'),
  bed2kb: join(chr20Dir, 'windows_2kb.bed'),
};
export const chr16Dir = join(dataDir, 'hg38-chr16-chunk');
/**
 * Copies the committed tiny VCF (`test/fixtures/tiny-vcf`: contig `1` of
 * `'ACGT'.repeat(500)`, samples `B`, `A`; an SNV at 1:100 (T>G) and a deletion at 1:150 (CGT>C);
 * bgzipped, with its `.tbi`) to `dir/NAME.vcf.gz` and returns that path. Needs no
 * bgzip/tabix.
 */
export function copyTinyVcf(dir: string, name = 'v'): string {
  const out = join(dir, `${name}.vcf.gz`);
  for (const ext of ['', '.tbi'])
    copyFileSync(join(pkgDir, 'test', 'fixtures', 'tiny-vcf', `good.vcf.gz${ext}`), `${out}${ext}`);
  return out;
}

export const hasChr20 =
  existsSync(chr20.vcf) && existsSync(chr20.fasta) && existsSync(chr20.bed2kb);
export const hasChr16 =
  existsSync(join(chr16Dir, 'gc.bw')) && existsSync(join(chr16Dir, 'chunk.fa'));

function onPath(cmd: string, versionArg = '--version'): boolean {
  const r = spawnSync(cmd, [versionArg], { stdio: 'ignore' });
  return r.error === undefined && r.status !== null;
}

export const hasBcftools = onPath('bcftools');
export const hasSamtools = onPath('samtools');
export const hasTabix = onPath('tabix') && onPath('bgzip');

/** The oracle venv made by scripts/setup-oracle.sh (`$GVL_ORACLE_VENV` overrides). */
export const oracleVenv = process.env.GVL_ORACLE_VENV ?? join(pkgDir, '.venv-oracle');
export const oraclePython = join(oracleVenv, 'bin', 'python');
export const hasOracle =
  existsSync(oraclePython) &&
  spawnSync(oraclePython, ['-c', 'import genvarloader'], { stdio: 'ignore' }).status === 0;

/** The skip reasons of a suite that needs the Python peer: none when its venv works. */
export const peerMissing: string[] = hasOracle ? [] : [oracleReason('peer')];

/**
 * Runs the peer oracle script `test/oracle/<script>` with `args`, where the string
 * `'<reference>'` stands for a scratch copy of the chr20 reference (genvarloader writes
 * a cache beside its reference, so it never sees the shared data); `'<scratch>'` for the
 * scratch folder itself (for scripts that write files there). `read` gets the folder
 * before it is removed. Returns the script's standard output.
 */
export function runPeer(
  script: string,
  args: string[],
  read: (scratch: string) => void = () => undefined,
): string {
  const scratch = mkdtempSync(join(tmpdir(), 'gvl-peer-'));
  try {
    for (const ext of ['', '.fai', '.gzi'])
      copyFileSync(chr20.fasta + ext, join(scratch, `ref.fa.gz${ext}`));
    const argv = args.map((a) =>
      a === '<reference>' ? join(scratch, 'ref.fa.gz') : a === '<scratch>' ? scratch : a,
    );
    const out = execFileSync(oraclePython, [join(pkgDir, 'test', 'oracle', script), ...argv], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    read(scratch);
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A describe name that says why a suite is skipped; a suite skipped for an oracle
 * (`oracleReason`) is recorded for the summary line `npm test` ends with.
 */
export function suiteName(name: string, missing: string[]): string {
  return skipName(name, missing);
}

export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input !== undefined ? { input } : {}),
  });
}

/** Raw little-endian arrays, as the dataset stores them. */
export function readInt64(path: string): BigInt64Array {
  const b = readFileSync(path);
  return new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
export function readInt32(path: string): Int32Array {
  const b = readFileSync(path);
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
export function readFloat32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Parses a real `.npy` of int32 `(rows, cols)` into row-major values. */
export function readNpyInt32(path: string): {
  shape: number[];
  fortran: boolean;
  data: Int32Array;
} {
  const b = readFileSync(path);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  const shape = [...(/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').matchAll(/\d+/g)].map((m) =>
    Number(m[0]),
  );
  const fortran = header.includes("'fortran_order': True");
  const body = new Int32Array(
    b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.byteLength),
  );
  const [rows = 0, cols = 1] = shape;
  const data = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++)
      data[r * cols + c] = body[fortran ? c * rows + r : r * cols + c] as number;
  }
  return { shape, fortran, data };
}

/** A `CliIo` that records what a command prints. */
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream,
      stderr: { write: (s: string) => err.push(s) } as unknown as NodeJS.WritableStream,
    },
  };
}
