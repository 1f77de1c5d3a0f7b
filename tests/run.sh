#!/usr/bin/env bash
# Runs every test of vspan: Rust unit and integration tests, then the end-to-end suites that
# drive a real `vspan server` through the vendors' official SDKs. Installs what it needs
# (a Python virtualenv with the SDKs) on the way; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== toolchain"
cargo --version

echo "== python virtualenv (.venv) with the official SDKs"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt

echo "== cargo build"
cargo build --workspace --all-targets --locked

echo "== cargo test"
cargo test --workspace --locked

echo "== end-to-end suites (pytest)"
export VSPAN_BIN="$root/target/debug/vspan"
.venv/bin/python -m pytest -q tests
