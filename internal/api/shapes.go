package api

import (
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/subscription"
)

// APS type ids of the representations.
const (
	typeAccount      = "http://parallels.com/aps/types/pa/account/1.2"
	typePlan         = "http://www.odin.com/billing/ServicePlan/1.0"
	typeSubscription = "http://www.odin.com/billing/Subscription/1.0"
)

type apsMeta struct {
	ID     string `json:"id"`
	Type   string `json:"type,omitempty"`
	Status string `json:"status,omitempty"`
}

type apsRef struct {
	APS apsMeta `json:"aps"`
}

func ready(id, typ string) apsMeta { return apsMeta{ID: id, Type: typ, Status: "aps:ready"} }

type contactJSON struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Email     string `json:"email,omitempty"`
}

type accountJSON struct {
	APS          apsMeta             `json:"aps"`
	ID           int64               `json:"id"`
	Type         account.Type        `json:"type"`
	Status       account.Status      `json:"status"`
	CompanyName  string              `json:"companyName"`
	Parent       *apsRef             `json:"parent,omitempty"`
	Contact      contactJSON         `json:"contact"`
	TaxZone      string              `json:"taxZone,omitempty"`
	Currency     string              `json:"currency"`
	CanOrder     bool                `json:"canOrder"`
	Attributes   []account.Attribute `json:"attributes"`
	CreationTime time.Time           `json:"creationTime"`
}

func toAccountJSON(a account.Account) accountJSON {
	j := accountJSON{APS: ready(a.APSID, typeAccount), ID: a.ID, Type: a.Type, Status: a.Status,
		CompanyName: a.Name, Contact: contactJSON{a.ContactFirst, a.ContactLast, a.Email},
		TaxZone: a.TaxZone, Currency: a.Currency, CanOrder: a.CanOrder && a.TypeCanOrder,
		Attributes: a.Attributes, CreationTime: a.CreatedAt}
	if a.ParentAPSID != "" {
		j.Parent = &apsRef{APS: apsMeta{ID: a.ParentAPSID}}
	}
	return j
}

// priceJSON is a fee as the seed prints it in plans: {"price": {"value": "10.0", "code": "USD"}}.
type priceJSON struct {
	Price struct {
		Value string `json:"value"`
		Code  string `json:"code"`
	} `json:"price"`
	ChargePerUnit *bool `json:"chargePerUnit,omitempty"`
}

func fee(v money.Decimal, currency string) priceJSON {
	var p priceJSON
	p.Price.Value, p.Price.Code = v.String(), currency
	return p
}

type periodFeesJSON struct {
	Setup     priceJSON `json:"setup"`
	Recurring priceJSON `json:"recurring"`
	Renewal   priceJSON `json:"renewal"`
	Transfer  priceJSON `json:"transfer"`
	Deposit   priceJSON `json:"deposit"`
}

type subscriptionPeriodJSON struct {
	AutoRenewalPeriod      catalog.Period `json:"autoRenewalPeriod"`
	NumberOfBillingPeriods int            `json:"numberOfBillingPeriods"`
	Trial                  bool           `json:"trial"`
	DefaultPeriod          bool           `json:"defaultPeriod"`
	Fees                   periodFeesJSON `json:"fees"`
	Refund                 struct {
		Type string `json:"type"`
		Days int    `json:"days"`
	} `json:"refund"`
}

type unitsJSON struct {
	Included money.Decimal `json:"included"`
	Min      money.Decimal `json:"min"`
	Max      money.Decimal `json:"max"`
}

type rateFeesJSON struct {
	Setup     priceJSON `json:"setup"`
	Recurring priceJSON `json:"recurring"`
	Overuse   priceJSON `json:"overuse"`
}

type resourceRateJSON struct {
	ResourceID    string       `json:"resourceId"`
	Name          string       `json:"name"`
	UnitOfMeasure string       `json:"unitOfMeasure"`
	Units         unitsJSON    `json:"units"`
	Fees          rateFeesJSON `json:"fees"`
}

type billingTermsJSON struct {
	PricingModel string         `json:"pricingModel"`
	Period       catalog.Period `json:"period"`
	Autorenewal  struct {
		Days int    `json:"days"`
		Type string `json:"type"`
	} `json:"autorenewal"`
	Model                string `json:"model"`
	RecurringPricesEvery string `json:"recurringPricesEvery"`
}

type planJSON struct {
	APS                  apsMeta                  `json:"aps"`
	Name                 map[string]string        `json:"name"`
	Description          map[string]string        `json:"description"`
	Status               string                   `json:"status"`
	ServiceType          string                   `json:"serviceType,omitempty"`
	BillingTerms         billingTermsJSON         `json:"billingTerms"`
	SubscriptionPeriods  []subscriptionPeriodJSON `json:"subscriptionPeriods"`
	ResourceRates        []resourceRateJSON       `json:"resourceRates"`
	ServiceTerms         []string                 `json:"serviceTerms"`
	Upsells              []apsRef                 `json:"upsells"`
	ActivationParameters []string                 `json:"activationParameters"`
	RequiresCreditCheck  bool                     `json:"requiresCreditCheck"`
	Version              int                      `json:"version"`
}

func toPlanJSON(p *catalog.Plan) planJSON {
	j := planJSON{APS: ready(p.APSID, typePlan), Name: map[string]string{"en_US": p.Name},
		Description: map[string]string{"en_US": p.Description}, Status: p.Status, ServiceType: p.ServiceType,
		SubscriptionPeriods: []subscriptionPeriodJSON{}, ResourceRates: []resourceRateJSON{},
		ServiceTerms: nonNil(p.TermIDs), Upsells: []apsRef{}, ActivationParameters: nonNil(p.ActivationParams),
		RequiresCreditCheck: p.RequiresCreditCheck, Version: p.Version}
	b := &j.BillingTerms
	b.PricingModel, b.Period, b.Model, b.RecurringPricesEvery = p.Billing.PricingModel, p.Billing.Period, p.Billing.Model, p.Billing.RecurringPricesEvery
	b.Autorenewal.Days, b.Autorenewal.Type = p.Billing.AutoRenewalDays, p.Billing.AutoRenewalType
	for _, sp := range p.Periods {
		sj := subscriptionPeriodJSON{AutoRenewalPeriod: sp.Period, NumberOfBillingPeriods: sp.BillingPeriods,
			Trial: sp.Trial, DefaultPeriod: sp.Default, Fees: periodFeesJSON{
				Setup: fee(sp.Fees.Setup, p.Currency), Recurring: fee(sp.Fees.Recurring, p.Currency),
				Renewal: fee(sp.Fees.Renewal, p.Currency), Transfer: fee(sp.Fees.Transfer, p.Currency),
				Deposit: fee(sp.Fees.Deposit, p.Currency)}}
		sj.Refund.Type, sj.Refund.Days = sp.Refund.Type, sp.Refund.Days
		j.SubscriptionPeriods = append(j.SubscriptionPeriods, sj)
	}
	for _, r := range p.Rates {
		rec := fee(r.RecurringFee, p.Currency)
		perUnit := r.ChargePerUnit
		rec.ChargePerUnit = &perUnit
		j.ResourceRates = append(j.ResourceRates, resourceRateJSON{ResourceID: r.ResourceAPSID, Name: r.ResourceName,
			UnitOfMeasure: r.Unit, Units: unitsJSON{Included: r.Included, Min: r.Min, Max: r.Max},
			Fees: rateFeesJSON{Setup: fee(r.SetupFee, p.Currency), Recurring: rec, Overuse: fee(r.OveruseFee, p.Currency)}})
	}
	for _, c := range p.ChildPlanAPSIDs {
		j.Upsells = append(j.Upsells, apsRef{APS: apsMeta{ID: c, Type: typePlan}})
	}
	return j
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// date renders a calendar date as the seed does ("2019-04-12").
type date time.Time

func (d date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(d).UTC().Format("2006-01-02") + `"`), nil
}

func optDate(t *time.Time) *date {
	if t == nil {
		return nil
	}
	d := date(*t)
	return &d
}

type subscriptionResourceJSON struct {
	ResourceID string        `json:"resourceId"`
	Amount     money.Decimal `json:"amount"`
}

type subscriptionJSON struct {
	APS          apsMeta `json:"aps"`
	BillingTerms struct {
		BillingPeriod catalog.Period `json:"billingPeriod"`
		BillingModel  string         `json:"billingModel"`
		FreezePrices  bool           `json:"freezePrices"`
		AutoRenewal   struct {
			Type string `json:"type"`
		} `json:"autoRenewal"`
	} `json:"billingTerms"`
	ServiceGate        string                     `json:"serviceGate"`
	Trial              bool                       `json:"trial"`
	NextBillDate       *date                      `json:"nextBillDate,omitempty"`
	SubscriptionPeriod catalog.Period             `json:"subscriptionPeriod"`
	ServiceStatus      string                     `json:"serviceStatus"`
	Name               string                     `json:"name"`
	LastBillDate       *date                      `json:"lastBillDate,omitempty"`
	SubscriptionID     int64                      `json:"subscriptionId"`
	AutoRenewEnabled   bool                       `json:"autoRenewEnabled"`
	StartDate          date                       `json:"startDate"`
	ExpirationDate     date                       `json:"expirationDate"`
	Status             string                     `json:"status"`
	Account            apsRef                     `json:"account"`
	Plan               apsRef                     `json:"plan"`
	Resources          []subscriptionResourceJSON `json:"resources"`
}

func toSubscriptionJSON(s *subscription.Subscription) subscriptionJSON {
	j := subscriptionJSON{APS: ready(s.APSID, typeSubscription), ServiceGate: s.ServiceGate, Trial: s.Trial,
		NextBillDate: optDate(s.NextBillDate), SubscriptionPeriod: s.Period, ServiceStatus: s.ServiceStatus,
		Name: s.Name, LastBillDate: optDate(s.LastBillDate), SubscriptionID: s.ID, AutoRenewEnabled: s.AutoRenewEnabled,
		StartDate: date(s.StartDate), ExpirationDate: date(s.ExpirationDate), Status: s.Status,
		Account: apsRef{APS: apsMeta{ID: s.AccountAPSID, Type: typeAccount}},
		Plan:    apsRef{APS: apsMeta{ID: s.PlanAPSID, Type: typePlan}}, Resources: []subscriptionResourceJSON{}}
	b := &j.BillingTerms
	b.BillingPeriod, b.BillingModel, b.FreezePrices, b.AutoRenewal.Type = s.BillingPeriod, s.BillingModel, s.FreezePrices, s.AutoRenewType
	for _, r := range s.Resources {
		j.Resources = append(j.Resources, subscriptionResourceJSON{ResourceID: r.ResourceAPSID, Amount: r.Amount})
	}
	return j
}

type paymentMethodJSON struct {
	ID              int64               `json:"id"`
	PaymentSystemID string              `json:"paymentSystemId"`
	PaymentSystem   string              `json:"paymentSystem"`
	OwnerAccountID  *string             `json:"ownerAccountId"`
	Number          *string             `json:"number"`
	Name            string              `json:"name"`
	Type            account.PaymentType `json:"type"`
	PerCustomer     bool                `json:"perCustomer"`
	Status          string              `json:"status"`
	Ratified        string              `json:"ratified"`
	DefaultMethod   bool                `json:"defaultMethod"`
}

func toPaymentMethodJSON(m account.PaymentMethod) paymentMethodJSON {
	j := paymentMethodJSON{ID: m.ID, PaymentSystemID: m.PaymentSystemID, PaymentSystem: m.PaymentSystem,
		Name: m.Name, Type: m.Type, PerCustomer: m.OwnerAccountID != 0, Status: m.Status, Ratified: m.Ratified,
		DefaultMethod: m.Default}
	if m.OwnerAPSID != "" {
		j.OwnerAccountID = &m.OwnerAPSID
	}
	if m.Number != "" {
		j.Number = &m.Number
	}
	return j
}

// timestamp renders an instant as RFC 3339 to the second, as the seed does ("2019-04-05T13:22:14Z").
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}
