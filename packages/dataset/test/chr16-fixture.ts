/**
 * A small real-sequence fixture on the hg38 chr16 chunk of ../shared/data: a VCF of nine
 * hand-placed SNVs, insertions and deletions (two samples; columns sorted or reversed),
 * a BED of three regions (one on the minus strand) and the chunk's real bigWig tracks
 * assigned per sample. Needs bgzip and tabix.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chr16Dir } from './helpers.js';

export interface Chr16Fixture {
  sortedVcf: string;
  reversedVcf: string;
  bed: string;
  reference: string;
  tracks: { name: string; paths: Record<string, string> }[];
}

export function makeChr16Fixture(vdir: string): Chr16Fixture {
  const seq = readFileSync(join(chr16Dir, 'chunk.fa'), 'utf8')
    .split('\n')
    .slice(1)
    .join('')
    .toUpperCase();
  const at = (pos: number, len = 1) => seq.slice(pos - 1, pos - 1 + len);
  const recs: [number, string, string, string, string][] = [
    [1200, at(1200), at(1200) === 'A' ? 'C' : 'A', '1|0', '1|1'],
    [1500, at(1500, 4), at(1500), '0|1', '1|0'],
    [2000, at(2000), `${at(2000)}TTT`, '1|1', '0|1'],
    [3990, at(3990, 21), at(3990), '1|0', '0|0'],
    [4985, at(4985, 21), at(4985), '1|0', '0|1'],
    [5012, at(5012), at(5012) === 'G' ? 'T' : 'G', '1|1', '0|1'],
    [5030, at(5030), at(5030) === 'G' ? 'T' : 'G', '1|0', '1|1'],
    [5040, at(5040, 3), at(5040), '1|0', '0|0'],
    [6100, at(6100), `${at(6100)}AC`, '0|1', '1|0'],
  ];
  mkdirSync(vdir);
  // Columns in sorted order: genvarloader 0.43.1 reads the genotypes of extension
  // records in VCF column order instead of its sorted sample order (genoray's
  // `_ext_with_length` does not apply `_s_sorter`), so with unsorted columns its
  // extension variants land on the wrong samples. Ours does not depend on column order
  // (checked below).
  const makeVcf = (name: string, columns: 'sorted' | 'reversed') => {
    const plain = join(vdir, `${name}.vcf`);
    const samples = columns === 'sorted' ? 's_al\ts_gc' : 's_gc\ts_al';
    writeFileSync(
      plain,
      [
        '##fileformat=VCFv4.2',
        '##contig=<ID=chr16,length=210155>',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${samples}`,
        ...recs.map(
          ([p, r, a, gc, al]) =>
            `chr16\t${p}\t.\t${r}\t${a}\t.\tPASS\t.\tGT\t${columns === 'sorted' ? `${al}\t${gc}` : `${gc}\t${al}`}`,
        ),
        '',
      ].join('\n'),
    );
    execFileSync('bgzip', ['-f', plain]);
    execFileSync('tabix', ['-f', '-p', 'vcf', `${plain}.gz`]);
    return `${plain}.gz`;
  };
  const sortedVcf = makeVcf('sorted', 'sorted');
  const reversedVcf = makeVcf('reversed', 'reversed');
  const bed = join(vdir, 'r.bed');
  writeFileSync(
    bed,
    'chr16\t4000\t9000\tb\t0\t-\nchr16\t100\t5000\ta\t0\t+\nchr16\t150000\t150500\tc\t0\t+\n',
  );
  const tracks = [
    {
      name: 'signal',
      paths: { s_gc: join(chr16Dir, 'gc.bw'), s_al: join(chr16Dir, 'alignability.bw') },
    },
    { name: 'gc', paths: { s_gc: join(chr16Dir, 'gc.bw'), s_al: join(chr16Dir, 'gc.bw') } },
  ];
  return { sortedVcf, reversedVcf, bed, reference: join(chr16Dir, 'chunk.fa'), tracks };
}
