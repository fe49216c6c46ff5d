package demo

import (
	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

func (l *loader) account(a account.Account, parentAPSID string) error {
	var parent *account.Account
	if parentAPSID != "" {
		parent = l.accounts[parentAPSID]
	}
	a.Status, a.CanOrder, a.TypeCanOrder = account.Active, true, true
	if err := store.CreateAccount(l.ctx, l.tx, &a, parent); err != nil {
		return err
	}
	l.accounts[a.APSID] = &a
	return nil
}

func (l *loader) loadAccounts() error {
	for _, x := range []struct {
		a      account.Account
		parent string
	}{
		{account.Account{ID: 1, APSID: ProviderAPSID, Type: account.Provider, Name: "Demo Provider", Email: "provider@openbss.test"}, ""},
		{account.Account{ID: 1000002, APSID: ResellerA, Type: account.Reseller, Name: "Cloud Reseller A",
			Email: "sales@reseller-a.test"}, ProviderAPSID},
		{account.Account{ID: 1000001, APSID: Customer1, Type: account.Customer, Name: "1st APS, inc.",
			ContactFirst: "Jane", ContactLast: "Doe", Email: "jdoe@aps.test"}, ResellerA},
		{account.Account{ID: 1000003, APSID: ResellerB, Type: account.Reseller, Name: "Cloud Reseller B",
			Email: "sales@reseller-b.test"}, ProviderAPSID},
		{account.Account{ID: 1000004, APSID: CustomerTaxed, Type: account.Customer, Name: "Taxed Customer GmbH",
			ContactFirst: "Erika", ContactLast: "Mustermann", TaxZone: TaxZone10}, ResellerA},
		{account.Account{ID: 1000005, APSID: CustomerSubs, Type: account.Customer, Name: "Smith Consulting",
			ContactFirst: "John", ContactLast: "Smith", Email: "jsmith@aps.test"}, ResellerA},
		{account.Account{ID: 1000006, APSID: CustomerB, Type: account.Customer, Name: "Smith Trading",
			ContactFirst: "John", ContactLast: "Smith", Email: "john@smith.test",
			Attributes: []account.Attribute{{AttributeID: "external_id", Value: "Smith-123"}}}, ResellerB},
	} {
		if err := l.account(x.a, x.parent); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) loadTokens() error {
	for tok, apsID := range map[string]string{ProviderToken: ProviderAPSID, ResellerToken: ResellerA, CustomerToken: Customer1} {
		scopes := []account.Scope{account.ScopeOrdersRead, account.ScopeOrdersWrite}
		if apsID == ProviderAPSID {
			scopes = account.AllScopes
		}
		if _, _, err := store.CreateToken(l.ctx, l.tx, l.accounts[apsID].ID, "demo", tok, scopes, nil); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) loadPaymentMethods() error {
	gateway := func(id int64, vendor string, def bool) account.PaymentMethod {
		return account.PaymentMethod{ID: id, VendorID: l.accounts[vendor].ID, PaymentSystemID: "Demo.Redirect",
			PaymentSystem: "Demo Payment Gateway", Name: "Demo Payment Gateway", Type: account.External,
			Status: "ACTIVE", Ratified: "NOT_REQUIRED", Default: def}
	}
	cash := func(id int64, vendor string) account.PaymentMethod {
		return account.PaymentMethod{ID: id, VendorID: l.accounts[vendor].ID, PaymentSystemID: "Check/Cash",
			PaymentSystem: "Check/Cash", Name: "Check/Cash", Type: account.Manual, Status: "ACTIVE", Ratified: "NOT_REQUIRED"}
	}
	card := account.PaymentMethod{ID: 11, VendorID: l.accounts[ResellerA].ID, OwnerAccountID: l.accounts[CustomerSubs].ID,
		PaymentSystemID: "Demo.Redirect", PaymentSystem: "Demo Payment Gateway", Number: "4111********1111",
		Name: "VISA ending 1111", Type: account.External, Status: "ACTIVE", Ratified: "NOT_REQUIRED", Default: true}
	for _, m := range []account.PaymentMethod{
		gateway(3, ResellerA, true), cash(0, ResellerA), card,
		gateway(4, ResellerB, true), cash(5, ResellerB),
		gateway(1, ProviderAPSID, true), cash(2, ProviderAPSID),
	} {
		if err := store.CreatePaymentMethod(l.ctx, l.tx, &m, true); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) loadCatalog() error {
	for _, r := range []catalog.Resource{
		{APSID: ResUsers, Name: "Users", Unit: "unit"},
		{APSID: ResProjects, Name: "Projects", Unit: "unit"},
		{APSID: ResVPS, Name: "Cloud VPS", Unit: "unit"},
		{APSID: ResDisk, Name: "Disk Space", Unit: "GB"},
		{APSID: ResBackup, Name: "Backup Space", Unit: "GB"},
	} {
		if err := store.CreateResource(l.ctx, l.tx, &r); err != nil {
			return err
		}
		l.resources[r.APSID] = &r
	}
	if err := store.CreateTerm(l.ctx, l.tx, catalog.Term{ID: "1", Name: "Terms and Conditions",
		Content: "<h1>Cloud SaaS</h1>\r\n<h2>Introduction</h2>\r\nLorem ipsum ut porttitor sagittis.\r\n" +
			"<h2>Intellectual Properties</h2>\r\nConvallis interdum porttitor ante hendrerit.\r\n" +
			"<h2>Restrictions</h2>\r\nAc auctor duis curae magna."}); err != nil {
		return err
	}
	for _, p := range l.plans0() {
		p.OwnerID, p.Status, p.Currency = 1, "ACTIVE", "USD"
		if err := store.CreatePlan(l.ctx, l.tx, &p); err != nil {
			return err
		}
		l.plans[p.APSID] = &p
		for _, r := range []string{ResellerA, ResellerB} {
			if err := store.CreateDelegation(l.ctx, l.tx, catalog.Delegation{PlanID: p.ID,
				ResellerID: l.accounts[r].ID, Rule: catalog.CostPercent, Percent: d("10")}); err != nil {
				return err
			}
		}
	}
	promo := catalog.Promotion{VendorID: l.accounts[ResellerA].ID, Code: "123", Name: "Demo promotion 25%",
		Type: catalog.Percent, Value: d("25"), Active: true}
	if err := store.CreatePromotion(l.ctx, l.tx, &promo); err != nil {
		return err
	}
	return store.CreateTaxRule(l.ctx, l.tx, &catalog.TaxRule{Zone: TaxZone10, Name: "VAT 10%", Rate: d("10")})
}

func monthly() catalog.BillingTerms {
	return catalog.BillingTerms{PricingModel: "PM_FIXED_PRICE", Period: catalog.Period{Unit: catalog.Months, Duration: 1},
		AutoRenewalType: "DISABLED", Model: "CHARGE_BEFORE_BILLING_PERIOD", RecurringPricesEvery: "MONTH"}
}

func period(unit catalog.Unit, n, billingPeriods int, setup, recurring string) catalog.SubscriptionPeriod {
	return catalog.SubscriptionPeriod{Period: catalog.Period{Unit: unit, Duration: n}, BillingPeriods: billingPeriods,
		Fees: catalog.Fees{Setup: d(setup), Recurring: d(recurring)}, Refund: catalog.Refund{Type: "PRORATED"}}
}

func (l *loader) rate(apsID, included, recurring string) catalog.ResourceRate {
	return catalog.ResourceRate{ResourceID: l.resources[apsID].ID, Included: d(included), Min: d("0"),
		Max: catalog.Unlimited, RecurringFee: d(recurring), ChargePerUnit: true}
}

// plans0 is the plan list in creation order (children before their parents).
func (l *loader) plans0() []catalog.Plan {
	return []catalog.Plan{
		{APSID: PlanSaaS, Name: "Cloud SaaS", Billing: monthly(), TermIDs: []string{"1"},
			Periods: []catalog.SubscriptionPeriod{period(catalog.Months, 1, 1, "0", "10")}},
		{APSID: PlanOfferCounter, Name: "Offer-Counter-User Management Project", Billing: monthly(),
			Periods:         []catalog.SubscriptionPeriod{period(catalog.Months, 1, 1, "10", "4.25"), period(catalog.Months, 3, 3, "10", "4.25")},
			Rates:           []catalog.ResourceRate{l.rate(ResUsers, "20", "1.5"), l.rate(ResProjects, "10", "1.5")},
			ChildPlanAPSIDs: []string{PlanSaaS}},
		{APSID: PlanCloudVPS, Name: "Cloud VPSes", Billing: monthly(),
			Periods: []catalog.SubscriptionPeriod{period(catalog.Months, 1, 1, "2", "4.25")},
			Rates:   []catalog.ResourceRate{l.rate(ResVPS, "1", "1")}},
		{APSID: PlanVIP, Name: "VIP Maintenance and Support", Billing: monthly(),
			Periods: []catalog.SubscriptionPeriod{period(catalog.Years, 1, 12, "19", "199")},
			Rates:   []catalog.ResourceRate{l.rate(ResDisk, "10", "1"), l.rate(ResBackup, "0", "0.5")}},
	}
}

func (l *loader) loadSubscriptions() error {
	month := catalog.Period{Unit: catalog.Months, Duration: 1}
	year := catalog.Period{Unit: catalog.Years, Duration: 1}
	sub := func(id int64, apsID, name, plan string, per catalog.Period, start string, res ...subscription.Resource) subscription.Subscription {
		st := date(start)
		last, next := st, month.AddTo(st)
		return subscription.Subscription{ID: id, APSID: apsID, AccountID: l.accounts[CustomerSubs].ID,
			PlanID: l.plans[plan].ID, Name: name, Status: subscription.StatusActive, ServiceStatus: subscription.ServiceActive,
			Period: per, BillingPeriod: month, BillingModel: "CHARGE_BEFORE_BILLING_PERIOD", AutoRenewType: "DISABLED",
			ServiceGate: "PEMGATE", StartDate: st, ExpirationDate: per.AddTo(st), LastBillDate: &last, NextBillDate: &next,
			Resources: res}
	}
	r := func(apsID, amount string) subscription.Resource {
		return subscription.Resource{ResourceID: l.resources[apsID].ID, ResourceAPSID: apsID, Amount: d(amount)}
	}
	for _, s := range []subscription.Subscription{
		sub(1000001, SubVPSDemo, "VPS Demo Services", PlanOfferCounter, month, "2019-03-12", r(ResUsers, "20"), r(ResProjects, "10")),
		sub(1000002, SubVIP, "VIP Maintenance and Support", PlanVIP, year, "2019-02-26", r(ResDisk, "100"), r(ResBackup, "5")),
		sub(1000003, SubCloud, "Cloud VPSes", PlanCloudVPS, month, "2019-03-20", r(ResVPS, "2")),
	} {
		if err := store.CreateSubscription(l.ctx, l.tx, &s); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) loadReasonCodes() error {
	for _, r := range []struct {
		id   int64
		desc string
		op   string
	}{
		{1, "Customer Request", "START_SERVICE"}, {2, "Released from Credit Hold", "START_SERVICE"},
		{3, "Other", "START_SERVICE"}, {4, "Not Applicable", "START_SERVICE"},
		{5, "Customer Request", "STOP_SERVICE"}, {6, "Fraud", "STOP_SERVICE"}, {7, "Account overdue", "STOP_SERVICE"},
		{8, "AUP Violation", "STOP_SERVICE"}, {9, "Other", "STOP_SERVICE"}, {10, "Not Applicable", "STOP_SERVICE"},
		{17, "Cost", "CANCEL_BY_CUSTOMER"}, {18, "Poor Performance", "CANCEL_BY_CUSTOMER"},
		{19, "Poor Service", "CANCEL_BY_CUSTOMER"}, {20, "No Longer Used", "CANCEL_BY_CUSTOMER"},
		{21, "New Provider", "CANCEL_BY_CUSTOMER"}, {22, "Change in Company Circumstance", "CANCEL_BY_CUSTOMER"},
		{23, "Other", "CANCEL_BY_CUSTOMER"},
		{13, "Customer Request", "CANCEL_BY_VENDOR"}, {14, "Other", "CANCEL_BY_VENDOR"},
		{15, "Customer Request", "ACCOUNT_CANCELLATION"}, {16, "Other", "ACCOUNT_CANCELLATION"},
		{61, "Account overdue", "DESTROY_SERVICE"}, {69, "Other", "DESTROY_SERVICE"},
		{107, "Automatical Synchronization: Stop Service", "AUTOMATIC_SYNCHRONIZATION"},
		{161, "Automatical Synchronization: Destroy Service", "AUTOMATIC_SYNCHRONIZATION"},
	} {
		if err := store.CreateReasonCode(l.ctx, l.tx, catalog.ReasonCode{ID: r.id, OperationType: r.op,
			Description: map[string]string{"en_US": r.desc}}); err != nil {
			return err
		}
	}
	return nil
}
