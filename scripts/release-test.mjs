#!/usr/bin/env node
// The release test: proves that a user can install the packages from a registry and use
// them, with nothing of this repository at hand.
//
//  1. Starts a real npm registry (verdaccio, installed into node_modules/.cache/gvl-release/)
//     on 127.0.0.1: `@gvl/*` are local (publish allowed for a user this script creates),
//     everything else is proxied to the registry `npm config get registry` names.
//  2. Runs the release flow in a scratch copy of the working tree: `changeset version`
//     (asserts versions were bumped and CHANGELOGs written), install, build every package
//     (the Rust addon with the repository's cargo target dir), copy the addon into the
//     per-platform packages `packages/native/npm/<platform>/` when they exist and publish
//     those first, then `pnpm publish -r`. Checks every published manifest (no
//     `workspace:` left, internal ranges are the released versions) and runs the prepack
//     guard (scripts/check-pack.mjs) on every unpacked tarball.
//  3. In two empty projects outside the repository (ESM and CommonJS), with a PATH that
//     has node and npm but no cargo, rustc or pnpm, and no GVL_DATA_DIR: runs the install
//     block of docs/getting-started.md (```sh release-test) exactly as printed
//     (`npm install ...`, `npx gvl demo`, `npx gvl-threads --json`), a program that
//     imports (ESM) or requires (CJS) @gvl/dataset and checks what it reads against the
//     FASTA parsed independently, and every README example of every published package,
//     from the README shipped in its tarball.
//  4. Stops the registry and removes its temporary folders, also on failure or SIGINT.
//
// Usage: node scripts/release-test.mjs [--keep]   (--keep leaves the temp folder for a look)
// Needs: Node >= 20.19, npm, git, tar, cargo (for the build step only) and network access
// to the upstream registry (or a warm npm cache). Takes a few minutes.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addonPlatform,
  installBlock,
  manifestProblems,
  publishablePackages,
  readmeExamples,
} from './release-test-lib.mjs';

const VERDACCIO = '6.8.0';
/** verdaccio 6.8.0 does not install on Node 20 without this pin (its node-fetch 3 is ESM-only). */
const VERDACCIO_OVERRIDES = { 'node-fetch': '2.7.0' };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const started = Date.now();
const cacheRoot = join(root, 'node_modules', '.cache', 'gvl-release');
const work = mkdtempSync(join(tmpdir(), 'gvl-release-'));
const results = []; // { what, ok, detail, seconds }
let registry = null; // { child, url, log }

// ---------------------------------------------------------------------------------------
// Process helpers

const since = (t) => ((Date.now() - t) / 1000).toFixed(1);
const say = (msg) => console.log(`[release-test ${since(started).padStart(5)} s] ${msg}`);

/** Runs argv; returns stdout. Throws with both streams on a non-zero exit. */
function sh(argv, { cwd, env = process.env, input, timeout = 600_000, quiet = true } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env,
    input,
    encoding: 'utf8',
    timeout,
    maxBuffer: 256 * 1024 * 1024,
    stdio: quiet ? 'pipe' : ['pipe', 'inherit', 'inherit'],
  });
  if (r.error) throw new Error(`${argv.join(' ')} (in ${cwd}): ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(
      `${argv.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}\n${tail(r.stdout)}\n${tail(r.stderr)}`,
    );
  }
  return r.stdout ?? '';
}

const tail = (text, n = 40) => (text ?? '').trimEnd().split('\n').slice(-n).join('\n');

/** Records one check of the summary; a failing check throws (the run stops there). */
async function check(what, fn) {
  // Back to the event loop first, so that a SIGINT or SIGTERM received during the last
  // step (its child runs synchronously) is handled before the next one starts.
  await new Promise((resolve) => setImmediate(resolve));
  const t = Date.now();
  try {
    const detail = await fn();
    results.push({ what, ok: true, detail: detail ?? '', seconds: since(t) });
    say(`ok   ${what}${detail ? ` — ${detail}` : ''}`);
  } catch (e) {
    results.push({ what, ok: false, detail: String(e?.message ?? e), seconds: since(t) });
    say(`FAIL ${what}`);
    throw e;
  }
}

/**
 * `fetch` with the cause of a network failure in the message, tried twice: the registry
 * closes idle keep-alive connections, which a reused socket reports as a failure.
 */
async function request(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (attempt >= 2)
        throw new Error(`${init?.method ?? 'GET'} ${url}: ${e.cause?.message ?? e.message}`);
    }
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** The argv prefix that runs pnpm: on PATH, the copy `npm run setup` puts in .tools/, or corepack's. */
function pnpmCommand() {
  const candidates = [
    ['pnpm'],
    [join(root, '.tools', 'node_modules', '.bin', 'pnpm')],
    ['corepack', 'pnpm'],
  ];
  for (const c of candidates) {
    const r = spawnSync(c[0], [...c.slice(1), '--version'], {
      encoding: 'utf8',
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    });
    if (r.status === 0) return c;
  }
  throw new Error('pnpm not found: run `npm run setup` first (it installs the pinned pnpm)');
}

/** The environment without npm_* lifecycle variables (they would leak the repo's config). */
function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------
// 1. The registry

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Installs verdaccio@VERDACCIO into the cache folder (once) and returns its bin script. */
function installVerdaccio() {
  const dir = join(cacheRoot, 'verdaccio');
  const bin = join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const pkgFile = join(dir, 'node_modules', 'verdaccio', 'package.json');
  if (existsSync(pkgFile) && JSON.parse(readFileSync(pkgFile, 'utf8')).version === VERDACCIO) {
    return { bin, installed: false };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'gvl-release-registry',
        private: true,
        dependencies: { verdaccio: VERDACCIO },
        overrides: VERDACCIO_OVERRIDES,
      },
      null,
      2,
    )}\n`,
  );
  sh(['npm', 'install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env: cleanEnv(),
  });
  return { bin, installed: true };
}

async function startRegistry(bin, upstream) {
  const dir = join(work, 'registry');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = [
    `storage: ${JSON.stringify(join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
    '    max_users: 1',
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(upstream)}`,
    '    timeout: 60s',
    'packages:',
    "  '@gvl/*':",
    '    access: $all',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    "  '**':",
    '    access: $all',
    '    proxy: upstream',
    `listen: 127.0.0.1:${port}`,
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yaml'), config);
  const log = join(dir, 'verdaccio.log');
  const { openSync } = await import('node:fs');
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [bin, '--config', join(dir, 'config.yaml')], {
    cwd: dir,
    stdio: ['ignore', fd, fd],
    env: cleanEnv(),
  });
  registry = { child, url, log, exited: null };
  child.once('exit', (code, signal) => {
    registry.exited = code ?? signal;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (registry.exited !== null) {
      throw new Error(`verdaccio exited (${registry.exited}):\n${tail(readFileSync(log, 'utf8'))}`);
    }
    try {
      const r = await request(`${url}/-/ping`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer ${url}/-/ping in 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The publishing user (htpasswd), as `npm adduser` creates it.
  const name = 'gvl-release';
  const r = await request(`${url}/-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${port}-${process.pid}`, type: 'user' }),
  });
  const body = await r.json();
  assert(
    r.ok && typeof body.token === 'string',
    `adding the registry user: ${JSON.stringify(body)}`,
  );
  registry.token = body.token;
  return registry;
}

async function stopRegistry() {
  if (!registry || registry.exited !== null) return;
  const { child } = registry;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------
// 2. The release flow in a scratch copy

/** Copies the working tree (tracked and untracked files, not git-ignored ones) to `dest`. */
function copyWorkingTree(dest) {
  const list = sh(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
  })
    .split('\0')
    .filter(Boolean);
  let n = 0;
  for (const f of list) {
    const from = join(root, f);
    if (!existsSync(from) && !isLink(from)) continue; // deleted in the working tree
    const to = join(dest, f);
    mkdirSync(dirname(to), { recursive: true });
    if (isLink(from)) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
    n++;
  }
  return n;
}

function isLink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

const pendingChangesets = (dir) =>
  readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');

// ---------------------------------------------------------------------------------------
// 3. The user's projects

/** A folder of symlinks to node, npm, npx and sh only: a PATH without cargo, rustc, pnpm. */
function barePath() {
  const dir = join(work, 'bare-bin');
  mkdirSync(dir);
  const which = (tool) => sh(['sh', '-c', `command -v ${tool}`]).trim();
  for (const tool of ['npm', 'npx', 'sh']) symlinkSync(which(tool), join(dir, tool));
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const tool of ['cargo', 'rustc', 'pnpm']) {
    const r = spawnSync(join(dir, 'sh'), ['-c', `command -v ${tool}`], { env: { PATH: dir } });
    assert(r.status !== 0, `${tool} is reachable on the bare PATH`);
  }
  return dir;
}

function userEnv(path, home) {
  return {
    PATH: path,
    HOME: home,
    TMPDIR: join(work, 'tmp'),
    LANG: 'C.UTF-8',
    npm_config_registry: registry.url,
    npm_config_cache: join(cacheRoot, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'error',
  };
}

/** The program a user writes: write a dataset from the example data, open it, read. */
function userProgram(kind) {
  const load =
    kind === 'esm'
      ? "import { Dataset, write } from '@gvl/dataset';\nimport { findData } from '@gvl/dataset/cli';\nimport { createHash } from 'node:crypto';\nimport { readFileSync, mkdtempSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';\nimport { gunzipSync } from 'node:zlib';\n"
      : "const { Dataset, write } = require('@gvl/dataset');\nconst { findData } = require('@gvl/dataset/cli');\nconst { createHash } = require('node:crypto');\nconst { readFileSync, mkdtempSync } = require('node:fs');\nconst { tmpdir } = require('node:os');\nconst { join } = require('node:path');\nconst { gunzipSync } = require('node:zlib');\n";
  // The reference slice is checked against the FASTA parsed here with zlib (a bgzipped
  // file is a series of gzip members), not against anything the packages compute.
  const body = `
async function main() {
  // No GVL_DATA_DIR: the example data is the copy shipped in @gvl/example-data.
  const dir = join(findData(), '1kg-chr20');
  const chr20 = {
    bed2kb: join(dir, 'windows_2kb.bed'),
    vcf: join(dir, '1kg_chr20_300samples.vcf.gz'),
    reference: join(dir, 'chr20_1-2Mb.fa.gz'),
  };
  const out = join(mkdtempSync(join(tmpdir(), 'gvl-user-')), 'chr20.gvl');
  const summary = await write(out, {
    bed: chr20.bed2kb, variants: chr20.vcf, reference: chr20.reference,
    samples: ['HG00096', 'HG00097'], progress: false,
  });
  const ds = await Dataset.open(out, { reference: chr20.reference });
  const bed = readFileSync(chr20.bed2kb, 'utf8').trim().split('\\n').map((l) => l.split('\\t'));
  const fasta = gunzipSync(readFileSync(chr20.reference)).toString('latin1').split('\\n');
  const contig = fasta.slice(1).join('');
  const [, start, end] = bed[0];
  const ref = await ds.withSeqs('reference').withTracks(false).get(0, 0);
  const got = Buffer.from(ref.data).toString('latin1');
  const want = contig.slice(Number(start), Number(end)).toUpperCase();
  if (got.toUpperCase() !== want) throw new Error('reference of region 0 differs from the FASTA');
  const haps = await ds.withSeqs('haplotypes').withTracks(false).get(0, 'HG00096');
  if (haps.shape[0] !== 2) throw new Error('expected 2 haplotypes, got shape ' + haps.shape);
  if (!/^[ACGTN]+$/i.test(Buffer.from(haps.data).toString('latin1'))) throw new Error('non-DNA bytes');
  const all = await ds.withSeqs('haplotypes').withTracks(false).withLen(2048).get([0, 1, 2, 3], [0, 1, 0, 1]);
  const digest = createHash('sha256').update(all.data).digest('hex');
  console.log(JSON.stringify({ data: dir, regions: summary.nRegions, samples: summary.samples, shape: ds.shape, refBytes: got.length, digest }));
}
main().catch((e) => { console.error(e); process.exit(1); });
`;
  return load + body;
}

/** `npm install` may not create a nested copy; find a package the way Node resolves it. */
function installedDir(project, name) {
  return join(project, 'node_modules', ...name.split('/'));
}

// ---------------------------------------------------------------------------------------
// Cleanup

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await stopRegistry();
  if (keep) say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    // Synchronous: a signal is handled between steps (each runs a child synchronously),
    // and nothing of the run may go on after it.
    say(`${signal}: stopping the registry and removing ${work}`);
    cleaned = true;
    if (registry && registry.exited === null) registry.child.kill('SIGKILL');
    if (!keep) rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------
// The run

async function main() {
  const upstream = sh(['npm', 'config', 'get', 'registry'], { cwd: work, env: cleanEnv() }).trim();
  const guide = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8');
  const userBlock = installBlock(guide);
  const pnpm = pnpmCommand();

  let verdaccio;
  await check(
    `verdaccio ${VERDACCIO} installed (overrides ${JSON.stringify(VERDACCIO_OVERRIDES)})`,
    () => {
      verdaccio = installVerdaccio();
      return `${verdaccio.installed ? 'installed' : 'cached'} in ${relative(root, join(cacheRoot, 'verdaccio'))}`;
    },
  );
  await check('registry started on 127.0.0.1', async () => {
    await startRegistry(verdaccio.bin, upstream);
    return `${registry.url}, @gvl/* local, the rest proxied to ${upstream}`;
  });

  // The release flow.
  const scratch = join(work, 'repo');
  const before = new Map();
  await check('scratch copy of the working tree', () => {
    const n = copyWorkingTree(scratch);
    for (const p of publishablePackages(scratch)) before.set(p.name, p.version);
    return `${n} files`;
  });
  const npmrc = join(work, 'npmrc');
  const host = registry.url.replace(/^https?:/, '');
  writeFileSync(npmrc, `${host}/:_authToken=${registry.token}\n`);
  const releaseEnv = cleanEnv({
    npm_config_userconfig: npmrc,
    CARGO_TARGET_DIR: join(root, 'target'),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  });
  const p = (args, opts = {}) => sh([...pnpm, ...args], { cwd: scratch, env: releaseEnv, ...opts });

  await check('pnpm install --frozen-lockfile (scratch)', () => {
    p(['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent']);
  });
  await check('changeset version', () => {
    let added = '';
    if (pendingChangesets(scratch).length === 0) {
      // Nothing pending (just after a release): a patch of every package keeps the flow whole.
      const names = [...before.keys()].filter((n) => !n.includes('/native-'));
      writeFileSync(
        join(scratch, '.changeset', 'release-test.md'),
        `---\n${names.map((n) => `"${n}": patch`).join('\n')}\n---\n\nRelease test.\n`,
      );
      added = ' (no pending changeset: added a patch of every package)';
    }
    const pending = pendingChangesets(scratch).length;
    p(['exec', 'changeset', 'version']);
    assert(pendingChangesets(scratch).length === 0, 'changeset version left changesets behind');
    const bumped = [];
    for (const pkg of publishablePackages(scratch)) {
      const old = before.get(pkg.name);
      if (pkg.platform || old === pkg.version) continue;
      const log = join(pkg.dir, 'CHANGELOG.md');
      assert(existsSync(log), `${pkg.name} was bumped but has no CHANGELOG.md`);
      assert(
        readFileSync(log, 'utf8').includes(`## ${pkg.version}`),
        `${pkg.name} CHANGELOG.md has no "## ${pkg.version}" section`,
      );
      bumped.push(`${pkg.name} ${old} -> ${pkg.version}`);
    }
    assert(bumped.length > 0, 'changeset version bumped no package');
    return `${pending} changeset(s)${added}: ${bumped.join(', ')}`;
  });
  await check('build every package (napi release build + tsc)', () => {
    p(['--filter', './packages/*', '--workspace-concurrency=1', 'run', 'build'], {
      timeout: 540_000,
    });
  });

  const packages = publishablePackages(scratch);
  const native = packages.find((x) => x.manifest.napi?.binaryName && !x.platform);
  const platforms = packages.filter((x) => x.platform);
  const published = [];
  if (platforms.length > 0) {
    const binaryName = native.manifest.napi.binaryName;
    const built = readdirSync(native.dir).filter((f) => addonPlatform(f, binaryName));
    for (const plat of platforms) {
      const platform = plat.dir.split('/').pop();
      const file = `${binaryName}.${platform}.node`;
      // The binary the release publishes: built by packages/native/scripts/build-platforms.mjs
      // (.ci/run runs it before the tests: glibc floor, ELF machine and symbols checked);
      // else, for this machine's platform only, the development build of the scratch copy.
      const prebuilt = join(root, 'packages', 'native', 'npm', platform, file);
      const devBuild = built.find((f) => addonPlatform(f, binaryName) === platform);
      const source = existsSync(prebuilt)
        ? { path: prebuilt, what: 'built by build-platforms.mjs' }
        : devBuild
          ? { path: join(native.dir, devBuild), what: 'the development build' }
          : null;
      if (!source) {
        results.push({
          what: `${plat.name}: not published`,
          ok: true,
          detail: `no ${file} is built on this machine (run packages/native/scripts/build-platforms.mjs)`,
          seconds: '0.0',
        });
        continue;
      }
      await check(`publish ${plat.name} (${source.what})`, () => {
        copyFileSync(source.path, join(plat.dir, file));
        const m = JSON.parse(readFileSync(join(plat.dir, 'package.json'), 'utf8'));
        m.version = native.version; // the fixed changeset group keeps them in step
        writeFileSync(join(plat.dir, 'package.json'), `${JSON.stringify(m, null, 2)}\n`);
        sh(['npm', 'publish', '--registry', registry.url, '--access', 'public'], {
          cwd: plat.dir,
          env: releaseEnv,
        });
        published.push({ name: plat.name, version: native.version });
      });
    }
  }
  const libraries = packages.filter((x) => !x.platform);
  await check('pnpm publish -r', () => {
    p([
      'publish',
      '-r',
      '--filter',
      './packages/*',
      '--registry',
      registry.url,
      '--no-git-checks',
      '--access',
      'public',
    ]);
    for (const x of libraries) published.push({ name: x.name, version: x.version });
    return published.map((x) => `${x.name}@${x.version}`).join(', ');
  });

  const released = new Map(published.map((x) => [x.name, x.version]));
  const tarballs = join(work, 'tarballs');
  for (const { name, version } of published) {
    await check(`${name}@${version}: published manifest and tarball`, async () => {
      const r = await request(`${registry.url}/${name.replace('/', '%2f')}`);
      assert(r.ok, `GET ${name}: HTTP ${r.status}`);
      const doc = await r.json();
      const manifest = doc.versions?.[version];
      assert(manifest, `${name}@${version} is not in the registry`);
      const problems = manifestProblems(manifest, released);
      assert(problems.length === 0, problems.join('\n'));
      const t = await request(manifest.dist.tarball);
      assert(t.ok, `GET ${manifest.dist.tarball}: HTTP ${t.status}`);
      const buf = Buffer.from(await t.arrayBuffer());
      const integrity = `sha512-${createHash('sha512').update(buf).digest('base64')}`;
      assert(integrity === manifest.dist.integrity, `${name} tarball integrity mismatch`);
      const dest = join(tarballs, name.replace('/', '__'));
      mkdirSync(dest, { recursive: true });
      writeFileSync(join(dest, 'package.tgz'), buf);
      sh(['tar', '-xzf', 'package.tgz'], { cwd: dest });
      sh([process.execPath, join(root, 'scripts', 'check-pack.mjs')], {
        cwd: join(dest, 'package'),
      });
      return `${(buf.length / 1024).toFixed(0)} KiB, check-pack ok`;
    });
  }

  // The user's side.
  const bare = barePath();
  mkdirSync(join(work, 'tmp'));
  const demoChecks = {
    'npx gvl demo': (out) => {
      assert(
        /488 regions x 300 samples/.test(out),
        'gvl demo did not read 488 regions x 300 samples',
      );
      assert(/serial check .*identical/.test(out), 'gvl demo: the serial check did not pass');
      return 'the example data of @gvl/example-data; serial check identical';
    },
    'npx gvl-threads --json': (out) => {
      const j = JSON.parse(out);
      assert(Number.isInteger(j.threads) && j.threads >= 1, `threads is ${j.threads}`);
      assert(Array.isArray(j.trace) && j.trace.length > 0, 'no trace');
      if (process.platform === 'linux') {
        // Independent count of the CPUs this process may run on.
        const list = /Cpus_allowed_list:\s*(\S+)/.exec(
          readFileSync('/proc/self/status', 'utf8'),
        )[1];
        const cpus = list
          .split(',')
          .map((r) => r.split('-').map(Number))
          .reduce((n, [a, b]) => n + (b === undefined ? 1 : b - a + 1), 0);
        assert(j.affinity === cpus, `affinity ${j.affinity}, /proc/self/status allows ${cpus}`);
        assert(j.threads <= cpus, `threads ${j.threads} > ${cpus} CPUs`);
      }
      return `threads ${j.threads} (source ${j.source})`;
    },
  };
  const digests = {};
  for (const kind of ['esm', 'cjs']) {
    const project = join(work, `user-${kind}`);
    const home = join(work, `home-${kind}`);
    mkdirSync(project);
    mkdirSync(home);
    const pkg = { name: `gvl-release-${kind}`, version: '1.0.0', private: true };
    if (kind === 'esm') pkg.type = 'module';
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const env = userEnv(bare, home);
    const run = (command) => sh([join(bare, 'sh'), '-c', command], { cwd: project, env });
    await check(`${kind}: ${userBlock.install} (docs/getting-started.md)`, () => {
      run(userBlock.install);
      const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
      for (const name of userBlock.packages) {
        const entry = lock.packages?.[`node_modules/${name}`];
        assert(entry, `${name} is not installed`);
        assert(entry.version === released.get(name), `${name} ${entry.version} installed`);
        assert(entry.resolved?.startsWith(registry.url), `${name} from ${entry.resolved}`);
      }
      const gvl = Object.keys(lock.packages ?? {}).filter((k) => k.includes('node_modules/@gvl/'));
      return `${gvl.length} @gvl packages from the local registry, no cargo on PATH`;
    });
    for (const command of userBlock.commands) {
      await check(`${kind}: ${command}`, () => {
        const out = run(command);
        const verify = demoChecks[command];
        return verify ? verify(out) : '';
      });
    }
    await check(`${kind}: --version of the CLIs is the released version`, () => {
      for (const [bin, name] of [
        ['gvl', '@gvl/dataset'],
        ['gvl-threads', '@gvl/threads'],
      ]) {
        const v = run(`npx ${bin} --version`).trim();
        assert(v.endsWith(released.get(name)), `${bin} --version printed '${v}'`);
      }
    });
    const file = kind === 'esm' ? 'read.mjs' : 'read.cjs';
    await check(
      `${kind}: ${kind === 'esm' ? 'import' : 'require'}('@gvl/dataset') writes, opens and reads`,
      () => {
        writeFileSync(join(project, file), userProgram(kind));
        const out = JSON.parse(run(`node ${file}`).trim().split('\n').pop());
        assert(out.regions === 488 && out.samples.length === 2, `wrote ${JSON.stringify(out)}`);
        assert(out.refBytes === 2048, `reference row of ${out.refBytes} bytes`);
        const shipped = join(project, 'node_modules', '@gvl', 'example-data');
        assert(out.data.startsWith(shipped), `read the example data from ${out.data}`);
        digests[kind] = out.digest;
        return `reference == FASTA; haplotypes sha256 ${out.digest.slice(0, 16)}`;
      },
    );
  }
  await check('esm and cjs read identical haplotype bytes', () => {
    assert(digests.esm === digests.cjs, `${digests.esm} != ${digests.cjs}`);
  });

  // README examples, from the READMEs as shipped, in the ESM project.
  const ts = (await import('typescript')).default;
  const esm = join(work, 'user-esm');
  const env = userEnv(bare, join(work, 'home-esm'));
  const runIn = (command, cwd) => sh([join(bare, 'sh'), '-c', command], { cwd, env });
  const readmeSummary = [];
  const toRun = [];
  for (const { name } of published.filter((x) => !platforms.some((p) => p.name === x.name))) {
    const dir = installedDir(esm, name);
    if (!existsSync(dir)) {
      await check(`npm install ${name} (for its README examples)`, () => {
        runIn(`npm install ${name}`, esm);
      });
    }
    const readme = join(dir, 'README.md');
    assert(existsSync(readme), `${name} ships no README.md`);
    // Every README example runs as written (apps/docs checks it in the repository), so
    // no rule adds a preamble or skips one here.
    const examples = readmeExamples(readFileSync(readme, 'utf8'), `${name}/README.md`);
    for (const [i, ex] of examples.entries()) {
      if (ex.kind === 'skip' || ex.kind === 'not-run') {
        readmeSummary.push(
          `${ex.kind === 'skip' ? 'skipped' : 'not run'}  ${ex.id}  ${ex.code.split('\n')[0].slice(0, 60)} — ${ex.reason}`,
        );
      } else {
        toRun.push({
          ...ex,
          base: join(esm, `readme-${name.replace(/^@/, '').replace(/\W+/g, '-')}-${i}`),
        });
      }
    }
  }
  const typescript = toRun.filter(
    (ex) => ex.kind === 'module' && /^(ts|typescript)$/.test(ex.lang),
  );
  await check('README TypeScript examples type-check against the typings as published', () => {
    // Strict, NodeNext, against node_modules/@gvl/*/dist/*.d.ts as installed; only the
    // Node.js typings come from this repository (a user's project has its own).
    for (const ex of typescript) writeFileSync(`${ex.base}.mts`, `${ex.code}\nexport {};\n`);
    const program = ts.createProgram(
      typescript.map((ex) => `${ex.base}.mts`),
      {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2023.d.ts'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
      },
    );
    const diagnostics = ts.getPreEmitDiagnostics(program);
    assert(
      diagnostics.length === 0,
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => esm,
        getNewLine: () => '\n',
      }),
    );
    return `${typescript.length} example(s)`;
  });
  for (const ex of toRun) {
    await check(`README ${ex.id} (${ex.kind === 'module' ? ex.lang : ex.code})`, () => {
      if (ex.kind === 'shell') return void runIn(ex.code, esm);
      const js = ts.transpileModule(ex.code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      // Each example in an empty folder of its own, as written (as apps/docs runs them).
      mkdirSync(ex.base);
      writeFileSync(join(ex.base, 'example.mjs'), `${js}\nexport {};\n`);
      runIn('node example.mjs', ex.base);
    });
  }
  return { published, readmeSummary };
}

let status = 0;
let outcome = null;
try {
  outcome = await main();
} catch (e) {
  status = 1;
  console.error(`\n[release-test] ${e?.stack ?? e}`);
  if (registry?.log && existsSync(registry.log)) {
    console.error(
      `[release-test] registry log (last lines):\n${tail(readFileSync(registry.log, 'utf8'), 15)}`,
    );
  }
} finally {
  await cleanup();
}

console.log('\n== release test summary');
for (const r of results) {
  console.log(
    `${r.ok ? 'ok  ' : 'FAIL'}  ${r.seconds.padStart(6)} s  ${r.what}${r.detail && r.ok ? `  (${r.detail.split('\n')[0]})` : ''}`,
  );
}
for (const line of outcome?.readmeSummary ?? []) console.log(`      ${line}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`release test: ${since(started)} s in all`);
console.log(`release-test: ${results.length - failed} passed, ${failed} failed`);
process.exit(status || (failed > 0 ? 1 : 0));
