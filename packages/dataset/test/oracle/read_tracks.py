"""Test oracle: SHA-256 digests of the float32 tracks the Python genvarloader returns.

Usage: python read_tracks.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"regions": [input BED indices], "samples": [names], "tracks": [names],
            "modes": [{"seqs": "haplotypes" | null, "length": "ragged" | L,
                       "fill": null | {"kind": ..., params}}]}
REFERENCE must be a scratch copy. Settings: jitter 0, deterministic, rc_neg True.
Prints {"version", "results": [[[len, sha256hex] per row] per mode]}, rows in
(region, sample, track[, ploid]) order. Never a dependency of @gvl/dataset.
"""

import hashlib
import json
import sys

import genvarloader as gvl
import numpy as np

FILLS = {
    "repeat5p": lambda f: gvl.Repeat5p(),
    "repeat5pNormalized": lambda f: gvl.Repeat5pNormalized(),
    "constant": lambda f: gvl.Constant(value=f.get("value", float("nan"))),
    "flankSample": lambda f: gvl.FlankSample(flank_width=f.get("flankWidth", 5)),
    "interpolate": lambda f: gvl.Interpolate(order=f.get("order", 1)),
}


def digest(a) -> list:
    b = np.ascontiguousarray(np.asarray(a, dtype=np.float32)).tobytes()
    return [len(b) // 4, hashlib.sha256(b).hexdigest()]


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    base = gvl.Dataset.open(ds_path, reference=ref_path).with_tracks(spec["tracks"])
    results = []
    for mode in spec["modes"]:
        ds = base.with_seqs(mode["seqs"]).with_len(mode["length"])
        if mode.get("fill"):
            ds = ds.with_insertion_fill(FILLS[mode["fill"]["kind"]](mode["fill"]))
        rows = []
        for r in spec["regions"]:
            for s in spec["samples"]:
                out = ds[int(r), s]
                trk = out[1] if isinstance(out, tuple) else out
                for t in range(len(spec["tracks"])):
                    if mode["seqs"] == "haplotypes":
                        for p in range(trk.shape[1]):
                            rows.append(digest(trk[t][p]))
                    else:
                        rows.append(digest(trk[t]))
        results.append(rows)
    json.dump({"version": gvl.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
