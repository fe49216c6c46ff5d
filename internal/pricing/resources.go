package pricing

import (
	"fmt"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// amounts resolves the total amount of every rate of plan (aligned with plan.Rates) from the
// request's amounts, and base for the resources the request does not name. Requested amounts
// must lie within the rate's bounds: at least the included units (the seed: "a required resource
// amount must be higher than the included amount") and the minimum, at most the maximum
// (negative: unlimited).
func (e *engine) amounts(field string, plan *catalog.Plan, req []Amount, base func(*catalog.ResourceRate) money.Decimal) ([]money.Decimal, error) {
	out := make([]money.Decimal, len(plan.Rates))
	set := make([]bool, len(plan.Rates))
	for i := range plan.Rates {
		out[i] = base(&plan.Rates[i])
	}
	for j, a := range req {
		f := fmt.Sprintf("%s[%d]", field, j)
		i := rateIndex(plan, a.ResourceID)
		if i < 0 {
			return nil, unprocessable(ErrUnknownResource, "%s.resourceId: plan '%s' (%s) has no resource '%s'",
				f, plan.Name, plan.APSID, a.ResourceID)
		}
		if set[i] {
			return nil, unprocessable(ErrDuplicateResource, "%s.resourceId: resource '%s' is listed twice", f, a.ResourceID)
		}
		set[i], out[i] = true, a.Amount
		if err := e.checkBounds(f, plan, &plan.Rates[i], a.Amount); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (e *engine) checkBounds(field string, plan *catalog.Plan, r *catalog.ResourceRate, amt money.Decimal) error {
	name := e.snap.resourceName(r)
	switch {
	case amt.Cmp(r.Included) < 0:
		return unprocessable(ErrAmountBelowIncluded,
			"%s.amount: %s of resource '%s' is less than the %s included in plan '%s'; the amount is the total, included units too",
			field, amt, name, r.Included, plan.Name)
	case amt.Cmp(r.Min) < 0:
		return unprocessable(ErrAmountBelowMinimum, "%s.amount: %s of resource '%s' is less than the minimum %s of plan '%s'",
			field, amt, name, r.Min, plan.Name)
	case r.Max.Sign() >= 0 && amt.Cmp(r.Max) > 0:
		return unprocessable(ErrAmountAboveMaximum, "%s.amount: %s of resource '%s' is more than the maximum %s of plan '%s'",
			field, amt, name, r.Max, plan.Name)
	}
	return nil
}

func rateIndex(plan *catalog.Plan, resourceAPSID string) int {
	for i := range plan.Rates {
		if sameID(plan.Rates[i].ResourceAPSID, resourceAPSID) {
			return i
		}
	}
	return -1
}

// defaultAmount is what a new subscription gets of a resource the order does not name.
func defaultAmount(r *catalog.ResourceRate) money.Decimal { return money.Max(r.Included, r.Min) }

// billed is the part of an amount charged for: above the included units (20 with 1 included
// bills 19, as the seed shows).
func billed(r *catalog.ResourceRate, amount money.Decimal) money.Decimal {
	return money.Max(money.Zero, amount.Sub(r.Included))
}

// chargedQuantity is the line quantity for a billed amount: the units when the rate charges per
// unit, else one flat fee for any amount above the included units.
func chargedQuantity(r *catalog.ResourceRate, b money.Decimal) money.Decimal {
	if r.ChargePerUnit || b.IsZero() {
		return b
	}
	return one
}

// amountMap keys a plan's resolved amounts by resource APS id.
func amountMap(plan *catalog.Plan, amts []money.Decimal) map[string]money.Decimal {
	m := make(map[string]money.Decimal, len(amts))
	for i, a := range amts {
		m[plan.Rates[i].ResourceAPSID] = a
	}
	return m
}
