/**
 * Sequence encodings the fused sources apply to each finished row, in the same
 * native task that wrote it: integer tokens through a 256-entry lookup table, or
 * one-hot float32 rows.
 */
import { native } from './binding.js';
import { invalidArgument } from './errors.js';
import { runSync } from './scheduler.js';
import { expectObject } from './validate.js';

/**
 * How reference or haplotype rows are returned.
 *
 * - `{ kind: 'ascii' }`: ASCII bytes (the default).
 * - `{ kind: 'tokens', alphabet, unknownToken }`: byte `alphabet[i]` becomes token `i`,
 *   every other byte (including the `N` pad) `unknownToken`, after reverse complement.
 *   uint8 when every token is at most 255, else int32 (the peer's `token_alphabet` /
 *   `unknown_token` rule).
 * - `{ kind: 'oneHot', alphabet }`: float32, `alphabet.length` values per base: 1.0 in
 *   column `i` for byte `alphabet[i]`, all zero for any other byte (the `N` pad included).
 *
 * `alphabet`: 1 to 256 distinct bytes (a string is taken as ASCII, one byte per character).
 */
export type SeqEncoding = AsciiEncoding | TokenEncoding | OneHotEncoding;

/** Rows as ASCII bytes (no encoding). */
export interface AsciiEncoding {
  /** The encoding's kind. */
  kind: 'ascii';
}

/** Rows as integer tokens: byte `alphabet[i]` → `i`, any other byte → `unknownToken`. */
export interface TokenEncoding {
  /** The encoding's kind. */
  kind: 'tokens';
  /** The token alphabet: 1 to 256 distinct bytes (a string is taken as ASCII). */
  alphabet: string | Uint8Array;
  /** Token of every byte outside `alphabet`, an integer in `[0, 2^31 − 1]`. */
  unknownToken: number;
}

/** Rows as float32 one-hot: `alphabet.length` values per base, all zero outside `alphabet`. */
export interface OneHotEncoding {
  /** The encoding's kind. */
  kind: 'oneHot';
  /** The alphabet: 1 to 256 distinct bytes (a string is taken as ASCII). */
  alphabet: string | Uint8Array;
}

/** The output of a {@link SeqEncoding}: its dtype and values per base. */
export interface SeqEncodingInfo {
  /** Element type of the rows: uint8 (ASCII, or tokens ≤ 255), int32 (larger tokens), float32 (one-hot). */
  dtype: 'uint8' | 'int32' | 'float32';
  /** Values per base: the alphabet's size for one-hot, else 1. */
  width: number;
}

/** The addon's form of an encoding (the alphabet as bytes), or `undefined` for ASCII. */
export function nativeEncoding(
  param: string,
  e: SeqEncoding | undefined,
):
  | { kind: string; alphabet?: Uint8Array | undefined; unknownToken?: number | undefined }
  | undefined {
  if (e === undefined) return undefined;
  expectObject(param, e);
  const {
    kind,
    alphabet: a,
    unknownToken,
  } = e as {
    kind?: unknown;
    alphabet?: unknown;
    unknownToken?: unknown;
  };
  // Types here; the values (kind, alphabet bytes, token range) are checked by the addon.
  if (typeof kind !== 'string')
    throw invalidArgument(`${param}.kind`, kind, "'ascii', 'tokens' or 'oneHot'");
  if (unknownToken !== undefined && typeof unknownToken !== 'number')
    throw invalidArgument(`${param}.unknownToken`, unknownToken, 'an integer in [0, 2^31 − 1]');
  let alphabet: Uint8Array | undefined;
  if (typeof a === 'string') {
    alphabet = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      if (c > 127)
        throw invalidArgument(`${param}.alphabet`, a[i], 'ASCII characters (or a Uint8Array)', i);
      alphabet[i] = c;
    }
  } else if (a instanceof Uint8Array) alphabet = a;
  else if (a !== undefined)
    throw invalidArgument(`${param}.alphabet`, a, 'a string of ASCII characters or a Uint8Array');
  return { kind, alphabet, unknownToken };
}

/**
 * Checks a sequence encoding exactly as the kernels do, so a caller can reject a bad
 * one when it is set rather than at the first batch.
 *
 * @param encoding - the encoding to check.
 * @param param - how errors name it, default `'encoding'`.
 * @returns the output dtype and values per base.
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` naming `param.kind` (not
 *   `'ascii'`, `'tokens'` or `'oneHot'`), `param.alphabet` (a repeated byte, with its index,
 *   or a non-ASCII character), `param.alphabet.length` (empty or over 256 bytes) or
 *   `param.unknownToken` (missing for tokens, or not an integer in `[0, 2^31 − 1]`).
 * @example
 * ```ts
 * import { checkSeqEncoding } from '@gvl/native';
 * checkSeqEncoding({ kind: 'tokens', alphabet: 'ACGT', unknownToken: 4 }); // { dtype: 'uint8', width: 1 }
 * checkSeqEncoding({ kind: 'oneHot', alphabet: 'ACGT' }); // { dtype: 'float32', width: 4 }
 * ```
 */
export function checkSeqEncoding(encoding: SeqEncoding, param = 'encoding'): SeqEncodingInfo {
  const spec = nativeEncoding(param, encoding);
  if (!spec) return { dtype: 'uint8', width: 1 };
  return runSync(() => native.checkSeqEncoding(param, spec)) as SeqEncodingInfo;
}
