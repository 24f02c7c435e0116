import { Dataset } from '@gvl/dataset';
import type { Prepared } from './fixtures.js';
import type { DatasetId, ModeSpec } from './spec.js';

/** Opens each dataset once. Settings: jitter 0, deterministic, rcNeg (the peer's defaults). */
export async function openDatasets(prepared: Prepared): Promise<Record<DatasetId, Dataset>> {
  const [chr20, chr16] = await Promise.all(
    (['chr20', 'chr16'] as const).map((id) =>
      Dataset.open(prepared[id].path, { reference: prepared[id].reference }),
    ),
  );
  return { chr20: chr20 as Dataset, chr16: chr16 as Dataset };
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
    .withSettings({ parallel });
}
