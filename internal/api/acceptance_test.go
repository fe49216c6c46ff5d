package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// The acceptance of issue 2, literally: the examples of seed 002 against the demo data set.

func demoSeedAccountLookup(t *testing.T, c *client) {
	items, r := c.list("/aps/2/collections/accounts?eq(id,1000001)", accountShape, asProvider)
	if r.status != http.StatusOK {
		t.Errorf("status %d, want 200 (the whole set fits)", r.status)
	}
	if len(items) != 1 {
		t.Fatalf("eq(id,1000001) returned %d accounts, want 1: %s", len(items), r.body)
	}
	want := parseJSON(t, "seed", []byte(`{"aps": {"id": "3fef9702-b2ad-419a-9924-a56882e5f06c",
		"type": "http://parallels.com/aps/types/pa/account/1.2", "status": "aps:ready"}, "id": 1000001}`))
	for _, p := range matches("account", items[0], want) {
		t.Error(p)
	}
	if got := r.header.Get("Content-Range"); got != "items 0-0/1" {
		t.Errorf("Content-Range %q, want items 0-0/1", got)
	}
	// The seed's account is a customer of reseller c0d43087.
	for _, p := range matches("account", items[0], parseJSON(t, "parent", []byte(`{"type": "CUSTOMER", "status": "ACTIVE",
		"parent": {"aps": {"id": "c0d43087-da72-472a-a176-84a34608979f"}}}`))) {
		t.Error(p)
	}
}

// seedPaymentMethods is the response of seed 002 "Identify Payment Methods", verbatim.
const seedPaymentMethods = `[
   {
      "id": 3,
      "paymentSystemId": "Demo.Redirect",
      "paymentSystem": "Demo Payment Gateway",
      "ownerAccountId": null,
      "number": null,
      "name": "Demo Payment Gateway",
      "type": "EXTERNAL",
      "perCustomer": false,
      "status": "ACTIVE",
      "ratified": "NOT_REQUIRED",
      "defaultMethod": true
   },
   {
      "id": 0,
      "paymentSystemId": "Check/Cash",
      "paymentSystem": "Check/Cash",
      "ownerAccountId": null,
      "number": null,
      "name": "Check/Cash",
      "type": "MANUAL",
      "perCustomer": false,
      "status": "ACTIVE",
      "ratified": "NOT_REQUIRED",
      "defaultMethod": false
   }
]`

func demoSeedPaymentMethods(t *testing.T, c *client) {
	const path = "/aps/2/services/payment-method-manager/paymentMethods?accountId=" + demo.Customer1
	for _, who := range [][2]string{asProvider, asReseller, asCustomer} {
		r := c.get(path, who)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", who[1], r.status, r.body)
		}
		got := parseJSON(t, path, r.body)
		for i, m := range got.([]any) {
			for _, p := range validate("paymentMethods", m, paymentMethodShape) {
				t.Errorf("[%d] %s", i, p)
			}
		}
		if want := parseJSON(t, "seed", []byte(seedPaymentMethods)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: payment methods of 3fef9702:\n got  %s\n want the seed's %s", who[1], r.body, seedPaymentMethods)
		}
	}
	// Without accountId: the caller's own account.
	r := c.get("/aps/2/services/payment-method-manager/paymentMethods", asCustomer)
	if want := parseJSON(t, "seed", []byte(seedPaymentMethods)); r.status != http.StatusOK || !reflect.DeepEqual(parseJSON(t, "own", r.body), want) {
		t.Errorf("customer's own payment methods: %d %s", r.status, r.body)
	}
	// d7dd06ef has its own card 11, the default; the vendor's 3 is then not the default.
	r = c.get("/aps/2/services/payment-method-manager/paymentMethods?accountId="+demo.CustomerSubs, asProvider)
	got := parseJSON(t, "d7dd06ef", r.body).([]any)
	var ids []string
	var defaults []bool
	for _, m := range got {
		m := m.(map[string]any)
		ids = append(ids, m["id"].(interface{ String() string }).String())
		defaults = append(defaults, m["defaultMethod"].(bool))
	}
	if !slices.Equal(ids, []string{"11", "3", "0"}) || !slices.Equal(defaults, []bool{true, false, false}) {
		t.Errorf("d7dd06ef's methods %v defaults %v, want [11 3 0] [true false false]", ids, defaults)
	}
	for _, p := range matches("card", got[0], parseJSON(t, "card", []byte(`{"ownerAccountId": "`+demo.CustomerSubs+
		`", "perCustomer": true, "number": "4111********1111", "type": "EXTERNAL"}`))) {
		t.Error(p)
	}
}

// seedPlan is the part of the service plan ae0e6e84 that seed 002 "Identify Service Plans"
// prints (its "/* ... */" elisions removed).
const seedPlan = `{
   "aps": {
      "id": "ae0e6e84-0d37-4b17-8f6c-5709633529ab",
      "type": "http://www.odin.com/billing/ServicePlan/1.0",
      "status": "aps:ready"
   },
   "name": {
      "en_US": "Offer-Counter-User Management Project"
   },
   "billingTerms": {
      "pricingModel": "PM_FIXED_PRICE",
      "period": {
         "duration": 1,
         "unit": "MONTHS"
      },
      "autorenewal": {
         "days": 0,
         "type": "DISABLED"
      },
      "model": "CHARGE_BEFORE_BILLING_PERIOD",
      "recurringPricesEvery": "MONTH"
   },
   "subscriptionPeriods": [
      {
         "autoRenewalPeriod": {
            "unit": "MONTHS",
            "duration": 1
         },
         "numberOfBillingPeriods": 1,
         "trial": false,
         "defaultPeriod": false,
         "fees": {
            "setup": {"price": {"value": "10.0", "code": "USD"}},
            "recurring": {"price": {"value": "4.25", "code": "USD"}},
            "renewal": {"price": {"value": "0.0", "code": "USD"}},
            "deposit": {}
         },
         "refund": {}
      }
   ],
   "resourceRates": [
      {
         "resourceId": "1c3ab0be-3160-45a1-a9b4-7824f74673ff",
         "units": {"included": 20.0, "min": 0.0, "max": -1.0},
         "fees": {
            "setup": {"price": {"value": "0.0", "code": "USD"}},
            "recurring": {"price": {"value": "1.5", "code": "USD"}, "chargePerUnit": true}
         }
      },
      {
         "resourceId": "7205fd93-9768-480c-956b-58f54aac7247",
         "units": {"included": 10.0, "min": 0.0, "max": -1.0},
         "fees": {
            "setup": {"price": {"value": "0.0", "code": "USD"}},
            "recurring": {"price": {"value": "1.5", "code": "USD"}, "chargePerUnit": true}
         }
      }
   ]
}`

func demoSeedServicePlans(t *testing.T, c *client) {
	for _, who := range [][2]string{asProvider, asReseller, asCustomer} {
		items, r := c.list("/aps/2/collections/service-plans", planShape, who)
		if r.status != http.StatusOK || r.header.Get("Content-Range") != "items 0-3/4" {
			t.Errorf("%s: status %d Content-Range %q, want 200 items 0-3/4", who[1], r.status, r.header.Get("Content-Range"))
		}
		want := []string{demo.PlanSaaS, demo.PlanOfferCounter, demo.PlanCloudVPS, demo.PlanVIP}
		if got := apsIDs(items); !slices.Equal(sorted(got), sorted(want)) {
			t.Fatalf("%s: plans %v, want %v", who[1], got, want)
		}
		i := slices.Index(apsIDs(items), demo.PlanOfferCounter)
		for _, p := range matches("ae0e6e84", items[i], parseJSON(t, "seed", []byte(seedPlan))) {
			t.Errorf("%s: %s", who[1], p)
		}
	}
	// The change example needs a 3-month period too; Cloud VPSes and VIP are as issue 2 says.
	one := func(id string) map[string]any {
		items, _ := c.list("/aps/2/collections/service-plans?eq(aps.id,"+id+")", planShape, asProvider)
		if len(items) != 1 {
			t.Fatalf("eq(aps.id,%s): %d plans", id, len(items))
		}
		return items[0]
	}
	for _, p := range matches("ae0e6e84", one(demo.PlanOfferCounter), parseJSON(t, "3 months", []byte(`{"subscriptionPeriods": [{},
		{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 3}}], "upsells": [{"aps": {"id": "`+demo.PlanSaaS+`"}}]}`))) {
		t.Error(p)
	}
	for _, p := range matches("6b64da9a", one(demo.PlanCloudVPS), parseJSON(t, "vps", []byte(`{"name": {"en_US": "Cloud VPSes"},
		"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 1},
			"fees": {"setup": {"price": {"value": "2.0", "code": "USD"}}, "recurring": {"price": {"value": "4.25", "code": "USD"}}}}],
		"resourceRates": [{"resourceId": "`+demo.ResVPS+`", "units": {"included": 1.0},
			"fees": {"recurring": {"price": {"value": "1.0", "code": "USD"}, "chargePerUnit": true}}}]}`))) {
		t.Error(p)
	}
	for _, p := range matches("67216414", one(demo.PlanVIP), parseJSON(t, "vip", []byte(`{"name": {"en_US": "VIP Maintenance and Support"},
		"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "YEARS", "duration": 1}}],
		"resourceRates": [{"resourceId": "`+demo.ResDisk+`", "name": "Disk Space", "unitOfMeasure": "GB"}]}`))) {
		t.Error(p)
	}
	for _, p := range matches("ebf17799", one(demo.PlanSaaS), parseJSON(t, "saas", []byte(`{"serviceTerms": ["1"]}`))) {
		t.Error(p)
	}
}

// seedSubscription is the subscription of seed 002 "Identify Subscriptions".
const seedSubscription = `{
   "aps": {
   "id": "456808a0-b5a6-4092-ab67-b77e33743a07",
   "type": "http://www.odin.com/billing/Subscription/1.0",
                  "status": "aps:ready"
   },
   "billingTerms": {
      "billingPeriod": {
         "duration": 1,
         "unit": "MONTHS"
      },
      "billingModel": "CHARGE_BEFORE_BILLING_PERIOD",
      "freezePrices": false,
      "autoRenewal": {
         "type": "DISABLED"
      }
   },
   "serviceGate": "PEMGATE",
   "trial": false,
   "nextBillDate": "2019-04-12",
   "subscriptionPeriod": {
      "duration": 1,
      "unit": "MONTHS"
   },
   "serviceStatus": "ACTIVE",
   "name": "VPS Demo Services",
   "lastBillDate": "2019-03-12",
   "subscriptionId": 1000001,
   "autoRenewEnabled": false,
   "startDate": "2019-03-12",
   "expirationDate": "2019-04-12",
   "status": "ACTIVE"
}`

func demoSeedSubscriptions(t *testing.T, c *client) {
	const path = "/aps/2/collections/bss-subscriptions?eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)"
	items, r := c.list(path, subscriptionShape, asProvider)
	if r.status != http.StatusOK {
		t.Errorf("status %d, want 200", r.status)
	}
	if got, want := apsIDs(items), []string{demo.SubVPSDemo, demo.SubVIP, demo.SubCloud}; !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("d7dd06ef's subscriptions %v, want %v", got, want)
	}
	i := slices.Index(apsIDs(items), demo.SubVPSDemo)
	for _, p := range matches("456808a0", items[i], parseJSON(t, "seed", []byte(seedSubscription))) {
		t.Error(p)
	}
	for _, p := range matches("456808a0", items[i], parseJSON(t, "links", []byte(`{"account": {"aps": {"id": "`+demo.CustomerSubs+
		`"}}, "plan": {"aps": {"id": "`+demo.PlanOfferCounter+`"}}}`))) {
		t.Error(p)
	}
	// One subscription by id; the same representation.
	r = c.get("/aps/2/collections/bss-subscriptions/"+demo.SubVPSDemo, asReseller)
	if r.status != http.StatusOK {
		t.Fatalf("GET bss-subscriptions/456808a0: %d %s", r.status, r.body)
	}
	for _, p := range matches("456808a0", parseJSON(t, "one", r.body), parseJSON(t, "seed", []byte(seedSubscription))) {
		t.Error(p)
	}
	// 4c867c87 holds resource bf8ea705.
	items, _ = c.list("/aps/2/collections/bss-subscriptions?eq(aps.id,"+demo.SubVIP+")", subscriptionShape, asProvider)
	if len(items) != 1 {
		t.Fatalf("eq(aps.id,4c867c87): %d items", len(items))
	}
	var res []string
	for _, x := range items[0]["resources"].([]any) {
		res = append(res, x.(map[string]any)["resourceId"].(string))
	}
	if !slices.Contains(res, demo.ResBackup) {
		t.Errorf("4c867c87 resources %v, want %s among them", res, demo.ResBackup)
	}
}

// seedReasonCodes is seed 002 "Cancellation Reasons", in its order.
var seedReasonCodes = []struct {
	id   int
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
}

func demoSeedReasonCodes(t *testing.T, c *client) {
	for _, q := range []string{"", "CANCEL_BY_VENDOR"} {
		path := "/aps/2/services/order-manager/reasonCodes"
		if q != "" {
			path += "?operationType=" + q
		}
		r := c.get(path, asCustomer)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var want []any
		for _, rc := range seedReasonCodes {
			if q == "" || rc.op == q {
				want = append(want, map[string]any{"reasonId": float64(rc.id),
					"description": map[string]any{"en_US": rc.desc}, "operationType": rc.op})
			}
		}
		var got []any
		if err := jsonUnmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			for _, p := range validate("reasonCodes", parseJSON(t, "rc", mustJSON(t, g)), reasonCodeShape) {
				t.Errorf("[%d] %s", i, p)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s:\n got  %s\n want %v", path, r.body, want)
		}
	}
}
