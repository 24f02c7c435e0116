/**
 * The work a gvl-ts worker repeats: `get()` of every region × every sample of a
 * dataset, or the synthetic haplotype kernels. Loaded inside workers only (the harness
 * never loads the native addon, so it never builds a rayon pool of its own).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { WorkloadSpec } from './protocol.js';

/** What one iteration produced. */
export interface IterationResult {
  /** Bytes produced. */
  bytes: number;
  /** SHA-256 (hex) of the output's data bytes, when asked for. */
  digest: string | null;
}

/** One worker's work, opened once and repeated. */
export interface Workload {
  /** Produces the full output once; hashes it when `digest` is true. */
  iterate(digest: boolean): Promise<IterationResult>;
}

/**
 * The typed arrays holding a `get()` result's data, in order: sequence or track data
 * (any shape), or for ragged variants the `start`, `ilen` and ALT columns. Offsets are
 * not included (they follow from the data's shape).
 */
export function outputArrays(out: unknown): ArrayBufferView[] {
  if (Array.isArray(out)) return out.flatMap((x) => outputArrays(x));
  if (typeof out !== 'object' || out === null) return [];
  const data = (out as { data?: unknown }).data;
  if (ArrayBuffer.isView(data)) return [data];
  const arrays: ArrayBufferView[] = [];
  for (const key of ['start', 'ilen', 'alt'] as const) {
    const v = (out as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(v)) arrays.push(v);
    else if (typeof v === 'object' && v !== null) arrays.push(...outputArrays(v));
  }
  return arrays;
}

/** Bytes and (optionally) the SHA-256 of a `get()` result's data. */
export function summarize(out: unknown, digest: boolean): IterationResult {
  const arrays = outputArrays(out);
  const bytes = arrays.reduce((n, a) => n + a.byteLength, 0);
  if (!digest) return { bytes, digest: null };
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return { bytes, digest: h.digest('hex') };
}

async function datasetWorkload(spec: Extract<WorkloadSpec, { kind: 'dataset' }>) {
  const { Dataset, slice } = await import('@gvl/dataset');
  let ds = await Dataset.open(spec.path, { reference: spec.reference });
  if (spec.regions !== null || spec.samples !== null) {
    ds = ds.subsetTo({
      ...(spec.regions === null ? {} : { regions: slice(0, spec.regions) }),
      ...(spec.samples === null ? {} : { samples: slice(0, spec.samples) }),
    });
  }
  // 'auto' defers to GVL_FORCE_PARALLEL, as the peer's default policy does.
  ds = ds.withSettings({ parallel: 'auto' });
  return { iterate: async (digest: boolean) => summarize(await ds.get(), digest) };
}

async function syntheticWorkload(spec: Extract<WorkloadSpec, { kind: 'synthetic' }>) {
  const { getDiffs, reconstructHaplotypes } = await import('@gvl/native');
  const { syntheticBatch } = await import('./synthetic.js');
  const b = syntheticBatch(spec.regions, spec.samples, spec.length, spec.seed);
  const ploidy = 2;
  const iterate = async (digest: boolean) => {
    const diffs = await getDiffs({
      regions: b.regions,
      ploidy,
      groups: b.groups,
      genotypes: b.genotypes,
      variants: b.variants,
    });
    const outOffsets = new BigInt64Array(diffs.length + 1);
    let total = 0n;
    for (let k = 0; k < diffs.length; k++) {
      total += BigInt(Math.max(0, spec.length + (diffs[k] ?? 0)));
      outOffsets[k + 1] = total;
    }
    const data = await reconstructHaplotypes({
      regions: b.regions,
      ploidy,
      groups: b.groups,
      genotypes: b.genotypes,
      variants: b.variants,
      reference: b.reference,
      outOffsets,
    });
    return summarize({ data }, digest);
  };
  return { iterate };
}

/**
 * Opens the workload a spec describes.
 *
 * @throws whatever `Dataset.open` throws (`GVL_BAD_DATASET`, …); the worker reports it
 *   as a crash.
 */
export async function openWorkload(spec: WorkloadSpec): Promise<Workload> {
  return spec.kind === 'dataset' ? datasetWorkload(spec) : syntheticWorkload(spec);
}
