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
stop() { # stop the server of the previous run and wait until it has exited
  pkill -f "$out/openbss serve" 2>/dev/null || true
  while pgrep -f "$out/openbss serve" >/dev/null; do sleep 0.1; done
}
serve() { # serve DB EXTRA-FLAGS…: a fresh database and server for each run
  stop
  rm -f "$1"*
  "$out/openbss" serve --demo --db "$1" --addr 127.0.0.1:$port "${@:2}" > "$out/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do
    kill -0 $pid 2>/dev/null || break
    curl -sf http://127.0.0.1:$port/healthz >/dev/null && return; sleep 0.1
  done
  echo "server did not start"; cat "$out/serve.log"; exit 1
}
lg() { "$out/loadgen" -url http://127.0.0.1:$port -duration "${secs}s" "$@"; }
# wrk SCRIPT CONNECTIONS: a closed loop from wrk (C, one thread), which leaves the server more of
# the two cores than the Go load generator; the server's CPU seconds are printed beside it.
wrkrun() {
  if ! command -v wrk >/dev/null; then echo "wrk not found (apt-get install wrk): skipped"; return; fi
  local pid; pid=$(pgrep -f "$out/openbss serve" | head -1)
  local a; a=$(awk '{print $14+$15}' /proc/$pid/stat)
  wrk -t1 -c"$2" -d"${secs}s" --latency -s "$1" http://127.0.0.1:$port | grep -E "Requests/sec|50%|99%|Non-2xx|requests in"
  echo "server CPU: $(( ($(awk '{print $14+$15}' /proc/$pid/stat) - a) * 10 )) ms"
}

echo "== raw insert baseline"; "$out/baseline" -seconds "$secs"
rm -f "$out/place.jsonl"
for rate in 500 1000 1500 2000 2500 3000 4000 5000 6000; do
  serve "$out/place.db" --no-processing; lg -scenario place -rate $rate -json | tee -a "$out/place.jsonl"
done
serve "$out/place.db" --no-processing
echo "== placeOrder, closed loop (64 in flight)"; lg -scenario place -rate 0 -workers 64
serve "$out/place.db" --no-processing
echo "== placeOrder, closed loop from wrk (64 connections)"; wrkrun bench/wrk/place.lua 64
serve "$out/est.db" --no-processing
for rate in 2000 4000 8000; do lg -scenario estimate -rate $rate; done
echo "== estimate, closed loop (64 in flight)"; lg -scenario estimate -rate 0 -workers 64
echo "== estimate, closed loop from wrk (128 connections)"; wrkrun bench/wrk/estimate.lua 128
lg -scenario details -rate 2000
serve "$out/e2e.db"; lg -scenario e2e -rate 1000
serve "$out/e2e.db"; lg -scenario e2e -rate 1500
stop
go run ./bench/plot -in "$out/place.jsonl" -out docs/performance-place.png
