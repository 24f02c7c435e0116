/**
 * The one place where option schema (valibot) issues become {@link StressConfigError}s,
 * through the shared adapter of `@gvl/dataset/schema`. A rule's message is the text
 * after "expected"; {@link unsupported} marks a rule whose failure is `GVL_INVALID_MODE`
 * (an unknown mode name).
 *
 * @module
 */
import { type OptionIssue, parseOptions } from '@gvl/dataset/schema';
import type * as v from 'valibot';
import { invalidOption, StressConfigError } from './errors.js';

export { unsupported } from '@gvl/dataset/schema';

/**
 * The typed error of a schema issue, naming the option by its dotted path
 * (`workload.regions`; `root` for the input itself) and the value it got.
 */
export function issueError(issue: OptionIssue): StressConfigError {
  const { option, value, expected } = issue;
  if (issue.unsupported)
    return new StressConfigError(
      'GVL_INVALID_MODE',
      `${option} ${JSON.stringify(value)} is not supported: expected ${expected}`,
      { option, value },
    );
  return invalidOption(option, value, expected);
}

/** `input` checked by `schema` (defaults applied), or the typed error of the first rule it breaks. */
export function parse<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  root = 'options',
): v.InferOutput<S> {
  return parseOptions(schema, input, issueError, root);
}
