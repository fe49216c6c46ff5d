package catalogfile

import (
	"fmt"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// world is what references in a file resolve against: the database as loaded, overlaid with
// the file's entities. Entities the file creates have internal id 0 until they are written.
type world struct {
	provider   string // APS id of the provider ("" on an empty database)
	accounts   map[string]account.Account
	resources  map[string]store.ResourceRecord
	resByName  map[string]string
	plans      map[string]*catalog.Plan
	planByName map[string]string
	planOwner  map[string]string // plan APS id → owner APS id
	terms      map[string]bool
	delegated  map[[2]string]bool // (plan APS id, reseller APS id)
	promoIDs   map[[2]string]int64
	taxIDs     map[[2]string]int64
}

func newWorld(s *state) *world {
	w := &world{accounts: map[string]account.Account{}, resources: map[string]store.ResourceRecord{},
		resByName: map[string]string{}, plans: map[string]*catalog.Plan{}, planByName: map[string]string{},
		planOwner: map[string]string{}, terms: map[string]bool{}, delegated: map[[2]string]bool{}, promoIDs: map[[2]string]int64{},
		taxIDs: map[[2]string]int64{}}
	apsOf := map[int64]string{}
	for _, a := range s.accounts {
		w.accounts[a.APSID] = a
		apsOf[a.ID] = a.APSID
		if a.Type == account.Provider && a.ParentID == 0 {
			w.provider = a.APSID
		}
	}
	for _, r := range s.resources {
		w.resources[r.APSID] = r
		w.resByName[r.Name] = r.APSID
	}
	for _, t := range s.terms {
		w.terms[t.ID] = true
	}
	for _, p := range s.plans {
		w.plans[p.APSID] = p
		w.planByName[p.Name] = p.APSID
		w.planOwner[p.APSID] = apsOf[p.OwnerID]
	}
	for _, d := range s.delegs {
		w.delegated[[2]string{d.PlanAPSID, d.ResellerAPS}] = true
	}
	for _, p := range s.promos {
		w.promoIDs[[2]string{p.VendorAPSID, strings.ToUpper(p.Code)}] = p.ID
	}
	for _, t := range s.taxes {
		w.taxIDs[[2]string{t.Zone, t.Name}] = t.ID
	}
	return w
}

func (w *world) account(ref, field string) (account.Account, error) {
	a, ok := w.accounts[ref]
	if !ok {
		return a, Unknown("%s: no account %q (accounts are named by APS id)", field, ref)
	}
	return a, nil
}

func (w *world) resource(ref, field string) (store.ResourceRecord, error) {
	if r, ok := w.resources[ref]; ok {
		return r, nil
	}
	if id, ok := w.resByName[ref]; ok {
		return w.resources[id], nil
	}
	return store.ResourceRecord{}, Unknown("%s: no resource %q (by APS id or name)", field, ref)
}

func (w *world) plan(ref, field string) (*catalog.Plan, error) {
	if p, ok := w.plans[ref]; ok {
		return p, nil
	}
	if id, ok := w.planByName[ref]; ok {
		return w.plans[id], nil
	}
	return nil, Unknown("%s: no service plan %q (by APS id or name)", field, ref)
}

// accountDomain is the account an item describes, with its parent.
func (w *world) accountDomain(it Account) (account.Account, *account.Account, error) {
	a := it.domain()
	what := describe("account", it.Name, it.ID)
	if it.ID == "" {
		return a, nil, invalid("%s: id (the APS id) is required", what)
	}
	if it.Parent == "" {
		if a.Type == account.Provider && w.provider != "" && w.provider != it.ID {
			return a, nil, problem.Unprocessable("ProviderMismatch", "%s: this database's provider is %s; a catalog file cannot add another provider", what, w.provider)
		}
		return a, nil, ValidateAccount(a, nil)
	}
	parent, err := w.account(it.Parent, what+" parent")
	if err != nil {
		return a, nil, err
	}
	a.ParentID, a.ParentAPSID = parent.ID, parent.APSID
	return a, &parent, ValidateAccount(a, &parent)
}

func (w *world) paymentMethodDomain(it PaymentMethod) (account.PaymentMethod, error) {
	m := it.domain()
	what := fmt.Sprintf("payment method %d", it.ID)
	if it.ID < 0 {
		return m, invalid("%s: id must not be negative", what)
	}
	vendor, err := w.account(it.Vendor, what+" vendor")
	if err != nil {
		return m, err
	}
	m.VendorID = vendor.ID
	if it.Owner != "" {
		owner, err := w.account(it.Owner, what+" owner")
		if err != nil {
			return m, err
		}
		if owner.ParentAPSID != vendor.APSID {
			return m, invalid("%s: the vendor of an account's own method is the account's parent (%s)", what, owner.ParentAPSID)
		}
		m.OwnerAccountID, m.OwnerAPSID = owner.ID, owner.APSID
	} else if vendor.Type == account.Customer {
		return m, invalid("%s: a customer offers no payment methods to others; give the method an owner", what)
	}
	return m, ValidatePaymentMethod(m)
}

func (w *world) resourceDomain(it Resource) (store.ResourceRecord, error) {
	r := store.ResourceRecord{Resource: catalog.Resource{APSID: it.ID, Name: it.Name, Unit: it.Unit,
		Description: it.Description}, Status: it.Status}
	if cur, ok := w.resources[it.ID]; ok {
		r.ID = cur.ID
	}
	if r.Status == "" {
		r.Status = store.ResourceActive
	}
	what := describe("resource", it.Name, it.ID)
	for _, d := range it.Dependencies {
		parent, err := w.resource(d.Resource, what+" dependency")
		if err != nil {
			return r, err
		}
		amount, err := d.Amount.Decimal()
		if err != nil {
			return r, invalid("%s dependency amount: %v", what, err)
		}
		r.Dependencies = append(r.Dependencies, catalog.Dependency{Kind: catalog.DependencyKind(d.Kind),
			ParentID: parent.ID, ParentAPSID: parent.APSID, ParentName: parent.Name, Amount: amount})
	}
	parentsOf := func(id string) []string {
		var out []string
		for _, d := range w.resources[id].Dependencies {
			out = append(out, d.ParentAPSID)
		}
		return out
	}
	if err := ValidateResource(r.Resource, r.Status, parentsOf); err != nil {
		return r, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

func amounts(what string, pairs ...any) error {
	for i := 0; i < len(pairs); i += 3 {
		name, a, dst := pairs[i].(string), pairs[i+1].(Amount), pairs[i+2].(*money.Decimal)
		d, err := a.Decimal()
		if err != nil {
			return invalid("%s %s: %v", what, name, err)
		}
		*dst = d
	}
	return nil
}

// planDomain is the plan an item describes, its references resolved.
func (w *world) planDomain(it Plan) (*catalog.Plan, error) {
	what := describe("plan", it.Name, it.ID)
	p := &catalog.Plan{APSID: it.ID, Name: it.Name, Description: it.Description, ServiceType: it.ServiceType,
		Status: it.Status, Currency: it.Currency, TermIDs: it.Terms, ActivationParams: it.ActivationParameters,
		RequiresCreditCheck: it.RequiresCreditCheck, UniqueIdentifier: it.UniqueServiceIdentifier, Version: 1}
	if cur, ok := w.plans[it.ID]; ok {
		p.ID, p.Version = cur.ID, cur.Version
	}
	if p.Status == "" {
		p.Status = PlanActive
	}
	if p.Currency == "" {
		p.Currency = "USD"
	}
	owner := it.Owner
	if owner == "" {
		owner = w.provider
	}
	o, err := w.account(owner, what+" owner")
	if err != nil {
		return nil, err
	}
	if o.Type == account.Customer {
		return nil, invalid("%s: owner %s is a customer; plans belong to the provider or a reseller", what, owner)
	}
	p.OwnerID = o.ID
	b := it.Billing
	p.Billing = catalog.BillingTerms{PricingModel: b.PricingModel, Period: catalog.Period(b.Period), AutoRenewalType: b.AutoRenewal,
		AutoRenewalDays: b.AutoRenewalDays, Model: b.Model, RecurringPricesEvery: b.RecurringPricesEvery}
	fillBilling(&p.Billing)
	for _, pi := range it.Periods {
		sp := catalog.SubscriptionPeriod{Period: catalog.Period(pi.Period), BillingPeriods: pi.BillingPeriods, Trial: pi.Trial,
			Default: pi.Default, Refund: catalog.Refund{Type: pi.Refund, Days: pi.RefundDays}}
		if sp.BillingPeriods == 0 {
			sp.BillingPeriods = DefaultBillingPeriods(sp.Period, p.Billing.Period)
		}
		if sp.Refund.Type == "" {
			sp.Refund.Type = "PRORATED"
		}
		f := &sp.Fees
		if err := amounts(what+" period "+sp.Period.String(), "setup", pi.Setup, &f.Setup, "recurring", pi.Recurring, &f.Recurring,
			"renewal", pi.Renewal, &f.Renewal, "transfer", pi.Transfer, &f.Transfer, "deposit", pi.Deposit, &f.Deposit); err != nil {
			return nil, err
		}
		p.Periods = append(p.Periods, sp)
	}
	for _, ri := range it.Resources {
		res, err := w.resource(ri.Resource, what+" resources")
		if err != nil {
			return nil, err
		}
		r := catalog.ResourceRate{ResourceID: res.ID, ResourceAPSID: res.APSID, ResourceName: res.Name, Unit: res.Unit,
			Max: catalog.Unlimited, ChargePerUnit: ri.ChargePerUnit == nil || *ri.ChargePerUnit}
		if err := amounts(what+" resource "+res.Name, "included", ri.Included, &r.Included, "min", ri.Min, &r.Min,
			"setup", ri.Setup, &r.SetupFee, "recurring", ri.Recurring, &r.RecurringFee, "overuse", ri.Overuse, &r.OveruseFee); err != nil {
			return nil, err
		}
		if ri.Max != "" {
			if err := amounts(what+" resource "+res.Name, "max", ri.Max, &r.Max); err != nil {
				return nil, err
			}
		}
		p.Rates = append(p.Rates, r)
	}
	for _, t := range it.Terms {
		if !w.terms[t] {
			return nil, Unknown("%s: no terms document %q", what, t)
		}
	}
	p.ChildPlanAPSIDs = nil
	for _, u := range it.Upsells {
		child, err := w.plan(u, what+" upsells")
		if err != nil {
			return nil, err
		}
		p.ChildPlanAPSIDs = append(p.ChildPlanAPSIDs, child.APSID)
	}
	if err := ValidatePlan(p); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return p, nil
}

// fillBilling sets the defaults of billing terms left empty.
func fillBilling(b *catalog.BillingTerms) {
	if b.PricingModel == "" {
		b.PricingModel = defaultBilling.PricingModel
	}
	if b.Period == (catalog.Period{}) {
		b.Period = defaultBilling.Period
	}
	if b.AutoRenewalType == "" {
		b.AutoRenewalType = defaultBilling.AutoRenewalType
	}
	if b.Model == "" {
		b.Model = defaultBilling.Model
	}
	if b.RecurringPricesEvery == "" {
		b.RecurringPricesEvery = defaultBilling.RecurringPricesEvery
	}
}

// FillBilling sets the defaults of billing terms left empty (the management API's defaults are
// the file's).
func FillBilling(b *catalog.BillingTerms) { fillBilling(b) }

func (w *world) delegationDomain(it Delegation) (store.DelegationRecord, error) {
	var d store.DelegationRecord
	plan, err := w.plan(it.Plan, "delegation plan")
	if err != nil {
		return d, err
	}
	reseller, err := w.account(it.Reseller, "delegation reseller")
	if err != nil {
		return d, err
	}
	what := fmt.Sprintf("delegation of plan %q to %q", plan.Name, reseller.Name)
	if reseller.Type != account.Reseller {
		return d, invalid("%s: %s is not a reseller", what, reseller.APSID)
	}
	parent := w.accounts[reseller.ParentAPSID]
	if parent.APSID != w.planOwner[plan.APSID] && !w.delegated[[2]string{plan.APSID, parent.APSID}] {
		return d, problem.Unprocessable("PlanNotDelegable", "%s: the reseller's parent %q neither owns nor resells the plan", what, parent.Name)
	}
	d = store.DelegationRecord{Delegation: catalog.Delegation{PlanID: plan.ID, ResellerID: reseller.ID,
		PlanAPSID: plan.APSID, ResellerAPS: reseller.APSID}, PlanName: plan.Name, ResellerPath: reseller.Path}
	switch {
	case it.Costs != nil && it.CostPercent != "":
		return d, invalid("%s: give costPercent or costs, not both", what)
	case it.Costs == nil:
		d.Rule = catalog.CostPercent
		if err := amounts(what, "costPercent", it.CostPercent, &d.Percent); err != nil {
			return d, err
		}
	default:
		d.Rule = catalog.CostExplicit
		opt := func(name string, a Amount) (*money.Decimal, error) {
			if a == "" {
				return nil, nil
			}
			v, err := a.Decimal()
			if err != nil {
				return nil, invalid("%s %s: %v", what, name, err)
			}
			return &v, nil
		}
		for _, pc := range it.Costs.Periods {
			c := catalog.PeriodCost{Period: catalog.Period(pc.Period)}
			var err error
			if c.Setup, err = opt("setup", pc.Setup); err == nil {
				if c.Recurring, err = opt("recurring", pc.Recurring); err == nil {
					if c.Renewal, err = opt("renewal", pc.Renewal); err == nil {
						c.Transfer, err = opt("transfer", pc.Transfer)
					}
				}
			}
			if err != nil {
				return d, err
			}
			d.Explicit.Periods = append(d.Explicit.Periods, c)
		}
		for _, rc := range it.Costs.Resources {
			res, err := w.resource(rc.Resource, what+" costs")
			if err != nil {
				return d, err
			}
			c := catalog.ResourceCost{ResourceAPSID: res.APSID}
			if c.Setup, err = opt("setup", rc.Setup); err == nil {
				if c.Recurring, err = opt("recurring", rc.Recurring); err == nil {
					c.Overuse, err = opt("overuse", rc.Overuse)
				}
			}
			if err != nil {
				return d, err
			}
			d.Explicit.Resources = append(d.Explicit.Resources, c)
		}
	}
	if err := ValidateDelegation(d.Delegation, plan); err != nil {
		return d, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

func (w *world) promotionDomain(it Promotion) (store.PromotionRecord, error) {
	vendor, err := w.account(it.Vendor, fmt.Sprintf("promotion %q vendor", it.Code))
	if err != nil {
		return store.PromotionRecord{}, err
	}
	p := store.PromotionRecord{Promotion: catalog.Promotion{ID: w.promoIDs[[2]string{vendor.APSID, strings.ToUpper(it.Code)}],
		VendorID: vendor.ID, Code: it.Code, Name: it.Name, Type: catalog.DiscountType(it.Type), OrderTypes: it.OrderTypes,
		ValidFrom: it.ValidFrom, ValidTo: it.ValidTo, Active: it.Active == nil || *it.Active},
		VendorAPSID: vendor.APSID, VendorPath: vendor.Path}
	what := fmt.Sprintf("promotion %q of %q", it.Code, vendor.Name)
	if vendor.Type == account.Customer {
		return p, invalid("%s: a customer sells nothing", what)
	}
	if err := amounts(what, "value", it.Value, &p.Value); err != nil {
		return p, err
	}
	for _, ref := range it.Plans {
		plan, err := w.plan(ref, what+" plans")
		if err != nil {
			return p, err
		}
		p.PlanAPSIDs = append(p.PlanAPSIDs, plan.APSID)
	}
	if err := ValidatePromotion(p.Promotion); err != nil {
		return p, fmt.Errorf("%s: %w", what, err)
	}
	return p, nil
}

func (w *world) taxRuleDomain(it TaxRule) (catalog.TaxRule, error) {
	t := catalog.TaxRule{ID: w.taxIDs[[2]string{it.Zone, it.Name}], Zone: it.Zone, Name: it.Name, Inclusive: it.Inclusive}
	what := fmt.Sprintf("tax rule %q of zone %q", it.Name, it.Zone)
	if err := amounts(what, "rate", it.Rate, &t.Rate); err != nil {
		return t, err
	}
	if err := ValidateTaxRule(t); err != nil {
		return t, fmt.Errorf("%s: %w", what, err)
	}
	return t, nil
}
