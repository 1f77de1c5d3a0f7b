#!/usr/bin/env bash
# Runs every test of vspan: Rust unit, property and integration tests, then the end-to-end
# suites: the control plane through the vendors' official SDKs (tests/aliyun, tests/huawei,
# tests/cli), the data plane against tshark and an independent model (tests/dataplane), and the
# host agent in network namespaces it creates (tests/agent, root only; skipped loudly otherwise).
# Installs what it needs (tshark, a Python virtualenv with the SDKs) on the way; safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== toolchain"
cargo --version

echo "== system packages: tshark (packet checks), iproute2 (namespaces)"
if ! command -v tshark >/dev/null || ! command -v ip >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq tshark iproute2 >/dev/null
  else
    echo "WARNING: tshark or ip missing and not root: the tests that need them will be skipped"
  fi
fi

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
