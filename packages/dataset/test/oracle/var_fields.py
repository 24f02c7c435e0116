"""Test oracle: the Python genvarloader's variant fields and allele-frequency filters.

Usage: python var_fields.py DATASET REFERENCE SPEC_JSON

SPEC_JSON: {"regions": [input BED indices], "samples": [names], "modes": {name:
{"var_fields": [names], "min_af": null | float, "max_af": null | float}}}. Prints JSON
{"version", "available": available_var_fields, "haplotypes_af_error": the exception
type the peer raises for haplotypes under min_af (or null), "rows": {mode: [{field:
values} per row]}} with rows in (region, sample, haplotype) order; allele fields as
strings, numeric fields as numbers (NaN as null). REFERENCE must be a scratch copy
(genvarloader writes a cache beside it). Never a dependency of @gvl/dataset.
"""

import json
import sys

import awkward as ak
import genvarloader as gvl

from ragged_rows import plain, rows_of


def main() -> None:
    ds_path, ref_path, spec_json = sys.argv[1:4]
    spec = json.loads(spec_json)
    opened = gvl.Dataset.open(ds_path, reference=ref_path)
    base = opened.with_seqs("variants")
    hap_error = None
    try:
        haps = opened.with_seqs("haplotypes").with_settings(min_af=0.1)
        haps[int(spec["regions"][0]), spec["samples"][0]]
    except Exception as e:  # noqa: BLE001 -- the type is what is reported
        hap_error = type(e).__name__
    rows = {}
    for name, mode in spec["modes"].items():
        ds = base.with_settings(
            var_fields=mode["var_fields"],
            min_af=False if mode["min_af"] is None else mode["min_af"],
            max_af=False if mode["max_af"] is None else mode["max_af"],
        )
        fields = ["start", "alt", *mode["var_fields"]]
        out = []
        for r in spec["regions"]:
            x = ds[int(r), spec["samples"]]
            cols = {f: rows_of(ak.to_list(x[f].to_ak())) for f in dict.fromkeys(fields)}
            n = len(cols["start"])
            for k in range(n):
                out.append({f: [plain(v) for v in cols[f][k]] for f in cols})
        rows[name] = out
    json.dump(
        {
            "version": gvl.__version__,
            "available": opened.available_var_fields,
            "haplotypes_af_error": hap_error,
            "rows": rows,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
