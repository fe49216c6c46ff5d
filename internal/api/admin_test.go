package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

const admColl = "/aps/2/collections"

// A reseller's token cannot read or change another reseller's customers, plans or costs (404),
// cannot set its own cost (403), and a revoked token answers 401 at once.
func TestAdminResellerIsolation(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		tokA := e.token(demo.ResellerA, "admin")
		tokB := e.token(demo.ResellerB, "admin")

		// B's customer and a plan of B's own.
		var planB struct {
			APS struct{ ID string } `json:"aps"`
		}
		e.must(http.StatusCreated, "POST", admColl+"/service-plans", tokB, admObj{"name": "B's own plan",
			"subscriptionPeriods": []admObj{{"autoRenewalPeriod": admObj{"unit": "MONTHS", "duration": 1},
				"fees": admObj{"recurring": admObj{"price": admObj{"value": "3.5"}}}}}}, &planB)

		for _, c := range []struct{ method, path string }{
			{"GET", "/accounts/" + demo.CustomerB},
			{"PUT", "/accounts/" + demo.CustomerB},
			{"DELETE", "/accounts/" + demo.CustomerB},
			{"GET", "/accounts/" + demo.CustomerB + "/paymentMethods"},
			{"POST", "/accounts/" + demo.CustomerB + "/paymentMethods"},
			{"GET", "/accounts/" + demo.CustomerB + "/tokens"},
			{"POST", "/accounts/" + demo.CustomerB + "/tokens"},
			{"GET", "/accounts/" + demo.ResellerB + "/delegations"},
			{"GET", "/accounts/" + demo.ResellerB + "/delegations/" + demo.PlanCloudVPS},
			{"PUT", "/accounts/" + demo.ResellerB + "/delegations/" + demo.PlanCloudVPS},
			{"DELETE", "/accounts/" + demo.ResellerB + "/delegations/" + demo.PlanCloudVPS},
			{"GET", "/service-plans/" + planB.APS.ID},
			{"PUT", "/service-plans/" + planB.APS.ID},
			{"DELETE", "/service-plans/" + planB.APS.ID},
			{"GET", "/service-plans/" + planB.APS.ID + "/versions"},
			{"PUT", "/accounts/" + demo.ResellerA + "/delegations/" + planB.APS.ID},
		} {
			e.refused(http.StatusNotFound, "NotFound", c.method, admColl+c.path, tokA, `{"companyName": "taken", "costPercent": 0}`)
		}
		// Listing shows only A's own subtree.
		var accounts []struct{ ID int64 }
		e.must(http.StatusOK, "GET", admColl+"/accounts", tokA, nil, &accounts)
		for _, a := range accounts {
			if a.ID == 1000006 || a.ID == 1000003 {
				t.Errorf("reseller A lists account %d of reseller B", a.ID)
			}
		}
		// A customer cannot be created below another reseller.
		e.refused(http.StatusUnprocessableEntity, "UnknownReference", "POST", admColl+"/accounts", tokA,
			admObj{"type": "CUSTOMER", "companyName": "Sneaky", "parent": admRef(demo.ResellerB)})

		// A reseller reads its own costs but cannot set them; the provider can.
		var costs []struct {
			CostPercent json.Number `json:"costPercent"`
		}
		e.must(http.StatusOK, "GET", admColl+"/accounts/"+demo.ResellerA+"/delegations", tokA, nil, &costs)
		if len(costs) != 4 || costs[0].CostPercent != "10.0" {
			t.Errorf("reseller A's delegations: %+v, want 4 at 10.0", costs)
		}
		e.refused(http.StatusForbidden, "Forbidden", "PUT", admColl+"/accounts/"+demo.ResellerA+"/delegations/"+demo.PlanCloudVPS,
			tokA, admObj{"costPercent": 90})
		e.refused(http.StatusForbidden, "Forbidden", "DELETE", admColl+"/accounts/"+demo.ResellerA+"/delegations/"+demo.PlanCloudVPS, tokA, nil)
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.ResellerA+"/delegations/"+demo.PlanCloudVPS, demo.ProviderToken,
			admObj{"costPercent": 20}, nil)
		// A plan delegated to A is A's to sell, not to reprice.
		e.refused(http.StatusForbidden, "Forbidden", "PUT", admColl+"/service-plans/"+demo.PlanCloudVPS, tokA, admObj{"name": "Mine"})

		// A reseller cannot change its own standing, nor grant scopes it lacks.
		e.refused(http.StatusForbidden, "Forbidden", "PUT", admColl+"/accounts/"+demo.ResellerA, tokA, admObj{"status": "ACTIVE", "canOrder": false})
		tokRead := e.token(demo.ResellerA, "orders:read")
		e.refused(http.StatusForbidden, "InsufficientScope", "POST", admColl+"/accounts/"+demo.Customer1+"/tokens", tokRead, admObj{})

		// A revoked token answers 401 at once.
		var created struct {
			ID    int64  `json:"id"`
			Token string `json:"token"`
		}
		e.must(http.StatusCreated, "POST", admColl+"/accounts/"+demo.ResellerA+"/tokens", tokA,
			admObj{"name": "erp", "scopes": []string{"orders:read"}}, &created)
		e.must(http.StatusOK, "GET", admColl+"/accounts", created.Token, nil, nil)
		e.must(http.StatusNoContent, "DELETE", admColl+"/accounts/"+demo.ResellerA+"/tokens/"+idStr(created.ID), tokA, nil, nil)
		e.refused(http.StatusUnauthorized, "Unauthorized", "GET", admColl+"/accounts", created.Token, nil)
		// B cannot revoke A's tokens (A is invisible to B).
		e.refused(http.StatusNotFound, "NotFound", "DELETE", admColl+"/accounts/"+demo.ResellerA+"/tokens/1", tokB, nil)
	})
}

func idStr(id int64) string { b, _ := json.Marshal(id); return string(b) }

// Tokens: shown once, listed without their secrets, scoped, expiring; Idempotency-Key replays
// the creation without the secret.
func TestAdminTokens(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		path := admColl + "/accounts/" + demo.Customer1 + "/tokens"
		var tok struct {
			ID             int64    `json:"id"`
			Token          string   `json:"token"`
			Scopes         []string `json:"scopes"`
			Status         string   `json:"status"`
			ExpirationTime string   `json:"expirationTime"`
		}
		r := e.call("POST", path, demo.ProviderToken, `{"name": "shop", "scopes": "orders:read", "expiresIn": "24h"}`,
			"Idempotency-Key", "tok-1")
		if r.status != http.StatusCreated {
			t.Fatalf("create token: %s", r)
		}
		_ = json.Unmarshal(r.body, &tok)
		if !strings.HasPrefix(tok.Token, "obss_") || !slices.Equal(tok.Scopes, []string{"orders:read"}) || tok.Status != "ACTIVE" || tok.ExpirationTime == "" {
			t.Errorf("created token: %s", r.body)
		}
		if r.header.Get("Location") == "" {
			t.Errorf("no Location header")
		}
		replay := e.call("POST", path, demo.ProviderToken, `{"name": "shop", "scopes": "orders:read", "expiresIn": "24h"}`,
			"Idempotency-Key", "tok-1")
		if replay.status != http.StatusCreated || strings.Contains(string(replay.body), tok.Token) || !strings.Contains(string(replay.body), `"id":`+idStr(tok.ID)) {
			t.Errorf("replay: %s (must be the same token, without its secret)", replay)
		}
		if r := e.call("POST", path, demo.ProviderToken, `{"name": "other"}`, "Idempotency-Key", "tok-1"); r.status != http.StatusConflict {
			t.Errorf("another body under the same key: %s, want 409", r)
		}

		list := e.must(http.StatusOK, "GET", path, demo.ProviderToken, nil, nil)
		if strings.Contains(string(list.body), tok.Token) || !strings.Contains(string(list.body), `"name":"shop"`) {
			t.Errorf("token list shows a secret or misses the token: %s", list.body)
		}
		e.must(http.StatusOK, "GET", "/aps/2/collections/accounts/"+demo.Customer1, tok.Token, nil, nil)
		e.refused(http.StatusForbidden, "InsufficientScope", "POST", "/aps/2/services/order-manager/orders", tok.Token, `{}`)

		for _, body := range []string{`{"scopes": ["root"]}`, `{"scopes": 7}`, `{"expiresIn": "-1h"}`,
			`{"expirationTime": "2001-01-01T00:00:00Z"}`, `not json`, `[]`} {
			e.refused(http.StatusBadRequest, "", "POST", path, demo.ProviderToken, body)
		}
		// A customer manages no credentials, not even its own.
		custAdmin := e.token(demo.Customer1, "admin")
		e.refused(http.StatusForbidden, "Forbidden", "POST", path, custAdmin, `{}`)
		e.refused(http.StatusNotFound, "NotFound", "DELETE", path+"/999999", demo.ProviderToken, nil)
		e.refused(http.StatusNotFound, "NotFound", "DELETE", path+"/x", demo.ProviderToken, nil)
	})
}

// Accounts: a reseller onboards customers; status changes have the effects the order checks
// expect; a customer manages nothing but its payment methods.
func TestAdminAccounts(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		tokA := e.token(demo.ResellerA, "admin")
		var cust struct {
			APS         struct{ ID string } `json:"aps"`
			ID          int64               `json:"id"`
			Type        string              `json:"type"`
			Status      string              `json:"status"`
			CompanyName string              `json:"companyName"`
			Parent      struct {
				APS struct{ ID string } `json:"aps"`
			} `json:"parent"`
			CanOrder bool `json:"canOrder"`
		}
		e.must(http.StatusCreated, "POST", admColl+"/accounts", tokA, admObj{"type": "CUSTOMER", "companyName": "New Co",
			"contact": admObj{"firstName": "Ann", "lastName": "Lee", "email": "ann@new.test"}}, &cust)
		if cust.Type != "CUSTOMER" || cust.Status != "ACTIVE" || !cust.CanOrder || cust.Parent.APS.ID != demo.ResellerA || cust.ID < 1000007 {
			t.Errorf("created customer: %+v", cust)
		}
		path := admColl + "/accounts/" + cust.APS.ID
		for _, c := range []struct {
			body   any
			status int
			typ    string
		}{
			{admObj{"companyName": ""}, 400, "InvalidField"},
			{admObj{"currency": "dollars"}, 400, "InvalidField"},
			{admObj{"status": "SLEEPING"}, 400, "InvalidField"},
			{admObj{"type": "RESELLER"}, 422, "AccountTypeChanged"},
			{admObj{"parent": admRef(demo.ResellerB)}, 422, "AccountMoved"},
			{admObj{"contact": "x"}, 400, "InvalidField"},
		} {
			e.refused(c.status, c.typ, "PUT", path, tokA, c.body)
		}
		e.refused(http.StatusUnprocessableEntity, "InvalidParent", "POST", admColl+"/accounts", tokA,
			admObj{"type": "CUSTOMER", "companyName": "Below a customer", "parent": admRef(cust.APS.ID)})
		e.refused(http.StatusBadRequest, "InvalidField", "POST", admColl+"/accounts", tokA, admObj{"type": "PROVIDER", "companyName": "Two"})

		order := `{"type": "SALES", "accountId": "` + cust.APS.ID + `", "products": [{"planId": "` + demo.PlanCloudVPS +
			`", "period": {"unit": "MONTHS", "duration": 1}}]}`
		om := "/aps/2/services/order-manager/orders"
		e.must(http.StatusOK, "POST", om+"/estimate", demo.ResellerToken, order, nil)
		for _, c := range []struct {
			body    admObj
			typ     string
			message string
		}{
			{admObj{"status": "SUSPENDED"}, "AccountNotActive", "This account is 'Suspended' - please contact your upstream provider"},
			{admObj{"status": "RESTRICTED"}, "AccountNotActive", "This account is 'Restricted' - please contact your upstream provider"},
			{admObj{"status": "ACTIVE", "canOrder": false}, "OrderCreationRestricted", "Order creation is restricted for this account"},
		} {
			e.must(http.StatusOK, "PUT", path, tokA, c.body, nil)
			r := e.call("POST", om, demo.ResellerToken, order)
			if r.status != 422 || !strings.Contains(string(r.body), c.typ) || !strings.Contains(string(r.body), c.message) {
				t.Errorf("order of a %v customer: %s, want 422 %s %q", c.body, r, c.typ, c.message)
			}
		}
		e.must(http.StatusOK, "PUT", path, tokA, admObj{"canOrder": true}, nil)
		e.must(http.StatusOK, "POST", om, demo.ResellerToken, order, nil)

		// Suspending the reseller stops its customers' orders (the seller check).
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.ResellerA, demo.ProviderToken, admObj{"status": "SUSPENDED"}, nil)
		e.refused(http.StatusUnprocessableEntity, "AccountNotActive", "POST", om, demo.ResellerToken, order)
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.ResellerA, demo.ProviderToken, admObj{"status": "ACTIVE"}, nil)

		// The contact details an account may change itself; a customer nothing else.
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.ResellerA, tokA, admObj{"contact": admObj{"email": "new@a.test"}}, nil)
		custTok := e.token(cust.APS.ID, "admin")
		e.refused(http.StatusForbidden, "Forbidden", "PUT", path, custTok, admObj{"companyName": "Mine"})
		e.refused(http.StatusForbidden, "Forbidden", "POST", admColl+"/accounts", custTok, admObj{"type": "CUSTOMER", "companyName": "x"})
		e.refused(http.StatusForbidden, "Forbidden", "POST", admColl+"/service-plans", custTok, admObj{"name": "x"})
		e.refused(http.StatusForbidden, "Forbidden", "GET", admColl+"/resources", custTok, nil)

		// DELETE cancels the account.
		e.must(http.StatusOK, "DELETE", path, tokA, nil, &cust)
		if cust.Status != "CANCELLED" {
			t.Errorf("deleted account status %q, want CANCELLED", cust.Status)
		}
		e.refused(http.StatusForbidden, "Forbidden", "DELETE", admColl+"/accounts/"+demo.ResellerA, tokA, nil)
		e.refused(http.StatusForbidden, "Forbidden", "DELETE", admColl+"/accounts/"+demo.ProviderAPSID, demo.ProviderToken, nil)
	})
}
