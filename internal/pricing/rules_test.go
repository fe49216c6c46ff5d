package pricing

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
)

func wantProblem(t *testing.T, err error, status int, typ, inMessage string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *problem.Error", err, err)
	}
	if p.Status != status || p.Type != typ || !strings.Contains(p.Message, inMessage) {
		t.Fatalf("got %d %s %q; want %d %s containing %q", p.Status, p.Type, p.Message, status, typ, inMessage)
	}
}

func mustEstimate(t *testing.T, in Input, snap Snapshot) Result {
	t.Helper()
	r, err := Estimate(in, snap)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func seedPlanOf(s *Snapshot) *catalog.Plan { return s.Plans[0] }

func lineOf(t *testing.T, r Result, typ LineType) Line {
	t.Helper()
	for _, l := range r.Details {
		if l.Type == typ {
			return l
		}
	}
	t.Fatalf("no %s line in %+v", typ, r.Details)
	return Line{}
}

func eqd(t *testing.T, what string, got money.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestIncludeTaxesFalse(t *testing.T) {
	in := seedInput()
	in.ExcludeTaxes = true
	r := mustEstimate(t, in, seedSnapshot())
	checkTotals(t, r, PromoApplied, "18.94", "18.94", "0", "0")
	for _, l := range r.Details {
		if !l.TaxAmount.IsZero() || !l.ExclusiveTaxAmount.IsZero() {
			t.Errorf("%s has taxes %s/%s", l.Type, l.TaxAmount, l.ExclusiveTaxAmount)
		}
	}
}

func TestWithoutPromoCode(t *testing.T) {
	in := seedInput()
	in.PromoCode = ""
	r := mustEstimate(t, in, seedSnapshot())
	// 2 + 4.25 + 19 = 25.25; taxes 0.20 + 0.43 (0.425) + 1.90 = 2.53
	checkTotals(t, r, "", "27.78", "25.25", "2.53", "2.53")
	for _, l := range r.Details {
		if l.Discount != nil {
			t.Errorf("%s has a discount without a promo code", l.Type)
		}
	}
}

func TestResourceQuantities(t *testing.T) {
	tests := []struct {
		name   string
		amount string // "" = not requested
		lines  int
		qty    string
	}{
		{"included only: no resource line", "1", 2, ""},
		{"not requested: the included amount", "", 2, ""},
		{"one above included", "2", 3, "1"},
		{"seed: 20 with 1 included bills 19", "20", 3, "19"},
		{"fractional amounts", "2.5", 3, "1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := seedInput()
			in.PromoCode = ""
			in.Products[0].Resources = nil
			if tt.amount != "" {
				in.Products[0].Resources = []Amount{{ResourceID: seedResource, Amount: d(tt.amount)}}
			}
			r := mustEstimate(t, in, seedSnapshot())
			if len(r.Details) != tt.lines {
				t.Fatalf("%d lines: %+v", len(r.Details), r.Details)
			}
			if tt.qty != "" {
				l := lineOf(t, r, ResourceRecurring)
				eqd(t, "quantity", l.Quantity, tt.qty)
				eqd(t, "lowerBound", l.LowerBound, "0")
				eqd(t, "extendedPrice", l.ExtendedPrice, tt.qty)
			}
		})
	}
}

func TestResourceBounds(t *testing.T) {
	tests := []struct {
		name           string
		rate           func(*catalog.ResourceRate)
		amount         string
		typ, inMessage string
	}{
		{"below included", nil, "0.5", ErrAmountBelowIncluded, "products[0].resources[0].amount: 0.5 of resource 'Cloud VPS' is less than the 1.0 included"},
		{"below minimum", func(r *catalog.ResourceRate) { r.Min = d("5") }, "4", ErrAmountBelowMinimum, "minimum 5.0"},
		{"above maximum", func(r *catalog.ResourceRate) { r.Max = d("10") }, "11", ErrAmountAboveMaximum, "maximum 10.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := seedSnapshot()
			if tt.rate != nil {
				tt.rate(&seedPlanOf(&snap).Rates[0])
			}
			in := seedInput()
			in.Products[0].Resources[0].Amount = d(tt.amount)
			_, err := Estimate(in, snap)
			wantProblem(t, err, http.StatusUnprocessableEntity, tt.typ, tt.inMessage)
		})
	}
	t.Run("at the maximum", func(t *testing.T) {
		snap := seedSnapshot()
		seedPlanOf(&snap).Rates[0].Max = d("20")
		mustEstimate(t, seedInput(), snap)
	})
	t.Run("unlimited", func(t *testing.T) {
		in := seedInput()
		in.Products[0].Resources[0].Amount = d("1000000")
		r := mustEstimate(t, in, seedSnapshot())
		eqd(t, "quantity", lineOf(t, r, ResourceRecurring).Quantity, "999999")
	})
	t.Run("unknown resource", func(t *testing.T) {
		in := seedInput()
		in.Products[0].Resources[0].ResourceID = "nope"
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrUnknownResource, "products[0].resources[0].resourceId: plan 'Cloud VPSes' ("+seedPlan+") has no resource 'nope'")
	})
	t.Run("listed twice", func(t *testing.T) {
		in := seedInput()
		in.Products[0].Resources = append(in.Products[0].Resources, in.Products[0].Resources[0])
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrDuplicateResource, "products[0].resources[1]")
	})
	t.Run("minimum above included is the default", func(t *testing.T) {
		snap := seedSnapshot()
		seedPlanOf(&snap).Rates[0].Min = d("3")
		in := seedInput()
		in.PromoCode, in.Products[0].Resources = "", nil
		eqd(t, "quantity", lineOf(t, mustEstimate(t, in, snap), ResourceRecurring).Quantity, "2")
	})
}

func TestResourceFees(t *testing.T) {
	snap := seedSnapshot()
	rate := &seedPlanOf(&snap).Rates[0]
	rate.SetupFee = d("0.75")
	in := seedInput()
	in.PromoCode = ""
	r := mustEstimate(t, in, snap)
	setup := lineOf(t, r, ResourceSetup)
	if setup.Duration != nil || setup.Description != "Cloud VPS Setup" || setup.UnitOfMeasure != "unit" || setup.ResourceID != seedResource {
		t.Errorf("setup line %+v", setup)
	}
	eqd(t, "setup extended", setup.ExtendedPrice, "14.25") // 19 × 0.75
	if got := []LineType{r.Details[2].Type, r.Details[3].Type}; got[0] != ResourceSetup || got[1] != ResourceRecurring {
		t.Errorf("resource lines in order %v", got)
	}

	t.Run("flat fee when not charged per unit", func(t *testing.T) {
		snap := seedSnapshot()
		seedPlanOf(&snap).Rates[0].ChargePerUnit = false
		l := lineOf(t, mustEstimate(t, in, snap), ResourceRecurring)
		eqd(t, "quantity", l.Quantity, "1")
		eqd(t, "extended", l.ExtendedPrice, "1")
	})
	t.Run("names and units from the resource when the rate has none", func(t *testing.T) {
		snap := seedSnapshot()
		rate := &seedPlanOf(&snap).Rates[0]
		rate.ResourceName, rate.Unit = "", ""
		snap.Resources[0].Name, snap.Resources[0].Unit = "VPS", "GB"
		l := lineOf(t, mustEstimate(t, in, snap), ResourceRecurring)
		if l.Description != "VPS Recurring" || l.UnitOfMeasure != "GB" {
			t.Errorf("%q %q", l.Description, l.UnitOfMeasure)
		}
		snap.Resources = nil
		l = lineOf(t, mustEstimate(t, in, snap), ResourceRecurring)
		if l.Description != seedResource+" Recurring" || l.UnitOfMeasure != "unit" {
			t.Errorf("%q %q", l.Description, l.UnitOfMeasure)
		}
	})
}

func TestPlanErrors(t *testing.T) {
	t.Run("unknown plan", func(t *testing.T) {
		in := seedInput()
		in.Products[0].PlanID = "missing"
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrUnknownPlan, "products[0].planId: plan 'missing'")
	})
	t.Run("inactive plan", func(t *testing.T) {
		snap := seedSnapshot()
		seedPlanOf(&snap).Status = "INACTIVE"
		_, err := Estimate(seedInput(), snap)
		wantProblem(t, err, 422, ErrPlanNotAvailable, "not for sale")
	})
	t.Run("unknown period", func(t *testing.T) {
		in := seedInput()
		in.Products[0].Period = catalog.Period{Unit: catalog.Months, Duration: 3}
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrUnknownPeriod, "products[0].period: plan 'Cloud VPSes' ("+seedPlan+") has no subscription period 3 MONTHS")
	})
	t.Run("bad order type", func(t *testing.T) {
		in := seedInput()
		in.Type = "GIFT"
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrInvalidOrderType, "GIFT")
	})
	t.Run("plan in another currency", func(t *testing.T) {
		snap := seedSnapshot()
		other := *seedPlanOf(&snap)
		other.APSID, other.Currency = "eur-plan", "EUR"
		snap.Plans = append(snap.Plans, &other)
		in := seedInput()
		in.Products = append(in.Products, Product{PlanID: "eur-plan", Period: month})
		_, err := Estimate(in, snap)
		wantProblem(t, err, 422, ErrMixedCurrencies, "products[1].planId: plan 'Cloud VPSes' is sold in EUR, the rest of the order in USD")
	})
	t.Run("snapshot of another buyer is a bug, not a client error", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Buyer.APSID = "someone-else"
		_, err := Estimate(seedInput(), snap)
		if _, ok := problem.As(err); err == nil || ok {
			t.Fatalf("want a plain error, got %v", err)
		}
	})
}

func TestBillingPeriodDuration(t *testing.T) {
	year := catalog.Period{Unit: catalog.Years, Duration: 1}
	tests := []struct {
		name    string
		billing catalog.Period
		periods int
		want    catalog.Period
	}{
		// the seed's order details: a 1 YEARS subscription of a monthly plan charges {MONTHS, 1.0}
		{"monthly billing of a yearly period", month, 12, month},
		{"no billing terms, 12 billing periods", catalog.Period{}, 12, month},
		{"no billing terms, 4 billing periods", catalog.Period{}, 4, catalog.Period{Unit: catalog.Months, Duration: 3}},
		{"yearly billing", year, 1, year},
		{"billing longer than the period", catalog.Period{Unit: catalog.Years, Duration: 2}, 1, year},
		{"nothing known", catalog.Period{}, 0, year},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := seedSnapshot()
			p := seedPlanOf(&snap)
			p.Billing.Period = tt.billing
			p.Periods = []catalog.SubscriptionPeriod{{Period: year, BillingPeriods: tt.periods, Fees: catalog.Fees{Recurring: d("199")}}}
			in := Input{Type: Sales, Products: []Product{{PlanID: seedPlan, Period: year}}}
			l := lineOf(t, mustEstimate(t, in, snap), PlanRecurring)
			if l.Duration == nil || l.Duration.Unit != tt.want.Unit || !l.Duration.Duration.Equal(money.FromInt(int64(tt.want.Duration))) {
				t.Fatalf("duration %+v, want %v", l.Duration, tt.want)
			}
			eqd(t, "extended", l.ExtendedPrice, "199")
			if l.Period != year {
				t.Errorf("period %v", l.Period)
			}
		})
	}
}

func TestDaysPeriods(t *testing.T) {
	snap := seedSnapshot()
	days30 := catalog.Period{Unit: catalog.Days, Duration: 30}
	p := seedPlanOf(&snap)
	p.Billing.Period = catalog.Period{}
	p.Periods = append(p.Periods, catalog.SubscriptionPeriod{Period: days30, BillingPeriods: 1, Fees: catalog.Fees{Recurring: d("3")}})
	in := Input{Type: Sales, Products: []Product{{PlanID: seedPlan, Period: days30}}}
	l := lineOf(t, mustEstimate(t, in, snap), PlanRecurring)
	if l.Duration.Unit != catalog.Days || !l.Duration.Duration.Equal(d("30")) {
		t.Fatalf("duration %+v", l.Duration)
	}
}

func TestTrialPeriodPreferredLast(t *testing.T) {
	snap := seedSnapshot()
	p := seedPlanOf(&snap)
	p.Periods = append([]catalog.SubscriptionPeriod{{Period: month, Trial: true}}, p.Periods...)
	r := mustEstimate(t, seedInput(), snap)
	checkTotals(t, r, PromoApplied, "20.84", "18.94", "1.90", "1.90")
}

func TestUpsellChildren(t *testing.T) {
	snap := seedSnapshot()
	child := &catalog.Plan{ID: 9, APSID: "child-plan", Name: "Cloud Backup", Currency: "USD",
		Periods: []catalog.SubscriptionPeriod{{Period: month, Fees: catalog.Fees{Recurring: d("3")}}}}
	snap.Plans = append(snap.Plans, child)
	in := seedInput()
	in.PromoCode = ""
	in.Products[0].Children = []Product{{PlanID: "child-plan", Period: month}}

	_, err := Estimate(in, snap)
	wantProblem(t, err, 422, ErrNotAnUpsell, "products[0].childProducts[0].planId: plan 'Cloud Backup' (child-plan) is not an upsell of plan 'Cloud VPSes'")

	seedPlanOf(&snap).ChildPlanAPSIDs = []string{"child-plan"}
	r := mustEstimate(t, in, snap)
	last := r.Details[len(r.Details)-1]
	if last.PlanID != "child-plan" || last.Type != PlanRecurring || last.Description != "Cloud Backup Recurring" {
		t.Fatalf("child line %+v", last)
	}
	eqd(t, "subTotal", r.SubTotal, "28.25")
}

func TestPromotions(t *testing.T) {
	before := seedNow.Add(-time.Hour)
	after := seedNow.Add(time.Hour)
	tests := []struct {
		name   string
		code   string
		change func(*catalog.Promotion)
		want   PromoResult
	}{
		{"applied", "123", nil, PromoApplied},
		{"codes ignore case and spaces", " 123 ", nil, PromoApplied},
		{"unknown code", "999", nil, PromoNotFound},
		{"another vendor's code", "123", func(p *catalog.Promotion) { p.VendorID = 42 }, PromoNotFound},
		{"inactive", "123", func(p *catalog.Promotion) { p.Active = false }, PromoInactive},
		{"not started", "123", func(p *catalog.Promotion) { p.ValidFrom = &after }, PromoNotStarted},
		{"started", "123", func(p *catalog.Promotion) { p.ValidFrom = &before }, PromoApplied},
		{"expired", "123", func(p *catalog.Promotion) { p.ValidTo = &before }, PromoExpired},
		{"still valid", "123", func(p *catalog.Promotion) { p.ValidTo = &after }, PromoApplied},
		{"valid to the instant", "123", func(p *catalog.Promotion) { p.ValidTo = &seedNow }, PromoApplied},
		{"for renewals only", "123", func(p *catalog.Promotion) { p.OrderTypes = []string{"RENEWAL"} }, PromoNotApplicable},
		{"for sales by name", "123", func(p *catalog.Promotion) { p.OrderTypes = []string{"SALES"} }, PromoApplied},
		{"for sales by code", "123", func(p *catalog.Promotion) { p.OrderTypes = []string{"so"} }, PromoApplied},
		{"for another plan", "123", func(p *catalog.Promotion) { p.PlanAPSIDs = []string{"other"} }, PromoNotApplicable},
		{"for this plan", "123", func(p *catalog.Promotion) { p.PlanAPSIDs = []string{strings.ToUpper(seedPlan)} }, PromoApplied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := seedSnapshot()
			if tt.change != nil {
				tt.change(&snap.Promotions[0])
			}
			in := seedInput()
			in.PromoCode = tt.code
			r := mustEstimate(t, in, snap)
			if r.PromoResult != tt.want {
				t.Fatalf("promoResult = %s, want %s", r.PromoResult, tt.want)
			}
			want := "18.94"
			if tt.want != PromoApplied {
				want = "25.25" // priced without it, not refused
			}
			eqd(t, "subTotal", r.SubTotal, want)
		})
	}
}

func TestPromotionFirstApplicableWins(t *testing.T) {
	snap := seedSnapshot()
	expired := snap.Promotions[0]
	expired.ValidTo = &time.Time{}
	ten := snap.Promotions[0]
	ten.Value = d("10")
	snap.Promotions = []catalog.Promotion{expired, ten}
	r := mustEstimate(t, seedInput(), snap)
	if r.PromoResult != PromoApplied {
		t.Fatal(r.PromoResult)
	}
	eqd(t, "setup discount", r.Details[0].Discount.Amount, "0.2")

	snap.Promotions = []catalog.Promotion{expired}
	if r := mustEstimate(t, seedInput(), snap); r.PromoResult != PromoExpired {
		t.Fatal(r.PromoResult)
	}
}

func TestPromotionOnSomePlans(t *testing.T) {
	snap := seedSnapshot()
	other := &catalog.Plan{ID: 9, APSID: "other-plan", Name: "Other", Currency: "USD",
		Periods: []catalog.SubscriptionPeriod{{Period: month, Fees: catalog.Fees{Recurring: d("10")}}}}
	snap.Plans = append(snap.Plans, other)
	snap.Promotions[0].PlanAPSIDs = []string{"other-plan"}
	in := seedInput()
	in.Products = append(in.Products, Product{PlanID: "other-plan", Period: month})
	r := mustEstimate(t, in, snap)
	for _, l := range r.Details {
		if (l.PlanID == "other-plan") != (l.Discount != nil) {
			t.Errorf("%s of %s: discount %+v", l.Type, l.PlanID, l.Discount)
		}
	}
	eqd(t, "subTotal", r.SubTotal, "32.75") // 25.25 + 10 × 75%
}

func TestFixedPromotion(t *testing.T) {
	snap := seedSnapshot()
	snap.Promotions[0].Type, snap.Promotions[0].Value = catalog.Fixed, d("3")
	r := mustEstimate(t, seedInput(), snap)
	// 3 off each line, never more than the line: setup 2 → 0, recurring 4.25 → 1.25, resource 19 → 16
	wants := []struct{ ext, amt string }{{"0", "2"}, {"1.25", "3"}, {"16", "3"}}
	for i, w := range wants {
		l := r.Details[i]
		eqd(t, string(l.Type)+" extended", l.ExtendedPrice, w.ext)
		if l.Discount.Type != catalog.Fixed || !l.Discount.Value.Equal(d("3")) {
			t.Errorf("%s discount %+v", l.Type, *l.Discount)
		}
		eqd(t, string(l.Type)+" discount", l.Discount.Amount, w.amt)
	}
}

func TestPromoOnlyForPrices(t *testing.T) {
	r, err := EstimateCosts(seedInput(), seedSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	if r.PromoResult != "" {
		t.Errorf("costs report promoResult %q", r.PromoResult)
	}
}

// The rule that reproduces both seed examples: a special price replaces the promo code on every
// line of the plan and period it covers, including lines without a special price (the seed's
// recurring line at 4.25 has no discount), while promoResult still reports the code as APPLIED.
// Plans the special pricing does not cover still get the promo.
func TestSpecialPricingReplacesPromoPerProduct(t *testing.T) {
	snap := seedSnapshot()
	other := &catalog.Plan{ID: 9, APSID: "other-plan", Name: "Other", Currency: "USD",
		Periods: []catalog.SubscriptionPeriod{{Period: month, Fees: catalog.Fees{Recurring: d("10")}}}}
	snap.Plans = append(snap.Plans, other)
	in := seedInput()
	in.Products = append(in.Products, Product{PlanID: "other-plan", Period: month})
	in.SpecialPricing = seedSpecial()
	r := mustEstimate(t, in, snap)
	if r.PromoResult != PromoApplied {
		t.Fatal(r.PromoResult)
	}
	last := r.Details[len(r.Details)-1]
	if last.PlanID != "other-plan" || last.Discount == nil || last.Discount.Type != catalog.Percent {
		t.Fatalf("uncovered plan lost its promo: %+v", last)
	}
	eqd(t, "subTotal", r.SubTotal, "22.45") // 14.95 + 7.50
}

func TestSpecialPrices(t *testing.T) {
	t.Run("above the list price", func(t *testing.T) {
		in := seedInput()
		in.SpecialPricing = &SpecialPricing{Products: []SpecialProduct{{PlanID: seedPlan, Period: month, Prices: &PlanFees{Recurring: dp("5")}}}}
		l := lineOf(t, mustEstimate(t, in, seedSnapshot()), PlanRecurring)
		eqd(t, "extended", l.ExtendedPrice, "5")
		eqd(t, "discount", l.Discount.Amount, "-0.75")
	})
	t.Run("a free setup keeps its line", func(t *testing.T) {
		in := seedInput()
		in.SpecialPricing = &SpecialPricing{Products: []SpecialProduct{{PlanID: seedPlan, Period: month, Prices: &PlanFees{Setup: dp("0")}}}}
		l := lineOf(t, mustEstimate(t, in, seedSnapshot()), PlanSetup)
		eqd(t, "extended", l.ExtendedPrice, "0")
		eqd(t, "discount", l.Discount.Amount, "2")
	})
	t.Run("a special price for a fee the plan does not charge", func(t *testing.T) {
		snap := seedSnapshot()
		seedPlanOf(&snap).Periods[0].Fees.Setup = money.Zero
		in := seedInput()
		in.SpecialPricing = &SpecialPricing{Products: []SpecialProduct{{PlanID: seedPlan, Period: month, Prices: &PlanFees{Setup: dp("1")}}}}
		l := lineOf(t, mustEstimate(t, in, snap), PlanSetup)
		eqd(t, "extended", l.ExtendedPrice, "1")
		eqd(t, "discount", l.Discount.Amount, "-1")
	})
	t.Run("costs only: list prices and the promo code", func(t *testing.T) {
		in := seedInput()
		in.SpecialPricing = &SpecialPricing{Products: []SpecialProduct{{PlanID: seedPlan, Period: month, Costs: &PlanFees{Setup: dp("1")}}}}
		checkTotals(t, mustEstimate(t, in, seedSnapshot()), PromoApplied, "20.84", "18.94", "1.90", "1.90")
	})
	t.Run("for a plan not ordered", func(t *testing.T) {
		in := seedInput()
		in.SpecialPricing = seedSpecial()
		in.SpecialPricing.Products[0].Period.Duration = 3
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrSpecialMismatch, "specialPricing.products[0]: plan '"+seedPlan+"' with period 3 MONTHS is not in the order")
	})
	t.Run("for a resource the plan lacks", func(t *testing.T) {
		in := seedInput()
		in.SpecialPricing = seedSpecial()
		in.SpecialPricing.Products[0].Resources[0].ResourceID = "nope"
		_, err := Estimate(in, seedSnapshot())
		wantProblem(t, err, 422, ErrUnknownResource, "specialPricing.products[0].resources[0].resourceId")
	})
}

func TestTaxes(t *testing.T) {
	tests := []struct {
		name             string
		rules            []catalog.TaxRule
		zone             string
		tax, excl, total string
	}{
		{"no zone: no tax", []catalog.TaxRule{{Zone: "EU-VAT10", Rate: d("10")}}, "", "0", "0", "18.94"},
		{"another zone's rules", []catalog.TaxRule{{Zone: "US", Rate: d("10")}}, "EU-VAT10", "0", "0", "18.94"},
		// inclusive 10%: the tax inside 1.5 is 1.5 × 10/110 = 0.136 → 0.14; 3.19 → 0.29; 14.25 → 1.295 → 1.30
		{"inclusive", []catalog.TaxRule{{Zone: "EU-VAT10", Rate: d("10"), Inclusive: true}}, "EU-VAT10", "1.73", "0", "18.94"},
		// two exclusive rules, each rounded per line: 10% = 1.90 as in the seed, 5%: 0.075→0.08, 0.1595→0.16, 0.7125→0.71
		{"two exclusive", []catalog.TaxRule{{Zone: "Z", Rate: d("10")}, {Zone: "Z", Rate: d("5")}}, "Z", "2.85", "2.85", "21.79"},
		// inclusive 20% + exclusive 10%: inclusive 1.5×20/120=0.25, 3.19→0.531667→0.53, 14.25→2.375→2.38
		{"inclusive and exclusive", []catalog.TaxRule{{Zone: "Z", Rate: d("20"), Inclusive: true}, {Zone: "Z", Rate: d("10")}}, "Z", "5.06", "1.90", "20.84"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := seedSnapshot()
			snap.TaxRules, snap.Buyer.TaxZone = tt.rules, tt.zone
			r := mustEstimate(t, seedInput(), snap)
			checkTotals(t, r, PromoApplied, tt.total, "18.94", tt.tax, tt.excl)
		})
	}
}

func TestCurrencyPrecision(t *testing.T) {
	snap := seedSnapshot()
	p := seedPlanOf(&snap)
	p.Currency = "JPY"
	p.Periods[0].Fees = catalog.Fees{Setup: d("250"), Recurring: d("425")}
	p.Rates[0].RecurringFee = d("100")
	r := mustEstimate(t, seedInput(), snap)
	// 425 at 25%: 106.25 → 106 off, 319 left; tax 31.9 → 32
	l := lineOf(t, r, PlanRecurring)
	eqd(t, "discount", l.Discount.Amount, "106")
	eqd(t, "extended", l.ExtendedPrice, "319")
	eqd(t, "tax", l.TaxAmount, "32")
	if r.Currency != "JPY" {
		t.Fatal(r.Currency)
	}
	for _, l := range r.Details {
		if l.ExtendedPrice.Scale() > 0 && !l.ExtendedPrice.IsInt() {
			t.Errorf("%s: %s has decimals in JPY", l.Type, l.ExtendedPrice)
		}
	}
}

func TestCurrencyFallsBackToBuyer(t *testing.T) {
	snap := seedSnapshot()
	seedPlanOf(&snap).Currency = ""
	snap.Buyer.Currency = "EUR"
	if r := mustEstimate(t, seedInput(), snap); r.Currency != "EUR" {
		t.Fatal(r.Currency)
	}
}

func TestEstimateCosts(t *testing.T) {
	r, err := EstimateCosts(seedInput(), seedSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	// 10% off the spot prices, the reseller's own 20% tax:
	// setup 2 − 0.20 = 1.80 (tax 0.36); recurring 4.25 − 0.425→0.43 = 3.82 (0.764→0.76);
	// resource 19 − 1.90 = 17.10 (3.42)
	checkTotals(t, r, "", "27.26", "22.72", "4.54", "4.54")
	for _, l := range r.Details {
		if l.Discount == nil || l.Discount.Type != catalog.Percent || !l.Discount.Value.Equal(d("10")) {
			t.Errorf("%s discount %+v", l.Type, l.Discount)
		}
	}
	in := seedInput()
	in.ExcludeTaxes = true
	r, _ = EstimateCosts(in, seedSnapshot())
	checkTotals(t, r, "", "22.72", "22.72", "0", "0")
}

func TestEstimateCostsSpecial(t *testing.T) {
	in := seedInput()
	in.SpecialPricing = seedSpecial()
	in.ExcludeTaxes = true
	r, err := EstimateCosts(in, seedSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	// the seed's special costs: setup 1.0, recurring 14.0, resource 0.3 × 19 = 5.7
	checkTotals(t, r, "", "20.7", "20.7", "0", "0")
	eqd(t, "recurring discount", lineOf(t, r, PlanRecurring).Discount.Amount, "-9.75")
	eqd(t, "resource unit", lineOf(t, r, ResourceRecurring).UnitPrice, "0.3")
}

func TestEstimateCostsExplicit(t *testing.T) {
	snap := seedSnapshot()
	snap.Delegations[0].Rule = catalog.CostExplicit
	snap.Delegations[0].Explicit = catalog.ExplicitCosts{
		Periods:   []catalog.PeriodCost{{Period: month, Recurring: dp("3")}},
		Resources: []catalog.ResourceCost{{ResourceAPSID: seedResource, Recurring: dp("0.8")}},
	}
	in := seedInput()
	in.ExcludeTaxes = true
	r, err := EstimateCosts(in, snap)
	if err != nil {
		t.Fatal(err)
	}
	// setup has no explicit cost: the spot price 2.0; recurring 3; resource 19 × 0.8 = 15.2
	if lineOf(t, r, PlanSetup).Discount != nil {
		t.Error("setup without explicit cost has a discount")
	}
	checkTotals(t, r, "", "20.2", "20.2", "0", "0")
}

func TestEstimateCostsRefusals(t *testing.T) {
	t.Run("direct customer of the provider", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Sellers = snap.Sellers[1:]
		_, err := EstimateCosts(seedInput(), snap)
		wantProblem(t, err, 422, ErrNoReseller, "buys directly from the provider")
	})
	t.Run("plan not delegated", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Delegations = nil
		_, err := EstimateCosts(seedInput(), snap)
		wantProblem(t, err, 422, ErrPlanNotDelegated, "products[0].planId: plan 'Cloud VPSes' ("+seedPlan+") is not delegated to reseller '"+seedReseller+"'")
	})
	t.Run("no seller chain is a bug", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Sellers = nil
		_, err := EstimateCosts(seedInput(), snap)
		if _, ok := problem.As(err); err == nil || ok {
			t.Fatalf("want a plain error, got %v", err)
		}
	})
}

func TestWhoMaySetCosts(t *testing.T) {
	snap := seedSnapshot()
	provider, reseller, buyer := snap.Sellers[1], snap.Sellers[0], snap.Buyer
	top := account.Account{ID: 1000002, APSID: "l1", Type: account.Reseller, Path: "/1/1000002/"}
	snap.Buyer.Path, snap.Sellers[0].Path = "/1/1000002/1000003/1000005/", "/1/1000002/1000003/"
	stranger := account.Account{ID: 1000009, APSID: "stranger", Type: account.Reseller, Path: "/1/1000009/"}
	tests := []struct {
		name   string
		caller account.Account
		ok     bool
	}{
		{"provider", provider, true},
		{"reseller above the seller", top, true},
		{"the seller itself", reseller, false},
		{"the buyer", buyer, false},
		{"another branch", stranger, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := seedInput()
			in.SpecialPricing = seedSpecial()
			s := snap
			s.Caller = &tt.caller
			_, err := Estimate(in, s)
			if tt.ok && err != nil {
				t.Fatal(err)
			}
			if !tt.ok {
				wantProblem(t, err, http.StatusForbidden, ErrCostsNotAllowed, "specialPricing")
			}
			// prices alone may be set by the seller
			in.SpecialPricing.Products[0].Costs, in.SpecialPricing.Products[0].Resources[0].Costs = nil, nil
			if _, err := Estimate(in, s); err != nil {
				t.Fatalf("special prices without costs: %v", err)
			}
		})
	}
}
