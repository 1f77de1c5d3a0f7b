#!/usr/bin/env bash
# API benchmark: signed CreateTrafficMirrorSession + ListTrafficMirrorSessions(by id) pairs per
# second from one sequential client, vspan against moto_server (AWS's equivalent calls through
# boto3), and ListTrafficMirrorSessions latency with 10 / 1,000 / 100,000 stored sessions.
# Everything listens on 127.0.0.1 only. Results: bench/out/api-results.txt (+ JSON next to it).
#
# Knobs (environment): SECONDS_PER_RUN (10), LEVELS (10,1000,100000), SAMPLES (2000),
# FILL_CONNS (3), FILL_BUDGET (seconds of filling before giving up on a level, 180), ENIS (source and target ENIs per region, 1024), SKIP_MOTO=1, SKIP_SDK=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/bench/out"
HERE="$ROOT/bench/api"
SECS="${SECONDS_PER_RUN:-10}"
LEVELS="${LEVELS:-10,1000,100000}"
SAMPLES="${SAMPLES:-2000}"
FILL_CONNS="${FILL_CONNS:-3}"
FILL_BUDGET="${FILL_BUDGET:-180}"
ENIS="${ENIS:-1024}"
# The key pair `rpc_pairs config` writes into the server configuration.
AK="LTAIvspanBenchKey0001"
SECRET="vspanBenchSecret000000000000001"
mkdir -p "$OUT"
cd "$ROOT"

# Server on CPU 0, client on CPU 1 when there are two CPUs to pin to.
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SRV=(taskset -c 0); CLI=(taskset -c 1); PINNED="server CPU 0, client CPU 1"
else
  SRV=(); CLI=(); PINNED="not pinned"
fi

log() { printf '\n== %s\n' "$*" >&2; }

# ---- build ---------------------------------------------------------------------------------
log "building vspan (release) and the rpc_pairs bench"
cargo build --release -p vspan
BENCH="$(cargo bench -p vspan-api --bench rpc_pairs --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n1)"
[ -x "$BENCH" ] || { echo "could not find the rpc_pairs executable" >&2; exit 1; }
VSPAN="$ROOT/target/release/vspan"

# ---- Python venv (moto[server], boto3, the Alibaba Cloud SDK) -------------------------------
VENV="$OUT/venv"
if [ ! -f "$VENV/.bench-ready" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "moto[server]" boto3 alibabacloud-vpc20160428 alibabacloud-tea-openapi
  touch "$VENV/.bench-ready"
fi
PY="$VENV/bin/python"

# ---- process helpers -----------------------------------------------------------------------
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() { # pid port
  for _ in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || { echo "server (pid $1) exited before listening" >&2; return 1; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$2 after 30 s" >&2; return 1
}

stop() { # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

SERVER_PID=""
start_vspan() { # name -> sets SERVER_PID, PORT
  local name="$1"
  PORT="$(free_port)"
  rm -rf "$OUT/$name-data"
  "$BENCH" config --listen "127.0.0.1:$PORT" --data-dir "$OUT/$name-data" --enis "$ENIS" \
    --out "$OUT/$name.toml"
  RUST_LOG=warn "${SRV[@]}" "$VSPAN" server --config "$OUT/$name.toml" >"$OUT/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$SERVER_PID" "$PORT"
}

rm -f "$OUT"/api-*.json

# ---- moto_server + boto3 -------------------------------------------------------------------
if [ "${SKIP_MOTO:-0}" != 1 ]; then
  log "moto_server + boto3: ${SECS}s of Create+Describe(by id) pairs"
  PORT="$(free_port)"
  "${SRV[@]}" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$OUT/moto.log" 2>&1 &
  MOTO_PID=$!
  PIDS+=("$MOTO_PID")
  wait_port "$MOTO_PID" "$PORT"
  "${CLI[@]}" "$PY" "$HERE/moto_pairs.py" --endpoint "http://127.0.0.1:$PORT" --seconds "$SECS" \
    --json "$OUT/api-moto.json"
  stop "$MOTO_PID"
fi

# ---- vspan, Rust client ----------------------------------------------------------------------
log "vspan + Rust client: ${SECS}s of Create+List(by id) pairs"
start_vspan vspan-pairs
"${CLI[@]}" "$BENCH" pairs --endpoint "127.0.0.1:$PORT" --seconds "$SECS" --enis "$ENIS" \
  --json "$OUT/api-vspan-rust.json"
stop "$SERVER_PID"

# ---- vspan, Python SDK -----------------------------------------------------------------------
if [ "${SKIP_SDK:-0}" != 1 ]; then
  log "vspan + Python SDK (alibabacloud-vpc20160428): ${SECS}s of Create+List(by id) pairs"
  start_vspan vspan-sdk
  "${CLI[@]}" "$PY" "$HERE/sdk_pairs.py" --endpoint "127.0.0.1:$PORT" --ak "$AK" --secret "$SECRET" \
    --enis "$ENIS" --seconds "$SECS" --json "$OUT/api-vspan-sdk.json"
  stop "$SERVER_PID"
fi

# ---- vspan, List latency by stored sessions ---------------------------------------------------
log "vspan + Rust client: List latency at $LEVELS stored sessions"
start_vspan vspan-levels
"${CLI[@]}" "$BENCH" levels --endpoint "127.0.0.1:$PORT" --levels "$LEVELS" --samples "$SAMPLES" \
  --fill-conns "$FILL_CONNS" --fill-budget "$FILL_BUDGET" --enis "$ENIS" --json "$OUT/api-levels.json"
stop "$SERVER_PID"
du -sh "$OUT/vspan-levels-data" >&2 || true

# ---- summary --------------------------------------------------------------------------------
"$PY" "$HERE/summary.py" --out "$OUT" --pinned "$PINNED" --seconds "$SECS" | tee "$OUT/api-results.txt"
