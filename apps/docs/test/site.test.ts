/**
 * The built site in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, over a static server on 127.0.0.1. Checks that the landing page,
 * every package page and every guide render without console errors, that the search
 * finds `resolveThreads` and `Dataset`, and that every internal link (in the HTML, the
 * navigation tree and the search index) resolves. Saves a screenshot of the landing
 * page to `apps/docs/artifacts/landing.png`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oracleReason, skipName } from '../../../test-support/oracles.mjs';
import { artifactsDir, chromiumPath, siteDir } from './support/paths.js';
import { type StaticServer, serveStatic } from './support/static-server.js';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PACKAGES = ['@gvl/errors', '@gvl/threads', '@gvl/native', '@gvl/dataset'];
/** The guides in docs/, by their title (TypeDoc names a document's page after its title). */
const GUIDES = [
  'Getting started',
  'Concepts',
  'Threads and containers',
  'Execution model',
  'Training at scale',
  'From a VCF to a batch of one-hot tensors',
  'Dataset format',
  'Read semantics',
  'Outputs',
  'Haplotypes output',
  'Reference output',
  'Annotated haplotypes output',
  'Variants output',
  'Tracks output',
  'Tokens and one-hot output',
  'Spliced output',
  'Parity and benchmarks',
  'Architecture',
];
const guidePage = (title: string) => `documents/${title.replaceAll(' ', '_')}.html`;

const noBrowser = existsSync(chromiumPath) ? null : oracleReason('chromium');

/** Page URL → console errors, uncaught exceptions and failed requests seen there. */
const problems = new Map<string, string[]>();

let server: StaticServer;
let context: BrowserContext;
let profile: string;

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const url = new URL(path, server.origin).href;
  const seen: string[] = [];
  problems.set(url, seen);
  page.on('console', (m) => {
    if (m.type() === 'error') seen.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) =>
    seen.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) seen.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status(), url).toBe(200);
  return page;
}

/** Decodes TypeDoc's `window.<name> = "<base64 deflate JSON>"` data files. */
function typedocData(file: string): unknown {
  const text = readFileSync(join(siteDir, 'assets', file), 'utf8');
  const b64 = /"([A-Za-z0-9+/=]+)"/.exec(text)?.[1];
  if (!b64) throw new Error(`no data in assets/${file}`);
  return JSON.parse(inflateSync(Buffer.from(b64, 'base64')).toString('utf8'));
}

describe.skipIf(Boolean(noBrowser))(
  skipName('the site in Chromium', noBrowser ? [noBrowser] : []),
  () => {
    beforeAll(async () => {
      server = await serveStatic(siteDir);
      profile = mkdtempSync(join(tmpdir(), 'gvl-docs-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: ARGS,
        viewport: { width: 1280, height: 900 },
      });
    });

    afterAll(async () => {
      await context?.close();
      await server?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('renders the landing page, with the guides and packages in the navigation; screenshot', async () => {
      const page = await open('index.html');
      expect(await page.title()).toContain('gvl-ts');
      await expect.poll(() => page.locator('h1').first().textContent()).toContain('gvl-ts');
      // The navigation tree is built by script from assets/navigation.js.
      const nav = page.locator('nav.tsd-navigation');
      for (const name of [...PACKAGES, ...GUIDES]) {
        const text = new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s*$`);
        await nav.locator('a').filter({ hasText: text }).first().waitFor();
      }
      mkdirSync(artifactsDir, { recursive: true });
      await page.screenshot({ path: join(artifactsDir, 'landing.png') });
      await page.close();
    });

    it('renders each package page with its exports', async () => {
      const modules = readdirSync(join(siteDir, 'modules')).filter((f) => f.endsWith('.html'));
      const expected: Record<string, string> = {
        '@gvl/errors': 'GvlError',
        '@gvl/threads': 'resolveThreads',
        '@gvl/native': 'reconstructHaplotypes',
        '@gvl/dataset': 'Dataset',
        '@gvl/dataset/onnx': 'ortTensors',
        '@gvl/dataset/tfjs': 'tfTensors',
        '@gvl/dataset/schema': 'parseOptions',
        '@gvl/dataset/cli': 'runMainJob',
      };
      for (const name of PACKAGES) expect(modules).toContain(`${name.replace(/[@/]/g, '_')}.html`);
      for (const file of modules) {
        const page = await open(`modules/${file}`);
        const title = (await page.locator('h1').first().textContent()) ?? '';
        expect(title, file).toMatch(/@gvl\//);
        const pkg = title.match(/@gvl\/[a-z-]+(\/[a-z]+)?/)?.[0] ?? '';
        const member = expected[pkg];
        if (member)
          await page.locator(`.tsd-member-summary-name a >> text="${member}"`).first().waitFor();
        expect(await page.locator('.tsd-member-summary').count(), file).toBeGreaterThan(3);
        await page.close();
      }
    });

    it('renders each guide, with its pictures loaded', async () => {
      const built = readdirSync(join(siteDir, 'documents')).filter((f) => f.endsWith('.html'));
      expect(built.sort()).toEqual(
        GUIDES.map((g) => guidePage(g).slice('documents/'.length)).sort(),
      );
      for (const guide of GUIDES) {
        const page = await open(guidePage(guide));
        expect((await page.locator('h1').first().textContent())?.trim(), guide).toBe(guide);
        const images = page.locator('.tsd-typography img');
        for (let i = 0; i < (await images.count()); i++) {
          const img = images.nth(i);
          const width = await img.evaluate((el: HTMLImageElement) =>
            el.complete ? el.naturalWidth : 0,
          );
          expect(width, `${guide}: ${await img.getAttribute('src')}`).toBeGreaterThan(0);
        }
        await page.close();
      }
      const concepts = readFileSync(join(siteDir, guidePage('Concepts')), 'utf8');
      expect(concepts.match(/<img /g)?.length).toBeGreaterThanOrEqual(3);
    });

    for (const [query, target] of [
      ['resolveThreads', /functions\/_gvl_threads\.resolveThreads\.html$/],
      ['Dataset', /classes\/_gvl_dataset\.Dataset\.html$/],
    ] as const) {
      it(`search finds ${query}`, async () => {
        const page = await open('index.html');
        await page.locator('#tsd-search-trigger').click();
        await page.locator('#tsd-search-input').fill(query);
        const hit = page.locator('#tsd-search-results li a', { hasText: query }).first();
        await hit.waitFor();
        await hit.click();
        await page.waitForURL(target);
        await expect.poll(() => page.locator('h1').first().textContent()).toContain(query);
        await page.close();
      });
    }

    it('resolves every internal link: HTML pages, navigation tree and search index', async () => {
      const seen = new Set<string>();
      const broken: string[] = [];
      const anchors = new Map<string, Set<string>>();
      const queue = [new URL('index.html', server.origin).href];
      const idsOf = async (page: string): Promise<Set<string>> => {
        let ids = anchors.get(page);
        if (!ids) {
          const html = await (await fetch(page)).text();
          ids = new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1] as string));
          anchors.set(page, ids);
        }
        return ids;
      };
      while (queue.length > 0) {
        const url = queue.shift() as string;
        if (seen.has(url)) continue;
        seen.add(url);
        const res = await fetch(url);
        if (res.status !== 200) {
          broken.push(`${res.status} ${url}`);
          continue;
        }
        if (!url.endsWith('.html')) continue;
        const html = await res.text();
        for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
          const raw = (m[1] as string).replaceAll('&amp;', '&');
          if (/^(mailto:|javascript:|data:)/.test(raw)) continue;
          const target = new URL(raw, url);
          if (target.origin !== new URL(server.origin).origin) continue;
          const page = target.href.split('#')[0] as string;
          if (target.hash && page.endsWith('.html')) {
            const id = decodeURIComponent(target.hash.slice(1));
            if ((await fetch(page)).status === 200 && !(await idsOf(page)).has(id)) {
              broken.push(`missing anchor #${id} in ${page} (linked from ${url})`);
            }
          }
          if (!seen.has(page)) queue.push(page);
        }
      }
      // Pages reachable only through the script-built navigation or the search index.
      const nav = typedocData('navigation.js') as { path?: string; children?: unknown[] }[];
      const walk = (nodes: { path?: string; children?: unknown[] }[]): string[] =>
        nodes.flatMap((n) => [
          ...(n.path ? [n.path] : []),
          ...walk((n.children ?? []) as { path?: string; children?: unknown[] }[]),
        ]);
      const search = typedocData('search.js') as { rows: { url: string }[] };
      const extra = [...walk(nav), ...search.rows.map((r) => r.url)];
      expect(extra.length).toBeGreaterThan(50);
      for (const path of extra) {
        const page = new URL(path, server.origin).href.split('#')[0] as string;
        if (seen.has(page)) continue;
        seen.add(page);
        const res = await fetch(page);
        if (res.status !== 200) broken.push(`${res.status} ${page} (navigation/search)`);
      }
      expect(broken).toEqual([]);
      expect(seen.size).toBeGreaterThan(100);
    });

    it('logged no console error, exception or failed request on any page it opened', () => {
      expect(problems.size).toBeGreaterThanOrEqual(1 + PACKAGES.length + GUIDES.length);
      const all = [...problems].flatMap(([url, list]) => list.map((p) => `${url}: ${p}`));
      expect(all).toEqual([]);
      expect(server.misses).toEqual([]);
    });
  },
);
