package pricing

import (
	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// costChain is the delegations that make the payer's cost of a plan, nearest first: the
// delegation to Sellers[0], then to its parent while the parent is a reseller with the plan
// delegated too. The first level without a delegation (the provider, or a reseller that owns
// the plan) sells at its list price.
func (e *engine) costChain(plan *catalog.Plan) []*catalog.Delegation {
	var chain []*catalog.Delegation
	for _, s := range e.snap.Sellers {
		if s.Type != account.Reseller {
			break
		}
		d, ok := e.snap.delegation(plan, s.ID)
		if !ok {
			break
		}
		chain = append(chain, d)
	}
	return chain
}

// chainCost applies a cost chain (nearest first) to a charge from the top down: each level's
// price is the level above's price reduced by its delegation. Percent rules compound (10% then
// 20% is 28% off: 100 → 90 → 72); an explicit cost replaces the price above it, and the percents
// below compound on it. Without an explicit cost the result is one percent off the list price,
// rounded per line like any percent; with one, the exact unit cost (a fixed price). A fee an
// explicit rule has no entry for passes that level unchanged. nil, nil: the list price.
func chainCost(chain []*catalog.Delegation, c charge) (fixed, pct *money.Decimal) {
	var unit *money.Decimal
	keep := hundred // percent of the price above that the current level pays
	percents := false
	for i := len(chain) - 1; i >= 0; i-- {
		d := chain[i]
		if d.Rule == catalog.CostExplicit {
			if u := explicitCost(d, c); u != nil {
				unit, keep, percents = u, hundred, false
			}
			continue
		}
		keep, percents = keep.Percent(hundred.Sub(d.Percent)), true
	}
	switch {
	case unit != nil && !percents:
		return unit, nil
	case unit != nil:
		u := unit.Percent(keep)
		return &u, nil
	case percents:
		off := hundred.Sub(keep)
		return nil, &off
	}
	return nil, nil
}
