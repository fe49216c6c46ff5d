package pricing

import (
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/subscription"
)

// Snapshot is everything an estimate reads, loaded by the caller in one transaction. Pricing
// never looks anything up elsewhere, so the same Snapshot always gives the same Result.
type Snapshot struct {
	// Now is the pricing instant: promo validity and proration use it.
	Now time.Time
	// Buyer is the account the order is for (for RENEWAL, CHANGE and CANCELLATION, the
	// subscription's owner). Its ParentID is the seller whose promo codes it may use, its
	// TaxZone selects the tax rules of Estimate.
	Buyer account.Account
	// Sellers is the buyer's vendor chain, nearest first: Sellers[0] is the buyer's seller (its
	// parent account), the last one the provider. EstimateCosts needs Sellers[0]: its tax zone
	// selects the tax rules of the costs.
	Sellers []account.Account
	// Caller is who asks, when known. Only the provider or a reseller above the buyer's
	// seller may send special costs (a reseller may not set its own costs).
	Caller *account.Account
	// Plans holds every plan the order names: the products and their children, the
	// subscription's current plan and the plan a CHANGE switches to.
	Plans []*catalog.Plan
	// Resources holds the resources of those plans, with their dependencies (names come from
	// here when a rate has none).
	Resources []catalog.Resource
	// Promotions are candidates for the request's promo code; pricing matches code, vendor,
	// validity, order type and plans itself, so passing more is harmless.
	Promotions []catalog.Promotion
	// TaxRules are the rules of the buyer's tax zone and, for EstimateCosts, of the seller's;
	// rules of other zones are ignored.
	TaxRules []catalog.TaxRule
	// Discounts are the buyer's candidate standing discounts; pricing matches vendor (the
	// buyer's seller), account, activity and plans itself, so passing more is harmless.
	Discounts []catalog.Discount
	// Delegations are the delegations of the order's plans to the resellers of Sellers
	// (EstimateCosts walks them up the chain from Sellers[0]).
	Delegations []catalog.Delegation
	// Subscription is the subscription a RENEWAL, CHANGE or CANCELLATION acts on.
	Subscription *Subscription
}

// Subscription is the current state of the subscription an order acts on.
type Subscription struct {
	subscription.Subscription
	// SpecialPricing are the special prices still in force for it (its bound promo), or nil.
	// RENEWAL applies them only when ApplicableTo lists RENEWAL; CHANGE and CANCELLATION credit
	// unused time at them.
	SpecialPricing *SpecialPricing
}

func sameID(a, b string) bool { return strings.EqualFold(a, b) }

func (s *Snapshot) plan(apsID string) (*catalog.Plan, bool) {
	for _, p := range s.Plans {
		if p != nil && sameID(p.APSID, apsID) {
			return p, true
		}
	}
	return nil, false
}

func (s *Snapshot) planByID(id int64, apsID string) (*catalog.Plan, bool) {
	if apsID != "" {
		return s.plan(apsID)
	}
	for _, p := range s.Plans {
		if p != nil && p.ID == id {
			return p, true
		}
	}
	return nil, false
}

func (s *Snapshot) resource(apsID string) (*catalog.Resource, bool) {
	for i := range s.Resources {
		if sameID(s.Resources[i].APSID, apsID) {
			return &s.Resources[i], true
		}
	}
	return nil, false
}

// resourceName is the rate's resource name, else the resource's, else its APS id.
func (s *Snapshot) resourceName(r *catalog.ResourceRate) string {
	if r.ResourceName != "" {
		return r.ResourceName
	}
	if res, ok := s.resource(r.ResourceAPSID); ok && res.Name != "" {
		return res.Name
	}
	return r.ResourceAPSID
}

// unitOfMeasure is the rate's unit, else the resource's, else "unit".
func (s *Snapshot) unitOfMeasure(r *catalog.ResourceRate) string {
	if r.Unit != "" {
		return r.Unit
	}
	if res, ok := s.resource(r.ResourceAPSID); ok && res.Unit != "" {
		return res.Unit
	}
	return "unit"
}

// seller is the buyer's direct seller, when the chain is known.
func (s *Snapshot) seller() (account.Account, bool) {
	if len(s.Sellers) == 0 {
		return account.Account{}, false
	}
	return s.Sellers[0], true
}

func (s *Snapshot) delegation(plan *catalog.Plan, resellerID int64) (*catalog.Delegation, bool) {
	for i := range s.Delegations {
		d := &s.Delegations[i]
		if d.ResellerID != resellerID {
			continue
		}
		if (d.PlanAPSID != "" && sameID(d.PlanAPSID, plan.APSID)) || (d.PlanAPSID == "" && d.PlanID == plan.ID) {
			return d, true
		}
	}
	return nil, false
}
