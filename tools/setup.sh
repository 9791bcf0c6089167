#!/usr/bin/env bash
# One-time, idempotent set-up for a fresh clone: Python virtualenv from the hashed lock file (and
# torch's, with GPUMARKET_SETUP_TORCH=1), checked by `pip check`; npm packages from
# package-lock.json, and a solc 0.8.30 that Brownie can use (native if it can be downloaded,
# otherwise the solc-js wrapper in tools/solc). Each step is skipped when its stamp is newer than
# its inputs, so a second run takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3.11}
VENV=$ROOT/.venv
TOOLCHAIN=$ROOT/.toolchain
SOLC_VERSION=0.8.30
mkdir -p "$TOOLCHAIN"

newer() { [ ! -e "$1" ] || [ -n "$(find "${@:2}" -newer "$1" 2>/dev/null | head -n 1)" ]; }

# pip, its machine-specific "Location ... is ignored" warnings left out, its exit status kept.
pip() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v '^WARNING: Location' >&2); }

if newer "$VENV/.stamp" requirements.lock pyproject.toml; then
  echo "setup: Python virtualenv (.venv) from requirements.lock (every file checked by its hash)"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # The lock is the whole closure, pinned and hashed (pip-compile: see its header), installed
  # through the resolver: pip refuses a file whose bytes differ and a set that does not fit.
  pip install -q --require-hashes -r requirements.lock
  pip install -q --no-deps --no-build-isolation -e .
  # What an older lock installed and this one no longer has (pydantic-settings, python-dotenv's
  # other pin) goes, so `pip check` sees exactly the lock; torch and its lock are kept.
  "$VENV/bin/python" tools/lock_extras.py requirements.lock requirements-torch.lock \
    | xargs -r "$VENV/bin/python" -m pip uninstall -q -y
  (cd / && "$VENV/bin/python" -c "import brownie, gpumarket, iso3166") || exit 1
  [ -x "$VENV/bin/gpumarket" ] || exit 1
  rm -f "$VENV/.torch-stamp"
  touch "$VENV/.stamp"
fi

# torch only where the tests want it (`make test`, GPUMARKET_SETUP_TORCH=1): a CPU build, so the
# torch PoGEMM backends are tested against numpy and the reference. Not for the demo, and the
# `gpu` extra (a CUDA build) is the provider's own install. Without it those tests skip.
if [ "${GPUMARKET_SETUP_TORCH:-0}" = 1 ] && newer "$VENV/.torch-stamp" requirements-torch.lock; then
  echo "setup: torch 2.13.0 (CPU build) from requirements-torch.lock, for the tests"
  if pip install -q --require-hashes --extra-index-url https://download.pytorch.org/whl/cpu \
      -r requirements-torch.lock; then
    touch "$VENV/.torch-stamp"
  else
    echo "setup: torch 2.13.0+cpu unavailable; the torch PoGEMM backends will not be tested"
  fi
fi

if newer "$VENV/.checked" "$VENV/.stamp" "$VENV/.torch-stamp"; then
  pip check || { echo "setup: pip check found the packages above inconsistent" >&2; exit 1; }
  touch "$VENV/.checked"
fi

if newer node_modules/.stamp package-lock.json; then
  echo "setup: npm ci (solc-js, anvil, ganache, OpenZeppelin)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.stamp
fi

SOLC_DIR=$TOOLCHAIN/solcx
SOLC_BIN=$SOLC_DIR/solc-v$SOLC_VERSION
if [ ! -x "$SOLC_BIN" ]; then
  mkdir -p "$SOLC_DIR"
  echo "setup: solc $SOLC_VERSION: trying the native binary"
  if ! SOLCX_BINARY_PATH=$SOLC_DIR timeout 60 "$VENV/bin/python" -c \
      "import solcx; solcx.install_solc('$SOLC_VERSION')" >/dev/null 2>&1; then
    echo "setup: native solc unavailable here; using the solc-js wrapper (tools/solc)"
    printf '#!/bin/sh\nexec node "%s/tools/solc/solc-js-wrapper.js" "$@"\n' "$ROOT" > "$SOLC_BIN"
    chmod +x "$SOLC_BIN"
  fi
fi
"$SOLC_BIN" --version | grep -q "$SOLC_VERSION" || { echo "setup: $SOLC_BIN is not solc $SOLC_VERSION" >&2; exit 1; }
