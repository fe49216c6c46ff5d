package worker

import (
	"cmp"
	"context"
	"fmt"
	"strconv"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Reconcile asks the OSS about every item that has been in progress or failed for longer than
// ReconcileAfter, and completes or fails it by the OSS's answer. An item the OSS never received
// (NOT_FOUND) after a transient failure is sent again. This is what makes seed 000 unreachable:
// an order cannot stay in PF when the OSS did the work.
//
// A pass looks at a bounded number of items and the next one goes on after them; an item the
// OSS cannot answer about is skipped, not a reason to stop.
func (p *Processor) Reconcile(ctx context.Context) (int, error) {
	batch := p.cfg.ReconcileBatch
	cutoff := store.Micros(p.store.Now().Add(-p.cfg.ReconcileAfter))
	items, err := p.store.StaleItems(ctx, cutoff, p.reconciled.Load(), batch)
	if err != nil {
		return 0, err
	}
	if len(items) < batch {
		p.reconciled.Store(0) // the end: the next pass starts over
	} else {
		p.reconciled.Store(items[len(items)-1].ItemID)
	}
	n := 0
	var failed error
	for _, s := range items {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		res, err := p.oss.Status(ctx, strconv.FormatInt(s.ItemID, 10))
		if err != nil {
			failed = cmp.Or(failed, fmt.Errorf("item %d: %w", s.ItemID, err))
			continue
		}
		switch {
		case res.Status == gateway.OSSCompleted:
			err = p.ItemResult(ctx, s.OrderID, s.ItemID, res)
		case res.Status == gateway.OSSFailed && s.Status == order.ProvisioningInProgress:
			err = p.ItemResult(ctx, s.OrderID, s.ItemID, res)
		case res.Status == gateway.OSSNotFound && (s.Transient || s.Status == order.ProvisioningInProgress):
			err = p.resend(ctx, s.OrderID, s.ItemID)
		default:
			continue
		}
		if err != nil {
			return n, err
		}
		if _, err := p.settle(ctx, s.OrderID, nil, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, failed
}

// resend puts an item the OSS does not know back in the queue, moving a failed order back to
// provisioning (its failure cleared, as a resubmit does).
func (p *Processor) resend(ctx context.Context, orderID, itemID int64) error {
	return p.tx(ctx, func(tx *store.Tx) error {
		o, _, err := store.LockOrder(ctx, tx, orderID)
		if err != nil {
			return err
		}
		for i := range o.Items {
			if o.Items[i].ID != itemID {
				continue
			}
			o.Items[i].Status, o.Items[i].Message = order.ProvisioningNotStarted, "resent: the OSS did not know the item"
			o.Items[i].Attempts = 0 // a new send, with its own retries
			if err := store.SetItem(ctx, tx, &o.Items[i], false, 0); err != nil {
				return err
			}
		}
		if o.Flow == order.ProvisioningFailed {
			o.ProvisioningStatus, o.ErrorDetails = order.ProvisioningInProgress, ""
			if err := store.MoveOrder(ctx, tx, o, o.Flow, order.Provisioning, "reconciliation resent an item", "reconciler"); err != nil {
				return err
			}
		}
		return store.Enqueue(ctx, tx, store.JobProcessOrder, o.ID, 0)
	})
}

// ItemEvent applies an event about an item from outside — the OSS's callback or an operator's
// manual "Creation Completed" (seed 000) — and settles the order: when it was the last item, the
// order completes, also from PF. The same event twice changes nothing. An event about an item
// not sent to the OSS yet (its order waits for payment, was declined, or is on hold before
// provisioning) is refused: it would create a subscription nobody paid for.
func (p *Processor) ItemEvent(ctx context.Context, orderID, itemID int64, res gateway.OSSResult) error {
	err := p.tx(ctx, func(tx *store.Tx) error {
		o, _, err := store.LockOrder(ctx, tx, orderID)
		if err != nil {
			return err
		}
		switch o.Flow {
		case order.Provisioning, order.ProvisioningFailed, order.Completed:
			return nil
		}
		for _, it := range o.Items {
			if it.ID == itemID && it.Status == order.ProvisioningNotStarted {
				return problem.Conflict("ItemNotSent", "provisioning item %d of order %s has not been sent to the OSS: the order is in %s",
					itemID, o.Number, o.Flow)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := p.ItemResult(ctx, orderID, itemID, res); err != nil {
		return err
	}
	_, err = p.settle(ctx, orderID, nil, nil)
	p.Wake()
	return err
}
