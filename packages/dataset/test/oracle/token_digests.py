"""Test oracle: SHA-256 digests of tokenized and one-hot sequences from the Python genvarloader.

Usage: python token_digests.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"regions": [input BED indices], "samples": [names], "lengths": ["ragged" | L],
"kinds": ["haplotypes" | "reference"], "alphabet": "ACGT", "unknown_token": 4}
REFERENCE must be a scratch copy: genvarloader writes a cache beside it.

genvarloader 0.43.1 tokenizes only its variant windows, not sequence rows, so the rows
here are its ASCII rows (jitter 0, deterministic, rc_neg True: its defaults, so − strand
rows are reverse-complemented first) passed through its own token table
(`build_token_lut(alphabet, unknown_token)`: dtype uint8 or int32 by its rule). One-hot
is computed here from the ASCII rows: float32, one column per alphabet byte, 1.0 where
the base equals it. Prints JSON: {"version", "dtype", "results": {"<kind>/<len>":
[[bases, tokens_sha256, one_hot_sha256] per row]}} with rows in (region, sample[, ploid])
order, tokens hashed as little-endian bytes of the table's dtype and one-hot as
little-endian float32. Never a dependency of @gvl/dataset.
"""

import hashlib
import json
import sys

import genvarloader as gvl
import numpy as np
from genvarloader._dataset._flat_flanks import build_token_lut


def digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    alphabet = spec["alphabet"].encode("ascii")
    lut, dtype = build_token_lut(alphabet, int(spec["unknown_token"]))
    lut = lut.astype(np.dtype(dtype).newbyteorder("<"))
    columns = np.frombuffer(alphabet, dtype=np.uint8)
    opened = gvl.Dataset.open(ds_path, reference=ref_path).with_tracks(False)
    results = {}
    for kind in spec["kinds"]:
        for length in spec["lengths"]:
            ds = opened.with_seqs(kind).with_len(length)
            out = []
            for r in spec["regions"]:
                x = ds[int(r), spec["samples"]]
                for si in range(len(spec["samples"])):
                    rows = [x[0, si]] if kind == "reference" else [
                        x[0, si, p] for p in range(x.shape[2])
                    ]
                    for row in rows:
                        b = np.asarray(row, dtype="S1").ravel().view(np.uint8)
                        one_hot = (b[:, None] == columns[None, :]).astype("<f4")
                        out.append([int(b.size), digest(lut[b]), digest(one_hot)])
            results[f"{kind}/{length}"] = out
    json.dump(
        {"version": gvl.__version__, "dtype": np.dtype(dtype).name, "results": results},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
