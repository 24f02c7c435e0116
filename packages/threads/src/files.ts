import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a text file below an injectable root (`/` in production, a fixture tree in
 * tests). Returns `null` when the file is absent or unreadable: callers record a trace
 * note and carry on, never crash.
 */
export function readBelow(root: string, absPath: string): string | null {
  try {
    return readFileSync(root === '/' ? absPath : join(root, absPath), 'utf8');
  } catch {
    return null;
  }
}
