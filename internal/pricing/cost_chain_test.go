package pricing

import (
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
)

// chainSnapshot puts the seed's reseller (L2) under a reseller L1 under the provider, and
// makes the plan a bare recurring fee (no setup fee, the resource not ordered above its
// included unit).
func chainSnapshot(fee string, l1, l2 *catalog.Delegation) Snapshot {
	snap := seedSnapshot()
	l1Acc := account.Account{ID: 1000002, APSID: "l1", ParentID: 1, Type: account.Reseller, Path: "/1/1000002/"}
	snap.Sellers = []account.Account{snap.Sellers[0], l1Acc, snap.Sellers[1]}
	snap.Sellers[0].ParentID, snap.Sellers[0].Path = l1Acc.ID, "/1/1000002/1000003/"
	snap.Buyer.Path = "/1/1000002/1000003/1000005/"
	snap.Plans[0].Periods[0].Fees = catalog.Fees{Recurring: d(fee)}
	snap.Delegations = nil
	for _, dl := range []struct {
		d  *catalog.Delegation
		id int64
	}{{l2, 1000003}, {l1, l1Acc.ID}} {
		if dl.d != nil {
			x := *dl.d
			x.PlanID, x.PlanAPSID, x.ResellerID = snap.Plans[0].ID, seedPlan, dl.id
			snap.Delegations = append(snap.Delegations, x)
		}
	}
	return snap
}

func percentOff(p string) *catalog.Delegation {
	return &catalog.Delegation{Rule: catalog.CostPercent, Percent: d(p)}
}

func explicitRecurring(v string) *catalog.Delegation {
	return &catalog.Delegation{Rule: catalog.CostExplicit, Explicit: catalog.ExplicitCosts{
		Periods: []catalog.PeriodCost{{Period: month, Recurring: dp(v)}}}}
}

// EstimateCosts for a customer of L2 (whose parent L1 buys from the provider): the list price
// reduced by L1's delegation, then by L2's.
func TestCostChain(t *testing.T) {
	renewalOnly := &catalog.Delegation{Rule: catalog.CostExplicit, Explicit: catalog.ExplicitCosts{
		Periods: []catalog.PeriodCost{{Period: month, Renewal: dp("1")}}}}
	tests := []struct {
		name     string
		fee      string
		l1, l2   *catalog.Delegation
		unit     string
		discType catalog.DiscountType
		value    string
		amount   string
		ext      string
	}{
		{"one level as before", "100", nil, percentOff("20"), "100", catalog.Percent, "20", "20", "80"},
		// 100 → L1 at 10% off = 90 → L2 at 20% off = 72: one 28% off the list price
		{"percents compound", "100", percentOff("10"), percentOff("20"), "100", catalog.Percent, "28", "28", "72"},
		// 4.25 × 28% = 1.19 off, 3.06 (step by step: 3.825 → 3.06)
		{"percents compound, rounded once per line", "4.25", percentOff("10"), percentOff("20"), "4.25", catalog.Percent, "28", "1.19", "3.06"},
		// L1's explicit 80 replaces the list price; L2 pays 20% off it: 64
		{"explicit above, percent below", "100", explicitRecurring("80"), percentOff("20"), "64", catalog.Fixed, "64", "36", "64"},
		// L2's explicit 50 replaces L1's 90
		{"percent above, explicit below", "100", percentOff("10"), explicitRecurring("50"), "50", catalog.Fixed, "50", "50", "50"},
		// L1's explicit rule has no recurring cost: L1 pays the list price there
		{"explicit rule without the fee passes the level", "100", renewalOnly, percentOff("20"), "100", catalog.Percent, "20", "20", "80"},
		{"both explicit: the nearest wins", "100", explicitRecurring("80"), explicitRecurring("85"), "85", catalog.Fixed, "85", "15", "85"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := seedInput()
			in.Products[0].Resources, in.ExcludeTaxes = nil, true
			r, err := EstimateCosts(in, chainSnapshot(tt.fee, tt.l1, tt.l2))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Details) != 1 {
				t.Fatalf("%d lines, want the recurring one: %+v", len(r.Details), r.Details)
			}
			l := r.Details[0]
			eqd(t, "unitPrice", l.UnitPrice, tt.unit)
			eqd(t, "extendedPrice", l.ExtendedPrice, tt.ext)
			if l.Discount == nil || l.Discount.Type != tt.discType {
				t.Fatalf("discount %+v, want %s", l.Discount, tt.discType)
			}
			eqd(t, "discount value", l.Discount.Value, tt.value)
			eqd(t, "discount amount", l.Discount.Amount, tt.amount)
			checkTotals(t, r, "", tt.ext, tt.ext, "0", "0")
		})
	}
}

func TestCostChainNeedsTheSellersDelegation(t *testing.T) {
	in := seedInput()
	_, err := EstimateCosts(in, chainSnapshot("100", percentOff("10"), nil))
	wantProblem(t, err, 422, ErrPlanNotDelegated, "is not delegated to reseller '"+seedReseller+"'")
}

// The seller's cost uses the seller's taxes, whatever the chain above it.
func TestCostChainTaxes(t *testing.T) {
	in := seedInput()
	in.Products[0].Resources = nil
	r, err := EstimateCosts(in, chainSnapshot("100", percentOff("10"), percentOff("20")))
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, r, "", "86.4", "72", "14.4", "14.4") // the seller's 20% on 72
}
