package pricing

import (
	"net/http"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/subscription"
)

// current is the subscription an order acts on, resolved against the catalog.
type current struct {
	sub     *Subscription
	plan    *catalog.Plan
	sp      catalog.SubscriptionPeriod
	amounts map[string]money.Decimal // every rate of plan: the subscription's amount or the included one
}

// subscription resolves Snapshot.Subscription for RENEWAL, CHANGE and CANCELLATION.
func (e *engine) subscription() (*current, error) {
	s := e.snap.Subscription
	if s == nil || (e.in.SubscriptionID != "" && !sameID(s.APSID, e.in.SubscriptionID)) {
		return nil, problem.New(http.StatusNotFound, ErrSubscriptionNotFound, "subscriptionId: subscription '%s' not found", e.in.SubscriptionID)
	}
	if s.Status == subscription.StatusTerminated {
		return nil, unprocessable(ErrSubscriptionEnded, "subscriptionId: subscription '%s' is terminated", s.APSID)
	}
	plan, ok := e.snap.planByID(s.PlanID, s.PlanAPSID)
	if !ok {
		return nil, unprocessable(ErrPlanNotAvailable, "subscriptionId: the plan of subscription '%s' is no longer available", s.APSID)
	}
	if err := e.usable("subscriptionId", plan); err != nil {
		return nil, err
	}
	sp, ok := plan.FindPeriod(s.Period)
	if !ok {
		return nil, unknownPeriod("subscriptionId", plan, s.Period)
	}
	c := &current{sub: s, plan: plan, sp: sp, amounts: map[string]money.Decimal{}}
	for i := range plan.Rates {
		r := &plan.Rates[i]
		c.amounts[r.ResourceAPSID] = r.Included
		for _, held := range s.Resources {
			if sameID(held.ResourceAPSID, r.ResourceAPSID) {
				c.amounts[r.ResourceAPSID] = held.Amount
			}
		}
	}
	return c, nil
}

// boundSpecial is the subscription's special prices for a plan and period.
func (c *current) boundSpecial(plan *catalog.Plan, per catalog.Period) *SpecialProduct {
	p, _ := c.sub.SpecialPricing.product(plan.APSID, per)
	return p
}

// renewal prices a RENEWAL: the renewal fee and the next billing period of the plan and the
// resources the subscription holds, for the requested period or the current one. The
// subscription's special prices apply when they were made applicable to RENEWAL.
func (e *engine) renewal() error {
	c, err := e.subscription()
	if err != nil {
		return err
	}
	per := c.sub.Period
	if e.in.Period != nil {
		per = *e.in.Period
	}
	sp, ok := c.plan.FindPeriod(per)
	if !ok {
		return unknownPeriod("period", c.plan, per)
	}
	it := item{plan: c.plan, sp: sp, amounts: make([]money.Decimal, len(c.plan.Rates))}
	for i, r := range c.plan.Rates {
		it.amounts[i] = c.amounts[r.ResourceAPSID]
	}
	if c.sub.SpecialPricing.AppliesToRenewal() {
		it.special = c.boundSpecial(c.plan, sp.Period)
	}
	e.choosePromo([]*catalog.Plan{c.plan})
	start := c.sub.ExpirationDate
	if start.IsZero() {
		start = e.snap.Now
	}
	e.newSubscription(it, start, false)
	return nil
}

// cancellation prices a CANCELLATION: credits for the unused part of the current billing
// period's recurring fees (plan and resources above the included units) as the period's refund
// policy allows. Setup fees are never refunded.
func (e *engine) cancellation() error {
	c, err := e.subscription()
	if err != nil {
		return err
	}
	start, end := CurrentBillingPeriod(c.sub.Subscription)
	num, den := RefundShare(c.sp.Refund, start, end, e.snap.Now)
	if num == 0 {
		return nil
	}
	e.credit(c, num, den)
	return nil
}

// credit gives back num/den of the current billing period's recurring fees of the subscription.
func (e *engine) credit(c *current, num, den int) {
	base := charge{plan: c.plan, sp: c.sp, quantity: one.Neg(), num: int64(num), den: int64(den),
		duration: daysDuration(num), special: c.boundSpecial(c.plan, c.sp.Period)}
	pl := base
	pl.typ = PlanRecurringCredit
	e.add(pl)
	for i := range c.plan.Rates {
		r := &c.plan.Rates[i]
		b := billed(r, c.amounts[r.ResourceAPSID])
		if b.IsZero() {
			continue
		}
		rc := base
		rc.typ, rc.rate, rc.quantity = ResourceRecurringCredit, r, chargedQuantity(r, b).Neg()
		e.add(rc)
	}
}
