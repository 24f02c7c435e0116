import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  EXIT_TYPED,
  EXIT_USAGE,
  formatCliError,
  GvlError,
  isGvlError,
  parseIntegerFlag,
  UsageError,
} from '../src/index.js';

class DemoError extends GvlError<'GVL_DEMO' | 'GVL_OTHER'> {}

describe('GvlError', () => {
  it('carries code, value, cause and the subclass name', () => {
    const cause = new Error('low level');
    const e = new DemoError('GVL_DEMO', 'bad thing', { value: 42, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(GvlError);
    expect(e).toBeInstanceOf(DemoError);
    expect(e).toMatchObject({ code: 'GVL_DEMO', value: 42, cause, name: 'DemoError' });
    expect(e.message).toBe('bad thing');
    expect('cause' in new GvlError('GVL_X', 'no cause')).toBe(false);
  });

  it('isGvlError narrows by code and rejects look-alikes', () => {
    const e = new DemoError('GVL_DEMO', 'x');
    expect(isGvlError(e)).toBe(true);
    expect(isGvlError(e, 'GVL_DEMO')).toBe(true);
    expect(isGvlError(e, 'GVL_OTHER')).toBe(false);
    expect(isGvlError({ code: 'GVL_DEMO', message: 'x' })).toBe(false);
    expect(isGvlError(Object.assign(new Error('x'), { code: 'GVL_DEMO' }))).toBe(false);
    expect(isGvlError(null)).toBe(false);
    expect(isGvlError('GVL_DEMO')).toBe(false);
  });

  it('a subclass instanceof keeps the prototype-chain meaning', () => {
    class OtherError extends GvlError {}
    const e = new DemoError('GVL_DEMO', 'x');
    expect(e instanceof OtherError).toBe(false);
    expect(new OtherError('GVL_X', 'y') instanceof DemoError).toBe(false);
  });

  it('recognises an error made by another copy of the package (another realm)', async () => {
    // A second, independent copy of this module, compiled on the fly and run in a vm realm.
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../src/index.ts', import.meta.url), 'utf8');
    const { default: typescript } = await import('typescript');
    const js = typescript.transpileModule(source, {
      compilerOptions: {
        module: typescript.ModuleKind.CommonJS,
        target: typescript.ScriptTarget.ES2022,
      },
    }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    runInNewContext(js, { module, exports: module.exports });
    const Foreign = module.exports.GvlError as typeof GvlError;
    expect(Foreign).not.toBe(GvlError);
    const foreign = new Foreign('GVL_FOREIGN', 'from elsewhere', { value: 1 });
    expect(foreign instanceof Error).toBe(false); // another realm's Error
    expect(isGvlError(foreign, 'GVL_FOREIGN')).toBe(true);
    expect(foreign instanceof GvlError).toBe(true);
    expect(new GvlError('GVL_LOCAL', 'x') instanceof Foreign).toBe(true);
  });
});

describe('formatCliError', () => {
  it('a typed error prints CODE: message once, without a stack, exit 2', () => {
    const { text, exitCode } = formatCliError(new DemoError('GVL_DEMO', 'region 7 is bad'));
    expect(text).toBe('GVL_DEMO: region 7 is bad\n');
    expect(exitCode).toBe(2);
  });

  it('a usage error prints GVL_USAGE: message and exits 64, apart from data errors (2)', () => {
    const e = new UsageError('--bed is required', { flag: '--bed' });
    expect(isGvlError(e, 'GVL_USAGE')).toBe(true);
    expect(e.flag).toBe('--bed');
    expect(formatCliError(e)).toEqual({ text: 'GVL_USAGE: --bed is required\n', exitCode: 64 });
    expect(EXIT_USAGE).toBe(64);
    expect(EXIT_TYPED).toBe(2);
    // A usage error made by another copy of the package (only the brand and the code).
    class Foreign extends Error {
      readonly code = 'GVL_USAGE';
    }
    Object.defineProperty(Foreign.prototype, Symbol.for('gvl.error'), { value: true });
    expect(formatCliError(new Foreign('--x')).exitCode).toBe(64);
  });

  it('anything else is an internal error with the stack and how to report it, exit 1', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'subarray')");
    const { text, exitCode } = formatCliError(bug);
    expect(exitCode).toBe(1);
    expect(text).toMatch(/^internal error: this is a bug in gvl-ts: please report it/);
    expect(text).toContain(bug.stack as string);
    expect(formatCliError('thrown string').text).toContain('thrown string');
  });
});

describe('parseIntegerFlag', () => {
  it('accepts decimal digits within the range and passes an absent flag through', () => {
    expect(parseIntegerFlag('--workers', '4', { min: 1 })).toBe(4);
    expect(parseIntegerFlag('--max-jitter', '0')).toBe(0);
    expect(parseIntegerFlag('--max-jitter', '2147483647', { max: 2147483647 })).toBe(2147483647);
    expect(parseIntegerFlag('--workers', undefined, { min: 1 })).toBeUndefined();
  });

  it('refuses anything else with GVL_USAGE naming the flag, the value and the range', () => {
    for (const [value, range, expected] of [
      ['0', { min: 1 }, 'an integer >= 1'],
      ['two', { min: 1 }, 'an integer >= 1'],
      ['-3', {}, 'an integer >= 0'],
      [' 5', {}, 'an integer >= 0'],
      ['1e3', {}, 'an integer >= 0'],
      ['2.5', {}, 'an integer >= 0'],
      ['', {}, 'an integer >= 0'],
      ['2147483648', { max: 2147483647 }, 'an integer from 0 to 2147483647'],
      ['-3', { max: 10 }, 'an integer from 0 to 10'],
      ['9007199254740992', {}, 'an integer from 0 to 9007199254740991'],
    ] as const) {
      let caught: unknown;
      try {
        parseIntegerFlag('--n', value, range);
      } catch (e) {
        caught = e;
      }
      expect(caught, value).toBeInstanceOf(UsageError);
      const e = caught as UsageError;
      expect(e.message).toBe(`--n ${JSON.stringify(value)} is invalid: expected ${expected}`);
      expect([e.code, e.flag, e.value]).toEqual(['GVL_USAGE', '--n', value]);
    }
  });
});
