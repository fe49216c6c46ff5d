package pricing

import (
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// change prices a CHANGE order.
//
// Resource limits only (same plan and period): each resource whose billed units grow is charged
// its setup fee for the added units and its recurring fee for them over the remaining days of
// the current billing period; each whose billed units shrink is credited the same way.
//
// Switching plan or period: the unused days of the current plan and resources are credited.
// With the same period the billing cycle continues, so the new plan and resources are charged
// for the remaining days; with another period a new billing cycle starts today and the new
// plan's first billing period is charged in full. The setup fee of a new plan is charged, and
// resource setup fees for units above what the subscription already paid for.
func (e *engine) change() error {
	c, err := e.subscription()
	if err != nil {
		return err
	}
	target := c.plan
	if e.in.PlanID != "" && !sameID(e.in.PlanID, c.plan.APSID) {
		if target, err = e.orderablePlan("planId", e.in.PlanID); err != nil {
			return err
		}
	}
	per := c.sub.Period
	if e.in.Period != nil {
		per = *e.in.Period
	}
	sp, ok := target.FindPeriod(per)
	if !ok {
		return unknownPeriod("period", target, per)
	}
	after, err := e.amounts("resources", target, e.in.Resources, func(r *catalog.ResourceRate) money.Decimal {
		if a, ok := c.amounts[r.ResourceAPSID]; ok {
			return money.Max(a, r.Included)
		}
		return defaultAmount(r)
	})
	if err != nil {
		return err
	}
	if err := CheckDependencies(e.snap.Resources, c.amounts, amountMap(target, after)); err != nil {
		return err
	}
	e.choosePromo([]*catalog.Plan{target})
	start, end := CurrentBillingPeriod(c.sub.Subscription)
	remaining, total := RemainingDays(start, end, e.snap.Now)
	if total == 0 {
		remaining, total = 0, 1
	}
	it := item{plan: target, sp: sp, amounts: after, special: c.boundSpecial(target, sp.Period)}
	if target == c.plan && sp.Period == c.sp.Period {
		return e.changeLimits(c, it, remaining, total)
	}
	e.credit(c, remaining, total)
	next := charge{num: int64(remaining), den: int64(total), duration: daysDuration(remaining)}
	if sp.Period != c.sp.Period {
		next = charge{num: 1, den: 1, duration: durationOf(BillingPeriod(target, sp, e.snap.Now))}
	}
	e.switchTo(c, it, next)
	return nil
}

// changeLimits charges or credits the change of resource amounts within the billing period.
func (e *engine) changeLimits(c *current, it item, remaining, total int) error {
	changed := false
	base := charge{plan: it.plan, sp: it.sp, num: int64(remaining), den: int64(total),
		special: it.special, promo: !it.special.setsPrices()}
	for i := range it.plan.Rates {
		r := &it.plan.Rates[i]
		old := c.amounts[r.ResourceAPSID]
		if !it.amounts[i].Equal(old) {
			changed = true
		}
		delta := chargedQuantity(r, billed(r, it.amounts[i])).Sub(chargedQuantity(r, billed(r, old)))
		if delta.IsZero() {
			continue
		}
		ch := base
		ch.rate, ch.quantity = r, delta
		if delta.Sign() > 0 {
			setup := ch
			setup.typ, setup.num, setup.den = ResourceSetup, 1, 1
			e.add(setup)
			ch.typ, ch.duration = ResourceRecurring, daysDuration(remaining)
		} else {
			ch.typ, ch.duration, ch.promo = ResourceRecurringCredit, daysDuration(remaining), false
			ch.special = c.boundSpecial(c.plan, c.sp.Period)
		}
		e.add(ch)
	}
	if !changed {
		return unprocessable(ErrNothingToChange, "the order changes nothing: subscription '%s' already has plan '%s', period %s and these resource amounts",
			c.sub.APSID, it.plan.Name, it.sp.Period)
	}
	return nil
}

// switchTo charges the new plan and resources for next's share of a billing period.
func (e *engine) switchTo(c *current, it item, next charge) {
	base := charge{plan: it.plan, sp: it.sp, quantity: one, num: next.num, den: next.den,
		special: it.special, promo: !it.special.setsPrices()}
	if it.plan != c.plan {
		setup := base
		setup.typ, setup.num, setup.den = PlanSetup, 1, 1
		e.add(setup)
	}
	rec := base
	rec.typ, rec.duration = PlanRecurring, next.duration
	e.add(rec)
	for i := range it.plan.Rates {
		r := &it.plan.Rates[i]
		b := billed(r, it.amounts[i])
		if b.IsZero() {
			continue
		}
		q := chargedQuantity(r, b)
		paid := money.Zero
		if old, ok := c.amounts[r.ResourceAPSID]; ok {
			if oldIdx := rateIndex(c.plan, r.ResourceAPSID); oldIdx >= 0 {
				paid = chargedQuantity(&c.plan.Rates[oldIdx], billed(&c.plan.Rates[oldIdx], old))
			}
		}
		if extra := q.Sub(paid); extra.Sign() > 0 {
			s := base
			s.typ, s.rate, s.quantity, s.num, s.den = ResourceSetup, r, extra, 1, 1
			e.add(s)
		}
		rr := base
		rr.typ, rr.rate, rr.quantity, rr.duration = ResourceRecurring, r, q, next.duration
		e.add(rr)
	}
}
