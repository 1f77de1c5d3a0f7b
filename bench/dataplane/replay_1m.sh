#!/usr/bin/env bash
# End-to-end `vspan replay` on a generated 1,000,000-packet capture (64-byte frames, 3 sessions
# of 10 rules per direction in which every frame walks every rule; the last rule of the last
# session mirrors it). Prints the replay summary and the wall/CPU time.
#
#   bench/dataplane/replay_1m.sh [PACKETS] [FRAME_SIZE]
#
# Files go to bench/out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
size=${2:-64}
out=bench/out
mkdir -p "$out"
cargo build --release -q -p vspan
cargo build --release -q -p vspan-dataplane --example gen_capture
target=${CARGO_TARGET_DIR:-target}
"$target/release/examples/gen_capture" "$out/in-$size.pcap" "$n" "$size" "$out/sessions.json" 10 3
ls -l "$out/in-$size.pcap"
# Warm the page cache so the figure is about the data plane, not the disk.
cat "$out/in-$size.pcap" > /dev/null
/usr/bin/time -f "wall %e s  user %U s  sys %S s  maxrss %M KB" \
  "$target/release/vspan" replay --sessions "$out/sessions.json" "$out/in-$size.pcap" \
  -o "$out/out-$size.pcap" --direction ingress --no-progress
