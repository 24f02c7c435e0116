/**
 * The top-level rules of `write()`'s options (types, ranges, which inputs are needed),
 * each stated once, checked before any input is read. Deep checks of the inputs (BED
 * rows, VCF records, track files) stay with the readers of those inputs.
 *
 * @module
 */
import * as v from 'valibot';
import { MAX_COORDINATE } from './bed.js';
import { bool, parse } from './schema.js';
import { checkDosageFieldOption } from './vcf-dosage.js';
import { checkInfoFieldsOption } from './vcf-info.js';
import type { WriteOptions } from './write.js';

const PATH = 'a non-empty string (the dataset directory)';
const JITTER = `an integer from 0 to ${MAX_COORDINATE} (2^31 - 1: padded regions are stored as int32)`;
const SAMPLES = 'a non-empty array of sample names';
const NEEDS_INPUT = 'at least one of `variants`, `tracks` or `annotTracks` to be given';

/** The first name listed twice in `names`, or `undefined`. */
function repeated(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const s of names) {
    if (seen.has(s)) return s;
    seen.add(s);
  }
  return undefined;
}

const pathSchema = v.pipe(v.string(PATH), v.minLength(1, PATH));

const optionsSchema = v.pipe(
  v.looseObject(
    {
      bed: v.custom<unknown>(
        (b) => typeof b === 'string' || (typeof b === 'object' && b !== null),
        'a BED path or a BedTable',
      ),
      variants: v.optional(v.string('a path to a .vcf.gz')),
      reference: v.optional(v.string('a path to a FASTA')),
      tracks: v.optional(v.array(v.unknown(), 'an array of track specs')),
      annotTracks: v.optional(
        v.record(v.string(), v.unknown(), 'an object of annotation track specs by name'),
      ),
      samples: v.optional(
        v.pipe(
          v.array(v.string(SAMPLES), SAMPLES),
          v.minLength(1, SAMPLES),
          v.check(
            (names) => repeated(names) === undefined,
            (issue) =>
              `each sample name once (${JSON.stringify(repeated(issue.input as string[]))} is listed twice)`,
          ),
        ),
      ),
      maxJitter: v.optional(
        v.pipe(
          v.number(JITTER),
          v.safeInteger(JITTER),
          v.minValue(0, JITTER),
          v.maxValue(MAX_COORDINATE, JITTER),
        ),
      ),
      extendToLength: v.optional(bool),
      overwrite: v.optional(bool),
      progress: v.optional(bool),
      signal: v.optional(v.instance(AbortSignal, 'an AbortSignal')),
      onWarning: v.optional(v.function('a function')),
    },
    'an object with at least `bed`',
  ),
  // `infoFields` / `computeAf` rules are those of the VCF INFO reader (typed errors of its own).
  v.check((o) => {
    checkInfoFieldsOption(o.infoFields, o.variants !== undefined, o.computeAf);
    checkDosageFieldOption(o.dosageField, o.variants !== undefined);
    return true;
  }),
  v.forward(
    v.partialCheck(
      [['variants'], ['tracks'], ['annotTracks']],
      (o) =>
        o.variants !== undefined ||
        (o.tracks !== undefined && o.tracks.length > 0) ||
        (o.annotTracks !== undefined && Object.keys(o.annotTracks).length > 0),
      NEEDS_INPUT,
    ),
    ['variants'],
  ),
);

/**
 * Checks the dataset path and the top level of `write()`'s options (with `infoFields` /
 * `computeAf`), before any input is read.
 *
 * @throws {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` naming the option, its value
 *   and what was expected.
 */
export function checkWriteOptions(
  path: unknown,
  o: WriteOptions | undefined,
): asserts o is WriteOptions {
  parse(pathSchema, path, 'path');
  parse(optionsSchema, o, 'options');
}
