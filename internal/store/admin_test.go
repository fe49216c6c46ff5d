package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// Management writes: delegations withdrawn down the tree, plan versions, the audit log read
// per subtree, and tokens listed without secrets.
func TestAdminStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		var sub account.Account
		plan := &catalog.Plan{Name: "P", OwnerID: tr.provider.ID, Status: "ACTIVE", Currency: "USD",
			Billing: catalog.BillingTerms{PricingModel: "PM_FIXED_PRICE", Period: catalog.Period{Unit: catalog.Months, Duration: 1},
				AutoRenewalType: "DISABLED", Model: "CHARGE_BEFORE_BILLING_PERIOD", RecurringPricesEvery: "MONTH"},
			Periods: []catalog.SubscriptionPeriod{{Period: catalog.Period{Unit: catalog.Months, Duration: 1}, BillingPeriods: 1,
				Refund: catalog.Refund{Type: "PRORATED"}, Fees: catalog.Fees{Recurring: money.FromInt(10)}}}}
		mustTx(t, s, func(tx *store.Tx) error {
			sub = account.Account{Type: account.Reseller, Status: account.Active, Name: "Sub", CanOrder: true, TypeCanOrder: true}
			return errors.Join(store.CreateAccount(ctx, tx, &sub, &tr.resellerA), store.CreatePlan(ctx, tx, plan),
				store.SavePlanVersion(ctx, tx, plan.ID, 1, map[string]string{"v": "1"}))
		})
		for _, r := range []account.Account{tr.resellerA, sub, tr.resellerB} {
			mustTx(t, s, func(tx *store.Tx) error {
				return store.PutDelegation(ctx, tx, catalog.Delegation{PlanID: plan.ID, ResellerID: r.ID, Rule: catalog.CostPercent, Percent: money.FromInt(5)})
			})
		}
		mustTx(t, s, func(tx *store.Tx) error {
			return store.PutDelegation(ctx, tx, catalog.Delegation{PlanID: plan.ID, ResellerID: sub.ID, Rule: catalog.CostPercent, Percent: money.FromInt(7)})
		})
		d, err := s.DelegationOf(ctx, plan.ID, sub.ID)
		if err != nil || d.Percent.String() != "7.0" || d.PlanAPSID != plan.APSID || d.ResellerAPS != sub.APSID {
			t.Errorf("delegation after the second put: %+v, %v", d, err)
		}
		mustTx(t, s, func(tx *store.Tx) error { return store.DeleteDelegation(ctx, tx, plan.ID, tr.resellerA) })
		for _, r := range []account.Account{tr.resellerA, sub} {
			if _, err := s.DelegationOf(ctx, plan.ID, r.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delegation to %s after withdrawing it from reseller A: %v", r.Name, err)
			}
		}
		if _, err := s.DelegationOf(ctx, plan.ID, tr.resellerB.ID); err != nil {
			t.Errorf("reseller B lost its delegation: %v", err)
		}

		mustTx(t, s, func(tx *store.Tx) error {
			plan.Version = 2
			plan.Periods[0].Fees.Recurring = money.FromInt(12)
			return errors.Join(store.UpdatePlan(ctx, tx, plan), store.SavePlanVersion(ctx, tx, plan.ID, 2, map[string]string{"v": "2"}))
		})
		p, err := s.Plan(ctx, plan.APSID)
		if err != nil || p.Version != 2 || p.Periods[0].Fees.Recurring.String() != "12.0" {
			t.Errorf("updated plan: %+v, %v", p, err)
		}
		vs, err := s.PlanVersions(ctx, plan.ID)
		if err != nil || len(vs) != 2 || string(vs[1].Content) != `{"v":"2"}` {
			t.Errorf("plan versions: %+v, %v", vs, err)
		}

		actor := store.Actor{AccountID: tr.provider.ID, AccountAPSID: tr.provider.APSID, TokenID: 9, Label: "test"}
		mustTx(t, s, func(tx *store.Tx) error {
			return errors.Join(
				store.RecordAudit(ctx, tx, actor, tr.customerA.Path, store.AuditUpdate, "account", tr.customerA.APSID, map[string]int{"a": 1}, map[string]int{"a": 2}),
				store.RecordAudit(ctx, tx, actor, tr.customerB.Path, store.AuditCreate, "account", tr.customerB.APSID, nil, map[string]int{"b": 1}))
		})
		entries, page, err := s.ListAudit(ctx, tr.resellerA.Path, store.ListQuery{OrderBy: "l.id", Count: 10})
		if err != nil || page.Total != 1 || len(entries) != 1 || entries[0].EntityID != tr.customerA.APSID ||
			string(entries[0].Before) != `{"a":1}` || entries[0].Actor.AccountAPSID != tr.provider.APSID || entries[0].Actor.TokenID != 9 {
			t.Errorf("reseller A's audit log: %+v %+v %v", entries, page, err)
		}
		all, _, err := s.ListAudit(ctx, tr.provider.Path, store.ListQuery{OrderBy: "l.id", Count: 10})
		if err != nil || len(all) != 2 || all[1].Before != nil {
			t.Errorf("the provider's audit log: %+v %v", all, err)
		}

		mustTx(t, s, func(tx *store.Tx) error {
			_, info, err := store.CreateToken(ctx, tx, tr.customerA.ID, "one", "", []account.Scope{account.ScopeOrdersRead}, nil)
			if err == nil {
				err = store.RevokeToken(ctx, tx, tr.customerA.ID, info.ID)
			}
			return err
		})
		ts, err := s.Tokens(ctx, tr.customerA.ID)
		if err != nil || len(ts) != 1 || ts[0].RevokedAt == nil || ts[0].Name != "one" || len(ts[0].Scopes) != 1 {
			t.Errorf("tokens: %+v, %v", ts, err)
		}
		accounts, err := s.AllAccounts(ctx)
		if err != nil || len(accounts) != 6 || accounts[0].ID != tr.provider.ID {
			t.Errorf("all accounts: %d, %v", len(accounts), err)
		}
		for i := 1; i < len(accounts); i++ {
			if accounts[i].ParentID != 0 && !accounts[i-1].Contains(accounts[i]) && accounts[i].Path < accounts[i-1].Path {
				t.Errorf("accounts out of tree order: %s before %s", accounts[i-1].Path, accounts[i].Path)
			}
		}
	})
}
