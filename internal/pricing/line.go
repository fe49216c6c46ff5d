package pricing

import (
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// charge is one fee to put on a line, before prices are looked up.
type charge struct {
	typ      LineType
	plan     *catalog.Plan
	sp       catalog.SubscriptionPeriod
	rate     *catalog.ResourceRate // resource lines only
	quantity money.Decimal
	duration *Duration
	// share is the part of the fee charged: 1/1, or remaining/total days when prorated.
	num, den int64
	special  *SpecialProduct // the special prices covering this plan and period, if any
	promo    bool            // the promo code may discount the line
}

var one = money.FromInt(1)

// add prices c and appends its line; a fee that is zero with no special price gives no line.
func (e *engine) add(c charge) {
	list := e.listPrice(c)
	fixed, pct := e.override(c)
	if list.IsZero() && (fixed == nil || fixed.IsZero()) {
		return
	}
	gross := e.extend(list, c)
	l := Line{
		Type:          c.typ,
		PlanID:        c.plan.APSID,
		Period:        c.sp.Period,
		Duration:      c.duration,
		Quantity:      c.quantity,
		LowerBound:    money.Zero,
		UnitOfMeasure: "item",
		UnitPrice:     list,
		ExtendedPrice: gross,
	}
	e.describe(&l, c)
	switch {
	case fixed != nil:
		ext := e.extend(*fixed, c)
		l.UnitPrice, l.ExtendedPrice = *fixed, ext
		l.Discount = &Discount{Type: catalog.Fixed, Value: *fixed, Amount: gross.Sub(ext)}
	case pct != nil:
		l.Discount = e.percentOff(&l, *pct)
	case c.promo && e.promoCovers(c.plan):
		l.Discount = e.promoDiscount(&l)
	case c.promo:
		if dc := e.discountFor(c.plan); dc != nil {
			l.Discount = e.reduce(&l, dc.Type, dc.Value)
		}
	}
	e.tax(&l)
	e.res.Details = append(e.res.Details, l)
}

// extend is price × quantity × share, rounded to the currency.
func (e *engine) extend(price money.Decimal, c charge) money.Decimal {
	v := price.Mul(c.quantity)
	if c.num != c.den {
		var err error
		if v, err = v.MulRatio(c.num, c.den); err != nil {
			panic(err) // den > 0 is guaranteed by the callers
		}
	}
	return v.Round(e.cur)
}

func (e *engine) percentOff(l *Line, pct money.Decimal) *Discount {
	amt := l.ExtendedPrice.Percent(pct).Round(e.cur)
	l.ExtendedPrice = l.ExtendedPrice.Sub(amt)
	return &Discount{Type: catalog.Percent, Value: pct, Amount: amt}
}

func (e *engine) describe(l *Line, c charge) {
	name, suffix := c.plan.Name, ""
	if c.rate != nil {
		name = e.snap.resourceName(c.rate)
		l.ResourceID = c.rate.ResourceAPSID
		l.UnitOfMeasure = e.snap.unitOfMeasure(c.rate)
	}
	switch c.typ {
	case PlanSetup, ResourceSetup:
		suffix = "Setup"
	case PlanRecurring, ResourceRecurring:
		suffix = "Recurring"
	case PlanRenewal:
		suffix = "Renewal"
	case PlanRecurringCredit, ResourceRecurringCredit:
		suffix = "Recurring Credit"
	}
	l.Description = name + " " + suffix
}

// listPrice is the plan's own fee for the charge.
func (e *engine) listPrice(c charge) money.Decimal {
	if c.rate != nil {
		switch c.typ {
		case ResourceSetup:
			return c.rate.SetupFee
		default:
			return c.rate.RecurringFee
		}
	}
	switch c.typ {
	case PlanSetup:
		return c.sp.Fees.Setup
	case PlanRenewal:
		return c.sp.Fees.Renewal
	default:
		return c.sp.Fees.Recurring
	}
}

// override is what replaces the list price: a fixed unit price (a special price or cost, or an
// explicit reseller cost up the chain) or, for costs, the chain's percent off.
func (e *engine) override(c charge) (fixed, pct *money.Decimal) {
	if s := e.specialPrice(c); s != nil {
		return s, nil
	}
	if e.mode != forCost {
		return nil, nil
	}
	return chainCost(e.costChain(c.plan), c)
}

// specialPrice is the charge's special price (or cost, when pricing costs), if one is set.
func (e *engine) specialPrice(c charge) *money.Decimal {
	sp := c.special
	if sp == nil {
		return nil
	}
	if c.rate != nil {
		for _, r := range sp.Resources {
			if !sameID(r.ResourceID, c.rate.ResourceAPSID) {
				continue
			}
			f := r.Prices
			if e.mode == forCost {
				f = r.Costs
			}
			if f == nil {
				return nil
			}
			if c.typ == ResourceSetup {
				return f.Setup
			}
			return f.Recurring
		}
		return nil
	}
	f := sp.Prices
	if e.mode == forCost {
		f = sp.Costs
	}
	if f == nil {
		return nil
	}
	switch c.typ {
	case PlanSetup:
		return f.Setup
	case PlanRenewal:
		return f.Renewal
	default:
		return f.Recurring
	}
}

// explicitCost is a delegation's explicit cost for the charge; a fee without one costs the
// spot price (nil: no override), so a missing entry never undercharges the reseller.
func explicitCost(d *catalog.Delegation, c charge) *money.Decimal {
	if c.rate != nil {
		for _, r := range d.Explicit.Resources {
			if !sameID(r.ResourceAPSID, c.rate.ResourceAPSID) {
				continue
			}
			if c.typ == ResourceSetup {
				return r.Setup
			}
			return r.Recurring
		}
		return nil
	}
	for _, p := range d.Explicit.Periods {
		if p.Period != c.sp.Period {
			continue
		}
		switch c.typ {
		case PlanSetup:
			return p.Setup
		case PlanRenewal:
			return p.Renewal
		default:
			return p.Recurring
		}
	}
	return nil
}
