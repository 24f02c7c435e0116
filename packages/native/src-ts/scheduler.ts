/**
 * Async admission and cancellation for native kernels.
 *
 * A native `AsyncTask` occupies one libuv thread for the kernel's duration
 * (a parallel kernel blocks it in `pool.install`). libuv's pool (4 threads by
 * default) also serves fs, dns, zlib and crypto, so at most `maxInFlight`
 * kernels per environment are handed to libuv at once; later calls wait here,
 * in FIFO order, and a waiting call can be aborted without ever reaching
 * native code.
 *
 * @internal
 */
import { AbortError, invalidArgument, toNativeError } from './errors.js';
import { admissionLimit } from './pool.js';

interface Waiting {
  launch: () => void;
  cancel: () => void;
}

const queue: Waiting[] = [];
let running = 0;

/** Calls waiting for admission in this environment. */
export function queuedCount(): number {
  return queue.length;
}

/** Kernels of this environment currently handed to libuv. */
export function runningCount(): number {
  return running;
}

function pump(): void {
  while (running < admissionLimit() && queue.length > 0) {
    const next = queue.shift();
    next?.launch();
  }
}

function abortError(signal: AbortSignal, when: string): AbortError {
  return new AbortError(`the kernel was aborted ${when}`, {}, { cause: signal.reason });
}

/** Throw unless `signal` is undefined or an AbortSignal. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw invalidArgument('signal', signal, 'an AbortSignal');
  }
  return signal;
}

/**
 * Run `start` (which calls the native async kernel with an internal signal)
 * once admitted. The caller's signal is linked to a fresh internal
 * AbortController per call, so napi never touches the caller's signal.
 */
export function submit<T>(
  start: (signal: AbortSignal) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortError(signal, 'before it started'));
  return new Promise<T>((resolve, reject) => {
    let onAbort: (() => void) | undefined;
    const unlink = () => {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      onAbort = undefined;
    };
    const entry: Waiting = {
      launch: () => {
        unlink();
        if (signal?.aborted) {
          reject(abortError(signal, 'before it started'));
          return;
        }
        running += 1;
        const inner = new AbortController();
        const forward = () => inner.abort(signal?.reason);
        signal?.addEventListener('abort', forward, { once: true });
        let pending: Promise<T>;
        try {
          pending = start(inner.signal);
        } catch (err) {
          pending = Promise.reject(err);
        }
        pending
          .then(resolve, (err: unknown) => reject(toNativeError(err, signal?.reason)))
          .finally(() => {
            signal?.removeEventListener('abort', forward);
            running -= 1;
            pump();
          });
      },
      cancel: () => {
        const i = queue.indexOf(entry);
        if (i >= 0) queue.splice(i, 1);
        unlink();
        if (signal) reject(abortError(signal, 'while waiting for admission'));
      },
    };
    if (running < admissionLimit()) {
      entry.launch();
    } else {
      if (signal) {
        onAbort = entry.cancel;
        signal.addEventListener('abort', onAbort, { once: true });
      }
      queue.push(entry);
    }
  });
}

/** Run a sync native call, rethrowing native errors as typed errors. */
export function runSync<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw toNativeError(err);
  }
}
