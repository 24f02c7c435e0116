/**
 * `@gvl/dataset/schema`: checking options with a [valibot](https://valibot.dev) schema
 * and turning the first rule an input breaks into the caller's own typed error. The gvl-ts
 * packages state each option rule once as a schema and share this adapter; each keeps its
 * own error classes and messages, built from the {@link OptionIssue} it is handed.
 *
 * A rule's message is the text after "expected" in the error, e.g. `'an integer >= 1'`;
 * {@link unsupported} marks a rule whose failure is an unknown mode name
 * (`GVL_INVALID_MODE` by convention) rather than an invalid value.
 *
 * @example
 * ```ts
 * import * as v from 'valibot';
 * import { type OptionIssue, parseOptions } from '@gvl/dataset/schema';
 * const schema = v.object({ workers: v.pipe(v.number('an integer >= 1'), v.minValue(1, 'an integer >= 1')) });
 * const toError = (i: OptionIssue) => new Error(`${i.option} ${JSON.stringify(i.value)}: expected ${i.expected}`);
 * parseOptions(schema, { workers: 2 }, toError); // { workers: 2 }
 * // parseOptions(schema, { workers: 0 }, toError) throws Error('workers 0: expected an integer >= 1')
 * ```
 *
 * @module @gvl/dataset/schema
 */
import * as v from 'valibot';

/** Prefix of the messages of mode rules (never shown: {@link locateIssue} strips it). */
const MODE = 'GVL_INVALID_MODE:';

/**
 * The message of a rule whose failure is an unknown mode name: `expected` lists the
 * allowed names (e.g. `"'inline' or 'worker'"`); the issue then has `unsupported: true`.
 */
export function unsupported(expected: string): string {
  return MODE + expected;
}

/** The first rule an input broke, located: what a caller builds its typed error from. */
export interface OptionIssue {
  /**
   * The option, as the dotted path of its keys (`insertionFill.bigwig`, `workload.0`),
   * or the `root` name given to {@link parseOptions} when the input itself is bad.
   */
  readonly option: string;
  /** The offending value, as given (`undefined` for a missing option). */
  readonly value: unknown;
  /** What was expected: the rule's message (without the {@link unsupported} marker). */
  readonly expected: string;
  /** Whether the rule is marked {@link unsupported} (an unknown mode name). */
  readonly unsupported: boolean;
}

/** The {@link OptionIssue} of a valibot issue; `root` names the input itself. */
export function locateIssue(issue: v.BaseIssue<unknown>, root: string): OptionIssue {
  const path = issue.path ?? [];
  const last = path.at(-1);
  const mode = issue.message.startsWith(MODE);
  return {
    option: path.length === 0 ? root : path.map((p) => String(p.key)).join('.'),
    value: last === undefined ? issue.input : last.value,
    expected: mode ? issue.message.slice(MODE.length) : issue.message,
    unsupported: mode,
  };
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
 * `input` checked by `schema`: its output (defaults applied), or the error `toError` makes
 * of the first rule it breaks (checking stops there). A key of an object schema missing
 * from `input` is checked by its own rule as `undefined`. An error thrown by a rule itself
 * (e.g. a check that calls into the addon) propagates unchanged.
 *
 * @param schema - a valibot schema whose messages say what is expected.
 * @param input - the value to check, as the user gave it.
 * @param toError - the caller's typed error for an {@link OptionIssue}.
 * @param root - the name of `input` itself in an {@link OptionIssue} (default `options`).
 * @returns the schema's output.
 * @throws whatever `toError` returns, for the first issue.
 */
export function parseOptions<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  toError: (issue: OptionIssue) => Error,
  root = 'options',
): v.InferOutput<S> {
  const r = v.safeParse(schema, withEveryKey(schema, input), { abortEarly: true });
  if (r.success) return r.output;
  throw toError(locateIssue(r.issues[0], root));
}
