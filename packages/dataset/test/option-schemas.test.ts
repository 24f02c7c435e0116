/**
 * The option schemas (src/schema.ts adapter): every broken rule is a typed error with its
 * stable code, naming the option (by its path), the value it got and what was expected;
 * a missing option is checked by its own rule; nothing is read or computed first. And the
 * shared adapter itself (`@gvl/dataset/schema`), which hands each caller the located issue.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { shardOrder } from '../src/distributed.js';
import { isGvlError } from '../src/errors.js';
import { locateIssue, type OptionIssue, parseOptions, unsupported } from '../src/option-schema.js';
import { DEFAULT_SETTINGS, validateSettings } from '../src/settings.js';
import { write } from '../src/write.js';

function thrown(f: () => unknown): { code: string; message: string; value: unknown } {
  try {
    f();
  } catch (e) {
    if (!isGvlError(e)) throw e;
    return { code: e.code, message: e.message, value: (e as { value?: unknown }).value };
  }
  throw new Error('expected a throw');
}

async function rejected(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!isGvlError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a rejection');
}

describe('DatasetSettings schema', () => {
  const settings = (patch: Record<string, unknown>) =>
    thrown(() => validateSettings({ ...DEFAULT_SETTINGS, ...patch } as never));

  it.each([
    [{ jitter: -1 }, 'jitter -1 is invalid: expected an integer >= 0'],
    [{ jitter: 1.5 }, 'jitter 1.5 is invalid: expected an integer >= 0'],
    [{ seed: 'x' }, 'seed "x" is invalid: expected an integer'],
    [{ rcNeg: 1 }, 'rcNeg 1 is invalid: expected a boolean'],
    [{ oneHot: 'yes' }, 'oneHot "yes" is invalid: expected a boolean'],
    [
      { varFields: ['alt', 3] },
      'varFields ["alt",3] is invalid: expected an array of variant field names',
    ],
    [{ maxAf: 2 }, 'maxAf 2 is invalid: expected null or a number in [0, 1]'],
    [{ minAf: 0.6, maxAf: 0.5 }, 'minAf 0.6 is invalid: expected a number <= maxAf (0.5)'],
    [{ jitter: undefined }, 'jitter undefined is invalid: expected an integer >= 0'],
  ])('%j: GVL_INVALID_ARGUMENT %s', (patch, message) => {
    const e = settings(patch);
    expect(e.code).toBe('GVL_INVALID_ARGUMENT');
    expect(e.message).toBe(message);
  });

  it("an unknown parallel mode is GVL_INVALID_MODE listing true, false and 'auto'", () => {
    const e = settings({ parallel: 'always' });
    expect(e).toMatchObject({
      code: 'GVL_INVALID_MODE',
      message: `parallel "always" is not supported: expected true, false or 'auto'`,
      value: 'always',
    });
  });

  it('normalizes what it accepts: spliceInfo pair, insertion fills, minAf == maxAf', () => {
    const s = validateSettings({
      ...DEFAULT_SETTINGS,
      spliceInfo: ['tx', 'exon'],
      insertionFill: { cov: { kind: 'constant', value: 0 } } as never,
      minAf: 0.5,
      maxAf: 0.5,
    });
    expect(s.spliceInfo).toEqual(['tx', 'exon']);
    expect(s.insertionFill).toEqual({ cov: { kind: 'constant', value: 0 } });
    expect(s.jitter).toBe(0);
  });
});

describe('shard options schema', () => {
  const base = { shuffle: false, seed: 0, epoch: 0, rank: 0, worldSize: 1, remainder: 'pad' };
  it.each([
    [{ rank: 3, worldSize: 2 }, 'rank 3 is invalid: expected an integer in [0, worldSize = 2)'],
    [{ remainder: 'wrap' }, `shardRemainder "wrap" is invalid: expected 'pad' or 'drop'`],
    [{ shuffle: 'yes' }, 'shuffle "yes" is invalid: expected a boolean'],
    [{ epoch: undefined }, 'epoch undefined is invalid: expected an integer >= 0'],
  ])('%j: %s', (patch, message) => {
    const e = thrown(() => shardOrder(10, { ...base, ...patch } as never));
    expect(e.code).toBe('GVL_INVALID_ARGUMENT');
    expect(e.message).toBe(message);
  });
});

describe('write options schema (top level, before any input is read)', () => {
  const out = join(tmpdir(), `gvl-option-schemas-${process.pid}.gvl`);
  const missing = join(tmpdir(), 'gvl-option-schemas-none');

  it.each([
    [{}, 'bed undefined is invalid: expected a BED path or a BedTable'],
    [{ bed: missing }, 'variants undefined is invalid: expected at least one of'],
    [{ bed: missing, variants: 3 }, 'variants 3 is invalid: expected a path to a .vcf.gz'],
    [
      { bed: missing, variants: missing, samples: [] },
      'samples [] is invalid: expected a non-empty array',
    ],
    [
      { bed: missing, variants: missing, samples: ['a', 'b', 'a'] },
      'samples ["a","b","a"] is invalid: expected each sample name once ("a" is listed twice)',
    ],
    [
      { bed: missing, variants: missing, overwrite: 'yes' },
      'overwrite "yes" is invalid: expected a boolean',
    ],
    [
      { bed: missing, variants: missing, maxJitter: -1 },
      'maxJitter -1 is invalid: expected an integer from 0',
    ],
  ])('%j: GVL_INVALID_ARGUMENT %s', async (options, fragment) => {
    const e = await rejected(write(out, options as never));
    expect(e.code).toBe('GVL_INVALID_ARGUMENT');
    expect(e.message).toContain(fragment);
    expect(existsSync(out)).toBe(false);
  });

  it('names a bad dataset path and a non-object options', async () => {
    expect(await rejected(write('', { bed: missing } as never))).toEqual({
      code: 'GVL_INVALID_ARGUMENT',
      message: 'path "" is invalid: expected a non-empty string (the dataset directory)',
    });
    expect((await rejected(write(out, null as never))).message).toBe(
      'options null is invalid: expected an object with at least `bed`',
    );
  });
});

describe('@gvl/dataset/schema adapter', () => {
  class Located extends Error {
    constructor(readonly issue: OptionIssue) {
      super('located');
    }
  }
  const toError = (issue: OptionIssue) => new Located(issue);
  const issueOf = (f: () => unknown): OptionIssue => {
    try {
      f();
    } catch (e) {
      if (e instanceof Located) return e.issue;
      throw e;
    }
    throw new Error('expected a throw');
  };
  const schema = v.object({
    workers: v.optional(v.pipe(v.number('a number'), v.minValue(1, 'a number >= 1')), 1),
    mode: v.optional(v.picklist(['inline', 'worker'], unsupported("'inline' or 'worker'"))),
    nested: v.optional(v.object({ size: v.pipe(v.number('a size'), v.minValue(0, 'a size')) })),
    required: v.string('a string'),
  });

  it('returns the output with defaults applied', () => {
    expect(parseOptions(schema, { required: 'x' }, toError)).toEqual({
      workers: 1,
      required: 'x',
    });
  });

  it('locates the first broken rule: dotted path, value as given, message as expected', () => {
    expect(issueOf(() => parseOptions(schema, { required: 'x', workers: 0 }, toError))).toEqual({
      option: 'workers',
      value: 0,
      expected: 'a number >= 1',
      unsupported: false,
    });
    const nested = { required: 'x', nested: { size: -2 } };
    expect(issueOf(() => parseOptions(schema, nested, toError))).toEqual({
      option: 'nested.size',
      value: -2,
      expected: 'a size',
      unsupported: false,
    });
  });

  it('checks a missing key by its own rule, as undefined', () => {
    expect(issueOf(() => parseOptions(schema, {}, toError))).toEqual({
      option: 'required',
      value: undefined,
      expected: 'a string',
      unsupported: false,
    });
  });

  it('marks an unsupported rule and strips the marker from what is expected', () => {
    const issue = issueOf(() => parseOptions(schema, { required: 'x', mode: 'gpu' }, toError));
    expect(issue).toEqual({
      option: 'mode',
      value: 'gpu',
      expected: "'inline' or 'worker'",
      unsupported: true,
    });
  });

  it('names the input itself by root', () => {
    expect(issueOf(() => parseOptions(schema, 7, toError, 'settings'))).toMatchObject({
      option: 'settings',
      value: 7,
    });
    const r = v.safeParse(v.string('a path'), 3);
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(locateIssue(r.issues[0], 'path')).toEqual({
        option: 'path',
        value: 3,
        expected: 'a path',
        unsupported: false,
      });
    }
  });

  it("lets a rule's own error propagate unchanged", () => {
    const own = new RangeError('from the rule');
    const throwing = v.pipe(
      v.number('a number'),
      v.check(() => {
        throw own;
      }, 'never'),
    );
    expect(() => parseOptions(throwing, 1, toError)).toThrow(own);
  });
});
