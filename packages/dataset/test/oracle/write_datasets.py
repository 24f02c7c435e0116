"""Test oracle: writes datasets with the Python genvarloader, for byte comparisons.

Usage: python write_datasets.py JOBS_JSON
JOBS_JSON is a list of {"out", "bed", "vcf" (or null), "max_jitter", "extend",
"tracks": [{"name", "paths": {sample: path}}]}. The VCF must sit in a scratch directory:
genvarloader writes its variant index (VCF.gvi.zst) beside it. Never a dependency of
@gvl/dataset.
"""

import json
import sys

import genvarloader as gvl


def main() -> None:
    for job in json.loads(sys.argv[1]):
        tracks = [gvl.BigWigs(t["name"], t["paths"]) for t in job.get("tracks", [])]
        gvl.write(
            job["out"],
            job["bed"],
            job.get("vcf"),
            tracks=tracks or None,
            max_jitter=job["max_jitter"],
            extend_to_length=job["extend"],
            overwrite=True,
        )
    print(gvl.__version__)


if __name__ == "__main__":
    main()
