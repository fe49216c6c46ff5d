package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openbss/openbss/internal/order"
)

// A draft (seed 001's "account presale") is an orders row with draft = TRUE: its request, buyer,
// seller and a number, but no lines, items, history or job until it is completed. Having no
// items, it reserves no service identifier; PendingOrder ignores it.

// ErrNotDraft is returned when a draft operation meets an order that is not (or no longer) a
// draft.
var ErrNotDraft = errors.New("not a draft")

// InsertDraft records a draft order: the row alone, with zero totals.
func InsertDraft(ctx context.Context, tx *Tx, o *order.Order) error {
	o.Draft = true
	o.Lines, o.Items, o.Attributes = nil, nil, nil
	var err error
	if o.ID, err = nextID(ctx, tx, "orders"); err != nil {
		return err
	}
	seq, err := nextID(ctx, tx, "order_number_"+o.Type)
	if err != nil {
		return err
	}
	o.Number = order.NumberOf(o.Type, seq)
	o.CreationTime, o.UpdatedAt = tx.Now, tx.Now
	o.OrderDate, o.ExpirationDate = tx.Now, tx.Now.Add(order.Expiry)
	var sub any
	if o.SubscriptionID != 0 {
		sub = o.SubscriptionID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id,
		currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status, provisioning_status,
		of_status, subscription_id, end_customer_name, end_customer_type, request, draft, order_date, expiration_date,
		creation_time, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,0,0,0,0,$9,$10,$11,$12,$13,$14,$15,$16,TRUE,$17,$18,$19,$19)`,
		o.ID, o.APSID, o.Number, o.Type, o.BuyerID, o.BuyerPath, o.SellerID, o.Currency,
		string(o.Status()), o.PaymentStatus, o.ProvisioningStatus, string(o.Flow), sub,
		o.EndCustomerName, o.EndCustomerType, string(o.Request), Micros(o.OrderDate), Micros(o.ExpirationDate),
		Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("insert draft: %w", err)
	}
	return nil
}

// LockDraft takes the order's row lock for the rest of tx and returns its stored request;
// ErrNotDraft when the order is not a draft.
func LockDraft(ctx context.Context, tx *Tx, id int64) ([]byte, error) {
	var draft bool
	var req string
	err := tx.QueryRowContext(ctx, `SELECT draft, request FROM orders WHERE id = $1`+tx.forUpdate(), id).Scan(&draft, &req)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if !draft {
		return nil, ErrNotDraft
	}
	return []byte(req), nil
}

// DraftRequest reads a draft's stored request; ErrNotDraft when the order is not a draft.
func (s *Store) DraftRequest(ctx context.Context, id int64) ([]byte, error) {
	var draft bool
	var req string
	err := s.rdb.QueryRowContext(ctx, `SELECT draft, request FROM orders WHERE id = $1`, id).Scan(&draft, &req)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if !draft {
		return nil, ErrNotDraft
	}
	return []byte(req), nil
}

// UpdateDraft replaces a locked draft's request and the buyer-derived columns it implies.
func UpdateDraft(ctx context.Context, tx *Tx, o *order.Order) error {
	var sub any
	if o.SubscriptionID != 0 {
		sub = o.SubscriptionID
	}
	_, err := tx.ExecContext(ctx, `UPDATE orders SET buyer_id = $2, buyer_path = $3, seller_id = $4, currency = $5,
		subscription_id = $6, end_customer_name = $7, end_customer_type = $8, request = $9, updated_at = $10
		WHERE id = $1 AND draft = TRUE`,
		o.ID, o.BuyerID, o.BuyerPath, o.SellerID, o.Currency, sub, o.EndCustomerName, o.EndCustomerType,
		string(o.Request), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("update draft %d: %w", o.ID, err)
	}
	return nil
}

// CompleteDraft turns a locked draft (o.ID) into a placed order, as InsertOrder records one: the
// checked, priced order's columns, lines, attributes, items, first history event and processing
// job. Its number changes only when pricing changed its type (a cancellation's CL/CF).
func CompleteDraft(ctx context.Context, tx *Tx, o *order.Order, number string) error {
	o.Draft = false
	o.Number = number
	if o.Type != number[:2] {
		seq, err := nextID(ctx, tx, "order_number_"+o.Type)
		if err != nil {
			return err
		}
		o.Number = order.NumberOf(o.Type, seq)
	}
	o.UpdatedAt = tx.Now
	o.OrderDate, o.ExpirationDate = tx.Now, tx.Now.Add(order.Expiry)
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
	_, err := tx.ExecContext(ctx, `UPDATE orders SET order_number = $2, type = $3, buyer_id = $4, buyer_path = $5,
		seller_id = $6, currency = $7, sub_total = $8, tax_total = $9, exclusive_tax_total = $10, total = $11,
		status = $12, payment_status = $13, provisioning_status = $14, of_status = $15, payment_method_id = $16,
		promo_code = $17, promo_result = $18, subscription_id = $19, refund_type = $20, reason_id = $21, comment = $22,
		end_customer_name = $23, end_customer_type = $24, request = $25, error_details = $26, draft = FALSE,
		order_date = $27, expiration_date = $28, updated_at = $29
		WHERE id = $1 AND draft = TRUE`,
		o.ID, o.Number, o.Type, o.BuyerID, o.BuyerPath, o.SellerID, o.Currency,
		o.SubTotal.MustMicros(), o.TaxTotal.MustMicros(), o.ExclusiveTaxTotal.MustMicros(), o.Total.MustMicros(),
		string(o.Status()), o.PaymentStatus, o.ProvisioningStatus, string(o.Flow), method, o.PromoCode,
		o.PromoResult, sub, o.RefundType, reason, o.Comment, o.EndCustomerName, o.EndCustomerType,
		string(o.Request), o.ErrorDetails, Micros(o.OrderDate), Micros(o.ExpirationDate), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("complete draft %d: %w", o.ID, err)
	}
	return writeOrderParts(ctx, tx, o, "draft completed")
}
