package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

// ProcessOrder moves an order along its flow as far as it can go now: NW → OP → payment → PR →
// provisioning → CP, or into a waiting or problem state.
//
// Every step that precedes an external call commits before the call, so a crash at any instant
// resumes from the last committed step; external calls carry idempotency keys, so resuming never
// charges or provisions twice. Steps with no external call between them share one transaction.
// An order paid through the gateway with one provisioning item takes three transactions of its
// own (pieces of group commit on SQLite), besides its placement, its share of a claim and the
// gateways' own books:
//
//  1. NW → OP with the payment attempt (PENDING, its idempotency key) and the credit it uses;
//     then the gateway's charge;
//  2. the charge's result with the invoice and payment documents, OP → PR; then the OSS call;
//  3. the item's result with its subscription, PR → CP, and the end of the job.
//
// With more items, each item but the last has its own transaction after its OSS call, and the
// last one's settles the order. Any other first step of the payment phase (paid from credit,
// nothing to pay, no method, a manual method, a credit memo) also opens the order with it.
func (p *Processor) ProcessOrder(ctx context.Context, orderID int64, jobAttempt int) error {
	return p.processOrder(ctx, orderID, &run{attempt: jobAttempt})
}

// run is one processing of an order: for a job, or on its own (jobID 0).
type run struct {
	jobID    int64
	attempt  int  // the job's attempt number
	finished bool // the job was removed by the step that left the order at rest (end)
}

// end removes the run's job in tx, the transaction of the step that leaves the order at rest in
// CP or PF, where processOrder stops: the job would be finished right after, in a transaction of
// its own. The job and the step commit together, so a crash before that commit leaves both to be
// resumed, and one after it leaves nothing to do.
func (r *run) end(ctx context.Context, tx *store.Tx) error {
	if r == nil || r.jobID == 0 {
		return nil
	}
	r.finished = true
	return store.EndJob(ctx, tx, r.jobID)
}

// processOrder is ProcessOrder for the run r.
func (p *Processor) processOrder(ctx context.Context, orderID int64, r *run) error {
	var o *order.Order
	for step := 0; step < 8; step++ {
		// A read decides what to do; each step re-checks the status under the order's lock. After
		// the first, a read of what a step changes (store.RereadOrder) does.
		var attempt int
		var err error
		if o == nil {
			o, attempt, err = p.store.ReadOrder(ctx, orderID)
		} else {
			o, attempt, err = p.store.RereadOrder(ctx, o)
		}
		if err != nil {
			return err
		}
		switch o.Flow {
		case order.New:
			if o.Type == string(order.CodeCancellation) {
				return nil // a refund waits in NW until pushed to OP (seed 002)
			}
			err = p.pay(ctx, o, attempt, r.attempt) // its first step opens the order
		case order.Open:
			err = p.pay(ctx, o, attempt, r.attempt)
		case order.Provisioning:
			var done bool
			if err = p.recordSettled(ctx, o); err != nil {
				return err
			}
			if done, err = p.provision(ctx, o, r); err == nil && (!done || r.finished) {
				return nil // at rest, or items in progress at the OSS: events or reconciliation finish them
			}
		default:
			return nil // waiting (WP), problem (NP, PD, PF, HL) or final (CP, CL)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// moveFlow changes the flow status (with its history) and the phase statuses in tx.
func (p *Processor) moveFlow(ctx context.Context, tx *store.Tx, o *order.Order, to order.FlowStatus, msg string, phase func()) error {
	from := o.Flow
	if phase != nil {
		phase()
	}
	o.Flow = to
	return store.MoveOrder(ctx, tx, o, from, to, msg, "processor")
}

// inFlow runs fn on the order read locked in a transaction, if it is still in the flow status
// want (another worker or a push may have moved it meanwhile; see lockIn).
func (p *Processor) inFlow(ctx context.Context, read *order.Order, want order.FlowStatus, fn func(tx *store.Tx, o *order.Order) error) error {
	return p.tx(ctx, func(tx *store.Tx) error {
		o, ok, err := p.lockIn(ctx, tx, read, want)
		if err != nil || !ok {
			return err
		}
		return fn(tx, o)
	})
}

// lockIn locks the order read in tx and reports whether it is in the flow status want. Asked for
// OP, it opens an order still in NW first (not a refund: that waits in NW for a push), so the
// order opens in the transaction of the payment phase's first step.
func (p *Processor) lockIn(ctx context.Context, tx *store.Tx, read *order.Order, want order.FlowStatus) (*order.Order, bool, error) {
	o, err := lock(ctx, tx, read.ID, read)
	if err != nil {
		return nil, false, err
	}
	if want == order.Open && o.Flow == order.New && o.Type != string(order.CodeCancellation) {
		if err := p.moveFlow(ctx, tx, o, order.Open, "order opened", nil); err != nil {
			return nil, false, err
		}
	}
	return o, o.Flow == want, nil
}

// lock locks an order in tx for a step. The processor read it from the read pool to decide on
// the step (read), so only what may have changed since is read again inside the transaction
// (store.RelockOrder): on SQLite that transaction runs on the single writer, which every step
// of every order waits for. Without read (an event, reconciliation) the whole order is read.
func lock(ctx context.Context, tx *store.Tx, orderID int64, read *order.Order) (*order.Order, error) {
	if read != nil {
		o, _, err := store.RelockOrder(ctx, tx, read)
		return o, err
	}
	o, _, err := store.LockOrder(ctx, tx, orderID)
	return o, err
}

// pay runs the payment phase of an order in OP.
func (p *Processor) pay(ctx context.Context, o *order.Order, attempt, jobAttempt int) error {
	if o.Total.Sign() < 0 {
		return p.giveBack(ctx, o, attempt, jobAttempt) // the vendor owes the buyer (ledger.go)
	}
	method, err := p.method(ctx, o)
	if err != nil {
		return err
	}
	if o.Total.Sign() > 0 && (method == nil || method.Type == account.Manual) {
		if paid, err := p.payFromCredit(ctx, o, attempt); err != nil || paid {
			return err
		}
	}
	next := func(to order.FlowStatus, msg string, phase func()) error {
		return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
			cur.PaymentMethodID = o.PaymentMethodID
			return p.moveFlow(ctx, tx, cur, to, msg, func() {
				cur.ProvisioningStatus = o.ProvisioningStatus
				phase()
				cur.PaymentStatus = o.PaymentStatus // phase sets o's: NOT_REQUIRED must reach the row
				if to == order.Provisioning {
					cur.ProvisioningStatus = order.ProvisioningInProgress
				}
			})
		})
	}
	switch {
	case o.Total.Sign() <= 0:
		return next(order.Provisioning, "nothing to pay", func() { o.PaymentStatus = order.PaymentNotRequired })
	case method == nil:
		return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
			return p.moveFlow(ctx, tx, cur, order.NoPaymentMethod, "no payment method", func() {
				cur.PaymentStatus = order.PaymentNoMethod
				cur.ErrorDetails = "The account has no payment method marked Auto Payments and the order names none; add one and push the order to OP."
			})
		})
	case method.Type == account.Manual:
		return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
			return p.moveFlow(ctx, tx, cur, order.WaitingPayment, "waiting for a manual payment ("+method.Name+")", func() {
				cur.PaymentStatus, cur.PaymentMethodID = order.PaymentWaiting, &method.ID
			})
		})
	}
	return p.charge(ctx, o, method, attempt, jobAttempt)
}

// method is the order's payment method: the one placed with it, else the buyer's default now
// (a method may have been added since an NP order was pushed back to OP).
func (p *Processor) method(ctx context.Context, o *order.Order) (*account.PaymentMethod, error) {
	if o.PaymentMethodID != nil {
		m, err := p.store.PaymentMethod(ctx, *o.PaymentMethodID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return &m, err
	}
	buyer, err := p.store.AccountByID(ctx, o.BuyerID)
	if err != nil {
		return nil, err
	}
	methods, err := p.store.PaymentMethods(ctx, buyer)
	if err != nil {
		return nil, err
	}
	for _, m := range methods {
		if m.Default && m.Status == "ACTIVE" {
			o.PaymentMethodID = &m.ID
			return &m, nil
		}
	}
	return nil, nil
}

// charge takes the money through the gateway with the attempt's idempotency key. The payment
// row is committed PENDING before the call (with the order's opening, when it was new), so
// after a crash the retry reuses the same key.
func (p *Processor) charge(ctx context.Context, o *order.Order, m *account.PaymentMethod, attempt, jobAttempt int) error {
	var pay store.Payment
	charging := false
	if err := p.tx(ctx, func(tx *store.Tx) error {
		charging = false // group commit may run a piece again
		cur, ok, err := p.lockIn(ctx, tx, o, order.Open)
		if err != nil || !ok {
			return err // moved meanwhile (a push): the next read sees where
		}
		if pay, err = store.PaymentAttempt(ctx, tx, cur, attempt, m.ID); err != nil {
			return err
		}
		pay, err = store.ReserveCredit(ctx, tx, cur, pay) // the buyer's credit first (ledger.go)
		charging = err == nil
		return err
	}); err != nil || !charging {
		return err
	}
	res := gateway.ChargeResult{Status: pay.Status, TransactionID: pay.TransactionID, Message: pay.Message}
	if pay.Status == "PENDING" && pay.Amount.Sign() == 0 {
		res = gateway.ChargeResult{Status: gateway.ChargeApproved, Message: "paid from the account's credit"}
	} else if pay.Status == "PENDING" {
		var err error
		res, err = p.payment.Charge(ctx, gateway.Charge{IdempotencyKey: pay.IdempotencyKey, OrderID: o.APSID,
			OrderNumber: o.Number, AccountID: o.BuyerAPSID, MethodID: m.ID, MethodNumber: m.Number,
			PaymentSystemID: m.PaymentSystemID, Amount: pay.Amount, Currency: pay.Currency})
		if err != nil {
			if jobAttempt < p.cfg.PaymentAttempts {
				return errRetry{fmt.Errorf("charge %s: %w", pay.IdempotencyKey, err)}
			}
			return p.parkUnknown(ctx, o, m, pay, fmt.Sprintf("payment gateway unreachable after %d attempts: %v", jobAttempt, err))
		}
	}
	return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
		if err := store.SetPaymentResult(ctx, tx, pay.ID, res.Status, res.TransactionID, res.Message); err != nil {
			return err
		}
		cur.PaymentMethodID = &m.ID
		if res.Status == gateway.ChargeApproved {
			if err := p.moveFlow(ctx, tx, cur, order.Provisioning, "paid: "+res.TransactionID, func() {
				cur.PaymentStatus, cur.ProvisioningStatus, cur.ErrorDetails = order.PaymentFinished, order.ProvisioningInProgress, ""
			}); err != nil {
				return err
			}
			// The invoice and payment documents commit with the approval, written last: on
			// PostgreSQL their numbers' counters stay locked until the commit (store.insertDocumentRows).
			return store.RecordPaidOrder(ctx, tx, cur, pay, res.TransactionID)
		}
		if err := store.ReleaseCredit(ctx, tx, pay.ID); err != nil {
			return err
		}
		return p.moveFlow(ctx, tx, cur, order.PaymentDeclined, "payment declined: "+res.Message, func() {
			cur.PaymentStatus, cur.ErrorDetails = order.PaymentDeclinedSt, res.Message
		})
	})
}

// parkUnknown parks in PD an order whose charge has an unknown outcome: the gateway never
// answered. The payment stays PENDING, because the gateway may have taken the money: the next
// attempt (a push to OP) asks it again under the same key instead of charging anew.
func (p *Processor) parkUnknown(ctx context.Context, o *order.Order, m *account.PaymentMethod, pay store.Payment, msg string) error {
	return p.inFlow(ctx, o, order.Open, func(tx *store.Tx, cur *order.Order) error {
		if err := store.SetPaymentResult(ctx, tx, pay.ID, pay.Status, "", msg); err != nil {
			return err
		}
		cur.PaymentMethodID = &m.ID
		return p.moveFlow(ctx, tx, cur, order.PaymentDeclined, "payment declined: "+msg, func() {
			cur.PaymentStatus, cur.ErrorDetails = order.PaymentDeclinedSt, msg
		})
	})
}

// provision sends the order's pending items to the OSS and settles the order, ending r's job
// when that leaves the order at rest. done is false when items are still in progress at the OSS.
func (p *Processor) provision(ctx context.Context, o *order.Order, r *run) (done bool, err error) {
	var retry error
	for i := range o.Items {
		it := o.Items[i]
		if it.Status != order.ProvisioningNotStarted {
			continue
		}
		res, err := p.oss.Provision(ctx, ossItem(o, &it))
		if err != nil {
			if it.Attempts+1 < p.cfg.ItemAttempts {
				retry = errRetry{fmt.Errorf("provision item %d: %w", it.ID, err)}
				if err := p.recordItem(ctx, o, it.ID, func(cur *order.Item) (bool, int) {
					cur.Message = "OSS unreachable, retrying: " + err.Error()
					return false, 1
				}); err != nil {
					return false, err
				}
				continue
			}
			res = gateway.OSSResult{Status: gateway.OSSFailed, Message: fmt.Sprintf("OSS unreachable after %d attempts: %v", it.Attempts+1, err)}
			if err := p.recordItem(ctx, o, it.ID, func(cur *order.Item) (bool, int) {
				cur.Status, cur.Message = order.ProvisioningFailedSt, res.Message
				return true, 1
			}); err != nil {
				return false, err
			}
			continue
		}
		if retry == nil && lastPending(o.Items, i) {
			// The last item's result and the order's settlement commit together.
			return p.itemResult(ctx, o.ID, o, it.ID, res, r)
		}
		if _, err := p.itemResult(ctx, o.ID, o, it.ID, res, nil); err != nil {
			return false, err
		}
	}
	if retry != nil {
		return false, retry
	}
	return p.settle(ctx, o.ID, o, r)
}

// lastPending reports whether no item after items[i] is still to be sent to the OSS.
func lastPending(items []order.Item, i int) bool {
	for _, it := range items[i+1:] {
		if it.Status == order.ProvisioningNotStarted {
			return false
		}
	}
	return true
}

func ossItem(o *order.Order, it *order.Item) gateway.Item {
	var spec struct {
		Period     json.RawMessage `json:"period"`
		Resources  json.RawMessage `json:"resources"`
		Parameters json.RawMessage `json:"parameters"`
	}
	_ = json.Unmarshal(it.Spec, &spec)
	return gateway.Item{ItemID: strconv.FormatInt(it.ID, 10), OrderID: o.APSID, OrderNumber: o.Number, Action: it.Action,
		SubscriptionID: it.SubscriptionAPSID, AccountID: o.BuyerAPSID, PlanID: it.PlanAPSID, Period: spec.Period,
		Resources: spec.Resources, Parameters: spec.Parameters}
}

// recordItem updates one item of the order read under the order's lock. fn returns whether the
// failure is transient and how many attempts to add.
func (p *Processor) recordItem(ctx context.Context, read *order.Order, itemID int64, fn func(*order.Item) (bool, int)) error {
	return p.tx(ctx, func(tx *store.Tx) error {
		o, err := lock(ctx, tx, read.ID, read)
		if err != nil {
			return err
		}
		for i := range o.Items {
			if o.Items[i].ID == itemID {
				transient, n := fn(&o.Items[i])
				return store.SetItem(ctx, tx, &o.Items[i], transient, n)
			}
		}
		return store.ErrNotFound
	})
}

// ItemResult applies what the OSS said about an item: done (COMPLETED or ALREADY_EXISTS — the
// same item id already done is success), in progress, or failed. Completing an item applies its
// effect on the subscription in the same transaction. Idempotent: a completed item stays so.
func (p *Processor) ItemResult(ctx context.Context, orderID, itemID int64, res gateway.OSSResult) error {
	_, err := p.itemResult(ctx, orderID, nil, itemID, res, nil)
	return err
}

// itemResult is ItemResult on the order as read before (read may be nil: see lock), settling
// the order in the same transaction when settle is set (done as settle reports it; the
// settlement may end settle's job).
func (p *Processor) itemResult(ctx context.Context, orderID int64, read *order.Order, itemID int64, res gateway.OSSResult, settle *run) (done bool, err error) {
	var plan store.ItemPlan
	if read != nil && (res.Status == gateway.OSSCompleted || res.Status == gateway.OSSAlreadyExists) {
		for _, it := range read.Items {
			if it.ID == itemID {
				plan, _ = p.store.ItemPlan(ctx, it.PlanAPSID) // not found: read, and reported, in the transaction
			}
		}
	}
	err = p.tx(ctx, func(tx *store.Tx) error {
		if settle != nil {
			settle.finished = false // group commit may run a piece again
		}
		o, err := lock(ctx, tx, orderID, read)
		if err != nil {
			return err
		}
		var it *order.Item
		for i := range o.Items {
			if o.Items[i].ID == itemID {
				it = &o.Items[i]
			}
		}
		if it == nil {
			return store.ErrNotFound
		}
		if it.Status != order.ProvisioningCompleted {
			switch res.Status {
			case gateway.OSSCompleted, gateway.OSSAlreadyExists:
				it.Status, it.Message = order.ProvisioningCompleted, res.Message
				if res.OSSSubscriptionID != "" {
					it.OSSSubscriptionID = res.OSSSubscriptionID
				}
				if err := store.ApplyItem(ctx, tx, o, it, plan); err != nil {
					return err
				}
			case gateway.OSSInProgress:
				it.Status, it.Message = order.ProvisioningInProgress, res.Message
			default:
				it.Status, it.Message = order.ProvisioningFailedSt, res.Message
			}
			if err := store.SetItem(ctx, tx, it, false, 1); err != nil {
				return err
			}
		}
		if settle != nil {
			done, err = p.settleLocked(ctx, tx, o, settle)
		}
		return err
	})
	return done, err
}

// settle derives the order's state from its items: all completed → CP; some failed and none
// pending → PF with the first failure's message; else still provisioning. Moving the order to
// CP or PF ends r's job (r may be nil). read is the order as read before, if it was (see lock).
func (p *Processor) settle(ctx context.Context, orderID int64, read *order.Order, r *run) (done bool, err error) {
	err = p.tx(ctx, func(tx *store.Tx) error {
		if r != nil {
			r.finished = false // group commit may run a piece again
		}
		o, err := lock(ctx, tx, orderID, read)
		if err != nil {
			return err
		}
		done, err = p.settleLocked(ctx, tx, o, r)
		return err
	})
	return done, err
}

// settleLocked is settle on the order o, locked in tx.
func (p *Processor) settleLocked(ctx context.Context, tx *store.Tx, o *order.Order, r *run) (done bool, err error) {
	if o.Flow != order.Provisioning && o.Flow != order.ProvisioningFailed {
		return true, nil
	}
	var completed, pending int
	failure := ""
	for _, it := range o.Items {
		switch it.Status {
		case order.ProvisioningCompleted:
			completed++
		case order.ProvisioningFailedSt:
			if failure == "" {
				failure = it.Message
			}
		default:
			pending++
		}
	}
	switch {
	case completed == len(o.Items):
		if err := r.end(ctx, tx); err != nil {
			return true, err
		}
		return true, p.moveFlow(ctx, tx, o, order.Completed, "all items provisioned", func() {
			o.ProvisioningStatus, o.ErrorDetails = order.ProvisioningCompleted, ""
		})
	case failure != "" && pending == 0 && o.Flow != order.ProvisioningFailed:
		if err := r.end(ctx, tx); err != nil {
			return true, err
		}
		return true, p.moveFlow(ctx, tx, o, order.ProvisioningFailed, "provisioning failed: "+failure, func() {
			o.ProvisioningStatus, o.ErrorDetails = order.ProvisioningFailedSt, failure
		})
	}
	return pending == 0, nil
}
