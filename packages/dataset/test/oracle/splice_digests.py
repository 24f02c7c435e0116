"""Test oracle: SHA-256 digests of the spliced (transcript) rows the Python genvarloader reads.

Usage: python splice_digests.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"splice_info": COLUMN | [ID_COLUMN, ORDER_COLUMN], "samples": [names],
"kinds": ["haplotypes" | "reference" | "annotated"]}
REFERENCE must be a scratch copy: genvarloader writes a cache beside it.
Settings: jitter 0, deterministic, rc_neg True (the peer's defaults), ragged output.
Prints JSON: {"version", "n_rows", "results": {"<kind>": [[len, sha256] per row]}} with
rows in (transcript, sample[, ploid]) order, transcripts in the peer's order; for
"annotated" each row is [len, haps_sha256, var_idxs_sha256, ref_coords_sha256]
(int32 little-endian). Never a dependency of @gvl/dataset.
"""

import hashlib
import json
import sys

import genvarloader as gvl
import numpy as np


def digest(a, dtype) -> str:
    return hashlib.sha256(np.ascontiguousarray(a, dtype=dtype).tobytes()).hexdigest()


def rows(x):
    """Rows of a peer Ragged in C order of its leading dims."""
    lead = x.shape[:-1]
    for idx in np.ndindex(*lead):
        yield np.asarray(x[idx]).ravel()


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    info = spec["splice_info"]
    info = info if isinstance(info, str) else tuple(info)
    base = gvl.Dataset.open(ds_path, reference=ref_path).with_settings(splice_info=info)
    samples = spec["samples"]
    results = {}
    for kind in spec["kinds"]:
        ds = base.with_seqs(kind)
        x = ds[:, samples]
        out = []
        if kind == "annotated":
            for h, v, c in zip(rows(x.haps), rows(x.var_idxs), rows(x.ref_coords)):
                out.append(
                    [
                        int(h.size),
                        digest(h.view("S1"), "S1"),
                        digest(v, "<i4"),
                        digest(c, "<i4"),
                    ]
                )
        else:
            for r in rows(x):
                out.append([int(r.size), digest(r.view("S1"), "S1")])
        results[kind] = out
    json.dump(
        {"version": gvl.__version__, "n_rows": int(base.n_regions), "results": results},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
