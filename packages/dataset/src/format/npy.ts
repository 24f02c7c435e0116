/**
 * NumPy `.npy` (format 1.0) encoding and buffered writers of raw little-endian arrays.
 *
 * The genvarloader format stores only `regions.npy` as a real npy; every other `*.npy`
 * under `genotypes/` and `intervals/` is a raw little-endian array with no header.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { FileError } from '../errors.js';

/** Dtypes this module writes: numpy `descr` strings, all little-endian. */
export type NpyDtype = '<i4' | '<i8' | '<f4' | '<u4';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * The header of a `.npy` 1.0 file: magic, version, header length and the dict
 * `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded with spaces and a final
 * newline so that the data starts at a multiple of 64 bytes, as numpy writes it.
 *
 * @param dtype - numpy `descr`, e.g. `'<i4'`.
 * @param shape - array shape.
 * @param fortranOrder - `true` when the data that follows is column-major.
 */
export function npyHeader(
  dtype: NpyDtype,
  shape: readonly number[],
  fortranOrder: boolean,
): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeStr}, }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  const headerLen = total - preamble;
  const text = `${dict.padEnd(headerLen - 1, ' ')}\n`;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLen & 0xff;
  out[9] = headerLen >> 8;
  for (let i = 0; i < text.length; i++) out[preamble + i] = text.charCodeAt(i);
  return out;
}

/**
 * Encodes an int32 matrix of shape `(rows, cols)` as a complete `.npy` file.
 *
 * @param data - row-major (C order) values, length `rows * cols`.
 * @param fortranOrder - store column-major, as the peer's `regions.npy` is (the values
 *   `np.load` returns are the same either way).
 */
export function encodeNpyInt32Matrix(
  data: Int32Array,
  rows: number,
  cols: number,
  fortranOrder: boolean,
): Uint8Array {
  const header = npyHeader('<i4', [rows, cols], fortranOrder);
  const body = new Int32Array(rows * cols);
  if (fortranOrder) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) body[c * rows + r] = data[r * cols + c] as number;
    }
  } else {
    body.set(data);
  }
  const out = new Uint8Array(header.length + body.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), header.length);
  return out;
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Appends typed-array values to a file as raw little-endian bytes (no header), through an
 * in-memory buffer so that memory stays bounded whatever the file size. Writes are
 * synchronous: callers run inside a batch job, not a latency-sensitive server.
 */
export class RawArrayWriter {
  readonly path: string;
  private fd: number;
  private readonly buf: Uint8Array;
  private used = 0;
  private written = 0;

  /**
   * @param path - file to create (truncated if it exists).
   * @param bufferBytes - flush threshold, default 1 MiB.
   * @throws {@link FileError} `GVL_UNWRITABLE` when the file cannot be created.
   */
  constructor(path: string, bufferBytes = 1 << 20) {
    if (!IS_LITTLE_ENDIAN)
      throw new FileError('GVL_UNWRITABLE', 'big-endian hosts are not supported');
    this.path = path;
    try {
      this.fd = openSync(path, 'w');
    } catch (cause) {
      throw new FileError('GVL_UNWRITABLE', `cannot create ${path}: ${String(cause)}`, {
        value: path,
        cause,
      });
    }
    this.buf = new Uint8Array(bufferBytes);
  }

  /** Bytes written so far, including those still buffered. */
  get bytes(): number {
    return this.written + this.used;
  }

  /** Appends the elements of `values` (their in-memory little-endian bytes). */
  write(values: ArrayBufferView): void {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    if (bytes.length > this.buf.length - this.used) this.flush();
    if (bytes.length >= this.buf.length) {
      this.writeAll(bytes);
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Writes the buffered bytes to the file. */
  flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /**
   * Flushes and closes the file. Idempotent. The descriptor is closed even when the
   * flush fails (e.g. `ENOSPC`), which is then rethrown.
   */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      this.release();
    }
  }

  /**
   * Closes the file without flushing, on a failure path: never throws, so every writer of
   * a failed job releases its descriptor (a deleted file's space is only freed on close).
   */
  abort(): void {
    this.used = 0;
    this.release();
  }

  private release(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
    } catch {
      // Closing can only fail on an invalid descriptor; nothing more to release.
    }
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      off += writeSync(this.fd, bytes, off, bytes.length - off);
    }
    this.written += bytes.length;
  }
}

/** The parsed header of a `.npy` file. */
export interface NpyHeader {
  /** numpy `descr`, e.g. `'<i4'`. */
  descr: string;
  /** Whether the data is column-major. */
  fortranOrder: boolean;
  /** Array shape. */
  shape: number[];
  /** Byte offset of the data (the header's total length). */
  dataOffset: number;
}

/**
 * Parses the header of a `.npy` file (format versions 1.0, 2.0 and 3.0).
 *
 * @param bytes - the file's bytes (at least the header).
 * @returns the header, or a string saying what is wrong (the caller names the file).
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader | string {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    return 'does not start with the npy magic \\x93NUMPY';
  const major = bytes[6] as number;
  let len: number;
  let start: number;
  if (major === 1) {
    len = (bytes[8] as number) | ((bytes[9] as number) << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return 'has a truncated npy header';
    len =
      ((bytes[8] as number) |
        ((bytes[9] as number) << 8) |
        ((bytes[10] as number) << 16) |
        ((bytes[11] as number) << 24)) >>>
      0;
    start = 12;
  } else {
    return `has npy format version ${major}: expected 1, 2 or 3`;
  }
  if (start + len > bytes.length)
    return `has an npy header of ${len} bytes but the file has only ${bytes.length - start} after the preamble`;
  let text = '';
  for (let i = start; i < start + len; i++) text += String.fromCharCode(bytes[i] as number);
  const descr = /'descr':\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    return `has an unreadable npy header ${JSON.stringify(text.trim())}`;
  const shape: number[] = [];
  for (const part of shapeText.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    if (!/^\d+$/.test(t)) return `has an npy shape (${shapeText}) that is not a tuple of integers`;
    shape.push(Number(t));
  }
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + len };
}
