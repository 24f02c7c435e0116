/**
 * The one command-line parser of the gvl-ts CLIs (`gvl`, `gvl-stress`, `gvl-parity`):
 * a command is declared once as a {@link CommandSpec} (synopsis, description, flags with
 * their help), parsed with [commander](https://github.com/tj/commander.js), and its help
 * text is generated from the same declaration.
 *
 * Parsing is strict: an unknown flag, a switch given a value (`--json=1`) or a flag
 * missing its value is a `UsageError` (`GVL_USAGE`, exit 64) naming the flag,
 * followed by the command's help. Values are returned as the strings typed, keyed by the
 * flag's long name as typed (`'max-jitter'`, `'no-extend'`), so each command checks them
 * with its own messages (integers with `parseIntegerFlag` of `@gvl/errors`).
 *
 * @module
 */
import { UsageError } from '@gvl/errors';
import { Command, CommanderError, Option } from 'commander';

/** One flag of a command (always a long flag: `--name`). */
export interface CliFlag {
  /**
   * The long name without its dashes: `'max-jitter'`. A switch (no {@link value}) named
   * `no-…` (`'no-extend'`) is parsed as `--no-extend` and reported as `true` when given.
   */
  readonly name: string;
  /** The placeholder of its value in the help (`'N'`, `'NAME:SAMPLE=PATH'`); absent for a switch. */
  readonly value?: string;
  /** May be given several times (a flag with a value): the values, in order, as a `string[]`. */
  readonly multiple?: boolean;
  /** A one-letter alias (`'V'` for `-V`). */
  readonly short?: string;
  /** One line (wrapped in the help) saying what the flag does, its default and constraints. */
  readonly help: string;
}

/** A command: what its help shows and which flags it takes. */
export interface CommandSpec {
  /** The command as typed (`'gvl write'`, `'gvl-stress'`): the start of the usage line. */
  readonly name: string;
  /** The rest of the usage line: `'OUT --bed BED --vcf VCF [options]'`. */
  readonly synopsis: string;
  /** The paragraph(s) between the usage line and the options. */
  readonly description?: string;
  /** The flags, in the order the help lists them. */
  readonly flags: readonly CliFlag[];
  /** Text after the options (notes, exit status). */
  readonly epilog?: string;
  /** Subcommands listed in the help (a program's own help: `gvl --help`). */
  readonly commands?: readonly CommandSummary[];
}

/** A subcommand as a program's help lists it. */
export interface CommandSummary {
  /** Its name (`'write'`). */
  readonly name: string;
  /** One line saying what it does. */
  readonly summary: string;
}

/** A parsed command line: flag values by long name, and the positional arguments in order. */
export interface ParsedCommandLine {
  /**
   * By {@link CliFlag.name}: a `string` for a flag with a value, `string[]` when
   * `multiple`, `true` for a switch given; absent when the flag was not given.
   */
  readonly values: Record<string, unknown>;
  /** The positional arguments (everything after `--` included), in order. */
  readonly positionals: string[];
}

/** Width the help is wrapped to, whatever the terminal: help text is stable. */
const HELP_WIDTH = 92;

function build(spec: CommandSpec): [Command, Option[]] {
  const [program, ...rest] = spec.name.split(' ');
  const leaf = new Command(rest.length > 0 ? rest.join(' ') : program);
  if (rest.length > 0) new Command(program).addCommand(leaf);
  leaf
    .usage(spec.synopsis)
    .argument('[args...]')
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({
      writeOut: () => undefined,
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .configureHelp({ helpWidth: HELP_WIDTH, subcommandTerm: (c) => c.name() })
    .helpOption('-h, --help', 'print this help');
  if (spec.description !== undefined) leaf.description(spec.description);
  for (const c of spec.commands ?? []) leaf.command(c.name).description(c.summary);
  const options = spec.flags.map((f) => {
    const flags = `${f.short === undefined ? '' : `-${f.short}, `}--${f.name}${
      f.value === undefined ? '' : ` <${f.value}>`
    }`;
    const o = new Option(flags, f.help);
    if (f.multiple === true)
      o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    leaf.addOption(o);
    return o;
  });
  return [leaf, options];
}

/**
 * The help of a command, generated from its declaration: `Usage: NAME SYNOPSIS`, the
 * description, the options (each with its help, wrapped to 92 columns) and the epilog.
 * Ends with a newline.
 */
export function commandHelp(spec: CommandSpec): string {
  return build(spec)[0].helpInformation() + (spec.epilog ? `\n${spec.epilog}\n` : '');
}

/**
 * Parses `argv` (without the command's own name) against `spec`.
 *
 * @returns the values and positionals, or `null` when `-h`/`--help` was given (nothing
 *   else is checked then; print {@link commandHelp}).
 * @throws `UsageError` (`@gvl/errors`) `GVL_USAGE` for an unknown flag (`unknown option '--vfc'`,
 *   `flag` set to it), a flag without its value, or a switch given a value; the message
 *   ends with the command's help.
 */
export function parseCommandLine(
  spec: CommandSpec,
  argv: readonly string[],
): ParsedCommandLine | null {
  const [cmd, options] = build(spec);
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return null;
    const message = e.message.replace(/^error: /, '').replace(/\n\(Did you mean/, ' (did you mean');
    const flag = /'(-[^' ]+)/.exec(message)?.[1];
    throw new UsageError(`${message}\n\n${commandHelp(spec).trimEnd()}`, {
      ...(flag === undefined ? {} : { flag }),
      value: flag ?? [...argv],
      cause: e,
    });
  }
  const opts = cmd.opts<Record<string, unknown>>();
  const values: Record<string, unknown> = {};
  spec.flags.forEach((f, i) => {
    const v = opts[(options[i] as Option).attributeName()];
    if (f.value === undefined && f.name.startsWith('no-')) {
      if (v === false) values[f.name] = true;
    } else if (v !== undefined) values[f.name] = v;
  });
  return { values, positionals: [...((cmd.processedArgs[0] as string[] | undefined) ?? [])] };
}
