import { Dataset, type Dense, type GetOutput } from '@gvl/dataset';
import type { Prepared } from './fixtures.js';
import { type DatasetId, MAX_JITTER, type ModeSpec } from './spec.js';

/** Opens each dataset once. Settings: jitter 0, deterministic, rcNeg (the peer's defaults). */
export async function openDatasets(prepared: Prepared): Promise<Record<DatasetId, Dataset>> {
  const ids = Object.keys(prepared).filter((k) => k in MAX_JITTER) as DatasetId[];
  const opened = await Promise.all(
    ids.map((id) => Dataset.open(prepared[id].path, { reference: prepared[id].reference })),
  );
  return Object.fromEntries(ids.map((id, i) => [id, opened[i] as Dataset])) as Record<
    DatasetId,
    Dataset
  >;
}

/**
 * The dataset configured for `mode`. `parallel: false` is the serial reference pass;
 * `'auto'` with `GVL_FORCE_PARALLEL=1` in the environment forces the parallel kernels.
 */
export function viewFor(ds: Dataset, mode: ModeSpec, parallel: boolean | 'auto'): Dataset {
  return ds
    .withSeqs(mode.seqs)
    .withTracks(mode.tracks.length > 0 ? mode.tracks : false)
    .withLen(mode.length)
    .withSettings({
      parallel,
      unphasedUnion: mode.settings?.unphasedUnion ?? false,
      dummyVariant: mode.settings?.dummyVariant ?? null,
      tokenAlphabet: mode.settings?.tokenAlphabet ?? null,
      unknownToken: mode.settings?.unknownToken ?? null,
      oneHot: mode.settings?.oneHot ?? false,
      ...(mode.settings?.varFields ? { varFields: mode.settings.varFields } : {}),
      minAf: mode.settings?.minAf ?? null,
      maxAf: mode.settings?.maxAf ?? null,
      spliceInfo: mode.settings?.spliceInfo ?? null,
    }) as Dataset;
}

/**
 * What `mode` reads of `view` (made by {@link viewFor}) for one region and `samples`
 * (default all): `get()`, `haplotypeLengths()` or `nVariants()`.
 */
export async function readMode(
  view: Dataset,
  mode: ModeSpec,
  region: number,
  samples?: readonly string[],
): Promise<GetOutput | Dense<Int32Array>> {
  const call = mode.call ?? 'get';
  if (call === 'get') return view.get(region, samples);
  if (call === 'nVariants') return view.nVariants(region, samples);
  const lengths = await view.haplotypeLengths(region, samples);
  if (lengths === null) throw new Error(`mode ${mode.id}: haplotypeLengths returned null`);
  return lengths;
}

/**
 * A batch's name in reports: the BED name of region `r`, or for a spliced mode
 * `transcript r` (its batches are transcripts, in the splice BED's order).
 */
export function regionName(ds: Dataset, mode: ModeSpec, r: number): string | null {
  return mode.settings?.spliceInfo ? `transcript ${r}` : ds.region(r).name;
}
