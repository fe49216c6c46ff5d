package pricing

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The ids of seed 002's estimate examples.
const (
	seedPlan     = "6b64da9a-f8e6-4cbd-8aef-de304a27b627" // "Cloud VPSes"
	seedResource = "2f8905f8-4302-49d7-ab7f-65c9036addf0"
	seedBuyer    = "00b60056-8b0a-4981-8ca4-d114346cd652"
	seedReseller = "c0d43087-da72-472a-a176-84a34608979f"
)

func d(s string) money.Decimal { return money.MustParse(s) }

func dp(s string) *money.Decimal { v := d(s); return &v }

var month = catalog.Period{Unit: catalog.Months, Duration: 1}

var seedNow = time.Date(2019, 4, 1, 10, 0, 0, 0, time.UTC)

// seedSnapshot is the configuration seed 002's estimate examples imply: plan "Cloud VPSes",
// 1 MONTHS, setup 2.00, recurring 4.25 per month; one resource with 1 unit included at 1.00
// per unit; the buyer in a 10% exclusive tax zone, customer of a reseller whose promo code
// "123" takes 25% off, and which pays 90% of the spot prices.
func seedSnapshot() Snapshot {
	provider := account.Account{ID: 1, APSID: "provider", Type: account.Provider, Path: "/1/"}
	reseller := account.Account{ID: 1000003, APSID: seedReseller, ParentID: 1, Type: account.Reseller,
		Path: "/1/1000003/", TaxZone: "RESELLER-ZONE", Currency: "USD"}
	buyer := account.Account{ID: 1000005, APSID: seedBuyer, ParentID: reseller.ID, Type: account.Customer,
		Path: "/1/1000003/1000005/", TaxZone: "EU-VAT10", Currency: "USD"}
	plan := &catalog.Plan{ID: 3, APSID: seedPlan, Name: "Cloud VPSes", Status: "ACTIVE", Currency: "USD",
		Billing: catalog.BillingTerms{Period: month, Model: "CHARGE_BEFORE_BILLING_PERIOD", RecurringPricesEvery: "MONTH"},
		Periods: []catalog.SubscriptionPeriod{{Period: month, BillingPeriods: 1,
			Fees: catalog.Fees{Setup: d("2"), Recurring: d("4.25")}, Refund: catalog.Refund{Type: "PRORATED"}}},
		Rates: []catalog.ResourceRate{{ResourceID: 3, ResourceAPSID: seedResource, ResourceName: "Cloud VPS", Unit: "unit",
			Included: d("1"), Min: d("0"), Max: catalog.Unlimited, RecurringFee: d("1"), ChargePerUnit: true}}}
	return Snapshot{
		Now:       seedNow,
		Buyer:     buyer,
		Sellers:   []account.Account{reseller, provider},
		Plans:     []*catalog.Plan{plan},
		Resources: []catalog.Resource{{ID: 3, APSID: seedResource, Name: "Cloud VPS", Unit: "unit"}},
		Promotions: []catalog.Promotion{{ID: 1, VendorID: reseller.ID, Code: "123", Name: "Demo promotion 25%",
			Type: catalog.Percent, Value: d("25"), Active: true}},
		TaxRules: []catalog.TaxRule{{ID: 1, Zone: "EU-VAT10", Name: "VAT 10%", Rate: d("10")},
			{ID: 2, Zone: "RESELLER-ZONE", Name: "Reseller VAT 20%", Rate: d("20")}},
		Delegations: []catalog.Delegation{{PlanID: plan.ID, PlanAPSID: seedPlan, ResellerID: reseller.ID,
			Rule: catalog.CostPercent, Percent: d("10")}},
	}
}

// seedInput is the seed's first estimate request.
func seedInput() Input {
	return Input{Type: Sales, AccountID: seedBuyer, PromoCode: "123", Products: []Product{{
		PlanID: seedPlan, Period: month,
		Resources: []Amount{{ResourceID: seedResource, Amount: d("20")}},
	}}}
}

// seedSpecial is the specialPricing of the seed's second estimate request.
func seedSpecial() *SpecialPricing {
	return &SpecialPricing{ApplicableTo: []string{}, Products: []SpecialProduct{{
		PlanID: seedPlan, Period: month,
		Prices: &PlanFees{Setup: dp("1.2")},
		Costs:  &PlanFees{Setup: dp("1.0"), Recurring: dp("14.0")},
		Resources: []SpecialResource{{ResourceID: seedResource,
			Prices: &ResourceFees{Recurring: dp("0.5")}, Costs: &ResourceFees{Recurring: dp("0.3")}}},
	}}}
}

// want is a line as the seed prints it; "" discount fields mean no discount.
type want struct {
	typ                   LineType
	desc                  string
	qty, unit, ext        string
	discType              catalog.DiscountType
	discValue, discAmount string
	tax, exclTax          string
	resource              bool
	durationUnit          catalog.Unit
	duration              string
	unitOfMeasure         string
}

func checkLines(t *testing.T, got []Line, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		eq := func(field string, got money.Decimal, want string) {
			t.Helper()
			if !got.Equal(d(want)) {
				t.Errorf("line %d (%s) %s = %s, want %s", i, w.typ, field, got, want)
			}
		}
		if g.Type != w.typ || g.Description != w.desc || g.UnitOfMeasure != w.unitOfMeasure {
			t.Errorf("line %d = %s %q %q, want %s %q %q", i, g.Type, g.Description, g.UnitOfMeasure, w.typ, w.desc, w.unitOfMeasure)
		}
		if g.PlanID != seedPlan || g.Period != month {
			t.Errorf("line %d plan/period = %s %v", i, g.PlanID, g.Period)
		}
		if w.resource != (g.ResourceID == seedResource) {
			t.Errorf("line %d resourceId = %q", i, g.ResourceID)
		}
		switch {
		case w.duration == "" && g.Duration != nil:
			t.Errorf("line %d has a duration %+v", i, *g.Duration)
		case w.duration != "" && (g.Duration == nil || g.Duration.Unit != w.durationUnit || !g.Duration.Duration.Equal(d(w.duration))):
			t.Errorf("line %d duration = %+v, want %s %s", i, g.Duration, w.duration, w.durationUnit)
		}
		eq("quantity", g.Quantity, w.qty)
		eq("lowerBound", g.LowerBound, "0")
		eq("unitPrice", g.UnitPrice, w.unit)
		eq("extendedPrice", g.ExtendedPrice, w.ext)
		eq("taxAmount", g.TaxAmount, w.tax)
		eq("exclusiveTaxAmount", g.ExclusiveTaxAmount, w.exclTax)
		switch {
		case w.discType == "" && g.Discount != nil:
			t.Errorf("line %d has a discount %+v, want none", i, *g.Discount)
		case w.discType != "" && g.Discount == nil:
			t.Errorf("line %d has no discount, want %s %s %s", i, w.discType, w.discValue, w.discAmount)
		case w.discType != "":
			if g.Discount.Type != w.discType {
				t.Errorf("line %d discount type = %s, want %s", i, g.Discount.Type, w.discType)
			}
			eq("discount.value", g.Discount.Value, w.discValue)
			eq("discount.amount", g.Discount.Amount, w.discAmount)
		}
	}
}

func checkTotals(t *testing.T, r Result, promo PromoResult, total, sub, tax, excl string) {
	t.Helper()
	if r.PromoResult != promo {
		t.Errorf("promoResult = %q, want %q", r.PromoResult, promo)
	}
	for _, c := range []struct {
		name string
		got  money.Decimal
		want string
	}{{"total", r.Total, total}, {"subTotal", r.SubTotal, sub}, {"taxTotal", r.TaxTotal, tax}, {"exclusiveTaxTotal", r.ExclusiveTaxTotal, excl}} {
		if !c.got.Equal(d(c.want)) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

// TestSeedEstimate reproduces seed 002 "Estimate the Order Price" line by line, with exact
// decimals: 20.84, where the original prints 20.839999999999996.
func TestSeedEstimate(t *testing.T) {
	r, err := Estimate(seedInput(), seedSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, r, PromoApplied, "20.84", "18.94", "1.90", "1.90")
	checkLines(t, r.Details, []want{
		{typ: PlanSetup, desc: "Cloud VPSes Setup", qty: "1", unit: "2.0", ext: "1.5",
			discType: catalog.Percent, discValue: "25", discAmount: "0.5", tax: "0.15", exclTax: "0.15", unitOfMeasure: "item"},
		{typ: PlanRecurring, desc: "Cloud VPSes Recurring", qty: "1", unit: "4.25", ext: "3.19",
			discType: catalog.Percent, discValue: "25", discAmount: "1.06", tax: "0.32", exclTax: "0.32",
			durationUnit: catalog.Months, duration: "1", unitOfMeasure: "item"},
		{typ: ResourceRecurring, desc: "Cloud VPS Recurring", qty: "19", unit: "1.0", ext: "14.25",
			discType: catalog.Percent, discValue: "25", discAmount: "4.75", tax: "1.43", exclTax: "1.43",
			resource: true, durationUnit: catalog.Months, duration: "1", unitOfMeasure: "unit"},
	})
	golden(t, "seed_estimate.json", r)
}

// TestSeedSpecialPricing reproduces seed 002 "Set Special Prices": special prices replace the
// promo on every line of their plan, and show as FIXED discounts.
func TestSeedSpecialPricing(t *testing.T) {
	in := seedInput()
	in.SpecialPricing = seedSpecial()
	r, err := Estimate(in, seedSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, r, PromoApplied, "16.45", "14.95", "1.50", "1.50")
	checkLines(t, r.Details, []want{
		{typ: PlanSetup, desc: "Cloud VPSes Setup", qty: "1", unit: "1.2", ext: "1.2",
			discType: catalog.Fixed, discValue: "1.2", discAmount: "0.8", tax: "0.12", exclTax: "0.12", unitOfMeasure: "item"},
		{typ: PlanRecurring, desc: "Cloud VPSes Recurring", qty: "1", unit: "4.25", ext: "4.25",
			tax: "0.43", exclTax: "0.43", durationUnit: catalog.Months, duration: "1", unitOfMeasure: "item"},
		{typ: ResourceRecurring, desc: "Cloud VPS Recurring", qty: "19", unit: "0.5", ext: "9.5",
			discType: catalog.Fixed, discValue: "0.5", discAmount: "9.5", tax: "0.95", exclTax: "0.95",
			resource: true, durationUnit: catalog.Months, duration: "1", unitOfMeasure: "unit"},
	})
	golden(t, "seed_special_pricing.json", r)
}

// golden compares the result's JSON with testdata/name (go test -update rewrites it).
func golden(t *testing.T, name string, r Result) {
	t.Helper()
	got, err := json.MarshalIndent(r, "", "   ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("JSON differs from %s:\n%s", path, got)
	}
}
