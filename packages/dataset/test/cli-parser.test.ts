/**
 * The one command-line parser (`src/cli/parser.ts`): what it accepts, the usage errors it
 * throws (GVL_USAGE naming the flag) and the help it generates from a declaration.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/cli.js';
import { type CommandSpec, commandHelp, parseCommandLine } from '../src/cli/index.js';
import { isGvlError, type UsageError } from '../src/errors.js';

const SPEC: CommandSpec = {
  name: 'tool run',
  synopsis: 'OUT [options]',
  description: 'Runs the tool.',
  flags: [
    { name: 'bed', value: 'BED', help: 'regions' },
    { name: 'bigwig', value: 'NAME:SAMPLE=PATH', multiple: true, help: 'a bigWig (repeatable)' },
    { name: 'max-jitter', value: 'N', help: 'padding' },
    { name: 'no-extend', help: 'do not extend' },
    { name: 'json', help: 'print JSON' },
  ],
  epilog: 'Exit status: 0 ok.',
};

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(SPEC, argv);
  } catch (e) {
    if (isGvlError(e, 'GVL_USAGE')) return e as UsageError;
    throw e;
  }
  throw new Error(`${argv.join(' ')} parsed`);
}

describe('parseCommandLine', () => {
  it('returns values by long name as typed, repeated flags in order, positionals in order', () => {
    const r = parseCommandLine(SPEC, [
      'a.gvl',
      '--bigwig',
      'x:A=a.bw',
      '--max-jitter=007',
      '--bed',
      'r.bed',
      '--bigwig',
      'x:B=b.bw',
      '--no-extend',
      'extra',
      '--',
      '--json',
    ]);
    expect(r).toEqual({
      values: {
        bed: 'r.bed',
        bigwig: ['x:A=a.bw', 'x:B=b.bw'],
        'max-jitter': '007',
        'no-extend': true,
      },
      positionals: ['a.gvl', 'extra', '--json'],
    });
    expect(parseCommandLine(SPEC, [])).toEqual({ values: {}, positionals: [] });
  });

  it('a flag that takes a value takes the next argument, even one starting with a dash', () => {
    expect(parseCommandLine(SPEC, ['--max-jitter', '-3'])?.values).toEqual({ 'max-jitter': '-3' });
  });

  it('returns null for -h / --help, wherever it is', () => {
    expect(parseCommandLine(SPEC, ['--help'])).toBeNull();
    expect(parseCommandLine(SPEC, ['a.gvl', '--bed', 'r.bed', '-h'])).toBeNull();
  });

  it('refuses unknown flags, missing values and switches given a value, naming the flag', () => {
    for (const [argv, message, flag] of [
      [['--vfc', 'v'], "unknown option '--vfc'", '--vfc'],
      [['--bed'], "option '--bed <BED>' argument missing", '--bed'],
      [['--json=1'], "unknown option '--json=1' (did you mean --json?)", '--json=1'],
      [['--extend'], "unknown option '--extend' (did you mean --no-extend?)", '--extend'],
    ] as const) {
      const e = usageError([...argv]);
      expect(e.message.split('\n')[0], argv.join(' ')).toBe(message);
      expect(e.flag).toBe(flag);
      // The command's help follows the message.
      expect(e.message).toContain('\n\nUsage: tool run OUT [options]\n');
    }
  });
});

describe('commandHelp', () => {
  it('is generated from the declaration: usage line, description, every flag with its help, epilog', () => {
    const help = commandHelp(SPEC);
    expect(help.startsWith('Usage: tool run OUT [options]\n\nRuns the tool.\n\nOptions:\n')).toBe(
      true,
    );
    for (const f of SPEC.flags) {
      const term = `--${f.name}${f.value === undefined ? '' : ` <${f.value}>`}`;
      expect(help).toMatch(
        new RegExp(
          `\\n  ${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${f.help.replace(/[()]/g, '\\$&')}\\n`,
        ),
      );
    }
    expect(help).toContain('  -h, --help');
    expect(help.endsWith('\nExit status: 0 ok.\n')).toBe(true);
  });

  it('every gvl command documents every flag it parses, within 92 columns', () => {
    for (const [name, cmd] of Object.entries(COMMANDS)) {
      const help = commandHelp({ name: `gvl ${name}`, ...cmd });
      expect(help.startsWith(`Usage: gvl ${name} ${cmd.synopsis}\n`), name).toBe(true);
      for (const f of cmd.flags) expect(help, `${name} --${f.name}`).toContain(`--${f.name}`);
      const body = help.slice(help.indexOf('\nOptions:'));
      for (const line of body.split('\n'))
        expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(92);
    }
  });
});
