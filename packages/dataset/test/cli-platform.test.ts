// `gvl` on a platform where @gvl/native has no prebuilt addon: the typed error of the
// native loader reaches the terminal with its code and exit code 2, not a stack trace.
// The platform is simulated by a preload that changes `process.arch` before anything loads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(pkgDir, 'bin', 'gvl.js');
const built = existsSync(join(pkgDir, 'dist', 'cli', 'index.js'));

describe.skipIf(!built)(
  `gvl without a native addon${built ? '' : ' (skipped: run pnpm --filter @gvl/dataset build)'}`,
  () => {
    it('gvl --help on an unsupported arch prints GVL_UNSUPPORTED_PLATFORM and exits 2', () => {
      const preload = `data:text/javascript,${encodeURIComponent("Object.defineProperty(process, 'arch', { value: 'riscv64' });")}`;
      const r = spawnSync(process.execPath, ['--import', preload, bin, '--help'], {
        encoding: 'utf8',
        env: { ...process.env, GVL_NATIVE_BINDING: '' },
      });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^GVL_UNSUPPORTED_PLATFORM: @gvl\/native has no prebuilt addon for platform \w+-riscv64\b/,
      );
      expect(r.stderr).toContain('prebuilt platforms: linux-x64-gnu');
      expect(r.stderr).toContain('GVL_NATIVE_BINDING=');
      expect(r.stderr).not.toContain('    at '); // no stack trace
    });

    it('gvl --help with GVL_NATIVE_BINDING naming a missing file prints GVL_NATIVE_LOAD_FAILED', () => {
      const missing = join(pkgDir, 'no-such-addon.node');
      const r = spawnSync(process.execPath, [bin, '--help'], {
        encoding: 'utf8',
        env: { ...process.env, GVL_NATIVE_BINDING: missing },
      });
      expect(r.status).toBe(2);
      expect(r.stderr.startsWith('GVL_NATIVE_LOAD_FAILED: '), r.stderr).toBe(true);
      expect(r.stderr).toContain(`GVL_NATIVE_BINDING=${missing} could not be loaded`);
    });
  },
);
