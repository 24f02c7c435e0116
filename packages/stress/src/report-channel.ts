/**
 * Writing JSON lines to the report channel (file descriptor 3) from a worker process.
 *
 * @internal
 * @module
 */
import { writeSync } from 'node:fs';
import { REPORT_FD, type WorkerMessage } from './protocol.js';

/**
 * Writes one message as a JSON line to fd 3, synchronously (so a line is never lost
 * when the process blocks or dies right after). Retries a full pipe; drops the message
 * when the harness has gone away.
 */
export function sendLine(message: WorkerMessage): void {
  const buf = Buffer.from(`${JSON.stringify(message)}\n`);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(REPORT_FD, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}
