package order

import (
	"slices"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/problem"
)

// The checks an order must pass before it is accepted (seed 001, "Complete Order"), as pure
// functions. Each refusal is a 422 with its own stable type and, where the seed gives one, the
// seed's message text.

// Error types of the checks.
const (
	ErrUndefinedAccountStatus    = "UndefinedAccountStatus"
	ErrUndefinedAccountType      = "UndefinedAccountType"
	ErrAccountTypeNotEligible    = "AccountTypeNotEligible"
	ErrOrderCreationRestricted   = "OrderCreationRestricted"
	ErrAccountNotActive          = "AccountNotActive"
	ErrMissingCustomerAccount    = "MissingCustomerAccount"
	ErrPlanNotAvailable          = "PlanNotAvailable"
	ErrMissingServiceConfig      = "MissingServiceConfiguration"
	ErrTermsNotAccepted          = "TermsNotAccepted"
	ErrMissingCreditCheck        = "MissingCreditCheck"
	ErrMissingCreditCheckRecord  = "MissingCreditCheckRecord"
	ErrCreditCheckEscalated      = "CreditCheckEscalated"
	ErrCreditCheckProcessing     = "CreditCheckProcessing"
	ErrCreditCheckDenied         = "CreditCheckDenied"
	ErrServiceIdentifierExists   = "ServiceIdentifierExists"
	ErrSubscriptionNotFound      = "SubscriptionNotFound"
	ErrSubscriptionTerminated    = "SubscriptionTerminated"
	ErrSameOrderTypePending      = "SameOrderTypePending"
	ErrPaymentMethodNotFound     = "PaymentMethodNotFound"
	ErrPaymentMethodInactive     = "PaymentMethodInactive"
	ErrReasonNotFound            = "ReasonNotFound"
	ErrDraftNotValid             = "DraftNotValid"
	ErrMissingServiceIdentifier  = "MissingServiceIdentifier"
	ErrSubscriptionNotChangeable = "SubscriptionNotChangeable"
)

func refuse(typ, format string, args ...any) error {
	return problem.Unprocessable(typ, format, args...)
}

// statusName is how the seed names a status in its message: 'Suspended'.
func statusName(s account.Status) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + strings.ToLower(string(s[1:]))
}

// CheckAccount runs the seed's account validation on an account taking part in an order: the
// buyer (End User Account Validation) or its seller (SP Account Validation).
func CheckAccount(a account.Account, buyer bool) error {
	switch a.Status {
	case account.Active, account.Suspended, account.Restricted, account.Cancelled:
	default:
		return refuse(ErrUndefinedAccountStatus, "Undefined account status")
	}
	switch a.Type {
	case account.Provider, account.Reseller, account.Customer:
	default:
		return refuse(ErrUndefinedAccountType, "Undefined account type")
	}
	if buyer && a.Type == account.Provider {
		return refuse(ErrAccountTypeNotEligible, "Account Type is not eligible to create order")
	}
	if !a.CanOrder || !a.TypeCanOrder {
		return refuse(ErrOrderCreationRestricted, "Order creation is restricted for this account")
	}
	if a.Status != account.Active {
		return refuse(ErrAccountNotActive, "This account is '%s' - please contact your upstream provider", statusName(a.Status))
	}
	return nil
}

// Parameter is one activation parameter object of a product (the seed's "parameters" entries):
// APS type plus properties.
type Parameter map[string]any

// CheckActivationParameters refuses a product whose plan needs activation parameters that are
// not given (seed 001: "... missing mandatory service configuration").
func CheckActivationParameters(ref string, plan *catalog.Plan, params []Parameter) error {
	for _, name := range plan.ActivationParams {
		found := false
		for _, p := range params {
			if v, ok := p[name]; ok && v != nil && v != "" {
				found = true
				break
			}
		}
		if !found {
			return refuse(ErrMissingServiceConfig, "%s (plan '%s') missing mandatory service configuration: parameter '%s'", ref, plan.Name, name)
		}
	}
	return nil
}

// CheckTerms refuses an order whose plans carry terms the request did not accept.
func CheckTerms(plan *catalog.Plan, accepted []string) error {
	var missing []string
	for _, t := range plan.TermIDs {
		if !slices.Contains(accepted, t) {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return refuse(ErrTermsNotAccepted, "the terms and conditions %s of plan '%s' must be accepted (acceptedTerms)",
			strings.Join(missing, ", "), plan.Name)
	}
	return nil
}

// Credit check statuses of an account.
const (
	CreditNone       = ""
	CreditNoRecord   = "NO_RECORD"
	CreditEscalated  = "ESCALATED"
	CreditProcessing = "PROCESSING"
	CreditDenied     = "DENIED"
	CreditApproved   = "APPROVED"
)

// CheckCredit refuses an order for a plan that requires a credit check unless the buyer's
// credit check is approved (seed 001 texts).
func CheckCredit(plan *catalog.Plan, status, record string) error {
	if !plan.RequiresCreditCheck {
		return nil
	}
	switch status {
	case CreditNone:
		return refuse(ErrMissingCreditCheck, "Missing credit check")
	case CreditEscalated:
		return refuse(ErrCreditCheckEscalated, "Credit check status is escalated")
	case CreditProcessing:
		return refuse(ErrCreditCheckProcessing, "Credit check status is processing")
	case CreditDenied:
		return refuse(ErrCreditCheckDenied, "Credit check has been denied")
	}
	if status == CreditNoRecord || record == "" {
		return refuse(ErrMissingCreditCheckRecord, "Missing credit check record")
	}
	return nil
}

// ServiceIdentifierParam is the activation parameter holding a service identifier, for plans
// whose service type needs unique identifiers (a phone number, a domain).
const ServiceIdentifierParam = "serviceIdentifier"

// ServiceIdentifier finds a product's service identifier in its activation parameters.
func ServiceIdentifier(params []Parameter) string {
	for _, p := range params {
		if v, ok := p[ServiceIdentifierParam].(string); ok && v != "" {
			return v
		}
	}
	return ""
}

// ErrIdentifierTaken is the seed's uniqueness refusal.
func ErrIdentifierTaken(identifier, serviceType string) error {
	return refuse(ErrServiceIdentifierExists, "Service Identifier [%s] already exists for this service type [%s]", identifier, serviceType)
}

// CommentDefault is the cancellation comment the seed assigns when none is given (a blank
// comment is none).
func CommentDefault(comment string, reasonGiven bool) string {
	switch {
	case strings.TrimSpace(comment) != "":
		return comment
	case reasonGiven:
		return "No comment"
	}
	return "Cancelled from API"
}

// SameTypePending is the refusal of a second unfinished change or renewal of one subscription.
func SameTypePending(number string) error {
	return refuse(ErrSameOrderTypePending, "Order %s is not completed yet. This order prohibits placing an order of the Same Order Type (Per Subscription)", number)
}
