package pricing

import (
	"slices"
	"strings"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// orderCodes are the order-type codes a promotion's OrderTypes may use besides the type names.
var orderCodes = map[OrderType][]string{
	Sales: {"SO"}, Renewal: {"RN"}, Change: {"CH"}, Cancellation: {"CL", "CF"},
}

// choosePromo evaluates the request's promo code against the buyer's seller's promotions, for
// an order over the given plans, and remembers the promotion when it applies. Among several
// promotions with the code the first that applies wins; otherwise the first one's reason is
// reported. Costs never use promo codes.
func (e *engine) choosePromo(plans []*catalog.Plan) {
	code := strings.TrimSpace(e.in.PromoCode)
	if code == "" || e.mode == forCost {
		return
	}
	e.res.PromoResult = PromoNotFound
	first := true
	for i := range e.snap.Promotions {
		p := &e.snap.Promotions[i]
		if !strings.EqualFold(p.Code, code) || p.VendorID != e.snap.Buyer.ParentID {
			continue
		}
		r := e.promoStatus(p, plans)
		if r == PromoApplied {
			e.promo, e.res.PromoResult = p, r
			return
		}
		if first {
			e.res.PromoResult, first = r, false
		}
	}
}

func (e *engine) promoStatus(p *catalog.Promotion, plans []*catalog.Plan) PromoResult {
	now := e.snap.Now
	switch {
	case !p.Active:
		return PromoInactive
	case p.ValidFrom != nil && now.Before(*p.ValidFrom):
		return PromoNotStarted
	case p.ValidTo != nil && now.After(*p.ValidTo):
		return PromoExpired
	case !promoForType(p, e.in.Type):
		return PromoNotApplicable
	case !slices.ContainsFunc(plans, func(pl *catalog.Plan) bool { return promoForPlan(p, pl) }):
		return PromoNotApplicable
	}
	return PromoApplied
}

func promoForType(p *catalog.Promotion, t OrderType) bool {
	if len(p.OrderTypes) == 0 {
		return true
	}
	for _, ot := range p.OrderTypes {
		if strings.EqualFold(ot, string(t)) || slices.ContainsFunc(orderCodes[t], func(c string) bool {
			return strings.EqualFold(c, ot)
		}) {
			return true
		}
	}
	return false
}

func promoForPlan(p *catalog.Promotion, pl *catalog.Plan) bool {
	return len(p.PlanAPSIDs) == 0 || slices.ContainsFunc(p.PlanAPSIDs, func(id string) bool { return sameID(id, pl.APSID) })
}

// promoCovers reports whether the applied promotion discounts the plan's lines.
func (e *engine) promoCovers(pl *catalog.Plan) bool {
	return e.promo != nil && promoForPlan(e.promo, pl)
}

// promoDiscount takes the applied promotion off the line: a percent of its gross amount rounded
// half-up (4.25 at 25% → 1.06 off, 3.19 left), or a fixed amount off the line, never more than
// the line's gross amount.
func (e *engine) promoDiscount(l *Line) *Discount { return e.reduce(l, e.promo.Type, e.promo.Value) }

// reduce takes a promotion's or a discount's reduction off the line: PERCENT is a percent of
// the gross amount rounded half-up, FIXED an amount off the line, never more than it.
func (e *engine) reduce(l *Line, typ catalog.DiscountType, value money.Decimal) *Discount {
	if typ != catalog.Fixed {
		return e.percentOff(l, value)
	}
	amt := money.Max(money.Zero, money.Min(value, l.ExtendedPrice)).Round(e.cur)
	l.ExtendedPrice = l.ExtendedPrice.Sub(amt)
	return &Discount{Type: catalog.Fixed, Value: value, Amount: amt}
}
