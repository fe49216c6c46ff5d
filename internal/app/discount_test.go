package app_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/app"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// vpsOrder is the seed's first estimate request for an account, without its promo code:
// setup 2, recurring 4.25, 19 VPS at 1.00 (25.25).
func vpsOrder(t *testing.T, accountAPSID string) *order.Request {
	t.Helper()
	var r order.Request
	body := `{"type": "SALES", "accountId": "` + accountAPSID + `", "products": [{"planId": "` + demo.PlanCloudVPS +
		`", "period": {"unit": "MONTHS", "duration": 1}, "resources": [{"resourceId": "` + demo.ResVPS + `", "amount": 20}]}]}`
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func mustAccount(t *testing.T, s *store.Store, apsID string) account.Account {
	t.Helper()
	a, err := s.Account(context.Background(), apsID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The catalog cache hands pricing the buyer's discounts and the delegations of the whole seller
// chain, and reloads when a discount is created.
func TestEstimateDiscountsAndCostChain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.LoadDemo(t, s)
		svc := app.New(s)
		provider := account.Principal{Account: mustAccount(t, s, demo.ProviderAPSID), Scopes: []account.Scope{account.ScopeAdmin}}
		resellerA := mustAccount(t, s, demo.ResellerA)
		buyer := mustAccount(t, s, demo.CustomerTaxed)

		total := func(req *order.Request, costs bool) money.Decimal {
			t.Helper()
			r, err := svc.Estimate(ctx, provider, req, false, costs)
			if err != nil {
				t.Fatal(err)
			}
			return r.SubTotal
		}
		if got := total(vpsOrder(t, demo.CustomerTaxed), false); !got.Equal(money.MustParse("25.25")) {
			t.Fatalf("list subTotal %s, want 25.25", got)
		}

		// A test-only 10% discount reseller A gives customer 00b60056 on Cloud VPSes:
		// 2 − 0.20 + 4.25 − 0.43 + 19 − 1.90 = 22.72.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			return store.CreateDiscount(ctx, tx, &catalog.Discount{VendorID: resellerA.ID, AccountID: buyer.ID,
				Type: catalog.Percent, Value: money.MustParse("10"), PlanAPSIDs: []string{demo.PlanCloudVPS}, Active: true})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := total(vpsOrder(t, demo.CustomerTaxed), false); !got.Equal(money.MustParse("22.72")) {
			t.Errorf("discounted subTotal %s, want 22.72", got)
		}

		// Reseller L2 under reseller A (which pays 10% off the provider's prices), with Cloud
		// VPSes delegated at 20% off A's price, sells to a customer: L2 pays 28% off the list,
		// 2 − 0.56 + 4.25 − 1.19 + 19 − 5.32 = 18.18.
		var l2, customer account.Account
		err = s.InTx(ctx, func(tx *store.Tx) error {
			l2 = account.Account{Type: account.Reseller, Status: account.Active, Name: "L2", CanOrder: true, TypeCanOrder: true}
			if err := store.CreateAccount(ctx, tx, &l2, &resellerA); err != nil {
				return err
			}
			customer = account.Account{Type: account.Customer, Status: account.Active, Name: "L2 customer", CanOrder: true, TypeCanOrder: true}
			if err := store.CreateAccount(ctx, tx, &customer, &l2); err != nil {
				return err
			}
			plans, err := s.PlansByAPSID(ctx, []string{demo.PlanCloudVPS})
			if err != nil {
				return err
			}
			return store.CreateDelegation(ctx, tx, catalog.Delegation{PlanID: plans[0].ID, ResellerID: l2.ID,
				Rule: catalog.CostPercent, Percent: money.MustParse("20")})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := total(vpsOrder(t, customer.APSID), true); !got.Equal(money.MustParse("18.18")) {
			t.Errorf("L2's cost %s, want 18.18", got)
		}
		// The customer of L2 gets no discount of reseller A's.
		if got := total(vpsOrder(t, customer.APSID), false); !got.Equal(money.MustParse("25.25")) {
			t.Errorf("L2 customer's price %s, want 25.25", got)
		}
	})
}
