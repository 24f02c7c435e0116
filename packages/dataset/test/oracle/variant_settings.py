"""Test oracle: the Python genvarloader's variants output under dummy_variant and
unphased_union.

Usage: python variant_settings.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"regions": [input BED indices], "samples": [names], "modes": {name:
{"unphased_union": bool, "dummy": null | {"start", "ilen", "alt"}}}}. Prints JSON
{"version", "ploidy": {mode: int}, "rows": {mode: [[starts], [ilens], [alts]] per row}}
with rows in (region, sample, haplotype) order (one row per item under
unphased_union). REFERENCE must be a scratch copy (genvarloader writes a cache beside
it). Never a dependency of @gvl/dataset.
"""

import json
import sys

import awkward as ak
import genvarloader as gvl

from ragged_rows import rows_of


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    base = gvl.Dataset.open(ds_path, reference=ref_path).with_seqs("variants")
    rows, ploidy = {}, {}
    for name, mode in spec["modes"].items():
        dummy = mode["dummy"]
        ds = base.with_settings(
            unphased_union=mode["unphased_union"],
            dummy_variant=False
            if dummy is None
            else gvl.DummyVariant(
                start=dummy["start"], ilen=dummy["ilen"], alt=dummy["alt"].encode()
            ),
        )
        ploidy[name] = ds.ploidy
        out = []
        for r in spec["regions"]:
            for s in spec["samples"]:
                x = ds[int(r), s]
                starts = rows_of(ak.to_list(x["start"].to_ak()))
                ilens = rows_of(ak.to_list(x["ilen"].to_ak()))
                alts = rows_of(ak.to_list(x["alt"].to_ak()))
                for a, b, c in zip(starts, ilens, alts, strict=True):
                    out.append([a, b, [v.decode() for v in c]])
        rows[name] = out
    json.dump({"version": gvl.__version__, "ploidy": ploidy, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
