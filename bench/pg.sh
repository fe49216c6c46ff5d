#!/usr/bin/env bash
# The PostgreSQL figures of docs/PERFORMANCE.md: the raw baseline, placeOrder (closed loop and
# constant rate), end to end, and pgbench running the rows of one order on the same database, with
# the id counters updated in the transaction (bench/pgbench/order.sql) and reserved in blocks
# outside it, as openbss does on PostgreSQL (order-blocks.sql).
# Usage: bash bench/pg.sh [seconds] [postgres-url-of-an-existing-database]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
admin="${2:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
db=openbss_bench
url="${admin%%/postgres\?*}/$db?sslmode=disable"
out=bench/out; mkdir -p "$out"
go build -o "$out/openbss" ./cmd/openbss
go build -o "$out/loadgen" ./bench/loadgen
go build -o "$out/baseline" ./bench/baseline
command -v pgbench >/dev/null || { echo "pgbench not found (apt-get install postgresql-contrib)"; exit 1; }
port=18998
fresh() {
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
}
stop() {
  pkill -f "$out/openbss serve --demo --db postgres" 2>/dev/null || true
  while pgrep -f "$out/openbss serve --demo --db postgres" >/dev/null; do sleep 0.1; done
}
serve() {
  "$out/openbss" serve --demo --db "$url" --addr 127.0.0.1:$port "$@" > "$out/serve-pg.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    kill -0 $pid 2>/dev/null || break
    curl -sf http://127.0.0.1:$port/healthz >/dev/null && return; sleep 0.1
  done
  echo "server did not start"; cat "$out/serve-pg.log"; exit 1
}
lg() { "$out/loadgen" -url http://127.0.0.1:$port -duration "${secs}s" "$@"; }

fresh
echo "== raw insert baseline (one Go client)"; "$out/baseline" -db "$url" -seconds "$secs"
for f in order order-blocks; do
  echo "== pgbench, the rows of one order per transaction (bench/pgbench/$f.sql)"
  for c in 1 16; do pgbench -n -c $c -j $(( c < 2 ? 1 : 2 )) -T "$secs" -f bench/pgbench/$f.sql "$url" 2>/dev/null | grep -E "^(number of clients|tps)"; done
done
stop; fresh; serve --no-processing
echo "== placeOrder"; lg -scenario place -rate 0 -workers 64; lg -scenario place -rate 250; lg -scenario place -rate 1000
stop; fresh; serve
echo "== end to end"; lg -scenario e2e -rate 200
stop; fresh; serve
lg -scenario e2e -rate 600
stop
