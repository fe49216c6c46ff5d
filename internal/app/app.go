// Package app holds openbss's use cases: estimating and placing orders, pushing them along their
// flow. It loads what the pure core (order checks, pricing) needs from the store, runs the core,
// and writes the outcome in one transaction.
package app

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

// Service runs the use cases over a store.
type Service struct {
	store *store.Store
	cache catalogCache
}

// New returns the use cases over st.
func New(st *store.Store) *Service { return &Service{store: st} }

// orderContext is what an order request refers to, loaded and checked for visibility.
type orderContext struct {
	caller  account.Principal
	buyer   account.Account
	sellers []account.Account // nearest first
	sub     *subscription.Subscription
	plans   []*catalog.Plan
	cat     *catalogView
	snap    pricing.Snapshot
}

func (c *orderContext) seller() account.Account {
	if len(c.sellers) == 0 {
		return c.buyer
	}
	return c.sellers[0]
}

func (c *orderContext) plan(apsID string) *catalog.Plan {
	for _, p := range c.plans {
		if p.APSID == apsID {
			return p
		}
	}
	return nil
}

// planIDs collects the plan APS ids a request names.
func planIDs(req *order.Request, sub *subscription.Subscription) []string {
	var ids []string
	var walk func([]order.Product)
	walk = func(ps []order.Product) {
		for _, p := range ps {
			if !slices.Contains(ids, p.PlanID) {
				ids = append(ids, p.PlanID)
			}
			walk(p.ChildProducts)
		}
	}
	walk(req.Products)
	if req.PlanID != "" && !slices.Contains(ids, req.PlanID) {
		ids = append(ids, req.PlanID)
	}
	if sub != nil && !slices.Contains(ids, sub.PlanAPSID) {
		ids = append(ids, sub.PlanAPSID)
	}
	return ids
}

// load resolves the buyer (or the subscription and its owner), the sellers, the plans, and the
// pricing snapshot. What the caller may not see is refused as if it did not exist.
func (s *Service) load(ctx context.Context, caller account.Principal, req *order.Request) (*orderContext, error) {
	c := &orderContext{caller: caller}
	var err error
	if req.Type == order.Sales {
		c.buyer, err = s.store.Account(ctx, req.AccountID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !caller.CanSee(c.buyer)) {
			return nil, problem.Unprocessable(order.ErrMissingCustomerAccount, "Missing customer account: %q", req.AccountID)
		}
	} else {
		c.sub, err = s.store.Subscription(ctx, req.SubscriptionID)
		if err == nil {
			c.buyer, err = s.store.AccountByID(ctx, c.sub.AccountID)
		}
		if errors.Is(err, store.ErrNotFound) || (err == nil && !caller.CanSee(c.buyer)) {
			return nil, problem.Unprocessable(order.ErrSubscriptionNotFound, "subscription %q not found", req.SubscriptionID)
		}
	}
	if err != nil {
		return nil, err
	}
	// Special prices are the seller's to give (seed: "Set Special Prices"): a buyer ordering for
	// itself may not set its own, or a customer could order anything for nothing.
	if req.SpecialPricing != nil && caller.Account.ID == c.buyer.ID {
		return nil, problem.New(http.StatusForbidden, "SpecialPricesNotAllowed",
			"specialPricing: account '%s' may not set its own special prices; its seller or an account above it may", c.buyer.APSID)
	}
	if c.sellers, err = s.store.Ancestors(ctx, c.buyer); err != nil {
		return nil, err
	}
	if c.cat, err = s.catalog(ctx); err != nil {
		return nil, err
	}
	c.plans = c.cat.plansFor(planIDs(req, c.sub))
	c.snapshot(s.store.Now(), req)
	return c, nil
}

func (c *orderContext) snapshot(now time.Time, req *order.Request) {
	zones := []string{c.buyer.TaxZone}
	if seller := c.seller(); seller.TaxZone != "" && seller.TaxZone != c.buyer.TaxZone {
		zones = append(zones, seller.TaxZone)
	}
	var taxes []catalog.TaxRule
	for _, z := range zones {
		taxes = append(taxes, c.cat.taxes[z]...)
	}
	caller := c.caller.Account
	c.snap = pricing.Snapshot{Now: now, Buyer: c.buyer, Sellers: c.sellers, Caller: &caller,
		Plans: c.plans, Resources: c.cat.resourcesFor(c.plans), Promotions: c.cat.promos[req.PromoCode], TaxRules: taxes,
		Discounts: c.cat.discountsFor(c.buyer), Delegations: c.cat.delegationsFor(c.sellers, c.plans)}
	if c.sub != nil {
		c.snap.Subscription = &pricing.Subscription{Subscription: *c.sub}
	}
}

// Estimate prices an order without placing it (estimateOrder), or its cost for the buyer's
// reseller (estimateCosts).
func (s *Service) Estimate(ctx context.Context, caller account.Principal, req *order.Request, includeTaxes, costs bool) (pricing.Result, error) {
	if err := req.Validate(); err != nil {
		return pricing.Result{}, err
	}
	c, err := s.load(ctx, caller, req)
	if err != nil {
		return pricing.Result{}, err
	}
	if err := c.checkPlansSellable(ctx, s, req); err != nil {
		return pricing.Result{}, err
	}
	in := req.PricingInput(!includeTaxes)
	if costs {
		return pricing.EstimateCosts(in, c.snap)
	}
	return pricing.Estimate(in, c.snap)
}

// checkPlansSellable refuses plans that do not exist or that the buyer's seller does not offer
// (unknown and unavailable look alike to the buyer).
func (c *orderContext) checkPlansSellable(ctx context.Context, s *Service, req *order.Request) error {
	check := func(apsID string, newSale bool) error {
		p := c.plan(apsID)
		if p == nil {
			return problem.Unprocessable(order.ErrPlanNotAvailable, "service plan %q is not available for this account", apsID)
		}
		if newSale && p.Status != "ACTIVE" {
			return problem.Unprocessable(order.ErrPlanNotAvailable, "service plan '%s' is not available for new orders", p.Name)
		}
		if !c.cat.canSell(c.seller().ID, p) {
			return problem.Unprocessable(order.ErrPlanNotAvailable, "service plan %q is not available for this account", apsID)
		}
		return nil
	}
	var walk func([]order.Product) error
	walk = func(ps []order.Product) error {
		for _, p := range ps {
			if err := check(p.PlanID, true); err != nil {
				return err
			}
			if err := walk(p.ChildProducts); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(req.Products); err != nil {
		return err
	}
	if req.Type == order.Change && req.PlanID != "" && (c.sub == nil || req.PlanID != c.sub.PlanAPSID) {
		return check(req.PlanID, true)
	}
	return nil
}

// Terms returns the terms and conditions of the plans a request names (termsConditions).
func (s *Service) Terms(ctx context.Context, caller account.Principal, req *order.Request) ([]catalog.Term, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, caller, req)
	if err != nil {
		return nil, err
	}
	if err := c.checkPlansSellable(ctx, s, req); err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range c.plans {
		for _, t := range p.TermIDs {
			if !slices.Contains(ids, t) {
				ids = append(ids, t)
			}
		}
	}
	return s.store.Terms(ctx, ids)
}
