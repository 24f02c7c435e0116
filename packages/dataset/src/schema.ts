/**
 * Option schemas (valibot) and the one place their issues become typed errors.
 *
 * A rule's message is the text after "expected" in the error, e.g. `'an integer >= 1'`;
 * {@link unsupported} marks a rule whose failure is a `GVL_INVALID_MODE` (an unknown
 * mode name) instead of `GVL_INVALID_ARGUMENT`. The error names the option by its path
 * (`batchSize`, `insertionFill.bigwig`) and the value it got.
 *
 * @module
 */
import * as v from 'valibot';
import { GvlError, InvalidArgumentError } from './errors.js';
import { type OptionIssue, parseOptions } from './option-schema.js';

export { unsupported } from './option-schema.js';

/** An integer (safe, finite) `>= min`; the message is `an integer >= <min>`. */
export function intAtLeast(min: number, message = `an integer >= ${min}`) {
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message));
}

/** A boolean. */
export const bool = v.boolean('a boolean');

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * The typed error of a schema issue: `GVL_INVALID_MODE` ("`<what> <value>` is not
 * supported: expected …") for a rule marked {@link unsupported}, else
 * {@link InvalidArgumentError} `GVL_INVALID_ARGUMENT` ("`<what> <value>` is invalid:
 * expected …"); `value` holds the offending value. `names` renames option paths as the
 * user knows them (`{ remainder: 'shardRemainder' }`).
 */
export function issueError(
  issue: OptionIssue,
  names: Readonly<Record<string, string>> = {},
): GvlError {
  const { option, value, expected } = issue;
  const what = names[option] ?? option;
  if (issue.unsupported)
    return new GvlError(
      'GVL_INVALID_MODE',
      `${what} ${show(value)} is not supported: expected ${expected}`,
      { value },
    );
  return new InvalidArgumentError(`${what} ${show(value)} is invalid: expected ${expected}`, {
    value,
  });
}

/**
 * `input` checked by `schema` (its output, defaults applied), or the typed error of the
 * first rule it breaks (see {@link issueError}); `root` names the input itself, `names`
 * renames option paths. Checks that call into the addon throw the addon's own typed
 * errors unchanged.
 */
export function parse<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  root = 'options',
  names: Readonly<Record<string, string>> = {},
): v.InferOutput<S> {
  return parseOptions(schema, input, (issue) => issueError(issue, names), root);
}
