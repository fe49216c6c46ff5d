package pricing

import (
	"net/http"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/subscription"
)

const seedSub = "a63078fb-7af8-417e-88c3-e7af37e08e59"

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func tp(t time.Time) *time.Time { return &t }

// subSnapshot adds the demo's "Cloud VPSes" subscription: bought 2019-03-20, billed monthly
// (current billing period 2019-03-20 → 2019-04-20, 31 days), 2 units of the resource (1 billed),
// priced on 2019-04-04: 16 days left, today included.
func subSnapshot() Snapshot {
	s := seedSnapshot()
	s.Now = time.Date(2019, 4, 4, 15, 30, 0, 0, time.UTC)
	s.Subscription = &Subscription{Subscription: subscription.Subscription{
		ID: 1000003, APSID: seedSub, PlanID: 3, PlanAPSID: seedPlan, Name: "Cloud VPSes",
		Status: subscription.StatusActive, Period: month, BillingPeriod: month,
		StartDate: date(2019, 3, 20), ExpirationDate: date(2019, 4, 20),
		LastBillDate: tp(date(2019, 3, 20)), NextBillDate: tp(date(2019, 4, 20)),
		Resources: []subscription.Resource{{ResourceAPSID: seedResource, Amount: d("2")}},
	}}
	return s
}

func subInput(t OrderType) Input { return Input{Type: t, SubscriptionID: seedSub} }

func TestRenewal(t *testing.T) {
	snap := subSnapshot()
	seedPlanOf(&snap).Periods[0].Fees.Renewal = d("0.5")
	r := mustEstimate(t, subInput(Renewal), snap)
	// renewal fee 0.5, next month 4.25, 1 billed unit 1.0; 10% tax each
	checkTotals(t, r, "", "6.33", "5.75", "0.58", "0.58")
	want := []LineType{PlanRenewal, PlanRecurring, ResourceRecurring}
	for i, l := range r.Details {
		if l.Type != want[i] {
			t.Fatalf("line %d = %s, want %s", i, l.Type, want[i])
		}
	}
	if r.Details[0].Description != "Cloud VPSes Renewal" || r.Details[0].Duration != nil {
		t.Errorf("renewal line %+v", r.Details[0])
	}
	if d := r.Details[1].Duration; d == nil || d.Unit != catalog.Months || !d.Duration.Equal(one) {
		t.Errorf("recurring duration %+v", d)
	}

	t.Run("with the promo code", func(t *testing.T) {
		in := subInput(Renewal)
		in.PromoCode = "123"
		r := mustEstimate(t, in, snap)
		// 0.5→0.37 (0.125→0.13 off), 4.25→3.19, 1→0.75; taxes 0.04 + 0.32 + 0.08
		checkTotals(t, r, PromoApplied, "4.75", "4.31", "0.44", "0.44")
	})
	t.Run("for another period", func(t *testing.T) {
		in := subInput(Renewal)
		in.Period = &catalog.Period{Unit: catalog.Years, Duration: 1}
		_, err := Estimate(in, snap)
		wantProblem(t, err, 422, ErrUnknownPeriod, "period: plan 'Cloud VPSes'")
	})
}

func TestRenewalSpecialPrices(t *testing.T) {
	for _, tt := range []struct {
		name       string
		applicable []string
		subTotal   string
	}{
		{"bound to renewals", []string{"RENEWAL"}, "4.75"},         // 4.25 + 1 × 0.5
		{"first period only: the promo code applies", nil, "3.94"}, // 3.19 + 0.75
	} {
		t.Run(tt.name, func(t *testing.T) {
			snap := subSnapshot()
			snap.Subscription.SpecialPricing = seedSpecial()
			snap.Subscription.SpecialPricing.ApplicableTo = tt.applicable
			in := subInput(Renewal)
			in.PromoCode = "123"
			r := mustEstimate(t, in, snap)
			eqd(t, "subTotal", r.SubTotal, tt.subTotal)
		})
	}
}

func TestSubscriptionRefusals(t *testing.T) {
	for _, typ := range []OrderType{Renewal, Change, Cancellation} {
		t.Run(string(typ), func(t *testing.T) {
			in := subInput(typ)
			in.Resources = []Amount{{ResourceID: seedResource, Amount: d("5")}}

			snap := subSnapshot()
			snap.Subscription = nil
			_, err := Estimate(in, snap)
			wantProblem(t, err, http.StatusNotFound, ErrSubscriptionNotFound, seedSub)

			snap = subSnapshot()
			snap.Subscription.APSID = "another"
			_, err = Estimate(in, snap)
			wantProblem(t, err, http.StatusNotFound, ErrSubscriptionNotFound, seedSub)

			snap = subSnapshot()
			snap.Subscription.Status = subscription.StatusTerminated
			_, err = Estimate(in, snap)
			wantProblem(t, err, 422, ErrSubscriptionEnded, "terminated")

			snap = subSnapshot()
			snap.Plans = nil
			_, err = Estimate(in, snap)
			wantProblem(t, err, 422, ErrPlanNotAvailable, "no longer available")
		})
	}
}

func TestChangeResourceLimits(t *testing.T) {
	tests := []struct {
		name   string
		amount string
		lines  []want
		total  string
	}{
		{"upgrade 2 → 5: 3 more units for 16 of 31 days", "5", []want{
			{typ: ResourceRecurring, desc: "Cloud VPS Recurring", qty: "3", unit: "1", ext: "1.55", // 48/31 = 1.548…
				tax: "0.16", exclTax: "0.16", resource: true, durationUnit: catalog.Days, duration: "16", unitOfMeasure: "unit"},
		}, "1.71"},
		{"downgrade 2 → 1: a credit for the unit removed", "1", []want{
			{typ: ResourceRecurringCredit, desc: "Cloud VPS Recurring Credit", qty: "-1", unit: "1", ext: "-0.52", // 16/31 = 0.516…
				tax: "-0.05", exclTax: "-0.05", resource: true, durationUnit: catalog.Days, duration: "16", unitOfMeasure: "unit"},
		}, "-0.57"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := subInput(Change)
			in.Resources = []Amount{{ResourceID: seedResource, Amount: d(tt.amount)}}
			r := mustEstimate(t, in, subSnapshot())
			checkLines(t, r.Details, tt.lines)
			eqd(t, "total", r.Total, tt.total)
		})
	}
	t.Run("setup fee for the added units, in full", func(t *testing.T) {
		snap := subSnapshot()
		seedPlanOf(&snap).Rates[0].SetupFee = d("2")
		in := subInput(Change)
		in.Resources = []Amount{{ResourceID: seedResource, Amount: d("5")}}
		r := mustEstimate(t, in, snap)
		eqd(t, "setup", lineOf(t, r, ResourceSetup).ExtendedPrice, "6")
	})
	t.Run("promo discounts the charge, not credits", func(t *testing.T) {
		in := subInput(Change)
		in.PromoCode = "123"
		in.Resources = []Amount{{ResourceID: seedResource, Amount: d("5")}}
		l := lineOf(t, mustEstimate(t, in, subSnapshot()), ResourceRecurring)
		eqd(t, "extended", l.ExtendedPrice, "1.16") // 1.55 − 0.3875→0.39
		in.Resources[0].Amount = d("1")
		if l := lineOf(t, mustEstimate(t, in, subSnapshot()), ResourceRecurringCredit); l.Discount != nil {
			t.Errorf("credit discounted: %+v", l.Discount)
		}
	})
	t.Run("nothing changes", func(t *testing.T) {
		in := subInput(Change)
		in.Resources = []Amount{{ResourceID: seedResource, Amount: d("2")}}
		_, err := Estimate(in, subSnapshot())
		wantProblem(t, err, 422, ErrNothingToChange, "changes nothing")
	})
	t.Run("below the included units", func(t *testing.T) {
		in := subInput(Change)
		in.Resources = []Amount{{ResourceID: seedResource, Amount: d("0")}}
		_, err := Estimate(in, subSnapshot())
		wantProblem(t, err, 422, ErrAmountBelowIncluded, "resources[0].amount")
	})
	t.Run("on the last day", func(t *testing.T) {
		snap := subSnapshot()
		snap.Now = time.Date(2019, 4, 19, 23, 0, 0, 0, time.UTC)
		in := subInput(Change)
		in.Resources = []Amount{{ResourceID: seedResource, Amount: d("33")}}
		l := lineOf(t, mustEstimate(t, in, snap), ResourceRecurring)
		eqd(t, "extended", l.ExtendedPrice, "1") // 31 more units × 1/31
	})
}

func TestChangeSwitchPlan(t *testing.T) {
	snap := subSnapshot()
	pro := &catalog.Plan{ID: 4, APSID: "pro-plan", Name: "Cloud VPSes Pro", Status: "ACTIVE", Currency: "USD",
		Billing: seedPlanOf(&snap).Billing,
		Periods: []catalog.SubscriptionPeriod{{Period: month, BillingPeriods: 1, Fees: catalog.Fees{Setup: d("5"), Recurring: d("10")}}},
		Rates: []catalog.ResourceRate{{ResourceAPSID: seedResource, ResourceName: "Cloud VPS", Unit: "unit",
			Included: d("1"), Max: catalog.Unlimited, RecurringFee: d("2"), ChargePerUnit: true}}}
	snap.Plans = append(snap.Plans, pro)
	in := subInput(Change)
	in.PlanID = "pro-plan"
	r := mustEstimate(t, in, snap)
	if len(r.Details) != 5 {
		t.Fatalf("%d lines: %+v", len(r.Details), r.Details)
	}
	checkLines(t, r.Details[:2], nil2(
		// the unused 16 of 31 days of the old plan
		want{typ: PlanRecurringCredit, desc: "Cloud VPSes Recurring Credit", qty: "-1", unit: "4.25", ext: "-2.19",
			tax: "-0.22", exclTax: "-0.22", durationUnit: catalog.Days, duration: "16", unitOfMeasure: "item"},
		want{typ: ResourceRecurringCredit, desc: "Cloud VPS Recurring Credit", qty: "-1", unit: "1", ext: "-0.52",
			tax: "-0.05", exclTax: "-0.05", resource: true, durationUnit: catalog.Days, duration: "16", unitOfMeasure: "unit"},
	))
	rest := r.Details[2:]
	wantTypes := []LineType{PlanSetup, PlanRecurring, ResourceRecurring}
	wantExt := []string{"5", "5.16", "1.03"} // 10 × 16/31 = 5.161…, 2 × 16/31 = 1.032…
	for i, l := range rest {
		if l.Type != wantTypes[i] || l.PlanID != "pro-plan" {
			t.Fatalf("new line %d: %s of %s", i, l.Type, l.PlanID)
		}
		eqd(t, string(l.Type), l.ExtendedPrice, wantExt[i])
	}
	eqd(t, "subTotal", r.SubTotal, "8.48")

	t.Run("another period starts a new billing cycle", func(t *testing.T) {
		snap := subSnapshot()
		quarter := catalog.Period{Unit: catalog.Months, Duration: 3}
		p := seedPlanOf(&snap)
		p.Periods = append(p.Periods, catalog.SubscriptionPeriod{Period: quarter, BillingPeriods: 3,
			Fees: catalog.Fees{Setup: d("2"), Recurring: d("4")}})
		in := subInput(Change)
		in.Period = &quarter
		r := mustEstimate(t, in, snap)
		// credits −2.19 and −0.52; no setup (same plan); a full first month at 4 and 1 unit at 1
		if len(r.Details) != 4 {
			t.Fatalf("%+v", r.Details)
		}
		l := lineOf(t, r, PlanRecurring)
		if l.Period != quarter || l.Duration.Unit != catalog.Months || !l.Duration.Duration.Equal(one) {
			t.Errorf("new recurring %+v", l)
		}
		eqd(t, "subTotal", r.SubTotal, "2.29")
	})
	t.Run("unknown target plan", func(t *testing.T) {
		in := subInput(Change)
		in.PlanID = "ghost"
		_, err := Estimate(in, snap)
		wantProblem(t, err, 422, ErrUnknownPlan, "planId: plan 'ghost'")
	})
	t.Run("resource the new plan lacks", func(t *testing.T) {
		in := subInput(Change)
		in.PlanID = "pro-plan"
		in.Resources = []Amount{{ResourceID: "other", Amount: d("1")}}
		_, err := Estimate(in, snap)
		wantProblem(t, err, 422, ErrUnknownResource, "resources[0].resourceId: plan 'Cloud VPSes Pro'")
	})
}

func nil2(ws ...want) []want { return ws }

func TestCancellation(t *testing.T) {
	tests := []struct {
		name   string
		policy catalog.Refund
		now    time.Time
		total  string
		lines  int
	}{
		// 16 of 31 days unused: plan −2.19, resource −0.52, taxes −0.22 −0.05
		{"prorated", catalog.Refund{Type: "PRORATED"}, time.Date(2019, 4, 4, 15, 0, 0, 0, time.UTC), "-2.98", 2},
		{"prorated by default", catalog.Refund{}, time.Date(2019, 4, 4, 15, 0, 0, 0, time.UTC), "-2.98", 2},
		{"prorated, full within 20 days", catalog.Refund{Type: "PRORATED", Days: 20}, time.Date(2019, 4, 4, 0, 0, 0, 0, time.UTC), "-5.78", 2},
		{"prorated after the full-refund days", catalog.Refund{Type: "PRORATED", Days: 10}, time.Date(2019, 4, 4, 0, 0, 0, 0, time.UTC), "-2.98", 2},
		{"no refund", catalog.Refund{Type: "NONE"}, time.Date(2019, 4, 4, 0, 0, 0, 0, time.UTC), "0", 0},
		{"full within 30 days", catalog.Refund{Type: "FULL", Days: 30}, time.Date(2019, 4, 4, 0, 0, 0, 0, time.UTC), "-5.78", 2},
		{"full, too late", catalog.Refund{Type: "FULL", Days: 7}, time.Date(2019, 4, 4, 0, 0, 0, 0, time.UTC), "0", 0},
		{"full, no limit", catalog.Refund{Type: "FULL"}, time.Date(2019, 4, 19, 0, 0, 0, 0, time.UTC), "-5.78", 2},
		{"after the period", catalog.Refund{Type: "PRORATED"}, time.Date(2019, 4, 25, 0, 0, 0, 0, time.UTC), "0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := subSnapshot()
			snap.Now = tt.now
			seedPlanOf(&snap).Periods[0].Refund = tt.policy
			r := mustEstimate(t, subInput(Cancellation), snap)
			if len(r.Details) != tt.lines {
				t.Fatalf("%d lines: %+v", len(r.Details), r.Details)
			}
			eqd(t, "total", r.Total, tt.total)
			for _, l := range r.Details {
				if l.Quantity.Sign() >= 0 || l.ExtendedPrice.Sign() > 0 {
					t.Errorf("credit line %s: quantity %s extended %s", l.Type, l.Quantity, l.ExtendedPrice)
				}
			}
		})
	}
	t.Run("credits at the subscription's special prices", func(t *testing.T) {
		snap := subSnapshot()
		snap.Subscription.SpecialPricing = seedSpecial()
		snap.Subscription.SpecialPricing.Products[0].Prices.Recurring = dp("3.1")
		in := subInput(Cancellation)
		in.ExcludeTaxes = true
		r := mustEstimate(t, in, snap)
		// 3.1 × 16/31 = 1.60; 0.5 × 16/31 = 0.258… → 0.26
		eqd(t, "subTotal", r.SubTotal, "-1.86")
	})
	t.Run("reseller's credit", func(t *testing.T) {
		in := subInput(Cancellation)
		in.ExcludeTaxes = true
		r, err := EstimateCosts(in, subSnapshot())
		if err != nil {
			t.Fatal(err)
		}
		// −2.19 less 10% (−0.219 → −0.22) = −1.97; −0.52 less −0.05 = −0.47
		eqd(t, "subTotal", r.SubTotal, "-2.44")
	})
}

func TestProrationHelpers(t *testing.T) {
	sub := subSnapshot().Subscription.Subscription
	start, end := CurrentBillingPeriod(sub)
	if !start.Equal(date(2019, 3, 20)) || !end.Equal(date(2019, 4, 20)) {
		t.Fatalf("%v – %v", start, end)
	}
	sub.LastBillDate, sub.NextBillDate = nil, nil
	sub.ExpirationDate = date(2020, 3, 20)
	sub.Period = catalog.Period{Unit: catalog.Years, Duration: 1}
	start, end = CurrentBillingPeriod(sub)
	if !start.Equal(date(2020, 2, 20)) || !end.Equal(date(2020, 3, 20)) {
		t.Fatalf("without bill dates: %v – %v", start, end)
	}
	sub.BillingPeriod = catalog.Period{}
	if start, _ = CurrentBillingPeriod(sub); !start.Equal(date(2019, 3, 20)) {
		t.Fatalf("without billing period: %v", start)
	}

	tests := []struct {
		now              time.Time
		remaining, total int
	}{
		{date(2019, 3, 20), 31, 31},
		{date(2019, 3, 19), 31, 31}, // before the period: all of it
		{time.Date(2019, 4, 4, 23, 59, 0, 0, time.UTC), 16, 31},
		{date(2019, 4, 19), 1, 31},
		{date(2019, 4, 20), 0, 31},
		{date(2019, 5, 1), 0, 31},
		{time.Date(2019, 4, 4, 23, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)), 15, 31}, // 04:00 UTC on the 5th
	}
	for _, tt := range tests {
		r, tot := RemainingDays(date(2019, 3, 20), date(2019, 4, 20), tt.now)
		if r != tt.remaining || tot != tt.total {
			t.Errorf("RemainingDays at %v = %d/%d, want %d/%d", tt.now, r, tot, tt.remaining, tt.total)
		}
	}
	if DaysBetween(date(2020, 2, 1), date(2020, 3, 1)) != 29 || DaysBetween(date(2020, 3, 1), date(2020, 2, 1)) != 0 {
		t.Error("DaysBetween")
	}
	for _, tt := range []struct {
		amount           string
		remaining, total int
		cur, want        string
	}{
		{"4.25", 16, 31, "USD", "2.19"}, {"10", 15, 30, "USD", "5"}, {"1", 1, 3, "USD", "0.33"},
		{"2", 1, 3, "USD", "0.67"}, {"1000", 1, 3, "JPY", "333"}, {"5", 0, 30, "USD", "0"}, {"5", 3, 0, "USD", "0"},
	} {
		if got := Prorate(d(tt.amount), tt.remaining, tt.total, tt.cur); !got.Equal(d(tt.want)) {
			t.Errorf("Prorate(%s, %d/%d) = %s, want %s", tt.amount, tt.remaining, tt.total, got, tt.want)
		}
	}
}
