package pricing

import (
	"fmt"
	"slices"
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// item is a product of a sales order resolved against the catalog.
type item struct {
	plan    *catalog.Plan
	sp      catalog.SubscriptionPeriod
	amounts []money.Decimal // aligned with plan.Rates
	special *SpecialProduct
}

// sales prices a SALES order: for each product and its upsell children, the setup fee, one
// billing period of the recurring fee, and the setup and recurring fees of the resource units
// above the included ones.
func (e *engine) sales() error {
	var items []item
	var walk func(field string, ps []Product, parent *catalog.Plan) error
	walk = func(field string, ps []Product, parent *catalog.Plan) error {
		for i, p := range ps {
			f := fmt.Sprintf("%s[%d]", field, i)
			it, err := e.resolve(f, p, parent)
			if err != nil {
				return err
			}
			items = append(items, it)
			if err := walk(f+".childProducts", p.Children, it.plan); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("products", e.in.Products, nil); err != nil {
		return err
	}
	if err := e.checkSpecialEntries(items); err != nil {
		return err
	}
	plans := make([]*catalog.Plan, len(items))
	for i, it := range items {
		plans[i] = it.plan
	}
	e.choosePromo(plans)
	for _, it := range items {
		e.newSubscription(it, e.snap.Now, true)
	}
	return nil
}

// resolve finds a product's plan, period and resource amounts and checks its dependencies.
func (e *engine) resolve(field string, p Product, parent *catalog.Plan) (item, error) {
	plan, err := e.orderablePlan(field+".planId", p.PlanID)
	if err != nil {
		return item{}, err
	}
	if parent != nil && !slices.ContainsFunc(parent.ChildPlanAPSIDs, func(id string) bool { return sameID(id, plan.APSID) }) {
		return item{}, unprocessable(ErrNotAnUpsell, "%s.planId: plan '%s' (%s) is not an upsell of plan '%s'",
			field, plan.Name, plan.APSID, parent.Name)
	}
	sp, ok := plan.FindPeriod(p.Period)
	if !ok {
		return item{}, unknownPeriod(field+".period", plan, p.Period)
	}
	amts, err := e.amounts(field+".resources", plan, p.Resources, defaultAmount)
	if err != nil {
		return item{}, err
	}
	if err := CheckDependencies(e.snap.Resources, nil, amountMap(plan, amts)); err != nil {
		return item{}, err
	}
	special, _ := e.in.SpecialPricing.product(plan.APSID, sp.Period)
	return item{plan: plan, sp: sp, amounts: amts, special: special}, nil
}

// orderablePlan is a plan the order may use: known, active, in the order's currency and, for
// costs, delegated to the buyer's seller.
func (e *engine) orderablePlan(field, apsID string) (*catalog.Plan, error) {
	plan, ok := e.snap.plan(apsID)
	if !ok {
		return nil, unprocessable(ErrUnknownPlan, "%s: plan '%s' is not available to this account", field, apsID)
	}
	if plan.Status != "" && plan.Status != "ACTIVE" {
		return nil, unprocessable(ErrPlanNotAvailable, "%s: plan '%s' (%s) is not for sale (%s)", field, plan.Name, plan.APSID, plan.Status)
	}
	return plan, e.usable(field, plan)
}

// usable checks what every plan an order prices needs: one currency, and a delegation for costs.
func (e *engine) usable(field string, plan *catalog.Plan) error {
	if err := e.useCurrency(field, plan); err != nil {
		return err
	}
	if e.mode == forCost {
		if _, ok := e.snap.delegation(plan, e.payer.ID); !ok {
			return unprocessable(ErrPlanNotDelegated, "%s: plan '%s' (%s) is not delegated to reseller '%s'",
				field, plan.Name, plan.APSID, e.payer.APSID)
		}
	}
	return nil
}

// checkSpecialEntries refuses special prices for plans and periods the order does not contain,
// and for resources their plan does not have: a typo must not silently price at list prices.
func (e *engine) checkSpecialEntries(items []item) error {
	if e.in.SpecialPricing == nil {
		return nil
	}
	for i, sp := range e.in.SpecialPricing.Products {
		f := fmt.Sprintf("specialPricing.products[%d]", i)
		idx := slices.IndexFunc(items, func(it item) bool { return it.special == &e.in.SpecialPricing.Products[i] })
		if idx < 0 {
			return unprocessable(ErrSpecialMismatch, "%s: plan '%s' with period %s is not in the order", f, sp.PlanID, sp.Period)
		}
		for j, r := range sp.Resources {
			if rateIndex(items[idx].plan, r.ResourceID) < 0 {
				return unprocessable(ErrUnknownResource, "%s.resources[%d].resourceId: plan '%s' (%s) has no resource '%s'",
					f, j, items[idx].plan.Name, items[idx].plan.APSID, r.ResourceID)
			}
		}
	}
	return nil
}

// newSubscription charges a subscription's first billing period (sales: with its setup fees)
// or its next one (renewal: with the renewal fee instead).
func (e *engine) newSubscription(it item, at time.Time, sale bool) {
	bp := BillingPeriod(it.plan, it.sp, at)
	// Special prices replace the promo code on every line of their plan and period, including
	// lines without a special price: the only rule that gives both seed examples.
	promo := !it.special.setsPrices()
	base := charge{plan: it.plan, sp: it.sp, quantity: one, num: 1, den: 1, special: it.special, promo: promo}
	plan := func(t LineType, d *Duration) {
		c := base
		c.typ, c.duration = t, d
		e.add(c)
	}
	if sale {
		plan(PlanSetup, nil)
	} else {
		plan(PlanRenewal, nil)
	}
	plan(PlanRecurring, durationOf(bp))
	for i := range it.plan.Rates {
		r := &it.plan.Rates[i]
		b := billed(r, it.amounts[i])
		if b.IsZero() {
			continue
		}
		c := base
		c.rate, c.quantity = r, chargedQuantity(r, b)
		if sale {
			c.typ = ResourceSetup
			e.add(c)
		}
		c.typ, c.duration = ResourceRecurring, durationOf(bp)
		e.add(c)
	}
}
