/**
 * Loading an optional peer dependency (an ML runtime) on first use, with a typed error
 * that says what to install. Nothing here runs when the main entry is imported.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { RuntimeUnavailableError } from './errors.js';

/** A `require` function: `createRequire(import.meta.url)` of this package by default. */
export type RequireFn = (id: string) => unknown;

const requireHere: RequireFn = createRequire(import.meta.url);

/** True when `e` says that `id` itself (not one of its own dependencies) is not installed. */
function isNotFound(e: unknown, id: string): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  const message = String((e as { message?: unknown }).message ?? '');
  return message.includes(`'${id}'`) || message.includes(`"${id}"`);
}

/** One candidate package for a runtime and the command that installs it. */
export interface RuntimeCandidate {
  /** The npm package name, e.g. `onnxruntime-node`. */
  readonly id: string;
  /** What to tell the user, e.g. `npm install onnxruntime-node@^1.30.0`. */
  readonly install: string;
}

/**
 * Loads the first installed candidate, in order, with `req`.
 *
 * @returns the package name loaded and its exports.
 * @throws RuntimeUnavailableError `GVL_RUNTIME_UNAVAILABLE` when no candidate is installed
 *   (value: the first candidate's name; the message lists each install command), or when
 *   an installed candidate fails to load (value: its name; `cause`: the loader's error).
 */
export function loadRuntime<M>(
  what: string,
  candidates: readonly RuntimeCandidate[],
  req: RequireFn = requireHere,
): { id: string; module: M } {
  for (const c of candidates) {
    let module: unknown;
    try {
      module = req(c.id);
    } catch (e) {
      if (isNotFound(e, c.id)) continue;
      const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new RuntimeUnavailableError(
        `${what}: '${c.id}' is installed but failed to load (${reason}); reinstall it (${c.install})`,
        { value: c.id, cause: e },
      );
    }
    return { id: c.id, module: module as M };
  }
  throw new RuntimeUnavailableError(
    `${what} needs ${candidates.map((c) => `'${c.id}'`).join(' or ')}, an optional peer dependency of @gvl/dataset that is not installed: ${candidates.map((c) => c.install).join(', or ')}`,
    { value: candidates[0]?.id },
  );
}
