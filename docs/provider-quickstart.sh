#!/usr/bin/env bash
# Provider quick start: from an empty database to a completed sales order, through the
# management API with curl and jq.
#
#   docs/provider-quickstart.sh            # a fresh SQLite file in a temporary directory
#   OPENBSS_DB=postgres://… docs/provider-quickstart.sh   # an empty PostgreSQL database
#
# It creates the provider (openbss init), starts `openbss serve`, then as the provider creates a
# reseller with a payment method and an API token; as the reseller, a customer; as the provider,
# two resources (one requires the other), a plan selling both, its delegation to the reseller
# with a 20% cost discount, and a tax rule; as the reseller, a promotion; and finally, as the
# reseller, a SALES order for the customer, which it follows until it is completed (CP).
#
# Environment: OPENBSS (the binary; default `openbss` on the PATH, else built from this
# checkout), OPENBSS_DB (default: a new SQLite file), OPENBSS_ADDR (default 127.0.0.1:18089).
set -euo pipefail

for tool in curl jq; do
	command -v "$tool" >/dev/null || { echo "quickstart: $tool is required" >&2; exit 2; }
done
work=$(mktemp -d)
if [[ -z "${OPENBSS:-}" ]]; then
	if command -v openbss >/dev/null; then
		OPENBSS=openbss
	else
		echo "== building openbss"
		(cd "$(dirname "$0")/.." && go build -o "$work/openbss" ./cmd/openbss)
		OPENBSS=$work/openbss
	fi
fi
DB=${OPENBSS_DB:-$work/openbss.db}
ADDR=${OPENBSS_ADDR:-127.0.0.1:18089}
BASE=http://$ADDR/aps/2

# api METHOD PATH TOKEN [BODY]: prints the answer; stops the script on an HTTP error.
api() {
	local method=$1 path=$2 token=$3 body=${4:-}
	local args=(-sS -X "$method" -H "Authorization: Bearer $token" -w '\n%{http_code}')
	if [[ -n "$body" ]]; then
		args+=(-H 'Content-Type: application/json' --data "$body")
	fi
	local out code
	out=$(curl "${args[@]}" "$BASE$path")
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	if ((code >= 400)); then
		echo "quickstart: $method $path answered $code: $out" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

echo "== 1. the provider (openbss init on an empty database)"
PROVIDER_TOKEN=$("$OPENBSS" init --db "$DB" --provider-name "Example Provider" | tail -n 1)

echo "== 2. the server"
"$OPENBSS" serve --db "$DB" --addr "$ADDR" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	curl -sf "http://$ADDR/readyz" >/dev/null && break
	sleep 0.1
done
curl -sf "http://$ADDR/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

echo "== 3. a reseller, the payment method it offers its customers, and its API token"
RESELLER=$(api POST /collections/accounts "$PROVIDER_TOKEN" \
	'{"type": "RESELLER", "companyName": "Example Reseller", "contact": {"email": "sales@reseller.example"}}' | jq -r .aps.id)
api POST "/collections/accounts/$RESELLER/paymentMethods" "$PROVIDER_TOKEN" \
	'{"paymentSystemId": "Demo.Redirect", "paymentSystem": "Demo Payment Gateway", "name": "Card (demo gateway)",
	  "type": "EXTERNAL", "perCustomer": false, "defaultMethod": true}' >/dev/null
RESELLER_TOKEN=$(api POST "/collections/accounts/$RESELLER/tokens" "$PROVIDER_TOKEN" \
	'{"name": "reseller integration", "scopes": ["orders:read", "orders:write", "admin"]}' | jq -r .token)

echo "== 4. a customer, created by the reseller"
CUSTOMER=$(api POST /collections/accounts "$RESELLER_TOKEN" \
	'{"type": "CUSTOMER", "companyName": "Example Customer Ltd", "taxZone": "EX-VAT20",
	  "contact": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@customer.example"}}' | jq -r .aps.id)

echo "== 5. two resources: Archive Storage requires one Mailbox"
MAILBOX=$(api POST /collections/resources "$PROVIDER_TOKEN" \
	'{"name": "Mailbox", "unitOfMeasure": "unit"}' | jq -r .aps.id)
ARCHIVE=$(api POST /collections/resources "$PROVIDER_TOKEN" \
	"{\"name\": \"Archive Storage\", \"unitOfMeasure\": \"GB\",
	  \"dependencies\": [{\"kind\": \"REQUIRES\", \"resourceId\": \"$MAILBOX\", \"amount\": 1}]}" | jq -r .aps.id)

echo "== 6. a plan selling both, delegated to the reseller at 20% off, and a tax rule"
PLAN=$(api POST /collections/service-plans "$PROVIDER_TOKEN" "{
	\"name\": \"Business Mail\",
	\"billingTerms\": {\"period\": {\"unit\": \"MONTHS\", \"duration\": 1}},
	\"subscriptionPeriods\": [{\"autoRenewalPeriod\": {\"unit\": \"MONTHS\", \"duration\": 1},
		\"fees\": {\"setup\": {\"price\": {\"value\": \"5\"}}, \"recurring\": {\"price\": {\"value\": \"10\"}}}}],
	\"resourceRates\": [
		{\"resourceId\": \"$MAILBOX\", \"units\": {\"included\": 1, \"max\": 100},
		 \"fees\": {\"recurring\": {\"price\": {\"value\": \"2\"}}}},
		{\"resourceId\": \"$ARCHIVE\", \"units\": {\"included\": 0},
		 \"fees\": {\"recurring\": {\"price\": {\"value\": \"0.10\"}}}}]}" | jq -r .aps.id)
api PUT "/collections/accounts/$RESELLER/delegations/$PLAN" "$PROVIDER_TOKEN" '{"costRule": "PERCENT", "costPercent": 20}' >/dev/null
api POST /collections/tax-rules "$PROVIDER_TOKEN" '{"zone": "EX-VAT20", "name": "VAT 20%", "rate": 20}' >/dev/null

echo "== 7. a promotion of the reseller: WELCOME10, 10% off the plan"
api POST /collections/promotions "$RESELLER_TOKEN" \
	"{\"code\": \"WELCOME10\", \"name\": \"Welcome 10%\", \"discountType\": \"PERCENT\", \"value\": 10,
	  \"servicePlans\": [{\"aps\": {\"id\": \"$PLAN\"}}]}" >/dev/null

echo "== 8. the reseller places a SALES order for the customer"
ORDER='{"type": "SALES", "accountId": "'$CUSTOMER'", "promoCode": "WELCOME10",
	"products": [{"planId": "'$PLAN'", "period": {"unit": "MONTHS", "duration": 1},
		"resources": [{"resourceId": "'$MAILBOX'", "amount": 5}, {"resourceId": "'$ARCHIVE'", "amount": 50}]}]}'
api POST /services/order-manager/orders/estimate "$RESELLER_TOKEN" "$ORDER" |
	jq -c '{total, subTotal, taxTotal, promo: .promoResult}'
ORDER_ID=$(api POST /services/order-manager/orders "$RESELLER_TOKEN" "$ORDER" | jq -r .orderId)

echo "== 9. following order $ORDER_ID until it completes"
status=
for _ in $(seq 300); do
	status=$(api GET "/services/order-manager/orders/$ORDER_ID" "$RESELLER_TOKEN" | jq -r .ofStatus)
	[[ "$status" == CP ]] && break
	[[ "$status" == PF || "$status" == CL ]] && break
	sleep 0.2
done
api GET "/services/order-manager/orders/$ORDER_ID" "$RESELLER_TOKEN" |
	jq -c '{orderNumber, status, paymentStatus, provisioningStatus, ofStatus, total}'
if [[ "$status" != CP ]]; then
	echo "quickstart: order $ORDER_ID ended in $status, not CP" >&2
	exit 1
fi
echo "== the audit log holds every change:"
api GET "/collections/audit-log?limit(0,100)" "$PROVIDER_TOKEN" | jq -r '.[] | "\(.action) \(.entity) \(.entityId)"'
echo "quickstart: order $ORDER_ID completed (CP)"
