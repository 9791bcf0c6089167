#!/usr/bin/env bash
# One-time, idempotent set-up for a fresh clone: Python virtualenv from the lock file, npm packages
# from package-lock.json, and a solc 0.8.30 that Brownie can use (native if it can be downloaded,
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

if newer "$VENV/.stamp" requirements.lock requirements-cli.lock pyproject.toml; then
  echo "setup: Python virtualenv (.venv) from requirements.lock"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  # The lock file is a complete, pinned closure, installed without the resolver: eth-brownie pins
  # python-dotenv 0.16 while pydantic-settings needs >= 0.21, and brownie works with 1.x.
  echo "setup: [1/4] pip install -r requirements.lock (the longest step: minutes on a fresh clone)"
  "$VENV/bin/python" -m pip install -q --no-deps -r requirements.lock 2>&1 | grep -v '^WARNING: Location' || true
  echo "setup: [2/4] pip install --require-hashes -r requirements-cli.lock"
  # Packages pinned with their hashes: pip refuses any file whose bytes differ.
  "$VENV/bin/python" -m pip install -q --no-deps --require-hashes -r requirements-cli.lock 2>&1 \
    | grep -v '^WARNING: Location' || true
  echo "setup: [3/4] pip install -e . (gpumarket itself)"
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e . 2>&1 | grep -v '^WARNING: Location' || true
  # The `gpu` extra: a CPU build of torch where one is at hand, so the torch backends are tested
  # against numpy and the reference. Without it those tests skip and numpy serves alone.
  echo "setup: [4/4] pip install torch==2.13.0 (CPU build, for the torch backends' tests)"
  "$VENV/bin/python" -m pip install -q --no-deps torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c "import torch" 2>/dev/null \
    || echo "setup: torch 2.13.0 unavailable; the torch PoGEMM backends will not be tested"
  (cd / && "$VENV/bin/python" -c "import brownie, gpumarket, iso3166") || exit 1
  [ -x "$VENV/bin/gpumarket" ] || exit 1
  touch "$VENV/.stamp"
fi

if newer node_modules/.stamp package-lock.json; then
  echo "setup: npm ci (solc-js, anvil, ganache, OpenZeppelin; a minute or so)"
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
