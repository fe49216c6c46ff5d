package catalogfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
)

// The rules a catalog entity must satisfy before it is stored, whether it comes from the
// management API or from a catalog file. Each refusal is a 400 naming the field.

// Error types of the validation.
const (
	ErrInvalidField     = "InvalidField"
	ErrUnknownReference = "UnknownReference"
	ErrDependencyCycle  = "DependencyCycle"
)

func invalid(format string, args ...any) error {
	return problem.Invalid(ErrInvalidField, format, args...)
}

// Unknown is the refusal of a reference to an entity that does not exist (or that the caller
// may not see).
func Unknown(format string, args ...any) error {
	return problem.Unprocessable(ErrUnknownReference, format, args...)
}

// maxAmount bounds every amount: far above any price, far below the storage limit.
var maxAmount = money.FromInt(1_000_000_000_000)

// CheckAmount refuses amounts with more than 6 decimals (the storage scale), out of range, or
// negative when they must not be.
func CheckAmount(field string, d money.Decimal, allowNegative bool) error {
	switch {
	case d.RoundHalfUp(money.StoreScale).Cmp(d) != 0:
		return invalid("%s: %s has more than %d decimals", field, d, money.StoreScale)
	case d.Cmp(maxAmount) > 0 || d.Cmp(maxAmount.Neg()) < 0:
		return invalid("%s: %s is out of range", field, d)
	case !allowNegative && d.Sign() < 0:
		return invalid("%s: %s must not be negative", field, d)
	}
	return nil
}

func checkName(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return invalid("%s is required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return invalid("%s is longer than %d characters", field, max)
	}
	return nil
}

func oneOf(field, v string, allowed ...string) error {
	if !slices.Contains(allowed, v) {
		return invalid("%s %q: use one of %s", field, v, strings.Join(allowed, ", "))
	}
	return nil
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// Plan statuses.
const (
	PlanActive   = "ACTIVE"
	PlanInactive = "INACTIVE"
)

// ValidatePlan checks a plan's own fields (references are resolved, and so checked, by whoever
// builds the plan).
func ValidatePlan(p *catalog.Plan) error {
	if err := checkName("name", p.Name, 255); err != nil {
		return err
	}
	if err := oneOf("status", p.Status, PlanActive, PlanInactive); err != nil {
		return err
	}
	if !currencyCode.MatchString(p.Currency) {
		return invalid("currency %q: want an ISO 4217 code like USD", p.Currency)
	}
	b := p.Billing
	if !b.Period.Valid() {
		return invalid("billing period %q: want a positive duration in DAYS, MONTHS or YEARS", b.Period)
	}
	for _, c := range []struct {
		field, v string
		allowed  []string
	}{
		{"pricing model", b.PricingModel, []string{"PM_FIXED_PRICE"}},
		{"billing model", b.Model, []string{"CHARGE_BEFORE_BILLING_PERIOD"}},
		{"auto-renewal type", b.AutoRenewalType, []string{"DISABLED", "ENABLED"}},
		{"recurringPricesEvery", b.RecurringPricesEvery, []string{"MONTH", "YEAR", "BILLING_PERIOD"}},
	} {
		if err := oneOf(c.field, c.v, c.allowed...); err != nil {
			return err
		}
	}
	if b.AutoRenewalDays < 0 || b.AutoRenewalDays > 366 {
		return invalid("auto-renewal days %d: want 0 to 366", b.AutoRenewalDays)
	}
	if err := validatePeriods(p); err != nil {
		return err
	}
	if err := validateRates(p.Rates); err != nil {
		return err
	}
	for _, c := range p.ChildPlanAPSIDs {
		if c == p.APSID && c != "" {
			return invalid("upsells: a plan cannot be its own upsell")
		}
	}
	for _, a := range p.ActivationParams {
		if strings.TrimSpace(a) == "" {
			return invalid("activation parameters: empty name")
		}
	}
	if p.UniqueIdentifier && p.ServiceType == "" {
		return invalid("uniqueServiceIdentifier needs a serviceType (identifiers are unique per service type)")
	}
	return nil
}

func validatePeriods(p *catalog.Plan) error {
	if len(p.Periods) == 0 {
		return invalid("subscription periods: a plan needs at least one")
	}
	defaults := 0
	seen := map[catalog.SubscriptionPeriod]bool{}
	for _, sp := range p.Periods {
		field := "subscription period " + sp.Period.String()
		if !sp.Period.Valid() {
			return invalid("%s: want a positive duration in DAYS, MONTHS or YEARS", field)
		}
		key := catalog.SubscriptionPeriod{Period: sp.Period, Trial: sp.Trial}
		if seen[key] {
			return invalid("%s is listed twice", field)
		}
		seen[key] = true
		if sp.BillingPeriods < 1 {
			return invalid("%s: numberOfBillingPeriods must be at least 1", field)
		}
		if sp.Default {
			defaults++
		}
		for _, f := range []struct {
			name string
			v    money.Decimal
		}{{"setup", sp.Fees.Setup}, {"recurring", sp.Fees.Recurring}, {"renewal", sp.Fees.Renewal},
			{"transfer", sp.Fees.Transfer}, {"deposit", sp.Fees.Deposit}} {
			if err := CheckAmount(field+" "+f.name+" fee", f.v, false); err != nil {
				return err
			}
		}
		if err := oneOf(field+" refund type", sp.Refund.Type, "PRORATED", "FULL", "NONE"); err != nil {
			return err
		}
		if sp.Refund.Days < 0 {
			return invalid("%s: refund days must not be negative", field)
		}
	}
	if defaults > 1 {
		return invalid("subscription periods: at most one may be the default")
	}
	return nil
}

func validateRates(rates []catalog.ResourceRate) error {
	seen := map[int64]bool{}
	for _, r := range rates {
		field := "resource rate " + r.ResourceAPSID
		if r.ResourceID != 0 && seen[r.ResourceID] {
			return invalid("%s is listed twice", field)
		}
		seen[r.ResourceID] = true
		for _, f := range []struct {
			name string
			v    money.Decimal
		}{{"included", r.Included}, {"min", r.Min}, {"setup fee", r.SetupFee}, {"recurring fee", r.RecurringFee},
			{"overuse fee", r.OveruseFee}} {
			if err := CheckAmount(field+" "+f.name, f.v, false); err != nil {
				return err
			}
		}
		if r.Max.Cmp(catalog.Unlimited) != 0 {
			if err := CheckAmount(field+" max", r.Max, false); err != nil {
				return err
			}
			if r.Max.Cmp(r.Min) < 0 {
				return invalid("%s: max %s is below min %s (use -1 for unlimited)", field, r.Max, r.Min)
			}
		}
	}
	return nil
}

// DefaultBillingPeriods is the number of billing periods in a subscription period: the
// period's months over the billing period's months, else 1.
func DefaultBillingPeriods(sub, billing catalog.Period) int {
	sm, ok1 := sub.Months()
	bm, ok2 := billing.Months()
	if ok1 && ok2 && bm > 0 && sm >= bm && sm%bm == 0 {
		return sm / bm
	}
	if sub == billing {
		return 1
	}
	if sub.Unit == catalog.Days && billing.Unit == catalog.Days && billing.Duration > 0 && sub.Duration%billing.Duration == 0 {
		return sub.Duration / billing.Duration
	}
	return 1
}

// ValidateResource checks a resource; parentsOf gives the resources another resource depends
// on (by APS id), to refuse cycles.
func ValidateResource(r catalog.Resource, status string, parentsOf func(apsID string) []string) error {
	if err := checkName("name", r.Name, 255); err != nil {
		return err
	}
	if err := checkName("unit", r.Unit, 64); err != nil {
		return err
	}
	if err := oneOf("status", status, "ACTIVE", "INACTIVE"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range r.Dependencies {
		field := "dependency on " + d.ParentAPSID
		if err := oneOf(field+" kind", string(d.Kind), string(catalog.Requires), string(catalog.ProvidedBy)); err != nil {
			return err
		}
		if d.ParentAPSID == r.APSID {
			return invalid("%s: a resource cannot depend on itself", field)
		}
		if seen[d.ParentAPSID] {
			return invalid("%s is listed twice", field)
		}
		seen[d.ParentAPSID] = true
		if err := CheckAmount(field+" amount", d.Amount, false); err != nil {
			return err
		}
		if d.Amount.Sign() <= 0 {
			return invalid("%s: amount must be positive", field)
		}
		if r.APSID != "" && reaches(d.ParentAPSID, r.APSID, parentsOf, map[string]bool{}) {
			return problem.Unprocessable(ErrDependencyCycle, "resource %q: depending on %s would make a dependency cycle", r.Name, d.ParentAPSID)
		}
	}
	return nil
}

func reaches(from, to string, parentsOf func(string) []string, seen map[string]bool) bool {
	if from == to {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, p := range parentsOf(from) {
		if reaches(p, to, parentsOf, seen) {
			return true
		}
	}
	return false
}

// ValidateTerm checks a terms document.
func ValidateTerm(t catalog.Term) error {
	if err := checkName("id", t.ID, 64); err != nil {
		return err
	}
	if err := checkName("name", t.Name, 255); err != nil {
		return err
	}
	if strings.TrimSpace(t.Content) == "" {
		return invalid("content is required")
	}
	return nil
}

// ValidateTaxRule checks a tax rule.
func ValidateTaxRule(t catalog.TaxRule) error {
	if err := checkName("zone", t.Zone, 64); err != nil {
		return err
	}
	if err := checkName("name", t.Name, 255); err != nil {
		return err
	}
	if err := CheckAmount("rate", t.Rate, false); err != nil {
		return err
	}
	if t.Rate.Cmp(money.FromInt(100)) > 0 {
		return invalid("rate %s: a percent from 0 to 100", t.Rate)
	}
	return nil
}

// OperationTypes are the operation types of reason codes.
var OperationTypes = []string{"START_SERVICE", "STOP_SERVICE", "CANCEL_BY_CUSTOMER", "CANCEL_BY_VENDOR",
	"ACCOUNT_CANCELLATION", "DESTROY_SERVICE", "AUTOMATIC_SYNCHRONIZATION"}

// ValidateReasonCode checks a reason code.
func ValidateReasonCode(r catalog.ReasonCode) error {
	if r.ID <= 0 {
		return invalid("reasonId %d: want a positive id", r.ID)
	}
	if err := oneOf("operationType", r.OperationType, OperationTypes...); err != nil {
		return err
	}
	if len(r.Description) == 0 {
		return invalid("description: give at least one language, e.g. {\"en_US\": \"Customer Request\"}")
	}
	for lang, text := range r.Description {
		if lang == "" || strings.TrimSpace(text) == "" {
			return invalid("description: empty language or text")
		}
	}
	return nil
}

// OrderTypes are what a promotion's order types may name.
var OrderTypes = []string{"SALES", "RENEWAL", "CHANGE", "CANCELLATION", "SO", "RN", "CH", "CL", "CF"}

// ValidatePromotion checks a promotion.
func ValidatePromotion(p catalog.Promotion) error {
	if err := checkName("code", p.Code, 64); err != nil {
		return err
	}
	if strings.ContainsAny(p.Code, ", \t\n") {
		return invalid("code %q: no spaces or commas", p.Code)
	}
	if err := checkName("name", p.Name, 255); err != nil {
		return err
	}
	if err := oneOf("discountType", string(p.Type), string(catalog.Percent), string(catalog.Fixed)); err != nil {
		return err
	}
	if err := CheckAmount("value", p.Value, false); err != nil {
		return err
	}
	if p.Type == catalog.Percent && p.Value.Cmp(money.FromInt(100)) > 0 {
		return invalid("value %s: a percent from 0 to 100", p.Value)
	}
	for _, t := range p.OrderTypes {
		if err := oneOf("orderTypes", t, OrderTypes...); err != nil {
			return err
		}
	}
	if p.ValidFrom != nil && p.ValidTo != nil && p.ValidTo.Before(*p.ValidFrom) {
		return invalid("validTo is before validFrom")
	}
	return nil
}

// ValidateDelegation checks a reseller's cost for a plan: a percent from 0 to 100, or explicit
// costs naming the plan's own periods and resources.
func ValidateDelegation(d catalog.Delegation, plan *catalog.Plan) error {
	switch d.Rule {
	case catalog.CostPercent:
		if err := CheckAmount("costPercent", d.Percent, false); err != nil {
			return err
		}
		if d.Percent.Cmp(money.FromInt(100)) > 0 {
			return invalid("costPercent %s: a percent off the parent's prices, from 0 to 100", d.Percent)
		}
	case catalog.CostExplicit:
		for _, pc := range d.Explicit.Periods {
			if _, ok := plan.FindPeriod(pc.Period); !ok {
				return invalid("explicit costs: plan %q has no subscription period %s", plan.Name, pc.Period)
			}
			for _, f := range []*money.Decimal{pc.Setup, pc.Recurring, pc.Renewal, pc.Transfer} {
				if f != nil {
					if err := CheckAmount("explicit cost of "+pc.Period.String(), *f, false); err != nil {
						return err
					}
				}
			}
		}
		for _, rc := range d.Explicit.Resources {
			if _, ok := plan.FindRate(rc.ResourceAPSID); !ok {
				return invalid("explicit costs: plan %q does not rate resource %s", plan.Name, rc.ResourceAPSID)
			}
			for _, f := range []*money.Decimal{rc.Setup, rc.Recurring, rc.Overuse} {
				if f != nil {
					if err := CheckAmount("explicit cost of resource "+rc.ResourceAPSID, *f, false); err != nil {
						return err
					}
				}
			}
		}
	default:
		return invalid("costRule %q: use PERCENT (costPercent) or EXPLICIT (explicitCosts)", d.Rule)
	}
	return nil
}

// Account statuses a management change may set.
var AccountStatuses = []string{string(account.Active), string(account.Suspended), string(account.Restricted), string(account.Cancelled)}

// ValidateAccount checks an account and its place under parent (nil for the provider).
func ValidateAccount(a account.Account, parent *account.Account) error {
	if err := checkName("companyName", a.Name, 255); err != nil {
		return err
	}
	if err := oneOf("status", string(a.Status), AccountStatuses...); err != nil {
		return err
	}
	if !currencyCode.MatchString(a.Currency) {
		return invalid("currency %q: want an ISO 4217 code like USD", a.Currency)
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t\n")) {
		return invalid("email %q is not an e-mail address", a.Email)
	}
	for _, at := range a.Attributes {
		if strings.TrimSpace(at.AttributeID) == "" {
			return invalid("attributes: empty attributeID")
		}
	}
	switch {
	case parent == nil && a.Type != account.Provider:
		return invalid("type %s: an account other than the provider needs a parent", a.Type)
	case parent == nil:
		return nil
	case a.Type != account.Reseller && a.Type != account.Customer:
		return invalid("type %q: use RESELLER or CUSTOMER (the provider is created by `openbss init`)", a.Type)
	case parent.Type == account.Customer:
		return problem.Unprocessable("InvalidParent", "account %s is a customer: it cannot have accounts below it", parent.APSID)
	}
	return nil
}

// Payment method statuses.
const (
	MethodActive   = "ACTIVE"
	MethodInactive = "INACTIVE"
)

// ValidatePaymentMethod checks a payment method.
func ValidatePaymentMethod(m account.PaymentMethod) error {
	if err := checkName("paymentSystemId", m.PaymentSystemID, 128); err != nil {
		return err
	}
	if err := checkName("name", m.Name, 255); err != nil {
		return err
	}
	if err := oneOf("type", string(m.Type), string(account.External), string(account.Manual), string(account.Card)); err != nil {
		return err
	}
	if err := oneOf("status", m.Status, MethodActive, MethodInactive); err != nil {
		return err
	}
	if m.Default && m.Status != MethodActive {
		return invalid("an inactive payment method cannot be the default")
	}
	digits := 0
	for _, r := range m.Number {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits > 10 {
		return invalid("number: store a masked number (4111********1111), never a full card number")
	}
	return nil
}

// describe names an entity for messages.
func describe(kind, name, id string) string {
	if id == "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return fmt.Sprintf("%s %q (%s)", kind, name, id)
}
