/**
 * `@gvl/dataset/cli`: the `gvl` command line as a library, and the main job it runs as
 * `gvl demo`. Kept apart from the main entry (`@gvl/dataset`), which is the library only:
 * importing `@gvl/dataset` never loads the command-line code.
 *
 * - {@link main} runs `gvl` with an argument list and returns its exit code (0 success,
 *   64 a usage error `GVL_USAGE`, 2 a typed data error, 130 interrupted, 1 a bug).
 * - {@link parseBigWigSpecs} turns `--bigwig NAME:SAMPLE=PATH` values into tracks.
 * - {@link runMainJob} / {@link formatMainJobReport} / {@link findData}: the main job on
 *   the 1000 Genomes chr20 slice (`gvl demo`).
 * - {@link parseCommandLine} / {@link commandHelp}: the one command-line parser of the
 *   gvl-ts CLIs (`gvl`, `gvl-stress`, `gvl-parity`; built on commander), declared once
 *   per command as a {@link CommandSpec}, with generated help.
 *
 * @example
 * ```ts
 * import { main } from '@gvl/dataset/cli';
 * const code = await main(['--version']); // prints the version, returns 0
 * ```
 *
 * @module @gvl/dataset/cli
 */
export type { CliCommand, CliIo } from './cli.js';
export { main, parseBigWigSpecs } from './cli.js';
export type { MainJobOptions, MainJobReport } from './demo.js';
export { findData, formatMainJobReport, runMainJob } from './demo.js';
export type { CliFlag, CommandSpec, CommandSummary, ParsedCommandLine } from './parser.js';
export { commandHelp, parseCommandLine } from './parser.js';
