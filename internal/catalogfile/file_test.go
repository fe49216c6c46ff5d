package catalogfile

import (
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
)

func TestParse(t *testing.T) {
	f, err := Parse([]byte(`
plans:
  - name: Mail
    billing: {period: 1 YEAR}
    periods:
      - period: 3 months
        setup: "10"
        recurring: 4.250
resources:
  - {name: Disk, unit: GB}
`))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Plans[0]
	if p.Billing.Period != (Length{Unit: catalog.Years, Duration: 1}) || p.Periods[0].Period != (Length{Unit: catalog.Months, Duration: 3}) {
		t.Errorf("periods: %+v %+v", p.Billing.Period, p.Periods[0].Period)
	}
	if p.Periods[0].Setup != "10.0" || p.Periods[0].Recurring != "4.25" {
		t.Errorf("amounts are kept canonical: %q %q", p.Periods[0].Setup, p.Periods[0].Recurring)
	}
	for _, c := range []struct{ text, want string }{
		{"plans:\n  - name: X\n    colour: red\n", "field colour not found"},
		{"plans:\n  - name: X\n    periods:\n      - period: 1 WEEKS\n", "not a period"},
		{"plans:\n  - name: X\n    periods:\n      - period: 1 MONTHS\n        setup: cheap\n", "not a decimal"},
		{"plans:\n  - name: X\n    periods:\n      - period: 1 MONTHS\n        setup: [1]\n", "want a number"},
		{"plans: 7\n", "cannot unmarshal"},
	} {
		if _, err := Parse([]byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", c.text, err, c.want)
		}
	}
	if f, err := Parse(nil); err != nil || len(f.Plans) != 0 {
		t.Errorf("an empty file: %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	f := &File{Terms: []Term{{ID: "1", Name: "T&C", Content: "<h1>x</h1>\r\nline"}},
		TaxRules: []TaxRule{{Zone: "Z", Name: "VAT", Rate: "7.5"}}}
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), Header) || !strings.Contains(string(b), "rate: 7.5\n") {
		t.Errorf("marshalled:\n%s", b)
	}
	g, err := Parse(b)
	if err != nil || g.Terms[0].Content != f.Terms[0].Content || g.TaxRules[0].Rate != "7.5" {
		t.Errorf("round trip: %+v, %v", g, err)
	}
}

func TestLineDiff(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\n"
	b := "a\nb\nC\nd\ne\nf\ng\nh\n"
	got := strings.Join(lineDiff(a, b), "|")
	want := "  a|  b|- c|+ C|  d|  …|  g|+ h"
	if got != want {
		t.Errorf("lineDiff = %q, want %q", got, want)
	}
	if d := lineDiff(a, a); d != nil {
		t.Errorf("no difference: %q", d)
	}
	if got := strings.Join(lineDiff("", "x\ny\n"), "|"); got != "+ x|+ y" {
		t.Errorf("creation: %q", got)
	}
}

func wantInvalid(t *testing.T, what string, err error, typ string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Type != typ || p.Status/100 != 4 {
		t.Errorf("%s: %v, want a 4xx %s", what, err, typ)
	}
}

func validPlan() *catalog.Plan {
	return &catalog.Plan{Name: "P", Status: PlanActive, Currency: "USD", Billing: defaultBilling,
		Periods: []catalog.SubscriptionPeriod{{Period: catalog.Period{Unit: catalog.Months, Duration: 1}, BillingPeriods: 1,
			Refund: catalog.Refund{Type: "PRORATED"}, Fees: catalog.Fees{Recurring: money.MustParse("1")}}},
		Rates: []catalog.ResourceRate{{ResourceID: 1, ResourceAPSID: "r1", Max: catalog.Unlimited}}}
}

func TestValidatePlan(t *testing.T) {
	if err := ValidatePlan(validPlan()); err != nil {
		t.Fatalf("a valid plan: %v", err)
	}
	for name, change := range map[string]func(p *catalog.Plan){
		"no name":      func(p *catalog.Plan) { p.Name = " " },
		"bad status":   func(p *catalog.Plan) { p.Status = "DRAFT" },
		"bad currency": func(p *catalog.Plan) { p.Currency = "usd" },
		"no periods":   func(p *catalog.Plan) { p.Periods = nil },
		"bad period":   func(p *catalog.Plan) { p.Periods[0].Period.Duration = 0 },
		"twice":        func(p *catalog.Plan) { p.Periods = append(p.Periods, p.Periods[0]) },
		"negative fee": func(p *catalog.Plan) { p.Periods[0].Fees.Setup = money.MustParse("-1") },
		"7 decimals":   func(p *catalog.Plan) { p.Periods[0].Fees.Setup = money.MustParse("0.0000001") },
		"huge":         func(p *catalog.Plan) { p.Periods[0].Fees.Setup = money.MustParse("1e13") },
		"refund":       func(p *catalog.Plan) { p.Periods[0].Refund.Type = "SOMETIMES" },
		"two defaults": func(p *catalog.Plan) {
			p.Periods = append(p.Periods, p.Periods[0])
			p.Periods[1].Trial = true
			p.Periods[0].Default, p.Periods[1].Default = true, true
		},
		"billing periods":   func(p *catalog.Plan) { p.Periods[0].BillingPeriods = 0 },
		"max below min":     func(p *catalog.Plan) { p.Rates[0].Min, p.Rates[0].Max = money.FromInt(5), money.FromInt(2) },
		"rate twice":        func(p *catalog.Plan) { p.Rates = append(p.Rates, p.Rates[0]) },
		"billing model":     func(p *catalog.Plan) { p.Billing.Model = "LATER" },
		"unique identifier": func(p *catalog.Plan) { p.UniqueIdentifier = true },
		"own upsell":        func(p *catalog.Plan) { p.APSID = "x"; p.ChildPlanAPSIDs = []string{"x"} },
	} {
		p := validPlan()
		change(p)
		wantInvalid(t, name, ValidatePlan(p), ErrInvalidField)
	}
}

func TestValidateOthers(t *testing.T) {
	none := func(string) []string { return nil }
	res := catalog.Resource{APSID: "a", Name: "A", Unit: "GB", Dependencies: []catalog.Dependency{{Kind: catalog.Requires, ParentAPSID: "b", Amount: money.FromInt(1)}}}
	if err := ValidateResource(res, "ACTIVE", none); err != nil {
		t.Errorf("a valid resource: %v", err)
	}
	wantInvalid(t, "a cycle", ValidateResource(res, "ACTIVE", func(id string) []string {
		if id == "b" {
			return []string{"c"}
		}
		if id == "c" {
			return []string{"a"}
		}
		return nil
	}), ErrDependencyCycle)
	self := res
	self.Dependencies = []catalog.Dependency{{Kind: catalog.Requires, ParentAPSID: "a", Amount: money.FromInt(1)}}
	wantInvalid(t, "itself", ValidateResource(self, "ACTIVE", none), ErrInvalidField)
	zero := res
	zero.Dependencies = []catalog.Dependency{{Kind: catalog.ProvidedBy, ParentAPSID: "b"}}
	wantInvalid(t, "zero amount", ValidateResource(zero, "ACTIVE", none), ErrInvalidField)

	wantInvalid(t, "tax 101", ValidateTaxRule(catalog.TaxRule{Zone: "Z", Name: "n", Rate: money.FromInt(101)}), ErrInvalidField)
	wantInvalid(t, "reason op", ValidateReasonCode(catalog.ReasonCode{ID: 1, OperationType: "X", Description: map[string]string{"en_US": "x"}}), ErrInvalidField)
	wantInvalid(t, "reason text", ValidateReasonCode(catalog.ReasonCode{ID: 1, OperationType: "STOP_SERVICE"}), ErrInvalidField)
	wantInvalid(t, "promo code", ValidatePromotion(catalog.Promotion{Code: "A B", Name: "n", Type: catalog.Fixed}), ErrInvalidField)
	wantInvalid(t, "promo 120%", ValidatePromotion(catalog.Promotion{Code: "A", Name: "n", Type: catalog.Percent, Value: money.FromInt(120)}), ErrInvalidField)
	wantInvalid(t, "term content", ValidateTerm(catalog.Term{ID: "1", Name: "n"}), ErrInvalidField)

	plan := validPlan()
	wantInvalid(t, "cost 101%", ValidateDelegation(catalog.Delegation{Rule: catalog.CostPercent, Percent: money.FromInt(101)}, plan), ErrInvalidField)
	wantInvalid(t, "cost rule", ValidateDelegation(catalog.Delegation{Rule: "HALF"}, plan), ErrInvalidField)
	wantInvalid(t, "explicit period", ValidateDelegation(catalog.Delegation{Rule: catalog.CostExplicit, Explicit: catalog.ExplicitCosts{
		Periods: []catalog.PeriodCost{{Period: catalog.Period{Unit: catalog.Years, Duration: 1}}}}}, plan), ErrInvalidField)
	one := money.FromInt(1)
	if err := ValidateDelegation(catalog.Delegation{Rule: catalog.CostExplicit, Explicit: catalog.ExplicitCosts{
		Periods:   []catalog.PeriodCost{{Period: catalog.Period{Unit: catalog.Months, Duration: 1}, Recurring: &one}},
		Resources: []catalog.ResourceCost{{ResourceAPSID: "r1", Recurring: &one}}}}, plan); err != nil {
		t.Errorf("valid explicit costs: %v", err)
	}

	prov := account.Account{Type: account.Provider, APSID: "p"}
	cust := account.Account{Type: account.Customer, APSID: "c"}
	ok := account.Account{Type: account.Customer, Status: account.Active, Name: "n", Currency: "USD"}
	if err := ValidateAccount(ok, &prov); err != nil {
		t.Errorf("a valid account: %v", err)
	}
	wantInvalid(t, "below a customer", ValidateAccount(ok, &cust), "InvalidParent")
	second := ok
	second.Type = account.Provider
	wantInvalid(t, "a second provider", ValidateAccount(second, &prov), ErrInvalidField)
	mail := ok
	mail.Email = "not an address"
	wantInvalid(t, "email", ValidateAccount(mail, &prov), ErrInvalidField)

	m := account.PaymentMethod{PaymentSystemID: "S", Name: "n", Type: account.Card, Status: MethodActive, Number: "4111111111111111"}
	wantInvalid(t, "full card number", ValidatePaymentMethod(m), ErrInvalidField)
	m.Number, m.Status, m.Default = "4111********1111", MethodInactive, true
	wantInvalid(t, "inactive default", ValidatePaymentMethod(m), ErrInvalidField)
}

func TestDefaultBillingPeriods(t *testing.T) {
	month, year := catalog.Period{Unit: catalog.Months, Duration: 1}, catalog.Period{Unit: catalog.Years, Duration: 1}
	for _, c := range []struct {
		sub, billing catalog.Period
		want         int
	}{
		{month, month, 1}, {year, month, 12}, {catalog.Period{Unit: catalog.Months, Duration: 3}, month, 3}, {year, year, 1},
		{catalog.Period{Unit: catalog.Days, Duration: 30}, month, 1}, {catalog.Period{Unit: catalog.Days, Duration: 60}, catalog.Period{Unit: catalog.Days, Duration: 30}, 2},
	} {
		if got := DefaultBillingPeriods(c.sub, c.billing); got != c.want {
			t.Errorf("DefaultBillingPeriods(%s, %s) = %d, want %d", c.sub, c.billing, got, c.want)
		}
	}
}
