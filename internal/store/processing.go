package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/subscription"
)

// LockOrder reads an order with its items inside tx, holding its row lock (PostgreSQL) for the
// rest of the transaction, with the number of its current payment attempt.
func LockOrder(ctx context.Context, tx *Tx, id int64) (*order.Order, int, error) {
	lock := ""
	if tx.postgres {
		lock = " FOR UPDATE OF o"
	}
	return loadOrder(ctx, tx, id, lock)
}

// ReadOrder reads an order with its items and payment attempt number, without a lock, from the
// read pool: what the processor looks at before it decides whether a step needs a transaction.
func (s *Store) ReadOrder(ctx context.Context, id int64) (*order.Order, int, error) {
	return loadOrder(ctx, s.rdb, id, "")
}

// RelockOrder is LockOrder for an order read before (ReadOrder): it reads again in tx, holding
// the order's row lock (PostgreSQL), only what changes once an order is placed — its flow and
// phase statuses, payment method, error details and payment attempt, and its items' states —
// and returns a copy of read with them. The rest (its parties, totals, lines, items' specs) is
// written at placement and never again, so the copy is what LockOrder would read; on SQLite it
// spares the single writer the order's joins and every item's spec. Should the items read not
// be read's (they never change either), it falls back to LockOrder.
func RelockOrder(ctx context.Context, tx *Tx, read *order.Order) (*order.Order, int, error) {
	lock := ""
	if tx.postgres {
		lock = " FOR UPDATE OF o"
	}
	o, attempt, ok, err := reread(ctx, tx, read, lock)
	if err == nil && !ok {
		return LockOrder(ctx, tx, read.ID)
	}
	return o, attempt, err
}

// RereadOrder is ReadOrder for an order read before: RelockOrder's read of what changes, from
// the read pool, without a lock. The processor reads an order so again after each of its steps.
func (s *Store) RereadOrder(ctx context.Context, read *order.Order) (*order.Order, int, error) {
	o, attempt, ok, err := reread(ctx, s.rdb, read, "")
	if err == nil && !ok {
		return s.ReadOrder(ctx, read.ID)
	}
	return o, attempt, err
}

// reread reads what changes of an order read before (RelockOrder) through q. ok is false when
// the items read are not read's: the caller reads the whole order then.
func reread(ctx context.Context, q querier, read *order.Order, lock string) (_ *order.Order, attempt int, ok bool, _ error) {
	o := *read
	o.Items = slices.Clone(read.Items)
	// One statement: the order's row joined to its items' (a row per item, or one with no item).
	rows, err := q.QueryContext(ctx, `SELECT o.of_status, o.payment_status, o.provisioning_status, o.payment_method_id,
		o.error_details, o.payment_attempt, o.updated_at, i.id, i.status, i.message, i.gate_id, i.oss_subscription_id,
		i.attempts, i.updated_at
		FROM orders o LEFT JOIN provisioning_items i ON i.order_id = o.id WHERE o.id = $1 ORDER BY i.position`+lock, o.ID)
	if err != nil {
		return nil, 0, false, err
	}
	defer rows.Close()
	n := 0
	found := false
	for rows.Next() {
		var flow string
		var method, itemID, attempts, itemUpdated sql.NullInt64
		var status, message, gate, ossSub sql.NullString
		var updated int64
		if err := rows.Scan(&flow, &o.PaymentStatus, &o.ProvisioningStatus, &method, &o.ErrorDetails, &attempt, &updated,
			&itemID, &status, &message, &gate, &ossSub, &attempts, &itemUpdated); err != nil {
			return nil, 0, false, err
		}
		if !found {
			found = true
			o.Flow, o.UpdatedAt, o.PaymentMethodID = order.FlowStatus(flow), FromMicros(updated), nil
			if method.Valid {
				o.PaymentMethodID = &method.Int64
			}
		}
		if !itemID.Valid {
			continue // an order without items
		}
		if n >= len(o.Items) || o.Items[n].ID != itemID.Int64 {
			return nil, 0, false, nil
		}
		it := &o.Items[n]
		it.Status, it.Message, it.GateID, it.OSSSubscriptionID = status.String, message.String, gate.String, ossSub.String
		it.Attempts, it.UpdatedAt = int(attempts.Int64), FromMicros(itemUpdated.Int64)
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, err
	}
	if !found {
		return nil, 0, false, ErrNotFound
	}
	if n != len(o.Items) {
		return nil, 0, false, nil
	}
	return &o, attempt, true, nil
}

func loadOrder(ctx context.Context, q interface {
	querier
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, id int64, lock string) (*order.Order, int, error) {
	var attempt int
	o, err := scanOrder(q.QueryRowContext(ctx, "SELECT "+orderColumns+", o.payment_attempt FROM "+orderFrom+
		" WHERE o.id = $1"+lock, id), &attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	o.Items, err = (&Store{}).items(ctx, q, id)
	return o, attempt, err
}

// PaymentMethod reads one payment method.
func (s *Store) PaymentMethod(ctx context.Context, id int64) (account.PaymentMethod, error) {
	var m account.PaymentMethod
	var typ string
	err := s.rdb.QueryRowContext(ctx, `SELECT id, vendor_id, COALESCE(owner_account_id, 0), payment_system_id,
		payment_system, COALESCE(number, ''), name, type, status FROM payment_methods WHERE id = $1`, id).Scan(
		&m.ID, &m.VendorID, &m.OwnerAccountID, &m.PaymentSystemID, &m.PaymentSystem, &m.Number, &m.Name, &typ, &m.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	m.Type = account.PaymentType(typ)
	return m, err
}

// Payment is a charge attempt of an order.
type Payment struct {
	ID             int64
	OrderID        int64
	Attempt        int
	IdempotencyKey string
	MethodID       int64
	Amount         money.Decimal
	Currency       string
	Status         string // PENDING, APPROVED, DECLINED
	TransactionID  string
	Message        string
	Created        bool // PaymentAttempt created the row in this transaction
}

// PaymentAttempt returns the order's payment row of an attempt, creating it PENDING with its
// idempotency key if it does not exist yet. An earlier attempt still PENDING — its outcome is
// unknown: the gateway was unreachable or the process died during the call — is returned
// instead: the gateway may have taken the money, so it is asked again under that key before
// anything is charged anew.
func PaymentAttempt(ctx context.Context, tx *Tx, o *order.Order, attempt int, methodID int64) (Payment, error) {
	p := Payment{OrderID: o.ID}
	var amount int64
	err := tx.QueryRowContext(ctx, `SELECT id, attempt, idempotency_key, COALESCE(method_id, 0), amount, currency,
		status, transaction_id, message FROM payments WHERE order_id = $1 AND attempt <= $2 ORDER BY attempt DESC
		LIMIT 1`, o.ID, attempt).Scan(&p.ID, &p.Attempt, &p.IdempotencyKey, &p.MethodID, &amount, &p.Currency,
		&p.Status, &p.TransactionID, &p.Message)
	if err == nil && (p.Attempt == attempt || p.Status == "PENDING") {
		p.Amount = money.FromMicros(amount)
		return p, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	p = Payment{OrderID: o.ID, Attempt: attempt}
	if p.ID, err = nextID(ctx, tx, "payments"); err != nil {
		return p, err
	}
	p.IdempotencyKey = fmt.Sprintf("%s/charge/%d", o.APSID, attempt)
	p.MethodID, p.Amount, p.Currency, p.Status, p.Created = methodID, o.Total, o.Currency, "PENDING", true
	_, err = tx.ExecContext(ctx, `INSERT INTO payments (id, order_id, attempt, idempotency_key, method_id, amount,
		currency, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9)`,
		p.ID, o.ID, attempt, p.IdempotencyKey, methodID, o.Total.MustMicros(), o.Currency, p.Status, Micros(tx.Now))
	return p, err
}

// SetPaymentResult records a gateway's answer on a payment row.
func SetPaymentResult(ctx context.Context, tx *Tx, id int64, status, transactionID, message string) error {
	_, err := tx.ExecContext(ctx, `UPDATE payments SET status = $2, transaction_id = $3, message = $4, updated_at = $5
		WHERE id = $1`, id, status, transactionID, message, Micros(tx.Now))
	return err
}

// MoveOrder records a change of an order's flow status, as SetFlow does (with its history event
// and notification), and in the same update of the order's row its payment and provisioning
// statuses, payment method and error details as o holds them.
func MoveOrder(ctx context.Context, tx *Tx, o *order.Order, from, to order.FlowStatus, msg, actor string) error {
	var method any
	if o.PaymentMethodID != nil {
		method = *o.PaymentMethodID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET payment_status = $2, provisioning_status = $3, error_details = $4,
		payment_method_id = $5, of_status = $6, status = $7, updated_at = $8 WHERE id = $1`, o.ID, o.PaymentStatus,
		o.ProvisioningStatus, o.ErrorDetails, method, string(to), string(order.StatusOf(to)), Micros(tx.Now)); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, o.ID, from, to, msg, actor); err != nil {
		return err
	}
	return notify(ctx, tx, o.ID, from, to, msg)
}

// SetItem records an item's state. attempts adds to its attempt count.
func SetItem(ctx context.Context, tx *Tx, it *order.Item, transient bool, attempts int) error {
	it.Attempts += attempts
	_, err := tx.ExecContext(ctx, `UPDATE provisioning_items SET status = $2, message = $3, oss_subscription_id = $4,
		gate_id = $5, transient = $6, attempts = $7, updated_at = $8 WHERE id = $1`, it.ID, it.Status, it.Message,
		it.OSSSubscriptionID, it.GateID, transient, it.Attempts, Micros(tx.Now))
	return err
}

// itemSpec mirrors what placement stored for the OSS (app.itemSpec).
type itemSpec struct {
	PlanID    string           `json:"planId"`
	Period    *catalog.Period  `json:"period"`
	Resources []pricing.Amount `json:"resources"`
}

// ApplyItem makes a completed item's effect on the BSS subscription, idempotently: CREATE makes
// the subscription (with the APS id reserved at placement) and links it to the order, CHANGE
// switches plan, period and resource amounts, RENEW extends it by a period, CANCEL terminates it.
// The item's plan is known's when the catalog has not changed since known was read, else it is
// read in tx (known may be the zero ItemPlan).
func ApplyItem(ctx context.Context, tx *Tx, o *order.Order, it *order.Item, known ItemPlan) error {
	var spec itemSpec
	if err := json.Unmarshal(it.Spec, &spec); err != nil {
		return fmt.Errorf("item %d spec: %w", it.ID, err)
	}
	plan, err := known.current(ctx, tx, it.PlanAPSID)
	if err != nil {
		return fmt.Errorf("item %d plan %s: %w", it.ID, it.PlanAPSID, err)
	}
	var subID int64
	created := false
	err = tx.QueryRowContext(ctx, `SELECT id FROM subscriptions WHERE aps_id = $1`, it.SubscriptionAPSID).Scan(&subID)
	switch {
	case errors.Is(err, sql.ErrNoRows) && it.Action == order.ActionCreate:
		sub := newSubscription(o, it, plan, spec, tx) // with the OSS's id
		err = CreateSubscription(ctx, tx, sub)
		subID, created = sub.ID, true
	case err != nil:
		return fmt.Errorf("item %d subscription %s: %w", it.ID, it.SubscriptionAPSID, err)
	case it.Action == order.ActionChange:
		err = changeSubscription(ctx, tx, subID, plan, spec)
	case it.Action == order.ActionRenew:
		err = renewSubscription(ctx, tx, subID, spec)
	case it.Action == order.ActionCancel:
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET status = $2, service_status = $3, updated_at = $4
			WHERE id = $1`, subID, subscription.StatusTerminated, subscription.ServiceStopped, Micros(tx.Now))
	}
	if err != nil {
		return err
	}
	if it.OSSSubscriptionID != "" && !created {
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET oss_id = $2 WHERE id = $1 AND oss_id IS NULL`,
			subID, it.OSSSubscriptionID); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO order_subscriptions (order_id, subscription_id) VALUES ($1,$2)
		ON CONFLICT DO NOTHING`, o.ID, subID)
	return err
}

// ItemPlan is a plan as ApplyItem needs it (its terms and resource rates), read from the read
// pool, with the catalog counter read before it.
type ItemPlan struct {
	plan    *catalog.Plan
	version int64
}

// ItemPlan reads a plan for ApplyItem by its APS id, from memory while the catalog counter is
// the one it was read under: the plan is then read, and checked, outside the transaction that
// applies the item (on SQLite, outside the single writer).
func (s *Store) ItemPlan(ctx context.Context, apsID string) (ItemPlan, error) {
	v, err := s.CatalogVersion(ctx)
	if err != nil {
		return ItemPlan{}, err
	}
	if p, ok := s.cache.plans.get(v, apsID); ok {
		return ItemPlan{plan: p, version: v}, nil
	}
	p, err := readItemPlan(ctx, s.rdb, apsID)
	if err != nil {
		return ItemPlan{}, err
	}
	s.cache.plans.put(v, apsID, p)
	return ItemPlan{plan: p, version: v}, nil
}

// current is the plan apsID as of tx: k's while the catalog counter is still the one k was read
// under (one indexed row), else read in tx.
func (k ItemPlan) current(ctx context.Context, tx *Tx, apsID string) (*catalog.Plan, error) {
	if k.plan != nil && k.plan.APSID == apsID {
		var v int64
		if err := tx.QueryRowContext(ctx, `SELECT v FROM cache_version WHERE id = 1`).Scan(&v); err != nil {
			return nil, err
		}
		if v == k.version {
			return k.plan, nil
		}
	}
	return readItemPlan(ctx, tx, apsID)
}

func readItemPlan(ctx context.Context, q interface {
	querier
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, apsID string) (*catalog.Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, "SELECT "+planColumns+" FROM plans p WHERE p.aps_id = $1", apsID))
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT r.resource_id, res.aps_id, r.included FROM plan_resource_rates r
		JOIN resources res ON res.id = r.resource_id WHERE r.plan_id = $1 ORDER BY r.position`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rr catalog.ResourceRate
		var inc int64
		if err := rows.Scan(&rr.ResourceID, &rr.ResourceAPSID, &inc); err != nil {
			return nil, err
		}
		rr.Included = money.FromMicros(inc)
		p.Rates = append(p.Rates, rr)
	}
	return p, rows.Err()
}

// amounts are the plan's resources at the requested amounts, else their included units.
func amounts(plan *catalog.Plan, req []pricing.Amount) []subscription.Resource {
	out := make([]subscription.Resource, 0, len(plan.Rates))
	for _, r := range plan.Rates {
		amt := r.Included
		for _, a := range req {
			if a.ResourceID == r.ResourceAPSID {
				amt = a.Amount
			}
		}
		out = append(out, subscription.Resource{ResourceID: r.ResourceID, ResourceAPSID: r.ResourceAPSID, Amount: amt})
	}
	return out
}

func newSubscription(o *order.Order, it *order.Item, plan *catalog.Plan, spec itemSpec, tx *Tx) *subscription.Subscription {
	per := plan.Billing.Period
	if spec.Period != nil {
		per = *spec.Period
	}
	start := tx.Now
	next := plan.Billing.Period.AddTo(start)
	return &subscription.Subscription{APSID: it.SubscriptionAPSID, AccountID: o.BuyerID, PlanID: plan.ID,
		Name: plan.Name, Status: subscription.StatusActive, ServiceStatus: subscription.ServiceActive, Period: per,
		BillingPeriod: plan.Billing.Period, BillingModel: plan.Billing.Model, AutoRenewType: plan.Billing.AutoRenewalType,
		AutoRenewEnabled: plan.Billing.AutoRenewalType != "DISABLED", ServiceGate: "PEMGATE", StartDate: start,
		ExpirationDate: per.AddTo(start), LastBillDate: &start, NextBillDate: &next,
		OSSID: it.OSSSubscriptionID, Resources: amounts(plan, spec.Resources)}
}

// changeSubscription applies a completed CHANGE: the plan, the period and the resource amounts
// the order priced. Another period starts a new billing cycle today (pricing charged its first
// billing period in full): the dates restart from now. A plan switch inherits the new plan's
// auto-renewal and holds the new plan's resources (the requested amounts, else what the
// subscription held, at least the included units).
func changeSubscription(ctx context.Context, tx *Tx, subID int64, plan *catalog.Plan, spec itemSpec) error {
	var unit string
	var dur int
	var oldPlan int64
	if err := tx.QueryRowContext(ctx, `SELECT period_unit, period_duration, plan_id FROM subscriptions WHERE id = $1`,
		subID).Scan(&unit, &dur, &oldPlan); err != nil {
		return err
	}
	if spec.Period != nil && *spec.Period != (catalog.Period{Unit: catalog.Unit(unit), Duration: dur}) {
		bp, err := billingPeriodOf(ctx, tx, plan, *spec.Period)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET period_unit = $2, period_duration = $3,
			billing_unit = $4, billing_duration = $5, last_bill_date = $6, next_bill_date = $7, expiration_date = $8
			WHERE id = $1`, subID, string(spec.Period.Unit), spec.Period.Duration, string(bp.Unit), bp.Duration,
			Micros(tx.Now), Micros(bp.AddTo(tx.Now)), Micros(spec.Period.AddTo(tx.Now))); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET plan_id = $2, updated_at = $3 WHERE id = $1`,
		subID, plan.ID, Micros(tx.Now)); err != nil {
		return err
	}
	if plan.ID != oldPlan {
		return switchResources(ctx, tx, subID, plan, spec)
	}
	for _, r := range plan.Rates {
		for _, a := range spec.Resources {
			if a.ResourceID != r.ResourceAPSID {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscription_resources (subscription_id, resource_id, amount)
				VALUES ($1,$2,$3) ON CONFLICT (subscription_id, resource_id) DO UPDATE SET amount = excluded.amount`,
				subID, r.ResourceID, a.Amount.MustMicros()); err != nil {
				return err
			}
		}
	}
	return nil
}

// switchResources replaces a subscription's resources by the new plan's and takes the plan's
// auto-renewal terms.
func switchResources(ctx context.Context, tx *Tx, subID int64, plan *catalog.Plan, spec itemSpec) error {
	held := map[int64]money.Decimal{}
	rows, err := tx.QueryContext(ctx, `SELECT resource_id, amount FROM subscription_resources WHERE subscription_id = $1`, subID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, amt int64
		if err := rows.Scan(&id, &amt); err != nil {
			rows.Close()
			return err
		}
		held[id] = money.FromMicros(amt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM subscription_resources WHERE subscription_id = $1`, subID); err != nil {
		return err
	}
	for _, r := range amounts(plan, spec.Resources) {
		amt := r.Amount
		if old, ok := held[r.ResourceID]; ok && !requested(spec.Resources, r.ResourceAPSID) {
			amt = money.Max(old, r.Amount)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscription_resources (subscription_id, resource_id, amount)
			VALUES ($1,$2,$3)`, subID, r.ResourceID, amt.MustMicros()); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET autorenew_type = $2, autorenew_enabled = $3 WHERE id = $1`,
		subID, plan.Billing.AutoRenewalType, plan.Billing.AutoRenewalType != "DISABLED")
	return err
}

func requested(req []pricing.Amount, resourceAPSID string) bool {
	for _, a := range req {
		if a.ResourceID == resourceAPSID {
			return true
		}
	}
	return false
}

// billingPeriodOf is the billing period of a plan's subscription period (pricing.BillingPeriod).
func billingPeriodOf(ctx context.Context, tx *Tx, plan *catalog.Plan, per catalog.Period) (catalog.Period, error) {
	sp := catalog.SubscriptionPeriod{Period: per, BillingPeriods: 1}
	err := tx.QueryRowContext(ctx, `SELECT billing_periods FROM plan_periods WHERE plan_id = $1 AND unit = $2
		AND duration = $3 ORDER BY trial LIMIT 1`, plan.ID, string(per.Unit), per.Duration).Scan(&sp.BillingPeriods)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return per, err
	}
	return pricing.BillingPeriod(plan, sp, tx.Now), nil
}

// renewSubscription applies a completed RENEWAL: the subscription runs one more period (the
// requested one, else its own) from its expiration date, and the billing cycle that period
// opens starts there. A renewal brings a subscription in grace or on hold back to ACTIVE with
// its service on.
func renewSubscription(ctx context.Context, tx *Tx, subID int64, spec itemSpec) error {
	var unit, bunit string
	var dur, bdur int
	var exp int64
	if err := tx.QueryRowContext(ctx, `SELECT period_unit, period_duration, billing_unit, billing_duration,
		expiration_date FROM subscriptions WHERE id = $1`, subID).Scan(&unit, &dur, &bunit, &bdur, &exp); err != nil {
		return err
	}
	per := catalog.Period{Unit: catalog.Unit(unit), Duration: dur}
	if spec.Period != nil {
		per = *spec.Period
	}
	from := FromMicros(exp)
	to := per.AddTo(from)
	next := to
	if bp := (catalog.Period{Unit: catalog.Unit(bunit), Duration: bdur}); bp.Valid() && bp.AddTo(from).Before(to) {
		next = bp.AddTo(from)
	}
	_, err := tx.ExecContext(ctx, `UPDATE subscriptions SET period_unit = $2, period_duration = $3, expiration_date = $4,
		last_bill_date = $5, next_bill_date = $6, status = $7, service_status = $8, updated_at = $9 WHERE id = $1`,
		subID, string(per.Unit), per.Duration, Micros(to), Micros(from), Micros(next), subscription.StatusActive,
		subscription.ServiceActive, Micros(tx.Now))
	return err
}

// StaleItem is a provisioning item reconciliation should ask the OSS about.
type StaleItem struct {
	OrderID   int64
	ItemID    int64
	Status    string
	Transient bool
}

// StaleItems lists items in progress or failed for longer than the cut-off, in orders that are
// provisioning or failed, in id order from after the given item id: a reconciliation pass goes
// on from where the last one stopped, so items it cannot settle never hide the ones behind them.
func (s *Store) StaleItems(ctx context.Context, before, after int64, limit int) ([]StaleItem, error) {
	var out []StaleItem
	err := s.each(ctx, `SELECT i.order_id, i.id, i.status, i.transient FROM provisioning_items i
		JOIN orders o ON o.id = i.order_id WHERE i.status IN ('IN_PROGRESS', 'FAILED') AND i.updated_at < $1
		AND o.of_status IN ('PR', 'PF') AND i.id > $2 ORDER BY i.id LIMIT $3`, []any{before, after, limit},
		func(r *sql.Rows) error {
			var it StaleItem
			err := r.Scan(&it.OrderID, &it.ItemID, &it.Status, &it.Transient)
			out = append(out, it)
			return err
		})
	return out, err
}

// ItemOrder finds the order of a provisioning item.
func (s *Store) ItemOrder(ctx context.Context, itemID int64) (int64, error) {
	var id int64
	err := s.rdb.QueryRowContext(ctx, `SELECT order_id FROM provisioning_items WHERE id = $1`, itemID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}
