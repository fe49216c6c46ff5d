package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func dec(s string) money.Decimal { return money.MustParse(s) }

// planString renders every stored field of a plan, money by value (4.25 and 4.250 alike), so two
// plans compare by what they mean.
func planString(p *catalog.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s %q %q type=%q status=%s %s owner=%d billing=%+v credit=%v unique=%v params=%q version=%d\n",
		p.APSID, p.Name, p.Description, p.ServiceType, p.Status, p.Currency, p.OwnerID, p.Billing,
		p.RequiresCreditCheck, p.UniqueIdentifier, p.ActivationParams, p.Version)
	for _, sp := range p.Periods {
		f := sp.Fees
		fmt.Fprintf(&b, " period %s billing=%d trial=%v default=%v fees=%s/%s/%s/%s/%s refund=%+v\n",
			sp.Period, sp.BillingPeriods, sp.Trial, sp.Default, f.Setup, f.Recurring, f.Renewal, f.Transfer, f.Deposit, sp.Refund)
	}
	for _, r := range p.Rates {
		fmt.Fprintf(&b, " rate %s included=%s min=%s max=%s fees=%s/%s/%s perUnit=%v\n",
			r.ResourceAPSID, r.Included, r.Min, r.Max, r.SetupFee, r.RecurringFee, r.OveruseFee, r.ChargePerUnit)
	}
	fmt.Fprintf(&b, " terms=%q children=%q\n", p.TermIDs, p.ChildPlanAPSIDs)
	return b.String()
}

func TestPlanRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		users := catalog.Resource{Name: "Users", Unit: "unit"}
		disk := catalog.Resource{Name: "Disk", Unit: "GB"}
		child := catalog.Plan{Name: "Child", OwnerID: tr.provider.ID, Status: "ACTIVE", Currency: "USD"}
		plan := catalog.Plan{Name: "Parent", Description: "with everything", ServiceType: "VPS", OwnerID: tr.provider.ID,
			Status: "ACTIVE", Currency: "EUR", RequiresCreditCheck: true, UniqueIdentifier: true,
			ActivationParams: []string{"domain", "login"},
			Billing: catalog.BillingTerms{PricingModel: "PM_FIXED_PRICE", Period: catalog.Period{Unit: catalog.Months, Duration: 1},
				AutoRenewalType: "ENABLED", AutoRenewalDays: 7, Model: "CHARGE_BEFORE_BILLING_PERIOD", RecurringPricesEvery: "MONTH"},
			Periods: []catalog.SubscriptionPeriod{
				{Period: catalog.Period{Unit: catalog.Months, Duration: 1}, BillingPeriods: 1, Trial: true,
					Fees: catalog.Fees{Setup: dec("0"), Recurring: dec("0")}, Refund: catalog.Refund{Type: "NONE"}},
				{Period: catalog.Period{Unit: catalog.Years, Duration: 1}, BillingPeriods: 12, Default: true,
					Fees: catalog.Fees{Setup: dec("10.5"), Recurring: dec("4.25"), Renewal: dec("0.01"), Transfer: dec("99999.999999"),
						Deposit: dec("123456789.123456")}, Refund: catalog.Refund{Type: "FULL", Days: 30}},
			},
			TermIDs: []string{"t1", "t2"}, ChildPlanAPSIDs: []string{"child-plan"},
		}
		child.APSID = "child-plan"
		mustTx(t, s, func(tx *store.Tx) error {
			if err := store.CreateResource(ctx, tx, &users); err != nil {
				return err
			}
			if err := store.CreateResource(ctx, tx, &disk); err != nil {
				return err
			}
			plan.Rates = []catalog.ResourceRate{
				{ResourceID: users.ID, Included: dec("20"), Min: dec("1"), Max: catalog.Unlimited, SetupFee: dec("0.5"),
					RecurringFee: dec("1.5"), OveruseFee: dec("2.000125"), ChargePerUnit: true},
				{ResourceID: disk.ID, Included: dec("0.5"), Min: dec("0"), Max: dec("1024"), RecurringFee: dec("0.000001")},
			}
			for _, term := range []string{"t1", "t2"} {
				if err := store.CreateTerm(ctx, tx, catalog.Term{ID: term, Name: "Terms " + term, Content: "<h1>" + term + "</h1>"}); err != nil {
					return err
				}
			}
			if err := store.CreatePlan(ctx, tx, &child); err != nil {
				return err
			}
			return store.CreatePlan(ctx, tx, &plan)
		})
		if plan.ID == 0 || plan.APSID == "" || plan.Version != 1 || child.ID == plan.ID {
			t.Fatalf("CreatePlan assigned id %d aps %q version %d", plan.ID, plan.APSID, plan.Version)
		}
		// Fill what the store adds on read: resource names and APS ids.
		want := plan
		want.Rates = slices.Clone(plan.Rates)
		want.Rates[0].ResourceAPSID, want.Rates[1].ResourceAPSID = users.APSID, disk.APSID

		got, err := s.Plan(ctx, plan.APSID)
		if err != nil {
			t.Fatalf("Plan: %v", err)
		}
		if g, w := planString(got), planString(&want); g != w {
			t.Errorf("plan round trip:\n got  %s\n want %s", g, w)
		}
		if got.Rates[0].ResourceName != "Users" || got.Rates[0].Unit != "unit" || got.Rates[1].Unit != "GB" {
			t.Errorf("rates carry resource %q %q / %q", got.Rates[0].ResourceName, got.Rates[0].Unit, got.Rates[1].Unit)
		}
		if got.Billing.Period.Unit != catalog.Months || got.CreatedAt.IsZero() {
			t.Errorf("plan billing %+v created %v", got.Billing, got.CreatedAt)
		}

		list, page, err := s.ListPlans(ctx, 0, store.ListQuery{OrderBy: "p.id", Count: 10})
		if err != nil || len(list) != 2 || page.Total != 2 {
			t.Fatalf("ListPlans = %d plans total %d, %v", len(list), page.Total, err)
		}
		if g, w := planString(list[1]), planString(&want); g != w {
			t.Errorf("listed plan:\n got  %s\n want %s", g, w)
		}
		if len(list[0].Periods) != 0 || len(list[0].Rates) != 0 || list[0].ActivationParams == nil {
			t.Errorf("child plan details leaked: %+v", list[0])
		}
		terms, err := s.Terms(ctx, got.TermIDs)
		if err != nil || len(terms) != 2 || terms[1].Content != "<h1>t2</h1>" {
			t.Errorf("Terms = %+v, %v", terms, err)
		}
		if _, err := s.Plan(ctx, "no-such-plan"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Plan(unknown) err = %v", err)
		}
	})
}

// TestMoneyStoredAsMicros reads the raw columns: money is an integer count of millionths.
func TestMoneyStoredAsMicros(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.LoadDemo(t, s)
		p, err := s.Plan(ctx, demo.PlanOfferCounter)
		if err != nil {
			t.Fatal(err)
		}
		var setup, recurring, renewal int64
		err = s.DB().QueryRowContext(ctx, `SELECT setup_fee, recurring_fee, renewal_fee FROM plan_periods
			WHERE plan_id = $1 AND position = 0`, p.ID).Scan(&setup, &recurring, &renewal)
		if err != nil {
			t.Fatal(err)
		}
		if setup != 10_000_000 || recurring != 4_250_000 || renewal != 0 {
			t.Errorf("stored fees %d/%d/%d, want 10000000/4250000/0", setup, recurring, renewal)
		}
		var included, maxAmount, rate int64
		err = s.DB().QueryRowContext(ctx, `SELECT included, max_amount, recurring_fee FROM plan_resource_rates
			WHERE plan_id = $1 AND position = 0`, p.ID).Scan(&included, &maxAmount, &rate)
		if err != nil {
			t.Fatal(err)
		}
		if included != 20_000_000 || maxAmount != -1_000_000 || rate != 1_500_000 {
			t.Errorf("stored rate %d/%d/%d, want 20000000/-1000000/1500000", included, maxAmount, rate)
		}
		if f := p.Periods[0].Fees; f.Setup.String() != "10.0" || f.Recurring.String() != "4.25" || f.Renewal.String() != "0.0" {
			t.Errorf("read back fees %s/%s/%s, want 10.0/4.25/0.0", f.Setup, f.Recurring, f.Renewal)
		}

		// Values at the edge of the scale survive exactly, on both engines, in a real money column.
		for _, v := range []string{"0.000001", "20.84", "-1", "9223372036854.775807", "-9223372036854.775808"} {
			rule := catalog.TaxRule{Zone: "edge", Name: v, Rate: dec(v)}
			mustTx(t, s, func(tx *store.Tx) error { return store.CreateTaxRule(ctx, tx, &rule) })
			var stored int64
			if err := s.DB().QueryRowContext(ctx, `SELECT rate FROM tax_rules WHERE id = $1`, rule.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if want := dec(v).MustMicros(); stored != want {
				t.Errorf("%s: stored %d, want %d", v, stored, want)
			}
			if got := money.FromMicros(stored); got.Cmp(dec(v)) != 0 {
				t.Errorf("%s: read back as %s", v, got)
			}
		}
	})
}

func demoSellerScope(t *testing.T, s *store.Store) {
	ctx := context.Background()
	resellerA, _ := s.Account(ctx, demo.ResellerA)
	customer, _ := s.Account(ctx, demo.Customer1)
	plans, page, err := s.ListPlans(ctx, resellerA.ID, store.ListQuery{OrderBy: "p.id", Count: 10})
	if err != nil || len(plans) != 4 || page.Total != 4 {
		t.Fatalf("reseller A sees %d plans (total %d), %v; want the 4 delegated", len(plans), page.Total, err)
	}
	plans, _, err = s.ListPlans(ctx, customer.ID, store.ListQuery{OrderBy: "p.id", Count: 10})
	if err != nil || len(plans) != 0 {
		t.Errorf("a customer as seller sees %d plans, %v; want none", len(plans), err)
	}
	ok, err := s.CanSell(ctx, resellerA.ID, plans0ID(t, s))
	if err != nil || !ok {
		t.Errorf("CanSell(reseller A, Cloud VPSes) = %v, %v", ok, err)
	}
	ok, err = s.CanSell(ctx, customer.ID, plans0ID(t, s))
	if err != nil || ok {
		t.Errorf("CanSell(customer, Cloud VPSes) = %v, %v; want false", ok, err)
	}
}

func plans0ID(t *testing.T, s *store.Store) int64 {
	t.Helper()
	p, err := s.Plan(context.Background(), demo.PlanCloudVPS)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}
