#!/usr/bin/env bash
# Creates (idempotently) the Python venv holding the pinned genvarloader used as a test
# oracle. It is never a dependency of @gvl/dataset: tests skip with the reason when the
# venv is absent. Usage: packages/dataset/scripts/setup-oracle.sh [VENV_DIR]
set -euo pipefail

GVL_VERSION="0.43.1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
venv="${1:-${GVL_ORACLE_VENV:-$pkg/.venv-oracle}}"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] &&
  "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('genvarloader') != '$GVL_VERSION')" 2>/dev/null; then
  echo "[setup-oracle] genvarloader $GVL_VERSION already in $venv"
  exit 0
fi

echo "[setup-oracle] creating $venv with genvarloader==$GVL_VERSION"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "genvarloader==$GVL_VERSION"
"$venv/bin/python" -c "import genvarloader; print('[setup-oracle] genvarloader', genvarloader.__version__)"
