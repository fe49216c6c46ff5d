package api_test

import (
	"encoding/json"
	"github.com/openbss/openbss/internal/seedexamples"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// The placeOrder examples of seed 002, verbatim: the sales order with its "// …" placeholders
// and the empty entries they stand for removed (the empty upsell, the other plan, and the
// empty specialPricing the seed itself says the API refuses).
const (
	seedSales = `{
   "type": "SALES",
   "accountId" : "3fef9702-b2ad-419a-9924-a56882e5f06c",
   "promoCode": "123",
   "paymentMethodId": "3",
   "products" : [{
         "planId" : "ae0e6e84-0d37-4b17-8f6c-5709633529ab",
         "period" : {
            "unit" : "MONTHS",
            "duration" : 1
         },
         "resources" : [{
            "resourceId" : "1c3ab0be-3160-45a1-a9b4-7824f74673ff",
            "amount" : 40
         }],
         "parameters": [
            {
               "aps": {
               "type": "http://aps-standard.org/samples/vpsdemo/management/1.0"
            },
               "client": "1st APS, inc.",
               "mail": "jsmith@aps.test"
            }
         ],
         "childProducts": [
         ]
      }
   ],
   "attributes": [
      {
         "attributeID": "comments",
         "value": "Requested by the ERP system."
      }
   ],
   "acceptedTerms": [
      "1"
   ]
}`
	seedRenewal            = seedexamples.Renewal
	seedChangeSwitch       = seedexamples.ChangeSwitch
	seedChangeResources    = seedexamples.ChangeResources
	seedCancellation       = seedexamples.Cancellation
	seedCancellationReason = seedexamples.CancellationWithReason
	// seedSpecialSale is the sales order the seed places after its special-pricing estimate.
	seedSpecialSale = seedexamples.PlaceSpecialPricing
)

var seedPlaceExamples = []struct{ name, body string }{
	{"sales", seedSales},
	{"renewal", seedRenewal},
	{"change-switch", seedChangeSwitch},
	{"change-resources", seedChangeResources},
	{"cancellation", seedCancellation},
	{"cancellation-reason", seedCancellationReason},
	{"sales-special-pricing", seedSpecialSale},
}

// wantOrder is what the details of a placed seed example must show.
type wantOrder struct {
	number, typ        string
	internalID         int64
	buyer, seller      string
	total, sub, tax    string
	method             int64
	promo, promoResult string
	subscription       string
	refund, comment    string
	reason             int64
	action, plan       string
	lines              []string
}

// TestPlaceSeedExamples sends every placeOrder example of the seed verbatim with the provider's
// token, then checks each order's details: numbers and ids, parties, totals as {value, code},
// lines, flow status and push targets, provisioning items, comment defaults and attributes.
// The clock is 2019-03-22 10:00 UTC, inside the current billing period of the subscriptions.
func TestPlaceSeedExamples(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		wants := map[string]wantOrder{
			// 40 Users, 20 included: 20 billed at 1.50; promo 123 takes 25% off every line.
			"sales": {number: "SO000001", typ: "SO", internalID: 1000001, buyer: demo.Customer1, seller: demo.ResellerA,
				total: "33.19", sub: "33.19", tax: "0.0", method: 3, promo: "123", promoResult: "APPLIED",
				action: "CREATE", plan: demo.PlanOfferCounter, lines: []string{
					`PLAN_SETUP "Offer-Counter-User Management Project Setup" q=1.0 item x 10.0 USD = 7.5 USD disc=PERCENT/25.0/2.5 tax=0.0 xtax=0.0`,
					`PLAN_RECURRING "Offer-Counter-User Management Project Recurring" q=1.0 item x 4.25 USD = 3.19 USD disc=PERCENT/25.0/1.06 dur=1.0 MONTHS tax=0.0 xtax=0.0`,
					`RESOURCE_RECURRING "Users Recurring" q=20.0 unit x 1.5 USD = 22.5 USD disc=PERCENT/25.0/7.5 dur=1.0 MONTHS tax=0.0 xtax=0.0`,
				}},
			// The next month of the plan (no renewal fee, resources all included).
			"renewal": {number: "RN000001", typ: "RN", internalID: 1000002, buyer: demo.CustomerSubs, seller: demo.ResellerA,
				total: "4.25", sub: "4.25", tax: "0.0", method: 11, subscription: demo.SubVPSDemo,
				action: "RENEW", plan: demo.PlanOfferCounter, lines: []string{
					`PLAN_RECURRING "Offer-Counter-User Management Project Recurring" q=1.0 item x 4.25 USD = 4.25 USD dur=1.0 MONTHS tax=0.0 xtax=0.0`,
				}},
			// Same plan, 3-month period: the unused 21 of 31 days are credited (4.25×21/31 =
			// 2.879… → 2.88) and a new billing cycle starts today (its first month in full).
			"change-switch": {number: "CH000001", typ: "CH", internalID: 1000003, buyer: demo.CustomerSubs, seller: demo.ResellerA,
				total: "1.37", sub: "1.37", tax: "0.0", method: 11, subscription: demo.SubVPSDemo,
				action: "CHANGE", plan: demo.PlanOfferCounter, lines: []string{
					`PLAN_RECURRING_CREDIT "Offer-Counter-User Management Project Recurring Credit" q=-1.0 item x 4.25 USD = -2.88 USD dur=21.0 DAYS tax=0.0 xtax=0.0`,
					`PLAN_RECURRING "Offer-Counter-User Management Project Recurring" q=1.0 item x 4.25 USD = 4.25 USD dur=1.0 MONTHS tax=0.0 xtax=0.0`,
				}},
			// Backup Space 5 → 10 GB at 0.50 per month for the 4 remaining of 28 days
			// (02-26…03-26): 5×0.5×4/28 = 0.357… → 0.36.
			"change-resources": {number: "CH000002", typ: "CH", internalID: 1000004, buyer: demo.CustomerSubs, seller: demo.ResellerA,
				total: "0.36", sub: "0.36", tax: "0.0", method: 11, subscription: demo.SubVIP,
				action: "CHANGE", plan: demo.PlanVIP, lines: []string{
					`RESOURCE_RECURRING "Backup Space Recurring" q=5.0 GB x 0.5 USD = 0.36 USD dur=4.0 DAYS tax=0.0 xtax=0.0`,
				}},
			// The unused 21 of 31 days are owed to the customer: a CL order waiting in NW.
			"cancellation": {number: "CL000001", typ: "CL", internalID: 1000005, buyer: demo.CustomerSubs, seller: demo.ResellerA,
				total: "-2.88", sub: "-2.88", tax: "0.0", method: 11, subscription: demo.SubVPSDemo,
				refund: "CREDIT_MEMO", comment: "Cancelled from API", action: "CANCEL", plan: demo.PlanOfferCounter, lines: []string{
					`PLAN_RECURRING_CREDIT "Offer-Counter-User Management Project Recurring Credit" q=-1.0 item x 4.25 USD = -2.88 USD dur=21.0 DAYS tax=0.0 xtax=0.0`,
				}},
			// Cloud VPSes bills 03-20…04-20: 29 of 31 days unused; 4.25×29/31 = 3.975… → 3.98
			// and 1 VPS above the included one at 1.00: 0.935… → 0.94.
			"cancellation-reason": {number: "CL000002", typ: "CL", internalID: 1000006, buyer: demo.CustomerSubs, seller: demo.ResellerA,
				total: "-4.92", sub: "-4.92", tax: "0.0", method: 11, subscription: demo.SubCloud,
				refund: "CREDIT_MEMO", reason: 14, comment: "Requested through the ERP system.", action: "CANCEL", plan: demo.PlanCloudVPS, lines: []string{
					`PLAN_RECURRING_CREDIT "Cloud VPSes Recurring Credit" q=-1.0 item x 4.25 USD = -3.98 USD dur=29.0 DAYS tax=0.0 xtax=0.0`,
					`RESOURCE_RECURRING_CREDIT "Cloud VPS Recurring Credit" q=-1.0 unit x 1.0 USD = -0.94 USD dur=29.0 DAYS tax=0.0 xtax=0.0`,
				}},
			// The seed's special-pricing sale: its estimate's prices (16.45 with 10% tax).
			"sales-special-pricing": {number: "SO000002", typ: "SO", internalID: 1000007, buyer: demo.CustomerTaxed, seller: demo.ResellerA,
				total: "16.45", sub: "14.95", tax: "1.5", method: 3, promo: "123", promoResult: "APPLIED",
				action: "CREATE", plan: demo.PlanCloudVPS, lines: []string{
					`PLAN_SETUP "Cloud VPSes Setup" q=1.0 item x 1.2 USD = 1.2 USD disc=FIXED/1.2/0.8 tax=0.12 xtax=0.12`,
					`PLAN_RECURRING "Cloud VPSes Recurring" q=1.0 item x 4.25 USD = 4.25 USD dur=1.0 MONTHS tax=0.43 xtax=0.43`,
					`RESOURCE_RECURRING "Cloud VPS Recurring" q=19.0 unit x 0.5 USD = 9.5 USD disc=FIXED/0.5/9.5 dur=1.0 MONTHS tax=0.95 xtax=0.95`,
				}},
		}
		for _, ex := range seedPlaceExamples {
			id := e.place(providerToken, ex.body)
			d := e.details(providerToken, id)
			w := wants[ex.name]
			t.Run(ex.name, func(t *testing.T) { checkSeedOrder(t, d, w) })
		}
	})
}

func checkSeedOrder(t *testing.T, d orderDetails, w wantOrder) {
	wantEqual(t, "orderNumber", d.OrderNumber, w.number)
	wantEqual(t, "type", d.Type, w.typ)
	wantEqual(t, "internalId", d.InternalID, w.internalID)
	wantEqual(t, "buyerId", d.BuyerID, w.buyer)
	wantEqual(t, "sellerId", d.SellerID, w.seller)
	wantEqual(t, "total", d.Total, amountJSON{json.Number(w.total), "USD"})
	wantEqual(t, "subTotal", d.SubTotal, amountJSON{json.Number(w.sub), "USD"})
	wantEqual(t, "taxTotal", d.TaxTotal, amountJSON{json.Number(w.tax), "USD"})
	wantEqual(t, "exclusiveTaxTotal", d.ExclusiveTaxTotal, amountJSON{json.Number(w.tax), "USD"})
	wantEqual(t, "status", d.Status, "NOT_STARTED")
	wantEqual(t, "paymentStatus", d.PaymentStatus, "NOT_STARTED")
	wantEqual(t, "provisioningStatus", d.ProvisioningStatus, "NOT_STARTED")
	wantEqual(t, "ofStatus", d.OfStatus, "NW")
	wantEqual(t, "possiblePushToStatus", strings.Join(d.PossiblePushToStatus, ","), "OP,CL")
	wantEqual(t, "orderDate", d.OrderDate, "2019-03-22")
	wantEqual(t, "expirationDate", d.ExpirationDate, "2019-03-25")
	if !strings.HasPrefix(d.CreationTime, "2019-03-22T10:00:") || !strings.HasSuffix(d.CreationTime, "Z") {
		t.Errorf("creationTime = %q, want 2019-03-22T10:00:…Z", d.CreationTime)
	}
	wantEqual(t, "endCustomerType", d.EndCustomerType, "CUSTOMER")
	if d.PaymentMethodID == nil || *d.PaymentMethodID != w.method {
		t.Errorf("paymentMethodId = %v, want %d", d.PaymentMethodID, w.method)
	}
	wantEqual(t, "promoCode", d.PromoCode, w.promo)
	wantEqual(t, "promoResult", d.PromoResult, w.promoResult)
	wantEqual(t, "subscriptionId", d.SubscriptionID, w.subscription)
	wantEqual(t, "refundType", d.RefundType, w.refund)
	wantEqual(t, "comment", d.Comment, w.comment)
	switch {
	case w.reason == 0 && d.ReasonID != nil:
		t.Errorf("reasonId = %d, want none", *d.ReasonID)
	case w.reason != 0 && (d.ReasonID == nil || *d.ReasonID != w.reason):
		t.Errorf("reasonId = %v, want %d", d.ReasonID, w.reason)
	}
	wantLines(t, "details", lines(d.Details), w.lines)
	for _, l := range d.Details {
		if l.PlanID != w.plan && !strings.HasPrefix(l.Type, "PLAN_RECURRING_CREDIT") {
			t.Errorf("line %s: planId %s, want %s", l.Type, l.PlanID, w.plan)
		}
	}
	if len(d.ProvisioningItems) != 1 {
		t.Fatalf("provisioningItems = %+v, want one", d.ProvisioningItems)
	}
	it := d.ProvisioningItems[0]
	wantEqual(t, "item action", it.Action, w.action)
	wantEqual(t, "item planId", it.PlanID, w.plan)
	wantEqual(t, "item status", it.Status, "NOT_STARTED")
	if w.subscription != "" {
		wantEqual(t, "item subscriptionId", it.SubscriptionID, w.subscription)
		if !slices.Equal(d.BSSSubscriptions, []string{w.subscription}) {
			t.Errorf("bssSubscriptions = %v, want [%s]", d.BSSSubscriptions, w.subscription)
		}
	} else if it.SubscriptionID == "" {
		t.Errorf("a CREATE item must reserve the new subscription's APS id")
	}
}

// TestPlaceSeedExamplesRealClock sends the same examples at the real time, as against
// `openbss serve --demo`: each is accepted (whatever the subscriptions' billing dates).
func TestPlaceSeedExamplesRealClock(t *testing.T) {
	ordersEnginesAt(t, nil, func(t *testing.T, e *ordersEnv) {
		for _, ex := range seedPlaceExamples {
			d := e.details(providerToken, e.place(providerToken, ex.body))
			if d.OfStatus != "NW" || d.Status != "NOT_STARTED" {
				t.Errorf("%s: ofStatus %s, status %s; want NW, NOT_STARTED", ex.name, d.OfStatus, d.Status)
			}
		}
	})
}

// TestPlaceDetails checks details fields beyond the seed examples on one server per engine.
func TestPlaceDetails(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		t.Run("comment defaults", func(t *testing.T) { checkPlaceCancellationCommentDefaults(t, e.with(t)) })
		t.Run("endCustomerAttributes", func(t *testing.T) { checkPlaceDetailsEndCustomerAttributes(t, e.with(t)) })
	})
}

// checkPlaceCancellationCommentDefaults checks the seed's defaults: "No comment" when a reason is
// given without a comment, "Cancelled from API" when neither is.
func checkPlaceCancellationCommentDefaults(t *testing.T, e *ordersEnv) {
	for _, c := range []struct{ sub, extra, comment string }{
		{demo.SubVIP, `, "reasonId": 13`, "No comment"},
		{demo.SubCloud, ``, "Cancelled from API"},
		{demo.SubVPSDemo, `, "reasonId": "14", "comment": "  "`, "No comment"},
	} {
		id := e.place(resellerToken, `{"type": "CANCELLATION", "subscriptionId": "`+c.sub+`", "refundType": "REFUND"`+c.extra+`}`)
		d := e.details(resellerToken, id)
		wantEqual(t, c.sub+" comment", d.Comment, c.comment)
		wantEqual(t, c.sub+" refundType", d.RefundType, "REFUND")
	}
}

// checkPlaceDetailsEndCustomerAttributes checks that the details show the buyer's account
// attributes (the seed's endCustomerAttributes: external_id Smith-123 of 9d086478) and the
// order's own attributes.
func checkPlaceDetailsEndCustomerAttributes(t *testing.T, e *ordersEnv) {
	id := e.place(providerToken, `{"type": "SALES", "accountId": "`+demo.CustomerB+`",
		"products": [{"planId": "`+demo.PlanCloudVPS+`", "period": {"unit": "MONTHS", "duration": 1}}],
		"attributes": [{"attributeID": "ORDER_ID1", "value": "test1234"}, {"attributeID": "comments", "value": "x"}]}`)
	d := e.details(providerToken, id)
	wantEqual(t, "sellerId", d.SellerID, demo.ResellerB)
	wantEqual(t, "endCustomerName", d.EndCustomerName, "John Smith")
	if !slices.Equal(d.EndCustomerAttributes, []attributeJSON{{"external_id", "Smith-123"}}) {
		t.Errorf("endCustomerAttributes = %+v, want [{external_id Smith-123}]", d.EndCustomerAttributes)
	}
	if !slices.Equal(d.OrderAttributes, []attributeJSON{{"ORDER_ID1", "test1234"}, {"comments", "x"}}) {
		t.Errorf("orderAttributes = %+v", d.OrderAttributes)
	}
	wantEqual(t, "paymentMethodId (the reseller's default)", *d.PaymentMethodID, 4)
	// A customer of another reseller does not see it.
	wantProblem(t, e.get(ordersPath+"/"+id, resellerToken), http.StatusNotFound, "NotFound", `order "`+id+`" not found`)
}
