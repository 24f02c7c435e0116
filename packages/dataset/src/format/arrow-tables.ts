/**
 * The Arrow IPC files of a dataset: `input_regions.arrow` and `genotypes/variants.arrow`.
 *
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import {
  Field,
  Float32,
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
  Uint8,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import type { BedTable } from '../bed.js';
import type { InfoDtype, InfoFieldSpec } from '../vcf-info.js';

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
  /** One array per stored INFO field, in the writer's order, aligned with `pos`. */
  info?: number[][];
}

/** Schema of `genotypes/variants.arrow`. */
export const VARIANTS_SCHEMA = new Schema([
  new Field('CHROM', new Utf8(), false),
  new Field('POS', new Int32(), false),
  new Field('REF', new Utf8(), false),
  new Field('ALT', new Utf8(), false),
  new Field('ILEN', new Int32(), false),
]);

const INFO_TYPES: Record<InfoDtype, () => Float32 | Int32 | Uint8> = {
  float32: () => new Float32(),
  int32: () => new Int32(),
  uint8: () => new Uint8(),
};

/** One INFO column of a record batch, in the dtype of its field. */
function infoData(dtype: InfoDtype, values: readonly number[]) {
  const length = values.length;
  if (dtype === 'float32')
    return makeData({ type: new Float32(), length, data: Float32Array.from(values) });
  if (dtype === 'int32')
    return makeData({ type: new Int32(), length, data: Int32Array.from(values) });
  return makeData({ type: new Uint8(), length, data: Uint8Array.from(values) });
}

/** Schema of `genotypes/variants.arrow` with INFO columns `info` after `ILEN`. */
export function variantsSchema(info: readonly InfoFieldSpec[]): Schema {
  if (info.length === 0) return VARIANTS_SCHEMA;
  return new Schema([
    ...VARIANTS_SCHEMA.fields,
    ...info.map((f) => new Field(f.name, INFO_TYPES[f.dtype](), false)),
  ]);
}

/**
 * Streams `genotypes/variants.arrow` (Arrow IPC file format, one record batch per
 * {@link VariantsTableWriter.append} call) with columns `CHROM` Utf8, `POS` Int32
 * (1-based), `REF` Utf8, `ALT` Utf8, `ILEN` Int32, then one column per stored INFO
 * field (Float32, Int32 or Uint8, named by its ID). Row `i` is variant index `i` of
 * `variant_idxs.npy`.
 */
export class VariantsTableWriter {
  private readonly writer: RecordBatchFileWriter;
  private readonly out: WriteStream;
  private readonly done: Promise<void>;
  private rows = 0;
  private readonly schema: Schema;

  constructor(
    path: string,
    private readonly info: readonly InfoFieldSpec[] = [],
  ) {
    this.schema = variantsSchema(info);
    this.out = createWriteStream(path);
    this.done = new Promise((resolve, reject) => {
      this.out.on('finish', () => resolve());
      this.out.on('error', reject);
    });
    // Avoid an unhandled rejection before close() awaits it.
    this.done.catch(() => undefined);
    this.writer = new RecordBatchFileWriter();
    this.writer.toNodeStream().pipe(this.out);
    this.writer.reset(undefined, this.schema);
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
      ...this.info.map((f, k) => infoData(f.dtype, cols.info?.[k] ?? [])),
    ];
    const struct = makeData({
      type: new Struct(this.schema.fields),
      length: n,
      nullCount: 0,
      // biome-ignore lint/suspicious/noExplicitAny: child Data types differ per column
      children: children as any,
    });
    this.writer.write(new RecordBatch(this.schema, struct));
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
