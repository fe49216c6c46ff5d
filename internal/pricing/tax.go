package pricing

import (
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// zoneRules are the rules of a tax zone; an account without a zone pays no tax.
func zoneRules(rules []catalog.TaxRule, zone string) []catalog.TaxRule {
	if zone == "" {
		return nil
	}
	var out []catalog.TaxRule
	for _, r := range rules {
		if r.Zone == zone {
			out = append(out, r)
		}
	}
	return out
}

// tax sets the line's taxes, each rule rounded half-up per line (14.25 × 10% = 1.425 → 1.43).
// An exclusive tax is added to the extended price; an inclusive one is the part of it that is
// tax: price × rate / (100 + the zone's inclusive rates).
func (e *engine) tax(l *Line) {
	l.TaxAmount, l.ExclusiveTaxAmount = money.Zero, money.Zero
	if e.in.ExcludeTaxes || len(e.taxes) == 0 {
		return
	}
	inclusive := money.Zero
	for _, r := range e.taxes {
		if r.Inclusive {
			inclusive = inclusive.Add(r.Rate)
		}
	}
	for _, r := range e.taxes {
		if !r.Inclusive {
			t := l.ExtendedPrice.Percent(r.Rate).Round(e.cur)
			l.TaxAmount = l.TaxAmount.Add(t)
			l.ExclusiveTaxAmount = l.ExclusiveTaxAmount.Add(t)
			continue
		}
		q, err := l.ExtendedPrice.Mul(r.Rate).Quo(hundred.Add(inclusive))
		if err != nil {
			panic(err) // 100 + non-negative rates is never zero
		}
		l.TaxAmount = l.TaxAmount.Add(q.Round(e.cur))
	}
}

var hundred = money.FromInt(100)
