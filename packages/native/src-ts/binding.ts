/**
 * The napi-generated binding (`../index.js`, ESM), loaded once per JS
 * environment (main thread or worker). Everything else in this package goes
 * through the typed wrappers; the raw binding is also exported as
 * `@gvl/native/binding` for tests and debugging.
 *
 * `./load-guard.js` is evaluated before `../index.js` opens the addon: a second
 * copy of this package with another version throws `GVL_ADDON_CONFLICT` there;
 * one with the same version uses the binding of the copy loaded first.
 *
 * @internal
 */
// The guard must run before the addon loads: a side-effect import first, kept first.
import './load-guard.js';
import * as loaded from '../index.js';
import { CLAIM } from './load-guard.js';

export type {
  Counters as NativeCounters,
  PoolState as NativePoolState,
} from '../index.js';

if (CLAIM.binding === undefined) CLAIM.binding = loaded;

/** The binding of the first copy of `@gvl/native` loaded in this JS environment. */
export const native = CLAIM.binding as typeof loaded;
