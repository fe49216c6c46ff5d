package order

import "slices"

// FlowStatus is the order-flow code (the original platform's two-letter ofStatus).
type FlowStatus string

// Flow statuses. See docs/order-lifecycle.md for the graph.
const (
	New                FlowStatus = "NW" // placed; waits to be opened (automatically, or by push for refunds)
	Open               FlowStatus = "OP" // being processed: payment next
	WaitingPayment     FlowStatus = "WP" // a manual method (check/cash): waits until marked paid
	NoPaymentMethod    FlowStatus = "NP" // no method found: placed without payment (seed warning)
	PaymentDeclined    FlowStatus = "PD" // the gateway declined the charge
	Provisioning       FlowStatus = "PR" // items sent to the OSS
	ProvisioningFailed FlowStatus = "PF" // an item failed; resubmit retries the failed ones
	Completed          FlowStatus = "CP"
	Cancelled          FlowStatus = "CL"
	Hold               FlowStatus = "HL" // stopped by an operator
)

// Status is the coarse order status humans read.
type Status string

// Order statuses (seed 002, Get Order Details).
const (
	NotStarted Status = "NOT_STARTED"
	InProgress Status = "IN_PROGRESS"
	Problem    Status = "PROBLEM"
	Canceled   Status = "CANCELED"
	Done       Status = "COMPLETED"
)

// StatusOf derives the coarse status from the flow status, so the two never disagree.
func StatusOf(f FlowStatus) Status {
	switch f {
	case New:
		return NotStarted
	case Open, WaitingPayment, Provisioning:
		return InProgress
	case Completed:
		return Done
	case Cancelled:
		return Canceled
	}
	return Problem // NP, PD, PF, HL: someone must act
}

// Payment statuses.
const (
	PaymentNotStarted  = "NOT_STARTED"
	PaymentWaiting     = "WAITING"
	PaymentFinished    = "FINISHED"
	PaymentNotRequired = "NOT_REQUIRED"
	PaymentNoMethod    = "NO_PAYMENT_METHOD"
	PaymentDeclinedSt  = "DECLINED"
	PaymentRefunded    = "REFUNDED"
)

// Provisioning statuses (of the order and of each item).
const (
	ProvisioningNotStarted = "NOT_STARTED"
	ProvisioningInProgress = "IN_PROGRESS"
	ProvisioningCompleted  = "COMPLETED"
	ProvisioningFailedSt   = "FAILED"
)

// pushes are the transitions a push request (API or operator) may ask for. The processing
// engine moves orders along the rest of the graph itself.
var pushes = map[FlowStatus][]FlowStatus{
	New:                {Open, Cancelled},
	Open:               {Hold},
	WaitingPayment:     {Provisioning, Hold, Cancelled}, // PR: the manual payment was received
	NoPaymentMethod:    {Open, Hold, Cancelled},         // OP: retry payment (a method was added)
	PaymentDeclined:    {Open, Hold, Cancelled},
	Provisioning:       {Hold},
	ProvisioningFailed: {Provisioning, Hold}, // PR: resubmit the failed items
	Hold:               {Open, Cancelled},
}

// PushTargets are the flow statuses a push may move an order in status f to.
func PushTargets(f FlowStatus) []FlowStatus {
	t := pushes[f]
	if t == nil {
		return []FlowStatus{}
	}
	return slices.Clone(t)
}

// CanPush reports whether a push from → to is allowed.
func CanPush(from, to FlowStatus) bool { return slices.Contains(pushes[from], to) }

// Valid reports a known flow status.
func (f FlowStatus) Valid() bool {
	switch f {
	case New, Open, WaitingPayment, NoPaymentMethod, PaymentDeclined, Provisioning, ProvisioningFailed,
		Completed, Cancelled, Hold:
		return true
	}
	return false
}
