#!/usr/bin/env bash
# Creates (idempotently) the Python venv that runs the cohort simulator
# (python/simulate_cohort.py: msprime). Never needed by the packages or by CI: the
# benchmark's cohort section skips with the reason when it is absent.
# Usage: apps/bench/scripts/setup-sim-venv.sh [VENV_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="$(cd "$here/.." && pwd)"
venv="${1:-${GVL_BENCH_SIM_VENV:-$app/.venv-sim}}"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import msprime, numpy" 2>/dev/null; then
  echo "[setup-sim-venv] msprime already in $venv"
  exit 0
fi

echo "[setup-sim-venv] creating $venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$app/python/requirements-sim.txt"
"$venv/bin/python" -c "import msprime; print('[setup-sim-venv] msprime', msprime.__version__)"
