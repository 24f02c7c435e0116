/**
 * Sharding an epoch across the processes of a distributed training job: each rank
 * gets a disjoint, equally sized share of the epoch's items, with the semantics of
 * PyTorch's `DistributedSampler` (one global order from `seed + epoch`, padded by
 * repeating its first items, or cut, to a multiple of the world size; rank `r` takes
 * every `worldSize`-th item from position `r`), and the rank and world size read from
 * the environment the standard launchers set.
 *
 * @module
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import * as v from 'valibot';
import { GvlError } from './errors.js';
import { bool, intAtLeast, parse } from './schema.js';

/** Where a process's rank came from. */
export type LauncherSource = 'torchrun' | 'slurm' | 'mpi' | 'none';

/** A process's place in a distributed job. */
export interface DistributedInfo {
  /** This process's rank in `[0, worldSize)`. */
  rank: number;
  /** Processes in the job (all nodes). */
  worldSize: number;
  /** This process's rank among the processes of its node, `[0, localWorldSize)`. */
  localRank: number;
  /** Processes of the job on this node (they share its CPUs). */
  localWorldSize: number;
  /** The launcher whose variables gave these numbers; `'none'`: one process. */
  source: LauncherSource;
}

/** The variables each launcher sets: rank, world size, local rank, local world size. */
const LAUNCHERS: readonly [LauncherSource, readonly [string, string, string, string]][] = [
  ['torchrun', ['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE']],
  ['slurm', ['SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID', 'SLURM_NTASKS_PER_NODE']],
  [
    'mpi',
    [
      'OMPI_COMM_WORLD_RANK',
      'OMPI_COMM_WORLD_SIZE',
      'OMPI_COMM_WORLD_LOCAL_RANK',
      'OMPI_COMM_WORLD_LOCAL_SIZE',
    ],
  ],
];

function envInt(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  // Slurm writes SLURM_NTASKS_PER_NODE as e.g. "4" or "4(x2)": the count comes first.
  const text = name === 'SLURM_NTASKS_PER_NODE' ? raw.trim().replace(/\(x\d+\)$/, '') : raw.trim();
  const v = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < min)
    throw new GvlError(
      'GVL_INVALID_ENV',
      `${name}=${JSON.stringify(raw)} is not an integer >= ${min}, as the launcher that sets it writes`,
      { value: raw },
    );
  return v;
}

/**
 * This process's rank, world size and node-local layout, from the variables the
 * launchers set: torchrun (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `LOCAL_WORLD_SIZE`),
 * Slurm (`SLURM_PROCID`, `SLURM_NTASKS`, `SLURM_LOCALID`, `SLURM_NTASKS_PER_NODE`),
 * Open MPI (`OMPI_COMM_WORLD_RANK`, `…_SIZE`, `…_LOCAL_RANK`, `…_LOCAL_SIZE`), tried
 * in that order: the first launcher whose rank and world size are both set wins. A
 * missing local layout means one process per node. Without any: rank 0 of 1.
 *
 * @param env - the environment to read; default `process.env`.
 * @returns the rank, world size, local rank, local world size and the launcher.
 * @throws {@link GvlError} `GVL_INVALID_ENV` naming the variable whose value is not an
 *   integer (ranks ≥ 0, sizes ≥ 1), or a rank outside its world.
 * @example
 * ```ts
 * distributedEnv({ RANK: '3', WORLD_SIZE: '8', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '4' });
 * // { rank: 3, worldSize: 8, localRank: 1, localWorldSize: 4, source: 'torchrun' }
 * ```
 */
export function distributedEnv(env: NodeJS.ProcessEnv = process.env): DistributedInfo {
  for (const [source, [r, w, lr, lw]] of LAUNCHERS) {
    const rank = envInt(env, r, 0);
    const worldSize = envInt(env, w, 1);
    if (rank === undefined || worldSize === undefined) continue;
    const localRank = envInt(env, lr, 0) ?? 0;
    const localWorldSize = envInt(env, lw, 1) ?? 1;
    if (rank >= worldSize)
      throw new GvlError('GVL_INVALID_ENV', `${r}=${rank} is not below ${w}=${worldSize}`, {
        value: rank,
      });
    if (localRank >= localWorldSize)
      throw new GvlError(
        'GVL_INVALID_ENV',
        `${lr}=${localRank} is not below ${lw}=${localWorldSize}`,
        { value: localRank },
      );
    return { rank, worldSize, localRank, localWorldSize, source };
  }
  return { rank: 0, worldSize: 1, localRank: 0, localWorldSize: 1, source: 'none' };
}

/** How a rank's share of an epoch is chosen. */
export interface ShardOptions {
  /** Visit items in a seeded random order (the same on every rank). */
  shuffle: boolean;
  /** Seed of the order; the permutation is drawn from `seed + epoch`. */
  seed: number;
  /** The epoch: a new permutation each epoch, identical on every rank. */
  epoch: number;
  /** This process's rank: an integer in `[0, worldSize)`. */
  rank: number;
  /** Processes sharing the epoch: an integer ≥ 1. */
  worldSize: number;
  /**
   * `'pad'` (default, `DistributedSampler(drop_last=False)`): repeat the order's first
   * items until every rank has `ceil(n / worldSize)`; `'drop'` (`drop_last=True`): cut
   * the order's tail so every rank has `floor(n / worldSize)`.
   */
  remainder: 'pad' | 'drop';
}

/** The rules of {@link ShardOptions}, each stated once. */
const shardSchema = v.pipe(
  v.object({
    shuffle: bool,
    seed: v.pipe(v.number('an integer'), v.safeInteger('an integer')),
    epoch: intAtLeast(0),
    rank: intAtLeast(0),
    worldSize: intAtLeast(1),
    remainder: v.picklist(['pad', 'drop'], "'pad' or 'drop'"),
  }),
  v.forward(
    v.partialCheck(
      [['rank'], ['worldSize']],
      (o) => o.rank < o.worldSize,
      (issue) =>
        `an integer in [0, worldSize = ${(issue.input as { worldSize: number }).worldSize})`,
    ),
    ['rank'],
  ),
);

/**
 * The flat item indices (`region·nSamples + sample` in the current subset) this rank
 * visits in one epoch, in order.
 *
 * @param total - items in the epoch (`nRegions × nSamples`).
 * @returns int (uint32) positions; every rank gets the same count, and the ranks'
 *   lists together hold every item exactly once (`'pad'`: plus the repeated ones;
 *   `'drop'`: minus the cut tail, fewer than `worldSize` items).
 * @throws {@link GvlError} `GVL_INVALID_ARGUMENT` for a bad rank, world size, epoch or
 *   remainder.
 * @example
 * ```ts
 * shardOrder(10, { shuffle: false, seed: 0, epoch: 0, rank: 1, worldSize: 4, remainder: 'pad' });
 * // Uint32Array [1, 5, 9]
 * ```
 * @see PyTorch `torch.utils.data.DistributedSampler`.
 */
export function shardOrder(total: number, o: ShardOptions): Uint32Array {
  const { rank, worldSize } = parse(shardSchema, o, 'options', { remainder: 'shardRemainder' });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  if (o.shuffle) {
    const gen = xoroshiro128plus((o.seed + o.epoch) | 0);
    for (let i = total - 1; i > 0; i--) {
      const j = uniformInt(gen, 0, i);
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
  }
  if (worldSize === 1) return order;
  const perRank =
    o.remainder === 'drop' ? Math.floor(total / worldSize) : Math.ceil(total / worldSize);
  const out = new Uint32Array(perRank);
  for (let k = 0; k < perRank; k++) {
    // Position in the padded (or cut) global order; padding wraps to its start.
    const at = rank + k * worldSize;
    out[k] = order[total === 0 ? 0 : at % total] as number;
  }
  return out;
}
