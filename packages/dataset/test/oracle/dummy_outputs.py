"""Test oracle: every output of the Python genvarloader's `get_dummy_dataset`, as JSON.

Usage: python dummy_outputs.py

Prints {"version", "samples", "unspliced": {...}, "spliced": {...}}; each maps an output
kind ("haplotypes", "reference", "read-depth", "annot") to its rows (text for sequences,
lists of floats for tracks) in (region, sample[, ploid or track]) C order for
`ds[:, :]`, plus "n_regions". Never a dependency of @gvl/dataset.
"""

import json
import sys

import genvarloader as gvl
import numpy as np


def rows(x):
    lead = x.shape[:-1]
    for idx in np.ndindex(*lead):
        yield np.asarray(x[idx]).ravel()


def outputs(ds) -> dict:
    out = {"n_regions": int(ds.n_regions)}
    seqs = ds.with_tracks(False)
    out["haplotypes"] = [r.view("S1").tobytes().decode() for r in rows(seqs[:, :])]
    ref = seqs.with_seqs("reference")
    out["reference"] = [r.view("S1").tobytes().decode() for r in rows(ref[:, :])]
    for track in ("read-depth", "annot"):
        t = ds.with_seqs(None).with_tracks(track)
        out[track] = [[float(v) for v in r] for r in rows(t[:, :])]
    return out


def main() -> None:
    result = {
        "version": gvl.__version__,
        "samples": list(gvl.get_dummy_dataset().samples),
        "unspliced": outputs(gvl.get_dummy_dataset()),
        "spliced": outputs(gvl.get_dummy_dataset(spliced=True)),
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
