/**
 * `@gvl/parity` (private): serial == forced parallel == goldens (bcftools, the Python
 * genvarloader) on the real data in ../shared/data. Run it with `pnpm parity`.
 *
 * @packageDocumentation
 */
export type { Cell, CellStatus, CheckOptions, ModeReport, ParityReport } from './check.js';
export { runParity } from './check.js';
export type { GoldenDoc, GoldenResult, GoldenSource } from './goldens.js';
export { compareGolden, loadGolden } from './goldens.js';
export type { MakeGoldensOptions } from './make-goldens.js';
export { GOLDENS_COMMAND, makeGoldens } from './make-goldens.js';
export type { ChildReport, Mismatch } from './passes.js';
export type { BatchRows, Dtype, Part, PartRows } from './rows.js';
export { cutOutput, firstDiff, parseVariantRow, rowKey } from './rows.js';
export type { BcftoolsOracle, DatasetId, ModeSpec, PeerOracle } from './spec.js';
export { MAX_JITTER, MODES, partsOf } from './spec.js';
export { describeMismatch, renderMarkdown, renderText } from './table.js';
