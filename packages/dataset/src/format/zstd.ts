/**
 * The zstd codec of Arrow IPC files. The Python peer writes `genotypes/variants.arrow`
 * with zstd-compressed buffers; apache-arrow reads them only once a decoder is registered
 * for `CompressionType.ZSTD`. Every reader of a dataset's Arrow files calls
 * {@link registerZstd} first.
 *
 * @module
 */
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress } from 'fzstd';

let zstdRegistered = false;

/**
 * Registers a zstd decoder (`fzstd`, pure JS) with apache-arrow's `compressionRegistry`,
 * so that compressed IPC record batches decode. Idempotent; cheap after the first call.
 */
export function registerZstd(): void {
  if (zstdRegistered) return;
  compressionRegistry.set(CompressionType.ZSTD, { decode: (data: Uint8Array) => decompress(data) });
  zstdRegistered = true;
}
