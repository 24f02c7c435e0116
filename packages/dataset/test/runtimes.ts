/**
 * Which ML runtimes the tensor adapters' tests can use here, and the reason shown when a
 * suite is skipped for one (they are devDependencies; an install can still fail, e.g. a
 * platform without a prebuilt onnxruntime-node).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function loads(id: string): boolean {
  try {
    require(id);
    return true;
  } catch {
    return false;
  }
}

export const hasOrt = loads('onnxruntime-node');
export const hasTfjs = loads('@tensorflow/tfjs');

export const ortMissing = hasOrt
  ? []
  : ['onnxruntime-node did not install or load (pnpm install in the repository root)'];
export const tfjsMissing = hasTfjs
  ? []
  : ['@tensorflow/tfjs did not install or load (pnpm install in the repository root)'];
