"""Test oracle: SHA-256 digests of what the Python genvarloader reads from a dataset.

Usage: python read_digests.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"regions": [input BED indices], "samples": [names],
            "modes": [["haplotypes", "ragged" | L], ["reference", "ragged" | L], ...]}
REFERENCE must be a scratch copy: genvarloader writes a cache beside it.
Settings: jitter 0, deterministic, rc_neg True (the peer's defaults). Prints JSON:
{"version", "results": {"<kind>:<len>": [[len, sha256hex] per row]}} with rows in
(region, sample, ploid) order for haplotypes and (region, sample) order for reference.
Never a dependency of @gvl/dataset.
"""

import hashlib
import json
import sys

import genvarloader as gvl
import numpy as np


def rows_of(arr, ploidy_axis: bool):
    a = np.asarray(arr)
    if ploidy_axis:
        return [a[p] for p in range(a.shape[0])]
    return [a]


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    base = gvl.Dataset.open(ds_path, reference=ref_path)
    results = {}
    for kind, length in spec["modes"]:
        ds = base.with_seqs(kind).with_len(length)
        out = []
        for r in spec["regions"]:
            for s in spec["samples"]:
                x = ds[int(r), s]
                if length == "ragged":
                    n_rows = x.shape[0] if kind == "haplotypes" else 1
                    for p in range(n_rows):
                        row = x[p] if kind == "haplotypes" else x
                        b = np.asarray(row, dtype="S1").tobytes()
                        out.append([len(b), hashlib.sha256(b).hexdigest()])
                else:
                    a = np.asarray(x, dtype="S1")
                    for row in rows_of(a, kind == "haplotypes"):
                        b = row.tobytes()
                        out.append([len(b), hashlib.sha256(b).hexdigest()])
        results[f"{kind}:{length}"] = out
    json.dump({"version": gvl.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
