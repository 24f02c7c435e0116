// The pure parts of the release test (scripts/release-test.mjs): which packages a release
// publishes, what a published manifest must not carry, and which commands and examples
// the documentation gives a user. No process is started and no network is used here, so
// apps/packaging/test/release-lib.test.ts checks each rule on its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { codeBlocks, noRunReason } from '../test-support/markdown.mjs';

export { codeBlocks };

/**
 * The commands of a shell block: `\`-continued lines joined, `#` comments (at the start
 * of a line or after whitespace, outside quotes) removed, blank lines dropped.
 * @param {string} code
 * @returns {string[]}
 */
export function shellCommands(code) {
  const out = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    const line = stripComment(raw).trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const command = (pending + line.trim()).trim();
    pending = '';
    if (command) out.push(command);
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

/** `line` without its trailing `# comment` (a `#` outside quotes, after whitespace or first). */
function stripComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** The info-string flag that marks the user's install block in docs/getting-started.md. */
export const INSTALL_FLAG = 'release-test';

/**
 * The user's install-and-run commands: the commands of the one ```` ```sh release-test ````
 * block of the getting-started guide, in order. Throws when there is not exactly one such
 * block, or when it does not start with an `npm install` of packages.
 * @param {string} markdown
 * @param {string} [where] the file name for messages
 * @returns {{ install: string, packages: string[], commands: string[] }}
 */
export function installBlock(markdown, where = 'docs/getting-started.md') {
  const blocks = codeBlocks(markdown).filter(
    (b) => (b.lang === 'sh' || b.lang === 'bash') && b.flags.includes(INSTALL_FLAG),
  );
  if (blocks.length !== 1) {
    throw new Error(
      `${where}: expected exactly one \`\`\`sh ${INSTALL_FLAG} block (the install commands the release test runs), found ${blocks.length}`,
    );
  }
  const commands = shellCommands(blocks[0].code);
  const install = commands[0] ?? '';
  const words = install.split(/\s+/);
  const packages = words.slice(2).filter((w) => !w.startsWith('-'));
  if (words[0] !== 'npm' || words[1] !== 'install' || packages.length === 0) {
    throw new Error(
      `${where}:${blocks[0].line}: the ${INSTALL_FLAG} block must start with \`npm install <packages>\`, found '${install}'`,
    );
  }
  return { install, packages, commands: commands.slice(1) };
}

/**
 * The packages a release publishes: every `packages/<dir>/package.json` and
 * `packages/native/npm/<platform>/package.json` (the per-platform addon packages) that
 * has a `name` and is not `private`. Platform packages come first (they must be in the
 * registry before `@gvl/native` names them), then the rest in dependency order.
 * @param {string} root the repository (or scratch copy) root
 * @returns {{ dir: string, name: string, version: string, platform: boolean, manifest: Record<string, unknown> }[]}
 */
export function publishablePackages(root) {
  const found = [];
  const scan = (parent, platform) => {
    if (!existsSync(parent)) return;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = join(parent, entry.name, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof manifest.name !== 'string' || manifest.private === true) continue;
      found.push({
        dir: join(parent, entry.name),
        name: manifest.name,
        version: String(manifest.version),
        platform,
        manifest,
      });
    }
  };
  scan(join(root, 'packages'), false);
  scan(join(root, 'packages', 'native', 'npm'), true);
  return dependencyOrder(found);
}

/** `pkgs` with platform packages first, then each package after its internal dependencies. */
function dependencyOrder(pkgs) {
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const done = new Set();
  const out = [];
  const visit = (p, path) => {
    if (done.has(p.name)) return;
    if (path.includes(p.name)) {
      throw new Error(`dependency cycle: ${[...path, p.name].join(' -> ')}`);
    }
    for (const dep of internalDependencies(p.manifest, byName)) {
      visit(byName.get(dep), [...path, p.name]);
    }
    done.add(p.name);
    out.push(p);
  };
  const sorted = [...pkgs].sort((a, b) => a.name.localeCompare(b.name));
  for (const p of sorted.filter((x) => x.platform)) visit(p, []);
  for (const p of sorted) visit(p, []);
  return out;
}

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/** Names of the dependencies of `manifest` that are among `names` (a Map or Set). */
function internalDependencies(manifest, names) {
  const out = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const dep of Object.keys(manifest[field] ?? {})) if (names.has(dep)) out.push(dep);
  }
  return out;
}

/**
 * What is wrong with a manifest as the registry serves it: every string that still says
 * `workspace:` (with its JSON path), `private: true`, and every dependency on a released
 * package whose range is not `^<the version released with it>` (or the exact version, for
 * the platform packages named in `optionalDependencies`). An empty list means the manifest
 * is installable from the registry alone.
 * @param {Record<string, unknown>} manifest the published manifest (`GET /<name>` `versions[v]`)
 * @param {Map<string, string>} released name → version of every package of this release
 * @returns {string[]}
 */
export function manifestProblems(manifest, released) {
  const problems = [];
  const walk = (value, path) => {
    if (typeof value === 'string') {
      if (value.startsWith('workspace:')) problems.push(`${path} is '${value}'`);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    }
  };
  walk(manifest, String(manifest.name ?? 'manifest'));
  if (manifest.private === true) problems.push(`${manifest.name} is private`);
  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      const version = released.get(dep);
      if (version === undefined || String(range).startsWith('workspace:')) continue;
      const ok = field === 'optionalDependencies' ? [version, `^${version}`] : [`^${version}`];
      if (!ok.includes(range)) {
        problems.push(
          `${manifest.name} ${field}.${dep} is '${range}'; expected '${ok.join("' or '")}' (the version released with it)`,
        );
      }
    }
  }
  return problems;
}

/**
 * The examples of a README, as the release test runs them in a user's project:
 * - ```` ```ts ````/```` ```js ```` blocks → `{ kind: 'module' }` (TypeScript is
 *   transpiled, then run as an ES module);
 * - commands of ```` ```sh ````/```` ```bash ```` blocks that a user of npm types (`npx …`,
 *   `npm install …`) → `{ kind: 'shell' }`;
 * - any other shell command (`pnpm exec …` inside the repository, a synopsis with `[options]`)
 *   → `{ kind: 'not-run' }`, with the reason.
 * `rules` (matched by a substring of the block) may skip a block, with a reason, or give
 * it a preamble: the declarations a fragment leaves to the reader.
 * @param {string} markdown
 * @param {string} readme a name for messages (e.g. `@gvl/threads/README.md`)
 * @param {{ match: string, skip?: string, preamble?: string }[]} [rules]
 * @returns {{ id: string, kind: 'module' | 'shell' | 'not-run' | 'skip', lang: string, code: string, reason?: string }[]}
 */
export function readmeExamples(markdown, readme, rules = []) {
  const out = [];
  for (const b of codeBlocks(markdown)) {
    const id = `${readme}:${b.line}`;
    const reason = noRunReason(b);
    if (reason !== null) {
      // The documentation's own marker (apps/docs/test/examples.test.ts): not an example to run.
      out.push({
        id,
        kind: 'not-run',
        lang: b.lang,
        code: b.code,
        reason: `marked no-run: ${reason}`,
      });
      continue;
    }
    const rule = rules.find((r) => b.code.includes(r.match));
    if (rule?.skip) {
      out.push({ id, kind: 'skip', lang: b.lang, code: b.code, reason: rule.skip });
      continue;
    }
    if (['ts', 'typescript', 'js', 'javascript', 'mjs'].includes(b.lang)) {
      out.push({ id, kind: 'module', lang: b.lang, code: (rule?.preamble ?? '') + b.code });
    } else if (b.lang === 'sh' || b.lang === 'bash') {
      for (const command of shellCommands(b.code)) {
        const npm = /^(npx|npm install) /.test(command);
        const synopsis = /\[[^\]]*\]|<[^>]*>/.test(command);
        if (npm && !synopsis) out.push({ id, kind: 'shell', lang: b.lang, code: command });
        else {
          out.push({
            id,
            kind: 'not-run',
            lang: b.lang,
            code: command,
            reason: synopsis
              ? 'a synopsis with [optional] or <placeholder> parts'
              : 'not a command of an npm project (npx or npm install)',
          });
        }
      }
    }
  }
  return out;
}

/**
 * The platform folder name napi-rs gives a `.node` file: `gvl-native.linux-x64-gnu.node`
 * → `linux-x64-gnu` for binary name `gvl-native`; `null` for another file.
 * @param {string} file
 * @param {string} binaryName
 * @returns {string | null}
 */
export function addonPlatform(file, binaryName) {
  const prefix = `${binaryName}.`;
  if (!file.startsWith(prefix) || !file.endsWith('.node')) return null;
  const platform = file.slice(prefix.length, -'.node'.length);
  return platform.length > 0 && !platform.includes('.') ? platform : null;
}
