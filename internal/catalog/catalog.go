// Package catalog holds what a provider sells: resources and their dependencies, service plans
// with billing terms, subscription periods and fees, resource rates, terms and conditions, upsell
// plans; delegations of plans to resellers with their costs; promotions, tax rules and reason
// codes. Pure types and rules, no I/O.
package catalog

import (
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/money"
)

// Unit is the unit of a period.
type Unit string

// Period units.
const (
	Days   Unit = "DAYS"
	Months Unit = "MONTHS"
	Years  Unit = "YEARS"
)

// Valid reports a known unit.
func (u Unit) Valid() bool { return u == Days || u == Months || u == Years }

// Period is a length of time: 1 MONTHS, 3 MONTHS, 1 YEARS.
type Period struct {
	Unit     Unit `json:"unit"`
	Duration int  `json:"duration"`
}

// String renders "1 MONTHS".
func (p Period) String() string { return fmt.Sprintf("%d %s", p.Duration, p.Unit) }

// Valid reports a known unit and a positive duration.
func (p Period) Valid() bool { return p.Unit.Valid() && p.Duration > 0 }

// AddTo returns t moved forward by the period (calendar months and years).
func (p Period) AddTo(t time.Time) time.Time {
	switch p.Unit {
	case Days:
		return t.AddDate(0, 0, p.Duration)
	case Months:
		return t.AddDate(0, p.Duration, 0)
	default:
		return t.AddDate(p.Duration, 0, 0)
	}
}

// Months is the period's length in months (days are not a whole number of months: 0, false).
func (p Period) Months() (int, bool) {
	switch p.Unit {
	case Months:
		return p.Duration, true
	case Years:
		return 12 * p.Duration, true
	}
	return 0, false
}

// Fees are the fees of one subscription period.
type Fees struct {
	Setup     money.Decimal
	Recurring money.Decimal // per billing period
	Renewal   money.Decimal
	Transfer  money.Decimal
	Deposit   money.Decimal
}

// Refund is a subscription period's refund policy on cancellation.
type Refund struct {
	Type string // PRORATED, FULL (within Days), NONE
	Days int
}

// SubscriptionPeriod is one period a plan can be bought for, with its fees.
type SubscriptionPeriod struct {
	Period         Period
	BillingPeriods int // number of billing periods in the subscription period
	Trial          bool
	Default        bool
	Fees           Fees
	Refund         Refund
}

// Unlimited is the max amount of a resource rate with no upper bound (the seed's -1.0).
var Unlimited = money.FromInt(-1)

// ResourceRate is a resource a plan includes or sells.
type ResourceRate struct {
	ResourceID    int64
	ResourceAPSID string
	ResourceName  string
	Unit          string
	Included      money.Decimal
	Min           money.Decimal
	Max           money.Decimal // Unlimited for none
	SetupFee      money.Decimal
	RecurringFee  money.Decimal
	OveruseFee    money.Decimal
	ChargePerUnit bool
}

// BillingTerms are how a plan bills.
type BillingTerms struct {
	PricingModel         string // PM_FIXED_PRICE
	Period               Period // the billing period
	AutoRenewalType      string // DISABLED, ENABLED
	AutoRenewalDays      int
	Model                string // CHARGE_BEFORE_BILLING_PERIOD
	RecurringPricesEvery string // MONTH, YEAR, BILLING_PERIOD
}

// Plan is a service plan.
type Plan struct {
	ID                  int64
	APSID               string
	OwnerID             int64
	Name                string
	Description         string
	ServiceType         string
	Status              string // ACTIVE, INACTIVE
	Currency            string
	Billing             BillingTerms
	Periods             []SubscriptionPeriod
	Rates               []ResourceRate
	TermIDs             []string
	ChildPlanAPSIDs     []string
	ActivationParams    []string // mandatory activation parameter names
	RequiresCreditCheck bool
	UniqueIdentifier    bool
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// FindPeriod returns the plan's subscription period of the given length.
func (p *Plan) FindPeriod(per Period) (SubscriptionPeriod, bool) {
	for _, sp := range p.Periods {
		if sp.Period == per && !sp.Trial {
			return sp, true
		}
	}
	for _, sp := range p.Periods {
		if sp.Period == per {
			return sp, true
		}
	}
	return SubscriptionPeriod{}, false
}

// FindRate returns the plan's rate for a resource by APS id.
func (p *Plan) FindRate(resourceAPSID string) (ResourceRate, bool) {
	for _, r := range p.Rates {
		if r.ResourceAPSID == resourceAPSID {
			return r, true
		}
	}
	return ResourceRate{}, false
}

// DependencyKind is how one resource depends on another.
type DependencyKind string

// Dependency kinds (seed 002 "Resource Dependency Validation").
const (
	Requires   DependencyKind = "REQUIRES"
	ProvidedBy DependencyKind = "PROVIDED_BY"
)

// Dependency says the resource needs Amount units of Parent (REQUIRES) or is limited by it
// (PROVIDED_BY).
type Dependency struct {
	Kind        DependencyKind
	ParentID    int64
	ParentAPSID string
	ParentName  string
	Amount      money.Decimal
}

// Resource is a countable thing a plan sells.
type Resource struct {
	ID           int64
	APSID        string
	Name         string
	Unit         string
	Description  string
	Dependencies []Dependency
}

// Term is a terms-and-conditions document customers accept when ordering.
type Term struct {
	ID      string
	Name    string
	Content string
}

// CostRule is how a reseller's cost for a delegated plan is set.
type CostRule string

// Cost rules.
const (
	CostPercent  CostRule = "PERCENT"  // a percent off the parent's prices
	CostExplicit CostRule = "EXPLICIT" // explicit costs per fee
)

// ExplicitCosts are a reseller's explicit costs for a delegated plan.
type ExplicitCosts struct {
	Periods   []PeriodCost   `json:"periods,omitempty"`
	Resources []ResourceCost `json:"resources,omitempty"`
}

// PeriodCost is the cost of a period's fees.
type PeriodCost struct {
	Period    Period         `json:"period"`
	Setup     *money.Decimal `json:"setup,omitempty"`
	Recurring *money.Decimal `json:"recurring,omitempty"`
	Renewal   *money.Decimal `json:"renewal,omitempty"`
	Transfer  *money.Decimal `json:"transfer,omitempty"`
}

// ResourceCost is the cost of a resource's fees.
type ResourceCost struct {
	ResourceAPSID string         `json:"resourceId"`
	Setup         *money.Decimal `json:"setup,omitempty"`
	Recurring     *money.Decimal `json:"recurring,omitempty"`
	Overuse       *money.Decimal `json:"overuse,omitempty"`
}

// Delegation is a plan offered by a reseller, with the reseller's cost.
type Delegation struct {
	PlanID      int64
	ResellerID  int64
	Rule        CostRule
	Percent     money.Decimal
	Explicit    ExplicitCosts
	CreatedAt   time.Time
	PlanAPSID   string
	ResellerAPS string
}

// DiscountType is how a promotion or discount reduces a price.
type DiscountType string

// Discount types.
const (
	Percent DiscountType = "PERCENT"
	Fixed   DiscountType = "FIXED"
)

// Promotion is a promo code offered by a vendor.
type Promotion struct {
	ID         int64
	VendorID   int64
	Code       string
	Name       string
	Type       DiscountType
	Value      money.Decimal
	OrderTypes []string // empty: every order type
	PlanAPSIDs []string // empty: every plan
	ValidFrom  *time.Time
	ValidTo    *time.Time
	Active     bool
}

// Discount is a standing reduction a vendor gives one of its accounts, or every account it
// sells to. Unlike a promotion it needs no code; a promotion that applies to a line wins over it.
type Discount struct {
	ID         int64
	VendorID   int64
	AccountID  int64 // 0: every customer of the vendor
	Type       DiscountType
	Value      money.Decimal // percent (10 = 10%) or an amount off each line
	PlanAPSIDs []string      // empty: every plan
	Active     bool
}

// TaxRule is a tax of a tax zone.
type TaxRule struct {
	ID        int64
	Zone      string
	Name      string
	Rate      money.Decimal // percent: 10 = 10%
	Inclusive bool
}

// ReasonCode is a reason for an operation (cancellation, stop service, ...).
type ReasonCode struct {
	ID            int64
	OperationType string
	Description   map[string]string
}
