/**
 * The Arrow IPC files of a dataset: `input_regions.arrow` and `genotypes/variants.arrow`.
 *
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import {
  Field,
  Float64,
  Int32,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import type { BedTable } from './bed.js';

/**
 * Encodes `input_regions.arrow` (Arrow IPC file format): the BED columns as given
 * (`chrom` Utf8, `chromStart`/`chromEnd` Int64, `name` Utf8, `score` Float64, `strand`
 * Utf8 with `.` as null) plus `r_idx_map` (Int64): `r_idx_map[i]` is the on-disk (sorted)
 * position of input row `i`. The extra {@link BedTable.columns} come before `r_idx_map`
 * (Utf8 for text, Float64 for numbers).
 *
 * @see genvarloader `write` (`bed.with_columns(r_idx_map=…).write_ipc(…)`)
 */
export function encodeInputRegions(bed: BedTable, rIdxMap: Int32Array): Uint8Array {
  const columns: Record<string, Vector> = {
    chrom: vectorFromArray(bed.chrom as string[], new Utf8()),
    chromStart: makeVector(BigInt64Array.from(bed.chromStart, (x) => BigInt(x))),
    chromEnd: makeVector(BigInt64Array.from(bed.chromEnd, (x) => BigInt(x))),
  };
  if (bed.name) columns.name = vectorFromArray(bed.name as (string | null)[], new Utf8());
  if (bed.score) columns.score = vectorFromArray(bed.score as (number | null)[], new Float64());
  if (bed.strand) columns.strand = vectorFromArray(bed.strand as (string | null)[], new Utf8());
  for (const [name, values] of Object.entries(bed.columns ?? {})) {
    const text = values.some((v) => typeof v === 'string');
    columns[name] = text
      ? vectorFromArray(values as (string | null)[], new Utf8())
      : vectorFromArray(values as (number | null)[], new Float64());
  }
  columns.r_idx_map = makeVector(BigInt64Array.from(rIdxMap, (x) => BigInt(x)));
  return tableToIPC(new Table(columns), 'file');
}

/** One block of variant records, columns aligned. */
export interface VariantColumns {
  /** Contig, as spelled in the VCF. */
  chrom: string[];
  /** VCF `POS`, 1-based. */
  pos: number[];
  /** REF allele. */
  ref: string[];
  /** ALT allele (exactly one). */
  alt: string[];
  /** `len(ALT) - len(REF)`. */
  ilen: number[];
}

/** Schema of `genotypes/variants.arrow`. */
export const VARIANTS_SCHEMA = new Schema([
  new Field('CHROM', new Utf8(), false),
  new Field('POS', new Int32(), false),
  new Field('REF', new Utf8(), false),
  new Field('ALT', new Utf8(), false),
  new Field('ILEN', new Int32(), false),
]);

/**
 * Streams `genotypes/variants.arrow` (Arrow IPC file format, one record batch per
 * {@link VariantsTableWriter.append} call) with columns `CHROM` Utf8, `POS` Int32
 * (1-based), `REF` Utf8, `ALT` Utf8, `ILEN` Int32. Row `i` is variant index `i` of
 * `variant_idxs.npy`.
 */
export class VariantsTableWriter {
  private readonly writer: RecordBatchFileWriter;
  private readonly out: WriteStream;
  private readonly done: Promise<void>;
  private rows = 0;

  constructor(path: string) {
    this.out = createWriteStream(path);
    this.done = new Promise((resolve, reject) => {
      this.out.on('finish', () => resolve());
      this.out.on('error', reject);
    });
    // Avoid an unhandled rejection before close() awaits it.
    this.done.catch(() => undefined);
    this.writer = new RecordBatchFileWriter();
    this.writer.toNodeStream().pipe(this.out);
    this.writer.reset(undefined, VARIANTS_SCHEMA);
  }

  /** Number of rows appended so far. */
  get length(): number {
    return this.rows;
  }

  /** Appends one record batch (no-op for an empty block). */
  append(cols: VariantColumns): void {
    const n = cols.pos.length;
    if (n === 0) return;
    const children = [
      vectorFromArray(cols.chrom, new Utf8()).data[0],
      makeData({ type: new Int32(), length: n, data: Int32Array.from(cols.pos) }),
      vectorFromArray(cols.ref, new Utf8()).data[0],
      vectorFromArray(cols.alt, new Utf8()).data[0],
      makeData({ type: new Int32(), length: n, data: Int32Array.from(cols.ilen) }),
    ];
    const struct = makeData({
      type: new Struct(VARIANTS_SCHEMA.fields),
      length: n,
      nullCount: 0,
      // biome-ignore lint/suspicious/noExplicitAny: child Data types differ per column
      children: children as any,
    });
    this.writer.write(new RecordBatch(VARIANTS_SCHEMA, struct));
    this.rows += n;
  }

  /** Writes the footer and waits until the file is flushed. */
  async close(): Promise<void> {
    this.writer.finish();
    this.writer.close();
    await this.done;
  }

  /**
   * Stops writing (used on failure; the file is discarded with its directory). Ends the
   * byte stream normally rather than with `writer.abort()`, whose rejection nobody awaits.
   */
  async abort(): Promise<void> {
    try {
      this.writer.close();
      await this.done;
    } catch {
      // The file is thrown away.
    }
  }
}
