/** The external oracles a test suite can need. */
export type OracleId = 'bcftools' | 'samtools' | 'tabix' | 'peer' | 'chromium';

/** Where skipped oracle suites are recorded (`<repo>/node_modules/.cache/gvl-skips`). */
export declare const skipsDir: string;

/** Each oracle: what is missing, and the one command that installs it. */
export declare const ORACLES: Readonly<Record<OracleId, { missing: string; install: string }>>;

/** The skip reason for one oracle, e.g. `bcftools not on PATH (apt-get install bcftools)`. */
export declare function oracleReason(id: OracleId): string;

/**
 * `name [skipped: reason; …]` (or `name` when nothing is missing), recording the suite
 * when a reason is an oracle's.
 */
export declare function skipName(name: string, missing: readonly string[]): string;

/** Forgets every recorded skip. */
export declare function clearSkips(): void;

/** One recorded skip. */
export interface RecordedSkip {
  /** The package folder the suite ran in, relative to the repository root. */
  dir: string;
  suite: string;
  oracles: OracleId[];
}

/** The recorded skips, one per (package folder, suite). */
export declare function readSkips(): RecordedSkip[];

/** The summary line `npm test` ends with. */
export declare function summaryLine(skips?: RecordedSkip[]): string;
