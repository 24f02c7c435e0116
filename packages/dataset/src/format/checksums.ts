/**
 * `checksums.json`: the SHA-256 of every file of a dataset, written last by {@link write}
 * and checked by `Dataset.open` and `verifyDataset`.
 *
 * Shape: `{"algorithm": "sha256", "files": {"<path relative to the dataset, '/'-separated>":
 * "<64 lowercase hex digits>", …}}`, keys sorted. The file is an addition to the
 * genvarloader format 2.0.0 layout; genvarloader 0.43.1 ignores it (it opens datasets that
 * carry it, checked by the oracle tests). Datasets without it (every dataset the peer
 * writes) are read without content checks.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadDatasetError, describeError } from '../errors.js';
import { CHECKSUMS_FILE } from './layout.js';

export { CHECKSUMS_FILE } from './layout.js';

/** Content of {@link CHECKSUMS_FILE}. */
export interface ChecksumManifest {
  /** Always `"sha256"`. */
  algorithm: 'sha256';
  /** Hex SHA-256 of each file, by path relative to the dataset (`/`-separated). */
  files: Record<string, string>;
}

/** Bytes hashed per `update` call: bounded, whatever the size of the file. */
const HASH_CHUNK = 64 << 20;

/**
 * Hex SHA-256 of `bytes` (any length: hashed in 64 MiB pieces, so a memory-mapped file
 * larger than one `update` call accepts is streamed through the page cache).
 */
export function sha256(bytes: Uint8Array): string {
  const h = createHash('sha256');
  for (let o = 0; o < bytes.length; o += HASH_CHUNK)
    h.update(bytes.subarray(o, Math.min(o + HASH_CHUNK, bytes.length)));
  return h.digest('hex');
}

/** Bytes read at a time by {@link sha256File}. */
const HASH_READ_BYTES = 1 << 20;

/**
 * Hex SHA-256 of the file at `path`, read in 1 MiB pieces through one reused buffer:
 * memory does not grow with the file's size.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(HASH_READ_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile() && rel !== CHECKSUMS_FILE) out.push(rel);
  }
  return out;
}

/**
 * Hashes every regular file under `dir` (recursively, except `checksums.json`) and
 * writes {@link CHECKSUMS_FILE}. Called on the temp directory of a write, before commit.
 * Files are streamed ({@link sha256File}), so the memory of a write does not grow with
 * the size of the dataset.
 */
export async function writeChecksums(dir: string): Promise<void> {
  const files: Record<string, string> = {};
  for (const rel of await listFiles(dir)) files[rel] = await sha256File(join(dir, rel));
  const manifest: ChecksumManifest = { algorithm: 'sha256', files };
  await writeFile(join(dir, CHECKSUMS_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** Every regular file under `dir` except `checksums.json`, `/`-separated relative paths. */
export function listDatasetFiles(dir: string): Promise<string[]> {
  return listFiles(dir);
}

/**
 * Reads and validates {@link CHECKSUMS_FILE}; `null` when the dataset has none.
 *
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` when it exists but is not a manifest.
 */
export async function readChecksums(dir: string): Promise<ChecksumManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, CHECKSUMS_FILE), 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BadDatasetError(
      `${dir}: ${CHECKSUMS_FILE} cannot be read (${describeError(cause)})`,
      { file: CHECKSUMS_FILE },
      { value: CHECKSUMS_FILE, cause },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new BadDatasetError(
      `${dir}: ${CHECKSUMS_FILE} is not JSON (${describeError(cause)})`,
      { file: CHECKSUMS_FILE },
      { value: text.slice(0, 80), cause },
    );
  }
  const m = raw as Partial<ChecksumManifest> | null;
  const files = m?.files;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.algorithm !== 'sha256' ||
    files === null ||
    typeof files !== 'object' ||
    Array.isArray(files) ||
    !Object.values(files).every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))
  ) {
    throw new BadDatasetError(
      `${dir}: ${CHECKSUMS_FILE} is not {"algorithm": "sha256", "files": {path: 64 hex digits}}`,
      { file: CHECKSUMS_FILE },
      { value: m },
    );
  }
  return { algorithm: 'sha256', files: files as Record<string, string> };
}

/**
 * Checks the bytes of each file read against a manifest as they are read; `finish()`
 * then requires that every listed file was seen.
 */
export class ChecksumLedger {
  private readonly seen = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly manifest: ChecksumManifest | null,
  ) {}

  /** Whether the dataset has a manifest. */
  get active(): boolean {
    return this.manifest !== null;
  }

  /** Whether the manifest lists `rel` (a listed file must exist). */
  lists(rel: string): boolean {
    return this.manifest !== null && rel in this.manifest.files;
  }

  /**
   * @param rel - path relative to the dataset, `/`-separated.
   * @throws {@link BadDatasetError} when the file is unlisted or its hash differs.
   */
  check(rel: string, bytes: Uint8Array): void {
    if (this.manifest === null) return;
    this.seen.add(rel);
    const want = this.manifest.files[rel];
    if (want === undefined) {
      throw new BadDatasetError(
        `${this.dir}: ${rel} is not listed in ${CHECKSUMS_FILE}: the dataset was changed after it was written`,
        { file: rel },
        { value: rel },
      );
    }
    const got = sha256(bytes);
    if (got !== want) {
      throw new BadDatasetError(
        `${this.dir}: ${rel} has SHA-256 ${got}: expected ${want} (from ${CHECKSUMS_FILE}); the file is corrupted`,
        { file: rel },
        { value: got },
      );
    }
  }

  /** @throws {@link BadDatasetError} naming a listed file that was never read. */
  finish(): void {
    if (this.manifest === null) return;
    for (const rel of Object.keys(this.manifest.files)) {
      if (!this.seen.has(rel)) {
        throw new BadDatasetError(
          `${this.dir}: ${rel} is listed in ${CHECKSUMS_FILE} but is missing or unused`,
          { file: rel },
          { value: rel },
        );
      }
    }
  }
}
