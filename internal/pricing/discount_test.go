package pricing

import (
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/catalog"
)

// tenOff is a 10% standing discount the seed's reseller gives all its customers.
func tenOff() catalog.Discount {
	return catalog.Discount{ID: 1, VendorID: 1000003, Type: catalog.Percent, Value: d("10"), Active: true}
}

// The seed's order without a promo code: setup 2, recurring 4.25, 19 VPS at 1.00 (25.25).
func TestDiscounts(t *testing.T) {
	forBuyer := tenOff()
	forBuyer.ID, forBuyer.AccountID, forBuyer.Value = 2, 1000005, d("20")
	tests := []struct {
		name      string
		discounts func() []catalog.Discount
		sub       string
		value     string // the discount shown on each line, "" for none
	}{
		// 10%: setup 2 − 0.20 = 1.80; recurring 4.25 − 0.425→0.43 = 3.82; resource 19 − 1.90 = 17.10
		{"10% for every customer", func() []catalog.Discount { return []catalog.Discount{tenOff()} }, "22.72", "10"},
		{"inactive", func() []catalog.Discount { c := tenOff(); c.Active = false; return []catalog.Discount{c} }, "25.25", ""},
		{"another vendor's", func() []catalog.Discount { c := tenOff(); c.VendorID = 1; return []catalog.Discount{c} }, "25.25", ""},
		{"for another account", func() []catalog.Discount { c := tenOff(); c.AccountID = 42; return []catalog.Discount{c} }, "25.25", ""},
		{"for the buyer", func() []catalog.Discount { c := tenOff(); c.AccountID = 1000005; return []catalog.Discount{c} }, "22.72", "10"},
		{"for another plan", func() []catalog.Discount {
			c := tenOff()
			c.PlanAPSIDs = []string{"other"}
			return []catalog.Discount{c}
		}, "25.25", ""},
		{"for this plan", func() []catalog.Discount {
			c := tenOff()
			c.PlanAPSIDs = []string{strings.ToUpper(seedPlan)}
			return []catalog.Discount{c}
		}, "22.72", "10"},
		// 20% for the buyer wins over 10% for all: 1.60 + 4.25 − 0.85 = 3.40 + 19 − 3.80 = 15.20
		{"the buyer's own wins over every customer's", func() []catalog.Discount { return []catalog.Discount{tenOff(), forBuyer} }, "20.2", "20"},
		// FIXED 3 off each line, never more than the line: 0 + 1.25 + 16
		{"fixed", func() []catalog.Discount {
			c := tenOff()
			c.Type, c.Value = catalog.Fixed, d("3")
			return []catalog.Discount{c}
		}, "17.25", "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := seedSnapshot()
			snap.Discounts = tt.discounts()
			in := seedInput()
			in.PromoCode, in.ExcludeTaxes = "", true
			r := mustEstimate(t, in, snap)
			checkTotals(t, r, "", tt.sub, tt.sub, "0", "0")
			for _, l := range r.Details {
				if tt.value == "" {
					if l.Discount != nil {
						t.Errorf("%s: discount %+v", l.Type, *l.Discount)
					}
					continue
				}
				if l.Discount == nil || !l.Discount.Value.Equal(d(tt.value)) {
					t.Errorf("%s: discount %+v, want value %s", l.Type, l.Discount, tt.value)
				}
			}
		})
	}
}

func TestDiscountLine(t *testing.T) {
	snap := seedSnapshot()
	snap.Discounts = []catalog.Discount{tenOff()}
	in := seedInput()
	in.PromoCode = ""
	r := mustEstimate(t, in, snap)
	// 4.25 at 10%: 0.425 → 0.43 off, 3.82 left, tax 10% 0.382 → 0.38
	l := lineOf(t, r, PlanRecurring)
	if l.Discount.Type != catalog.Percent {
		t.Errorf("type %s", l.Discount.Type)
	}
	eqd(t, "unitPrice", l.UnitPrice, "4.25")
	eqd(t, "discount", l.Discount.Amount, "0.43")
	eqd(t, "extendedPrice", l.ExtendedPrice, "3.82")
	eqd(t, "taxAmount", l.TaxAmount, "0.38")
	// taxes 0.18 + 0.38 + 1.71 = 2.27
	checkTotals(t, r, "", "24.99", "22.72", "2.27", "2.27")
}

// A line gets at most one reduction: special price > promotion > discount.
func TestDiscountPrecedence(t *testing.T) {
	t.Run("promotion wins over discount", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Discounts = []catalog.Discount{tenOff()}
		r := mustEstimate(t, seedInput(), snap)
		checkTotals(t, r, PromoApplied, "20.84", "18.94", "1.90", "1.90") // the seed's first example
		for _, l := range r.Details {
			if !l.Discount.Value.Equal(d("25")) {
				t.Errorf("%s: discount %+v, want the promo's 25%%", l.Type, *l.Discount)
			}
		}
	})
	t.Run("a promotion that does not apply leaves the discount", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Discounts = []catalog.Discount{tenOff()}
		snap.Promotions[0].OrderTypes = []string{"RENEWAL"}
		in := seedInput()
		in.ExcludeTaxes = true
		checkTotals(t, mustEstimate(t, in, snap), PromoNotApplicable, "22.72", "22.72", "0", "0")
	})
	t.Run("promotion on one plan, discount on the other", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Discounts = []catalog.Discount{tenOff()}
		snap.Plans = append(snap.Plans, &catalog.Plan{ID: 9, APSID: "other-plan", Name: "Other", Currency: "USD",
			Periods: []catalog.SubscriptionPeriod{{Period: month, Fees: catalog.Fees{Recurring: d("10")}}}})
		snap.Promotions[0].PlanAPSIDs = []string{"other-plan"}
		in := seedInput()
		in.ExcludeTaxes = true
		in.Products = append(in.Products, Product{PlanID: "other-plan", Period: month})
		r := mustEstimate(t, in, snap)
		for _, l := range r.Details {
			want := "10"
			if l.PlanID == "other-plan" {
				want = "25"
			}
			if !l.Discount.Value.Equal(d(want)) {
				t.Errorf("%s of %s: discount %+v, want %s%%", l.Type, l.PlanID, *l.Discount, want)
			}
		}
		checkTotals(t, r, PromoApplied, "30.22", "30.22", "0", "0") // 22.72 + 10 × 75%
	})
	t.Run("special price wins over both", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Discounts = []catalog.Discount{tenOff()}
		in := seedInput()
		in.SpecialPricing = seedSpecial()
		r := mustEstimate(t, in, snap)
		checkTotals(t, r, PromoApplied, "16.45", "14.95", "1.50", "1.50") // the seed's second example
		if l := lineOf(t, r, PlanRecurring); l.Discount != nil {
			t.Errorf("recurring line without a special price got %+v", *l.Discount)
		}
	})
	t.Run("costs ignore discounts", func(t *testing.T) {
		snap := seedSnapshot()
		snap.Discounts = []catalog.Discount{tenOff()}
		r, err := EstimateCosts(seedInput(), snap)
		if err != nil {
			t.Fatal(err)
		}
		checkTotals(t, r, "", "27.26", "22.72", "4.54", "4.54") // as TestEstimateCosts
	})
}
