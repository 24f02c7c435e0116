/**
 * The documentation's examples run, so they cannot drift from the code:
 * - every ```` ```ts test ```` block of the guides in `docs/` (the getting-started
 *   example among them), as printed;
 * - the TypeScript examples of the READMEs: ```` ```ts test ```` blocks with their
 *   `expr; // value` comments checked, and the other ```` ```ts ```` blocks as listed in
 *   README_EXAMPLES below (each either run, or skipped with its reason).
 *
 * Each example is type-checked against the packages' published typings, then run as
 * its own Node.js process importing the built packages (`@gvl/*` from this app's
 * node_modules), with `GVL_DATA_DIR` pointing at the real data. Examples that need the
 * data are skipped, with the reason, when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, instrumentValueComments, VALUE_CHECK_PRELUDE } from './support/markdown.js';
import { appDir, dataDir, missingChr20, repoRoot, runDir } from './support/paths.js';

/** How one README ```ts block (not marked `test`) is handled. */
type ReadmeRule =
  | {
      readme: string;
      /** A string that identifies the block within its README. */
      match: string;
      /** Declarations the fragment assumes (e.g. a value it leaves to the reader). */
      preamble?: string;
      /** Run with the current directory holding the files it names (chr20.gvl, the FASTA). */
      workspace?: boolean;
      /** Check its `expr; // value` comments. */
      values?: boolean;
    }
  | { readme: string; match: string; skip: string };

const README_EXAMPLES: ReadmeRule[] = [
  {
    readme: 'packages/threads/README.md',
    match: 'planWorkers(4)',
    preamble: 'const outputBytes = 16 * 1024 * 1024; // the size of a kernel output, in bytes\n',
  },
  { readme: 'packages/native/README.md', match: 'reconstructHaplotypes', values: true },
  {
    readme: 'packages/dataset/README.md',
    match: "await write('chr20.gvl'",
    skip: 'writes a per-sample bigWig track (HG00096.bw) that the real chr20 data does not include; write() itself runs in the getting-started example',
  },
  {
    // Unmodified, in a folder holding chr20.gvl (written from the real data with the
    // first 8 samples, so that its full-epoch loader loop takes seconds) and the FASTA.
    readme: 'packages/dataset/README.md',
    match: "Dataset.open('chr20.gvl'",
    workspace: true,
  },
  {
    // Unmodified, in the same folder: verifies the chr20.gvl written there.
    readme: 'packages/dataset/README.md',
    match: "verifyDataset('chr20.gvl'",
    workspace: true,
  },
  {
    readme: 'packages/errors/README.md',
    match: "await ds.get(0, 'NA99999')",
    skip: 'needs an opened dataset `ds`; the `ts test` block below it runs',
  },
  {
    readme: 'packages/stress/README.md',
    match: "from '@gvl/stress'",
    skip: 'launches gvl-stress worker processes; packages/stress/test/readme.test.ts runs it',
  },
];

const READMES = [
  'README.md',
  'packages/errors/README.md',
  'packages/threads/README.md',
  'packages/native/README.md',
  'packages/dataset/README.md',
  'packages/stress/README.md',
];

interface Example {
  id: string;
  source: string;
  code: string;
  cwd: 'repo' | 'workspace';
  needsData: boolean;
  /** `expr; // value` assertions instrumented into `code`. */
  checks: number;
  skip?: string;
}

function collect(): { examples: Example[]; unclassified: string[] } {
  const examples: Example[] = [];
  const unclassified: string[] = [];
  const guides = readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort();
  for (const guide of guides) {
    const blocks = codeBlocks(readFileSync(join(repoRoot, 'docs', guide), 'utf8'));
    for (const b of blocks.filter((b) => b.lang === 'ts' && b.flags.includes('test'))) {
      examples.push({
        id: `docs/${guide}:${b.line}`,
        source: `docs/${guide}`,
        code: b.code,
        cwd: 'repo',
        needsData: /GVL_DATA_DIR|shared\/data/.test(b.code),
        checks: 0,
      });
    }
  }
  for (const readme of READMES) {
    const file = join(repoRoot, readme);
    if (!existsSync(file)) continue;
    for (const b of codeBlocks(readFileSync(file, 'utf8')).filter((b) => b.lang === 'ts')) {
      const id = `${readme}:${b.line}`;
      if (b.flags.includes('test')) {
        const { code, checks } = instrumentValueComments(b.code);
        examples.push({
          id,
          source: readme,
          code: VALUE_CHECK_PRELUDE + code,
          cwd: 'repo',
          needsData: false,
          checks,
        });
        continue;
      }
      const rules = README_EXAMPLES.filter((r) => r.readme === readme && b.code.includes(r.match));
      const rule = rules[0];
      if (rules.length !== 1 || !rule) {
        unclassified.push(`${id} (${rules.length} rules match)`);
        continue;
      }
      if ('skip' in rule) {
        examples.push({
          id,
          source: readme,
          code: '',
          cwd: 'repo',
          needsData: false,
          checks: 0,
          skip: rule.skip,
        });
        continue;
      }
      const body = rule.values ? instrumentValueComments(b.code) : { code: b.code, checks: 0 };
      examples.push({
        id,
        source: readme,
        code: (rule.values ? VALUE_CHECK_PRELUDE : '') + (rule.preamble ?? '') + body.code,
        cwd: rule.workspace ? 'workspace' : 'repo',
        needsData: Boolean(rule.workspace),
        checks: body.checks,
      });
    }
  }
  return { examples, unclassified };
}

const { examples, unclassified } = collect();
const noData = missingChr20();
const fileOf = (e: Example) => join(runDir, `${e.id.replace(/[^A-Za-z0-9]+/g, '-')}.ts`);
const workspace = join(runDir, 'workspace');

/** Writes chr20.gvl (first 8 samples) and links the FASTA into the README workspace. */
const WORKSPACE_SETUP = `import { write } from '@gvl/dataset';
import { join } from 'node:path';
const [data, out] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const header = (await import('node:zlib')).gunzipSync(readFileSync(join(data, '1kg_chr20_300samples.vcf.gz'))).toString('latin1');
const names = header.split('\\n').find((l) => l.startsWith('#CHROM')).split('\\t').slice(9).sort().slice(0, 8);
await write(join(out, 'chr20.gvl'), {
  bed: join(data, 'windows_2kb.bed'),
  variants: join(data, '1kg_chr20_300samples.vcf.gz'),
  reference: join(data, 'chr20_1-2Mb.fa.gz'),
  samples: names,
  overwrite: true,
  progress: false,
});
`;

beforeAll(async () => {
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });
  for (const e of examples) if (!e.skip) await writeFile(fileOf(e), `${e.code}\nexport {};\n`);
  if (!noData && examples.some((e) => e.cwd === 'workspace' && !e.skip)) {
    const chr20 = join(dataDir, '1kg-chr20');
    for (const f of ['chr20_1-2Mb.fa.gz', 'chr20_1-2Mb.fa.gz.fai', 'chr20_1-2Mb.fa.gz.gzi']) {
      symlinkSync(join(chr20, f), join(workspace, f));
    }
    const setup = join(runDir, 'workspace-setup.mjs');
    await writeFile(setup, WORKSPACE_SETUP);
    const r = spawnSync(process.execPath, [setup, chr20, workspace], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`workspace setup failed:\n${r.stderr}`);
  }
});

afterAll(() => {
  if (!process.env.GVL_KEEP_EXAMPLES) rmSync(runDir, { recursive: true, force: true });
});

describe('documentation examples', () => {
  it('finds the examples, and every README example is either run or skipped with a reason', () => {
    expect(unclassified).toEqual([]);
    const sources = new Set(examples.map((e) => e.source));
    expect(sources).toContain('docs/getting-started.md');
    expect(sources).toContain('packages/dataset/README.md');
    // README `ts test` blocks check at least one commented value each.
    for (const e of examples.filter(
      (e) => e.source.endsWith('README.md') && e.code.includes('__expectValue'),
    )) {
      expect(e.checks, e.id).toBeGreaterThan(0);
    }
  });

  it('type-check against the published typings', () => {
    const files = examples.filter((e) => !e.skip).map(fileOf);
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
    const reason = e.skip ?? (e.needsData ? noData : null);
    it.skipIf(Boolean(reason))(`${e.id} runs${reason ? ` (skipped: ${reason})` : ''}`, async () => {
      const src = fileOf(e);
      const js = ts.transpileModule(readFileSync(src, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: basename(src),
      }).outputText;
      const mjs = src.replace(/\.ts$/, '.mjs');
      await writeFile(mjs, js);
      const r = spawnSync(process.execPath, [mjs], {
        cwd: e.cwd === 'workspace' ? workspace : repoRoot,
        env: { ...process.env, GVL_DATA_DIR: dataDir },
        encoding: 'utf8',
        timeout: 100_000,
      });
      expect(r.error, r.error?.message).toBeUndefined();
      expect(r.status, `${e.id} failed:\n${r.stderr}`).toBe(0);
    });
  }
});
