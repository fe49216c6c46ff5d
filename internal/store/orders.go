package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
)

// Job kinds.
const (
	JobProcessOrder = "process_order"
)

// InsertOrder records a placed order in tx: the order with its number and internal id, lines,
// attributes, provisioning items, its first history event, and the job that will process it —
// all or nothing (the transactional outbox).
func InsertOrder(ctx context.Context, tx *Tx, o *order.Order) error {
	var err error
	if o.ID, err = nextID(ctx, tx, "orders"); err != nil {
		return err
	}
	seq, err := nextID(ctx, tx, "order_number_"+o.Type)
	if err != nil {
		return err
	}
	o.Number = order.NumberOf(o.Type, seq)
	if o.APSID == "" {
		o.APSID = NewAPSID()
	}
	o.CreationTime, o.UpdatedAt = tx.Now, tx.Now
	if o.OrderDate.IsZero() {
		o.OrderDate, o.ExpirationDate = tx.Now, tx.Now.Add(order.Expiry)
	}
	var sub, reason, method any
	if o.SubscriptionID != 0 {
		sub = o.SubscriptionID
	}
	if o.ReasonID != nil {
		reason = *o.ReasonID
	}
	if o.PaymentMethodID != nil {
		method = *o.PaymentMethodID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id,
		currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status, provisioning_status,
		of_status, payment_method_id, promo_code, promo_result, subscription_id, refund_type, reason_id, comment,
		end_customer_name, end_customer_type, request, error_details, draft, order_date, expiration_date,
		creation_time, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,
		$28,$29,$30,$31,$31)`,
		o.ID, o.APSID, o.Number, o.Type, o.BuyerID, o.BuyerPath, o.SellerID, o.Currency,
		o.SubTotal.MustMicros(), o.TaxTotal.MustMicros(), o.ExclusiveTaxTotal.MustMicros(), o.Total.MustMicros(),
		string(o.Status()), o.PaymentStatus, o.ProvisioningStatus, string(o.Flow), method, o.PromoCode,
		o.PromoResult, sub, o.RefundType, reason, o.Comment, o.EndCustomerName, o.EndCustomerType,
		string(o.Request), o.ErrorDetails, o.Draft, Micros(o.OrderDate), Micros(o.ExpirationDate), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	if o.Draft {
		// A draft is priced and checked at completion; it has nothing else to write yet.
		return addEvent(ctx, tx, o.ID, "", o.Flow, "draft created", "api")
	}
	return writeOrderParts(ctx, tx, o, "order placed")
}

// writeOrderParts writes what an order has besides its row — its subscription binding, lines,
// attributes and provisioning items — with its first history event, its notification and the
// job that will process it. Placement and draft completion share it.
func writeOrderParts(ctx context.Context, tx *Tx, o *order.Order, msg string) error {
	// An order acting on a subscription is bound to it from the start (details'
	// bssSubscriptions, the list's subscriptionId filter); a sale is bound when it creates one.
	if o.SubscriptionID != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_subscriptions (order_id, subscription_id) VALUES ($1,$2)`,
			o.ID, o.SubscriptionID); err != nil {
			return fmt.Errorf("order subscription: %w", err)
		}
	}
	if err := insertLines(ctx, tx, o.ID, o.Lines); err != nil {
		return err
	}
	for _, a := range o.Attributes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_attributes (order_id, attribute_id, value) VALUES ($1,$2,$3)`,
			o.ID, a.AttributeID, a.Value); err != nil {
			return fmt.Errorf("order attribute %s: %w", a.AttributeID, err)
		}
	}
	for i := range o.Items {
		if err := insertItem(ctx, tx, o.ID, i, &o.Items[i]); err != nil {
			return err
		}
	}
	if err := addEvent(ctx, tx, o.ID, "", o.Flow, msg, "api"); err != nil {
		return err
	}
	if err := notify(ctx, tx, o.ID, "", o.Flow, msg); err != nil {
		return err
	}
	return Enqueue(ctx, tx, JobProcessOrder, o.ID, 0)
}

// insertLines writes an order's lines with multi-row statements of up to linesPerStatement rows
// (one statement per line cost a third of the committer's time per order).
func insertLines(ctx context.Context, tx *Tx, orderID int64, lines []pricing.Line) error {
	for first := 0; first < len(lines); first += linesPerStatement {
		if err := insertLineRows(ctx, tx, orderID, first, lines[first:min(len(lines), first+linesPerStatement)]); err != nil {
			return err
		}
	}
	return nil
}

// linesPerStatement bounds a statement's parameters (20 a line) well under SQLite's limit, and
// the number of distinct statements the statement cache holds.
const linesPerStatement = 32

func insertLineRows(ctx context.Context, tx *Tx, orderID int64, first int, lines []pricing.Line) error {
	const cols = 20
	var q strings.Builder
	q.WriteString(`INSERT INTO order_lines (order_id, position, type, plan_aps_id, period_unit,
		period_duration, resource_aps_id, duration_unit, duration_value, description, quantity, lower_bound,
		unit_of_measure, unit_price, extended_price, discount_type, discount_value, discount_amount, tax_amount,
		exclusive_tax_amount) VALUES `)
	args := make([]any, 0, cols*len(lines))
	for i, l := range lines {
		pos := first + i
		var durUnit string
		var durValue int64
		if l.Duration != nil {
			durUnit, durValue = string(l.Duration.Unit), l.Duration.Duration.MustMicros()
		}
		var dType string
		var dValue, dAmount int64
		if l.Discount != nil {
			dType, dValue, dAmount = string(l.Discount.Type), l.Discount.Value.MustMicros(), l.Discount.Amount.MustMicros()
		}
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for c := 1; c <= cols; c++ {
			if c > 1 {
				q.WriteByte(',')
			}
			q.WriteString("$" + strconv.Itoa(len(args)+c))
		}
		q.WriteByte(')')
		args = append(args, orderID, pos, string(l.Type), l.PlanID, string(l.Period.Unit), l.Period.Duration, l.ResourceID,
			durUnit, durValue, l.Description, l.Quantity.MustMicros(), l.LowerBound.MustMicros(), l.UnitOfMeasure,
			l.UnitPrice.MustMicros(), l.ExtendedPrice.MustMicros(), dType, dValue, dAmount, l.TaxAmount.MustMicros(),
			l.ExclusiveTaxAmount.MustMicros())
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	return nil
}

func insertItem(ctx context.Context, tx *Tx, orderID int64, pos int, it *order.Item) error {
	var err error
	if it.ID, err = nextID(ctx, tx, "provisioning_items"); err != nil {
		return err
	}
	it.Position, it.UpdatedAt = pos, tx.Now
	if it.Status == "" {
		it.Status = order.ProvisioningNotStarted
	}
	if len(it.Spec) == 0 {
		it.Spec = json.RawMessage("{}")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO provisioning_items (id, order_id, position, action, plan_aps_id,
		subscription_aps_id, service_type, service_identifier, spec, status, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11)`, it.ID, orderID, pos, it.Action, it.PlanAPSID,
		it.SubscriptionAPSID, it.ServiceType, it.ServiceIdentifier, string(it.Spec), it.Status, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("provisioning item %d: %w", pos, err)
	}
	return nil
}

// addEvent appends to an order's history.
func addEvent(ctx context.Context, tx *Tx, orderID int64, from, to order.FlowStatus, msg, actor string) error {
	id, err := nextID(ctx, tx, "order_events")
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO order_events (id, order_id, from_state, to_state, message, actor, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, id, orderID, string(from), string(to), msg, actor, Micros(tx.Now))
	return err
}

// Enqueue adds a job due now.
func Enqueue(ctx context.Context, tx *Tx, kind string, orderID, itemID int64) error {
	id, err := nextID(ctx, tx, "jobs")
	if err != nil {
		return err
	}
	var item any
	if itemID != 0 {
		item = itemID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO jobs (id, kind, order_id, item_id, run_at, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$5,$5)`, id, kind, orderID, item, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return nil
}

const orderColumns = `o.id, o.aps_id, o.order_number, o.type, o.buyer_id, b.aps_id, o.buyer_path, o.seller_id,
	s.aps_id, o.currency, o.sub_total, o.tax_total, o.exclusive_tax_total, o.total, o.payment_status,
	o.provisioning_status, o.of_status, o.payment_method_id, o.promo_code, o.promo_result,
	COALESCE(o.subscription_id, 0), COALESCE(sub.aps_id, ''), o.refund_type, o.reason_id, o.comment,
	o.end_customer_name, o.end_customer_type, o.error_details, o.draft, o.order_date, o.expiration_date,
	o.creation_time, o.updated_at`

const orderFrom = `orders o JOIN accounts b ON b.id = o.buyer_id JOIN accounts s ON s.id = o.seller_id
	LEFT JOIN subscriptions sub ON sub.id = o.subscription_id`

// scanOrder scans orderColumns, then the extra destinations post of columns selected after them.
func scanOrder(row interface{ Scan(...any) error }, post ...any) (*order.Order, error) {
	o := &order.Order{}
	var totals [4]int64
	var flow string
	var method, reason sql.NullInt64
	var od, ed, ct, ut int64
	err := row.Scan(append([]any{&o.ID, &o.APSID, &o.Number, &o.Type, &o.BuyerID, &o.BuyerAPSID, &o.BuyerPath, &o.SellerID,
		&o.SellerAPSID, &o.Currency, &totals[0], &totals[1], &totals[2], &totals[3], &o.PaymentStatus,
		&o.ProvisioningStatus, &flow, &method, &o.PromoCode, &o.PromoResult,
		&o.SubscriptionID, &o.SubscriptionAPSID, &o.RefundType, &reason, &o.Comment,
		&o.EndCustomerName, &o.EndCustomerType, &o.ErrorDetails, &o.Draft, &od, &ed, &ct, &ut}, post...)...)
	if err != nil {
		return nil, err
	}
	o.SubTotal, o.TaxTotal = money.FromMicros(totals[0]), money.FromMicros(totals[1])
	o.ExclusiveTaxTotal, o.Total = money.FromMicros(totals[2]), money.FromMicros(totals[3])
	o.Flow = order.FlowStatus(flow)
	if method.Valid {
		o.PaymentMethodID = &method.Int64
	}
	if reason.Valid {
		o.ReasonID = &reason.Int64
	}
	o.OrderDate, o.ExpirationDate, o.CreationTime, o.UpdatedAt = FromMicros(od), FromMicros(ed), FromMicros(ct), FromMicros(ut)
	return o, nil
}

// OrdersScopeArgs is the number of arguments the order list's scope takes.
const OrdersScopeArgs = 2

// ListOrders lists the orders of buyers in the subtree at scopePath (list shape: no lines).
func (s *Store) ListOrders(ctx context.Context, scopePath string, q ListQuery) ([]*order.Order, Page, error) {
	// The page is planned as the panel's is (panel_orders.go): on millions of orders the
	// engine's own choice between a filter's index and the sort's can read millions of rows
	// for one page.
	everything := strings.Count(scopePath, "/") == 2 // the provider: the whole tree
	page := Page{Total: -1}
	p, err := s.planOrders(ctx, scopePath, everything, q)
	if err != nil {
		return nil, page, err
	}
	if !q.SkipCount || q.CountOnly {
		if page.Total, err = s.countOrders(ctx, p); err != nil {
			return nil, page, err
		}
		page.Counted = true
	}
	if q.CountOnly {
		return nil, page, nil
	}
	out, _, err := s.plannedOrders(ctx, p, q, 0)
	return out, page, err
}

// ListOrdersUnplanned is ListOrders with the engine's own plan, in one read transaction: the
// straightforward query the planned list is tested against (it is correct, and slow on
// millions of orders for some filters).
func (s *Store) ListOrdersUnplanned(ctx context.Context, scopePath string, q ListQuery) ([]*order.Order, Page, error) {
	scope, args := subtreeScope("o.buyer_path", scopePath)
	var out []*order.Order
	page, err := s.list(ctx, collection{columns: orderColumns, from: orderFrom, scope: scope, args: args}, q, func(r *sql.Rows) error {
		o, err := scanOrder(r)
		out = append(out, o)
		return err
	})
	return out, page, err
}

// Order reads an order by APS id with its lines, attributes, subscriptions and items.
func (s *Store) Order(ctx context.Context, apsID string) (*order.Order, error) {
	if !validText(apsID) {
		return nil, ErrNotFound
	}
	o, err := scanOrder(s.rdb.QueryRowContext(ctx, "SELECT "+orderColumns+" FROM "+orderFrom+" WHERE o.aps_id = $1", apsID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return o, s.loadOrderDetails(ctx, o)
}

func (s *Store) loadOrderDetails(ctx context.Context, o *order.Order) error {
	o.Lines, o.Attributes, o.Subscriptions, o.Items = []pricing.Line{}, []account.Attribute{}, []string{}, []order.Item{}
	err := s.each(ctx, `SELECT type, plan_aps_id, period_unit, period_duration, resource_aps_id, duration_unit,
		duration_value, description, quantity, lower_bound, unit_of_measure, unit_price, extended_price,
		discount_type, discount_value, discount_amount, tax_amount, exclusive_tax_amount
		FROM order_lines WHERE order_id = $1 ORDER BY position`, []any{o.ID}, func(r *sql.Rows) error {
		var l pricing.Line
		var typ, unit, durUnit, dType string
		var durValue, qty, lb, up, ep, dValue, dAmount, tax, xtax int64
		if err := r.Scan(&typ, &l.PlanID, &unit, &l.Period.Duration, &l.ResourceID, &durUnit, &durValue,
			&l.Description, &qty, &lb, &l.UnitOfMeasure, &up, &ep, &dType, &dValue, &dAmount, &tax, &xtax); err != nil {
			return err
		}
		l.Type, l.Period.Unit = pricing.LineType(typ), catalog.Unit(unit)
		if durUnit != "" {
			l.Duration = &pricing.Duration{Unit: catalog.Unit(durUnit), Duration: money.FromMicros(durValue)}
		}
		if dType != "" {
			l.Discount = &pricing.Discount{Type: catalog.DiscountType(dType), Value: money.FromMicros(dValue), Amount: money.FromMicros(dAmount)}
		}
		l.Quantity, l.LowerBound, l.UnitPrice, l.ExtendedPrice = money.FromMicros(qty), money.FromMicros(lb), money.FromMicros(up), money.FromMicros(ep)
		l.TaxAmount, l.ExclusiveTaxAmount = money.FromMicros(tax), money.FromMicros(xtax)
		o.Lines = append(o.Lines, l)
		return nil
	})
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	err = s.each(ctx, `SELECT attribute_id, value FROM order_attributes WHERE order_id = $1 ORDER BY attribute_id`,
		[]any{o.ID}, func(r *sql.Rows) error {
			var a account.Attribute
			err := r.Scan(&a.AttributeID, &a.Value)
			o.Attributes = append(o.Attributes, a)
			return err
		})
	if err != nil {
		return err
	}
	err = s.each(ctx, `SELECT sub.aps_id FROM order_subscriptions os JOIN subscriptions sub ON sub.id = os.subscription_id
		WHERE os.order_id = $1 ORDER BY sub.id`, []any{o.ID}, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		o.Subscriptions = append(o.Subscriptions, id)
		return err
	})
	if err != nil {
		return err
	}
	items, err := s.items(ctx, s.rdb, o.ID)
	o.Items = items
	return err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) items(ctx context.Context, q querier, orderID int64) ([]order.Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, position, action, plan_aps_id, subscription_aps_id, service_type,
		service_identifier, spec, status, message, gate_id, oss_subscription_id, attempts, updated_at
		FROM provisioning_items WHERE order_id = $1 ORDER BY position`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []order.Item{}
	for rows.Next() {
		var it order.Item
		var spec string
		var updated int64
		if err := rows.Scan(&it.ID, &it.Position, &it.Action, &it.PlanAPSID, &it.SubscriptionAPSID, &it.ServiceType,
			&it.ServiceIdentifier, &spec, &it.Status, &it.Message, &it.GateID, &it.OSSSubscriptionID, &it.Attempts,
			&updated); err != nil {
			return nil, err
		}
		it.Spec, it.UpdatedAt = json.RawMessage(spec), FromMicros(updated)
		out = append(out, it)
	}
	return out, rows.Err()
}

// OrderEvents is an order's history, oldest first.
func (s *Store) OrderEvents(ctx context.Context, orderID int64) ([]order.Event, error) {
	out := []order.Event{}
	err := s.each(ctx, `SELECT id, from_state, to_state, message, actor, created_at FROM order_events
		WHERE order_id = $1 ORDER BY id`, []any{orderID}, func(r *sql.Rows) error {
		var e order.Event
		var from, to string
		var at int64
		if err := r.Scan(&e.ID, &from, &to, &e.Message, &e.Actor, &at); err != nil {
			return err
		}
		e.From, e.To, e.At = order.FlowStatus(from), order.FlowStatus(to), FromMicros(at)
		out = append(out, e)
		return nil
	})
	return out, err
}

// ErrPushNotAllowed is returned by PushOrder when the transition is not in the flow graph.
var ErrPushNotAllowed = errors.New("push not allowed")

// PushOrder moves an order to flow status to, if the graph allows it from its current status
// (read under the transaction's lock, so concurrent pushes cannot both pass). It returns the
// status it found.
func PushOrder(ctx context.Context, tx *Tx, orderID int64, to order.FlowStatus, actor string) (order.FlowStatus, error) {
	var cur string
	if err := tx.QueryRowContext(ctx, `SELECT of_status FROM orders WHERE id = $1`+tx.forUpdate(), orderID).Scan(&cur); err != nil {
		return "", err
	}
	from := order.FlowStatus(cur)
	if !order.CanPush(from, to) {
		return from, ErrPushNotAllowed
	}
	if err := pushEffects(ctx, tx, orderID, from, to); err != nil {
		return from, err
	}
	return from, SetFlow(ctx, tx, orderID, from, to, "pushed to "+string(to), actor)
}

// pushEffects are what a push means besides the status: a retry of a declined payment charges
// anew (a new attempt, a new idempotency key); a manual payment marked received finishes the
// payment; a resubmit sends the failed items again.
func pushEffects(ctx context.Context, tx *Tx, orderID int64, from, to order.FlowStatus) error {
	var err error
	switch {
	case (from == order.PaymentDeclined || from == order.NoPaymentMethod) && to == order.Open:
		_, err = tx.ExecContext(ctx, `UPDATE orders SET payment_attempt = payment_attempt + 1, payment_status = $2,
			error_details = '' WHERE id = $1`, orderID, order.PaymentNotStarted)
	case from == order.WaitingPayment && to == order.Provisioning:
		_, err = tx.ExecContext(ctx, `UPDATE orders SET payment_status = $2, provisioning_status = $3 WHERE id = $1`,
			orderID, order.PaymentFinished, order.ProvisioningInProgress)
	case from == order.ProvisioningFailed && to == order.Provisioning:
		err = ResubmitFailedItems(ctx, tx, orderID)
	}
	return err
}

// ResubmitFailedItems sends an order's failed items to the OSS again (same item ids, so the
// same idempotency keys: an item the OSS already did comes back ALREADY_EXISTS).
func ResubmitFailedItems(ctx context.Context, tx *Tx, orderID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE provisioning_items SET status = $2, transient = FALSE, attempts = 0, updated_at = $3
		WHERE order_id = $1 AND status = $4`, orderID, order.ProvisioningNotStarted, Micros(tx.Now), order.ProvisioningFailedSt); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE orders SET provisioning_status = $2, error_details = '' WHERE id = $1`,
		orderID, order.ProvisioningInProgress)
	return err
}

// SetFlow records a flow-status change with its history event, keeping status consistent.
func SetFlow(ctx context.Context, tx *Tx, orderID int64, from, to order.FlowStatus, msg, actor string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET of_status = $2, status = $3, updated_at = $4 WHERE id = $1`,
		orderID, string(to), string(order.StatusOf(to)), Micros(tx.Now)); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, orderID, from, to, msg, actor); err != nil {
		return err
	}
	return notify(ctx, tx, orderID, from, to, msg)
}
