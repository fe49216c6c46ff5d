package pricing

import (
	"fmt"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// Estimate prices an order for its buyer: list or special prices, the promo code, and the
// buyer's taxes (unless in.ExcludeTaxes). Client mistakes the catalog reveals (unknown plan,
// period or resource, amounts out of bounds, dependency violations) are 4xx *problem.Error;
// an unknown promo code is not an error (Result.PromoResult says why it was not applied).
func Estimate(in Input, snap Snapshot) (Result, error) { return run(&in, &snap, forPrice) }

// EstimateCosts prices the same order as what the buyer's seller (a reseller) pays its own
// parent: the delegations' cost rules up the chain (a percent off the parent's prices, or
// explicit costs; see the package comment), special costs over them, no promo code or
// discount, and the seller's taxes.
func EstimateCosts(in Input, snap Snapshot) (Result, error) { return run(&in, &snap, forCost) }

type mode int

const (
	forPrice mode = iota
	forCost
)

// engine prices one order.
type engine struct {
	in    *Input
	snap  *Snapshot
	mode  mode
	cur   string
	payer account.Account // whose taxes: the buyer, or its seller for costs
	taxes []catalog.TaxRule
	promo *catalog.Promotion // the applied promotion, nil if none
	res   Result
}

func run(in *Input, snap *Snapshot, m mode) (Result, error) {
	e := &engine{in: in, snap: snap, mode: m, payer: snap.Buyer}
	if err := e.prepare(); err != nil {
		return Result{}, err
	}
	var err error
	switch in.Type {
	case Sales:
		err = e.sales()
	case Renewal:
		err = e.renewal()
	case Change:
		err = e.change()
	case Cancellation:
		err = e.cancellation()
	default:
		err = problem422Type(in.Type)
	}
	if err != nil {
		return Result{}, err
	}
	e.totals()
	return e.res, nil
}

func problem422Type(t OrderType) error {
	return unprocessable(ErrInvalidOrderType, "type: %q is not an order type (SALES, RENEWAL, CHANGE, CANCELLATION)", t)
}

// prepare checks who may price what and picks the payer's taxes.
func (e *engine) prepare() error {
	if e.in.Type == Sales && e.in.AccountID != "" && e.snap.Buyer.APSID != "" &&
		!sameID(e.in.AccountID, e.snap.Buyer.APSID) {
		return fmt.Errorf("pricing: snapshot buyer %s is not the order's account %s", e.snap.Buyer.APSID, e.in.AccountID)
	}
	if err := e.checkCostSetter(); err != nil {
		return err
	}
	if e.mode == forCost {
		seller, ok := e.snap.seller()
		if !ok {
			return fmt.Errorf("pricing: EstimateCosts needs Snapshot.Sellers")
		}
		if seller.Type != account.Reseller {
			return unprocessable(ErrNoReseller, "account '%s' buys directly from the provider: no reseller pays a cost for its orders",
				e.snap.Buyer.APSID)
		}
		e.payer = seller
	}
	e.taxes = zoneRules(e.snap.TaxRules, e.payer.TaxZone)
	e.res.Details = []Line{}
	return nil
}

// checkCostSetter enforces that only the provider or a reseller above the buyer's seller sets
// special costs: a reseller may not set its own.
func (e *engine) checkCostSetter() error {
	c := e.snap.Caller
	if c == nil || !e.in.SpecialPricing.HasCosts() {
		return nil
	}
	b := e.snap.Buyer
	if c.Type == account.Provider {
		return nil
	}
	if c.ID == b.ID || c.ID == b.ParentID || (c.Path != "" && b.Path != "" && !c.Contains(b)) {
		return forbidden(ErrCostsNotAllowed,
			"specialPricing: only the provider or a reseller above the buyer's seller may set costs; account '%s' may not", c.APSID)
	}
	return nil
}

// useCurrency fixes the order's currency from its first plan and refuses mixing.
func (e *engine) useCurrency(field string, p *catalog.Plan) error {
	c := p.Currency
	if c == "" {
		c = e.snap.Buyer.Currency
	}
	if c == "" {
		c = "USD"
	}
	if e.cur == "" {
		e.cur = c
		e.res.Currency = c
		return nil
	}
	if c != e.cur {
		return unprocessable(ErrMixedCurrencies, "%s: plan '%s' is sold in %s, the rest of the order in %s",
			field, p.Name, c, e.cur)
	}
	return nil
}

func (e *engine) totals() {
	r := &e.res
	r.SubTotal, r.TaxTotal, r.ExclusiveTaxTotal = money.Zero, money.Zero, money.Zero
	for _, l := range r.Details {
		r.SubTotal = r.SubTotal.Add(l.ExtendedPrice)
		r.TaxTotal = r.TaxTotal.Add(l.TaxAmount)
		r.ExclusiveTaxTotal = r.ExclusiveTaxTotal.Add(l.ExclusiveTaxAmount)
	}
	r.Total = r.SubTotal.Add(r.ExclusiveTaxTotal)
	if r.Currency == "" {
		r.Currency = e.snap.Buyer.Currency
	}
}
