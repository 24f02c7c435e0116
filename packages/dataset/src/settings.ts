import {
  checkDummyVariant,
  checkSeqEncoding as checkEncoding,
  checkInsertionFill as checkFill,
  type DummyVariant,
  type InsertionFill,
  type SeqEncoding,
} from '@gvl/native';
import * as v from 'valibot';
import { GvlError, InvalidArgumentError, isGvlError } from './errors.js';
import { bool, intAtLeast, parse, unsupported } from './schema.js';
import { checkSpliceInfo, type SpliceInfo } from './splice.js';
import { DEFAULT_VAR_FIELDS } from './var-fields.js';

export type { InsertionFill };

/**
 * Which sequences `get()` returns: `'haplotypes'`, `'annotated'` (haplotypes with, per
 * base, the variant it came from and its reference coordinate), `'reference'` or
 * `'variants'`.
 */
export type SeqsKind = 'haplotypes' | 'annotated' | 'reference' | 'variants';

/** Output length mode: ragged rows, dense padded to the batch's longest row, or a fixed length. */
export type OutputLength = 'ragged' | 'variable' | number;

/** Read-time settings of a {@link Dataset}. */
export interface DatasetSettings {
  /** Max random shift (bp) of each region, `0 ≤ jitter ≤ maxJitter`. Default 0. */
  jitter: number;
  /** Seed of the PRNG used for jitter and random shifts. Default 0. */
  seed: number;
  /** When true (default), no random shifts of haplotypes longer than the output. */
  deterministic: boolean;
  /** Reverse-complement sequences (and reverse tracks) of `-` strand regions. Default true. */
  rcNeg: boolean;
  /** Realign tracks to haplotypes when both are active. Default true. */
  realignTracks: boolean;
  /** Insertion fill for realigned tracks, per track name; default `repeat5p`. */
  insertionFill: Readonly<Record<string, InsertionFill>>;
  /** Parallel kernels: `'auto'` (size gate, default), `true` (forced) or `false` (serial). */
  parallel: boolean | 'auto';
  /**
   * Fold each item's `ploidy` stored haplotypes onto one haploid row (the peer's
   * `unphased_union`): `'variants'` output is `(…, 1, ~variants)`, each row hap 0's
   * variants then hap 1's (no sort, no dedup: a homozygous call appears once per
   * haplotype), and `ploidy` / `nVariants` report 1. Phase is discarded (for unphased
   * calls). Needs genotypes; not with `'haplotypes'` output. Default false.
   */
  unphasedUnion: boolean;
  /**
   * A placeholder variant written into every empty variants row (the peer's
   * `dummy_variant`; `start` default -1, `ilen` 0, `alt` `'N'`, reverse-complemented
   * with its row), so every row has at least one variant. Only with `'variants'`
   * output; `null` (default) for none.
   */
  dummyVariant: DummyVariant | null;
  /**
   * Spliced (transcript) mode (the peer's `splice_info`): the input BED column holding
   * each row's transcript id, or `[idColumn, orderColumn]` to order exons by a second
   * column. Each (transcript, sample) item is then its exons' outputs concatenated in
   * transcript order, a `-` strand exon reverse-complemented (with `rcNeg`) before
   * concatenation; regions index transcripts. Needs `jitter: 0`, `deterministic: true`,
   * a `'ragged'` or `'variable'` length and no `'variants'` output. `null` (default) for
   * none. See {@link Dataset.getSpliceBed}.
   */
  spliceInfo: SpliceInfo | null;
  /**
   * Variant fields of the `'variants'` output (the peer's `var_fields`), a subset of
   * `Dataset.availableVarFields`: `'ref'` adds REF alleles, an INFO field name (stored
   * with `write({ infoFields })`) adds that column, `'dosage'` adds the float32 dosage of
   * each variant (stored with `write({ dosageField })`). `start`, `ilen` and `alt` are
   * always returned. Default `['alt', 'ilen', 'start']`.
   */
  varFields: readonly string[];
  /**
   * Keep only variants with `AF >= minAf` in the `'variants'` output (the peer's
   * `min_af`), from the dataset's `AF` column; `null` (default) for no lower bound.
   * In `[0, 1]`. Not applied to `nVariants` / `haplotypeLengths` (as the peer).
   */
  minAf: number | null;
  /** Keep only variants with `AF <= maxAf` (the peer's `max_af`); see {@link DatasetSettings.minAf}. */
  maxAf: number | null;
  /**
   * Token alphabet (the peer's `token_alphabet`): with it, `'haplotypes'` and `'reference'`
   * rows are integer tokens instead of ASCII, byte `tokenAlphabet[i]` becoming token `i`
   * (a string is taken as ASCII, one byte per character; 1 to 256 distinct bytes). Tokens
   * are uint8 when every token (the alphabet's indices and {@link unknownToken}) is at
   * most 255, else int32. Set together with `unknownToken` (or with `oneHot: true`);
   * `null` (default) for ASCII.
   */
  tokenAlphabet: string | Uint8Array | null;
  /**
   * Token of every byte outside {@link tokenAlphabet} (the peer's `unknown_token`), an
   * integer in `[0, 2^31 − 1]`, including the `N` pad; `null` (default) without tokens.
   */
  unknownToken: number | null;
  /**
   * One-hot output: `'haplotypes'` and `'reference'` rows become float32 with
   * `tokenAlphabet.length` values per base, 1.0 in the column of the base's index in
   * {@link tokenAlphabet}, all zero for a base outside it (`N` included). Needs
   * `tokenAlphabet`. Default false.
   */
  oneHot: boolean;
}

export const DEFAULT_SETTINGS: DatasetSettings = {
  jitter: 0,
  seed: 0,
  deterministic: true,
  rcNeg: true,
  realignTracks: true,
  insertionFill: {},
  parallel: 'auto',
  unphasedUnion: false,
  dummyVariant: null,
  spliceInfo: null,
  varFields: DEFAULT_VAR_FIELDS,
  minAf: null,
  maxAf: null,
  tokenAlphabet: null,
  unknownToken: null,
  oneHot: false,
};

const AF = 'null or a number in [0, 1]';
const af = v.nullable(v.pipe(v.number(AF), v.finite(AF), v.minValue(0, AF), v.maxValue(1, AF)));

/**
 * The rules of {@link DatasetSettings}, each stated once. Rules that the addon owns
 * (insertion fills, the dummy variant, token alphabets) call its check, which throws
 * its own typed error; `spliceInfo` is normalized to `string | [id, order] | null`.
 */
const settingsSchema = v.pipe(
  v.looseObject(
    {
      jitter: intAtLeast(0),
      seed: v.pipe(v.number('an integer'), v.safeInteger('an integer')),
      deterministic: bool,
      rcNeg: bool,
      realignTracks: bool,
      parallel: v.union([v.boolean(), v.literal('auto')], unsupported("true, false or 'auto'")),
      insertionFill: v.pipe(
        v.nullish(v.record(v.string(), v.unknown()), {}),
        v.transform((fills) => {
          const out: Record<string, InsertionFill> = {};
          for (const [name, fill] of Object.entries(fills))
            out[name] = checkInsertionFill(name, fill as InsertionFill);
          return out;
        }),
      ),
      unphasedUnion: bool,
      dummyVariant: v.pipe(
        v.unknown(),
        v.transform((d) => {
          if (d !== null) checkDummyVariant(d as DummyVariant, 'dummyVariant');
          return d as DummyVariant | null;
        }),
      ),
      spliceInfo: v.pipe(v.unknown(), v.transform(checkSpliceInfo)),
      varFields: v.pipe(
        v.array(v.unknown(), 'an array of variant field names'),
        v.check(
          (fields) => fields.every((f) => typeof f === 'string'),
          'an array of variant field names',
        ),
        v.transform((fields) => fields as readonly string[]),
      ),
      minAf: af,
      maxAf: af,
      tokenAlphabet: v.unknown(),
      unknownToken: v.unknown(),
      oneHot: bool,
    },
    'an object of settings',
  ),
  v.forward(
    v.partialCheck(
      [['minAf'], ['maxAf']],
      (s) => s.minAf === null || s.maxAf === null || s.minAf <= s.maxAf,
      (issue) => `a number <= maxAf (${(issue.input as { maxAf: unknown }).maxAf})`,
    ),
    ['minAf'],
  ),
);

/**
 * Checks every read setting (after defaults are merged): the rules of
 * {@link DatasetSettings}, then the encoding ({@link seqEncoding}). Returns the settings
 * with `insertionFill` and `spliceInfo` normalized.
 *
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` naming the setting, its
 *   value and what was expected; `GVL_INVALID_MODE` for a bad `parallel` or insertion
 *   fill kind; the addon's errors for a bad `dummyVariant`, `tokenAlphabet` or
 *   `unknownToken`.
 */
export function validateSettings(s: DatasetSettings): DatasetSettings {
  const out = parse(settingsSchema, s, 'settings') as unknown as DatasetSettings;
  seqEncoding(out);
  return out;
}

/**
 * The sequence encoding of some settings (`undefined` for ASCII), checked exactly as the
 * kernels check it: `tokenAlphabet` and `unknownToken` together (the peer's rule), or
 * `tokenAlphabet` with `oneHot: true`.
 *
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` naming `unknownToken` or
 *   `tokenAlphabet` when one is set without the other (and without `oneHot`), `oneHot`
 *   when it is set without `tokenAlphabet` (that it is a boolean is a rule of
 *   {@link validateSettings}); and, from the addon,
 *   `tokenAlphabet` (a repeated byte with its index, a non-ASCII character, empty or
 *   over 256 bytes) or `unknownToken` (not an integer in `[0, 2^31 − 1]`).
 */
export function seqEncoding(s: DatasetSettings): SeqEncoding | undefined {
  const { tokenAlphabet: alphabet, unknownToken, oneHot } = s;
  if (alphabet === null) {
    if (unknownToken !== null)
      throw invalid('unknownToken', unknownToken, 'null without tokenAlphabet (set both together)');
    if (oneHot) throw invalid('oneHot', oneHot, 'false without tokenAlphabet (its columns)');
    return undefined;
  }
  if (typeof alphabet !== 'string' && !(alphabet instanceof Uint8Array))
    throw invalid('tokenAlphabet', alphabet, 'a string, a Uint8Array or null');
  if (!oneHot && unknownToken === null)
    throw invalid('unknownToken', unknownToken, 'an integer set together with tokenAlphabet');
  const e = encodingOf(s) as SeqEncoding;
  try {
    checkEncoding(e, 'encoding');
  } catch (err) {
    // Name the setting the user wrote: `tokenAlphabet` / `unknownToken`.
    const at = (err as { param?: unknown }).param;
    if (!isGvlError(err) || typeof at !== 'string') throw err;
    const name = at.startsWith('encoding.unknownToken') ? 'unknownToken' : 'tokenAlphabet';
    const value = name === 'unknownToken' ? unknownToken : alphabet;
    throw new InvalidArgumentError(
      `${name} ${typeof value === 'string' ? JSON.stringify(value) : String(value)} is invalid: ${err.message}`,
      { value, cause: err },
    );
  }
  return e;
}

const SEQS_KINDS: readonly SeqsKind[] = ['haplotypes', 'annotated', 'reference', 'variants'];

export function invalid(what: string, value: unknown, expected: string): GvlError {
  return new InvalidArgumentError(
    `${what} ${JSON.stringify(value) ?? String(value)} is invalid: expected ${expected}`,
    {
      value,
    },
  );
}

export function checkSeqsKind(kind: unknown): SeqsKind | null {
  if (kind === null) return null;
  if ((SEQS_KINDS as readonly unknown[]).includes(kind)) return kind as SeqsKind;
  throw new GvlError(
    'GVL_INVALID_MODE',
    `sequence kind ${JSON.stringify(kind)} is not supported: expected one of ${SEQS_KINDS.map((k) => `'${k}'`).join(', ')} or null`,
    { value: kind },
  );
}

export function checkOutputLength(len: unknown): OutputLength {
  if (len === 'ragged' || len === 'variable') return len;
  if (typeof len === 'number' && Number.isSafeInteger(len) && len >= 1) return len;
  throw invalid('output length', len, "'ragged', 'variable' or an integer >= 1");
}

/**
 * Check the insertion fill of track `name` when it is set, with the addon's own
 * check (the one the kernels run): an unknown kind is `GVL_INVALID_MODE`; a bad
 * parameter is `GVL_INVALID_ARGUMENT` naming `insertionFill.<name>.<parameter>`.
 */
export function checkInsertionFill(name: string, fill: InsertionFill): InsertionFill {
  const param = `insertionFill.${name}`;
  try {
    return checkFill(fill, param);
  } catch (err) {
    // An unknown kind (or no fill object at all) is a mode error; bad parameters keep
    // the addon's GVL_INVALID_ARGUMENT naming `insertionFill.<track>.<parameter>`.
    const at = (err as { param?: unknown }).param;
    if (!isGvlError(err) || (at !== `${param}.kind` && at !== param)) throw err;
    throw new GvlError(
      'GVL_INVALID_MODE',
      `insertion fill ${JSON.stringify(fill)} of track ${name} is not supported: expected kind 'repeat5p', 'repeat5pNormalized', 'constant', 'flankSample' or 'interpolate'`,
      { value: fill, cause: err },
    );
  }
}

/**
 * The sequence encoding of settings already checked by {@link seqEncoding}: `undefined`
 * for ASCII.
 */
export function encodingOf(s: DatasetSettings): SeqEncoding | undefined {
  const { tokenAlphabet: alphabet, unknownToken, oneHot } = s;
  if (alphabet === null) return undefined;
  if (oneHot) return { kind: 'oneHot', alphabet };
  return { kind: 'tokens', alphabet, unknownToken: unknownToken as number };
}
