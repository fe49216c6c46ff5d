package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// The order list's fields and operators are exactly the seed's ("Get Filtered Orders"): in on
// the identifiers and statuses, like on orderNumber, endCustomerName and attribute ids, ge/le on
// internalId and the times — plus eq/ne/lt/gt where they make sense.
var (
	opsIn     = rql.OpsEquality
	opsInLike = rql.OpsEquality | rql.OpLike
	opsRange  = rql.OpsCompare
)

var orderSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"resellerId":         {Column: "s.aps_id", Type: rql.String, Ops: opsIn},
		"sellerId":           {Column: "s.aps_id", Type: rql.String, Ops: opsIn},
		"customerId":         {Column: "b.aps_id", Type: rql.String, Ops: opsIn},
		"buyerId":            {Column: "b.aps_id", Type: rql.String, Ops: opsIn},
		"endCustomerName":    {Column: "o.end_customer_name", Type: rql.String, Ops: opsInLike, Sortable: true},
		"endCustomerType":    {Column: "o.end_customer_type", Type: rql.String, Ops: opsIn},
		"internalId":         {Column: "o.id", Type: rql.Int, Ops: opsRange, Sortable: true},
		"orderId":            {Column: "o.aps_id", Type: rql.String, Ops: opsIn},
		"orderNumber":        {Column: "o.order_number", Type: rql.String, Ops: opsInLike, Sortable: true, Upper: true},
		"number":             {Column: "o.order_number", Type: rql.String, Ops: opsInLike, Sortable: true, Upper: true},
		"status":             {Column: "o.status", Type: rql.String, Ops: opsIn, Sortable: true},
		"ofStatus":           {Column: "o.of_status", Type: rql.String, Ops: opsIn, Sortable: true},
		"type":               {Column: "o.type", Type: rql.String, Ops: opsIn, Sortable: true},
		"provisioningStatus": {Column: "o.provisioning_status", Type: rql.String, Ops: opsIn},
		"paymentStatus":      {Column: "o.payment_status", Type: rql.String, Ops: opsIn},
		"subscriptionId": {Type: rql.String, Ops: opsIn, Column: "x.aps_id",
			Exists: "SELECT 1 FROM order_subscriptions os JOIN subscriptions x ON x.id = os.subscription_id WHERE os.order_id = o.id AND "},
		"creationTime":   {Column: "o.creation_time", Type: rql.Time, Ops: opsRange, Sortable: true},
		"creationDate":   {Column: "o.creation_time", Type: rql.Time, Ops: opsRange, Sortable: true},
		"orderDate":      {Column: "o.order_date", Type: rql.Time, Ops: opsRange, Sortable: true},
		"expirationDate": {Column: "o.expiration_date", Type: rql.Time, Ops: opsRange, Sortable: true},
		"total":          {Column: "o.total", Type: rql.Int, Ops: 0, Sortable: true},
	},
	// Any other name is an order attribute id (the seed: "ID of an order or account attribute").
	Dynamic: func(name string) (rql.Field, bool) {
		if !attributeID(name) {
			return rql.Field{}, false
		}
		return rql.Field{Type: rql.String, Ops: opsInLike, Column: "x.value", ExistsKey: name, Folded: "lower(x.value)",
			Exists: "SELECT 1 FROM order_attributes x WHERE x.order_id = o.id AND x.attribute_id = %s AND "}, true
	},
	Selects:     []string{"details", "subscriptions", "provisioningItems"},
	DefaultSort: "o.id DESC", Tiebreak: "o.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// attributeID accepts provider-defined attribute ids: upper-case letters, digits and
// underscores, as the seed's ORDER_ID1 (so a typo in a field name is not silently an attribute).
func attributeID(name string) bool {
	if name == "" || len(name) > 64 || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	lq, plan, err := s.listQuery(r, orderSchema, store.OrdersScopeArgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orders, page, err := s.store.ListOrders(r.Context(), principal(r).Account.Path, lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expand := map[string]bool{}
	for _, sel := range plan.Select {
		expand[sel] = true
	}
	out := make([]any, len(orders))
	for i, o := range orders {
		if len(expand) == 0 {
			out[i] = toOrderListJSON(o)
			continue
		}
		full, err := s.store.Order(r.Context(), o.APSID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out[i] = toOrderListJSONWith(full, expand)
	}
	writeList(w, lq, page, out)
}

// visibleOrder reads an order the caller may see; anything else is 404.
func (s *Server) visibleOrder(r *http.Request, apsID string) (*order.Order, error) {
	o, err := s.store.Order(r.Context(), apsID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !principal(r).Account.Contains(account.Account{Path: o.BuyerPath})) {
		return nil, problem.NotFound("order %q not found", apsID)
	}
	return o, err
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	o, err := s.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	buyer, err := s.store.AccountByID(r.Context(), o.BuyerID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j := toOrderDetailsJSON(o)
	j.EndCustomerAttributes = nonNil(buyer.Attributes)
	writeJSON(w, http.StatusOK, j)
}

type pushRequest struct {
	OfStatus order.FlowStatus `json:"ofStatus"`
}

// pushOrder moves an order along its flow (seed: "Pushing Order Processing"): 200 with no body,
// 409 naming the allowed targets when the transition is not allowed from the current status.
func (s *Server) pushOrder(w http.ResponseWriter, r *http.Request) {
	key, err := idempotencyKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, err := s.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req pushRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !req.OfStatus.Valid() {
		s.fail(w, r, problem.Invalid("InvalidOfStatus", "ofStatus %q is not an order flow status", req.OfStatus))
		return
	}
	var from order.FlowStatus
	push := func(tx *store.Tx) error {
		var err error
		from, err = store.PushOrder(r.Context(), tx, o.ID, req.OfStatus, "api:"+principal(r).Account.APSID)
		if err == nil && req.OfStatus != order.Cancelled && req.OfStatus != order.Hold {
			err = store.Enqueue(r.Context(), tx, store.JobProcessOrder, o.ID, 0)
		}
		return err
	}
	if key == "" {
		err = s.store.InTx(r.Context(), push)
	} else {
		// A retried push (its answer lost) replays the first 200 instead of a 409 from the new
		// status; the key covers this order and this body only.
		sum := sha256.Sum256(append([]byte("push "+o.APSID+"\n"), body...))
		_, _, err = s.store.Idempotent(r.Context(), principal(r).Account.ID, key, hex.EncodeToString(sum[:]),
			func(tx *store.Tx) (store.Reply, error) { return store.Reply{Status: http.StatusOK}, push(tx) })
		if errors.Is(err, store.ErrIdempotencyMismatch) {
			err = problem.Conflict("IdempotencyKeyReused", "this Idempotency-Key was used with a different request body")
		}
	}
	if errors.Is(err, store.ErrPushNotAllowed) {
		s.fail(w, r, problem.Conflict("PushNotAllowed", "order %s is in status %s; it can be pushed to %v",
			o.Number, from, order.PushTargets(from)))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.wake()
	w.WriteHeader(http.StatusOK)
}

// decodeJSON reads a bounded JSON body into v.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return problem.New(http.StatusRequestEntityTooLarge, "RequestTooLarge", "the request body exceeds %d bytes", MaxBodyBytes)
		}
		return problem.Invalid("InvalidJSON", "the request body is not valid JSON: %v", err)
	}
	return nil
}

type orderListJSON struct {
	OrderID            string              `json:"orderId"`
	InternalID         int64               `json:"internalId"`
	OrderNumber        string              `json:"orderNumber"`
	Type               string              `json:"type"`
	Total              money.Decimal       `json:"total"`
	TaxTotal           money.Decimal       `json:"taxTotal"`
	ExclusiveTaxTotal  money.Decimal       `json:"exclusiveTaxTotal"`
	SubTotal           money.Decimal       `json:"subTotal"`
	Status             order.Status        `json:"status"`
	PaymentStatus      string              `json:"paymentStatus"`
	ProvisioningStatus string              `json:"provisioningStatus"`
	OfStatus           order.FlowStatus    `json:"ofStatus"`
	SellerID           string              `json:"sellerId"`
	BuyerID            string              `json:"buyerId"`
	OrderDate          timestamp           `json:"orderDate"`
	ExpirationDate     timestamp           `json:"expirationDate"`
	CreationTime       timestamp           `json:"creationTime"`
	OrderAttributes    []account.Attribute `json:"orderAttributes"`
	AccountAttributes  []account.Attribute `json:"accountAttributes"`
	EndCustomerName    string              `json:"endCustomerName"`
	EndCustomerType    string              `json:"endCustomerType"`
	Details            []pricing.Line      `json:"details,omitempty"`
	BSSSubscriptions   []string            `json:"bssSubscriptions,omitempty"`
	ProvisioningItems  []itemJSON          `json:"provisioningItems,omitempty"`
}

func toOrderListJSON(o *order.Order) orderListJSON {
	return orderListJSON{OrderID: o.APSID, InternalID: o.ID, OrderNumber: o.Number, Type: o.Type,
		Total: o.Total, TaxTotal: o.TaxTotal, ExclusiveTaxTotal: o.ExclusiveTaxTotal, SubTotal: o.SubTotal,
		Status: o.Status(), PaymentStatus: o.PaymentStatus, ProvisioningStatus: o.ProvisioningStatus,
		OfStatus: o.Flow, SellerID: o.SellerAPSID, BuyerID: o.BuyerAPSID, OrderDate: timestamp(o.OrderDate),
		ExpirationDate: timestamp(o.ExpirationDate), CreationTime: timestamp(o.CreationTime), OrderAttributes: []account.Attribute{},
		AccountAttributes: []account.Attribute{}, EndCustomerName: o.EndCustomerName, EndCustomerType: o.EndCustomerType}
}

// toOrderListJSONWith adds what select() asked for to the list shape.
func toOrderListJSONWith(o *order.Order, expand map[string]bool) orderListJSON {
	j := toOrderListJSON(o)
	if expand["details"] {
		j.Details = o.Lines
	}
	if expand["subscriptions"] {
		j.BSSSubscriptions = o.Subscriptions
	}
	if expand["provisioningItems"] {
		j.ProvisioningItems = toItemsJSON(o.Items)
	}
	return j
}

type itemJSON struct {
	ID                int64  `json:"id"`
	Action            string `json:"action"`
	PlanID            string `json:"planId"`
	SubscriptionID    string `json:"subscriptionId"`
	Status            string `json:"status"`
	Message           string `json:"message"`
	OSSSubscriptionID string `json:"ossSubscriptionId,omitempty"`
	Attempts          int    `json:"attempts"`
}

func toItemsJSON(items []order.Item) []itemJSON {
	out := make([]itemJSON, len(items))
	for i, it := range items {
		out[i] = itemJSON{ID: it.ID, Action: it.Action, PlanID: it.PlanAPSID, SubscriptionID: it.SubscriptionAPSID,
			Status: it.Status, Message: it.Message, OSSSubscriptionID: it.OSSSubscriptionID, Attempts: it.Attempts}
	}
	return out
}

// detailLineJSON is an order line in the details shape: amounts as {value, code}.
type detailLineJSON struct {
	Type               pricing.LineType  `json:"type"`
	PlanID             string            `json:"planId"`
	Period             any               `json:"period"`
	ResourceID         string            `json:"resourceId,omitempty"`
	Duration           *pricing.Duration `json:"duration,omitempty"`
	Description        string            `json:"description"`
	Quantity           money.Decimal     `json:"quantity"`
	LowerBound         money.Decimal     `json:"lowerBound"`
	UnitOfMeasure      string            `json:"unitOfMeasure"`
	UnitPrice          money.Amount      `json:"unitPrice"`
	ExtendedPrice      money.Amount      `json:"extendedPrice"`
	Discount           *pricing.Discount `json:"discount,omitempty"`
	TaxAmount          money.Amount      `json:"taxAmount"`
	ExclusiveTaxAmount money.Amount      `json:"exclusiveTaxAmount"`
}

type orderDetailsJSON struct {
	OrderID               string              `json:"orderId"`
	InternalID            int64               `json:"internalId"`
	OrderNumber           string              `json:"orderNumber"`
	Type                  string              `json:"type"`
	Total                 money.Amount        `json:"total"`
	TaxTotal              money.Amount        `json:"taxTotal"`
	ExclusiveTaxTotal     money.Amount        `json:"exclusiveTaxTotal"`
	SubTotal              money.Amount        `json:"subTotal"`
	Status                order.Status        `json:"status"`
	Subscriptions         []string            `json:"subscriptions"`
	BSSSubscriptions      []string            `json:"bssSubscriptions"`
	PaymentStatus         string              `json:"paymentStatus"`
	ProvisioningStatus    string              `json:"provisioningStatus"`
	OfStatus              order.FlowStatus    `json:"ofStatus"`
	PossiblePushToStatus  []order.FlowStatus  `json:"possiblePushToStatus"`
	SellerID              string              `json:"sellerId"`
	BuyerID               string              `json:"buyerId"`
	OrderDate             date                `json:"orderDate"`
	ExpirationDate        date                `json:"expirationDate"`
	CreationTime          timestamp           `json:"creationTime"`
	OrderAttributes       []account.Attribute `json:"orderAttributes"`
	EndCustomerAttributes []account.Attribute `json:"endCustomerAttributes"`
	Details               []detailLineJSON    `json:"details"`
	EndCustomerName       string              `json:"endCustomerName"`
	EndCustomerType       string              `json:"endCustomerType"`
	PaymentMethodID       *int64              `json:"paymentMethodId,omitempty"`
	PromoCode             string              `json:"promoCode,omitempty"`
	PromoResult           string              `json:"promoResult,omitempty"`
	SubscriptionID        string              `json:"subscriptionId,omitempty"`
	RefundType            string              `json:"refundType,omitempty"`
	ReasonID              *int64              `json:"reasonId,omitempty"`
	Comment               string              `json:"comment,omitempty"`
	ProvisioningItems     []itemJSON          `json:"provisioningItems"`
	ErrorDetails          *errorDetailsJSON   `json:"errorDetails,omitempty"`
	Draft                 bool                `json:"draft,omitempty"`
}

type errorDetailsJSON struct {
	Message string `json:"message"`
}

func toOrderDetailsJSON(o *order.Order) orderDetailsJSON {
	amt := func(v money.Decimal) money.Amount { return money.NewAmount(v, o.Currency) }
	j := orderDetailsJSON{OrderID: o.APSID, InternalID: o.ID, OrderNumber: o.Number, Type: o.Type,
		Total: amt(o.Total), TaxTotal: amt(o.TaxTotal), ExclusiveTaxTotal: amt(o.ExclusiveTaxTotal), SubTotal: amt(o.SubTotal),
		Status: o.Status(), Subscriptions: []string{}, BSSSubscriptions: nonNil(o.Subscriptions),
		PaymentStatus: o.PaymentStatus, ProvisioningStatus: o.ProvisioningStatus, OfStatus: o.Flow,
		PossiblePushToStatus: order.PushTargets(o.Flow), SellerID: o.SellerAPSID, BuyerID: o.BuyerAPSID,
		OrderDate: date(o.OrderDate), ExpirationDate: date(o.ExpirationDate), CreationTime: timestamp(o.CreationTime),
		OrderAttributes: nonNil(o.Attributes), EndCustomerAttributes: []account.Attribute{},
		Details: make([]detailLineJSON, len(o.Lines)), EndCustomerName: o.EndCustomerName,
		EndCustomerType: o.EndCustomerType, PaymentMethodID: o.PaymentMethodID, PromoCode: o.PromoCode,
		PromoResult: o.PromoResult, SubscriptionID: o.SubscriptionAPSID, RefundType: o.RefundType,
		ReasonID: o.ReasonID, Comment: o.Comment, ProvisioningItems: toItemsJSON(o.Items), Draft: o.Draft}
	for _, it := range o.Items {
		if it.OSSSubscriptionID != "" {
			j.Subscriptions = append(j.Subscriptions, it.OSSSubscriptionID)
		}
	}
	for i, l := range o.Lines {
		j.Details[i] = detailLineJSON{Type: l.Type, PlanID: l.PlanID, Period: l.Period, ResourceID: l.ResourceID,
			Duration: l.Duration, Description: l.Description, Quantity: l.Quantity, LowerBound: l.LowerBound,
			UnitOfMeasure: l.UnitOfMeasure, UnitPrice: amt(l.UnitPrice), ExtendedPrice: amt(l.ExtendedPrice),
			Discount: l.Discount, TaxAmount: amt(l.TaxAmount), ExclusiveTaxAmount: amt(l.ExclusiveTaxAmount)}
	}
	if o.ErrorDetails != "" {
		j.ErrorDetails = &errorDetailsJSON{Message: o.ErrorDetails}
	}
	return j
}
