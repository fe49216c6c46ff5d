package catalogfile

import (
	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
)

// The entity forms of a file are compact: a field at its default is left out. The functions
// here write stored entities in that form (exports, diffs and the audit log use it), so two
// entities are the same exactly when their compact forms are.

func amountOrEmpty(d money.Decimal) Amount {
	if d.IsZero() {
		return ""
	}
	return AmountOf(d)
}

func boolPtr(b bool) *bool { return &b }

func orDefault(v, def string) string {
	if v == def {
		return ""
	}
	return v
}

// AccountItem is an account in file form.
func AccountItem(a account.Account) Account {
	it := Account{ID: a.APSID, Number: a.ID, Parent: a.ParentAPSID, Type: string(a.Type),
		Status: orDefault(string(a.Status), string(account.Active)), Name: a.Name, FirstName: a.ContactFirst,
		LastName: a.ContactLast, Email: a.Email, TaxZone: a.TaxZone, Currency: orDefault(a.Currency, "USD")}
	if !a.CanOrder {
		it.CanOrder = boolPtr(false)
	}
	for _, at := range a.Attributes {
		it.Attributes = append(it.Attributes, Attribute{ID: at.AttributeID, Value: at.Value})
	}
	return it
}

// domain is the account the item describes (its parent is resolved by the caller).
func (it Account) domain() account.Account {
	a := account.Account{ID: it.Number, APSID: it.ID, Type: account.Type(it.Type), Status: account.Status(it.Status),
		Name: it.Name, ContactFirst: it.FirstName, ContactLast: it.LastName, Email: it.Email, TaxZone: it.TaxZone,
		Currency: it.Currency, CanOrder: it.CanOrder == nil || *it.CanOrder, TypeCanOrder: true,
		Attributes: []account.Attribute{}}
	if a.Status == "" {
		a.Status = account.Active
	}
	if a.Currency == "" {
		a.Currency = "USD"
	}
	for _, at := range it.Attributes {
		a.Attributes = append(a.Attributes, account.Attribute{AttributeID: at.ID, Value: at.Value})
	}
	return a
}

// PaymentMethodItem is a payment method in file form.
func PaymentMethodItem(m store.PaymentMethodRecord) PaymentMethod {
	return PaymentMethod{ID: m.ID, Vendor: m.VendorAPSID, Owner: m.OwnerAPSID, PaymentSystemID: m.PaymentSystemID,
		PaymentSystem: orDefault(m.PaymentSystem, m.PaymentSystemID), Name: m.Name, Number: m.Number, Type: string(m.Type),
		Status: orDefault(m.Status, MethodActive), Ratified: orDefault(m.Ratified, "NOT_REQUIRED"), Default: m.Default}
}

func (it PaymentMethod) domain() account.PaymentMethod {
	m := account.PaymentMethod{ID: it.ID, OwnerAPSID: it.Owner, PaymentSystemID: it.PaymentSystemID,
		PaymentSystem: it.PaymentSystem, Number: it.Number, Name: it.Name, Type: account.PaymentType(it.Type),
		Status: it.Status, Ratified: it.Ratified, Default: it.Default}
	if m.PaymentSystem == "" {
		m.PaymentSystem = m.PaymentSystemID
	}
	if m.Status == "" {
		m.Status = MethodActive
	}
	if m.Ratified == "" {
		m.Ratified = "NOT_REQUIRED"
	}
	return m
}

// ResourceItem is a resource in file form.
func ResourceItem(r store.ResourceRecord) Resource {
	it := Resource{ID: r.APSID, Name: r.Name, Unit: r.Unit, Description: r.Description,
		Status: orDefault(r.Status, store.ResourceActive)}
	for _, d := range r.Dependencies {
		it.Dependencies = append(it.Dependencies, Dependency{Kind: string(d.Kind), Resource: d.ParentAPSID, Amount: AmountOf(d.Amount)})
	}
	return it
}

// TermItem is a terms document in file form.
func TermItem(t catalog.Term) Term { return Term{ID: t.ID, Name: t.Name, Content: t.Content} }

// Billing defaults.
var defaultBilling = catalog.BillingTerms{PricingModel: "PM_FIXED_PRICE", Period: catalog.Period{Unit: catalog.Months, Duration: 1},
	AutoRenewalType: "DISABLED", Model: "CHARGE_BEFORE_BILLING_PERIOD", RecurringPricesEvery: "MONTH"}

// PlanItem is a plan in file form; ownerAPSID is its owner's APS id.
func PlanItem(p *catalog.Plan, ownerAPSID string) Plan {
	b := p.Billing
	it := Plan{ID: p.APSID, Name: p.Name, Description: p.Description, Owner: ownerAPSID,
		Status: orDefault(p.Status, PlanActive), ServiceType: p.ServiceType, Currency: orDefault(p.Currency, "USD"),
		Billing: Billing{PricingModel: orDefault(b.PricingModel, defaultBilling.PricingModel),
			Model: orDefault(b.Model, defaultBilling.Model), AutoRenewal: orDefault(b.AutoRenewalType, defaultBilling.AutoRenewalType),
			AutoRenewalDays: b.AutoRenewalDays, RecurringPricesEvery: orDefault(b.RecurringPricesEvery, defaultBilling.RecurringPricesEvery)},
		Periods: []Period{}, Terms: p.TermIDs, Upsells: p.ChildPlanAPSIDs, ActivationParameters: p.ActivationParams,
		RequiresCreditCheck: p.RequiresCreditCheck, UniqueServiceIdentifier: p.UniqueIdentifier}
	if b.Period != defaultBilling.Period {
		it.Billing.Period = Length(b.Period)
	}
	for _, sp := range p.Periods {
		pi := Period{Period: Length(sp.Period), Trial: sp.Trial, Default: sp.Default,
			Setup: amountOrEmpty(sp.Fees.Setup), Recurring: amountOrEmpty(sp.Fees.Recurring),
			Renewal: amountOrEmpty(sp.Fees.Renewal), Transfer: amountOrEmpty(sp.Fees.Transfer),
			Deposit: amountOrEmpty(sp.Fees.Deposit), Refund: orDefault(sp.Refund.Type, "PRORATED"), RefundDays: sp.Refund.Days}
		if sp.BillingPeriods != DefaultBillingPeriods(sp.Period, b.Period) {
			pi.BillingPeriods = sp.BillingPeriods
		}
		it.Periods = append(it.Periods, pi)
	}
	for _, r := range p.Rates {
		ri := Rate{Resource: r.ResourceAPSID, Included: amountOrEmpty(r.Included), Min: amountOrEmpty(r.Min),
			Setup: amountOrEmpty(r.SetupFee), Recurring: amountOrEmpty(r.RecurringFee), Overuse: amountOrEmpty(r.OveruseFee)}
		if r.Max.Cmp(catalog.Unlimited) != 0 {
			ri.Max = AmountOf(r.Max)
		}
		if !r.ChargePerUnit {
			ri.ChargePerUnit = boolPtr(false)
		}
		it.Resources = append(it.Resources, ri)
	}
	return it
}

// DelegationItem is a delegation in file form.
func DelegationItem(d store.DelegationRecord) Delegation {
	it := Delegation{Plan: d.PlanAPSID, Reseller: d.ResellerAPS}
	if d.Rule == catalog.CostPercent {
		it.CostPercent = AmountOf(d.Percent)
		return it
	}
	it.Costs = &Costs{}
	opt := func(v *money.Decimal) Amount {
		if v == nil {
			return ""
		}
		return AmountOf(*v)
	}
	for _, pc := range d.Explicit.Periods {
		it.Costs.Periods = append(it.Costs.Periods, PeriodCost{Period: Length(pc.Period), Setup: opt(pc.Setup),
			Recurring: opt(pc.Recurring), Renewal: opt(pc.Renewal), Transfer: opt(pc.Transfer)})
	}
	for _, rc := range d.Explicit.Resources {
		it.Costs.Resources = append(it.Costs.Resources, ResourceCost{Resource: rc.ResourceAPSID, Setup: opt(rc.Setup),
			Recurring: opt(rc.Recurring), Overuse: opt(rc.Overuse)})
	}
	return it
}

// PromotionItem is a promotion in file form.
func PromotionItem(p store.PromotionRecord) Promotion {
	it := Promotion{Vendor: p.VendorAPSID, Code: p.Code, Name: p.Name, Type: string(p.Type), Value: AmountOf(p.Value),
		OrderTypes: p.OrderTypes, Plans: p.PlanAPSIDs, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo}
	if !p.Active {
		it.Active = boolPtr(false)
	}
	return it
}

// TaxRuleItem is a tax rule in file form.
func TaxRuleItem(t catalog.TaxRule) TaxRule {
	return TaxRule{Zone: t.Zone, Name: t.Name, Rate: AmountOf(t.Rate), Inclusive: t.Inclusive}
}

// ReasonCodeItem is a reason code in file form.
func ReasonCodeItem(r catalog.ReasonCode) ReasonCode {
	return ReasonCode{ID: r.ID, OperationType: r.OperationType, Description: r.Description}
}

// TokenItem is what the audit log records of a token: never its secret.
type TokenItem struct {
	ID        int64    `json:"id"`
	Account   string   `json:"account"`
	Name      string   `json:"name"`
	Prefix    string   `json:"prefix"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expiresAt,omitempty"`
	Revoked   bool     `json:"revoked,omitempty"`
}

// TokenAudit is a token in audit form.
func TokenAudit(t store.TokenInfo, accountAPSID string, revoked bool) TokenItem {
	it := TokenItem{ID: t.ID, Account: accountAPSID, Name: t.Name, Prefix: t.Prefix, Revoked: revoked, Scopes: []string{}}
	for _, s := range t.Scopes {
		it.Scopes = append(it.Scopes, string(s))
	}
	if t.ExpiresAt != nil {
		it.ExpiresAt = t.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return it
}
