/**
 * An independent reading of the chr20 VCF through `bcftools query`, and the write
 * semantics of docs/dataset-format.md ("How a haplotype is rebuilt") re-implemented from its text (not from src/).
 */
import { readFileSync } from 'node:fs';
import { chr20, run } from './helpers.js';

export interface Rec {
  idx: number;
  pos0: number;
  ref: string;
  alt: string;
  ilen: number;
  /** haplotype ids (sorted sample index * 2 + ploid) carrying ALT */
  carriers: number[];
}

export interface Truth {
  samples: string[];
  records: Rec[];
  /** per haplotype id, ascending record indices it carries */
  byHap: number[][];
}

export function readTruth(): Truth {
  const vcfSamples = run('bcftools', ['query', '-l', chr20.vcf]).trim().split('\n');
  const samples = [...vcfSamples].sort();
  const rank = new Map(samples.map((s, i) => [s, i]));
  const colHap = vcfSamples.map((s) => (rank.get(s) as number) * 2);
  const text = run('bcftools', ['query', '-f', '%POS\t%REF\t%ALT[\t%GT]\n', chr20.vcf]);
  const byHap: number[][] = Array.from({ length: samples.length * 2 }, () => []);
  const records = text
    .trimEnd()
    .split('\n')
    .map((line, idx): Rec => {
      const f = line.split('\t');
      const [pos, ref, alt] = f as [string, string, string];
      const carriers: number[] = [];
      for (let j = 0; j < vcfSamples.length; j++) {
        const gt = f[3 + j] as string;
        const alleles = gt.split(/[|/]/);
        for (let p = 0; p < 2; p++) {
          if (alleles[p] === '1') {
            const h = (colHap[j] as number) + p;
            carriers.push(h);
            (byHap[h] as number[]).push(idx);
          }
        }
      }
      return { idx, pos0: Number(pos) - 1, ref, alt, ilen: alt.length - ref.length, carriers };
    });
  return { samples, records, byHap };
}

/** 0-based exclusive REF end, from ILEN (§2: `POS − min(ILEN, 0)` 1-based). */
export const vEnd = (r: Rec) => r.pos0 + 1 - Math.min(r.ilen, 0);

/**
 * Expected variant indices of one haplotype for the padded window [qs, qe), from the
 * text of §2.6: in-window records (REF span overlapping the window, upstream deletions
 * included), then with extendToLength the walk over downstream records.
 */
export function expectedHap(
  t: Truth,
  h: number,
  qs: number,
  qe: number,
  extend: boolean,
): number[] {
  const lo = Math.max(qs, 0);
  const list = t.byHap[h] as number[];
  // First carried record that can reach the window (deletions here are <= 44 bp).
  let a = 0;
  let b = list.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if ((t.records[list[m] as number] as Rec).pos0 < lo - 64) a = m + 1;
    else b = m;
  }
  const qLen = qe - qs;
  let written = 0;
  let lastEnd = qs;
  const kept: number[] = [];
  for (let k = a; k < list.length; k++) {
    const r = t.records[list[k] as number] as Rec;
    const inWindow = r.pos0 < qe && vEnd(r) > lo;
    if (!inWindow && r.pos0 < qe) continue; // upstream, not overlapping
    if (!extend) {
      if (!inWindow) break;
      kept.push(r.idx);
      continue;
    }
    if (r.pos0 >= qs) {
      written += r.pos0 - lastEnd;
      if (r.pos0 >= qe && written >= qLen) break;
      written += Math.max(0, r.ilen) + 1;
      kept.push(r.idx);
      lastEnd = Math.max(lastEnd, r.pos0 - Math.min(0, r.ilen) + 1);
      if (r.pos0 >= qe && written >= qLen) break;
    } else {
      kept.push(r.idx);
      lastEnd = Math.max(lastEnd, r.pos0 - Math.min(0, r.ilen) + 1);
    }
  }
  return kept;
}

/** BED windows whose padded edges fall inside deletions carried by someone. */
export function edgeBed(t: Truth, jitter: number, count = 24): string {
  const dels = t.records.filter((r) => r.ilen <= -2 && r.carriers.length > 0);
  const lines: string[] = [];
  for (let i = 0; i < dels.length; i += Math.max(1, Math.floor(dels.length / count))) {
    const d = dels[i] as Rec;
    // padded start inside the deletion: qs = pos0 + 1
    const s = d.pos0 + 1 + jitter;
    lines.push(`20\t${s}\t${s + 700}\tstart${i}\t0\t+`);
    // padded end inside the deletion: qe = pos0 + 1
    const e = d.pos0 + 1 - jitter;
    lines.push(`20\t${e - 300}\t${e}\tend${i}\t0\t-`);
  }
  // Windows ending just after a carried deletion, at the next record the same haplotype
  // carries: the haplotype is short, so extendToLength keeps records past the end.
  let n = 0;
  for (const d of dels) {
    if (n >= (2 * count) / 3 || d.ilen > -3) continue;
    const h = d.carriers[0] as number;
    const list = t.byHap[h] as number[];
    const next = list.map((k) => t.records[k] as Rec).find((r) => r.pos0 >= vEnd(d));
    if (!next || next.pos0 - d.pos0 > 3000) continue;
    lines.push(`20\t${d.pos0 - 150 + jitter}\t${next.pos0 - jitter}\text${n}\t0\t+`);
    n++;
  }
  return `${lines.join('\n')}\n`;
}

export function readBedFile(path: string) {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => {
      const [chrom, s, e, name, score, strand] = l.split('\t') as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      return { chrom, start: Number(s), end: Number(e), name, score: Number(score), strand };
    });
}
