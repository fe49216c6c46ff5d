package pricing

import (
	"slices"

	"github.com/openbss/openbss/internal/catalog"
)

// discountFor is the standing discount on the buyer's lines of a plan, or nil: an active
// discount of the buyer's seller for the buyer (or for all its customers) that covers the plan.
// One made for the buyer wins over one for all customers; among equals the first in
// Snapshot.Discounts. Costs never use discounts: the delegation is the reseller's reduction.
func (e *engine) discountFor(pl *catalog.Plan) *catalog.Discount {
	if e.mode == forCost {
		return nil
	}
	b := e.snap.Buyer
	var all *catalog.Discount
	for i := range e.snap.Discounts {
		d := &e.snap.Discounts[i]
		if !d.Active || d.VendorID != b.ParentID || (d.AccountID != 0 && d.AccountID != b.ID) || !discountForPlan(d, pl) {
			continue
		}
		if d.AccountID == b.ID {
			return d
		}
		if all == nil {
			all = d
		}
	}
	return all
}

func discountForPlan(d *catalog.Discount, pl *catalog.Plan) bool {
	return len(d.PlanAPSIDs) == 0 || slices.ContainsFunc(d.PlanAPSIDs, func(id string) bool { return sameID(id, pl.APSID) })
}
