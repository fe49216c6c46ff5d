package api_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

var allAccounts = []string{demo.ProviderAPSID, demo.Customer1, demo.ResellerA, demo.ResellerB,
	demo.CustomerTaxed, demo.CustomerSubs, demo.CustomerB}

func demoAccountScopes(t *testing.T, c *client) {
	for _, x := range []struct {
		who  [2]string
		sees []string
	}{
		{asProvider, allAccounts},
		// The reseller above 00b60056: itself and its three customers, not reseller 8265e3d7's.
		{asReseller, []string{demo.ResellerA, demo.Customer1, demo.CustomerTaxed, demo.CustomerSubs}},
		{asCustomer, []string{demo.Customer1}},
		{apsToken(demo.CustomerToken), []string{demo.Customer1}},
	} {
		items, r := c.list("/aps/2/collections/accounts", accountShape, x.who)
		if got := apsIDs(items); !slices.Equal(sorted(got), sorted(x.sees)) {
			t.Errorf("%s sees %v, want %v", x.who[1], got, x.sees)
		}
		if want := "items 0-" + strconv.Itoa(len(x.sees)-1) + "/" + strconv.Itoa(len(x.sees)); r.header.Get("Content-Range") != want {
			t.Errorf("%s: Content-Range %q, want %q", x.who[1], r.header.Get("Content-Range"), want)
		}
		// What the caller sees, it can read one by one; the rest is 404 as if absent.
		for _, id := range allAccounts {
			r := c.get("/aps/2/collections/accounts/"+id, x.who)
			if slices.Contains(x.sees, id) {
				if r.status != http.StatusOK {
					t.Errorf("%s: GET accounts/%s = %d, want 200", x.who[1], id, r.status)
					continue
				}
				got := parseJSON(t, id, r.body)
				for _, p := range validate("account", got, accountShape) {
					t.Error(p)
				}
				for _, p := range matches("account", got, map[string]any{"aps": map[string]any{"id": id}}) {
					t.Error(p)
				}
				continue
			}
			e := checkError(t, x.who[1]+" GET accounts/"+id, r, http.StatusNotFound)
			// Never leak existence: the answer is the one an unknown id gets.
			unknown := checkError(t, "unknown", c.get("/aps/2/collections/accounts/00000000-0000-4000-8000-000000000000", x.who), http.StatusNotFound)
			if e.Type != unknown.Type || strings.ReplaceAll(e.Message, id, "X") != strings.ReplaceAll(unknown.Message, "00000000-0000-4000-8000-000000000000", "X") {
				t.Errorf("%s: hidden account answers %+v, unknown one %+v", x.who[1], e, unknown)
			}
			r = c.get("/aps/2/services/payment-method-manager/paymentMethods?accountId="+id, x.who)
			checkError(t, x.who[1]+" paymentMethods of "+id, r, http.StatusNotFound)
		}
	}
}

func demoSubscriptionAndPlanScopes(t *testing.T, c *client) {
	items, _ := c.list("/aps/2/collections/bss-subscriptions", subscriptionShape, asCustomer)
	if len(items) != 0 {
		t.Errorf("3fef9702 has no subscriptions but sees %v", apsIDs(items))
	}
	items, _ = c.list("/aps/2/collections/bss-subscriptions", subscriptionShape, asReseller)
	if len(items) != 3 {
		t.Errorf("reseller c0d43087 sees %d subscriptions, want d7dd06ef's 3", len(items))
	}
	for _, id := range []string{demo.SubVPSDemo, demo.SubVIP, demo.SubCloud, "no-such-subscription"} {
		checkError(t, "customer GET bss-subscriptions/"+id, c.get("/aps/2/collections/bss-subscriptions/"+id, asCustomer), http.StatusNotFound)
	}
	// Another customer's filter finds nothing rather than an error.
	items, r := c.list("/aps/2/collections/bss-subscriptions?eq(account.aps.id,"+demo.CustomerSubs+")", subscriptionShape, asCustomer)
	if len(items) != 0 || r.header.Get("Content-Range") != "items */0" {
		t.Errorf("customer filtering on d7dd06ef: %d items, Content-Range %q", len(items), r.header.Get("Content-Range"))
	}
	r = c.get("/aps/2/collections/service-plans/"+demo.PlanCloudVPS, asCustomer)
	if r.status != http.StatusOK {
		t.Errorf("customer GET service-plans/6b64da9a: %d", r.status)
	}
	checkError(t, "unknown plan", c.get("/aps/2/collections/service-plans/no-such-plan", asCustomer), http.StatusNotFound)
}

func TestAuthentication(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		storetest.LoadDemo(t, s)
		ctx := context.Background()
		cust, err := s.Account(ctx, demo.Customer1)
		if err != nil {
			t.Fatal(err)
		}
		past := time.Now().Add(-time.Second)
		var revoked, expired, adminOnly string
		err = s.InTx(ctx, func(tx *store.Tx) error {
			var info store.TokenInfo
			var err error
			if revoked, info, err = store.CreateToken(ctx, tx, cust.ID, "t", "", account.AllScopes, nil); err != nil {
				return err
			}
			if err := store.RevokeToken(ctx, tx, cust.ID, info.ID); err != nil {
				return err
			}
			if expired, _, err = store.CreateToken(ctx, tx, cust.ID, "t", "", account.AllScopes, &past); err != nil {
				return err
			}
			adminOnly, _, err = store.CreateToken(ctx, tx, cust.ID, "t", "", []account.Scope{account.ScopeAdmin}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c := newClient(t, s)
		const path = "/aps/2/collections/accounts"
		for _, x := range []struct {
			name    string
			headers [][2]string
		}{
			{"no token", nil},
			{"unknown token", [][2]string{bearer("obss_no-such-token")}},
			{"empty bearer", [][2]string{{"Authorization", "Bearer "}}},
			{"basic auth", [][2]string{{"Authorization", "Basic ZGVtbzpkZW1v"}}},
			{"token without scheme", [][2]string{{"Authorization", demo.ProviderToken}}},
			{"bad APS-Token", [][2]string{apsToken("nope")}},
			{"revoked", [][2]string{bearer(revoked)}},
			{"expired", [][2]string{bearer(expired)}},
			{"huge token", [][2]string{bearer(strings.Repeat("x", 10000))}},
		} {
			for _, p := range []string{path, "/aps/2/collections/accounts/" + demo.Customer1, "/aps/2/services/order-manager/reasonCodes"} {
				r := c.get(p, x.headers...)
				checkError(t, x.name+" "+p, r, http.StatusUnauthorized)
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: WWW-Authenticate %q", x.name, r.header.Get("WWW-Authenticate"))
				}
			}
		}
		for _, x := range []struct {
			name    string
			headers [][2]string
		}{
			{"Bearer", [][2]string{bearer(demo.CustomerToken)}},
			{"lower-case scheme", [][2]string{{"Authorization", "bearer " + demo.CustomerToken}}},
			{"APS-Token", [][2]string{apsToken(demo.CustomerToken)}},
			{"admin implies read", [][2]string{bearer(adminOnly)}},
		} {
			items, _ := c.list(path, accountShape, x.headers...)
			if got := apsIDs(items); !slices.Equal(got, []string{demo.Customer1}) {
				t.Errorf("%s: sees %v", x.name, got)
			}
		}
	})
}
