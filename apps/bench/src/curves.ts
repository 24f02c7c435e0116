/**
 * The cohort scaling curves as one SVG: per-batch read time, write peak RSS and the
 * private memory of an open against the number of samples, gvl-ts beside the peer, on
 * log–log axes. Drawn from a result JSON of `npm run bench` (its `cohorts`), so the
 * figure in the docs is regenerated from the run it shows:
 *
 *   node apps/bench/dist/curves.js apps/bench/results/<run>.json > docs/cohort-curves.svg
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { CohortResult } from './cohorts.js';

/** One line of a panel: a library's values at each cohort size. */
export interface Series {
  label: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

/** One panel: a title, a y unit and its lines. */
export interface Panel {
  title: string;
  unit: string;
  series: readonly Series[];
}

const GVL = '#1b7f5f';
const PEER = '#b5542a';
const W = 300;
const H = 230;
const M = { left: 58, right: 12, top: 34, bottom: 42 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Powers of ten covering [lo, hi] (at least two). */
export function decades(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  return Array.from({ length: b - a + 1 }, (_, i) => 10 ** (a + i));
}

const fmtTick = (v: number) =>
  v >= 1000 ? `${(v / 1000).toLocaleString('en-US')}k` : v.toLocaleString('en-US');

function panelSvg(p: Panel, dx: number): string {
  const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length === 0) return '';
  const xs = decades(Math.min(...pts.map((q) => q[0])), Math.max(...pts.map((q) => q[0])));
  const ys = decades(Math.min(...pts.map((q) => q[1])), Math.max(...pts.map((q) => q[1])));
  const [x0, x1] = [Math.log10(xs[0] as number), Math.log10(xs[xs.length - 1] as number)];
  const [y0, y1] = [Math.log10(ys[0] as number), Math.log10(ys[ys.length - 1] as number)];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const X = (v: number) => dx + M.left + ((Math.log10(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => M.top + ph - ((Math.log10(v) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(
    `<text x="${dx + M.left}" y="18" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${dx + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  );
  for (const v of xs) {
    out.push(
      `<line x1="${X(v)}" y1="${M.top}" x2="${X(v)}" y2="${M.top + ph}" stroke="#eee"/>`,
      `<text x="${X(v)}" y="${M.top + ph + 14}" text-anchor="middle">${fmtTick(v)}</text>`,
    );
  }
  for (const v of ys) {
    out.push(
      `<line x1="${dx + M.left}" y1="${Y(v)}" x2="${dx + M.left + pw}" y2="${Y(v)}" stroke="#eee"/>`,
      `<text x="${dx + M.left - 4}" y="${Y(v) + 4}" text-anchor="end">${fmtTick(v)}</text>`,
    );
  }
  out.push(
    `<text x="${dx + M.left + pw / 2}" y="${H - 8}" text-anchor="middle">samples</text>`,
    `<text x="${dx + 12}" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 ${dx + 12} ${M.top + ph / 2})">${esc(p.unit)}</text>`,
  );
  p.series.forEach((s, i) => {
    const ok = s.points.filter(([x, y]) => x > 0 && y > 0);
    if (ok.length === 0) return;
    const d = ok
      .map(([x, y], j) => `${j ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`)
      .join('');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [x, y] of ok)
      out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    out.push(
      `<text x="${dx + M.left + 6}" y="${M.top + 14 + 14 * i}" fill="${s.color}">${esc(s.label)}</text>`,
    );
  });
  return out.join('\n');
}

/** The panels of a run's cohort results (absent peer values are left out). */
export function cohortPanels(cohorts: readonly CohortResult[]): Panel[] {
  const c = [...cohorts].sort((a, b) => a.samples - b.samples);
  const mib = (b: number | null | undefined) => (b == null ? 0 : b / 2 ** 20);
  const series = (
    gvl: (r: CohortResult) => number,
    peer: (r: CohortResult) => number | null,
  ): Series[] => [
    { label: 'gvl-ts', color: GVL, points: c.map((r) => [r.samples, gvl(r)] as const) },
    {
      label: 'genvarloader (peer)',
      color: PEER,
      points: c.flatMap((r) => {
        const v = peer(r);
        return v === null ? [] : [[r.samples, v] as const];
      }),
    },
  ];
  return [
    {
      title: 'read: batch mean (32 × 16 kb)',
      unit: 'µs per batch',
      series: series(
        (r) => r.gvl.meanMs * 1000,
        (r) => (r.peer ? r.peer.meanMs * 1000 : null),
      ),
    },
    {
      title: 'write: peak RSS',
      unit: 'MiB',
      series: series(
        (r) => mib(r.write.gvl.peakRssBytes),
        (r) => (r.write.peer ? mib(r.write.peer.peakRssBytes) : null),
      ),
    },
    {
      title: 'open: private RSS growth',
      unit: 'MiB',
      series: series(
        (r) => mib(r.gvl.openRssBytes),
        (r) => (r.peer ? mib(r.peer.openRssBytes) : null),
      ),
    },
  ];
}

/** The SVG document of `panels`, side by side. */
export function curvesSvg(panels: readonly Panel[], caption: string): string {
  const width = W * panels.length;
  const body = panels.map((p, i) => panelSvg(p, i * W)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 18}" viewBox="0 0 ${width} ${H + 18}" font-family="sans-serif" font-size="11" role="img">`,
    `<title>${esc(`gvl-ts and genvarloader against the number of samples: ${panels.map((p) => p.title).join('; ')}`)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    `<text x="6" y="${H + 12}" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/curves.js RESULT.json > curves.svg\n');
    process.exit(64);
  }
  const run = JSON.parse(readFileSync(file, 'utf8')) as {
    startedAt?: string;
    machine?: { cpus?: number; cpuModel?: string };
    cohorts?: CohortResult[];
  };
  if (!run.cohorts?.length) {
    process.stderr.write(`${file}: no cohort results (run the bench with --cohorts)\n`);
    process.exit(2);
  }
  const m = run.machine;
  const caption = `npm run bench, ${run.startedAt?.slice(0, 10) ?? ''}${m ? `, ${m.cpus ?? '?'} CPUs` : ''}; log–log; medians of the runs`;
  process.stdout.write(curvesSvg(cohortPanels(run.cohorts), caption));
}
