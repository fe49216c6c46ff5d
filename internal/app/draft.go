package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Completed is the answer to completing a draft (seed 001 "Complete Order": Status true).
type Completed struct {
	Status  bool   `json:"Status"`
	OrderID string `json:"orderId"`
}

// errDraftNotValid is seed 001's refusal of an account presale that is already completed.
func errDraftNotValid() error {
	return problem.Unprocessable(order.ErrDraftNotValid, "Account presale is not valid for order")
}

// CreateDraft records a draft order: the request is checked for shape and for the caller's
// right to order for its account or subscription; every other check waits for completion.
func (s *Service) CreateDraft(ctx context.Context, caller account.Principal, req *order.Request) (Placed, error) {
	o, err := s.draftOrder(ctx, caller, req)
	if err != nil {
		return Placed{}, err
	}
	o.APSID = store.NewAPSID()
	err = s.store.InTx(ctx, func(tx *store.Tx) error { return store.InsertDraft(ctx, tx, o) })
	return Placed{OrderID: o.APSID}, err
}

// UpdateDraft replaces the request of the draft d; a 409 when d is not a draft.
func (s *Service) UpdateDraft(ctx context.Context, caller account.Principal, d *order.Order, req *order.Request) error {
	o, err := s.draftOrder(ctx, caller, req)
	if err != nil {
		return err
	}
	o.ID = d.ID
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := store.LockDraft(ctx, tx, d.ID); err != nil {
			return err
		}
		return store.UpdateDraft(ctx, tx, o)
	})
	if errors.Is(err, store.ErrNotDraft) {
		return problem.Conflict("NotADraft", "order %s is not a draft: only a draft can be updated", d.APSID)
	}
	return err
}

// CompleteDraft runs every check of placeOrder on the draft d's request, prices it and turns
// the draft into a placed order with its items and processing job, in one transaction. A
// failing check leaves the draft as it was; an order that is not a draft is seed 001's
// "Account presale is not valid for order".
func (s *Service) CompleteDraft(ctx context.Context, caller account.Principal, d *order.Order) (Completed, error) {
	if !d.Draft {
		return Completed{}, errDraftNotValid()
	}
	body, err := s.store.DraftRequest(ctx, d.ID)
	if errors.Is(err, store.ErrNotDraft) {
		return Completed{}, errDraftNotValid()
	}
	if err != nil {
		return Completed{}, err
	}
	req, err := order.Decode(bytes.NewReader(body))
	if err != nil {
		return Completed{}, err
	}
	o, c, err := s.prepareOrder(ctx, caller, req)
	if err != nil {
		return Completed{}, err
	}
	o.ID, o.APSID = d.ID, d.APSID
	err = s.store.InBatchTx(ctx, func(tx *store.Tx) error {
		locked, err := store.LockDraft(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		// Another update between the read and the lock would complete a request nobody
		// checked: refuse it as a conflict rather than place it unchecked.
		if !bytes.Equal(locked, body) {
			return problem.Conflict("DraftChanged", "draft %s changed while it was being completed; complete it again", d.APSID)
		}
		if err := s.checkInTx(ctx, tx, c, req, o); err != nil {
			return err
		}
		return store.CompleteDraft(ctx, tx, o, d.Number)
	})
	if errors.Is(err, store.ErrNotDraft) {
		return Completed{}, errDraftNotValid()
	}
	if err != nil {
		return Completed{}, err
	}
	return Completed{Status: true, OrderID: d.APSID}, nil
}

// draftOrder validates a draft's request for shape and visibility and makes the draft row: the
// buyer, its seller and the request, nothing priced.
func (s *Service) draftOrder(ctx context.Context, caller account.Principal, req *order.Request) (*order.Order, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, caller, req)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	o := &order.Order{Type: string(order.CodeFor(req.Type, money.Zero)),
		BuyerID: c.buyer.ID, BuyerAPSID: c.buyer.APSID, BuyerPath: c.buyer.Path,
		SellerID: c.seller().ID, SellerAPSID: c.seller().APSID, Currency: c.buyer.Currency,
		Flow: order.New, PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted,
		EndCustomerName: c.buyer.EndCustomerName(), EndCustomerType: string(c.buyer.Type), Request: body, Draft: true}
	if c.sub != nil {
		o.SubscriptionID, o.SubscriptionAPSID = c.sub.ID, c.sub.APSID
	}
	return o, nil
}
