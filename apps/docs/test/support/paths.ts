/** Where things are: the repository, the built site, the real data, the browser. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `apps/docs`. */
export const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository root. */
export const repoRoot = resolve(appDir, '../..');
/** The built site (`pnpm run docs`). */
export const siteDir = join(appDir, 'dist');
/** Test artifacts (git-ignored): the landing-page screenshot. */
export const artifactsDir = join(appDir, 'artifacts');
/** Scratch space for extracted examples: inside the app so `@gvl/*` imports resolve. */
export const runDir = join(appDir, '.run');

/** Debian's Chromium (`apt-get install chromium`). */
export const chromiumPath = process.env.GVL_CHROMIUM ?? '/usr/bin/chromium';

/** The real data: `$GVL_DATA_DIR`, else `../shared/data` beside the repository. */
export const dataDir = resolve(process.env.GVL_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data'));

const CHR20_FILES = [
  '1kg_chr20_300samples.vcf.gz',
  '1kg_chr20_300samples.vcf.gz.tbi',
  'chr20_1-2Mb.fa.gz',
  'chr20_1-2Mb.fa.gz.fai',
  'chr20_1-2Mb.fa.gz.gzi',
  'windows_2kb.bed',
];

/** Why the chr20 data cannot be used, or `null` when it is all there. */
export function missingChr20(): string | null {
  const dir = join(dataDir, '1kg-chr20');
  const missing = CHR20_FILES.filter((f) => !existsSync(join(dir, f)));
  return missing.length === 0
    ? null
    : `real data absent: ${missing.join(', ')} not in ${dir} (set GVL_DATA_DIR)`;
}
