package gateway

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/money"
)

// DemoPayment is the demo payment gateway (payment system "Demo.Redirect"). It approves charges,
// except amounts at or above DeclineOver (when set) and cards whose number ends in "0002" (the
// way test cards decline). It keeps its ledger in its own table of
// the openbss database — the stand-in for the real gateway's books — so a charge retried with
// the same key after a crash finds the first one and money moves once.
type DemoPayment struct {
	DB          Books
	Latency     time.Duration
	DeclineOver *money.Decimal
	Now         func() time.Time
}

// Charge implements PaymentGateway.
func (g *DemoPayment) Charge(ctx context.Context, c Charge) (ChargeResult, error) {
	if g.Latency > 0 {
		select {
		case <-time.After(g.Latency):
		case <-ctx.Done():
			return ChargeResult{}, fmt.Errorf("%w: %v", ErrTransient, ctx.Err())
		}
	}
	var prev ChargeResult
	err := g.DB.QueryRowContext(ctx, `SELECT status, transaction_id, message FROM demo_gateway_charges
		WHERE idempotency_key = $1`, c.IdempotencyKey).Scan(&prev.Status, &prev.TransactionID, &prev.Message)
	if err == nil {
		return prev, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return ChargeResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	res := ChargeResult{Status: ChargeApproved, TransactionID: "demo-" + c.IdempotencyKey}
	if g.DeclineOver != nil && c.Amount.Cmp(*g.DeclineOver) >= 0 {
		res = ChargeResult{Status: ChargeDeclined, Message: fmt.Sprintf("Declined by the demo gateway: amount %s %s over the limit", c.Amount, c.Currency)}
	}
	if strings.HasSuffix(c.MethodNumber, "0002") {
		res = ChargeResult{Status: ChargeDeclined, Message: "Declined by the demo gateway: card declined"}
	}
	micros, err := c.Amount.Micros()
	if err != nil {
		return ChargeResult{}, err
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	_, err = g.DB.ExecContext(ctx, `INSERT INTO demo_gateway_charges (idempotency_key, order_id, amount, currency,
		status, transaction_id, message, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`,
		c.IdempotencyKey, c.OrderID, micros, c.Currency, res.Status, res.TransactionID, res.Message, now().UnixMicro())
	if err != nil {
		return ChargeResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	// A concurrent duplicate may have won the insert: answer what is recorded.
	err = g.DB.QueryRowContext(ctx, `SELECT status, transaction_id, message FROM demo_gateway_charges
		WHERE idempotency_key = $1`, c.IdempotencyKey).Scan(&prev.Status, &prev.TransactionID, &prev.Message)
	if err != nil {
		return ChargeResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	return prev, nil
}

// Refund implements PaymentGateway. It approves every refund, except to cards whose number ends
// in "0002" (declined cards decline refunds too), and keeps its books in demo_gateway_refunds:
// a refund retried with the same key answers the first result and pays back once.
func (g *DemoPayment) Refund(ctx context.Context, r Refund) (RefundResult, error) {
	if g.Latency > 0 {
		select {
		case <-time.After(g.Latency):
		case <-ctx.Done():
			return RefundResult{}, fmt.Errorf("%w: %v", ErrTransient, ctx.Err())
		}
	}
	res := RefundResult{Status: ChargeApproved, TransactionID: "demo-" + r.IdempotencyKey}
	if strings.HasSuffix(r.MethodNumber, "0002") {
		res = RefundResult{Status: ChargeDeclined, Message: "Declined by the demo gateway: card declined"}
	}
	micros, err := r.Amount.Micros()
	if err != nil {
		return RefundResult{}, err
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	if _, err = g.DB.ExecContext(ctx, `INSERT INTO demo_gateway_refunds (idempotency_key, order_id, amount, currency,
		status, transaction_id, message, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`,
		r.IdempotencyKey, r.OrderID, micros, r.Currency, res.Status, res.TransactionID, res.Message, now().UnixMicro()); err != nil {
		return RefundResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	// The first insert with this key wins: answer what is recorded.
	var prev RefundResult
	if err := g.DB.QueryRowContext(ctx, `SELECT status, transaction_id, message FROM demo_gateway_refunds
		WHERE idempotency_key = $1`, r.IdempotencyKey).Scan(&prev.Status, &prev.TransactionID, &prev.Message); err != nil {
		return RefundResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	return prev, nil
}
