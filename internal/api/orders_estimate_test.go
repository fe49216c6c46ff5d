package api_test

import (
	"encoding/json"
	"fmt"
	"github.com/openbss/openbss/internal/seedexamples"
	"net/http"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// The estimate examples of seed 002, verbatim.
const (
	seedEstimate        = seedexamples.Estimate
	seedEstimateSpecial = seedexamples.EstimateSpecialPricing
	seedTermsConditions = seedexamples.TermsConditions
)

// estimateJSON is the estimate shape: bare numbers.
type estimateJSON struct {
	PromoResult       string         `json:"promoResult"`
	Total             json.Number    `json:"total"`
	SubTotal          json.Number    `json:"subTotal"`
	TaxTotal          json.Number    `json:"taxTotal"`
	ExclusiveTaxTotal json.Number    `json:"exclusiveTaxTotal"`
	Details           []estimateLine `json:"details"`
}

type estimateLine struct {
	Type               string        `json:"type"`
	PlanID             string        `json:"planId"`
	Period             periodJSON    `json:"period"`
	ResourceID         string        `json:"resourceId"`
	Duration           *periodJSON   `json:"duration"`
	Description        string        `json:"description"`
	Quantity           json.Number   `json:"quantity"`
	LowerBound         json.Number   `json:"lowerBound"`
	UnitOfMeasure      string        `json:"unitOfMeasure"`
	UnitPrice          json.Number   `json:"unitPrice"`
	ExtendedPrice      json.Number   `json:"extendedPrice"`
	Discount           *discountJSON `json:"discount"`
	TaxAmount          json.Number   `json:"taxAmount"`
	ExclusiveTaxAmount json.Number   `json:"exclusiveTaxAmount"`
}

// String renders a line as the seed prints it, field by field in its order.
func (l estimateLine) String() string {
	s := fmt.Sprintf("%s plan=%s period=%s %s", l.Type, l.PlanID, l.Period.Duration, l.Period.Unit)
	if l.ResourceID != "" {
		s += " resource=" + l.ResourceID
	}
	if l.Duration != nil {
		s += fmt.Sprintf(" duration=%s %s", l.Duration.Duration, l.Duration.Unit)
	}
	s += fmt.Sprintf(" %q quantity=%s lowerBound=%s %s unitPrice=%s extendedPrice=%s", l.Description, l.Quantity,
		l.LowerBound, l.UnitOfMeasure, l.UnitPrice, l.ExtendedPrice)
	if l.Discount != nil {
		s += fmt.Sprintf(" discount=%s/%s/%s", l.Discount.Type, l.Discount.Value, l.Discount.Amount)
	}
	return s + fmt.Sprintf(" taxAmount=%s exclusiveTaxAmount=%s", l.TaxAmount, l.ExclusiveTaxAmount)
}

// TestEstimate runs the estimate, estimateCosts and termsconditions examples on one demo
// server per engine: none of them writes an order.
func TestEstimate(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		for _, g := range []struct {
			name string
			fn   func(t *testing.T, e *ordersEnv)
		}{
			{"estimate", checkEstimateSeedExamples},
			{"estimateCosts", checkEstimateCosts},
			{"termsconditions", checkTermsConditions},
		} {
			t.Run(g.name, func(t *testing.T) { g.fn(t, e.with(t)) })
		}
		wantEqual(t, "orders after estimates", e.count("orders"), 0)
	})
}

func (e *ordersEnv) estimate(path, token, body string) estimateJSON {
	e.t.Helper()
	r := e.post(path, token, body)
	if r.status != http.StatusOK {
		e.t.Fatalf("POST %s: %d %s", path, r.status, r.body)
	}
	var est estimateJSON
	decode(e.t, r.body, &est)
	return est
}

func wantEstimate(t *testing.T, got estimateJSON, promo, total, sub, tax string, want []string) {
	t.Helper()
	wantEqual(t, "promoResult", got.PromoResult, promo)
	wantEqual(t, "total", got.Total, json.Number(total))
	wantEqual(t, "subTotal", got.SubTotal, json.Number(sub))
	wantEqual(t, "taxTotal", got.TaxTotal, json.Number(tax))
	wantEqual(t, "exclusiveTaxTotal", got.ExclusiveTaxTotal, json.Number(tax))
	ls := make([]string, len(got.Details))
	for i, l := range got.Details {
		ls[i] = l.String()
	}
	wantLines(t, "estimate", ls, want)
}

const (
	vps     = "plan=6b64da9a-f8e6-4cbd-8aef-de304a27b627 period=1 MONTHS"
	vpsUnit = " resource=2f8905f8-4302-49d7-ab7f-65c9036addf0"
)

// checkEstimateSeedExamples checks that both estimate examples of the seed give exactly the
// seed's totals and lines (with exact decimals, and the resource's name where the original
// printed "null": docs/deviations.md), with and without taxes, as the provider and as the
// buyer's reseller.
func checkEstimateSeedExamples(t *testing.T, e *ordersEnv) {
	for _, tok := range []string{providerToken, resellerToken} {
		got := e.estimate(ordersPath+"/estimate", tok, seedEstimate)
		wantEstimate(t, got, "APPLIED", "20.84", "18.94", "1.9", []string{
			`PLAN_SETUP ` + vps + ` "Cloud VPSes Setup" quantity=1.0 lowerBound=0.0 item unitPrice=2.0 extendedPrice=1.5 discount=PERCENT/25.0/0.5 taxAmount=0.15 exclusiveTaxAmount=0.15`,
			`PLAN_RECURRING ` + vps + ` duration=1.0 MONTHS "Cloud VPSes Recurring" quantity=1.0 lowerBound=0.0 item unitPrice=4.25 extendedPrice=3.19 discount=PERCENT/25.0/1.06 taxAmount=0.32 exclusiveTaxAmount=0.32`,
			`RESOURCE_RECURRING ` + vps + vpsUnit + ` duration=1.0 MONTHS "Cloud VPS Recurring" quantity=19.0 lowerBound=0.0 unit unitPrice=1.0 extendedPrice=14.25 discount=PERCENT/25.0/4.75 taxAmount=1.43 exclusiveTaxAmount=1.43`,
		})
	}
	// The seed's second example is the provider's: it sets the reseller's costs too.
	got := e.estimate(ordersPath+"/estimate", providerToken, seedEstimateSpecial)
	wantEstimate(t, got, "APPLIED", "16.45", "14.95", "1.5", []string{
		`PLAN_SETUP ` + vps + ` "Cloud VPSes Setup" quantity=1.0 lowerBound=0.0 item unitPrice=1.2 extendedPrice=1.2 discount=FIXED/1.2/0.8 taxAmount=0.12 exclusiveTaxAmount=0.12`,
		`PLAN_RECURRING ` + vps + ` duration=1.0 MONTHS "Cloud VPSes Recurring" quantity=1.0 lowerBound=0.0 item unitPrice=4.25 extendedPrice=4.25 taxAmount=0.43 exclusiveTaxAmount=0.43`,
		`RESOURCE_RECURRING ` + vps + vpsUnit + ` duration=1.0 MONTHS "Cloud VPS Recurring" quantity=19.0 lowerBound=0.0 unit unitPrice=0.5 extendedPrice=9.5 discount=FIXED/0.5/9.5 taxAmount=0.95 exclusiveTaxAmount=0.95`,
	})
	// The reseller may not set its own costs (seed: only its ancestors may).
	wantProblem(t, e.post(ordersPath+"/estimate", resellerToken, seedEstimateSpecial), http.StatusForbidden, "CostsNotAllowed",
		"specialPricing: only the provider or a reseller above the buyer's seller may set costs; account '"+demo.ResellerA+"' may not")

	got = e.estimate(ordersPath+"/estimate?includeTaxes=false", providerToken, seedEstimate)
	wantEstimate(t, got, "APPLIED", "18.94", "18.94", "0.0", []string{
		`PLAN_SETUP ` + vps + ` "Cloud VPSes Setup" quantity=1.0 lowerBound=0.0 item unitPrice=2.0 extendedPrice=1.5 discount=PERCENT/25.0/0.5 taxAmount=0.0 exclusiveTaxAmount=0.0`,
		`PLAN_RECURRING ` + vps + ` duration=1.0 MONTHS "Cloud VPSes Recurring" quantity=1.0 lowerBound=0.0 item unitPrice=4.25 extendedPrice=3.19 discount=PERCENT/25.0/1.06 taxAmount=0.0 exclusiveTaxAmount=0.0`,
		`RESOURCE_RECURRING ` + vps + vpsUnit + ` duration=1.0 MONTHS "Cloud VPS Recurring" quantity=19.0 lowerBound=0.0 unit unitPrice=1.0 extendedPrice=14.25 discount=PERCENT/25.0/4.75 taxAmount=0.0 exclusiveTaxAmount=0.0`,
	})
	got = e.estimate(ordersPath+"/estimate?includeTaxes=true", providerToken, seedEstimate)
	wantEqual(t, "total with includeTaxes=true", got.Total, "20.84")
	wantProblem(t, e.post(ordersPath+"/estimate?includeTaxes=maybe", providerToken, seedEstimate),
		http.StatusBadRequest, "InvalidParameter", `includeTaxes must be true or false, not "maybe"`)

}

// checkEstimateCosts checks estimateCosts for customer 00b60056: its reseller c0d43087 pays
// its parent 90% of the spot prices of every demo plan (a 10% PERCENT delegation), without the
// customer's promo and taxes; special costs replace the delegation's rule where given.
func checkEstimateCosts(t *testing.T, e *ordersEnv) {
	got := e.estimate(ordersPath+"/estimateCosts", providerToken, seedEstimate)
	wantEstimate(t, got, "", "22.72", "22.72", "0.0", []string{
		`PLAN_SETUP ` + vps + ` "Cloud VPSes Setup" quantity=1.0 lowerBound=0.0 item unitPrice=2.0 extendedPrice=1.8 discount=PERCENT/10.0/0.2 taxAmount=0.0 exclusiveTaxAmount=0.0`,
		`PLAN_RECURRING ` + vps + ` duration=1.0 MONTHS "Cloud VPSes Recurring" quantity=1.0 lowerBound=0.0 item unitPrice=4.25 extendedPrice=3.82 discount=PERCENT/10.0/0.43 taxAmount=0.0 exclusiveTaxAmount=0.0`,
		`RESOURCE_RECURRING ` + vps + vpsUnit + ` duration=1.0 MONTHS "Cloud VPS Recurring" quantity=19.0 lowerBound=0.0 unit unitPrice=1.0 extendedPrice=17.1 discount=PERCENT/10.0/1.9 taxAmount=0.0 exclusiveTaxAmount=0.0`,
	})
	// The reseller itself may ask what it pays.
	wantEqual(t, "reseller's estimateCosts total", e.estimate(ordersPath+"/estimateCosts", resellerToken, seedEstimate).Total, "22.72")

	// Special costs: setup 1.00, recurring 14.00, 19 VPS at 0.30.
	got = e.estimate(ordersPath+"/estimateCosts", providerToken, seedEstimateSpecial)
	wantEqual(t, "special costs total", got.Total, "20.7")

	// A reseller buying from the provider has no reseller paying a cost.
	wantProblem(t, e.post(ordersPath+"/estimateCosts", providerToken, `{"type": "SALES", "accountId": "`+demo.ResellerA+`",
		"products": [{"planId": "`+demo.PlanCloudVPS+`", "period": {"unit": "MONTHS", "duration": 1}}]}`),
		http.StatusUnprocessableEntity, "NoReseller", "account '"+demo.ResellerA+"' buys directly from the provider: no reseller pays a cost for its orders")
	// A reseller may not set its own costs.
	wantProblem(t, e.post(ordersPath+"/estimateCosts", resellerToken, seedEstimateSpecial), http.StatusForbidden, "CostsNotAllowed",
		"specialPricing: only the provider or a reseller above the buyer's seller may set costs; account '"+demo.ResellerA+"' may not")
	// The customer cannot see 00b60056.
	wantProblem(t, e.post(ordersPath+"/estimateCosts", customerToken, seedEstimate), http.StatusUnprocessableEntity,
		"MissingCustomerAccount", `Missing customer account: "`+demo.CustomerTaxed+`"`)
}

// checkTermsConditions sends the seed's termsconditions example: plan ebf17799 carries term "1".
func checkTermsConditions(t *testing.T, e *ordersEnv) {
	r := e.post(ordersPath+"/termsconditions", providerToken, seedTermsConditions)
	if r.status != http.StatusOK {
		t.Fatalf("termsconditions: %d %s", r.status, r.body)
	}
	var terms []map[string]string
	decode(t, r.body, &terms)
	want := "<h1>Cloud SaaS</h1>\r\n<h2>Introduction</h2>\r\nLorem ipsum ut porttitor sagittis.\r\n" +
		"<h2>Intellectual Properties</h2>\r\nConvallis interdum porttitor ante hendrerit.\r\n" +
		"<h2>Restrictions</h2>\r\nAc auctor duis curae magna."
	if len(terms) != 1 || len(terms[0]) != 3 || terms[0]["termId"] != "1" || terms[0]["name"] != "Terms and Conditions" || terms[0]["content"] != want {
		t.Errorf("terms = %q", terms)
	}
	// A plan without terms: an empty list, not null.
	r = e.post(ordersPath+"/termsconditions", providerToken, `{"type": "SALES", "accountId": "`+demo.Customer1+`",
		"products": [{"planId": "`+demo.PlanCloudVPS+`", "period": {"unit": "MONTHS", "duration": 1}}]}`)
	wantEqual(t, "terms of Cloud VPSes", string(r.body), "[]\n")
	// An unknown plan is refused like on placeOrder.
	wantProblem(t, e.post(ordersPath+"/termsconditions", providerToken, `{"type": "SALES", "accountId": "`+demo.Customer1+`",
		"products": [{"planId": "11111111-2222-3333-4444-555555555555", "period": {"unit": "MONTHS", "duration": 1}}]}`),
		http.StatusUnprocessableEntity, "PlanNotAvailable", `service plan "11111111-2222-3333-4444-555555555555" is not available for this account`)
}
