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

/** Prefix of the messages of mode rules (never shown: the adapter strips it). */
const MODE = 'GVL_INVALID_MODE:';

/** The message of a rule whose failure is `GVL_INVALID_MODE`: `expected` lists the allowed names. */
export function unsupported(expected: string): string {
  return MODE + expected;
}

/** An integer (safe, finite) `>= min`; the message is `an integer >= <min>`. */
export function intAtLeast(min: number, message = `an integer >= ${min}`) {
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message));
}

/** A boolean. */
export const bool = v.boolean('a boolean');

type Issue = v.BaseIssue<unknown>;

/** `{ what, value }` of an issue: the dotted path of the option (or `root`) and its value. */
function located(
  issue: Issue,
  root: string,
  names: Readonly<Record<string, string>>,
): { what: string; value: unknown } {
  const path = issue.path ?? [];
  const last = path.at(-1);
  const at = path.map((p) => String(p.key)).join('.');
  return {
    what: path.length === 0 ? root : (names[at] ?? at),
    value: last === undefined ? issue.input : last.value,
  };
}

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
  issue: Issue,
  root: string,
  names: Readonly<Record<string, string>> = {},
): GvlError {
  const { what, value } = located(issue, root, names);
  if (issue.message.startsWith(MODE))
    return new GvlError(
      'GVL_INVALID_MODE',
      `${what} ${show(value)} is not supported: expected ${issue.message.slice(MODE.length)}`,
      { value },
    );
  return new InvalidArgumentError(`${what} ${show(value)} is invalid: expected ${issue.message}`, {
    value,
  });
}

/**
 * `input` with every key of an object schema present (`undefined` when absent), so that a
 * missing option is checked by its own rule (and its message) as an `undefined` value,
 * instead of valibot's generic "Invalid key" issue.
 */
function withEveryKey(schema: v.GenericSchema, input: unknown): unknown {
  const entries = (schema as { entries?: Record<string, unknown> }).entries;
  if (entries === undefined || typeof input !== 'object' || input === null || Array.isArray(input))
    return input;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(entries)) out[key] = undefined;
  return Object.assign(out, input);
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
  const r = v.safeParse(schema, withEveryKey(schema, input), { abortEarly: true });
  if (r.success) return r.output;
  throw issueError(r.issues[0], root, names);
}
