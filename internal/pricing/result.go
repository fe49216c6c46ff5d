package pricing

import (
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// LineType is what an order line charges or credits.
type LineType string

// Line types. The first five are the seed's; the credits are ours (the seed shows none): a
// credit line has a negative quantity, so its extended price and taxes are negative too.
const (
	PlanSetup         LineType = "PLAN_SETUP"
	PlanRecurring     LineType = "PLAN_RECURRING"
	PlanRenewal       LineType = "PLAN_RENEWAL"
	ResourceSetup     LineType = "RESOURCE_SETUP"
	ResourceRecurring LineType = "RESOURCE_RECURRING"
	// PlanRecurringCredit gives back the unused days of the current billing period of a plan
	// switched away from (CHANGE) or cancelled (CANCELLATION, per the period's refund policy).
	PlanRecurringCredit LineType = "PLAN_RECURRING_CREDIT"
	// ResourceRecurringCredit gives back the unused days of resource units removed by a
	// downgrade or a switch (CHANGE) or by a cancellation.
	ResourceRecurringCredit LineType = "RESOURCE_RECURRING_CREDIT"
)

// PromoResult says what became of the request's promo code.
type PromoResult string

// Promo results. An unknown or unusable code is not an error: the order is priced without it.
const (
	PromoApplied       PromoResult = "APPLIED"
	PromoNotFound      PromoResult = "NOT_FOUND"      // no such code offered by the buyer's seller
	PromoInactive      PromoResult = "INACTIVE"       // switched off by its vendor
	PromoNotStarted    PromoResult = "NOT_STARTED"    // before its validity window
	PromoExpired       PromoResult = "EXPIRED"        // after its validity window
	PromoNotApplicable PromoResult = "NOT_APPLICABLE" // not for this order type or these plans
)

// Result is a priced order: the estimate's JSON shape, bare numbers.
type Result struct {
	PromoResult       PromoResult   `json:"promoResult,omitempty"`
	Total             money.Decimal `json:"total"` // SubTotal + ExclusiveTaxTotal
	SubTotal          money.Decimal `json:"subTotal"`
	TaxTotal          money.Decimal `json:"taxTotal"`
	ExclusiveTaxTotal money.Decimal `json:"exclusiveTaxTotal"`
	Details           []Line        `json:"details"`
	// Currency is the ISO code every amount is in; order details print it with each amount.
	Currency string `json:"-"`
}

// Line is one order line (a "detail").
type Line struct {
	Type          LineType       `json:"type"`
	PlanID        string         `json:"planId"`
	Period        catalog.Period `json:"period"`
	ResourceID    string         `json:"resourceId,omitempty"`
	Duration      *Duration      `json:"duration,omitempty"` // recurring lines: the time charged
	Description   string         `json:"description"`
	Quantity      money.Decimal  `json:"quantity"`
	LowerBound    money.Decimal  `json:"lowerBound"` // lower bound of the price tier: always 0
	UnitOfMeasure string         `json:"unitOfMeasure"`
	UnitPrice     money.Decimal  `json:"unitPrice"`
	// ExtendedPrice is what the line costs before exclusive taxes: the gross amount
	// (unit price × quantity × time) minus the discount, rounded to the currency.
	ExtendedPrice money.Decimal `json:"extendedPrice"`
	Discount      *Discount     `json:"discount,omitempty"`
	// TaxAmount is every tax on the line, inclusive ones (contained in ExtendedPrice) and
	// exclusive ones (added to it); ExclusiveTaxAmount is the exclusive part.
	TaxAmount          money.Decimal `json:"taxAmount"`
	ExclusiveTaxAmount money.Decimal `json:"exclusiveTaxAmount"`
}

// Discount is how a line's price was reduced.
//
// PERCENT: Value is the percentage and Amount = gross × Value%, rounded. FIXED from a special
// price (or a reseller's explicit cost): Value is the special unit price and Amount = list
// extended price − special extended price, as the seed shows ({FIXED, 1.2, 0.8} for a 2.0 setup
// fee). FIXED from a promotion: Value is the amount off the line and Amount what was actually
// taken off (never more than the line's gross).
type Discount struct {
	Type   catalog.DiscountType `json:"type"`
	Value  money.Decimal        `json:"value"`
	Amount money.Decimal        `json:"amount"`
}

// Duration is the time a recurring line charges: one billing period ({MONTHS, 1.0}) for sales
// and renewals, the remaining days ({DAYS, 17.0}) for prorated change and cancellation lines.
type Duration struct {
	Unit     catalog.Unit  `json:"unit"`
	Duration money.Decimal `json:"duration"`
}
