"""Test oracle: merges datasets with the Python genvarloader's concat.

Usage: python concat.py JOBS_JSON
JOBS_JSON is a list of {"out", "axis", "inputs": [paths]}; each job runs
genvarloader.concat(out, inputs, axis=axis, overwrite=True). Prints
{"version", "errors": [null, or the ValueError message of a refused merge, per job]},
so one process (one import) serves several jobs. Never a dependency of @gvl/dataset.
"""

import json
import sys

import genvarloader as gvl


def main() -> None:
    errors = []
    for job in json.loads(sys.argv[1]):
        try:
            gvl.concat(job["out"], job["inputs"], job["axis"], overwrite=True)
            errors.append(None)
        except ValueError as e:
            errors.append(str(e))
    json.dump({"version": gvl.__version__, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
