#!/usr/bin/env bash
# Reproduces the figures of docs/PERFORMANCE.md on this machine: builds the server and the load
# tools, then for each scenario starts a fresh server on a new SQLite file (--demo) and offers a
# constant rate. Usage: bash bench/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
out=bench/out; mkdir -p "$out"
go build -o "$out/openbss" ./cmd/openbss
go build -o "$out/loadgen" ./bench/loadgen
go build -o "$out/baseline" ./bench/baseline
port=18999
serve() { # serve DB EXTRA-FLAGS…
  pkill -f "$out/openbss serve" 2>/dev/null || true; sleep 0.3
  rm -f "$1"*
  "$out/openbss" serve --demo --db "$1" --addr 127.0.0.1:$port "${@:2}" > "$out/serve.log" 2>&1 &
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$out/serve.log"; exit 1
}
lg() { "$out/loadgen" -url http://127.0.0.1:$port -duration "${secs}s" "$@"; }

echo "== raw insert baseline"; "$out/baseline" -seconds "$secs"
for rate in 250 500 1000 1500 2000; do
  serve "$out/place.db" --no-processing; lg -scenario place -rate $rate -json | tee -a "$out/place.jsonl"
done
serve "$out/est.db" --no-processing
for rate in 1000 2000 4000; do lg -scenario estimate -rate $rate -json | tee -a "$out/estimate.jsonl"; done
lg -scenario details -rate 2000
serve "$out/e2e.db"; lg -scenario e2e -rate 300
pkill -f "$out/openbss serve" || true
