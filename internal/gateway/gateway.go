// Package gateway holds the interfaces openbss calls the outside world through — the payment
// gateway that charges orders and the OSS that provisions them — and their implementations: the
// in-process demo gateway and OSS simulator (the defaults), and the HTTP webhook OSS. Every call
// carries an idempotency key derived from what it acts on, so a retry never charges or
// provisions twice.
package gateway

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/openbss/openbss/internal/money"
)

// ErrTransient marks a failure worth retrying (timeouts, 5xx, connection refused). Any other
// error from a gateway is treated as transient too; permanent refusals are results, not errors.
var ErrTransient = errors.New("transient gateway failure")

// Charge asks a payment gateway to take money.
type Charge struct {
	IdempotencyKey  string
	OrderID         string
	OrderNumber     string
	AccountID       string
	MethodID        int64
	MethodNumber    string
	PaymentSystemID string
	Amount          money.Decimal
	Currency        string
}

// Charge outcomes.
const (
	ChargeApproved = "APPROVED"
	ChargeDeclined = "DECLINED"
)

// ChargeResult is a gateway's answer.
type ChargeResult struct {
	Status        string // APPROVED or DECLINED
	TransactionID string
	Message       string
}

// Refund asks a payment gateway to pay money back to a payment method (a cancellation's unused
// time, refundType REFUND). ChargeTransactionID is the charge it goes back against, when known.
type Refund struct {
	IdempotencyKey      string
	OrderID             string
	OrderNumber         string
	AccountID           string
	MethodID            int64
	MethodNumber        string
	PaymentSystemID     string
	ChargeTransactionID string
	Amount              money.Decimal
	Currency            string
}

// RefundResult is a gateway's answer to a refund: APPROVED or DECLINED, like a charge.
type RefundResult = ChargeResult

// PaymentGateway charges payment methods and refunds them. Charging or refunding twice with one
// idempotency key must return the first result and move money once.
type PaymentGateway interface {
	Charge(ctx context.Context, c Charge) (ChargeResult, error)
	Refund(ctx context.Context, r Refund) (RefundResult, error)
}

// Item is a provisioning request to the OSS (the webhook contract's body).
type Item struct {
	ItemID         string          `json:"itemId"`
	OrderID        string          `json:"orderId"`
	OrderNumber    string          `json:"orderNumber"`
	Action         string          `json:"action"` // CREATE, CHANGE, RENEW, CANCEL
	SubscriptionID string          `json:"subscriptionId"`
	AccountID      string          `json:"accountId"`
	PlanID         string          `json:"planId"`
	Period         json.RawMessage `json:"period,omitempty"`
	Resources      json.RawMessage `json:"resources,omitempty"`
	Parameters     json.RawMessage `json:"parameters,omitempty"`
}

// OSS statuses of an item.
const (
	OSSCompleted     = "COMPLETED"
	OSSInProgress    = "IN_PROGRESS"
	OSSAlreadyExists = "ALREADY_EXISTS"
	OSSFailed        = "FAILED"
	OSSNotFound      = "NOT_FOUND"
)

// OSSResult is the OSS's answer about an item.
type OSSResult struct {
	Status            string `json:"status"`
	OSSSubscriptionID string `json:"ossSubscriptionId,omitempty"`
	Message           string `json:"message,omitempty"`
}

// OSS provisions items. Provision with an item id the OSS has already done must answer
// ALREADY_EXISTS (or COMPLETED), never do the work twice. Status reports what the OSS knows of
// an item: reconciliation asks it about items stuck in progress or failed.
type OSS interface {
	Provision(ctx context.Context, it Item) (OSSResult, error)
	Status(ctx context.Context, itemID string) (OSSResult, error)
}

// Books is where the demo gateway and the OSS simulator keep their records (the stand-ins for an
// external system's own database): reads, and writes that are durable when they return. A
// *sql.DB is one; the store's Books shares its group commit, so the stand-ins do not take an
// fsync of their own for every call.
type Books interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
