package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// The write side of the catalog for provider operations: updates, deactivation and the reads
// management needs (resources with their status, plan versions). Creation is in catalog.go.

// All is the page size that reads a whole collection (exports).
const All = 1 << 30

// AllRows is a ListQuery reading every row in the given order.
func AllRows(orderBy string) ListQuery {
	return ListQuery{OrderBy: orderBy, Count: All, SkipCount: true}
}

// lockRow takes the row lock of one row (PostgreSQL; SQLite's write transaction is already
// exclusive) and reports ErrNotFound when the row does not exist. Callers then read the row's
// committed state through the store's readers: no other writer can change it before commit.
func lockRow(ctx context.Context, tx *Tx, table, column string, key any) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE "+column+" = $1"+tx.forUpdate(), key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// LockPlan locks a plan row by internal id.
func LockPlan(ctx context.Context, tx *Tx, id int64) error {
	return lockRow(ctx, tx, "plans", "id", id)
}

// LockResource locks a resource row by internal id.
func LockResource(ctx context.Context, tx *Tx, id int64) error {
	return lockRow(ctx, tx, "resources", "id", id)
}

// Resource statuses.
const (
	ResourceActive   = "ACTIVE"
	ResourceInactive = "INACTIVE"
)

// ResourceRecord is a resource with its management status.
type ResourceRecord struct {
	catalog.Resource
	Status    string
	CreatedAt time.Time
}

// ResourcesScopeArgs is the number of arguments the resources collection's scope takes.
const ResourcesScopeArgs = 0

const resourceColumns = `r.id, r.aps_id, r.name, r.unit, r.description, r.status, r.created_at`

// ListResources lists resources with their dependencies.
func (s *Store) ListResources(ctx context.Context, q ListQuery) ([]ResourceRecord, Page, error) {
	var out []ResourceRecord
	page, err := s.list(ctx, collection{columns: resourceColumns, from: "resources r", scope: "1 = 1"}, q,
		func(r *sql.Rows) error {
			var rr ResourceRecord
			var created int64
			err := r.Scan(&rr.ID, &rr.APSID, &rr.Name, &rr.Unit, &rr.Description, &rr.Status, &created)
			rr.CreatedAt = FromMicros(created)
			out = append(out, rr)
			return err
		})
	if err != nil {
		return nil, page, err
	}
	return out, page, s.loadDependencies(ctx, out)
}

// ResourceByAPSID reads one resource with its dependencies.
func (s *Store) ResourceByAPSID(ctx context.Context, apsID string) (ResourceRecord, error) {
	rs, _, err := s.ListResources(ctx, ListQuery{Where: "r.aps_id = $1", Args: []any{apsID}, OrderBy: "r.id", Count: 1, SkipCount: true})
	if err != nil {
		return ResourceRecord{}, err
	}
	if len(rs) == 0 {
		return ResourceRecord{}, ErrNotFound
	}
	return rs[0], nil
}

func (s *Store) loadDependencies(ctx context.Context, rs []ResourceRecord) error {
	if len(rs) == 0 {
		return nil
	}
	byID := map[int64]*ResourceRecord{}
	ids := make([]int64, len(rs))
	for i := range rs {
		byID[rs[i].ID], ids[i] = &rs[i], rs[i].ID
	}
	in, args := idList(ids)
	return s.each(ctx, `SELECT d.resource_id, d.kind, d.parent_resource_id, p.aps_id, p.name, d.amount
		FROM resource_dependencies d JOIN resources p ON p.id = d.parent_resource_id
		WHERE d.resource_id IN (`+in+`) ORDER BY d.resource_id, d.kind, p.id`, args, func(r *sql.Rows) error {
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
}

// UpdateResource rewrites a resource's fields, status and dependencies.
func UpdateResource(ctx context.Context, tx *Tx, r ResourceRecord) error {
	res, err := tx.ExecContext(ctx, `UPDATE resources SET name = $2, unit = $3, description = $4, status = $5 WHERE id = $1`,
		r.ID, r.Name, r.Unit, r.Description, r.Status)
	if err != nil {
		return fmt.Errorf("update resource %s: %w", r.APSID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM resource_dependencies WHERE resource_id = $1`, r.ID); err != nil {
		return err
	}
	for _, d := range r.Dependencies {
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_dependencies (resource_id, kind, parent_resource_id, amount)
			VALUES ($1,$2,$3,$4)`, r.ID, string(d.Kind), d.ParentID, d.Amount.MustMicros()); err != nil {
			return fmt.Errorf("resource %s dependency: %w", r.APSID, err)
		}
	}
	return nil
}

// UpdatePlan rewrites a plan's row (with p.Version as given) and replaces its periods, rates,
// terms and upsell plans. Orders keep their own priced lines, so nothing already sold changes.
func UpdatePlan(ctx context.Context, tx *Tx, p *catalog.Plan) error {
	params, _ := json.Marshal(nonNil(p.ActivationParams))
	b := p.Billing
	res, err := tx.ExecContext(ctx, `UPDATE plans SET owner_id = $2, name = $3, description = $4, service_type = $5,
		status = $6, currency = $7, pricing_model = $8, billing_unit = $9, billing_duration = $10, autorenew_type = $11,
		autorenew_days = $12, billing_model = $13, recurring_every = $14, requires_credit_check = $15,
		unique_identifier = $16, activation_params = $17, version = $18, updated_at = $19 WHERE id = $1`,
		p.ID, p.OwnerID, p.Name, p.Description, p.ServiceType, p.Status, p.Currency, b.PricingModel,
		string(b.Period.Unit), b.Period.Duration, b.AutoRenewalType, b.AutoRenewalDays, b.Model, b.RecurringPricesEvery,
		p.RequiresCreditCheck, p.UniqueIdentifier, string(params), p.Version, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("update plan %s: %w", p.APSID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	for _, table := range []string{"plan_periods", "plan_resource_rates", "plan_terms", "plan_children"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE plan_id = $1", p.ID); err != nil {
			return fmt.Errorf("update plan %s: %w", p.APSID, err)
		}
	}
	return insertPlanDetails(ctx, tx, p, true)
}

// insertPlanDetails writes a plan's periods, rates, terms and children for CreatePlan and
// UpdatePlan. An error names the plan and a rate's resource by APS id when byAPSID (an update),
// else by the plan's name and the resource's id (a creation).
func insertPlanDetails(ctx context.Context, tx *Tx, p *catalog.Plan, byAPSID bool) error {
	plan, rateKey := p.Name, func(r catalog.ResourceRate) any { return r.ResourceID }
	if byAPSID {
		plan, rateKey = p.APSID, func(r catalog.ResourceRate) any { return r.ResourceAPSID }
	}
	for i, sp := range p.Periods {
		f := sp.Fees
		_, err := tx.ExecContext(ctx, `INSERT INTO plan_periods (plan_id, position, unit, duration, billing_periods, trial,
			is_default, setup_fee, recurring_fee, renewal_fee, transfer_fee, deposit_fee, refund_type, refund_days)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
			p.ID, i, string(sp.Period.Unit), sp.Period.Duration, sp.BillingPeriods, sp.Trial, sp.Default,
			f.Setup.MustMicros(), f.Recurring.MustMicros(), f.Renewal.MustMicros(), f.Transfer.MustMicros(),
			f.Deposit.MustMicros(), sp.Refund.Type, sp.Refund.Days)
		if err != nil {
			return fmt.Errorf("plan %s period %s: %w", plan, sp.Period, err)
		}
	}
	for i, r := range p.Rates {
		_, err := tx.ExecContext(ctx, `INSERT INTO plan_resource_rates (plan_id, resource_id, position, included,
			min_amount, max_amount, setup_fee, recurring_fee, overuse_fee, charge_per_unit)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
			p.ID, r.ResourceID, i, r.Included.MustMicros(), r.Min.MustMicros(), r.Max.MustMicros(),
			r.SetupFee.MustMicros(), r.RecurringFee.MustMicros(), r.OveruseFee.MustMicros(), r.ChargePerUnit)
		if err != nil {
			return fmt.Errorf("plan %s rate %v: %w", plan, rateKey(r), err)
		}
	}
	for _, t := range p.TermIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_terms (plan_id, term_id) VALUES ($1,$2)`, p.ID, t); err != nil {
			return fmt.Errorf("plan %s term %s: %w", plan, t, err)
		}
	}
	for _, c := range p.ChildPlanAPSIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_children (plan_id, child_plan_id)
			SELECT $1, id FROM plans WHERE aps_id = $2`, p.ID, c); err != nil {
			return fmt.Errorf("plan %s child %s: %w", plan, c, err)
		}
	}
	return nil
}

// PlanVersion is one recorded version of a plan's content.
type PlanVersion struct {
	Version   int
	Content   json.RawMessage
	CreatedAt time.Time
}

// SavePlanVersion records the content of a plan version (a JSON document).
func SavePlanVersion(ctx context.Context, tx *Tx, planID int64, version int, content any) error {
	b, err := json.Marshal(content)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO plan_versions (plan_id, version, content, created_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (plan_id, version) DO UPDATE SET content = excluded.content`, planID, version, string(b), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("plan %d version %d: %w", planID, version, err)
	}
	return nil
}

// PlanVersions lists the recorded versions of a plan, oldest first.
func (s *Store) PlanVersions(ctx context.Context, planID int64) ([]PlanVersion, error) {
	out := []PlanVersion{}
	err := s.each(ctx, `SELECT version, content, created_at FROM plan_versions WHERE plan_id = $1 ORDER BY version`,
		[]any{planID}, func(r *sql.Rows) error {
			var v PlanVersion
			var content string
			var at int64
			if err := r.Scan(&v.Version, &content, &at); err != nil {
				return err
			}
			v.Content, v.CreatedAt = json.RawMessage(content), FromMicros(at)
			out = append(out, v)
			return nil
		})
	return out, err
}

// PlanIDs maps plan APS ids to internal ids (unknown ids are absent).
func (s *Store) PlanIDs(ctx context.Context, apsIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(apsIDs) == 0 {
		return out, nil
	}
	err := s.each(ctx, "SELECT aps_id, id FROM plans WHERE aps_id IN ("+placeholders(1, len(apsIDs))+")", anys(apsIDs),
		func(r *sql.Rows) error {
			var aps string
			var id int64
			err := r.Scan(&aps, &id)
			out[aps] = id
			return err
		})
	return out, err
}

// PlanInUse reports whether any subscription was sold under the plan.
func (s *Store) PlanInUse(ctx context.Context, planID int64) (bool, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE plan_id = $1`, planID).Scan(&n)
	return n > 0, err
}

// PromotionRecord is a promotion with its vendor's APS id.
type PromotionRecord struct {
	catalog.Promotion
	VendorAPSID string
	VendorPath  string
}

// PromotionsScopeArgs is the number of arguments the promotions collection's scope takes.
const PromotionsScopeArgs = 2

const promotionColumns = `pr.id, pr.vendor_id, v.aps_id, v.path, pr.code, pr.name, pr.discount_type, pr.value,
	pr.order_types, pr.valid_from, pr.valid_to, pr.active`

// ListPromotions lists the promotions of vendors in the subtree at scopePath.
func (s *Store) ListPromotions(ctx context.Context, scopePath string, q ListQuery) ([]PromotionRecord, Page, error) {
	lo, hi := account.SubtreeRange(scopePath)
	var out []PromotionRecord
	page, err := s.list(ctx, collection{columns: promotionColumns, from: "promotions pr JOIN accounts v ON v.id = pr.vendor_id",
		scope: "v.path >= $1 AND v.path < $2", args: []any{lo, hi}}, q, func(r *sql.Rows) error {
		var p PromotionRecord
		var typ, types string
		var value int64
		var from, to sql.NullInt64
		if err := r.Scan(&p.ID, &p.VendorID, &p.VendorAPSID, &p.VendorPath, &p.Code, &p.Name, &typ, &value, &types,
			&from, &to, &p.Active); err != nil {
			return err
		}
		p.Type, p.Value = catalog.DiscountType(typ), money.FromMicros(value)
		if types != "" {
			p.OrderTypes = strings.Split(types, ",")
		}
		p.ValidFrom, p.ValidTo = nullMicros(from), nullMicros(to)
		out = append(out, p)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, page, err
	}
	byID := map[int64]*PromotionRecord{}
	ids := make([]int64, len(out))
	for i := range out {
		byID[out[i].ID], ids[i] = &out[i], out[i].ID
	}
	in, args := idList(ids)
	err = s.each(ctx, `SELECT pp.promotion_id, p.aps_id FROM promotion_plans pp JOIN plans p ON p.id = pp.plan_id
		WHERE pp.promotion_id IN (`+in+`) ORDER BY pp.promotion_id, p.id`, args, func(r *sql.Rows) error {
		var id int64
		var plan string
		err := r.Scan(&id, &plan)
		byID[id].PlanAPSIDs = append(byID[id].PlanAPSIDs, plan)
		return err
	})
	return out, page, err
}

// PromotionByID reads one promotion (in the subtree at scopePath).
func (s *Store) PromotionByID(ctx context.Context, scopePath string, id int64) (PromotionRecord, error) {
	ps, _, err := s.ListPromotions(ctx, scopePath, ListQuery{Where: "pr.id = $3", Args: []any{id}, OrderBy: "pr.id", Count: 1, SkipCount: true})
	if err != nil {
		return PromotionRecord{}, err
	}
	if len(ps) == 0 {
		return PromotionRecord{}, ErrNotFound
	}
	return ps[0], nil
}

// UpdatePromotion rewrites a promotion and the plans it applies to.
func UpdatePromotion(ctx context.Context, tx *Tx, p *catalog.Promotion) error {
	res, err := tx.ExecContext(ctx, `UPDATE promotions SET vendor_id = $2, code = $3, name = $4, discount_type = $5,
		value = $6, order_types = $7, valid_from = $8, valid_to = $9, active = $10 WHERE id = $1`,
		p.ID, p.VendorID, p.Code, p.Name, string(p.Type), p.Value.MustMicros(), strings.Join(p.OrderTypes, ","),
		optMicros(p.ValidFrom), optMicros(p.ValidTo), p.Active)
	if err != nil {
		return fmt.Errorf("update promotion %d: %w", p.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM promotion_plans WHERE promotion_id = $1`, p.ID); err != nil {
		return err
	}
	for _, plan := range p.PlanAPSIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO promotion_plans (promotion_id, plan_id)
			SELECT $1, id FROM plans WHERE aps_id = $2`, p.ID, plan); err != nil {
			return fmt.Errorf("promotion %s plan %s: %w", p.Code, plan, err)
		}
	}
	return nil
}

// TaxRulesScopeArgs is the number of arguments the tax-rules collection's scope takes.
const TaxRulesScopeArgs = 0

// ListTaxRules lists tax rules.
func (s *Store) ListTaxRules(ctx context.Context, q ListQuery) ([]catalog.TaxRule, Page, error) {
	var out []catalog.TaxRule
	page, err := s.list(ctx, collection{columns: "t.id, t.zone, t.name, t.rate, t.inclusive", from: "tax_rules t", scope: "1 = 1"}, q,
		func(r *sql.Rows) error {
			var t catalog.TaxRule
			var rate int64
			err := r.Scan(&t.ID, &t.Zone, &t.Name, &rate, &t.Inclusive)
			t.Rate = money.FromMicros(rate)
			out = append(out, t)
			return err
		})
	return out, page, err
}

// TaxRuleByID reads one tax rule.
func (s *Store) TaxRuleByID(ctx context.Context, id int64) (catalog.TaxRule, error) {
	ts, _, err := s.ListTaxRules(ctx, ListQuery{Where: "t.id = $1", Args: []any{id}, OrderBy: "t.id", Count: 1, SkipCount: true})
	if err != nil {
		return catalog.TaxRule{}, err
	}
	if len(ts) == 0 {
		return catalog.TaxRule{}, ErrNotFound
	}
	return ts[0], nil
}

// UpdateTaxRule rewrites a tax rule.
func UpdateTaxRule(ctx context.Context, tx *Tx, t catalog.TaxRule) error {
	return affectOne(tx.ExecContext(ctx, `UPDATE tax_rules SET zone = $2, name = $3, rate = $4, inclusive = $5 WHERE id = $1`,
		t.ID, t.Zone, t.Name, t.Rate.MustMicros(), t.Inclusive))
}

// DeleteTaxRule removes a tax rule; orders keep the taxes they were priced with.
func DeleteTaxRule(ctx context.Context, tx *Tx, id int64) error {
	return affectOne(tx.ExecContext(ctx, `DELETE FROM tax_rules WHERE id = $1`, id))
}

// affectOne turns an Exec result that touched no row into ErrNotFound.
func affectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// TermsScopeArgs is the number of arguments the terms collection's scope takes.
const TermsScopeArgs = 0

// ListTerms lists terms-and-conditions documents.
func (s *Store) ListTerms(ctx context.Context, q ListQuery) ([]catalog.Term, Page, error) {
	var out []catalog.Term
	page, err := s.list(ctx, collection{columns: "t.id, t.name, t.content", from: "terms t", scope: "1 = 1"}, q,
		func(r *sql.Rows) error {
			var t catalog.Term
			err := r.Scan(&t.ID, &t.Name, &t.Content)
			out = append(out, t)
			return err
		})
	return out, page, err
}

// TermByID reads one terms document.
func (s *Store) TermByID(ctx context.Context, id string) (catalog.Term, error) {
	ts, err := s.Terms(ctx, []string{id})
	if err != nil {
		return catalog.Term{}, err
	}
	if len(ts) == 0 {
		return catalog.Term{}, ErrNotFound
	}
	return ts[0], nil
}

// UpdateTerm rewrites a terms document.
func UpdateTerm(ctx context.Context, tx *Tx, t catalog.Term) error {
	return affectOne(tx.ExecContext(ctx, `UPDATE terms SET name = $2, content = $3 WHERE id = $1`, t.ID, t.Name, t.Content))
}

// DeleteTerm removes a terms document no plan uses (ErrConflict otherwise).
func DeleteTerm(ctx context.Context, tx *Tx, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_terms WHERE term_id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return ErrConflict
	}
	return affectOne(tx.ExecContext(ctx, `DELETE FROM terms WHERE id = $1`, id))
}

// ReasonCodeByID reads one reason code.
func (s *Store) ReasonCodeByID(ctx context.Context, id int64) (catalog.ReasonCode, error) {
	var r catalog.ReasonCode
	var desc string
	err := s.rdb.QueryRowContext(ctx, `SELECT id, operation_type, description FROM reason_codes WHERE id = $1`, id).
		Scan(&r.ID, &r.OperationType, &desc)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(desc), &r.Description)
}

// UpdateReasonCode rewrites a reason code.
func UpdateReasonCode(ctx context.Context, tx *Tx, r catalog.ReasonCode) error {
	desc, _ := json.Marshal(r.Description)
	return affectOne(tx.ExecContext(ctx, `UPDATE reason_codes SET operation_type = $2, description = $3 WHERE id = $1`,
		r.ID, r.OperationType, string(desc)))
}

// DeleteReasonCode removes a reason code; orders keep the reason id they were placed with.
func DeleteReasonCode(ctx context.Context, tx *Tx, id int64) error {
	return affectOne(tx.ExecContext(ctx, `DELETE FROM reason_codes WHERE id = $1`, id))
}

// NextReasonCodeID takes the next free reason code id (1000 and up; explicit ids move it on).
func NextReasonCodeID(ctx context.Context, tx *Tx) (int64, error) {
	return nextID(ctx, tx, "reason_codes")
}
