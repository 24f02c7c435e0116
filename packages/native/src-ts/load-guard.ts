/**
 * One `@gvl/native` addon per process. This module runs before the napi loader
 * (`../index.js`): it records the version and location of the first copy of this package
 * that loads in a process under a process-global key, and makes any later copy with a
 * different version throw {@link AddonConflictError} (`GVL_ADDON_CONFLICT`) before its
 * addon is opened. A later copy with the same version adopts the first copy's binding
 * (see `binding.ts`), so the process keeps one rayon pool and one output cap.
 *
 * The key is `Symbol.for('gvl.native.addon')` on `globalThis`: shared by every module
 * copy in one JS environment. Worker threads are separate environments and load their
 * own binding of the same shared library, as napi-rs addons do.
 *
 * @internal
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AddonConflictError } from './errors.js';

/** What the first copy of `@gvl/native` in this JS environment recorded. */
export interface AddonClaim {
  /** The `version` of its `package.json`. */
  readonly version: string;
  /** Its package directory. */
  readonly location: string;
  /** Its napi binding, once loaded (`undefined` while it loads). */
  binding: unknown;
}

const KEY = Symbol.for('gvl.native.addon');

/** This copy's version and package directory. */
export const SELF: { readonly version: string; readonly location: string } = (() => {
  const location = dirname(dirname(fileURLToPath(import.meta.url)));
  const pkg = createRequire(import.meta.url)('../package.json') as { version?: unknown };
  return { version: String(pkg.version), location };
})();

/**
 * Claims the process-global slot for this copy, or checks this copy against the claim
 * already made.
 *
 * @returns the claim in force: this copy's own (first load) or an earlier copy's of the
 *   same version.
 * @throws {@link AddonConflictError} `GVL_ADDON_CONFLICT` when an earlier copy with a
 *   different version holds the slot (`value`: this copy's version).
 */
export function claimAddon(
  self: { version: string; location: string } = SELF,
  global: Record<symbol, unknown> = globalThis as unknown as Record<symbol, unknown>,
): AddonClaim {
  const prior = global[KEY] as AddonClaim | undefined;
  if (prior === undefined) {
    const claim: AddonClaim = {
      version: self.version,
      location: self.location,
      binding: undefined,
    };
    Object.defineProperty(global, KEY, { value: claim, enumerable: false, configurable: false });
    return claim;
  }
  if (prior.version !== self.version) {
    throw new AddonConflictError(
      `@gvl/native ${self.version} (${self.location}) cannot load: @gvl/native ${prior.version} (${prior.location}) is already loaded in this process, and two copies would run two thread pools. Install one version of @gvl/native`,
      { param: 'version', value: self.version },
      { loaded: { version: prior.version, location: prior.location } },
    );
  }
  return prior;
}

/** The claim made when this module was evaluated (throws at import on a conflict). */
export const CLAIM: AddonClaim = claimAddon();
