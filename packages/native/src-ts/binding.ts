/**
 * The napi binding, opened once per JS environment (main thread or worker) by
 * {@link loadBinding} (`./platform.js`: `GVL_NATIVE_BINDING`, a local build, or the
 * platform package `@gvl/native-<triple>`; a typed error when none applies). Everything
 * else in this package goes through the typed wrappers; napi's generated loader
 * (`../index.js`) is also exported as `@gvl/native/binding` for tests and debugging, and
 * gives this module its types.
 *
 * `./load-guard.js` is evaluated before the addon is opened: a second copy of this
 * package with another version throws `GVL_ADDON_CONFLICT` there; one with the same
 * version uses the binding of the copy loaded first and opens nothing.
 *
 * @internal
 */
// The guard must run before the addon loads: a side-effect import first, kept first.
import './load-guard.js';
import { CLAIM } from './load-guard.js';
import { loadBinding } from './platform.js';

export type {
  Counters as NativeCounters,
  PoolState as NativePoolState,
} from '../index.js';

if (CLAIM.binding === undefined) CLAIM.binding = loadBinding();

/** The binding of the first copy of `@gvl/native` loaded in this JS environment. */
export const native = CLAIM.binding as typeof import('../index.js');
