/**
 * Builds the site before the tests when it is missing (a direct `pnpm test` in a fresh
 * clone). Under turbo, `test` already depends on this app's `docs` task.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { appDir, siteDir } from './support/paths.js';

export default function setup(): void {
  if (existsSync(join(siteDir, 'index.html'))) return;
  const pkg = createRequire(join(appDir, 'package.json')).resolve('typedoc/package.json');
  const typedoc = join(dirname(pkg), 'bin', 'typedoc');
  console.log('[docs] site not built: running typedoc');
  const r = spawnSync(process.execPath, [typedoc, '--options', '../../typedoc.json'], {
    cwd: appDir,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`typedoc exited with ${r.status ?? r.signal}`);
}
