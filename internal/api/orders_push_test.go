package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// TestOrderIdempotency checks Idempotency-Key on placeOrder: the same key and body answer the
// first order again, another body is a 409, and one key sent by many clients at once makes one
// order with one answer for all.
func TestOrderIdempotency(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		t.Run("sequential", func(t *testing.T) {
			e := e.with(t)
			first := e.place(providerToken, seedSales, "Idempotency-Key", "erp-42")
			again := e.place(providerToken, seedSales, "Idempotency-Key", "erp-42")
			wantEqual(t, "orderId of the replay", again, first)
			wantEqual(t, "orders", e.count("orders"), 1)

			r := e.post(ordersPath, providerToken, strings.Replace(seedSales, `"amount" : 40`, `"amount" : 41`, 1), "Idempotency-Key", "erp-42")
			wantProblem(t, r, http.StatusConflict, "IdempotencyKeyReused", "this Idempotency-Key was used with a different request body")
			wantEqual(t, "orders after a reused key", e.count("orders"), 1)

			// Keys belong to the caller's account: the reseller's "erp-42" is another key.
			other := e.place(resellerToken, seedSales, "Idempotency-Key", "erp-42")
			if other == first {
				t.Errorf("the reseller's key replayed the provider's order")
			}
			// No key: a new order each time.
			if e.place(providerToken, vpsSale("", "")) == e.place(providerToken, vpsSale("", "")) {
				t.Errorf("two orders without a key got one id")
			}
			wantEqual(t, "orders", e.count("orders"), 4)
			e.settle()
		})
		t.Run("a refusal is not recorded", func(t *testing.T) {
			e := e.with(t)
			e.exec(`UPDATE accounts SET status = 'SUSPENDED' WHERE aps_id = $1`, demo.Customer1)
			body := vpsSale("", `, "comment": "retry me"`)
			wantProblem(t, e.post(ordersPath, providerToken, body, "Idempotency-Key", "retry-1"), http.StatusUnprocessableEntity,
				"AccountNotActive", "This account is 'Suspended' - please contact your upstream provider")
			e.exec(`UPDATE accounts SET status = 'ACTIVE' WHERE aps_id = $1`, demo.Customer1)
			id := e.place(providerToken, body, "Idempotency-Key", "retry-1")
			wantEqual(t, "replay after the fix", e.place(providerToken, body, "Idempotency-Key", "retry-1"), id)
			e.settle()
		})
		t.Run("invalid keys", func(t *testing.T) {
			e := e.with(t)
			before := e.count("orders")
			wantProblem(t, e.post(ordersPath, providerToken, vpsSale("", ""), "Idempotency-Key", strings.Repeat("k", 256)),
				http.StatusBadRequest, "InvalidIdempotencyKey", "Idempotency-Key is longer than 255 characters")
			wantProblem(t, e.post(ordersPath, providerToken, vpsSale("", ""), "Idempotency-Key", "ключ"),
				http.StatusBadRequest, "InvalidIdempotencyKey", "Idempotency-Key must be printable ASCII")
			wantEqual(t, "orders", e.count("orders"), before)
		})
		t.Run("concurrent", func(t *testing.T) {
			e := e.with(t)
			before := e.count("orders")
			// A sale (nothing else stops ten of them) and a renewal (the pending-renewal check
			// would refuse nine: the replies would differ).
			for key, body := range map[string]string{"burst-1": seedSales, "burst-2": seedRenewal} {
				const n = 10
				replies := make([]reply, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() { replies[i] = e.post(ordersPath, providerToken, body, "Idempotency-Key", key) })
				}
				wg.Wait()
				for i, r := range replies {
					if r.status != http.StatusOK || string(r.body) != string(replies[0].body) {
						t.Errorf("%s: answer %d = %d %s, answer 0 = %d %s", key, i, r.status, r.body, replies[0].status, replies[0].body)
					}
				}
				orderIDOf(t, replies[0])
				e.settle()
			}
			wantEqual(t, "orders made by two bursts of one key each", e.count("orders"), before+2)
		})
	})
}

// TestOrderPush checks the seed's "Pushing Order Processing": the cancellation order owing the
// customer waits in NW; pushed to OP it answers 200 with no body; pushes the flow does not allow
// are 409s naming the allowed targets; an unknown status is a 400; another customer's order is
// a 404.
func TestOrderPush(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		id := e.place(providerToken, seedCancellation)
		d := e.details(providerToken, id)
		wantEqual(t, "type", d.Type, "CL")
		wantEqual(t, "ofStatus", d.OfStatus, "NW")
		push := func(token, id, body string) reply { return e.post(ordersPath+"/"+id+"/push", token, body) }

		r := push(resellerToken, id, `{"ofStatus": "OP"}`)
		if r.status != http.StatusOK || len(r.body) != 0 {
			t.Fatalf("push OP: %d %q, want 200 with no body", r.status, r.body)
		}
		d = e.details(providerToken, id)
		wantEqual(t, "ofStatus after the push", d.OfStatus, "OP")
		wantEqual(t, "status after the push", d.Status, "IN_PROGRESS")
		wantEqual(t, "possiblePushToStatus", strings.Join(d.PossiblePushToStatus, ","), "HL")

		wantProblem(t, push(providerToken, id, `{"ofStatus": "OP"}`), http.StatusConflict, "PushNotAllowed",
			"order CL000001 is in status OP; it can be pushed to [HL]")
		wantProblem(t, push(providerToken, id, `{"ofStatus": "CP"}`), http.StatusConflict, "PushNotAllowed",
			"order CL000001 is in status OP; it can be pushed to [HL]")

		other := e.place(providerToken, seedRenewal)
		wantProblem(t, push(providerToken, other, `{"ofStatus": "CP"}`), http.StatusConflict, "PushNotAllowed",
			"order RN000001 is in status NW; it can be pushed to [OP CL]")
		wantProblem(t, push(providerToken, other, `{"ofStatus": "PR"}`), http.StatusConflict, "PushNotAllowed",
			"order RN000001 is in status NW; it can be pushed to [OP CL]")
		wantProblem(t, push(providerToken, other, `{"ofStatus": "XX"}`), http.StatusBadRequest, "InvalidOfStatus",
			`ofStatus "XX" is not an order flow status`)
		wantProblem(t, push(providerToken, other, `{}`), http.StatusBadRequest, "InvalidOfStatus",
			`ofStatus "" is not an order flow status`)
		if r := push(providerToken, other, `{"ofStatus": `); r.status != http.StatusBadRequest {
			t.Errorf("malformed push body: %d %s", r.status, r.body)
		}
		// The customer 3fef9702 cannot see d7dd06ef's orders; unknown ids look the same.
		wantProblem(t, push(customerToken, other, `{"ofStatus": "OP"}`), http.StatusNotFound, "NotFound", `order "`+other+`" not found`)
		wantProblem(t, push(providerToken, unknownID, `{"ofStatus": "OP"}`), http.StatusNotFound, "NotFound", `order "`+unknownID+`" not found`)
		wantEqual(t, "ofStatus after refused pushes", e.details(providerToken, other).OfStatus, "NW")

		// A completed order can go nowhere.
		e.exec(`UPDATE orders SET of_status = 'CP', status = 'COMPLETED' WHERE aps_id = $1`, other)
		wantProblem(t, push(providerToken, other, `{"ofStatus": "OP"}`), http.StatusConflict, "PushNotAllowed",
			"order RN000001 is in status CP; it can be pushed to []")
		// A retried push with its Idempotency-Key replays the first answer, not a 409 from the
		// status it led to; the key with another target (or another order) is a 409.
		fourth := e.place(providerToken, seedChangeResources)
		for range 2 {
			if r := e.post(ordersPath+"/"+fourth+"/push", providerToken, `{"ofStatus": "OP"}`, "Idempotency-Key", "push-1"); r.status != http.StatusOK || len(r.body) != 0 {
				t.Errorf("push OP with a key: %d %q, want 200 with no body", r.status, r.body)
			}
		}
		wantProblem(t, e.post(ordersPath+"/"+fourth+"/push", providerToken, `{"ofStatus": "HL"}`, "Idempotency-Key", "push-1"),
			http.StatusConflict, "IdempotencyKeyReused", "this Idempotency-Key was used with a different request body")
		wantProblem(t, e.post(ordersPath+"/"+other+"/push", providerToken, `{"ofStatus": "OP"}`, "Idempotency-Key", "push-1"),
			http.StatusConflict, "IdempotencyKeyReused", "this Idempotency-Key was used with a different request body")
		wantEqual(t, "ofStatus after the replayed push", e.details(providerToken, fourth).OfStatus, "OP")
		// A refused push with a key is not recorded: the same key works once the push is allowed.
		fifth := e.place(providerToken, seedCancellationReason)
		wantProblem(t, e.post(ordersPath+"/"+fifth+"/push", providerToken, `{"ofStatus": "HL"}`, "Idempotency-Key", "push-2"),
			http.StatusConflict, "PushNotAllowed", "order CL000002 is in status NW; it can be pushed to [OP CL]")
		e.exec(`UPDATE orders SET of_status = 'OP', status = 'IN_PROGRESS' WHERE aps_id = $1`, fifth)
		if r := e.post(ordersPath+"/"+fifth+"/push", providerToken, `{"ofStatus": "HL"}`, "Idempotency-Key", "push-2"); r.status != http.StatusOK {
			t.Errorf("push HL after the fix: %d %s", r.status, r.body)
		}
		// Cancelling a new order.
		third := e.place(providerToken, seedChangeSwitch)
		if r := push(providerToken, third, `{"ofStatus": "CL"}`); r.status != http.StatusOK {
			t.Fatalf("push CL: %d %s", r.status, r.body)
		}
		d = e.details(providerToken, third)
		wantEqual(t, "status of the cancelled order", d.Status, "CANCELED")
		wantEqual(t, "possiblePushToStatus of a cancelled order", len(d.PossiblePushToStatus), 0)
	})
}
