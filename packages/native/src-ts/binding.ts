/**
 * The napi-generated binding (`../index.js`, ESM), loaded once per JS
 * environment (main thread or worker). Everything else in this package goes
 * through the typed wrappers; the raw binding is also exported as
 * `@gvl/native/binding` for tests and debugging.
 *
 * @internal
 */
import * as native from '../index.js';

export type {
  Counters as NativeCounters,
  PoolState as NativePoolState,
} from '../index.js';
export { native };
