package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

// Placed is placeOrder's answer.
type Placed struct {
	OrderID string `json:"orderId"`
}

// PlaceOrder runs every check, prices the order and records it with its provisioning items and
// its processing job in one transaction. With an idempotency key, the same key and request hash
// answer the first order again; another hash is a 409.
func (s *Service) PlaceOrder(ctx context.Context, caller account.Principal, req *order.Request, key, hash string) (Placed, error) {
	var placed Placed
	if key != "" {
		reply, found, err := s.store.IdempotentReply(ctx, caller.Account.ID, key, hash)
		if err != nil {
			return placed, idemError(err)
		}
		if found {
			return placed, json.Unmarshal(reply.Body, &placed)
		}
	}
	o, c, err := s.prepareOrder(ctx, caller, req)
	if err != nil {
		return placed, err
	}
	insert := func(tx *store.Tx) error {
		if err := s.checkInTx(ctx, tx, c, req, o); err != nil {
			return err
		}
		return store.InsertOrder(ctx, tx, o)
	}
	if key == "" {
		err = s.store.InBatchTx(ctx, insert)
		return Placed{OrderID: o.APSID}, err
	}
	reply, _, err := s.store.Idempotent(ctx, caller.Account.ID, key, hash, func(tx *store.Tx) (store.Reply, error) {
		if err := insert(tx); err != nil {
			return store.Reply{}, err
		}
		body, _ := json.Marshal(Placed{OrderID: o.APSID})
		return store.Reply{Status: http.StatusOK, Body: body}, nil
	})
	if err != nil {
		return placed, idemError(err)
	}
	return placed, json.Unmarshal(reply.Body, &placed)
}

func idemError(err error) error {
	if errors.Is(err, store.ErrIdempotencyMismatch) {
		return problem.Conflict("IdempotencyKeyReused", "this Idempotency-Key was used with a different request body")
	}
	return err
}

// prepareOrder runs the checks that need no lock and prices the order.
func (s *Service) prepareOrder(ctx context.Context, caller account.Principal, req *order.Request) (*order.Order, *orderContext, error) {
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	c, err := s.load(ctx, caller, req)
	if err != nil {
		return nil, nil, err
	}
	if err := order.CheckAccount(c.buyer, true); err != nil {
		return nil, nil, err
	}
	if seller := c.seller(); seller.ID != c.buyer.ID {
		if err := order.CheckAccount(seller, false); err != nil {
			return nil, nil, err
		}
	}
	if err := c.checkPlansSellable(ctx, s, req); err != nil {
		return nil, nil, err
	}
	if err := s.checkProducts(ctx, c, req); err != nil {
		return nil, nil, err
	}
	method, err := s.paymentMethod(ctx, c.buyer, req)
	if err != nil {
		return nil, nil, err
	}
	if req.ReasonID != nil {
		ok, err := s.store.ReasonCodeExists(ctx, int64(*req.ReasonID))
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, problem.Unprocessable(order.ErrReasonNotFound, "reasonId %d is not a configured reason code", *req.ReasonID)
		}
	}
	price, err := pricing.Estimate(req.PricingInput(false), c.snap)
	if err != nil {
		return nil, nil, err
	}
	if err := storable(req, price); err != nil {
		return nil, nil, err
	}
	o, err := s.buildOrder(c, req, price, method)
	return o, c, err
}

// storable refuses an order whose amounts or prices do not fit the fixed-point columns they
// are stored in (about ±9.2 trillion at 6 decimals): a client's huge amount is a 422, not a
// failed (or panicking) insert now or when the subscription is provisioned.
func storable(req *order.Request, price pricing.Result) error {
	vals := append(make([]money.Decimal, 0, 4+8*len(price.Details)), price.Total, price.SubTotal, price.TaxTotal, price.ExclusiveTaxTotal)
	for _, l := range price.Details {
		vals = append(vals, l.Quantity, l.LowerBound, l.UnitPrice, l.ExtendedPrice, l.TaxAmount, l.ExclusiveTaxAmount)
		if l.Discount != nil {
			vals = append(vals, l.Discount.Value, l.Discount.Amount)
		}
		if l.Duration != nil {
			vals = append(vals, l.Duration.Duration)
		}
	}
	amounts := func(as []pricing.Amount) {
		for _, a := range as {
			vals = append(vals, a.Amount)
		}
	}
	amounts(req.Resources)
	var walk func([]order.Product)
	walk = func(ps []order.Product) {
		for _, p := range ps {
			amounts(p.Resources)
			walk(p.ChildProducts)
		}
	}
	walk(req.Products)
	for _, v := range vals {
		if _, err := v.Micros(); err != nil {
			return problem.Unprocessable("AmountOutOfRange", "the order holds an amount or price out of range: %s (at most 9223372036854.775807)", v)
		}
	}
	return nil
}

// checkProducts runs the per-plan checks of a sales order: activation parameters, terms and
// conditions, credit check.
func (s *Service) checkProducts(ctx context.Context, c *orderContext, req *order.Request) error {
	var credit, record string
	for _, p := range c.plans {
		if p.RequiresCreditCheck {
			var err error
			if credit, record, err = s.store.CreditCheck(ctx, c.buyer.ID); err != nil {
				return err
			}
			break
		}
	}
	var walk func(prefix string, ps []order.Product) error
	walk = func(prefix string, ps []order.Product) error {
		for i, p := range ps {
			ref := fmt.Sprintf("%s[%d]", prefix, i)
			plan := c.plan(p.PlanID)
			if err := order.CheckActivationParameters(ref, plan, p.Params()); err != nil {
				return err
			}
			if err := order.CheckTerms(plan, req.AcceptedTerms); err != nil {
				return err
			}
			if err := order.CheckCredit(plan, credit, record); err != nil {
				return err
			}
			if plan.UniqueIdentifier && order.ServiceIdentifier(p.Params()) == "" {
				return problem.Unprocessable(order.ErrMissingServiceIdentifier,
					"%s (plan '%s') needs a service identifier: activation parameter '%s'", ref, plan.Name, order.ServiceIdentifierParam)
			}
			if err := walk(ref+".childProducts", p.ChildProducts); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("products", req.Products); err != nil {
		return err
	}
	// A switch to another plan accepts that plan's terms and passes its credit check, as a
	// sale of it would.
	if req.Type == order.Change && req.PlanID != "" && c.sub != nil && req.PlanID != c.sub.PlanAPSID {
		if plan := c.plan(req.PlanID); plan != nil {
			if err := order.CheckTerms(plan, req.AcceptedTerms); err != nil {
				return err
			}
			return order.CheckCredit(plan, credit, record)
		}
	}
	return nil
}

// paymentMethod picks the order's method: the requested one (it must be the buyer's and active)
// or the buyer's default; nil when there is none (the order is placed without payment).
func (s *Service) paymentMethod(ctx context.Context, buyer account.Account, req *order.Request) (*account.PaymentMethod, error) {
	methods, err := s.store.PaymentMethods(ctx, buyer)
	if err != nil {
		return nil, err
	}
	if req.PaymentMethodID != nil {
		for _, m := range methods {
			if m.ID == int64(*req.PaymentMethodID) {
				if m.Status != "ACTIVE" {
					return nil, problem.Unprocessable(order.ErrPaymentMethodInactive, "payment method %d is not active", m.ID)
				}
				return &m, nil
			}
		}
		return nil, problem.Unprocessable(order.ErrPaymentMethodNotFound, "payment method %d is not a method of account %s", *req.PaymentMethodID, buyer.APSID)
	}
	for _, m := range methods {
		if m.Default && m.Status == "ACTIVE" {
			return &m, nil
		}
	}
	return nil, nil
}

// checkInTx runs the checks that must see committed state under the transaction's locks: the
// subscription's standing and pending orders, and service identifier uniqueness.
func (s *Service) checkInTx(ctx context.Context, tx *store.Tx, c *orderContext, req *order.Request, o *order.Order) error {
	if c.sub != nil {
		status, err := store.LockSubscription(ctx, tx, c.sub.ID)
		if err != nil {
			return err
		}
		if status == subscription.StatusTerminated {
			return problem.Unprocessable(order.ErrSubscriptionTerminated, "subscription %s is terminated", c.sub.APSID)
		}
		types := []string{o.Type}
		if req.Type == order.Cancellation {
			types = []string{string(order.CodeCancellation), string(order.CodeCancellationFee)}
		}
		number, err := store.PendingOrder(ctx, tx, c.sub.ID, types...)
		if err != nil {
			return err
		}
		if number != "" {
			return order.SameTypePending(number)
		}
	}
	type ident struct{ serviceType, identifier string }
	inOrder := map[ident]bool{}
	for _, it := range o.Items {
		if it.ServiceIdentifier == "" {
			continue
		}
		k := ident{it.ServiceType, it.ServiceIdentifier}
		if inOrder[k] {
			return order.ErrIdentifierTaken(it.ServiceIdentifier, it.ServiceType)
		}
		inOrder[k] = true
		taken, err := store.ServiceIdentifierTaken(ctx, tx, it.ServiceType, it.ServiceIdentifier)
		if err != nil {
			return err
		}
		if taken {
			return order.ErrIdentifierTaken(it.ServiceIdentifier, it.ServiceType)
		}
	}
	return nil
}

// itemSpec is what a provisioning item tells the OSS.
type itemSpec struct {
	AccountID  string            `json:"accountId"`
	PlanID     string            `json:"planId"`
	Period     *catalog.Period   `json:"period,omitempty"`
	Resources  []pricing.Amount  `json:"resources,omitempty"`
	Parameters []json.RawMessage `json:"parameters,omitempty"`
	RefundType string            `json:"refundType,omitempty"`
}

// buildOrder turns a checked, priced request into the order to record.
func (s *Service) buildOrder(c *orderContext, req *order.Request, price pricing.Result, method *account.PaymentMethod) (*order.Order, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	o := &order.Order{APSID: store.NewAPSID(), Type: string(order.CodeFor(req.Type, price.Total)),
		BuyerID: c.buyer.ID, BuyerAPSID: c.buyer.APSID, BuyerPath: c.buyer.Path,
		SellerID: c.seller().ID, SellerAPSID: c.seller().APSID, Currency: price.Currency,
		SubTotal: price.SubTotal, TaxTotal: price.TaxTotal, ExclusiveTaxTotal: price.ExclusiveTaxTotal, Total: price.Total,
		Flow: order.New, PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted,
		PromoCode: req.PromoCode, PromoResult: string(price.PromoResult), Attributes: req.Attributes,
		EndCustomerName: c.buyer.EndCustomerName(), EndCustomerType: string(c.buyer.Type), Request: body,
		Lines: price.Details}
	if o.Currency == "" {
		o.Currency = c.buyer.Currency
	}
	if method != nil {
		o.PaymentMethodID = &method.ID
	}
	if c.sub != nil {
		o.SubscriptionID, o.SubscriptionAPSID = c.sub.ID, c.sub.APSID
	}
	if req.Type == order.Cancellation {
		o.RefundType = string(req.RefundType)
		if req.ReasonID != nil {
			id := int64(*req.ReasonID)
			o.ReasonID = &id
		}
		o.Comment = order.CommentDefault(req.Comment, req.ReasonID != nil)
	} else {
		o.Comment = req.Comment
	}
	o.Items, err = s.buildItems(c, req)
	return o, err
}

// buildItems makes one provisioning item per subscription action: a CREATE per ordered plan
// (upsells included, each its own subscription, its APS id reserved now), else one item for
// the subscription acted on.
func (s *Service) buildItems(c *orderContext, req *order.Request) ([]order.Item, error) {
	spec := func(v itemSpec) json.RawMessage {
		b, _ := json.Marshal(v)
		return b
	}
	if req.Type != order.Sales {
		action := map[order.Type]string{order.Renewal: order.ActionRenew, order.Change: order.ActionChange,
			order.Cancellation: order.ActionCancel}[req.Type]
		plan := c.sub.PlanAPSID
		if req.PlanID != "" {
			plan = req.PlanID
		}
		return []order.Item{{Action: action, PlanAPSID: plan, SubscriptionAPSID: c.sub.APSID,
			Spec: spec(itemSpec{AccountID: c.buyer.APSID, PlanID: plan, Period: req.Period, Resources: req.Resources,
				RefundType: string(req.RefundType)})}}, nil
	}
	var items []order.Item
	var walk func([]order.Product)
	walk = func(ps []order.Product) {
		for _, p := range ps {
			plan := c.plan(p.PlanID)
			per := p.Period
			it := order.Item{Action: order.ActionCreate, PlanAPSID: p.PlanID, SubscriptionAPSID: store.NewAPSID(),
				Spec: spec(itemSpec{AccountID: c.buyer.APSID, PlanID: p.PlanID, Period: &per, Resources: p.Resources,
					Parameters: p.Parameters})}
			if plan.UniqueIdentifier {
				it.ServiceType, it.ServiceIdentifier = plan.ServiceType, order.ServiceIdentifier(p.Params())
			}
			items = append(items, it)
			walk(p.ChildProducts)
		}
	}
	walk(req.Products)
	return items, nil
}
