package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

type admPlan struct {
	APS struct {
		ID string `json:"id"`
	} `json:"aps"`
	Name                map[string]string `json:"name"`
	Status              string            `json:"status"`
	Version             int               `json:"version"`
	SubscriptionPeriods []struct {
		NumberOfBillingPeriods int `json:"numberOfBillingPeriods"`
		Fees                   struct {
			Recurring struct {
				Price struct {
					Value string `json:"value"`
				} `json:"price"`
			} `json:"recurring"`
		} `json:"fees"`
	} `json:"subscriptionPeriods"`
	ResourceRates []struct {
		ResourceID string `json:"resourceId"`
		Name       string `json:"name"`
		Units      struct {
			Included json.Number `json:"included"`
			Max      json.Number `json:"max"`
		} `json:"units"`
	} `json:"resourceRates"`
}

// A plan with two resources and a dependency, created through the API, sells; changing its
// price makes a new version without touching the order already placed; deactivating it stops
// new sales only.
func TestAdminPlansAndVersions(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		var mailbox, archive struct {
			APS struct {
				ID string `json:"id"`
			} `json:"aps"`
			Dependencies []struct {
				Kind       string `json:"kind"`
				ResourceID string `json:"resourceId"`
			} `json:"dependencies"`
		}
		e.must(http.StatusCreated, "POST", admColl+"/resources", demo.ProviderToken, admObj{"name": "Mailbox", "unitOfMeasure": "unit"}, &mailbox)
		e.must(http.StatusCreated, "POST", admColl+"/resources", demo.ProviderToken, admObj{"name": "Archive", "unitOfMeasure": "GB",
			"dependencies": []admObj{{"kind": "REQUIRES", "resourceId": mailbox.APS.ID, "amount": 1}}}, &archive)
		if len(archive.Dependencies) != 1 || archive.Dependencies[0].ResourceID != mailbox.APS.ID {
			t.Errorf("archive dependencies: %+v", archive.Dependencies)
		}
		// A dependency cycle is refused.
		e.refused(http.StatusUnprocessableEntity, "DependencyCycle", "PUT", admColl+"/resources/"+mailbox.APS.ID, demo.ProviderToken,
			admObj{"dependencies": []admObj{{"kind": "REQUIRES", "resourceId": archive.APS.ID, "amount": 1}}})

		planBody := admObj{"name": admObj{"en_US": "Mail"}, "serviceTerms": []string{"1"},
			"subscriptionPeriods": []admObj{
				{"autoRenewalPeriod": admObj{"unit": "MONTHS", "duration": 1}, "fees": admObj{"recurring": admObj{"price": admObj{"value": "10"}}}},
				{"autoRenewalPeriod": admObj{"unit": "YEARS", "duration": 1}, "fees": admObj{"recurring": admObj{"price": admObj{"value": "9"}}}},
			},
			"resourceRates": []admObj{
				{"resourceId": mailbox.APS.ID, "units": admObj{"included": 1}, "fees": admObj{"recurring": admObj{"price": admObj{"value": "2"}}}},
				{"resourceId": archive.APS.ID, "fees": admObj{"recurring": admObj{"price": admObj{"value": "0.1"}}}},
			}}
		var plan admPlan
		e.must(http.StatusCreated, "POST", admColl+"/service-plans", demo.ProviderToken, planBody, &plan)
		if plan.Name["en_US"] != "Mail" || plan.Status != "ACTIVE" || plan.Version != 1 || len(plan.ResourceRates) != 2 ||
			plan.ResourceRates[0].Name != "Mailbox" || plan.ResourceRates[1].Units.Max != "-1.0" || plan.SubscriptionPeriods[1].NumberOfBillingPeriods != 12 {
			t.Errorf("created plan: %+v", plan)
		}
		id := plan.APS.ID
		e.must(http.StatusCreated, "PUT", admColl+"/accounts/"+demo.ResellerA+"/delegations/"+id, demo.ProviderToken,
			admObj{"costRule": "PERCENT", "costPercent": 15}, nil)

		om := "/aps/2/services/order-manager/orders"
		sale := func(mail, arch int) string {
			b, _ := json.Marshal(admObj{"type": "SALES", "accountId": demo.Customer1, "acceptedTerms": []string{"1"},
				"products": []admObj{{"planId": id, "period": admObj{"unit": "MONTHS", "duration": 1},
					"resources": []admObj{{"resourceId": mailbox.APS.ID, "amount": mail}, {"resourceId": archive.APS.ID, "amount": arch}}}}})
			return string(b)
		}
		// 10 + 2×(3−1) + 0.1×20 = 16.
		var est struct {
			Total json.Number `json:"total"`
		}
		e.must(http.StatusOK, "POST", om+"/estimate", demo.ResellerToken, sale(3, 20), &est)
		if est.Total != "16.0" && est.Total != "16" {
			t.Errorf("estimate total %s, want 16", est.Total)
		}
		e.refused(http.StatusUnprocessableEntity, "", "POST", om+"/estimate", demo.ResellerToken, `{"type": "SALES", "accountId": "`+
			demo.Customer1+`", "acceptedTerms": ["1"], "products": [{"planId": "`+id+`", "period": {"unit": "MONTHS", "duration": 1},
			"resources": [{"resourceId": "`+archive.APS.ID+`", "amount": 5}, {"resourceId": "`+mailbox.APS.ID+`", "amount": 0}]}]}`)
		var placed struct {
			OrderID string `json:"orderId"`
		}
		e.must(http.StatusOK, "POST", om, demo.ResellerToken, sale(3, 20), &placed)

		// A new price: version 2; the order keeps its lines.
		e.must(http.StatusOK, "PUT", admColl+"/service-plans/"+id, demo.ProviderToken,
			`{"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 1}, "fees": {"recurring": {"price": {"value": "12"}}}}]}`, &plan)
		if plan.Version != 2 || len(plan.SubscriptionPeriods) != 1 || plan.SubscriptionPeriods[0].Fees.Recurring.Price.Value != "12.0" ||
			len(plan.ResourceRates) != 2 {
			t.Errorf("plan after the price change: %+v", plan)
		}
		var order struct {
			Total struct {
				Value json.Number `json:"value"`
			} `json:"total"`
		}
		e.must(http.StatusOK, "GET", om+"/"+placed.OrderID, demo.ResellerToken, nil, &order)
		if v := order.Total.Value; v != "16.0" && v != "16" {
			t.Errorf("the placed order's total became %s after the price change, want 16", v)
		}
		e.must(http.StatusOK, "POST", om+"/estimate", demo.ResellerToken, sale(3, 20), &est)
		if est.Total != "18.0" && est.Total != "18" {
			t.Errorf("estimate after the price change %s, want 18", est.Total)
		}
		// A rename alone is no new version.
		e.must(http.StatusOK, "PUT", admColl+"/service-plans/"+id, demo.ProviderToken, admObj{"status": "ACTIVE"}, &plan)
		if plan.Version != 2 {
			t.Errorf("a no-op update made version %d", plan.Version)
		}
		var versions []struct {
			Version int `json:"version"`
			Content struct {
				Periods []struct {
					Recurring json.Number `json:"recurring"`
				} `json:"periods"`
			} `json:"content"`
		}
		e.must(http.StatusOK, "GET", admColl+"/service-plans/"+id+"/versions", e.token(demo.ResellerA, "admin"), nil, nil)
		e.must(http.StatusOK, "GET", admColl+"/service-plans/"+id+"/versions", demo.ProviderToken, nil, &versions)
		if len(versions) != 2 || versions[0].Content.Periods[0].Recurring != "10.0" || versions[1].Content.Periods[0].Recurring != "12.0" {
			t.Errorf("versions: %+v", versions)
		}

		// Deactivated: no new sales; the reseller still sees it for its subscribers.
		e.must(http.StatusOK, "DELETE", admColl+"/service-plans/"+id, demo.ProviderToken, nil, &plan)
		if plan.Status != "INACTIVE" {
			t.Errorf("deactivated plan status %q", plan.Status)
		}
		e.refused(http.StatusUnprocessableEntity, "PlanNotAvailable", "POST", om, demo.ResellerToken, sale(3, 20))
		e.must(http.StatusOK, "GET", admColl+"/service-plans/"+id, demo.ResellerToken, nil, nil)
		// Its subscribers keep renewing: deactivate the plan of the seed's subscription and renew it.
		e.must(http.StatusOK, "DELETE", admColl+"/service-plans/"+demo.PlanOfferCounter, demo.ProviderToken, nil, nil)
		renewal := `{"type": "RENEWAL", "subscriptionId": "` + demo.SubVPSDemo + `", "paymentMethodId": "11", "period": {"unit": "MONTHS", "duration": 1}}`
		e.must(http.StatusOK, "POST", om+"/estimate", demo.ResellerToken, renewal, nil)
		e.must(http.StatusOK, "POST", om, demo.ResellerToken, renewal, nil)
		e.refused(http.StatusUnprocessableEntity, "PlanNotAvailable", "POST", om+"/estimate", demo.ResellerToken, `{"type": "SALES", "accountId": "`+
			demo.Customer1+`", "products": [{"planId": "`+demo.PlanOfferCounter+`", "period": {"unit": "MONTHS", "duration": 1}}]}`)

		// Validation: every refusal names its field, never a 500.
		for _, c := range []struct {
			body string
			typ  string
		}{
			{`{"name": ""}`, "InvalidField"},
			{`{"status": "DRAFT"}`, "InvalidField"},
			{`{"currency": "usd"}`, "InvalidField"},
			{`{"subscriptionPeriods": []}`, "InvalidField"},
			{`{"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "WEEKS", "duration": 1}}]}`, "InvalidField"},
			{`{"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 1}, "fees": {"setup": {"price": {"value": "-1"}}}}]}`, "InvalidField"},
			{`{"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 1}, "fees": {"setup": {"price": {"value": "1.0000001"}}}}]}`, "InvalidField"},
			{`{"subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 1}, "fees": {"setup": {"price": {"value": "abc"}}}}]}`, "InvalidField"},
			{`{"resourceRates": [{"resourceId": "nope"}]}`, "UnknownReference"},
			{`{"resourceRates": [{"resourceId": "` + mailbox.APS.ID + `", "units": {"min": 5, "max": 2}}]}`, "InvalidField"},
			{`{"serviceTerms": ["nope"]}`, "UnknownReference"},
			{`{"upsells": [{"aps": {"id": "nope"}}]}`, "UnknownReference"},
			{`{"billingTerms": {"model": "CHARGE_WHENEVER"}}`, "InvalidField"},
			{`{"uniqueServiceIdentifier": true}`, "InvalidField"},
			{`{"requiresCreditCheck": "yes"}`, "InvalidField"},
			{`{"aps": {"id": "6b64da9a-f8e6-4cbd-8aef-de304a27b627"}}`, "InvalidField"},
		} {
			r := e.call("PUT", admColl+"/service-plans/"+id, demo.ProviderToken, c.body)
			if r.status/100 != 4 || !strings.Contains(string(r.body), `"type":"`+c.typ+`"`) {
				t.Errorf("PUT %s: %s, want 4xx %s", c.body, r, c.typ)
			}
		}
		e.refused(http.StatusNotFound, "NotFound", "PUT", admColl+"/service-plans/nope", demo.ProviderToken, `{}`)
		e.refused(http.StatusConflict, "AlreadyExists", "POST", admColl+"/service-plans", demo.ProviderToken,
			`{"aps": {"id": "`+demo.PlanCloudVPS+`"}, "name": "Dup", "subscriptionPeriods": [{"autoRenewalPeriod": {"unit": "MONTHS", "duration": 1}}]}`)
		// A deactivated resource cannot join a plan.
		e.must(http.StatusOK, "DELETE", admColl+"/resources/"+archive.APS.ID, demo.ProviderToken, nil, nil)
		e.refused(http.StatusUnprocessableEntity, "ResourceInactive", "PUT", admColl+"/service-plans/"+demo.PlanCloudVPS, demo.ProviderToken,
			`{"resourceRates": [{"resourceId": "`+archive.APS.ID+`"}]}`)
	})
}

// Terms, tax rules, reason codes and promotions: create, read, update, delete or deactivate,
// with validation, and only by whom may.
func TestAdminCatalogEntities(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		tokA := e.token(demo.ResellerA, "admin")

		// Terms.
		e.must(http.StatusCreated, "POST", admColl+"/terms", demo.ProviderToken, admObj{"id": "sla", "name": "SLA", "content": "99.9%"}, nil)
		e.refused(http.StatusConflict, "AlreadyExists", "POST", admColl+"/terms", demo.ProviderToken, admObj{"id": "sla", "name": "SLA", "content": "x"})
		e.refused(http.StatusForbidden, "Forbidden", "POST", admColl+"/terms", tokA, admObj{"id": "x", "name": "x", "content": "x"})
		e.must(http.StatusOK, "PUT", admColl+"/terms/sla", demo.ProviderToken, admObj{"content": "99.99%"}, nil)
		var term struct{ Content string }
		e.must(http.StatusOK, "GET", admColl+"/terms/sla", tokA, nil, &term)
		if term.Content != "99.99%" {
			t.Errorf("terms content %q", term.Content)
		}
		e.refused(http.StatusConflict, "TermsInUse", "DELETE", admColl+"/terms/1", demo.ProviderToken, nil)
		e.must(http.StatusNoContent, "DELETE", admColl+"/terms/sla", demo.ProviderToken, nil, nil)
		e.refused(http.StatusNotFound, "NotFound", "GET", admColl+"/terms/sla", demo.ProviderToken, nil)

		// Tax rules: a new rule taxes the next estimate.
		var tax struct{ ID int64 }
		e.must(http.StatusCreated, "POST", admColl+"/tax-rules", demo.ProviderToken, admObj{"zone": "EU-VAT10", "name": "Eco levy", "rate": 1}, &tax)
		for _, b := range []admObj{{"zone": "", "name": "x", "rate": 1}, {"zone": "Z", "name": "x", "rate": 101}, {"zone": "Z", "name": "x", "rate": "ten"}} {
			e.refused(http.StatusBadRequest, "InvalidField", "POST", admColl+"/tax-rules", demo.ProviderToken, b)
		}
		list := e.must(http.StatusOK, "GET", admColl+"/tax-rules?eq(zone,EU-VAT10)&sort(-id)", tokA, nil, nil)
		if !strings.HasPrefix(string(list.body), `[{"id":`+idStr(tax.ID)) || list.header.Get("Content-Range") != "items 0-1/2" {
			t.Errorf("tax rules: %s %s", list.header.Get("Content-Range"), list.body)
		}
		e.must(http.StatusOK, "PUT", admColl+"/tax-rules/"+idStr(tax.ID), demo.ProviderToken, admObj{"inclusive": true}, nil)
		e.must(http.StatusNoContent, "DELETE", admColl+"/tax-rules/"+idStr(tax.ID), demo.ProviderToken, nil, nil)
		e.refused(http.StatusNotFound, "NotFound", "DELETE", admColl+"/tax-rules/"+idStr(tax.ID), demo.ProviderToken, nil)

		// Reason codes.
		rc := "/aps/2/services/order-manager/reasonCodes"
		var code struct {
			ReasonID int64 `json:"reasonId"`
		}
		e.must(http.StatusCreated, "POST", rc, demo.ProviderToken, admObj{"operationType": "CANCEL_BY_CUSTOMER", "description": admObj{"en_US": "Too slow"}}, &code)
		if code.ReasonID < 1000 {
			t.Errorf("new reason code id %d, want one from 1000", code.ReasonID)
		}
		e.refused(http.StatusConflict, "AlreadyExists", "POST", rc, demo.ProviderToken, admObj{"reasonId": 14, "operationType": "CANCEL_BY_VENDOR", "description": admObj{"en_US": "x"}})
		e.refused(http.StatusBadRequest, "InvalidField", "POST", rc, demo.ProviderToken, admObj{"operationType": "WHATEVER", "description": admObj{"en_US": "x"}})
		e.refused(http.StatusForbidden, "Forbidden", "DELETE", rc+"/14", tokA, nil)
		e.must(http.StatusOK, "PUT", rc+"/"+idStr(code.ReasonID), demo.ProviderToken, admObj{"description": admObj{"en_US": "Slow", "de_DE": "Langsam"}}, nil)
		listed := e.must(http.StatusOK, "GET", rc+"?operationType=CANCEL_BY_CUSTOMER", demo.ResellerToken, nil, nil)
		if !strings.Contains(string(listed.body), `"Langsam"`) {
			t.Errorf("reason codes after the update: %s", listed.body)
		}
		e.must(http.StatusNoContent, "DELETE", rc+"/"+idStr(code.ReasonID), demo.ProviderToken, nil, nil)

		// Promotions of reseller A: its own code for a plan it sells.
		var promo struct {
			ID     int64 `json:"id"`
			Vendor struct {
				APS struct{ ID string } `json:"aps"`
			} `json:"vendor"`
			Active bool `json:"active"`
		}
		e.must(http.StatusCreated, "POST", admColl+"/promotions", tokA, admObj{"code": "SPRING", "name": "Spring 5 off", "discountType": "FIXED",
			"value": 5, "orderTypes": []string{"SALES"}, "servicePlans": []admObj{admRef(demo.PlanCloudVPS)}}, &promo)
		if promo.Vendor.APS.ID != demo.ResellerA || !promo.Active {
			t.Errorf("promotion: %+v", promo)
		}
		e.refused(http.StatusConflict, "AlreadyExists", "POST", admColl+"/promotions", tokA, admObj{"code": "SPRING", "name": "again", "discountType": "FIXED", "value": 1})
		e.refused(http.StatusBadRequest, "InvalidField", "POST", admColl+"/promotions", tokA, admObj{"code": "X", "name": "x", "discountType": "PERCENT", "value": 120})
		e.refused(http.StatusBadRequest, "InvalidField", "POST", admColl+"/promotions", tokA, admObj{"code": "X", "name": "x", "discountType": "PERCENT", "value": 1, "orderTypes": []string{"SOMETIMES"}})
		e.refused(http.StatusUnprocessableEntity, "UnknownReference", "POST", admColl+"/promotions", tokA, admObj{"code": "X", "name": "x",
			"discountType": "PERCENT", "value": 1, "vendor": admRef(demo.ResellerB)})
		sale := `{"type": "SALES", "accountId": "` + demo.Customer1 + `", "promoCode": "SPRING", "products": [{"planId": "` + demo.PlanCloudVPS +
			`", "period": {"unit": "MONTHS", "duration": 1}}]}`
		var est struct {
			PromoResult string `json:"promoResult"`
		}
		e.must(http.StatusOK, "POST", "/aps/2/services/order-manager/orders/estimate", demo.ResellerToken, sale, &est)
		if est.PromoResult != "APPLIED" {
			t.Errorf("promo SPRING: %s", est.PromoResult)
		}
		e.must(http.StatusOK, "DELETE", admColl+"/promotions/"+idStr(promo.ID), tokA, nil, &promo)
		e.must(http.StatusOK, "POST", "/aps/2/services/order-manager/orders/estimate", demo.ResellerToken, sale, &est)
		if promo.Active || est.PromoResult == "APPLIED" {
			t.Errorf("deactivated promotion: active %v, estimate %s", promo.Active, est.PromoResult)
		}
		tokB := e.token(demo.ResellerB, "admin")
		e.refused(http.StatusNotFound, "NotFound", "GET", admColl+"/promotions/"+idStr(promo.ID), tokB, nil)
		e.refused(http.StatusNotFound, "NotFound", "PUT", admColl+"/promotions/"+idStr(promo.ID), tokB, admObj{"active": true})
		if r := e.must(http.StatusOK, "GET", admColl+"/promotions", tokB, nil, nil); string(r.body) != "[]\n" {
			t.Errorf("reseller B lists promotions %s", r.body)
		}
		if r := e.must(http.StatusOK, "GET", admColl+"/promotions?eq(code,123)", demo.ProviderToken, nil, nil); !strings.Contains(string(r.body), `"code":"123"`) {
			t.Errorf("provider's promotion list: %s", r.body)
		}
	})
}

// Payment methods: a customer adds its own, makes one the default, deactivates one; a seller
// offers methods to all its customers.
func TestAdminPaymentMethods(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		custTok := e.token(demo.Customer1, "admin")
		path := admColl + "/accounts/" + demo.Customer1 + "/paymentMethods"
		var card struct {
			ID            int64   `json:"id"`
			PerCustomer   bool    `json:"perCustomer"`
			DefaultMethod bool    `json:"defaultMethod"`
			Status        string  `json:"status"`
			Owner         *string `json:"ownerAccountId"`
		}
		e.must(http.StatusCreated, "POST", path, custTok, admObj{"paymentSystemId": "Demo.Redirect", "name": "VISA ending 4242",
			"number": "4242********4242", "type": "EXTERNAL", "defaultMethod": true}, &card)
		if !card.PerCustomer || !card.DefaultMethod || card.Owner == nil || *card.Owner != demo.Customer1 || card.Status != "ACTIVE" {
			t.Errorf("added card: %+v", card)
		}
		e.refused(http.StatusBadRequest, "InvalidField", "POST", path, custTok, admObj{"paymentSystemId": "Demo.Redirect", "name": "full number",
			"number": "4242424242424242", "type": "CARD"})
		e.refused(http.StatusBadRequest, "InvalidField", "POST", path, custTok, admObj{"paymentSystemId": "X", "name": "x", "type": "BITCOIN"})

		var methods []struct {
			ID            int64 `json:"id"`
			DefaultMethod bool  `json:"defaultMethod"`
		}
		e.must(http.StatusOK, "GET", "/aps/2/services/payment-method-manager/paymentMethods?accountId="+demo.Customer1, demo.CustomerToken, nil, &methods)
		if len(methods) == 0 || methods[0].ID != card.ID || !methods[0].DefaultMethod {
			t.Errorf("the customer's methods: %+v, want its card first and default", methods)
		}
		var second struct{ ID int64 }
		e.must(http.StatusCreated, "POST", path, custTok, admObj{"paymentSystemId": "Demo.Redirect", "name": "Amex", "type": "EXTERNAL"}, &second)
		e.must(http.StatusOK, "PUT", path+"/"+idStr(second.ID), custTok, admObj{"defaultMethod": true}, nil)
		var own []struct {
			ID            int64 `json:"id"`
			DefaultMethod bool  `json:"defaultMethod"`
		}
		e.must(http.StatusOK, "GET", path, custTok, nil, &own)
		defaults := 0
		for _, m := range own {
			if m.DefaultMethod {
				defaults++
				if m.ID != second.ID {
					t.Errorf("default is %d, want %d", m.ID, second.ID)
				}
			}
		}
		if defaults != 1 {
			t.Errorf("%d default methods: %+v", defaults, own)
		}
		e.must(http.StatusOK, "DELETE", path+"/"+idStr(second.ID), custTok, nil, &card)
		if card.Status != "INACTIVE" || card.DefaultMethod {
			t.Errorf("deactivated method: %+v", card)
		}
		order := `{"type": "SALES", "accountId": "` + demo.Customer1 + `", "paymentMethodId": ` + idStr(second.ID) +
			`, "products": [{"planId": "` + demo.PlanCloudVPS + `", "period": {"unit": "MONTHS", "duration": 1}}]}`
		e.refused(http.StatusUnprocessableEntity, "PaymentMethodInactive", "POST", "/aps/2/services/order-manager/orders", demo.ResellerToken, order)
		// Reseller A's shared method (id 3) is not the customer's to change; the reseller's it is.
		e.refused(http.StatusNotFound, "NotFound", "PUT", path+"/3", custTok, admObj{"name": "mine"})
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.ResellerA+"/paymentMethods/3", demo.ProviderToken, admObj{"name": "Card payments"}, nil)
		var shared struct {
			PerCustomer bool `json:"perCustomer"`
		}
		e.must(http.StatusCreated, "POST", admColl+"/accounts/"+demo.ResellerA+"/paymentMethods", demo.ProviderToken,
			admObj{"paymentSystemId": "Bank", "name": "Bank transfer", "type": "MANUAL"}, &shared)
		if shared.PerCustomer {
			t.Errorf("a reseller's new method is offered to its customers by default, got perCustomer true")
		}
		e.refused(http.StatusNotFound, "NotFound", "GET", admColl+"/accounts/"+demo.CustomerB+"/paymentMethods", custTok, nil)
	})
}

// The audit log records who changed what, before and after, and reads with RQL in the caller's
// subtree.
func TestAdminAuditLog(t *testing.T) {
	admEngines(t, false, func(t *testing.T, e *admEnv) {
		tokA := e.token(demo.ResellerA, "admin")
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.Customer1, tokA, admObj{"companyName": "1st APS, Inc."}, nil)
		e.must(http.StatusOK, "PUT", admColl+"/accounts/"+demo.CustomerB, demo.ProviderToken, admObj{"status": "SUSPENDED"}, nil)
		var entries []struct {
			ID    int64 `json:"id"`
			Actor struct {
				Account *struct {
					APS struct{ ID string } `json:"aps"`
				} `json:"account"`
				TokenID int64 `json:"tokenId"`
			} `json:"actor"`
			Action   string          `json:"action"`
			Entity   string          `json:"entity"`
			EntityID string          `json:"entityId"`
			Before   json.RawMessage `json:"before"`
			After    json.RawMessage `json:"after"`
		}
		r := e.must(http.StatusOK, "GET", admColl+"/audit-log?eq(entity,account)&sort(-id)", demo.ProviderToken, nil, &entries)
		if len(entries) != 2 || r.header.Get("Content-Range") != "items 0-1/2" {
			t.Fatalf("provider's account entries: %s", r)
		}
		e0, e1 := entries[1], entries[0]
		if e0.Action != "update" || e0.EntityID != demo.Customer1 || e0.Actor.Account == nil || e0.Actor.Account.APS.ID != demo.ResellerA ||
			e0.Actor.TokenID == 0 || !strings.Contains(string(e0.Before), `"name":"1st APS, inc."`) || !strings.Contains(string(e0.After), `"name":"1st APS, Inc."`) {
			t.Errorf("rename entry: %+v before %s after %s", e0, e0.Before, e0.After)
		}
		if !strings.Contains(string(e1.After), `"status":"SUSPENDED"`) || strings.Contains(string(e1.Before), "SUSPENDED") {
			t.Errorf("suspension entry: before %s after %s", e1.Before, e1.After)
		}
		// Reseller A sees its subtree's entries only (its token's creation, its customer's rename).
		e.must(http.StatusOK, "GET", admColl+"/audit-log", tokA, nil, &entries)
		for _, en := range entries {
			if en.EntityID == demo.CustomerB || en.EntityID == demo.ResellerB {
				t.Errorf("reseller A reads an entry about reseller B's subtree: %+v", en)
			}
		}
		if len(entries) != 2 {
			t.Errorf("reseller A's audit log: %d entries, want 2 (token, rename)", len(entries))
		}
		e.refused(http.StatusBadRequest, "InvalidQuery", "GET", admColl+"/audit-log?eq(secret,1)", demo.ProviderToken, nil)
		e.must(http.StatusOK, "GET", admColl+"/audit-log?ge(time,2000-01-01T00:00:00Z)&eq(action,create)&limit(0,1)", demo.ProviderToken, nil, nil)
		e.refused(http.StatusForbidden, "InsufficientScope", "GET", admColl+"/audit-log", demo.ResellerToken, nil)
	})
}
