"""Test oracle: the Python genvarloader's `dosage` variant field.

Usage: python dosage.py VCF BED SCRATCH REFERENCE SPEC_JSON

Writes a SparseVar with dosages from VCF (genoray `SparseVar.from_vcf(..., VCF(vcf,
dosage_field="DS"), with_dosages=True)`) and a dataset over BED from it
(`genvarloader.write(..., variants=svar)`), both under SCRATCH, then reads
`with_seqs("variants")` with `var_fields=["alt", "ilen", "start", "dosage"]`.

SPEC_JSON: {"regions": [input BED indices], "samples": [names], "rc_neg": [bools]}.
Prints JSON {"version", "available": available_var_fields, "rows": {"true"|"false":
[{field: values} per row]}}, rows in (region, sample, haplotype) order; ALT as strings,
numbers as numbers (NaN as null). REFERENCE must be a scratch copy. Never a dependency
of @gvl/dataset.
"""

import contextlib
import json
import sys
from pathlib import Path

import awkward as ak
import genvarloader as gvl
from genoray import VCF, SparseVar

from ragged_rows import plain, rows_of


def main() -> None:
    # Progress and summaries go to stderr: stdout carries only the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        result = compute()
    json.dump(result, sys.stdout)


def compute() -> dict:
    vcf_path, bed_path, scratch, ref_path, spec_json = sys.argv[1:6]
    spec = json.loads(spec_json)
    scratch = Path(scratch)
    svar_path = scratch / "dosage.svar"
    SparseVar.from_vcf(
        svar_path, VCF(vcf_path, dosage_field="DS"), "1g", with_dosages=True, n_jobs=1
    )
    ds_path = scratch / "peer.gvl"
    gvl.write(ds_path, bed_path, variants=SparseVar(svar_path))
    opened = gvl.Dataset.open(ds_path, reference=ref_path)
    fields = ["alt", "ilen", "start", "dosage"]
    rows = {}
    for rc in spec["rc_neg"]:
        ds = opened.with_seqs("variants").with_settings(var_fields=fields, rc_neg=rc)
        out = []
        for r in spec["regions"]:
            x = ds[int(r), spec["samples"]]
            cols = {f: rows_of(ak.to_list(x[f].to_ak())) for f in fields}
            for k in range(len(cols["start"])):
                out.append({f: [plain(v) for v in cols[f][k]] for f in fields})
        rows["true" if rc else "false"] = out
    return {"version": gvl.__version__, "available": opened.available_var_fields, "rows": rows}


if __name__ == "__main__":
    main()
