// Package pricing is the pure pricing engine behind estimateOrder, estimateCosts and placeOrder:
// from an order (Input) and a snapshot of the catalog, the buyer, its sellers, promotions, taxes
// and the current subscription (Snapshot), it computes the order lines and totals the seed
// documents — list prices, special prices, promo discounts, taxes, the reseller's costs and the
// proration of change and cancellation orders. No I/O: the caller loads the Snapshot, and time is
// Snapshot.Now. Amounts are exact decimals rounded half-up to the currency's precision per line.
//
// A line gets at most one reduction: a special price, else the applied promotion, else the
// buyer's standing discount (a percent or an amount off each line its vendor, the buyer's
// seller, gives the buyer or all its customers). Special prices replace both on every line of
// their plan and period; credits and costs take neither promotions nor discounts.
//
// Costs go up the seller chain: the buyer's seller pays its parent's price to it, and a
// reseller's price to a child reseller is its own cost. So for a customer of reseller L2 under
// L1 under the provider, L2's cost is the provider's list price reduced by L1's delegation, then
// by L2's. Percent rules compound (100 → L1 at 10% off = 90 → L2 at 20% off = 72, shown as one
// 28% off the list price and rounded once per line); an explicit cost at a level replaces that
// level's price, and percents below it apply to it (L1 explicit 80, L2 20% off: 64, shown as a
// FIXED unit cost). The chain ends at the first level without a delegation of the plan: the
// provider, or a reseller that owns it. Special costs replace the whole chain.
package pricing

import (
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// OrderType is the kind of order being priced, as placeOrder's "type" names it.
type OrderType string

// Order types (placeOrder's "type").
const (
	Sales        OrderType = "SALES"
	Renewal      OrderType = "RENEWAL"
	Change       OrderType = "CHANGE"
	Cancellation OrderType = "CANCELLATION"
)

// Input is the part of an order request that decides its price. order.Request.PricingInput
// builds it from a placeOrder or estimate body.
type Input struct {
	Type           OrderType
	AccountID      string // SALES: the buyer's APS id (checked against Snapshot.Buyer when set)
	SubscriptionID string // RENEWAL, CHANGE, CANCELLATION: the BSS subscription's APS id
	PlanID         string // CHANGE: the plan to switch to ("" keeps the current plan)
	Period         *catalog.Period
	PromoCode      string
	Products       []Product // SALES
	Resources      []Amount  // CHANGE: new total amounts
	SpecialPricing *SpecialPricing
	// ExcludeTaxes is estimate's ?includeTaxes=false: tax amounts are left at zero.
	ExcludeTaxes bool
}

// Product is one plan ordered in a sales order, with its upsell children.
type Product struct {
	PlanID    string
	Period    catalog.Period
	Resources []Amount
	Children  []Product
}

// Amount is a resource's total requested amount (included units plus additional ones).
type Amount struct {
	ResourceID string        `json:"resourceId"`
	Amount     money.Decimal `json:"amount"`
}

// SpecialPricing is the seed's "specialPricing": prices (for the customer) and costs (for its
// reseller) that replace the plan's spot prices for some plans and periods.
type SpecialPricing struct {
	// ApplicableTo lists further order types the prices keep applying to: empty, or RENEWAL.
	ApplicableTo []string         `json:"applicableTo"`
	Products     []SpecialProduct `json:"products"`
}

// SpecialProduct is one plan and period with special prices and costs.
type SpecialProduct struct {
	PlanID    string            `json:"planId"`
	Period    catalog.Period    `json:"period"`
	Prices    *PlanFees         `json:"prices,omitempty"`
	Costs     *PlanFees         `json:"costs,omitempty"`
	Resources []SpecialResource `json:"resources,omitempty"`
}

// PlanFees are special plan fees; a nil fee keeps the plan's own.
type PlanFees struct {
	Setup     *money.Decimal `json:"setup,omitempty"`
	Recurring *money.Decimal `json:"recurring,omitempty"`
	Renewal   *money.Decimal `json:"renewal,omitempty"`
	Transfer  *money.Decimal `json:"transfer,omitempty"`
}

// SpecialResource is a resource's special fees.
type SpecialResource struct {
	ResourceID string        `json:"resourceId"`
	Prices     *ResourceFees `json:"prices,omitempty"`
	Costs      *ResourceFees `json:"costs,omitempty"`
}

// ResourceFees are special resource fees; a nil fee keeps the rate's own.
type ResourceFees struct {
	Setup     *money.Decimal `json:"setup,omitempty"`
	Recurring *money.Decimal `json:"recurring,omitempty"`
	Overuse   *money.Decimal `json:"overuse,omitempty"`
}

// AppliesToRenewal reports whether the prices keep applying to renewals.
func (s *SpecialPricing) AppliesToRenewal() bool {
	if s == nil {
		return false
	}
	for _, t := range s.ApplicableTo {
		if t == string(Renewal) {
			return true
		}
	}
	return false
}

// HasCosts reports whether any entry sets a cost.
func (s *SpecialPricing) HasCosts() bool {
	if s == nil {
		return false
	}
	for _, p := range s.Products {
		if p.Costs != nil && !p.Costs.empty() {
			return true
		}
		for _, r := range p.Resources {
			if r.Costs != nil && !r.Costs.empty() {
				return true
			}
		}
	}
	return false
}

func (f *PlanFees) empty() bool {
	return f.Setup == nil && f.Recurring == nil && f.Renewal == nil && f.Transfer == nil
}

func (f *ResourceFees) empty() bool {
	return f.Setup == nil && f.Recurring == nil && f.Overuse == nil
}

// setsPrices reports whether the entry sets a customer price (costs alone leave the promo code
// in force: only special prices make the bound promo that replaces it).
func (p *SpecialProduct) setsPrices() bool {
	if p == nil {
		return false
	}
	if p.Prices != nil && !p.Prices.empty() {
		return true
	}
	for _, r := range p.Resources {
		if r.Prices != nil && !r.Prices.empty() {
			return true
		}
	}
	return false
}

// product returns the entry for a plan and period.
func (s *SpecialPricing) product(planID string, per catalog.Period) (*SpecialProduct, bool) {
	if s == nil {
		return nil, false
	}
	for i := range s.Products {
		if sameID(s.Products[i].PlanID, planID) && s.Products[i].Period == per {
			return &s.Products[i], true
		}
	}
	return nil, false
}
