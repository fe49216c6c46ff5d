// Package subscription holds the BSS subscription: what an account bought, for which period,
// with which resource amounts, and its standing over time. Pure types, no I/O.
package subscription

import (
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// Subscription statuses and service statuses.
const (
	StatusActive     = "ACTIVE"
	StatusGrace      = "GRACE"
	StatusHold       = "HOLD"
	StatusTerminated = "TERMINATED"
	StatusExpired    = "EXPIRED"

	ServiceActive  = "ACTIVE"
	ServiceStopped = "STOPPED"
)

// Resource is a resource amount held by a subscription.
type Resource struct {
	ResourceID    int64
	ResourceAPSID string
	Amount        money.Decimal
}

// Subscription is a BSS subscription.
type Subscription struct {
	ID               int64
	APSID            string
	AccountID        int64
	AccountAPSID     string
	PlanID           int64
	PlanAPSID        string
	Name             string
	Status           string
	ServiceStatus    string
	Period           catalog.Period
	BillingPeriod    catalog.Period
	BillingModel     string
	FreezePrices     bool
	AutoRenewType    string
	AutoRenewEnabled bool
	Trial            bool
	ServiceGate      string
	StartDate        time.Time
	ExpirationDate   time.Time
	LastBillDate     *time.Time
	NextBillDate     *time.Time
	OSSID            string
	Resources        []Resource
	CreatedAt        time.Time
	UpdatedAt        time.Time
}
