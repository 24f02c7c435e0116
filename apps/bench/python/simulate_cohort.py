"""Simulates a cohort for the benchmark's scaling section, with msprime.

Usage: python simulate_cohort.py OUT_DIR N_SAMPLES [--seed S] [--length BP]
                                 [--mutation-rate R] [--windows N] [--window-bp BP]

Writes into OUT_DIR:
  ref.fa, ref.fa.fai   a random reference (one contig, "chr1"; seeded)
  cohort.vcf.gz(.tbi)  phased diploid genotypes of N_SAMPLES samples (bgzip + tabix)
  windows.bed          N consecutive windows of BP from position 0 (default 61 × 16,384)
  cohort.json          what was made: samples, variants, seconds

Ancestry: `sim_ancestry(samples=N, ploidy=2, sequence_length, recombination_rate=1e-8,
population_size=10_000)`; mutations: `sim_mutations(rate, BinaryMutationModel,
discrete_genome=True)`. Each site becomes one bi-allelic SNV whose REF is the reference
base at that position and whose ALT is another base (seeded), so the VCF agrees with
the reference. Needs bgzip and tabix (htslib) on PATH.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import msprime
import numpy as np

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


def write_reference(path, length, rng, contig="chr1", width=60):
    seq = BASES[rng.integers(0, 4, size=length)]
    with open(path, "wb") as f:
        header = f">{contig}\n".encode()
        f.write(header)
        for i in range(0, length, width):
            f.write(seq[i : i + width].tobytes())
            f.write(b"\n")
    with open(path + ".fai", "w") as f:
        f.write(f"{contig}\t{length}\t{len(header)}\t{width}\t{width + 1}\n")
    return seq


def write_vcf(ts, out, ref, rng, contig="chr1"):
    """Streams a phased VCF to `bgzip`; genotype text built per site with numpy."""
    n = ts.num_samples // 2
    names = [f"s{i:07d}" for i in range(n)]
    bgzip = subprocess.Popen(["bgzip", "-c"], stdin=subprocess.PIPE, stdout=open(out, "wb"))
    w = bgzip.stdin
    w.write(b"##fileformat=VCFv4.2\n")
    w.write(f"##contig=<ID={contig},length={len(ref)}>\n".encode())
    w.write(b'##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    w.write(("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(names) + "\n").encode())
    row = np.empty((n, 4), dtype=np.uint8)
    row[:, 1] = ord("|")
    row[:, 3] = ord("\t")
    row[-1, 3] = ord("\n")
    kept = 0
    last_pos = -1
    for var in ts.variants():
        pos = int(var.site.position)
        if pos == last_pos or pos >= len(ref):
            continue
        last_pos = pos
        g = var.genotypes.astype(np.uint8)
        if g.max() > 1:
            g = np.minimum(g, 1)
        if not g.any():
            continue
        r = int(ref[pos])
        alt = BASES[BASES != r][rng.integers(0, 3)]
        row[:, 0] = g[0::2] + ord("0")
        row[:, 2] = g[1::2] + ord("0")
        w.write(f"{contig}\t{pos + 1}\t.\t{chr(r)}\t{chr(alt)}\t.\tPASS\t.\tGT\t".encode())
        w.write(row.tobytes())
        kept += 1
    w.close()
    if bgzip.wait() != 0:
        raise RuntimeError("bgzip failed")
    subprocess.run(["tabix", "-f", "-p", "vcf", out], check=True)
    return names, kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("samples", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--length", type=int, default=1_000_000)
    ap.add_argument("--mutation-rate", type=float, default=1e-8)
    ap.add_argument("--windows", type=int, default=61)
    ap.add_argument("--window-bp", type=int, default=16_384)
    a = ap.parse_args()
    for tool in ("bgzip", "tabix"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not on PATH: install htslib (bgzip, tabix)")
    if a.windows * a.window_bp > a.length:
        sys.exit(f"{a.windows} windows of {a.window_bp} bp do not fit in {a.length} bp")
    os.makedirs(a.out, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(a.seed)
    ref = write_reference(os.path.join(a.out, "ref.fa"), a.length, rng)
    ts = msprime.sim_ancestry(
        samples=a.samples,
        ploidy=2,
        sequence_length=a.length,
        recombination_rate=1e-8,
        population_size=10_000,
        random_seed=a.seed,
    )
    ts = msprime.sim_mutations(
        ts,
        rate=a.mutation_rate,
        model=msprime.BinaryMutationModel(),
        discrete_genome=True,
        random_seed=a.seed,
    )
    t_sim = time.perf_counter() - t0
    names, kept = write_vcf(ts, os.path.join(a.out, "cohort.vcf.gz"), ref, rng)
    with open(os.path.join(a.out, "windows.bed"), "w") as f:
        for i in range(a.windows):
            f.write(f"chr1\t{i * a.window_bp}\t{(i + 1) * a.window_bp}\n")
    info = {
        "samples": a.samples,
        "variants": kept,
        "length": a.length,
        "windows": a.windows,
        "windowBp": a.window_bp,
        "seed": a.seed,
        "mutationRate": a.mutation_rate,
        "simulateSeconds": t_sim,
        "totalSeconds": time.perf_counter() - t0,
        "msprime": msprime.__version__,
    }
    with open(os.path.join(a.out, "cohort.json"), "w") as f:
        json.dump(info, f)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
