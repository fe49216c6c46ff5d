package pricing

import (
	"net/http"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/problem"
)

// Error types of the 422s pricing returns: the request is well formed but the catalog, the
// subscription or the account refuses it. Messages name the field, plan, period or resource.
const (
	ErrUnknownPlan          = "UnknownPlan"
	ErrPlanNotAvailable     = "PlanNotAvailable"
	ErrNotAnUpsell          = "NotAnUpsell"
	ErrUnknownPeriod        = "UnknownPeriod"
	ErrUnknownResource      = "UnknownResource"
	ErrDuplicateResource    = "DuplicateResource"
	ErrAmountBelowIncluded  = "AmountBelowIncluded"
	ErrAmountBelowMinimum   = "AmountBelowMinimum"
	ErrAmountAboveMaximum   = "AmountAboveMaximum"
	ErrMixedCurrencies      = "MixedCurrencies"
	ErrSubscriptionNotFound = "SubscriptionNotFound"
	ErrSubscriptionEnded    = "SubscriptionTerminated"
	ErrNothingToChange      = "NothingToChange"
	ErrSpecialMismatch      = "SpecialPricingMismatch"
	ErrNoReseller           = "NoReseller"
	ErrPlanNotDelegated     = "PlanNotDelegated"
	ErrCostsNotAllowed      = "CostsNotAllowed"
	ErrInvalidOrderType     = "InvalidOrderType"
	// Resource dependency violations (seed "Resource Dependency Validation"). The original
	// answers 500; we answer 422 with the same message.
	ErrResourceRequires   = "ResourceRequires"
	ErrResourceRequiredBy = "ResourceRequiredForDowngrade"
	ErrResourceProvidedBy = "ResourceProvidedBy"
)

func unprocessable(typ, format string, args ...any) *problem.Error {
	return problem.Unprocessable(typ, format, args...)
}

func unknownPeriod(field string, plan *catalog.Plan, per catalog.Period) *problem.Error {
	return unprocessable(ErrUnknownPeriod, "%s: plan '%s' (%s) has no subscription period %s",
		field, plan.Name, plan.APSID, per)
}

func forbidden(typ, format string, args ...any) *problem.Error {
	return problem.New(http.StatusForbidden, typ, format, args...)
}
