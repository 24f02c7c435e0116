"""Test oracle: SHA-256 digests of the annotated haplotypes the Python genvarloader reads.

Usage: python annotated_digests.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"regions": [input BED indices], "samples": [names], "lengths": ["ragged" | L]}
REFERENCE must be a scratch copy: genvarloader writes a cache beside it.
Settings: jitter 0, deterministic, rc_neg True (the peer's defaults). Prints JSON:
{"version", "results": {"<len>": [[len, haps_sha256, var_idxs_sha256, ref_coords_sha256]
per row]}} with rows in (region, sample, ploid) order; var_idxs and ref_coords are
hashed as little-endian int32 bytes. Never a dependency of @gvl/dataset.
"""

import hashlib
import json
import sys

import genvarloader as gvl
import numpy as np


def digest(a, dtype) -> str:
    return hashlib.sha256(np.ascontiguousarray(a, dtype=dtype).tobytes()).hexdigest()


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    base = gvl.Dataset.open(ds_path, reference=ref_path).with_seqs("annotated")
    results = {}
    for length in spec["lengths"]:
        ds = base.with_len(length)
        out = []
        for r in spec["regions"]:
            # One call per region for all samples: shape (1, samples, ploidy, ~length).
            x = ds[int(r), spec["samples"]]
            for si in range(len(spec["samples"])):
                for p in range(x.haps.shape[2]):
                    h = np.asarray(x.haps[0, si, p], dtype="S1").ravel()
                    out.append(
                        [
                            int(h.size),
                            digest(h, "S1"),
                            digest(np.asarray(x.var_idxs[0, si, p]).ravel(), "<i4"),
                            digest(np.asarray(x.ref_coords[0, si, p]).ravel(), "<i4"),
                        ]
                    )
        results[str(length)] = out
    json.dump({"version": gvl.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
