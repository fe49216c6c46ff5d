package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// Draft orders, seed 001's "account presale": created, updated, completed with every check of
// placeOrder, and never completed twice.

// draftState is what the tests look at in a draft's details.
type draftState struct {
	Draft             bool   `json:"draft"`
	OfStatus          string `json:"ofStatus"`
	Type              string `json:"type"`
	Details           []any  `json:"details"`
	ProvisioningItems []any  `json:"provisioningItems"`
}

func (e *ordersEnv) draftState(token, id string) draftState {
	e.t.Helper()
	r := e.get(ordersPath+"/"+id, token)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET order %s: %d %s", id, r.status, r.body)
	}
	var s draftState
	decode(e.t, r.body, &s)
	return s
}

// createDraft creates a draft and returns its id, failing unless the answer is 201 {"orderId"}.
func (e *ordersEnv) createDraft(token, body string) string {
	e.t.Helper()
	r := e.post(ordersPath+"/drafts", token, body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create draft: %d %s\nrequest: %s", r.status, r.body, body)
	}
	return orderIDOf(e.t, r)
}

// jobs counts an order's jobs.
func (e *ordersEnv) jobs(id string) int {
	e.t.Helper()
	var n int
	if err := e.st.DB().QueryRow(`SELECT COUNT(*) FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.aps_id = $1`, id).Scan(&n); err != nil {
		e.t.Fatalf("count jobs: %v", err)
	}
	return n
}

func TestDraftOrders(t *testing.T) {
	const notValid = "Account presale is not valid for order"
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		t.Run("create, update, complete", func(t *testing.T) {
			e := e.with(t)
			id := e.createDraft(providerToken, vpsSale("", ""))
			if s := e.draftState(providerToken, id); !s.Draft || s.OfStatus != "NW" || len(s.ProvisioningItems) != 0 {
				t.Errorf("new draft: %+v, want a draft in NW with no items", s)
			}
			if n := e.jobs(id); n != 0 {
				t.Errorf("a draft has %d job(s), want none", n)
			}
			r := e.call(http.MethodPut, ordersPath+"/"+id, providerToken, seedSales)
			if r.status != http.StatusOK {
				t.Fatalf("update draft: %d %s", r.status, r.body)
			}
			r = e.post(ordersPath+"/"+id+"/complete", providerToken, "")
			if r.status != http.StatusOK {
				t.Fatalf("complete draft: %d %s", r.status, r.body)
			}
			var done map[string]any
			decode(t, r.body, &done)
			if done["Status"] != true || done["orderId"] != id || len(done) != 2 {
				t.Errorf("complete answered %s, want {\"Status\": true, \"orderId\": %q}", r.body, id)
			}
			s := e.draftState(providerToken, id)
			if s.Draft || s.OfStatus != "NW" || s.Type != "SO" || len(s.Details) == 0 || len(s.ProvisioningItems) != 1 {
				t.Errorf("completed draft: %+v, want a priced SO order in NW with one item", s)
			}
			// The updated request is the one placed: the seed's sale of the offer counter.
			d := e.details(providerToken, id)
			if len(d.OrderAttributes) != 1 {
				t.Errorf("completed order attributes %+v, want the seed's one", d.OrderAttributes)
			}
			if n := e.jobs(id); n != 1 {
				t.Errorf("a completed draft has %d job(s), want one", n)
			}
			wantProblem(t, e.post(ordersPath+"/"+id+"/complete", providerToken, ""), http.StatusUnprocessableEntity, "DraftNotValid", notValid)
			wantProblem(t, e.call(http.MethodPut, ordersPath+"/"+id, providerToken, seedSales), http.StatusConflict, "NotADraft",
				fmt.Sprintf("order %s is not a draft: only a draft can be updated", id))
			e.settle()
		})
		t.Run("a placed order is not a draft", func(t *testing.T) {
			e := e.with(t)
			id := e.place(providerToken, vpsSale("", ""))
			wantProblem(t, e.post(ordersPath+"/"+id+"/complete", providerToken, ""), http.StatusUnprocessableEntity, "DraftNotValid", notValid)
			e.settle()
		})
		t.Run("a failing check leaves a draft", func(t *testing.T) {
			e := e.with(t)
			id := e.createDraft(providerToken, vpsSale("", ""))
			e.exec(`UPDATE accounts SET status = 'SUSPENDED' WHERE aps_id = $1`, demo.Customer1)
			r := e.post(ordersPath+"/"+id+"/complete", providerToken, "")
			e.exec(`UPDATE accounts SET status = 'ACTIVE' WHERE aps_id = $1`, demo.Customer1)
			wantProblem(t, r, http.StatusUnprocessableEntity, "AccountNotActive",
				"This account is 'Suspended' - please contact your upstream provider")
			if s := e.draftState(providerToken, id); !s.Draft || len(s.ProvisioningItems) != 0 || e.jobs(id) != 0 {
				t.Errorf("after a refused completion: %+v, want the draft untouched", s)
			}
			if r := e.post(ordersPath+"/"+id+"/complete", providerToken, ""); r.status != http.StatusOK {
				t.Errorf("complete after the account is active again: %d %s", r.status, r.body)
			}
			e.settle()
		})
		t.Run("bodies", func(t *testing.T) {
			e := e.with(t)
			before := e.count("orders")
			wantProblem(t, e.post(ordersPath+"/drafts", providerToken, `{"type": "SALES"`), http.StatusBadRequest, "MalformedJSON",
				"the request body is not valid JSON: it ends too early")
			if r := e.post(ordersPath+"/drafts", customerToken, sale(demo.CustomerB, demo.PlanCloudVPS, "", "")); r.status != http.StatusUnprocessableEntity {
				t.Errorf("a draft for an account the caller cannot see: %d %s, want 422", r.status, r.body)
			}
			if after := e.count("orders"); after != before {
				t.Errorf("refused drafts left %d row(s)", after-before)
			}
		})
		t.Run("another customer's draft", func(t *testing.T) {
			e := e.with(t)
			id := e.createDraft(providerToken, sale(demo.CustomerB, demo.PlanCloudVPS, "", ""))
			msg := fmt.Sprintf("order %q not found", id)
			wantProblem(t, e.get(ordersPath+"/"+id, customerToken), http.StatusNotFound, "NotFound", msg)
			wantProblem(t, e.call(http.MethodPut, ordersPath+"/"+id, customerToken, vpsSale("", "")), http.StatusNotFound, "NotFound", msg)
			wantProblem(t, e.post(ordersPath+"/"+id+"/complete", customerToken, ""), http.StatusNotFound, "NotFound", msg)
			if s := e.draftState(providerToken, id); !s.Draft {
				t.Errorf("another customer's calls changed the draft: %+v", s)
			}
		})
	})
}
