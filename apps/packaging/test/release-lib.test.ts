// The pure parts of the release test (scripts/release-test.mjs): the rules it applies to
// published manifests, how it reads the documentation's commands and README examples, and
// which packages it publishes. The release test itself (a registry, a build, two installs)
// takes minutes and runs as its own step of .ci/run (`npm run release-test`).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addonPlatform,
  codeBlocks,
  installBlock,
  manifestProblems,
  publishablePackages,
  readmeExamples,
  shellCommands,
} from '../../../scripts/release-test-lib.mjs';
import { manifest, PACKAGES, root } from './helpers.js';

const fence = '```';
/** The per-platform addon packages (packages/native/npm/<triple>), published with @gvl/native. */
const platformManifests = readdirSync(join(root, 'packages', 'native', 'npm')).map(
  (t) =>
    JSON.parse(
      readFileSync(join(root, 'packages', 'native', 'npm', t, 'package.json'), 'utf8'),
    ) as ReturnType<typeof manifest>,
);
const published = new Map(
  [...PACKAGES.map((d) => manifest(d)), ...platformManifests].map((m) => [m.name, m]),
);

describe('codeBlocks', () => {
  it('reads language, flags, the line of the fence and the body', () => {
    const md = `# t\n\n${fence}ts test\nconst a = 1;\n${fence}\ntext\n${fence}sh release-test extra\nnpm i x\n\n${fence}\n`;
    expect(codeBlocks(md)).toEqual([
      { lang: 'ts', flags: ['test'], line: 3, code: 'const a = 1;' },
      { lang: 'sh', flags: ['release-test', 'extra'], line: 7, code: 'npm i x\n' },
    ]);
  });

  it('a longer or tilde fence holds a shorter backtick fence; an unclosed block is dropped', () => {
    const md = `~~~~md\n${fence}ts\nx\n${fence}\n~~~~\n${fence}ts\nnever closed\n`;
    const blocks = codeBlocks(md);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.lang).toBe('md');
    expect(blocks[0]?.code).toBe(`${fence}ts\nx\n${fence}`);
  });
});

describe('shellCommands', () => {
  it('joins continuations, drops comments and blank lines, keeps # inside quotes and words', () => {
    const code = [
      '# a comment line',
      'npm install a \\',
      '  b   # trailing comment',
      '',
      "echo 'a # b' x#y",
    ].join('\n');
    expect(shellCommands(code)).toEqual(['npm install a b', "echo 'a # b' x#y"]);
  });
});

describe('installBlock', () => {
  const guide = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8');

  it('docs/getting-started.md: one npm install of published packages, then npx of their CLIs', () => {
    const block = installBlock(guide);
    expect(block.install).toMatch(/^npm install /);
    expect(block.packages.length).toBeGreaterThan(0);
    for (const name of block.packages) expect(published.has(name), name).toBe(true);
    expect(block.commands.length).toBeGreaterThan(0);
    // Each npx command runs a bin of an installed package (or of one they depend on).
    const installed = new Set<string>(block.packages);
    for (const name of block.packages) {
      for (const dep of Object.keys(published.get(name)?.dependencies ?? {})) installed.add(dep);
    }
    const bins = new Set(
      [...published.values()]
        .filter((m) => installed.has(m.name))
        .flatMap((m) => (typeof m.bin === 'object' ? Object.keys(m.bin) : [])),
    );
    for (const c of block.commands) {
      const [tool, bin] = c.split(/\s+/);
      expect(tool, c).toBe('npx');
      expect(bins.has(bin as string), `${c}: ${bin} is no bin of ${[...installed]}`).toBe(true);
    }
  });

  it('throws when the marked block is missing, doubled, or not an npm install', () => {
    const block = (body: string) => `${fence}sh release-test\n${body}\n${fence}\n`;
    expect(() => installBlock('# nothing\n')).toThrow(/found 0/);
    expect(() => installBlock(block('npm install a') + block('npm install b'))).toThrow(/found 2/);
    expect(() => installBlock(block('pnpm add @gvl/dataset'))).toThrow(
      /must start with `npm install <packages>`, found 'pnpm add @gvl\/dataset'/,
    );
    expect(() => installBlock(block('npm install --save'))).toThrow(/must start with/);
    expect(installBlock(block('npm install a b\nnpx a --json'))).toEqual({
      install: 'npm install a b',
      packages: ['a', 'b'],
      commands: ['npx a --json'],
    });
  });
});

describe('the package READMEs', () => {
  it('install lines name published packages only', () => {
    let lines = 0;
    for (const dir of PACKAGES) {
      const md = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8');
      for (const b of codeBlocks(md).filter((x) => x.lang === 'sh' || x.lang === 'bash')) {
        for (const c of shellCommands(b.code)) {
          const m = /^(?:npm install|pnpm add) (.+)$/.exec(c);
          if (!m) continue;
          lines++;
          for (const name of (m[1] as string).split(/\s+/).filter((w) => !w.startsWith('-'))) {
            expect(published.has(name), `packages/${dir}/README.md: ${c}`).toBe(true);
          }
        }
      }
    }
    expect(lines).toBeGreaterThan(0);
  });

  it('a block marked no-run is not run, with its reason', () => {
    const md = `${fence}sh no-run reason: needs a cohort\nnpx gvl write big.gvl\n${fence}\n`;
    expect(readmeExamples(md, 'R')).toEqual([
      {
        id: 'R:1',
        kind: 'not-run',
        lang: 'sh',
        code: 'npx gvl write big.gvl',
        reason: 'marked no-run: needs a cohort',
      },
    ]);
  });
});

describe('readmeExamples', () => {
  const md = [
    `${fence}ts`,
    'use(outputBytes);',
    fence,
    `${fence}ts`,
    'await ds.get(0);',
    fence,
    `${fence}sh`,
    'npm install @gvl/dataset   # or: pnpm add',
    'npx gvl demo',
    'gvl info x.gvl [--json]',
    'npx gvl get <dataset>',
    'pnpm exec gvl-threads',
    fence,
    `${fence}text`,
    'output',
    fence,
  ].join('\n');
  const rules = [
    { match: 'outputBytes', preamble: 'const outputBytes = 1;\n' },
    { match: 'ds.get', skip: 'needs ds' },
  ];

  it('modules get their preamble, skips keep their reason, npm commands run, the rest are listed', () => {
    const ex = readmeExamples(md, 'x/README.md', rules);
    expect(ex.map((e) => [e.id, e.kind])).toEqual([
      ['x/README.md:1', 'module'],
      ['x/README.md:4', 'skip'],
      ['x/README.md:7', 'shell'],
      ['x/README.md:7', 'shell'],
      ['x/README.md:7', 'not-run'],
      ['x/README.md:7', 'not-run'],
      ['x/README.md:7', 'not-run'],
    ]);
    expect(ex[0]?.code).toBe('const outputBytes = 1;\nuse(outputBytes);');
    expect(ex[1]?.reason).toBe('needs ds');
    expect(ex[2]?.code).toBe('npm install @gvl/dataset');
    expect(ex[4]?.reason).toMatch(/synopsis/);
    expect(ex[5]?.reason).toMatch(/synopsis/);
    expect(ex[6]?.reason).toMatch(/not a command of an npm project/);
  });
});

describe('manifestProblems', () => {
  const released = new Map([
    ['@gvl/threads', '1.2.0'],
    ['@gvl/native-linux-x64-gnu', '1.2.0'],
  ]);

  it('a manifest as pnpm publishes it has no problem', () => {
    const ok = {
      name: '@gvl/native',
      version: '1.2.0',
      dependencies: { '@gvl/threads': '^1.2.0', other: '^3.0.0' },
      optionalDependencies: { '@gvl/native-linux-x64-gnu': '1.2.0' },
    };
    expect(manifestProblems(ok, released)).toEqual([]);
  });

  it('names every workspace: range, a private flag and a range that misses the release', () => {
    const bad = {
      name: '@gvl/native',
      private: true,
      dependencies: { '@gvl/threads': '^1.1.0' },
      peerDependencies: { '@gvl/threads': 'workspace:^' },
      nested: { list: ['workspace:*'] },
    };
    expect(manifestProblems(bad, released)).toEqual([
      "@gvl/native.peerDependencies.@gvl/threads is 'workspace:^'",
      "@gvl/native.nested.list[0] is 'workspace:*'",
      '@gvl/native is private',
      "@gvl/native dependencies.@gvl/threads is '^1.1.0'; expected '^1.2.0' (the version released with it)",
    ]);
  });

  it('finds the workspace: ranges of a source manifest (what publishing must rewrite)', () => {
    const source = manifest('dataset') as unknown as Record<string, unknown>;
    const internal = Object.entries(manifest('dataset').dependencies ?? {}).filter(([, r]) =>
      r.startsWith('workspace:'),
    );
    expect(internal.length).toBeGreaterThan(0);
    expect(manifestProblems(source, new Map())).toHaveLength(internal.length);
  });
});

describe('publishablePackages', () => {
  const work = mkdtempSync(join(tmpdir(), 'gvl-release-lib-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the repository: every published package, each after its internal dependencies', () => {
    const pkgs = publishablePackages(root);
    expect(new Set(pkgs.map((p) => p.name))).toEqual(new Set(published.keys()));
    const seen = new Set<string>();
    for (const p of pkgs) {
      for (const dep of Object.keys(published.get(p.name)?.dependencies ?? {})) {
        if (published.has(dep)) expect(seen.has(dep), `${p.name} before ${dep}`).toBe(true);
      }
      seen.add(p.name);
    }
  });

  it('picks up per-platform packages first; skips private and nameless ones', () => {
    const write = (rel: string, m: object) => {
      mkdirSync(join(work, rel), { recursive: true });
      writeFileSync(join(work, rel, 'package.json'), JSON.stringify(m));
    };
    write('packages/native', {
      name: '@x/native',
      version: '1.0.0',
      dependencies: { '@x/threads': 'workspace:^' },
      optionalDependencies: { '@x/native-linux-x64-gnu': '1.0.0' },
    });
    write('packages/threads', { name: '@x/threads', version: '1.0.0' });
    write('packages/native/npm/linux-x64-gnu', {
      name: '@x/native-linux-x64-gnu',
      version: '1.0.0',
    });
    write('packages/native/npm/darwin-arm64', { name: '@x/native-darwin-arm64', version: '0.0.0' });
    write('packages/internal', { name: '@x/internal', version: '1.0.0', private: true });
    write('packages/nameless', { version: '1.0.0' });
    const pkgs = publishablePackages(work);
    expect(pkgs.map((p) => [p.name, p.platform])).toEqual([
      ['@x/native-darwin-arm64', true],
      ['@x/native-linux-x64-gnu', true],
      ['@x/threads', false],
      ['@x/native', false],
    ]);
  });
});

describe('addonPlatform', () => {
  it('reads the platform of a napi-rs addon file name', () => {
    expect(addonPlatform('gvl-native.linux-x64-gnu.node', 'gvl-native')).toBe('linux-x64-gnu');
    expect(addonPlatform('gvl-native.node', 'gvl-native')).toBeNull();
    expect(addonPlatform('other.linux-x64-gnu.node', 'gvl-native')).toBeNull();
    expect(addonPlatform('gvl-native.linux-x64-gnu.node.map', 'gvl-native')).toBeNull();
  });
});
