#!/usr/bin/env bash
# The order-list figures of docs/PERFORMANCE.md on a big data set (bench/datagen): each of the
# seed's filters with limit(0,100) and APS-Skip-Content-Range at a constant rate (p50/p99), the
# same query with the exact Content-Range total (time of one request), and the server's peak
# resident set. A filter whose single request takes over 100 ms gets no rate run (it could not keep up): its one
# request's time is shown in parentheses. Usage: bash bench/list.sh DB [seconds] [rate]
#   go run ./bench/datagen -db /tmp/big10m.db -orders 10000000 && bash bench/list.sh /tmp/big10m.db
set -euo pipefail
cd "$(dirname "$0")/.."
db="$1"; secs="${2:-5}"; rate="${3:-200}"
out=bench/out; mkdir -p "$out"
go build -o "$out/openbss" ./cmd/openbss
go build -o "$out/loadgen" ./bench/loadgen
port=18997
pkill -f "$out/openbss serve --db $db" 2>/dev/null || true; sleep 0.5
"$out/openbss" serve --db "$db" --demo --no-processing --addr 127.0.0.1:$port > "$out/serve-list.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
om="http://127.0.0.1:$port/aps/2/services/order-manager/orders"
auth="Authorization: Bearer demo-provider-token"
printf '%-70s %9s %9s %9s %12s %10s\n' filter served/s p50_ms p99_ms count_ms total
for f in 'in(type,(SO,BO))' 'eq(type,CF)' 'in(status,(NOT_STARTED))' 'in(status,(COMPLETED,IN_PROGRESS)),eq(type,CF)' \
  'in(provisioningStatus,(NOT_STARTED)),in(paymentStatus,(NOT_STARTED))' 'like(orderNumber,*00001)' \
  'like(number,SO00001?)' 'ge(creationTime,2019-01-03T00:00:00Z),le(creationTime,2019-01-05T12:00:00Z)' \
  'ge(orderDate,2019-03-22T00:00:00Z),le(expirationDate,2019-03-26T00:00:00Z)' 'sort(-internalId)' 'sort(creationTime)' \
  'or(eq(type,RN),eq(type,CH))' 'not(in(type,(SO,RN,CH,CL,CF)))' 'like(endCustomerName,John*)' \
  'eq(endCustomerType,CUSTOMER)' 'like(ORDER_ID1,test1234)' 'like(ORDER_ID1,test*)' 'eq(customerId,00b60056-8b0a-4981-8ca4-d114346cd652)'; do
  q="$f,limit(0,100)"
  curl -s -o /dev/null -H "$auth" -H 'APS-Skip-Content-Range: true' "$om?$q" # warm-up
  one=$(curl -s -o /dev/null -w '%{time_total}' -H "$auth" -H 'APS-Skip-Content-Range: true' "$om?$q" | awk '{printf "%.0f", $1*1000}')
  c=$(curl -s -o /dev/null -D - -w 'TIME %{time_total}\n' -H "$auth" "$om?$q")
  total=$(echo "$c" | tr -d '\r' | awk -F/ '/^Content-Range/ {print $2}')
  ms=$(echo "$c" | awk '/^TIME/ {printf "%.0f", $2*1000}')
  if [ "$one" -gt 100 ]; then # too slow to offer a rate: one request's time
    printf '%-70s %9s %9s %9s %12s %10s\n' "$f" "-" "($one)" "-" "$ms" "${total:--}"
    continue
  fi
  r=$("$out/loadgen" -url http://127.0.0.1:$port -scenario list -filter "$q" -rate "$rate" -duration "${secs}s" -json)
  echo "$r" | python3 -c "import json,sys; r=json.load(sys.stdin); print('%-70s %9.0f %9.2f %9.2f %12s %10s' % (sys.argv[1], r['throughput'], r['p50ms'], r['p99ms'], sys.argv[2], sys.argv[3]))" "$f" "$ms" "${total:--}"
done
echo "peak resident set: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
kill $pid
