"""Test oracle: the Python genvarloader's haplotype_lengths and n_variants.

Usage: python lengths.py DATASET REFERENCE OUT_DIR SPEC_JSON

SPEC_JSON: {"jitters": [0, 64], "queries": [[regions, samples], ...]} where a query
entry is an int, a sample name, a list of either, or null (all). For jitter J and query
q, writes OUT_DIR/hl_J_q.npy (haplotype_lengths) and OUT_DIR/nv_J_q.npy (n_variants),
int32, in the peer's own shape. REFERENCE must be a scratch copy: genvarloader writes a
cache beside it. Prints JSON {"version"}. Never a dependency of @gvl/dataset.
"""

import json
import sys
from pathlib import Path

import genvarloader as gvl
import numpy as np


def main() -> None:
    ds_path, ref_path, out_dir, spec_json = sys.argv[1:5]
    spec = json.loads(spec_json)
    out = Path(out_dir)
    base = gvl.Dataset.open(ds_path, reference=ref_path).with_seqs("haplotypes")
    for jitter in spec["jitters"]:
        ds = base.with_settings(jitter=jitter)
        for q, (regions, samples) in enumerate(spec["queries"]):
            hl = ds.haplotype_lengths(regions, samples)
            nv = ds.n_variants(regions, samples)
            np.save(out / f"hl_{jitter}_{q}.npy", np.ascontiguousarray(hl, dtype=np.int32))
            np.save(out / f"nv_{jitter}_{q}.npy", np.ascontiguousarray(nv, dtype=np.int32))
    json.dump({"version": gvl.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
