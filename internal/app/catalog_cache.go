package app

import (
	"context"
	"sync"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/store"
)

// catalogView is an immutable in-memory copy of the catalog, indexed for pricing. Estimates and
// placements read it instead of running a dozen queries each; it is replaced when the catalog's
// change counter (bumped by triggers on every catalog write, from any process) moves.
type catalogView struct {
	version     int64
	plans       map[string]*catalog.Plan
	resources   map[int64]catalog.Resource
	planRes     map[int64][]int64 // plan → resources it rates and their dependency parents
	promos      map[string][]catalog.Promotion
	taxes       map[string][]catalog.TaxRule
	delegations map[int64]map[int64]catalog.Delegation // reseller → plan → delegation
	discounts   map[int64][]catalog.Discount           // vendor → its discounts
}

type catalogCache struct {
	mu   sync.Mutex
	view *catalogView
}

// catalog returns the current catalog view, reloading it when the catalog changed.
func (s *Service) catalog(ctx context.Context) (*catalogView, error) {
	v, err := s.store.CatalogVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.view != nil && s.cache.view.version == v {
		return s.cache.view, nil
	}
	data, err := s.store.LoadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.view = buildView(data)
	return s.cache.view, nil
}

func buildView(d *store.CatalogData) *catalogView {
	c := &catalogView{version: d.Version, plans: map[string]*catalog.Plan{}, resources: map[int64]catalog.Resource{},
		planRes: map[int64][]int64{}, promos: map[string][]catalog.Promotion{}, taxes: map[string][]catalog.TaxRule{},
		delegations: map[int64]map[int64]catalog.Delegation{}, discounts: map[int64][]catalog.Discount{}}
	for _, r := range d.Resources {
		c.resources[r.ID] = r
	}
	for _, p := range d.Plans {
		c.plans[p.APSID] = p
		seen := map[int64]bool{}
		for _, rate := range p.Rates {
			add := func(id int64) {
				if !seen[id] {
					seen[id] = true
					c.planRes[p.ID] = append(c.planRes[p.ID], id)
				}
			}
			add(rate.ResourceID)
			for _, dep := range c.resources[rate.ResourceID].Dependencies {
				add(dep.ParentID)
			}
		}
	}
	for _, p := range d.Promotions {
		c.promos[p.Code] = append(c.promos[p.Code], p)
	}
	for _, t := range d.TaxRules {
		c.taxes[t.Zone] = append(c.taxes[t.Zone], t)
	}
	for _, dl := range d.Delegations {
		if c.delegations[dl.ResellerID] == nil {
			c.delegations[dl.ResellerID] = map[int64]catalog.Delegation{}
		}
		c.delegations[dl.ResellerID][dl.PlanID] = dl
	}
	for _, dc := range d.Discounts {
		c.discounts[dc.VendorID] = append(c.discounts[dc.VendorID], dc)
	}
	return c
}

// discountsFor returns the discounts the buyer's seller gives the buyer or all its customers.
func (c *catalogView) discountsFor(buyer account.Account) []catalog.Discount {
	var out []catalog.Discount
	for _, d := range c.discounts[buyer.ParentID] {
		if d.AccountID == 0 || d.AccountID == buyer.ID {
			out = append(out, d)
		}
	}
	return out
}

// canSell reports whether a seller may sell a plan: it owns it or has it delegated.
func (c *catalogView) canSell(sellerID int64, p *catalog.Plan) bool {
	if p.OwnerID == sellerID {
		return true
	}
	_, ok := c.delegations[sellerID][p.ID]
	return ok
}

// plansFor returns the plans with the given APS ids (unknown ids are absent).
func (c *catalogView) plansFor(ids []string) []*catalog.Plan {
	out := make([]*catalog.Plan, 0, len(ids))
	for _, id := range ids {
		if p, ok := c.plans[id]; ok {
			out = append(out, p)
		}
	}
	return out
}

// resourcesFor returns the resources of the plans, each once.
func (c *catalogView) resourcesFor(plans []*catalog.Plan) []catalog.Resource {
	seen := map[int64]bool{}
	var out []catalog.Resource
	for _, p := range plans {
		for _, id := range c.planRes[p.ID] {
			if !seen[id] {
				seen[id] = true
				out = append(out, c.resources[id])
			}
		}
	}
	return out
}

// delegationsFor returns the delegations of the plans to each of the sellers (the whole chain,
// for costs up it).
func (c *catalogView) delegationsFor(sellers []account.Account, plans []*catalog.Plan) []catalog.Delegation {
	var out []catalog.Delegation
	for _, s := range sellers {
		for _, p := range plans {
			if d, ok := c.delegations[s.ID][p.ID]; ok {
				out = append(out, d)
			}
		}
	}
	return out
}
