package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// CreateResource inserts a resource and its dependencies (parents must exist).
func CreateResource(ctx context.Context, tx *Tx, r *catalog.Resource) error {
	var err error
	if r.ID == 0 {
		if r.ID, err = nextID(ctx, tx, "resources"); err != nil {
			return err
		}
	}
	if r.APSID == "" {
		r.APSID = NewAPSID()
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO resources (id, aps_id, name, unit, description, created_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, r.ID, r.APSID, r.Name, r.Unit, r.Description, Micros(tx.Now)); err != nil {
		return fmt.Errorf("create resource %s: %w", r.Name, err)
	}
	for _, d := range r.Dependencies {
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_dependencies (resource_id, kind, parent_resource_id, amount)
			VALUES ($1,$2,$3,$4)`, r.ID, string(d.Kind), d.ParentID, d.Amount.MustMicros()); err != nil {
			return fmt.Errorf("resource %s dependency: %w", r.Name, err)
		}
	}
	return nil
}

// CreateTerm inserts a terms-and-conditions document.
func CreateTerm(ctx context.Context, tx *Tx, t catalog.Term) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO terms (id, name, content) VALUES ($1,$2,$3)`, t.ID, t.Name, t.Content)
	return err
}

// CreatePlan inserts a plan with its periods, resource rates, terms and upsell plans. Rates name
// resources by id, children by APS id.
func CreatePlan(ctx context.Context, tx *Tx, p *catalog.Plan) error {
	var err error
	if p.ID == 0 {
		if p.ID, err = nextID(ctx, tx, "plans"); err != nil {
			return err
		}
	}
	if p.APSID == "" {
		p.APSID = NewAPSID()
	}
	if p.Version == 0 {
		p.Version = 1
	}
	params, _ := json.Marshal(nonNil(p.ActivationParams))
	b := p.Billing
	_, err = tx.ExecContext(ctx, `INSERT INTO plans (id, aps_id, owner_id, name, description, service_type, status,
		currency, pricing_model, billing_unit, billing_duration, autorenew_type, autorenew_days, billing_model,
		recurring_every, requires_credit_check, unique_identifier, activation_params, version, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20)`,
		p.ID, p.APSID, p.OwnerID, p.Name, p.Description, p.ServiceType, p.Status, p.Currency,
		b.PricingModel, string(b.Period.Unit), b.Period.Duration, b.AutoRenewalType, b.AutoRenewalDays, b.Model,
		b.RecurringPricesEvery, p.RequiresCreditCheck, p.UniqueIdentifier, string(params), p.Version, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("create plan %s: %w", p.Name, err)
	}
	return insertPlanDetails(ctx, tx, p, false)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// CreateDelegation offers a plan through a reseller with the reseller's cost rule.
func CreateDelegation(ctx context.Context, tx *Tx, d catalog.Delegation) error {
	costs, _ := json.Marshal(d.Explicit)
	_, err := tx.ExecContext(ctx, `INSERT INTO delegations (plan_id, reseller_id, cost_rule, cost_percent, explicit_costs, created_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, d.PlanID, d.ResellerID, string(d.Rule), d.Percent.MustMicros(), string(costs), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("delegate plan %d to %d: %w", d.PlanID, d.ResellerID, err)
	}
	return nil
}

// CreatePromotion inserts a promotion and the plans it applies to (by APS id).
func CreatePromotion(ctx context.Context, tx *Tx, p *catalog.Promotion) error {
	var err error
	if p.ID, err = nextID(ctx, tx, "promotions"); err != nil {
		return err
	}
	var from, to any
	if p.ValidFrom != nil {
		from = Micros(*p.ValidFrom)
	}
	if p.ValidTo != nil {
		to = Micros(*p.ValidTo)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO promotions (id, vendor_id, code, name, discount_type, value, order_types,
		valid_from, valid_to, active, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		p.ID, p.VendorID, p.Code, p.Name, string(p.Type), p.Value.MustMicros(), strings.Join(p.OrderTypes, ","),
		from, to, p.Active, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("create promotion %s: %w", p.Code, err)
	}
	for _, plan := range p.PlanAPSIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO promotion_plans (promotion_id, plan_id)
			SELECT $1, id FROM plans WHERE aps_id = $2`, p.ID, plan); err != nil {
			return fmt.Errorf("promotion %s plan %s: %w", p.Code, plan, err)
		}
	}
	return nil
}

// CreateTaxRule inserts a tax rule.
func CreateTaxRule(ctx context.Context, tx *Tx, t *catalog.TaxRule) error {
	var err error
	if t.ID, err = nextID(ctx, tx, "tax_rules"); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tax_rules (id, zone, name, rate, inclusive, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		t.ID, t.Zone, t.Name, t.Rate.MustMicros(), t.Inclusive, Micros(tx.Now))
	return err
}

// CreateReasonCode inserts a reason code with its given id.
func CreateReasonCode(ctx context.Context, tx *Tx, r catalog.ReasonCode) error {
	desc, _ := json.Marshal(r.Description)
	_, err := tx.ExecContext(ctx, `INSERT INTO reason_codes (id, operation_type, description) VALUES ($1,$2,$3)`,
		r.ID, r.OperationType, string(desc))
	if err == nil {
		err = bumpSequence(ctx, tx, "reason_codes", r.ID)
	}
	return err
}

// ReasonCodes lists reason codes, all or of one operation type, in the configured order.
func (s *Store) ReasonCodes(ctx context.Context, operationType string) ([]catalog.ReasonCode, error) {
	if !validText(operationType) {
		return []catalog.ReasonCode{}, nil
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, operation_type, description FROM reason_codes
		WHERE $1 = '' OR operation_type = $1 ORDER BY CASE operation_type
		WHEN 'START_SERVICE' THEN 1 WHEN 'STOP_SERVICE' THEN 2 WHEN 'CANCEL_BY_CUSTOMER' THEN 3
		WHEN 'CANCEL_BY_VENDOR' THEN 4 WHEN 'ACCOUNT_CANCELLATION' THEN 5 WHEN 'DESTROY_SERVICE' THEN 6
		WHEN 'AUTOMATIC_SYNCHRONIZATION' THEN 7 ELSE 8 END, id`, operationType)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []catalog.ReasonCode{}
	for rows.Next() {
		var r catalog.ReasonCode
		var desc string
		if err := rows.Scan(&r.ID, &r.OperationType, &desc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(desc), &r.Description); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const planColumns = `p.id, p.aps_id, p.owner_id, p.name, p.description, p.service_type, p.status, p.currency,
	p.pricing_model, p.billing_unit, p.billing_duration, p.autorenew_type, p.autorenew_days, p.billing_model,
	p.recurring_every, p.requires_credit_check, p.unique_identifier, p.activation_params, p.version,
	p.created_at, p.updated_at`

func scanPlan(row interface{ Scan(...any) error }) (*catalog.Plan, error) {
	p := &catalog.Plan{}
	b := &p.Billing
	var unit, params string
	var created, updated int64
	err := row.Scan(&p.ID, &p.APSID, &p.OwnerID, &p.Name, &p.Description, &p.ServiceType, &p.Status, &p.Currency,
		&b.PricingModel, &unit, &b.Period.Duration, &b.AutoRenewalType, &b.AutoRenewalDays, &b.Model,
		&b.RecurringPricesEvery, &p.RequiresCreditCheck, &p.UniqueIdentifier, &params, &p.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	b.Period.Unit = catalog.Unit(unit)
	p.CreatedAt, p.UpdatedAt = FromMicros(created), FromMicros(updated)
	return p, json.Unmarshal([]byte(params), &p.ActivationParams)
}

// SellerScope returns the SQL condition (on plan alias p, with seller id as $n) for the plans a
// seller may sell: its own, and those delegated to it.
func sellerScope(n int) string {
	a := "$" + strconv.Itoa(n)
	return "(p.owner_id = " + a + " OR EXISTS (SELECT 1 FROM delegations d WHERE d.plan_id = p.id AND d.reseller_id = " + a + "))"
}

// PlansScopeArgs is the number of arguments the service-plans collection's scope takes.
const PlansScopeArgs = 1

// ListPlans lists plans, all of them (sellerID 0, the provider's view) or those one seller may
// sell, with periods, rates, terms and child plans.
func (s *Store) ListPlans(ctx context.Context, sellerID int64, q ListQuery) ([]*catalog.Plan, Page, error) {
	scope := "$1 = 0 OR " + sellerScope(1)
	var out []*catalog.Plan
	page, err := s.list(ctx, collection{columns: planColumns, from: "plans p", scope: scope, args: []any{sellerID}}, q,
		func(r *sql.Rows) error {
			p, err := scanPlan(r)
			out = append(out, p)
			return err
		})
	if err != nil {
		return nil, page, err
	}
	return out, page, s.loadPlanDetails(ctx, out)
}

// Plan reads one plan by APS id with its details.
func (s *Store) Plan(ctx context.Context, apsID string) (*catalog.Plan, error) {
	if !validText(apsID) {
		return nil, ErrNotFound
	}
	p, err := scanPlan(s.rdb.QueryRowContext(ctx, "SELECT "+planColumns+" FROM plans p WHERE p.aps_id = $1", apsID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return p, s.loadPlanDetails(ctx, []*catalog.Plan{p})
}

// CanSell reports whether the seller may sell the plan (owns it or has it delegated).
func (s *Store) CanSell(ctx context.Context, sellerID, planID int64) (bool, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM plans p WHERE p.id = $2 AND "+sellerScope(1), sellerID, planID).Scan(&n)
	return n > 0, err
}

// idList renders n placeholders starting at $1 and returns the ids as arguments.
func idList(ids []int64) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = "$" + strconv.Itoa(i+1)
		args[i] = id
	}
	return strings.Join(ph, ","), args
}

// loadPlanDetails fills periods, rates, terms and children of plans with one query each.
func (s *Store) loadPlanDetails(ctx context.Context, plans []*catalog.Plan) error {
	if len(plans) == 0 {
		return nil
	}
	byID := make(map[int64]*catalog.Plan, len(plans))
	ids := make([]int64, len(plans))
	for i, p := range plans {
		byID[p.ID], ids[i] = p, p.ID
	}
	in, args := idList(ids)
	err := s.each(ctx, `SELECT plan_id, unit, duration, billing_periods, trial, is_default, setup_fee, recurring_fee,
		renewal_fee, transfer_fee, deposit_fee, refund_type, refund_days FROM plan_periods WHERE plan_id IN (`+in+`)
		ORDER BY plan_id, position`, args, func(r *sql.Rows) error {
		var id int64
		var sp catalog.SubscriptionPeriod
		var unit string
		var fees [5]int64
		if err := r.Scan(&id, &unit, &sp.Period.Duration, &sp.BillingPeriods, &sp.Trial, &sp.Default,
			&fees[0], &fees[1], &fees[2], &fees[3], &fees[4], &sp.Refund.Type, &sp.Refund.Days); err != nil {
			return err
		}
		sp.Period.Unit = catalog.Unit(unit)
		sp.Fees = catalog.Fees{Setup: money.FromMicros(fees[0]), Recurring: money.FromMicros(fees[1]),
			Renewal: money.FromMicros(fees[2]), Transfer: money.FromMicros(fees[3]), Deposit: money.FromMicros(fees[4])}
		byID[id].Periods = append(byID[id].Periods, sp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("plan periods: %w", err)
	}
	err = s.each(ctx, `SELECT r.plan_id, r.resource_id, res.aps_id, res.name, res.unit, r.included, r.min_amount,
		r.max_amount, r.setup_fee, r.recurring_fee, r.overuse_fee, r.charge_per_unit
		FROM plan_resource_rates r JOIN resources res ON res.id = r.resource_id
		WHERE r.plan_id IN (`+in+`) ORDER BY r.plan_id, r.position`, args, func(r *sql.Rows) error {
		var id int64
		var rr catalog.ResourceRate
		var v [6]int64
		if err := r.Scan(&id, &rr.ResourceID, &rr.ResourceAPSID, &rr.ResourceName, &rr.Unit,
			&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &rr.ChargePerUnit); err != nil {
			return err
		}
		rr.Included, rr.Min, rr.Max = money.FromMicros(v[0]), money.FromMicros(v[1]), money.FromMicros(v[2])
		rr.SetupFee, rr.RecurringFee, rr.OveruseFee = money.FromMicros(v[3]), money.FromMicros(v[4]), money.FromMicros(v[5])
		byID[id].Rates = append(byID[id].Rates, rr)
		return nil
	})
	if err != nil {
		return fmt.Errorf("plan rates: %w", err)
	}
	err = s.each(ctx, `SELECT plan_id, term_id FROM plan_terms WHERE plan_id IN (`+in+`) ORDER BY plan_id, term_id`, args,
		func(r *sql.Rows) error {
			var id int64
			var t string
			if err := r.Scan(&id, &t); err != nil {
				return err
			}
			byID[id].TermIDs = append(byID[id].TermIDs, t)
			return nil
		})
	if err != nil {
		return fmt.Errorf("plan terms: %w", err)
	}
	return s.each(ctx, `SELECT c.plan_id, p.aps_id FROM plan_children c JOIN plans p ON p.id = c.child_plan_id
		WHERE c.plan_id IN (`+in+`) ORDER BY c.plan_id, p.id`, args, func(r *sql.Rows) error {
		var id int64
		var child string
		if err := r.Scan(&id, &child); err != nil {
			return err
		}
		byID[id].ChildPlanAPSIDs = append(byID[id].ChildPlanAPSIDs, child)
		return nil
	})
}

// each runs a read query and calls fn for every row.
func (s *Store) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Terms returns the terms documents by id.
func (s *Store) Terms(ctx context.Context, ids []string) ([]catalog.Term, error) {
	out := []catalog.Term{}
	if len(ids) == 0 {
		return out, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	err := s.each(ctx, `SELECT id, name, content FROM terms WHERE id IN (`+strings.Join(ph, ",")+`) ORDER BY id`, args,
		func(r *sql.Rows) error {
			var t catalog.Term
			err := r.Scan(&t.ID, &t.Name, &t.Content)
			out = append(out, t)
			return err
		})
	return out, err
}
