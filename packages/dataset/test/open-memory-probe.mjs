// Opens one dataset in a fresh process and prints what the open cost in memory, as JSON.
// Usage: node --expose-gc test/open-memory-probe.mjs <dataset> <dataset|map|read>
//   dataset: Dataset.open (arrays mapped); map / read: readDatasetFiles({ map }).
// Runs on the built package (dist/): build before testing, as for the loader workers.
import { readFileSync } from 'node:fs';
import { Dataset } from '../dist/index.js';
import { readDatasetFiles } from '../dist/open.js';

const [dir, how] = process.argv.slice(2);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

/** kB fields of /proc/self/status in bytes (Linux), or nulls elsewhere. */
function status() {
  let text = '';
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return { rssAnon: null, rssFile: null, vmRss: null };
  }
  const kb = (k) => {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), vmRss: kb('VmRSS') };
}

function sample() {
  globalThis.gc();
  const m = process.memoryUsage();
  return {
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    ...status(),
  };
}

const before = sample();
const t0 = performance.now();
let held;
if (how === 'dataset') held = await Dataset.open(dir);
else held = await readDatasetFiles(dir, { map: how === 'map' });
const ms = performance.now() - t0;
const after = sample();
const files = held.internals ? held.internals.core.files : held;
const g = files.genotypes;
const delta = {};
for (const k of Object.keys(before))
  delta[k] = before[k] === null || after[k] === null ? null : after[k] - before[k];
process.stdout.write(
  `${JSON.stringify({
    how,
    ms,
    before,
    after,
    delta,
    variantIdxsBytes: g ? g.variantIdxs.byteLength : 0,
    offsetsBytes: g ? g.offsets.byteLength : 0,
    sharedBuffer: g ? g.variantIdxs.buffer instanceof SharedArrayBuffer : null,
  })}\n`,
);
