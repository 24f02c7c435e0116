"""Test oracle: prints haplotypes that the Python genvarloader reconstructs from a dataset.

Usage: python haplotypes.py DATASET REFERENCE QUERIES_JSON

genvarloader writes a cache next to REFERENCE (REFERENCE.gvlfa): pass a copy in a
temporary directory, never the shared data.
QUERIES_JSON is a list of [region_index (input BED order), sample_name]. Prints a JSON
list, one entry per query: the haplotype of every ploid as an ASCII string, forward
strand (rc_neg=False), jitter 0, ragged length. Never a dependency of @gvl/dataset.
"""

import json
import sys

import genvarloader as gvl
import numpy as np


def main() -> None:
    ds_path, ref_path, queries_json = sys.argv[1:4]
    queries = json.loads(queries_json)
    ds = gvl.Dataset.open(ds_path, reference=ref_path).with_settings(rc_neg=False)
    out = []
    for region, sample in queries:
        haps = ds[int(region), sample]
        rows = []
        for p in range(haps.shape[0]):
            rows.append(np.asarray(haps[p], dtype="S1").tobytes().decode("ascii"))
        out.append(rows)
    json.dump({"version": gvl.__version__, "haplotypes": out}, sys.stdout)


if __name__ == "__main__":
    main()
