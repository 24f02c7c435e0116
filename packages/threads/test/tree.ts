import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** Writes a fixture tree standing for `/`: keys are absolute paths, values file contents. */
export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gvl-threads-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

/** `/proc/self/status` with the given Cpus_allowed_list. */
export function status(list: string): string {
  return `Name:\tnode\nState:\tR (running)\nThreads:\t7\nCpus_allowed:\tff\nCpus_allowed_list:\t${list}\nMems_allowed_list:\t0\n`;
}

/** One mountinfo line. */
export function mount(
  id: number,
  root: string,
  point: string,
  fsType: string,
  superOpts: string,
): string {
  return `${id} 1 0:${id} ${root} ${point} rw,nosuid,nodev,noexec,relatime shared:${id} - ${fsType} ${fsType} ${superOpts}`;
}
