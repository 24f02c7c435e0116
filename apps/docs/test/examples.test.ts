/**
 * The documentation's examples run as written, so they cannot drift from the code.
 *
 * Every fenced code block of the root README, of each `packages/<name>/README.md` and
 * `apps/<name>/README.md`, and of each guide in `docs/` (sub-folders included) is one of:
 * - ```` ```ts ```` — a complete ES module. Its first line says how to run it
 *   (`// NAME.mts — run with: npx tsx NAME.mts`). It is type-checked against the built
 *   packages' typings, then run as its own Node.js process importing `@gvl/*` as a user
 *   would, in an empty directory of its own. In a README, ```` ```ts test ```` also checks
 *   the block's `expr; // value` comments.
 * - ```` ```sh ```` — run by `bash -e` in an empty directory of its own, with the built
 *   `gvl`, `gvl-threads` and `gvl-stress` on `PATH`, and `pnpm exec CMD` running `CMD` as
 *   pnpm does in the workspace; it must exit 0.
 * - ```` ```LANG no-run reason: WHY ```` — not run; the reason is required.
 * - ```` ```sh release-test ```` — the guide's install block, run by the release test
 *   (`npm run release-test`) against a local registry instead.
 *
 * Any other block (an unmarked ```` ```text ````, a fence without a language, a
 * ```` no-run ```` without a reason, a TS example that does not say how to run it) fails
 * the first test, so a new example cannot go untested unnoticed. Nothing is supplied to
 * an example: no preamble, no prepared files, no `GVL_DATA_DIR` (examples read the data
 * shipped in `@gvl/example-data`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CodeBlock,
  codeBlocks,
  instrumentValueComments,
  noRunReason,
  VALUE_CHECK_PRELUDE,
} from './support/markdown.js';
import { appDir, repoRoot, runDir } from './support/paths.js';

const TS_LANGS = new Set(['ts', 'typescript']);
const SH_LANGS = new Set(['sh', 'bash', 'shell']);
/** The first line of a TS example: its file name and the command that runs it. */
const HOW_TO_RUN = /^\/\/ (\S+\.mts) — run with: npx tsx (\S+\.mts)$/;

/** Every README and guide, relative to the repository root, in a stable order. */
function documents(): string[] {
  const found = ['README.md'];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(repoRoot, dir)).sort()) {
      if (existsSync(join(repoRoot, dir, name, 'README.md')))
        found.push(`${dir}/${name}/README.md`);
    }
  }
  // The guides and their sub-folders (docs/outputs/), in a stable order.
  const walk = (dir: string) => {
    for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      if (e.isDirectory() && e.name !== 'assets') walk(`${dir}/${e.name}`);
      else if (e.isFile() && e.name.endsWith('.md')) found.push(`${dir}/${e.name}`);
    }
  };
  walk('docs');
  return found;
}

interface Example {
  id: string;
  source: string;
  kind: 'ts' | 'sh';
  code: string;
  /** `expr; // value` assertions instrumented into `code`. */
  checks: number;
}

interface Marked {
  id: string;
  reason: string;
}

function classify(
  source: string,
  b: CodeBlock,
  out: { examples: Example[]; marked: Marked[]; problems: string[] },
) {
  const id = `${source}:${b.line}`;
  if (SH_LANGS.has(b.lang) && b.flags.includes('release-test')) {
    // The install block of the guide: run as printed by scripts/release-test.mjs, in empty
    // ESM and CommonJS projects against a local registry holding the published packages.
    out.marked.push({ id, reason: 'run by the release test (npm run release-test)' });
    return;
  }
  const reason = noRunReason(b);
  if (reason !== null) {
    if (reason === '')
      out.problems.push(`${id}: \`no-run\` needs a reason: \`no-run reason: WHY\``);
    else out.marked.push({ id, reason });
    return;
  }
  if (TS_LANGS.has(b.lang)) {
    const first = b.code.split('\n')[0] ?? '';
    const how = HOW_TO_RUN.exec(first);
    if (!how || how[1] !== how[2]) {
      out.problems.push(
        `${id}: a TS example starts with \`// NAME.mts — run with: npx tsx NAME.mts\` (found \`${first}\`)`,
      );
      return;
    }
    const values = b.flags.includes('test') && source.endsWith('README.md');
    const body = values ? instrumentValueComments(b.code) : { code: b.code, checks: 0 };
    out.examples.push({
      id,
      source,
      kind: 'ts',
      code: (values ? VALUE_CHECK_PRELUDE : '') + body.code,
      checks: body.checks,
    });
    return;
  }
  if (SH_LANGS.has(b.lang)) {
    out.examples.push({ id, source, kind: 'sh', code: b.code, checks: 0 });
    return;
  }
  out.problems.push(
    `${id}: a \`${b.lang || '(no language)'}\` block is neither run (ts, sh) nor marked \`no-run reason: WHY\``,
  );
}

function collect() {
  const out = { examples: [] as Example[], marked: [] as Marked[], problems: [] as string[] };
  const docs = documents();
  for (const source of docs) {
    for (const b of codeBlocks(readFileSync(join(repoRoot, source), 'utf8')))
      classify(source, b, out);
  }
  return { ...out, docs };
}

const { examples, marked, problems, docs } = collect();
const slug = (e: Example) => e.id.replace(/[^A-Za-z0-9]+/g, '-');
const fileOf = (e: Example) => join(runDir, `${slug(e)}.${e.kind === 'ts' ? 'ts' : 'sh'}`);
const cwdOf = (e: Example) => join(runDir, 'cwd', slug(e));
const shimDir = join(runDir, 'bin');

/**
 * `pnpm exec CMD ARGS` as in the workspace: `CMD` from the packages' `node_modules/.bin`
 * (already first on `PATH`). Any other pnpm command is not something an example may run.
 */
const PNPM_SHIM = `#!/bin/sh
if [ "$1" = exec ]; then shift; exec "$@"; fi
echo "pnpm $*: only 'pnpm exec' runs in the documentation tests" >&2
exit 127
`;

beforeAll(async () => {
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(shimDir, { recursive: true });
  await writeFile(join(shimDir, 'pnpm'), PNPM_SHIM);
  chmodSync(join(shimDir, 'pnpm'), 0o755);
  for (const e of examples) {
    mkdirSync(cwdOf(e), { recursive: true });
    await writeFile(fileOf(e), e.kind === 'ts' ? `${e.code}\nexport {};\n` : e.code);
  }
});

afterAll(() => {
  if (!process.env.GVL_KEEP_EXAMPLES) rmSync(runDir, { recursive: true, force: true });
});

/** The environment of an example: no hint of where the data is, the built bins first. */
function exampleEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.GVL_DATA_DIR;
  env.PATH = [shimDir, join(appDir, 'node_modules', '.bin'), process.env.PATH].join(':');
  return env;
}

describe('documentation examples', () => {
  it('every fenced block of every README and guide is run or marked `no-run reason: …`', () => {
    expect(problems).toEqual([]);
    expect(docs).toContain('packages/dataset/README.md');
    expect(docs).toContain('docs/getting-started.md');
    expect(docs).toContain('docs/outputs/haplotypes.md');
    const sources = new Set(examples.map((e) => e.source));
    for (const d of [
      'docs/getting-started.md',
      'packages/dataset/README.md',
      'packages/threads/README.md',
    ]) {
      expect(sources, d).toContain(d);
    }
    expect(examples.some((e) => e.kind === 'sh')).toBe(true);
    for (const m of marked) expect(m.reason.length, m.id).toBeGreaterThan(5);
    // README `ts test` blocks check at least one commented value each.
    for (const e of examples.filter((e) => e.code.includes('__expectValue('))) {
      expect(e.checks, e.id).toBeGreaterThan(0);
    }
  });

  it('the marker check catches an unmarked block and a reasonless no-run', () => {
    const out = { examples: [] as Example[], marked: [] as Marked[], problems: [] as string[] };
    const md =
      '```text\nx\n```\n\n```sh no-run\nx\n```\n\n```ts\nconst a = 1;\n```\n\n```\nx\n```\n';
    for (const b of codeBlocks(md)) classify('x.md', b, out);
    expect(out.problems.map((p) => p.split(':').slice(0, 2).join(':'))).toEqual([
      'x.md:1',
      'x.md:5',
      'x.md:9',
      'x.md:13',
    ]);
  });

  it('TS examples type-check against the published typings', () => {
    const files = examples.filter((e) => e.kind === 'ts').map(fileOf);
    const base = ts.readConfigFile(join(repoRoot, 'tsconfig.base.json'), ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, repoRoot);
    const program = ts.createProgram(files, {
      ...options,
      noEmit: true,
      declaration: false,
      declarationMap: false,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${relative(appDir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  });

  for (const e of examples) {
    it(`${e.id} runs (${e.kind})`, async () => {
      const src = fileOf(e);
      let argv: string[];
      if (e.kind === 'ts') {
        const js = ts.transpileModule(readFileSync(src, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
          fileName: basename(src),
        }).outputText;
        const mjs = src.replace(/\.ts$/, '.mjs');
        await writeFile(mjs, js);
        argv = [process.execPath, mjs];
      } else {
        argv = ['bash', '-e', src];
      }
      const r = spawnSync(argv[0] as string, argv.slice(1), {
        cwd: cwdOf(e),
        env: exampleEnv(),
        encoding: 'utf8',
        timeout: 100_000,
        maxBuffer: 64 << 20,
      });
      expect(r.error, r.error?.message).toBeUndefined();
      expect(r.status, `${e.id} failed:\n${r.stderr}`).toBe(0);
    });
  }
});
