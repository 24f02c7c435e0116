"""Test oracle: merges datasets with the Python genvarloader's concat.

Usage: python concat.py OUT AXIS INPUT1 INPUT2 [...]
Runs genvarloader.concat(OUT, [INPUT...], axis=AXIS, overwrite=True) and prints the
version. On a rejected merge prints {"error": message} and exits 3, so a test can
check that the peer refuses what concat here refuses. Never a dependency of
@gvl/dataset.
"""

import json
import sys

import genvarloader as gvl


def main() -> None:
    out, axis, *inputs = sys.argv[1:]
    try:
        gvl.concat(out, inputs, axis, overwrite=True)
    except ValueError as e:
        json.dump({"error": str(e)}, sys.stdout)
        sys.exit(3)
    json.dump({"version": gvl.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
