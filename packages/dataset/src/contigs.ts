/**
 * Contig names: natural sort as the peer does it, and `chr`-prefix normalization.
 *
 * @module
 */

type NatKeyPart = string | number;

const DIGITS = /(\d+)/;

/**
 * The natural-sort key of a name, as Python's `natsort` (the peer's `natsorted`, default
 * `ns.INT`) builds it: alternating text and integer chunks, with an empty text chunk in
 * front when the name starts with a digit, so chunks of the same kind always line up.
 */
function natKey(name: string): NatKeyPart[] {
  const parts = name.split(DIGITS);
  const key: NatKeyPart[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (i % 2 === 1) key.push(Number.parseInt(p, 10));
    else if (p !== '' || i === 0) key.push(p);
  }
  return key;
}

function compareKeys(a: NatKeyPart[], b: NatKeyPart[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as NatKeyPart;
    const y = b[i] as NatKeyPart;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    // Python compares str by code point; code units agree outside astral planes.
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Compares two contig names in natural order, exactly as Python `natsort.natsorted`
 * orders them (case-sensitive, integers by value: `1 < 2 < 10 < X`, `chr2 < chr10`).
 * Names whose keys tie (`chr1` vs `chr01`) fall back to plain string order so the result
 * never depends on input order.
 *
 * Why not `natural-orderby`: it compares case-insensitively, so mixed-case contig sets
 * (`Chr1`, `chr2`, `X`, `scaffold_1`) would be ordered differently from the peer.
 *
 * @see Python `natsort.natsorted`, used by genvarloader's `write` for `metadata.contigs`
 * @example
 * ```ts
 * ['chr10', 'chr2', 'chrX', 'chr1'].sort(compareContigs); // ['chr1', 'chr2', 'chr10', 'chrX']
 * ```
 */
export function compareContigs(a: string, b: string): number {
  const c = compareKeys(natKey(a), natKey(b));
  if (c !== 0) return c;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Unique contig names in natural order (see {@link compareContigs}).
 *
 * @example
 * ```ts
 * natsortContigs(['chr10', 'chr2', 'chrX', 'chr1', 'chr2']); // ['chr1', 'chr2', 'chr10', 'chrX']
 * ```
 */
export function natsortContigs(names: Iterable<string>): string[] {
  return [...new Set(names)].sort(compareContigs);
}

const MITO_ALIASES = ['M', 'MT', 'chrM', 'chrMT'] as const;

/**
 * Maps contig names onto the spelling used by a target (a VCF, a FASTA, a bigWig):
 * exact match first, then `chr1` ↔ `1`, and the mitochondrial aliases
 * `M`/`MT`/`chrM`/`chrMT` to whichever the target contains.
 *
 * @see genoray's `ContigNormalizer` (used by genvarloader)
 * @example
 * ```ts
 * const norm = new ContigNormalizer(['chr1', 'chr2', 'chrM']);
 * norm.normalize('1'); // 'chr1'
 * norm.normalize('MT'); // 'chrM'
 * norm.normalize('3'); // undefined
 * ```
 */
export class ContigNormalizer {
  /** The target's contig names, in the order given. */
  readonly contigs: readonly string[];
  private readonly map: Map<string, string>;

  constructor(contigs: Iterable<string>) {
    this.contigs = [...contigs];
    const map = new Map<string, string>();
    const mito = this.contigs.find((c) => (MITO_ALIASES as readonly string[]).includes(c));
    if (mito !== undefined) for (const a of MITO_ALIASES) map.set(a, mito);
    for (const c of this.contigs) {
      if (c.startsWith('chr')) map.set(c.slice(3), c);
      else map.set(`chr${c}`, c);
    }
    for (const c of this.contigs) map.set(c, c);
    this.map = map;
  }

  /** The target's spelling of `contig`, or `undefined` when the target lacks it. */
  normalize(contig: string): string | undefined {
    return this.map.get(contig);
  }

  /** Whether `contig` (in any supported spelling) is present in the target. */
  has(contig: string): boolean {
    return this.map.has(contig);
  }
}
