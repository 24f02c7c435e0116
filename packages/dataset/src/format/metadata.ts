/**
 * `metadata.json` of a genvarloader dataset (format 2.0.0).
 *
 * @module
 */
import { BadDatasetError } from '../errors.js';
import { METADATA_FILE } from './layout.js';

/** The on-disk format version written by {@link write}. */
export const FORMAT_VERSION = '2.0.0';

/**
 * The genvarloader release whose writer this package mirrors, written as
 * `metadata.version`. The peer reads `POS` in `variants.arrow` as 1-based only when this
 * is at least `0.18.0`, so it must name a peer version, not this package's.
 */
export const PEER_VERSION = '0.43.1';

/**
 * The content of `metadata.json`, field names as on disk.
 *
 * @see genvarloader `_dataset._write.Metadata`
 */
export interface DatasetMetadata {
  /** Sample names, sorted (plain string order). */
  samples: string[];
  /** Contigs of the BED, natsorted; `regions.npy` column 0 indexes this list. */
  contigs: string[];
  /** Number of regions (BED rows). */
  n_regions: number;
  /** Alleles per sample, `null` without genotypes. */
  ploidy: number | null;
  /** Padding applied to every region at write time, in bp. */
  max_jitter: number;
  /** genvarloader version the format mirrors ({@link PEER_VERSION}). */
  version: string | null;
  /** On-disk format version, `"2.0.0"`. */
  format_version: string | null;
  /** Always `null` here (datasets linked to a `.svar` are not written by this package). */
  svar_link: unknown;
  /** Always `null` here. */
  svar2_link: unknown;
  /**
   * `null` from `write`; from `concat` (as the peer's), the fingerprint of the shared
   * `genotypes/variants.arrow`: `{algorithm: 'blake2b', n_bytes_hashed, digest,
   * size_bytes}` (see `variantsFingerprint`). Not checked when reading.
   */
  variants_fingerprint: unknown;
}

/** Serializes metadata in the peer's field order, compact like pydantic's `model_dump_json`. */
export function encodeMetadata(m: DatasetMetadata): string {
  const ordered: DatasetMetadata = {
    samples: m.samples,
    contigs: m.contigs,
    n_regions: m.n_regions,
    ploidy: m.ploidy,
    max_jitter: m.max_jitter,
    version: m.version,
    format_version: m.format_version,
    svar_link: m.svar_link ?? null,
    svar2_link: m.svar2_link ?? null,
    variants_fingerprint: m.variants_fingerprint ?? null,
  };
  return JSON.stringify(ordered);
}

/**
 * Whether `raw` is recognizably the `metadata.json` of a genvarloader dataset: a JSON
 * object with the peer's required fields `samples` (array), `contigs` (array) and
 * `n_regions` (number). Looser than {@link parseMetadata} on purpose: it decides whether a
 * directory is a dataset at all (which `overwrite` may replace, whatever its state), not
 * whether the dataset is valid.
 *
 * @param raw - the parsed JSON.
 */
export function looksLikeMetadata(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object') return false;
  const m = raw as Record<string, unknown>;
  return Array.isArray(m.samples) && Array.isArray(m.contigs) && typeof m.n_regions === 'number';
}

/** A `metadata.json` problem: the key, the value found and what was expected. */
export interface MetadataProblem {
  /** The top-level key at fault, or `null` for the document itself. */
  readonly key: string | null;
  /** The offending value (`undefined` when the key is missing). */
  readonly value: unknown;
  /** What was expected, e.g. `'an integer >= 0'`. */
  readonly expected: string;
  /** Position inside an array value (`samples[3]`), when one element is at fault. */
  readonly index?: number;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** One line naming the file, key, value and expectation, for error messages. */
export function formatMetadataProblem(p: MetadataProblem): string {
  const where =
    p.key === null ? 'the document' : p.index === undefined ? p.key : `${p.key}[${p.index}]`;
  return `metadata.json: ${where} is ${describeValue(p.value)}: expected ${p.expected}`;
}

/** Python's default `str` order (by code point), which the peer uses to sort samples. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const cx = (x.value as string).codePointAt(0) as number;
    const cy = (y.value as string).codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

const isInt = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/**
 * The one schema of `metadata.json`, used by `Dataset.open`, `datasetInfo` and
 * `verifyDataset`. Each rule is stated once here:
 *
 * - the document is a JSON object; unknown keys are ignored (as the peer's pydantic model does);
 * - `format_version`: a string `"2.x.y"` (major 2) — required;
 * - `samples`: an array of non-empty strings, strictly ascending in code-point order
 *   (the peer sorts them; a duplicate or an out-of-order name is a corruption) — required;
 * - `contigs`: an array of distinct non-empty strings — required;
 * - `n_regions`: an integer ≥ 0 — required (a missing count must not read as 0 regions);
 * - `ploidy`: `null`/absent or an integer ≥ 1;
 * - `max_jitter`: absent (0) or an integer ≥ 0;
 * - `version`: absent, `null` or a string;
 * - `svar_link`, `svar2_link`: absent or `null` (linked `.svar` stores are not supported).
 *
 * @param raw - the parsed JSON.
 * @returns the metadata with defaults filled in (`ploidy: null`, `max_jitter: 0`), or the
 *   first problem found.
 * @see genvarloader `_dataset._write.Metadata` (pydantic).
 */
export function parseMetadata(raw: unknown):
  | {
      /** `true`: `raw` follows the schema. */
      ok: true;
      /** The parsed metadata, defaults filled in. */
      metadata: DatasetMetadata;
    }
  | {
      /** `false`: `raw` breaks a rule. */
      ok: false;
      /** The first rule broken: the key, the offending value and what was expected. */
      problem: MetadataProblem;
    } {
  const fail = (key: string | null, value: unknown, expected: string, index?: number) => ({
    ok: false as const,
    problem: index === undefined ? { key, value, expected } : { key, value, expected, index },
  });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return fail(null, raw, 'a JSON object');
  const m = raw as Record<string, unknown>;
  const fv = m.format_version;
  if (typeof fv !== 'string' || !/^2\.\d+\.\d+/.test(fv))
    return fail('format_version', fv, 'a version string "2.x.y" (format major version 2)');
  const { samples, contigs } = m;
  if (!Array.isArray(samples)) return fail('samples', samples, 'an array of sample names');
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (typeof s !== 'string' || s === '') return fail('samples', s, 'a non-empty string', i);
    if (i > 0) {
      const c = compareCodePoints(samples[i - 1] as string, s);
      if (c === 0) return fail('samples', s, 'distinct sample names (this one repeats)', i);
      if (c > 0)
        return fail(
          'samples',
          s,
          `sorted names (it sorts before ${JSON.stringify(samples[i - 1])})`,
          i,
        );
    }
  }
  if (!Array.isArray(contigs)) return fail('contigs', contigs, 'an array of contig names');
  const seen = new Set<string>();
  for (let i = 0; i < contigs.length; i++) {
    const c = contigs[i];
    if (typeof c !== 'string' || c === '') return fail('contigs', c, 'a non-empty string', i);
    if (seen.has(c)) return fail('contigs', c, 'distinct contig names (this one repeats)', i);
    seen.add(c);
  }
  if (!isInt(m.n_regions, 0)) return fail('n_regions', m.n_regions, 'an integer >= 0');
  const ploidy = m.ploidy ?? null;
  if (ploidy !== null && !isInt(ploidy, 1))
    return fail('ploidy', ploidy, 'null or an integer >= 1');
  const maxJitter = m.max_jitter ?? 0;
  if (!isInt(maxJitter, 0)) return fail('max_jitter', m.max_jitter, 'an integer >= 0');
  const version = m.version ?? null;
  if (version !== null && typeof version !== 'string')
    return fail('version', version, 'null or a version string');
  for (const key of ['svar_link', 'svar2_link'] as const) {
    if (m[key] !== undefined && m[key] !== null)
      return fail(key, m[key], 'null (datasets linked to a .svar store are not supported)');
  }
  return {
    ok: true,
    metadata: {
      samples: samples as string[],
      contigs: contigs as string[],
      n_regions: m.n_regions,
      ploidy,
      max_jitter: maxJitter,
      version,
      format_version: fv,
      svar_link: m.svar_link ?? null,
      svar2_link: m.svar2_link ?? null,
      variants_fingerprint: m.variants_fingerprint ?? null,
    },
  };
}

/**
 * {@link parseMetadata}, throwing on the first broken rule: the one check of
 * `metadata.json` behind `Dataset.open`, `datasetInfo`, `verifyDataset` and `addTracks`.
 *
 * @param dir - the dataset directory, named in the message.
 * @param raw - the parsed JSON of its `metadata.json`.
 * @returns the metadata with defaults filled in.
 * @throws {@link BadDatasetError} `GVL_BAD_DATASET` with `file: 'metadata.json'`, `index`
 *   the array position at fault (or `null`) and `value` the offending value; the message
 *   names the key, the value and what was expected.
 */
export function checkMetadata(dir: string, raw: unknown): DatasetMetadata {
  const parsed = parseMetadata(raw);
  if (parsed.ok) return parsed.metadata;
  throw new BadDatasetError(
    `${dir}: ${formatMetadataProblem(parsed.problem)}`,
    { file: METADATA_FILE, index: parsed.problem.index ?? null },
    { value: parsed.problem.value },
  );
}
