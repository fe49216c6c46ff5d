package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
)

// Type is the kind of order a placeOrder or estimate request asks for.
type Type string

// Request types (placeOrder's "type").
const (
	Sales        Type = "SALES"
	Renewal      Type = "RENEWAL"
	Change       Type = "CHANGE"
	Cancellation Type = "CANCELLATION"
)

// Valid reports a known request type.
func (t Type) Valid() bool { return t == Sales || t == Renewal || t == Change || t == Cancellation }

// RefundType is how a cancellation gives back unused time.
type RefundType string

// Refund types (seed: "Cancellation Orders").
const (
	RefundCreditMemo RefundType = "CREDIT_MEMO" // a credit memo the subscriber pays other services with
	RefundDirect     RefundType = "REFUND"      // money back through the payment method
)

// Request is the body of placeOrder (POST /orders) and of estimateOrder and estimateCosts, as
// the seed shows it. Unknown fields are accepted (integrators send extra ones); fields of the
// wrong JSON type are not.
type Request struct {
	Type            Type                    `json:"type"`
	AccountID       string                  `json:"accountId,omitempty"`
	SubscriptionID  string                  `json:"subscriptionId,omitempty"`
	PlanID          string                  `json:"planId,omitempty"`
	Period          *catalog.Period         `json:"period,omitempty"`
	PaymentMethodID *NumericID              `json:"paymentMethodId,omitempty"`
	PromoCode       string                  `json:"promoCode,omitempty"`
	Products        []Product               `json:"products,omitempty"`
	Resources       []pricing.Amount        `json:"resources,omitempty"` // CHANGE: new total amounts
	Attributes      []account.Attribute     `json:"attributes,omitempty"`
	AcceptedTerms   []string                `json:"acceptedTerms,omitempty"`
	RefundType      RefundType              `json:"refundType,omitempty"`
	ReasonID        *NumericID              `json:"reasonId,omitempty"`
	Comment         string                  `json:"comment,omitempty"`
	SpecialPricing  *pricing.SpecialPricing `json:"specialPricing,omitempty"`
}

// Product is a plan ordered in a sales order.
type Product struct {
	PlanID    string           `json:"planId"`
	Period    catalog.Period   `json:"period"`
	Resources []pricing.Amount `json:"resources,omitempty"`
	// Parameters are activation parameters: JSON objects with an "aps" type section, kept raw
	// for the OSS.
	Parameters    []json.RawMessage `json:"parameters,omitempty"`
	ChildProducts []Product         `json:"childProducts,omitempty"` // upsell plans
}

// Params decodes the activation parameters for CheckActivationParameters. Validate has checked
// that each is a JSON object.
func (p Product) Params() []Parameter {
	out := make([]Parameter, 0, len(p.Parameters))
	for _, raw := range p.Parameters {
		var m Parameter
		if json.Unmarshal(raw, &m) == nil && m != nil {
			out = append(out, m)
		}
	}
	return out
}

// NumericID is an integer id the API receives as a JSON number or a string ("3"), as the seed
// sends paymentMethodId.
type NumericID int64

// UnmarshalJSON accepts 3 and "3".
func (n *NumericID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		text = strings.TrimSpace(text)
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[NumericID]()}
	}
	*n = NumericID(v)
	return nil
}

// Error types of malformed bodies (400).
const (
	ErrEmptyBody        = "EmptyBody"
	ErrMalformedJSON    = "MalformedJSON"
	ErrInvalidFieldType = "InvalidFieldType"
)

// Decode reads a request body. Syntax errors, trailing data and fields of the wrong JSON type
// are 400 *problem.Error naming the field; unknown fields are ignored.
func Decode(r io.Reader) (*Request, error) {
	dec := json.NewDecoder(r)
	var req Request
	if err := dec.Decode(&req); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, problem.Invalid(ErrMalformedJSON, "the body holds more than one JSON value")
	}
	return &req, nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return problem.Invalid(ErrEmptyBody, "the request body is empty: send the order as a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem.Invalid(ErrMalformedJSON, "the request body is not valid JSON: it ends too early")
	case errors.As(err, &syn):
		return problem.Invalid(ErrMalformedJSON, "the request body is not valid JSON at byte %d: %s",
			syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return problem.Invalid(ErrInvalidFieldType, "the request body must be a JSON object, not %s", typ.Value)
		}
		return problem.Invalid(ErrInvalidFieldType, "%s: expected %s, got %s", typ.Field, typeName(typ.Type), describe(typ.Value))
	}
	return problem.Invalid(ErrMalformedJSON, "the request body cannot be read: %v", err)
}

// typeName says in JSON words what a field takes.
func typeName(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[money.Decimal]():
		return "a decimal number (JSON number or string, at most 19 significant digits)"
	case reflect.TypeFor[NumericID]():
		return "an integer id (JSON number or string)"
	case nil:
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return typeName(t.Elem())
	}
	return t.String()
}

// describe is the offending JSON value as the decoder reports it ("string", "number 1.5") or
// as a custom decoder quoted it.
func describe(v string) string {
	switch {
	case v == "":
		return "another type"
	case strings.HasPrefix(v, "number"), strings.HasPrefix(v, "string"), strings.HasPrefix(v, "bool"),
		strings.HasPrefix(v, "array"), strings.HasPrefix(v, "object"):
		return v
	}
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return v
}

// PricingInput is what pricing needs from the request; excludeTaxes is ?includeTaxes=false.
func (r *Request) PricingInput(excludeTaxes bool) pricing.Input {
	return pricing.Input{
		Type:           pricing.OrderType(r.Type),
		AccountID:      r.AccountID,
		SubscriptionID: r.SubscriptionID,
		PlanID:         r.PlanID,
		Period:         r.Period,
		PromoCode:      r.PromoCode,
		Products:       pricingProducts(r.Products),
		Resources:      r.Resources,
		SpecialPricing: r.SpecialPricing,
		ExcludeTaxes:   excludeTaxes,
	}
}

func pricingProducts(ps []Product) []pricing.Product {
	if len(ps) == 0 {
		return nil
	}
	out := make([]pricing.Product, len(ps))
	for i, p := range ps {
		out[i] = pricing.Product{PlanID: p.PlanID, Period: p.Period, Resources: p.Resources,
			Children: pricingProducts(p.ChildProducts)}
	}
	return out
}
