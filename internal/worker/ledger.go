package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

// The money side of the payment phase beyond charging: orders paid from the buyer's credit,
// orders that owe the buyer (credit memos and refunds), and invoices of manual payments. Every
// document is written in the transaction that moves the order on (internal/store/ledger.go).

// errNotCovered rolls back an attempt to pay an order from credit that turned out too small.
var errNotCovered = errors.New("credit does not cover the order")

// payFromCredit pays an order wholly from its buyer's credit when that is enough, so an order
// with no payment method, or a manual one, does not wait for a payment it does not need. It
// reports false, having changed nothing, when the credit does not cover the total.
func (p *Processor) payFromCredit(ctx context.Context, o *order.Order, attempt int) (bool, error) {
	avail, err := p.store.AvailableCredit(ctx, o.BuyerID, o.Currency)
	if err != nil || avail.Cmp(o.Total) < 0 {
		return false, err
	}
	paid := false
	err = p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
		pay, err := store.PaymentAttempt(ctx, tx, cur, attempt, 0)
		if err != nil {
			return err
		}
		if pay, err = store.ReserveCredit(ctx, tx, cur, pay); err != nil {
			return err
		}
		if pay.Status != "PENDING" || pay.Amount.Sign() != 0 {
			return errNotCovered
		}
		if err := store.SetPaymentResult(ctx, tx, pay.ID, gateway.ChargeApproved, "", "paid from the account's credit"); err != nil {
			return err
		}
		if err := p.moveFlow(ctx, tx, cur, order.Provisioning, "paid from the account's credit", func() {
			cur.PaymentStatus, cur.ProvisioningStatus, cur.ErrorDetails = order.PaymentFinished, order.ProvisioningInProgress, ""
		}); err != nil {
			return err
		}
		paid = true
		return store.RecordPaidOrder(ctx, tx, cur, pay, "") // last: its numbers' counters stay locked until the commit
	})
	if errors.Is(err, errNotCovered) {
		return false, nil
	}
	return paid, err
}

// giveBack settles an order whose total is negative — the vendor owes the buyer: a CL order
// with refundType REFUND is paid back through the gateway; any other (a CL with CREDIT_MEMO or
// no refundType, a downgrading CHANGE) gets a credit memo on the buyer's balance, which pays
// its next orders first.
func (p *Processor) giveBack(ctx context.Context, o *order.Order, attempt, jobAttempt int) error {
	if o.Type == string(order.CodeCancellation) && o.RefundType == string(order.RefundDirect) {
		return p.refund(ctx, o, attempt, jobAttempt)
	}
	return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
		memo, err := store.IssueCreditMemo(ctx, tx, cur)
		if err != nil {
			return err
		}
		return p.moveFlow(ctx, tx, cur, order.Provisioning, "credit memo "+memo.Number+" issued", func() {
			cur.PaymentStatus, cur.ProvisioningStatus, cur.ErrorDetails = order.PaymentRefunded, order.ProvisioningInProgress, ""
		})
	})
}

// refund pays what an order owes back through the payment gateway, once: the refund row is
// committed PENDING with its idempotency key (<order>/refund/<attempt>) before the call, so a
// retry after a crash asks again with the same key. Approved, the order gets its credit memo
// and the refund that pays it out, in one transaction; declined, it waits in PD for a push.
func (p *Processor) refund(ctx context.Context, o *order.Order, attempt, jobAttempt int) error {
	m, err := p.method(ctx, o)
	if err != nil {
		return err
	}
	if m == nil || m.Type == account.Manual {
		return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
			return p.moveFlow(ctx, tx, cur, order.NoPaymentMethod, "no payment method to refund to", func() {
				cur.PaymentStatus = order.PaymentNoMethod
				cur.ErrorDetails = "refundType REFUND needs a payment method the gateway can refund (the order's, or the account's Auto Payments method); add one and push the order to OP."
			})
		})
	}
	var rf store.Refund
	var chargeTx string
	if err := p.tx(ctx, func(tx *store.Tx) (err error) {
		if rf, err = store.RefundAttempt(ctx, tx, o, attempt, m.ID); err != nil {
			return err
		}
		chargeTx, err = store.LastChargeTransaction(ctx, tx, o.SubscriptionID)
		return err
	}); err != nil {
		return err
	}
	res := gateway.RefundResult{Status: rf.Status, TransactionID: rf.TransactionID, Message: rf.Message}
	if rf.Status == "PENDING" {
		res, err = p.payment.Refund(ctx, gateway.Refund{IdempotencyKey: rf.IdempotencyKey, OrderID: o.APSID,
			OrderNumber: o.Number, AccountID: o.BuyerAPSID, MethodID: m.ID, MethodNumber: m.Number,
			PaymentSystemID: m.PaymentSystemID, ChargeTransactionID: chargeTx, Amount: rf.Amount, Currency: rf.Currency})
		if err != nil {
			if jobAttempt < p.cfg.PaymentAttempts {
				return errRetry{fmt.Errorf("refund %s: %w", rf.IdempotencyKey, err)}
			}
			res = gateway.RefundResult{Status: gateway.ChargeDeclined,
				Message: fmt.Sprintf("payment gateway unreachable after %d attempts: %v", jobAttempt, err)}
		}
	}
	return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
		if err := store.SetRefundResult(ctx, tx, rf.ID, res.Status, res.TransactionID, res.Message); err != nil {
			return err
		}
		cur.PaymentMethodID = &m.ID
		if res.Status != gateway.ChargeApproved {
			return p.moveFlow(ctx, tx, cur, order.PaymentDeclined, "refund declined: "+res.Message, func() {
				cur.PaymentStatus, cur.ErrorDetails = order.PaymentDeclinedSt, res.Message
			})
		}
		memo, err := store.IssueCreditMemo(ctx, tx, cur)
		if err != nil {
			return err
		}
		rf.TransactionID = res.TransactionID
		if err := store.RecordRefund(ctx, tx, cur, memo, rf); err != nil {
			return err
		}
		return p.moveFlow(ctx, tx, cur, order.Provisioning, "refunded: "+res.TransactionID, func() {
			cur.PaymentStatus, cur.ProvisioningStatus, cur.ErrorDetails = order.PaymentRefunded, order.ProvisioningInProgress, ""
		})
	})
}

// recordSettled makes sure a paid order in provisioning has its invoice (a manual payment
// marked received by a push from WP has none yet). Orders charged through the gateway got
// theirs with the approval: for them this is one read.
func (p *Processor) recordSettled(ctx context.Context, o *order.Order) error {
	if o.PaymentStatus != order.PaymentFinished || o.Total.Sign() <= 0 {
		return nil
	}
	if done, err := p.store.Invoiced(ctx, o.ID); err != nil || done {
		return err
	}
	return p.tx(ctx, func(tx *store.Tx) error {
		cur, _, err := store.LockOrder(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		return store.RecordSettledOrder(ctx, tx, cur)
	})
}
