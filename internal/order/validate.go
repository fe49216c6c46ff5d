package order

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
)

// Error types of Validate (400): the request's shape is wrong whatever the catalog holds.
const (
	ErrInvalidOrderType      = "InvalidOrderType"
	ErrMissingAccount        = "MissingAccount"
	ErrMissingProducts       = "MissingProducts"
	ErrTooManyProducts       = "TooManyProducts"
	ErrMissingSubscription   = "MissingSubscription"
	ErrMissingPlan           = "MissingPlan"
	ErrInvalidPeriod         = "InvalidPeriod"
	ErrMissingResource       = "MissingResource"
	ErrInvalidAmount         = "InvalidAmount"
	ErrDuplicateResourceID   = "DuplicateResourceId"
	ErrInvalidParameters     = "InvalidParameters"
	ErrTooDeep               = "ChildProductsTooDeep"
	ErrInvalidAttribute      = "InvalidAttribute"
	ErrInvalidAcceptedTerms  = "InvalidAcceptedTerms"
	ErrInvalidPaymentMethod  = "InvalidPaymentMethod"
	ErrInvalidReason         = "InvalidReason"
	ErrInvalidRefundType     = "InvalidRefundType"
	ErrUnexpectedField       = "UnexpectedField"
	ErrEmptyChange           = "EmptyChange"
	ErrInvalidComment        = "InvalidComment"
	ErrInvalidPromoCode      = "InvalidPromoCode"
	ErrEmptySpecialPricing   = "EmptySpecialPricing"
	ErrSpecialPricingType    = "SpecialPricingNotAllowed"
	ErrInvalidApplicableTo   = "InvalidApplicableTo"
	ErrInvalidSpecialPrice   = "InvalidSpecialPrice"
	ErrDuplicateSpecialPrice = "DuplicateSpecialPricing"
	ErrSpecialNotOrdered     = "SpecialPricingMismatch"
)

// Limits that keep one request's work bounded.
const (
	MaxProducts      = 100  // products and child products of one sales order, all levels
	MaxChildDepth    = 3    // products → childProducts → childProducts
	MaxCommentLength = 4000 // characters
	MaxPromoCode     = 100  // characters
)

func invalid(typ, format string, args ...any) *problem.Error {
	return problem.Invalid(typ, format, args...)
}

// Validate checks the rules of the request's shape for its type. It needs no catalog: plans,
// periods and amounts that the catalog refuses are pricing's 422s.
//
//   - SALES: accountId and at least one product, each with a planId and a valid period; no
//     top-level subscriptionId, planId, period or resources (they belong to the products).
//   - RENEWAL: subscriptionId; an optional period; no products, resources or planId.
//   - CHANGE: subscriptionId and something to change (planId, period or resources); no products.
//   - CANCELLATION: subscriptionId; no products, resources, planId, period or promoCode.
//   - refundType (CREDIT_MEMO or REFUND) only on CANCELLATION; specialPricing only on SALES,
//     never empty (the seed's warning), for ordered plans and periods only.
//   - periods: DAYS, MONTHS or YEARS with a positive duration; amounts and prices ≥ 0.
func (r *Request) Validate() error {
	if !r.Type.Valid() {
		if r.Type == "" {
			return invalid(ErrInvalidOrderType, "type: required: SALES, RENEWAL, CHANGE or CANCELLATION")
		}
		return invalid(ErrInvalidOrderType, "type: %q is not SALES, RENEWAL, CHANGE or CANCELLATION", string(r.Type))
	}
	for _, check := range []func() error{r.validateKind, r.validateCommon, r.validateSpecialPricing} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Request) validateKind() error {
	if r.Type == Sales {
		return r.validateSales()
	}
	if strings.TrimSpace(r.SubscriptionID) == "" {
		return invalid(ErrMissingSubscription, "subscriptionId: required for %s orders", r.Type)
	}
	if len(r.Products) > 0 {
		return unexpected("products", r.Type, "it acts on subscriptionId")
	}
	switch r.Type {
	case Renewal:
		if r.PlanID != "" {
			return unexpected("planId", r.Type, "a renewal keeps the plan; switch plans with a CHANGE order")
		}
		if len(r.Resources) > 0 {
			return unexpected("resources", r.Type, "change resource limits with a CHANGE order")
		}
	case Change:
		if r.PlanID == "" && r.Period == nil && len(r.Resources) == 0 {
			return invalid(ErrEmptyChange, "a CHANGE order needs planId, period or resources")
		}
	case Cancellation:
		for _, f := range []struct {
			name string
			set  bool
		}{{"planId", r.PlanID != ""}, {"period", r.Period != nil}, {"resources", len(r.Resources) > 0},
			{"promoCode", r.PromoCode != ""}} {
			if f.set {
				return unexpected(f.name, r.Type, "a cancellation ends the subscription")
			}
		}
	}
	if r.Period != nil {
		if err := validPeriod("period", *r.Period); err != nil {
			return err
		}
	}
	return validAmounts("resources", r.Resources)
}

func unexpected(field string, t Type, why string) error {
	return invalid(ErrUnexpectedField, "%s: not used by %s orders: %s", field, t, why)
}

func (r *Request) validateSales() error {
	if strings.TrimSpace(r.AccountID) == "" {
		return invalid(ErrMissingAccount, "accountId: required for SALES orders: the account that buys")
	}
	if len(r.Products) == 0 {
		return invalid(ErrMissingProducts, "products: a SALES order needs at least one product")
	}
	switch {
	case r.SubscriptionID != "":
		return unexpected("subscriptionId", Sales, "a sales order creates subscriptions")
	case r.PlanID != "":
		return unexpected("planId", Sales, "set products[].planId")
	case r.Period != nil:
		return unexpected("period", Sales, "set products[].period")
	case len(r.Resources) > 0:
		return unexpected("resources", Sales, "set products[].resources")
	}
	n := 0
	return validProducts("products", r.Products, 1, &n)
}

func validProducts(field string, ps []Product, depth int, n *int) error {
	if depth > MaxChildDepth {
		return invalid(ErrTooDeep, "%s: child products nest at most %d levels", field, MaxChildDepth)
	}
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		if *n++; *n > MaxProducts {
			return invalid(ErrTooManyProducts, "%s: an order holds at most %d products, child products included", f, MaxProducts)
		}
		if strings.TrimSpace(p.PlanID) == "" {
			return invalid(ErrMissingPlan, "%s.planId: required", f)
		}
		if err := validPeriod(f+".period", p.Period); err != nil {
			return err
		}
		if err := validAmounts(f+".resources", p.Resources); err != nil {
			return err
		}
		for j, raw := range p.Parameters {
			if b := bytes.TrimSpace(raw); len(b) == 0 || b[0] != '{' {
				return invalid(ErrInvalidParameters, "%s.parameters[%d]: expected a JSON object with an \"aps\" type section", f, j)
			}
		}
		if err := validProducts(f+".childProducts", p.ChildProducts, depth+1, n); err != nil {
			return err
		}
	}
	return nil
}

func validPeriod(field string, p catalog.Period) error {
	if p == (catalog.Period{}) {
		return invalid(ErrInvalidPeriod, "%s: required: {\"unit\": \"MONTHS\", \"duration\": 1}", field)
	}
	if !p.Unit.Valid() {
		return invalid(ErrInvalidPeriod, "%s.unit: %q is not DAYS, MONTHS or YEARS", field, string(p.Unit))
	}
	if p.Duration <= 0 {
		return invalid(ErrInvalidPeriod, "%s.duration: %d is not a positive number of %s", field, p.Duration, p.Unit)
	}
	return nil
}

func validAmounts(field string, as []pricing.Amount) error {
	seen := make(map[string]bool, len(as))
	for i, a := range as {
		f := fmt.Sprintf("%s[%d]", field, i)
		id := strings.ToLower(strings.TrimSpace(a.ResourceID))
		if id == "" {
			return invalid(ErrMissingResource, "%s.resourceId: required", f)
		}
		if seen[id] {
			return invalid(ErrDuplicateResourceID, "%s.resourceId: resource '%s' is listed twice", f, a.ResourceID)
		}
		seen[id] = true
		if a.Amount.Sign() < 0 {
			return invalid(ErrInvalidAmount, "%s.amount: %s is negative", f, a.Amount)
		}
	}
	return nil
}

func (r *Request) validateCommon() error {
	if r.RefundType != "" {
		if r.Type != Cancellation {
			return unexpected("refundType", r.Type, "only cancellations refund")
		}
		if r.RefundType != RefundCreditMemo && r.RefundType != RefundDirect {
			return invalid(ErrInvalidRefundType, "refundType: %q is not CREDIT_MEMO or REFUND", string(r.RefundType))
		}
	}
	if r.PaymentMethodID != nil && *r.PaymentMethodID < 0 {
		return invalid(ErrInvalidPaymentMethod, "paymentMethodId: %d is not a payment method id", *r.PaymentMethodID)
	}
	if r.ReasonID != nil && *r.ReasonID <= 0 {
		return invalid(ErrInvalidReason, "reasonId: %d is not a reason id", *r.ReasonID)
	}
	if n := len([]rune(r.Comment)); n > MaxCommentLength {
		return invalid(ErrInvalidComment, "comment: %d characters, at most %d", n, MaxCommentLength)
	}
	if len(r.PromoCode) > MaxPromoCode {
		return invalid(ErrInvalidPromoCode, "promoCode: longer than %d characters", MaxPromoCode)
	}
	seen := map[string]bool{}
	for i, a := range r.Attributes {
		if strings.TrimSpace(a.AttributeID) == "" {
			return invalid(ErrInvalidAttribute, "attributes[%d].attributeID: required", i)
		}
		if seen[a.AttributeID] {
			return invalid(ErrInvalidAttribute, "attributes[%d].attributeID: '%s' is set twice", i, a.AttributeID)
		}
		seen[a.AttributeID] = true
	}
	for i, t := range r.AcceptedTerms {
		if strings.TrimSpace(t) == "" {
			return invalid(ErrInvalidAcceptedTerms, "acceptedTerms[%d]: empty term id", i)
		}
	}
	return nil
}

func (r *Request) validateSpecialPricing() error {
	sp := r.SpecialPricing
	if sp == nil {
		return nil
	}
	if r.Type != Sales {
		return invalid(ErrSpecialPricingType, "specialPricing: only SALES orders set special prices; later orders of the subscription use the ones it was sold with")
	}
	if len(sp.Products) == 0 {
		return invalid(ErrEmptySpecialPricing, "specialPricing: empty: the API does not accept an empty specialPricing structure; leave it out when there are no special prices")
	}
	for i, t := range sp.ApplicableTo {
		if t != string(pricing.Renewal) {
			return invalid(ErrInvalidApplicableTo, "specialPricing.applicableTo[%d]: %q: only RENEWAL (or nothing) may be listed", i, t)
		}
	}
	type key struct {
		plan string
		per  catalog.Period
	}
	seen := map[key]bool{}
	for i, p := range sp.Products {
		if err := validSpecialProduct(fmt.Sprintf("specialPricing.products[%d]", i), p); err != nil {
			return err
		}
		k := key{strings.ToLower(p.PlanID), p.Period}
		if seen[k] {
			return invalid(ErrDuplicateSpecialPrice, "specialPricing.products[%d]: plan '%s' with period %s is listed twice", i, p.PlanID, p.Period)
		}
		seen[k] = true
		if !ordered(r.Products, p.PlanID, p.Period) {
			return invalid(ErrSpecialNotOrdered, "specialPricing.products[%d]: plan '%s' with period %s is not among the ordered products", i, p.PlanID, p.Period)
		}
	}
	return nil
}

func ordered(ps []Product, planID string, per catalog.Period) bool {
	return slices.ContainsFunc(ps, func(p Product) bool {
		return (strings.EqualFold(p.PlanID, planID) && p.Period == per) || ordered(p.ChildProducts, planID, per)
	})
}

func validSpecialProduct(f string, p pricing.SpecialProduct) error {
	if strings.TrimSpace(p.PlanID) == "" {
		return invalid(ErrMissingPlan, "%s.planId: required", f)
	}
	if err := validPeriod(f+".period", p.Period); err != nil {
		return err
	}
	empty := true
	for _, fees := range []struct {
		name string
		f    *pricing.PlanFees
	}{{"prices", p.Prices}, {"costs", p.Costs}} {
		if fees.f == nil {
			continue
		}
		vals := []*money.Decimal{fees.f.Setup, fees.f.Recurring, fees.f.Renewal, fees.f.Transfer}
		names := []string{"setup", "recurring", "renewal", "transfer"}
		if err := validFees(f+"."+fees.name, names, vals, &empty); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for j, res := range p.Resources {
		rf := fmt.Sprintf("%s.resources[%d]", f, j)
		id := strings.ToLower(strings.TrimSpace(res.ResourceID))
		if id == "" {
			return invalid(ErrMissingResource, "%s.resourceId: required", rf)
		}
		if seen[id] {
			return invalid(ErrDuplicateSpecialPrice, "%s.resourceId: resource '%s' is listed twice", rf, res.ResourceID)
		}
		seen[id] = true
		resEmpty := true
		for _, fees := range []struct {
			name string
			f    *pricing.ResourceFees
		}{{"prices", res.Prices}, {"costs", res.Costs}} {
			if fees.f == nil {
				continue
			}
			vals := []*money.Decimal{fees.f.Setup, fees.f.Recurring, fees.f.Overuse}
			if err := validFees(rf+"."+fees.name, []string{"setup", "recurring", "overuse"}, vals, &resEmpty); err != nil {
				return err
			}
		}
		if resEmpty {
			return invalid(ErrEmptySpecialPricing, "%s: sets no price or cost", rf)
		}
		empty = false
	}
	if empty {
		return invalid(ErrEmptySpecialPricing, "%s: sets no price or cost", f)
	}
	return nil
}

func validFees(f string, names []string, vals []*money.Decimal, empty *bool) error {
	for i, v := range vals {
		if v == nil {
			continue
		}
		*empty = false
		if v.Sign() < 0 {
			return invalid(ErrInvalidSpecialPrice, "%s.%s: %s is negative", f, names[i], *v)
		}
	}
	return nil
}
