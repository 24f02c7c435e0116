/**
 * `gvl concat OUT IN1 IN2 … --axis regions|samples`: merges datasets (see `concat`).
 *
 * @module
 */
import { constants as osConstants } from 'node:os';
import { CONCAT_AXES, type ConcatAxis, concat } from '../concat.js';
import { isGvlError, UsageError } from '../errors.js';
import type { CliCommand } from './cli.js';

/** Signals that interrupt `gvl concat` cleanly (Windows has no SIGHUP handler). */
const SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The `gvl concat` subcommand. */
export const CONCAT_COMMAND: CliCommand = {
  summary: 'merge datasets along the region or the sample axis into a new dataset',
  synopsis: 'OUT IN1 IN2 [IN3 ...] --axis regions|samples [options]',
  description:
    "Merges two or more datasets written from the same VCF into the new dataset OUT (atomic, as write), as genvarloader's concat.",
  flags: [
    {
      name: 'axis',
      value: 'regions|samples',
      help: 'regions: append regions (the inputs have the same samples in the same order, and no region name in two inputs); samples: append samples (the inputs have identical regions, same BED, and disjoint samples; merged samples are sorted)',
    },
    {
      name: 'overwrite',
      help: 'replace OUT if it is a dataset (only once the new one is complete)',
    },
    {
      name: 'json',
      help: 'print the summary as JSON on stdout: { path, axis, inputs, nRegions, samples, ploidy, contigs, tracks, bytes } (ConcatSummary)',
    },
  ],
  epilog: `Inputs that cannot be merged exit 2 with GVL_CONCAT_MISMATCH (ploidy, max_jitter, contigs,
tracks, samples or regions differ), GVL_CONCAT_VARIANTS (not the same variant table) or
GVL_CONCAT_OVERLAP (a sample or region name in two inputs), naming the input.`,
  async run({ values, positionals }, io) {
    if (positionals.length < 3)
      throw new UsageError(
        `expected an output path and at least two input datasets (OUT IN1 IN2 ...), got ${positionals.length} path(s)`,
        { value: positionals },
      );
    const axis = values.axis;
    if (typeof axis !== 'string' || !(CONCAT_AXES as readonly string[]).includes(axis))
      throw new UsageError(
        axis === undefined
          ? '--axis is required: expected regions or samples'
          : `--axis ${JSON.stringify(axis)} is invalid: expected regions or samples`,
        { flag: '--axis', value: axis },
      );
    const [target, ...inputs] = positionals as [string, ...string[]];
    const ac = new AbortController();
    let received: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      received ??= sig;
      ac.abort();
    };
    for (const sig of SIGNALS) process.once(sig, onSignal);
    try {
      const summary = await concat(target, inputs, {
        axis: axis as ConcatAxis,
        overwrite: values.overwrite === true,
        signal: ac.signal,
      });
      if (values.json === true) {
        io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return 0;
      }
      const parts = [`${summary.nRegions} regions × ${summary.samples.length} samples`];
      if (summary.ploidy !== null) parts.push(`ploidy ${summary.ploidy}`);
      if (summary.tracks.length > 0) parts.push(`tracks ${summary.tracks.join(', ')}`);
      parts.push(`${summary.bytes} bytes`);
      io.stdout.write(
        `concatenated ${inputs.length} datasets along ${axis} into ${summary.path}: ${parts.join(', ')}\n`,
      );
      return 0;
    } catch (e) {
      if (received !== undefined && isGvlError(e, 'GVL_ABORTED')) {
        io.stderr.write(`${e.code}: concat interrupted by ${received}; nothing was written\n`);
        return 128 + (osConstants.signals[received] ?? 2);
      }
      throw e;
    } finally {
      for (const sig of SIGNALS) process.removeListener(sig, onSignal);
    }
  },
};
