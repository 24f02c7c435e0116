/**
 * The release build (the default vitest project opens it, as users do) has no test
 * hooks: no debug functions in the binding, and GVL_NATIVE_FAULT is ignored. The same
 * checks against the test-hooks build pass the other way (errors/pool/abort tests).
 */
import { describe, expect, it } from 'vitest';
import { native } from '../src-ts/binding.js';
import { DIST, runNode } from './helpers/run-node.js';

describe('the release build has no test hooks', () => {
  it('exports no debug function', () => {
    const names = Object.keys(native).filter((k) => k.startsWith('debug'));
    expect(names).toEqual([]);
    expect(typeof native.counters).toBe('function');
  });

  it('GVL_NATIVE_FAULT=pool-build does not fail the pool build', () => {
    const { status, result } = runNode<{ parallel: number[]; error: string | null }>(
      `import * as g from '${DIST}';
       const input = { data: new Float32Array([1, 2, 3]), offsets: new BigInt64Array([0n, 3n]) };
       let parallel = [], error = null;
       try { parallel = Array.from(await g.reverseRows(input, { parallel: true })); } catch (e) { error = e.code; }
       console.log(JSON.stringify({ parallel, error }));`,
      { GVL_NATIVE_FAULT: 'pool-build', GVL_NATIVE_BINDING: undefined },
    );
    expect(status).toBe(0);
    expect(result).toEqual({ parallel: [3, 2, 1], error: null });
  });
});
