package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// placeholders renders $first…$(first+n-1).
func placeholders(first, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(ph, ",")
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// PlansByAPSID reads plans with their details; unknown ids are simply absent.
func (s *Store) PlansByAPSID(ctx context.Context, ids []string) ([]*catalog.Plan, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []*catalog.Plan
	err := s.each(ctx, "SELECT "+planColumns+" FROM plans p WHERE p.aps_id IN ("+placeholders(1, len(ids))+")",
		anys(ids), func(r *sql.Rows) error {
			p, err := scanPlan(r)
			out = append(out, p)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, s.loadPlanDetails(ctx, out)
}

// ResourcesOfPlans reads the resources the plans rate, and the resources those depend on, with
// their dependencies.
func (s *Store) ResourcesOfPlans(ctx context.Context, planIDs []int64) ([]catalog.Resource, error) {
	if len(planIDs) == 0 {
		return nil, nil
	}
	in := placeholders(1, len(planIDs))
	byID := map[int64]*catalog.Resource{}
	var order []int64
	err := s.each(ctx, `SELECT r.id, r.aps_id, r.name, r.unit, r.description FROM resources r
		WHERE r.id IN (SELECT resource_id FROM plan_resource_rates WHERE plan_id IN (`+in+`))
		   OR r.id IN (SELECT d.parent_resource_id FROM resource_dependencies d JOIN plan_resource_rates pr
		               ON pr.resource_id = d.resource_id WHERE pr.plan_id IN (`+in+`))
		ORDER BY r.id`, anys(planIDs), func(r *sql.Rows) error {
		var res catalog.Resource
		if err := r.Scan(&res.ID, &res.APSID, &res.Name, &res.Unit, &res.Description); err != nil {
			return err
		}
		byID[res.ID] = &res
		order = append(order, res.ID)
		return nil
	})
	if err != nil || len(order) == 0 {
		return nil, err
	}
	err = s.each(ctx, `SELECT d.resource_id, d.kind, d.parent_resource_id, p.aps_id, p.name, d.amount
		FROM resource_dependencies d JOIN resources p ON p.id = d.parent_resource_id
		WHERE d.resource_id IN (`+placeholders(1, len(order))+`) ORDER BY d.resource_id, d.parent_resource_id`,
		anys(order), func(r *sql.Rows) error {
			var id, amount int64
			var dep catalog.Dependency
			var kind string
			if err := r.Scan(&id, &kind, &dep.ParentID, &dep.ParentAPSID, &dep.ParentName, &amount); err != nil {
				return err
			}
			dep.Kind, dep.Amount = catalog.DependencyKind(kind), money.FromMicros(amount)
			byID[id].Dependencies = append(byID[id].Dependencies, dep)
			return nil
		})
	out := make([]catalog.Resource, len(order))
	for i, id := range order {
		out[i] = *byID[id]
	}
	return out, err
}

// PromotionsByCode reads the promotions with a code, of any vendor (pricing matches the vendor).
func (s *Store) PromotionsByCode(ctx context.Context, code string) ([]catalog.Promotion, error) {
	if code == "" {
		return nil, nil
	}
	byID := map[int64]*catalog.Promotion{}
	var ids []int64
	err := s.each(ctx, `SELECT id, vendor_id, code, name, discount_type, value, order_types, valid_from, valid_to, active
		FROM promotions WHERE code = $1 ORDER BY id`, []any{code}, func(r *sql.Rows) error {
		var p catalog.Promotion
		var typ, types string
		var value int64
		var from, to sql.NullInt64
		if err := r.Scan(&p.ID, &p.VendorID, &p.Code, &p.Name, &typ, &value, &types, &from, &to, &p.Active); err != nil {
			return err
		}
		p.Type, p.Value = catalog.DiscountType(typ), money.FromMicros(value)
		if types != "" {
			p.OrderTypes = strings.Split(types, ",")
		}
		p.ValidFrom, p.ValidTo = nullMicros(from), nullMicros(to)
		byID[p.ID] = &p
		ids = append(ids, p.ID)
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	err = s.each(ctx, `SELECT pp.promotion_id, p.aps_id FROM promotion_plans pp JOIN plans p ON p.id = pp.plan_id
		WHERE pp.promotion_id IN (`+placeholders(1, len(ids))+`) ORDER BY pp.promotion_id, p.id`, anys(ids),
		func(r *sql.Rows) error {
			var id int64
			var plan string
			err := r.Scan(&id, &plan)
			byID[id].PlanAPSIDs = append(byID[id].PlanAPSIDs, plan)
			return err
		})
	out := make([]catalog.Promotion, len(ids))
	for i, id := range ids {
		out[i] = *byID[id]
	}
	return out, err
}

// TaxRules reads the tax rules of the zones.
func (s *Store) TaxRules(ctx context.Context, zones ...string) ([]catalog.TaxRule, error) {
	var out []catalog.TaxRule
	if len(zones) == 0 {
		return out, nil
	}
	err := s.each(ctx, `SELECT id, zone, name, rate, inclusive FROM tax_rules WHERE zone IN (`+placeholders(1, len(zones))+`)
		ORDER BY id`, anys(zones), func(r *sql.Rows) error {
		var t catalog.TaxRule
		var rate int64
		if err := r.Scan(&t.ID, &t.Zone, &t.Name, &rate, &t.Inclusive); err != nil {
			return err
		}
		t.Rate = money.FromMicros(rate)
		out = append(out, t)
		return nil
	})
	return out, err
}

// Delegations reads the delegations of plans to a reseller.
func (s *Store) Delegations(ctx context.Context, resellerID int64, planIDs []int64) ([]catalog.Delegation, error) {
	var out []catalog.Delegation
	if len(planIDs) == 0 {
		return out, nil
	}
	err := s.each(ctx, `SELECT d.plan_id, p.aps_id, d.reseller_id, d.cost_rule, d.cost_percent, d.explicit_costs, d.created_at
		FROM delegations d JOIN plans p ON p.id = d.plan_id
		WHERE d.reseller_id = $1 AND d.plan_id IN (`+placeholders(2, len(planIDs))+`) ORDER BY d.plan_id`,
		append([]any{resellerID}, anys(planIDs)...), func(r *sql.Rows) error {
			var d catalog.Delegation
			var rule, costs string
			var pct, created int64
			if err := r.Scan(&d.PlanID, &d.PlanAPSID, &d.ResellerID, &rule, &pct, &costs, &created); err != nil {
				return err
			}
			d.Rule, d.Percent, d.CreatedAt = catalog.CostRule(rule), money.FromMicros(pct), FromMicros(created)
			if err := json.Unmarshal([]byte(costs), &d.Explicit); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	return out, err
}

// Ancestors returns the accounts above a, nearest first (its seller first, the provider last).
func (s *Store) Ancestors(ctx context.Context, a account.Account) ([]account.Account, error) {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(a.Path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err == nil && id != a.ID {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if v, ok := versionsOf(ctx); ok {
		out := make([]account.Account, 0, len(ids))
		for i := len(ids) - 1; i >= 0; i-- {
			acc, hit := s.cache.byID.get(v.Accounts, ids[i])
			if !hit {
				break
			}
			out = append(out, acc)
		}
		if len(out) == len(ids) {
			return out, nil
		}
		out, err := s.ancestors(ctx, ids)
		for _, acc := range out {
			s.cache.byID.put(v.Accounts, acc.ID, acc)
		}
		return out, err
	}
	return s.ancestors(ctx, ids)
}

// ancestors reads the accounts ids (from the provider down) and returns them nearest first.
func (s *Store) ancestors(ctx context.Context, ids []int64) ([]account.Account, error) {
	byID := map[int64]account.Account{}
	err := s.each(ctx, "SELECT "+accountColumns+" FROM "+accountFrom+" WHERE a.id IN ("+placeholders(1, len(ids))+")",
		anys(ids), func(r *sql.Rows) error {
			acc, err := scanAccount(r)
			byID[acc.ID] = acc
			return err
		})
	out := make([]account.Account, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		if acc, ok := byID[ids[i]]; ok {
			out = append(out, acc)
		}
	}
	return out, err
}
