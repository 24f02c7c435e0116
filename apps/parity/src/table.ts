/** Rendering a {@link ParityReport}: the table (plain text or Markdown), notes, mismatches. */
import type { Cell, ModeReport, ParityReport } from './check.js';
import type { Mismatch } from './passes.js';

const num = (n: number) => n.toLocaleString('en-US');

function cellText(c: Cell, noteRef: string | null): string {
  const mark = noteRef ? ` ${noteRef}` : '';
  switch (c.status) {
    case 'equal':
      return `✓ ${num(c.rows)}${mark}`;
    case 'differs':
      return `✗ DIFFERS${mark}`;
    case 'error':
      return `✗ ERROR${mark}`;
    default:
      return `n/a${mark}`;
  }
}

/** Where and what: the first differing (region, sample, haplotype, position) and both values. */
export function describeMismatch(m: Mismatch): string {
  const where = [
    `region ${m.region}${m.regionName ? ` (${m.regionName})` : ''}`,
    `sample ${m.sample}`,
    ...(m.track !== null ? [`track ${m.track}`] : []),
    ...(m.hap !== null ? [`haplotype ${m.hap}`] : []),
    ...(m.position !== null ? [`position ${m.position}`] : []),
  ].join(', ');
  return `${m.mode} [${m.part}] ${m.what} differs at ${where}: ${m.expectedFrom} ${m.expected} vs ${m.actualFrom} ${m.actual}`;
}

interface Rendered {
  header: string[];
  rows: string[][];
  notes: string[];
  mismatches: string[];
}

function build(report: ParityReport): Rendered {
  const threads = report.children.map((c) => c.threads);
  const header = [
    'mode',
    'rows',
    ...threads.map((n) => `serial == parallel, ${n} thread${n === 1 ? '' : 's'}`),
    '== bcftools',
    '== genvarloader',
  ];
  const notes: string[] = [];
  const mismatches: string[] = [];
  const ref = (m: ModeReport, column: string, c: Cell): string | null => {
    if (c.first) mismatches.push(`${describeMismatch(c.first)}`);
    else if (c.status === 'differs' || c.status === 'error')
      mismatches.push(`${m.id} ${column}: ${c.note ?? 'differs'}`);
    if (!c.note) return null;
    const same = notes.findIndex((n) => n.endsWith(`: ${c.note}`) && n.includes(column));
    if (same >= 0) return `[${same + 1}]`;
    notes.push(`${column}: ${c.note}`);
    return `[${notes.length}]`;
  };
  // A sampled serial == parallel pass gets a note on its row count.
  const rowsCell = (m: ModeReport): string => {
    const r = m.sampled ? ref(m, 'rows', { status: 'equal', rows: m.rows, note: m.sampled }) : null;
    return r ? `${num(m.rows)} ${r}` : num(m.rows);
  };
  const rows = report.modes.map((m) => [
    m.label,
    rowsCell(m),
    ...threads.map((n) => {
      const c = m.parallel[String(n)] as Cell;
      return cellText(c, ref(m, `parallel ${n}`, c));
    }),
    cellText(m.bcftools, ref(m, 'bcftools', m.bcftools)),
    cellText(m.genvarloader, ref(m, 'genvarloader', m.genvarloader)),
  ]);
  return { header, rows, notes, mismatches };
}

/** The plain-text table with notes, mismatches and the `N passed, N failed` line. */
export function renderText(report: ParityReport): string {
  if (report.skipped) return `parity: skipped: ${report.skipped}\n0 passed, 0 failed (skipped)\n`;
  const { header, rows, notes, mismatches } = build(report);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...notes.map((n, i) => `[${i + 1}] ${n}`),
    ...report.warnings.map((w) => `warning: ${w}`),
    `goldens: bcftools from ${report.goldens.bcftools}; genvarloader from ${report.goldens.genvarloader}`,
    `pools: ${report.children.map((c) => `${c.threads} threads (${c.poolSource}${c.poolBuilt ? ', built' : ', NOT built'}, GVL_FORCE_PARALLEL=${c.forceParallel})`).join('; ')}`,
    ...(mismatches.length > 0 ? ['', 'MISMATCHES (first per cell):', ...mismatches] : []),
    '',
    `${report.passed} passed, ${report.failed} failed (${report.seconds.toFixed(1)} s)`,
  ];
  return `${out.join('\n')}\n`;
}

/** The table as Markdown (for the README). */
export function renderMarkdown(report: ParityReport): string {
  if (report.skipped) return `_skipped: ${report.skipped}_\n`;
  const { header, rows, notes } = build(report);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 1 ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    ...notes.map((n, i) => `${i + 1}. ${n}`),
    '',
    `${report.passed} passed, ${report.failed} failed (${report.seconds.toFixed(1)} s)`,
    '',
  ].join('\n');
}
