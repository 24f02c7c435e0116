/**
 * The one place where option schema (valibot) issues become {@link StressConfigError}s.
 * A rule's message is the text after "expected"; {@link unsupported} marks a rule whose
 * failure is `GVL_INVALID_MODE` (an unknown mode name).
 *
 * @module
 */
import * as v from 'valibot';
import { invalidOption, StressConfigError } from './errors.js';

/** Prefix of the messages of mode rules (never shown: the adapter strips it). */
const MODE = 'GVL_INVALID_MODE:';

/** The message of a rule whose failure is `GVL_INVALID_MODE`: `expected` lists the allowed names. */
export function unsupported(expected: string): string {
  return MODE + expected;
}

/**
 * The typed error of a schema issue, naming the option by its dotted path
 * (`workload.regions`; `root` for the input itself) and the value it got.
 */
export function issueError(issue: v.BaseIssue<unknown>, root: string): StressConfigError {
  const path = issue.path ?? [];
  const last = path.at(-1);
  const option = path.length === 0 ? root : path.map((p) => String(p.key)).join('.');
  const value = last === undefined ? issue.input : last.value;
  if (issue.message.startsWith(MODE))
    return new StressConfigError(
      'GVL_INVALID_MODE',
      `${option} ${JSON.stringify(value)} is not supported: expected ${issue.message.slice(MODE.length)}`,
      { option, value },
    );
  return invalidOption(option, value, issue.message);
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

/** `input` checked by `schema` (defaults applied), or the typed error of the first rule it breaks. */
export function parse<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  root = 'options',
): v.InferOutput<S> {
  const r = v.safeParse(schema, withEveryKey(schema, input), { abortEarly: true });
  if (r.success) return r.output;
  throw issueError(r.issues[0], root);
}
