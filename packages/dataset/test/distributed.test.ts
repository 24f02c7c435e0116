/**
 * Sharded loading: the launcher environment, the shares of an epoch (PyTorch's
 * `DistributedSampler` semantics), and real processes each loading their share.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { planWorkers } from '@gvl/threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset, distributedEnv, planBatches, shardOrder } from '../src/index.js';
import { pkgDir } from './helpers.js';
import { writeSyntheticDataset } from './synthetic-dataset.js';

describe('distributedEnv', () => {
  it('reads torchrun, Slurm and Open MPI, in that order', () => {
    expect(
      distributedEnv({ RANK: '3', WORLD_SIZE: '8', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '4' }),
    ).toStrictEqual({ rank: 3, worldSize: 8, localRank: 1, localWorldSize: 4, source: 'torchrun' });
    expect(
      distributedEnv({
        SLURM_PROCID: '5',
        SLURM_NTASKS: '6',
        SLURM_LOCALID: '2',
        SLURM_NTASKS_PER_NODE: '3(x2)',
      }),
    ).toStrictEqual({ rank: 5, worldSize: 6, localRank: 2, localWorldSize: 3, source: 'slurm' });
    expect(distributedEnv({ OMPI_COMM_WORLD_RANK: '0', OMPI_COMM_WORLD_SIZE: '2' })).toStrictEqual({
      rank: 0,
      worldSize: 2,
      localRank: 0,
      localWorldSize: 1,
      source: 'mpi',
    });
    // torchrun wins over Slurm when both are set (torchrun inside an srun allocation).
    expect(
      distributedEnv({ RANK: '1', WORLD_SIZE: '2', SLURM_PROCID: '0', SLURM_NTASKS: '1' }).source,
    ).toBe('torchrun');
    expect(distributedEnv({ RANK: '1' }).source).toBe('none');
    expect(distributedEnv({})).toStrictEqual({
      rank: 0,
      worldSize: 1,
      localRank: 0,
      localWorldSize: 1,
      source: 'none',
    });
  });

  it.each([
    [{ RANK: 'x', WORLD_SIZE: '2' }, 'RANK'],
    [{ RANK: '0', WORLD_SIZE: '0' }, 'WORLD_SIZE'],
    [{ RANK: '2', WORLD_SIZE: '2' }, 'RANK=2'],
    [{ RANK: '0', WORLD_SIZE: '2', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '1' }, 'LOCAL_RANK=1'],
    [{ SLURM_PROCID: '-1', SLURM_NTASKS: '2' }, 'SLURM_PROCID'],
  ])('%j is GVL_INVALID_ENV naming %s', (env, name) => {
    expect(() => distributedEnv(env)).toThrow(
      expect.objectContaining({ code: 'GVL_INVALID_ENV', message: expect.stringContaining(name) }),
    );
  });
});

describe('shardOrder', () => {
  const opts = { shuffle: true, seed: 4, epoch: 0, remainder: 'pad' as const };

  it('pads to equal shares whose union is the epoch, every item at least once', () => {
    for (const total of [0, 1, 7, 35, 36, 100]) {
      for (const worldSize of [1, 2, 3, 5]) {
        const shares = Array.from({ length: worldSize }, (_, rank) =>
          shardOrder(total, { ...opts, rank, worldSize }),
        );
        const per = Math.ceil(total / worldSize);
        for (const s of shares) expect(s.length).toBe(per);
        const seen = new Map<number, number>();
        for (const s of shares) for (const x of s) seen.set(x, (seen.get(x) ?? 0) + 1);
        expect(seen.size).toBe(total);
        const repeats = [...seen.values()].reduce((a, b) => a + b, 0) - total;
        expect(repeats).toBe(per * worldSize - total);
      }
    }
  });

  it('drops to equal disjoint shares, fewer than worldSize items left out', () => {
    for (const total of [1, 7, 35, 100]) {
      for (const worldSize of [2, 3, 8]) {
        const all = Array.from({ length: worldSize }, (_, rank) => [
          ...shardOrder(total, { ...opts, remainder: 'drop', rank, worldSize }),
        ]).flat();
        expect(new Set(all).size).toBe(all.length);
        expect(all.length).toBe(Math.floor(total / worldSize) * worldSize);
      }
    }
  });

  it('is rank r of the padded global order taken every worldSize-th, as DistributedSampler', () => {
    const global = shardOrder(10, { ...opts, rank: 0, worldSize: 1 });
    const padded = [...global, ...global.subarray(0, 2)];
    for (let rank = 0; rank < 4; rank++) {
      expect([...shardOrder(10, { ...opts, rank, worldSize: 4 })]).toStrictEqual(
        padded.filter((_, i) => i % 4 === rank),
      );
    }
    // A new permutation each epoch, the same for the same seed + epoch.
    const e1 = shardOrder(50, { ...opts, epoch: 1, rank: 0, worldSize: 1 });
    expect([...e1]).not.toStrictEqual([...shardOrder(50, { ...opts, rank: 0, worldSize: 1 })]);
    expect([...e1]).toStrictEqual([
      ...shardOrder(50, { ...opts, seed: 5, epoch: 0, rank: 0, worldSize: 1 }),
    ]);
    expect([...shardOrder(5, { ...opts, shuffle: false, rank: 1, worldSize: 2 })]).toStrictEqual([
      1, 3, 0,
    ]);
  });

  it.each([
    [{ rank: 2, worldSize: 2 }, 'rank'],
    [{ rank: 0, worldSize: 0 }, 'worldSize'],
    [{ rank: 0, worldSize: 1, epoch: -1 }, 'epoch'],
    [{ rank: 0, worldSize: 1, remainder: 'wrap' }, 'shardRemainder'],
  ])('%j is GVL_INVALID_ARGUMENT naming %s', (bad, name) => {
    expect(() => shardOrder(10, { ...opts, ...bad } as never)).toThrow(
      expect.objectContaining({
        code: 'GVL_INVALID_ARGUMENT',
        message: expect.stringContaining(name),
      }),
    );
  });
});

describe('sharded loading in real processes', () => {
  let dir = '';
  const shape = { regions: 7, samples: 5, variants: 3 };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gvl-shards-'));
    await writeSyntheticDataset(join(dir, 'ds.gvl'), shape);
    writeFileSync(
      join(dir, 'rank.mjs'),
      `import { Dataset } from ${JSON.stringify(pathToFileURL(join(pkgDir, 'dist', 'index.js')).href)};
const ds = (await Dataset.open(process.argv[2])).withSeqs('variants');
const options = JSON.parse(process.argv[3]);
const loader = ds.loader(options);
const batches = [];
for await (const b of loader) batches.push({ index: b.index, items: [...b.regions].map((r, i) => [r, b.samples[i]]) });
process.stdout.write(JSON.stringify({ shard: loader.shard, batches }));
`,
    );
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  interface RankRun {
    shard: { rank: number; worldSize: number; source: string; threads: number };
    batches: { index: number; items: [number, number][] }[];
  }

  function runRank(env: Record<string, string>, options: object): Promise<RankRun> {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(RANK|WORLD_SIZE|LOCAL_|SLURM_|OMPI_|GVL_NUM_THREADS)/.test(k),
      ),
    );
    return new Promise((resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        [join(dir, 'rank.mjs'), join(dir, 'ds.gvl'), JSON.stringify(options)],
        { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0
          ? resolvePromise(JSON.parse(out))
          : reject(new Error(`rank exited ${code}: ${err}`)),
      );
    });
  }

  it('three torchrun ranks load disjoint equal shares whose union is the epoch; the node budget is split', async () => {
    const worldSize = 3;
    const options = { batchSize: 4, shuffle: true, seed: 9, epoch: 2 };
    const runs = await Promise.all(
      Array.from({ length: worldSize }, (_, rank) =>
        runRank(
          {
            RANK: String(rank),
            WORLD_SIZE: String(worldSize),
            LOCAL_RANK: String(rank),
            LOCAL_WORLD_SIZE: String(worldSize),
          },
          options,
        ),
      ),
    );
    const total = shape.regions * shape.samples; // 35: one item repeated to give 3 × 12
    const seen = new Map<string, number>();
    runs.forEach((run, rank) => {
      expect(run.shard).toMatchObject({ rank, worldSize, source: 'torchrun' });
      const items = run.batches.flatMap((b) => b.items);
      expect(items.length).toBe(Math.ceil(total / worldSize));
      for (const [r, s] of items) seen.set(`${r},${s}`, (seen.get(`${r},${s}`) ?? 0) + 1);
    });
    expect(seen.size).toBe(total);
    expect([...seen.values()].filter((n) => n > 1)).toStrictEqual([2]);
    // The same order as this process plans for each rank.
    const ds = (await Dataset.open(join(dir, 'ds.gvl'))).withSeqs('variants');
    runs.forEach((run, rank) => {
      const planned = [...planBatches(ds, { ...options, rank, worldSize })].flatMap((b) =>
        [...b.regions].map((r, i) => [r, b.samples[i]]),
      );
      expect(run.batches.flatMap((b) => b.items)).toStrictEqual(planned);
    });
    // Local ranks split the node's budget (planWorkers), each taking its own share.
    const plan = planWorkers(worldSize);
    runs.forEach((run, rank) => {
      expect(run.shard.threads).toBe(plan.perWorker[rank]);
    });
  }, 120_000);

  it('a rank restarted at startBatch continues its epoch without repeating or skipping', async () => {
    const env = { SLURM_PROCID: '1', SLURM_NTASKS: '2' };
    const options = { batchSize: 3, shuffle: true, seed: 1, epoch: 5 };
    const full = await runRank(env, options);
    const resumed = await runRank(env, { ...options, startBatch: 2 });
    expect(resumed.shard).toMatchObject({ rank: 1, worldSize: 2, source: 'slurm' });
    expect(resumed.batches).toStrictEqual(full.batches.slice(2));
    expect(resumed.batches[0]?.index).toBe(2);
  }, 120_000);

  it('explicit rank and worldSize win over the environment', async () => {
    const run = await runRank(
      { RANK: '0', WORLD_SIZE: '4' },
      { batchSize: 8, rank: 1, worldSize: 2, shardRemainder: 'drop' },
    );
    expect(run.shard).toMatchObject({ rank: 1, worldSize: 2, source: 'options' });
    expect(run.batches.flatMap((b) => b.items).length).toBe(17);
  }, 120_000);
});
