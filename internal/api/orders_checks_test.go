package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
)

// The checks an order must pass before it is accepted (seed 001, issue 5): each is triggered
// through the API and answers its own type and message, never a 500, and leaves no order.

const unknownID = "11111111-2222-4333-8444-555555555555"

// TestOrderChecks runs the groups of checks one after the other on one demo server per engine;
// each group undoes its catalog changes and settles the orders it placed.
func TestOrderChecks(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		for _, g := range []struct {
			name string
			fn   func(t *testing.T, e *ordersEnv)
		}{
			{"accounts", checkAccounts},
			{"catalog", checkCatalog},
			{"resource dependencies", checkResourceDependencies},
			{"credit check", checkCreditCheck},
			{"service identifier", checkServiceIdentifier},
			{"subscriptions", checkSubscriptions},
			{"payment methods", checkPaymentMethods},
			{"reasons and bodies", checkReasonsAndBodies},
			{"hostile input", checkHostileInput},
			{"concurrent orders", checkConcurrentOrders},
		} {
			t.Run(g.name, func(t *testing.T) {
				e := e.with(t)
				defer e.settle()
				g.fn(t, e)
			})
		}
	})
}

// sale is a SALES order of one product for account; product and order add JSON members.
func sale(account, plan, product, order string) string {
	return fmt.Sprintf(`{"type": "SALES", "accountId": %q, "products": [{"planId": %q,
		"period": {"unit": "MONTHS", "duration": 1}%s}]%s}`, account, plan, product, order)
}

// vpsSale is a sale of Cloud VPSes to 3fef9702.
func vpsSale(product, order string) string {
	return sale(demo.Customer1, demo.PlanCloudVPS, product, order)
}

// id reads the internal id of a row by APS id.
func (e *ordersEnv) id(table, apsID string) int64 {
	e.t.Helper()
	var id int64
	if err := e.st.DB().QueryRow("SELECT id FROM "+table+" WHERE aps_id = $1", apsID).Scan(&id); err != nil {
		e.t.Fatalf("id of %s %s: %v", table, apsID, err)
	}
	return id
}

type refusal struct {
	name     string
	setup    []string // SQL run before, with $1 the account or plan the case names
	undo     []string
	arg      any
	token    string
	body     string
	status   int
	typ, msg string
}

// run applies each case's setup, expects the refusal, and undoes the setup.
func (e *ordersEnv) run(cases []refusal) {
	e.t.Helper()
	for _, c := range cases {
		e.t.Run(c.name, func(t *testing.T) {
			for _, q := range c.setup {
				e.execArg(q, c.arg)
			}
			tok := c.token
			if tok == "" {
				tok = providerToken
			}
			status := c.status
			if status == 0 {
				status = http.StatusUnprocessableEntity
			}
			e.with(t).refused(tok, c.body, status, c.typ, c.msg)
			for _, q := range c.undo {
				e.execArg(q, c.arg)
			}
		})
	}
}

func (e *ordersEnv) execArg(q string, arg any) {
	e.t.Helper()
	if strings.Contains(q, "$1") {
		e.exec(q, arg)
	} else {
		e.exec(q)
	}
}

// checkAccounts triggers the seed's account validation (SP and end user).
func checkAccounts(t *testing.T, e *ordersEnv) {
	const setStatus = `UPDATE accounts SET status = '%s' WHERE aps_id = $1`
	restore := []string{`UPDATE accounts SET status = 'ACTIVE', type = CASE WHEN type = 'WHOLESALE' THEN 'CUSTOMER' ELSE type END,
		can_order = TRUE, type_can_order = TRUE WHERE aps_id = $1`}
	renewal := `{"type": "RENEWAL", "subscriptionId": "` + demo.SubVPSDemo + `"}`
	notActive := func(s string) string {
		return "This account is '" + s + "' - please contact your upstream provider"
	}
	e.run([]refusal{
		{name: "suspended", setup: []string{fmt.Sprintf(setStatus, "SUSPENDED")}, undo: restore, arg: demo.Customer1,
			body: vpsSale("", ""), typ: "AccountNotActive", msg: notActive("Suspended")},
		{name: "restricted", setup: []string{fmt.Sprintf(setStatus, "RESTRICTED")}, undo: restore, arg: demo.Customer1,
			body: vpsSale("", ""), typ: "AccountNotActive", msg: notActive("Restricted")},
		{name: "cancelled", setup: []string{fmt.Sprintf(setStatus, "CANCELLED")}, undo: restore, arg: demo.Customer1,
			body: vpsSale("", ""), typ: "AccountNotActive", msg: notActive("Cancelled")},
		{name: "suspended owner of the subscription", setup: []string{fmt.Sprintf(setStatus, "SUSPENDED")}, undo: restore,
			arg: demo.CustomerSubs, body: renewal, typ: "AccountNotActive", msg: notActive("Suspended")},
		{name: "suspended seller", setup: []string{fmt.Sprintf(setStatus, "SUSPENDED")}, undo: restore, arg: demo.ResellerA,
			body: vpsSale("", ""), typ: "AccountNotActive", msg: notActive("Suspended")},
		{name: "undefined status", setup: []string{fmt.Sprintf(setStatus, "PENDING_REVIEW")}, undo: restore, arg: demo.Customer1,
			body: vpsSale("", ""), typ: "UndefinedAccountStatus", msg: "Undefined account status"},
		{name: "undefined type", setup: []string{`UPDATE accounts SET type = 'WHOLESALE' WHERE aps_id = $1`}, undo: restore,
			arg: demo.Customer1, body: vpsSale("", ""), typ: "UndefinedAccountType", msg: "Undefined account type"},
		{name: "canOrder false", setup: []string{`UPDATE accounts SET can_order = FALSE WHERE aps_id = $1`}, undo: restore,
			arg: demo.Customer1, body: vpsSale("", ""), typ: "OrderCreationRestricted", msg: "Order creation is restricted for this account"},
		{name: "type canOrder false", setup: []string{`UPDATE accounts SET type_can_order = FALSE WHERE aps_id = $1`}, undo: restore,
			arg: demo.Customer1, body: vpsSale("", ""), typ: "OrderCreationRestricted", msg: "Order creation is restricted for this account"},
		{name: "restricted seller of the subscription", setup: []string{`UPDATE accounts SET can_order = FALSE WHERE aps_id = $1`},
			undo: restore, arg: demo.ResellerA, body: renewal, typ: "OrderCreationRestricted", msg: "Order creation is restricted for this account"},
		{name: "provider as buyer", body: sale(demo.ProviderAPSID, demo.PlanCloudVPS, "", ""),
			typ: "AccountTypeNotEligible", msg: "Account Type is not eligible to create order"},
		{name: "unknown account", body: sale(unknownID, demo.PlanCloudVPS, "", ""),
			typ: "MissingCustomerAccount", msg: `Missing customer account: "` + unknownID + `"`},
		{name: "account outside the customer's subtree", token: customerToken, body: sale(demo.CustomerTaxed, demo.PlanCloudVPS, "", ""),
			typ: "MissingCustomerAccount", msg: `Missing customer account: "` + demo.CustomerTaxed + `"`},
		{name: "account of another reseller", token: resellerToken, body: sale(demo.CustomerB, demo.PlanCloudVPS, "", ""),
			typ: "MissingCustomerAccount", msg: `Missing customer account: "` + demo.CustomerB + `"`},
		{name: "the reseller's parent", token: resellerToken, body: sale(demo.ProviderAPSID, demo.PlanCloudVPS, "", ""),
			typ: "MissingCustomerAccount", msg: `Missing customer account: "` + demo.ProviderAPSID + `"`},
	})
	// After every undo the same order goes through, for the customer itself too.
	e.place(customerToken, vpsSale("", ""))
	e.place(providerToken, renewal)
}

// checkCatalog triggers the plan, period, resource, upsell, activation-parameter and
// terms checks.
func checkCatalog(t *testing.T, e *ordersEnv) {
	users := func(n int) string {
		return sale(demo.Customer1, demo.PlanOfferCounter, fmt.Sprintf(`, "resources": [{"resourceId": %q, "amount": %d}]`, demo.ResUsers, n), "")
	}
	e.run([]refusal{
		{name: "unknown plan", body: sale(demo.Customer1, unknownID, "", ""),
			typ: "PlanNotAvailable", msg: `service plan "` + unknownID + `" is not available for this account`},
		{name: "plan not delegated to the seller", arg: demo.PlanCloudVPS,
			setup: []string{`DELETE FROM delegations WHERE reseller_id = 1000002 AND plan_id = (SELECT id FROM plans WHERE aps_id = $1)`},
			undo: []string{`INSERT INTO delegations (plan_id, reseller_id, cost_rule, cost_percent, created_at)
				SELECT id, 1000002, 'PERCENT', 10000000, 0 FROM plans WHERE aps_id = $1`},
			body: vpsSale("", ""), typ: "PlanNotAvailable", msg: `service plan "` + demo.PlanCloudVPS + `" is not available for this account`},
		{name: "plan not for sale", arg: demo.PlanCloudVPS,
			setup: []string{`UPDATE plans SET status = 'ARCHIVED' WHERE aps_id = $1`}, undo: []string{`UPDATE plans SET status = 'ACTIVE' WHERE aps_id = $1`},
			body: vpsSale("", ""), typ: "PlanNotAvailable", msg: `service plan 'Cloud VPSes' is not available for new orders`},
		{name: "unknown period", body: strings.Replace(vpsSale("", ""), `"duration": 1`, `"duration": 6`, 1),
			typ: "UnknownPeriod", msg: "products[0].period: plan 'Cloud VPSes' (" + demo.PlanCloudVPS + ") has no subscription period 6 MONTHS"},
		{name: "resource not in the plan", body: vpsSale(`, "resources": [{"resourceId": "`+demo.ResDisk+`", "amount": 5}]`, ""),
			typ: "UnknownResource", msg: "products[0].resources[0].resourceId: plan 'Cloud VPSes' (" + demo.PlanCloudVPS + ") has no resource '" + demo.ResDisk + "'"},
		{name: "unknown resource", body: vpsSale(`, "resources": [{"resourceId": "`+unknownID+`", "amount": 5}]`, ""),
			typ: "UnknownResource", msg: "products[0].resources[0].resourceId: plan 'Cloud VPSes' (" + demo.PlanCloudVPS + ") has no resource '" + unknownID + "'"},
		{name: "amount below included", body: users(19),
			typ: "AmountBelowIncluded", msg: "products[0].resources[0].amount: 19.0 of resource 'Users' is less than the 20.0 included in plan 'Offer-Counter-User Management Project'; the amount is the total, included units too"},
		{name: "amount below minimum", arg: demo.PlanOfferCounter,
			setup: []string{`UPDATE plan_resource_rates SET min_amount = 30000000 WHERE plan_id = (SELECT id FROM plans WHERE aps_id = $1)`},
			undo:  []string{`UPDATE plan_resource_rates SET min_amount = 0 WHERE plan_id = (SELECT id FROM plans WHERE aps_id = $1)`},
			body:  users(25), typ: "AmountBelowMinimum", msg: "products[0].resources[0].amount: 25.0 of resource 'Users' is less than the minimum 30.0 of plan 'Offer-Counter-User Management Project'"},
		{name: "amount above maximum", arg: demo.PlanOfferCounter,
			setup: []string{`UPDATE plan_resource_rates SET max_amount = 50000000 WHERE plan_id = (SELECT id FROM plans WHERE aps_id = $1)`},
			undo:  []string{`UPDATE plan_resource_rates SET max_amount = -1000000 WHERE plan_id = (SELECT id FROM plans WHERE aps_id = $1)`},
			body:  users(51), typ: "AmountAboveMaximum", msg: "products[0].resources[0].amount: 51.0 of resource 'Users' is more than the maximum 50.0 of plan 'Offer-Counter-User Management Project'"},
		{name: "not an upsell", body: vpsSale(`, "childProducts": [{"planId": "`+demo.PlanVIP+`", "period": {"unit": "YEARS", "duration": 1}}]`, ""),
			typ: "NotAnUpsell", msg: "products[0].childProducts[0].planId: plan 'VIP Maintenance and Support' (" + demo.PlanVIP + ") is not an upsell of plan 'Cloud VPSes'"},
		{name: "missing activation parameter", arg: demo.PlanCloudVPS,
			setup: []string{`UPDATE plans SET activation_params = '["domain"]' WHERE aps_id = $1`},
			undo:  []string{`UPDATE plans SET activation_params = '[]' WHERE aps_id = $1`},
			body:  vpsSale(`, "parameters": [{"aps": {"type": "http://aps-standard.org/samples/vpsdemo/management/1.0"}, "client": "1st APS, inc."}]`, ""),
			typ:   "MissingServiceConfiguration", msg: "products[0] (plan 'Cloud VPSes') missing mandatory service configuration: parameter 'domain'"},
		{name: "terms not accepted", body: sale(demo.Customer1, demo.PlanSaaS, "", ""),
			typ: "TermsNotAccepted", msg: "the terms and conditions 1 of plan 'Cloud SaaS' must be accepted (acceptedTerms)"},
		{name: "terms of an upsell not accepted",
			body: sale(demo.Customer1, demo.PlanOfferCounter, `, "childProducts": [{"planId": "`+demo.PlanSaaS+`", "period": {"unit": "MONTHS", "duration": 1}}]`, `, "acceptedTerms": ["2"]`),
			typ:  "TermsNotAccepted", msg: "the terms and conditions 1 of plan 'Cloud SaaS' must be accepted (acceptedTerms)"},
	})
	// Switching a subscription to a plan is bound by the plan's terms and credit check too.
	toSaaS := `{"type": "CHANGE", "subscriptionId": "` + demo.SubVPSDemo + `", "planId": "` + demo.PlanSaaS + `"%s}`
	e.refused(providerToken, fmt.Sprintf(toSaaS, ""), http.StatusUnprocessableEntity, "TermsNotAccepted",
		"the terms and conditions 1 of plan 'Cloud SaaS' must be accepted (acceptedTerms)")
	e.exec(`UPDATE plans SET requires_credit_check = TRUE WHERE aps_id = $1`, demo.PlanSaaS)
	e.refused(providerToken, fmt.Sprintf(toSaaS, `, "acceptedTerms": ["1"]`), http.StatusUnprocessableEntity, "MissingCreditCheck", "Missing credit check")
	e.exec(`UPDATE plans SET requires_credit_check = FALSE WHERE aps_id = $1`, demo.PlanSaaS)
	e.place(providerToken, fmt.Sprintf(toSaaS, `, "acceptedTerms": ["1"]`))
	// Accepted forms of the same orders.
	e.place(providerToken, sale(demo.Customer1, demo.PlanSaaS, "", `, "acceptedTerms": ["1"]`))
	e.place(providerToken, sale(demo.Customer1, demo.PlanOfferCounter,
		`, "childProducts": [{"planId": "`+demo.PlanSaaS+`", "period": {"unit": "MONTHS", "duration": 1}}]`, `, "acceptedTerms": ["1"]`))
	e.exec(`UPDATE plans SET activation_params = '["domain"]' WHERE aps_id = $1`, demo.PlanCloudVPS)
	e.place(providerToken, vpsSale(`, "parameters": [{"aps": {"type": "x"}, "domain": "example.test"}]`, ""))
	e.exec(`UPDATE plans SET activation_params = '[]' WHERE aps_id = $1`, demo.PlanCloudVPS)
	e.place(providerToken, users(20))
}

// checkResourceDependencies triggers REQUIRES and PROVIDED_BY with the seed's messages,
// answered 422 (the original's 500 is a documented deviation).
func checkResourceDependencies(t *testing.T, e *ordersEnv) {
	dep := func(child, kind, parent string, amount int64) {
		e.exec(`INSERT INTO resource_dependencies (resource_id, kind, parent_resource_id, amount) VALUES ($1, $2, $3, $4)`,
			e.id("resources", child), kind, e.id("resources", parent), amount*1000000)
	}
	// Users REQUIRES 25 Projects (10 included); Backup Space REQUIRES 50 GB of Disk Space.
	dep(demo.ResUsers, "REQUIRES", demo.ResProjects, 25)
	dep(demo.ResBackup, "REQUIRES", demo.ResDisk, 50)
	counter := func(users, projects int) string {
		return sale(demo.Customer1, demo.PlanOfferCounter, fmt.Sprintf(`, "resources": [{"resourceId": %q, "amount": %d},
			{"resourceId": %q, "amount": %d}]`, demo.ResUsers, users, demo.ResProjects, projects), "")
	}
	vipChange := func(disk, backup int) string {
		return fmt.Sprintf(`{"type": "CHANGE", "subscriptionId": %q, "resources": [{"resourceId": %q, "amount": %d},
			{"resourceId": %q, "amount": %d}]}`, demo.SubVIP, demo.ResDisk, disk, demo.ResBackup, backup)
	}
	e.run([]refusal{
		{name: "REQUIRES", body: counter(40, 12), typ: "ResourceRequires",
			msg: "The order cannot be accepted: Resource 'Users' requires resource 'Projects'.\nPlease add necessary resource(s) to the order. Lack of resource 'Projects': 13.0."},
		{name: "REQUIRES on downgrade", body: vipChange(20, 5), typ: "ResourceRequiredForDowngrade",
			msg: "The order cannot be accepted: Resource 'Disk Space' is required for\nresource 'Backup Space'. Please downgrade necessary resource(s)."},
	})
	e.place(providerToken, counter(40, 25))
	e.place(providerToken, vipChange(60, 5))

	// Backup Space PROVIDED_BY Disk Space instead.
	e.exec(`DELETE FROM resource_dependencies`)
	dep(demo.ResBackup, "PROVIDED_BY", demo.ResDisk, 0)
	vipSale := func(disk, backup int) string {
		return fmt.Sprintf(`{"type": "SALES", "accountId": %q, "products": [{"planId": %q, "period": {"unit": "YEARS", "duration": 1},
			"resources": [{"resourceId": %q, "amount": %d}, {"resourceId": %q, "amount": %d}]}]}`,
			demo.Customer1, demo.PlanVIP, demo.ResDisk, disk, demo.ResBackup, backup)
	}
	e.run([]refusal{
		{name: "PROVIDED_BY", body: vipSale(10, 20), typ: "ResourceProvidedBy",
			msg: "The order cannot be accepted: Resource 'Backup Space' is provided by Resource 'Disk Space'.\nAmount of resource 'Disk Space' cannot be less than amount of resource 'Backup Space'."},
	})
	e.place(providerToken, vipSale(20, 20))
	e.exec(`DELETE FROM resource_dependencies`)
}

// checkCreditCheck walks a plan that requires a credit check through the seed's credit
// check states.
func checkCreditCheck(t *testing.T, e *ordersEnv) {
	e.exec(`UPDATE plans SET requires_credit_check = TRUE WHERE aps_id = $1`, demo.PlanCloudVPS)
	buyer := e.id("accounts", demo.Customer1)
	set := func(status, record string) {
		t.Helper()
		err := e.st.InTx(context.Background(), func(tx *store.Tx) error { return store.SetCreditCheck(context.Background(), tx, buyer, status, record) })
		if err != nil {
			t.Fatalf("set credit check: %v", err)
		}
	}
	for _, c := range []struct{ status, record, typ, msg string }{
		{"", "", "MissingCreditCheck", "Missing credit check"},
		{"NO_RECORD", "", "MissingCreditCheckRecord", "Missing credit check record"},
		{"APPROVED", "", "MissingCreditCheckRecord", "Missing credit check record"},
		{"escalated", "cc-1.pdf", "CreditCheckEscalated", "Credit check status is escalated"},
		{"PROCESSING", "cc-1.pdf", "CreditCheckProcessing", "Credit check status is processing"},
		{"DENIED", "cc-1.pdf", "CreditCheckDenied", "Credit check has been denied"},
	} {
		t.Run(c.typ+"/"+c.status, func(t *testing.T) {
			if c.status != "" {
				set(c.status, c.record)
			}
			e.with(t).refused(providerToken, vpsSale("", ""), http.StatusUnprocessableEntity, c.typ, c.msg)
		})
	}
	set("APPROVED", "cc-1.pdf")
	e.place(providerToken, vpsSale("", ""))
	// A plan that needs no credit check ignores a denied one.
	set("DENIED", "cc-1.pdf")
	e.place(providerToken, sale(demo.Customer1, demo.PlanOfferCounter, "", ""))
	e.exec(`UPDATE plans SET requires_credit_check = FALSE WHERE aps_id = $1`, demo.PlanCloudVPS)
}

// checkServiceIdentifier checks the uniqueness of service identifiers per service type
// among pre-active and active services (seed 001).
func checkServiceIdentifier(t *testing.T, e *ordersEnv) {
	e.exec(`UPDATE plans SET unique_identifier = TRUE, service_type = 'VOIP' WHERE aps_id = $1`, demo.PlanCloudVPS)
	withID := func(account, ident string) string {
		return sale(account, demo.PlanCloudVPS, `, "parameters": [{"aps": {"type": "http://example.test/voip/1.0"}, "serviceIdentifier": "`+ident+`"}]`, "")
	}
	e.place(providerToken, withID(demo.Customer1, "+15550001"))
	e.refused(providerToken, withID(demo.Customer1, "+15550001"), http.StatusUnprocessableEntity, "ServiceIdentifierExists",
		"Service Identifier [+15550001] already exists for this service type [VOIP]")
	// Across accounts too: the identifier is unique per service type.
	e.refused(providerToken, withID(demo.CustomerTaxed, "+15550001"), http.StatusUnprocessableEntity, "ServiceIdentifierExists",
		"Service Identifier [+15550001] already exists for this service type [VOIP]")
	// Two products of one order with the same identifier.
	both := fmt.Sprintf(`{"type": "SALES", "accountId": %q, "products": [
		{"planId": %q, "period": {"unit": "MONTHS", "duration": 1}, "parameters": [{"aps": {"type": "http://example.test/voip/1.0"}, "serviceIdentifier": "+15550002"}]},
		{"planId": %q, "period": {"unit": "MONTHS", "duration": 1}, "parameters": [{"aps": {"type": "http://example.test/voip/1.0"}, "serviceIdentifier": "+15550002"}]}]}`,
		demo.Customer1, demo.PlanCloudVPS, demo.PlanCloudVPS)
	e.refused(providerToken, both, http.StatusUnprocessableEntity, "ServiceIdentifierExists",
		"Service Identifier [+15550002] already exists for this service type [VOIP]")
	// No identifier for a plan that needs one.
	e.refused(providerToken, vpsSale("", ""), http.StatusUnprocessableEntity, "MissingServiceIdentifier",
		"products[0] (plan 'Cloud VPSes') needs a service identifier: activation parameter 'serviceIdentifier'")
	// Another identifier is fine; a cancelled order frees its identifier.
	id := e.place(providerToken, withID(demo.Customer1, "+15550003"))
	if r := e.post(ordersPath+"/"+id+"/push", providerToken, `{"ofStatus": "CL"}`); r.status != http.StatusOK {
		t.Fatalf("push CL: %d %s", r.status, r.body)
	}
	e.place(providerToken, withID(demo.Customer1, "+15550003"))
	e.exec(`UPDATE plans SET unique_identifier = FALSE, service_type = '' WHERE aps_id = $1`, demo.PlanCloudVPS)
}

// checkSubscriptions triggers the checks of orders acting on a subscription.
func checkSubscriptions(t *testing.T, e *ordersEnv) {
	renewal := `{"type": "RENEWAL", "subscriptionId": "` + demo.SubVPSDemo + `"}`
	change := `{"type": "CHANGE", "subscriptionId": "` + demo.SubVPSDemo + `", "period": {"unit": "MONTHS", "duration": 3}}`
	cancel := `{"type": "CANCELLATION", "subscriptionId": "` + demo.SubCloud + `", "refundType": "CREDIT_MEMO"}`
	same := func(number string) string {
		return "Order " + number + " is not completed yet. This order prohibits placing an order of the Same Order Type (Per Subscription)"
	}
	e.run([]refusal{
		{name: "unknown subscription", body: `{"type": "RENEWAL", "subscriptionId": "` + unknownID + `"}`,
			typ: "SubscriptionNotFound", msg: `subscription "` + unknownID + `" not found`},
		{name: "another account's subscription", token: customerToken, body: renewal,
			typ: "SubscriptionNotFound", msg: `subscription "` + demo.SubVPSDemo + `" not found`},
		{name: "terminated", arg: demo.SubVIP,
			setup: []string{`UPDATE subscriptions SET status = 'TERMINATED' WHERE aps_id = $1`},
			undo:  []string{`UPDATE subscriptions SET status = 'ACTIVE' WHERE aps_id = $1`},
			body:  `{"type": "RENEWAL", "subscriptionId": "` + demo.SubVIP + `"}`,
			typ:   "SubscriptionTerminated", msg: "subscriptionId: subscription '" + demo.SubVIP + "' is terminated"},
	})
	rn := e.details(providerToken, e.place(providerToken, renewal)).OrderNumber
	ch := e.details(providerToken, e.place(providerToken, change)).OrderNumber
	cl := e.details(providerToken, e.place(providerToken, cancel)).OrderNumber
	e.run([]refusal{
		{name: "second renewal", body: renewal, typ: "SameOrderTypePending", msg: same(rn)},
		{name: "second change", body: `{"type": "CHANGE", "subscriptionId": "` + demo.SubVPSDemo + `", "resources": [{"resourceId": "` +
			demo.ResUsers + `", "amount": 30}]}`, typ: "SameOrderTypePending", msg: same(ch)},
		{name: "second cancellation", body: cancel, typ: "SameOrderTypePending", msg: same(cl)},
	})
	// A renewal, a change and a cancellation of one subscription do not exclude each other.
	e.place(providerToken, `{"type": "RENEWAL", "subscriptionId": "`+demo.SubCloud+`"}`)
	// Once the first change is completed (or cancelled), another may be placed.
	e.exec(`UPDATE orders SET of_status = 'CP', status = 'COMPLETED' WHERE order_number = $1`, ch)
	e.place(providerToken, change)
	e.exec(`UPDATE orders SET of_status = 'CL', status = 'CANCELED' WHERE order_number = $1`, rn)
	e.place(providerToken, renewal)
}

// checkPaymentMethods triggers the payment method checks.
func checkPaymentMethods(t *testing.T, e *ordersEnv) {
	e.run([]refusal{
		{name: "another reseller's method", body: vpsSale("", `, "paymentMethodId": 4`),
			typ: "PaymentMethodNotFound", msg: "payment method 4 is not a method of account " + demo.Customer1},
		{name: "another customer's card", body: vpsSale("", `, "paymentMethodId": "11"`),
			typ: "PaymentMethodNotFound", msg: "payment method 11 is not a method of account " + demo.Customer1},
		{name: "unknown method", body: vpsSale("", `, "paymentMethodId": 999`),
			typ: "PaymentMethodNotFound", msg: "payment method 999 is not a method of account " + demo.Customer1},
		{name: "inactive method", setup: []string{`UPDATE payment_methods SET status = 'INACTIVE' WHERE id = 3`},
			undo: []string{`UPDATE payment_methods SET status = 'ACTIVE' WHERE id = 3`},
			body: vpsSale("", `, "paymentMethodId": "3"`), typ: "PaymentMethodInactive", msg: "payment method 3 is not active"},
		{name: "negative id", body: vpsSale("", `, "paymentMethodId": -3`), status: http.StatusBadRequest,
			typ: "InvalidPaymentMethod", msg: "paymentMethodId: -3 is not a payment method id"},
	})
	// The reseller's manual method 0 (the seed's Check/Cash) is the buyer's too.
	d := e.details(providerToken, e.place(providerToken, vpsSale("", `, "paymentMethodId": 0`)))
	if d.PaymentMethodID == nil || *d.PaymentMethodID != 0 {
		t.Errorf("paymentMethodId = %v, want 0", d.PaymentMethodID)
	}
}

// checkReasonsAndBodies triggers reason code checks and the 400s of malformed bodies.
func checkReasonsAndBodies(t *testing.T, e *ordersEnv) {
	cancel := func(extra string) string {
		return `{"type": "CANCELLATION", "subscriptionId": "` + demo.SubCloud + `", "refundType": "CREDIT_MEMO"` + extra + `}`
	}
	bad := http.StatusBadRequest
	e.run([]refusal{
		{name: "unknown reasonId", body: cancel(`, "reasonId": 99`), typ: "ReasonNotFound", msg: "reasonId 99 is not a configured reason code"},
		{name: "reasonId zero", body: cancel(`, "reasonId": 0`), status: bad, typ: "InvalidReason", msg: "reasonId: 0 is not a reason id"},
		{name: "reasonId not a number", body: cancel(`, "reasonId": "fourteen"`), status: bad,
			typ: "InvalidFieldType", msg: `reasonId: expected an integer id (JSON number or string), got "fourteen"`},
		{name: "bad refundType", body: strings.Replace(cancel(""), "CREDIT_MEMO", "CASH", 1), status: bad,
			typ: "InvalidRefundType", msg: `refundType: "CASH" is not CREDIT_MEMO or REFUND`},
		{name: "malformed JSON", body: `{"type": "SALES", "accountId": }`, status: bad,
			typ: "MalformedJSON", msg: "the request body is not valid JSON at byte 32: invalid character '}' looking for beginning of value"},
		{name: "truncated JSON", body: `{"type": "SALES"`, status: bad, typ: "MalformedJSON", msg: "the request body is not valid JSON: it ends too early"},
		{name: "two JSON values", body: vpsSale("", "") + ` {}`, status: bad, typ: "MalformedJSON", msg: "the body holds more than one JSON value"},
		{name: "a JSON array", body: `[]`, status: bad, typ: "InvalidFieldType", msg: "the request body must be a JSON object, not array"},
		{name: "wrong type: products", body: `{"type": "SALES", "accountId": "` + demo.Customer1 + `", "products": "all"}`, status: bad,
			typ: "InvalidFieldType", msg: "products: expected an array, got string"},
		{name: "wrong type: amount", body: vpsSale(`, "resources": [{"resourceId": "`+demo.ResVPS+`", "amount": "lots"}]`, ""), status: bad,
			typ: "InvalidFieldType", msg: `products.resources.amount: expected a decimal number (JSON number or string, at most 19 significant digits), got "lots"`},
		{name: "wrong type: duration", body: strings.Replace(vpsSale("", ""), `"duration": 1`, `"duration": "1"`, 1), status: bad,
			typ: "InvalidFieldType", msg: "products.period.duration: expected an integer, got string"},
		{name: "unknown type", body: strings.Replace(vpsSale("", ""), "SALES", "UPGRADE", 1), status: bad,
			typ: "InvalidOrderType", msg: `type: "UPGRADE" is not SALES, RENEWAL, CHANGE or CANCELLATION`},
		{name: "empty specialPricing", body: vpsSale("", `, "specialPricing": {}`), status: bad,
			typ: "EmptySpecialPricing", msg: "specialPricing: empty: the API does not accept an empty specialPricing structure; leave it out when there are no special prices"},
		{name: "no products", body: `{"type": "SALES", "accountId": "` + demo.Customer1 + `"}`, status: bad,
			typ: "MissingProducts", msg: "products: a SALES order needs at least one product"},
		{name: "empty body", body: ``, status: bad, typ: "EmptyBody", msg: "the request body is empty: send the order as a JSON object"},
	})
	// A body above the limit.
	big := vpsSale("", `, "comment": "`+strings.Repeat("x", 1<<20)+`"`)
	e.refused(providerToken, big, http.StatusRequestEntityTooLarge, "RequestTooLarge", "the request body exceeds 1048576 bytes")
	// Unknown members are ignored (integrators send extra ones).
	e.place(providerToken, vpsSale(`, "x-note": 1`, `, "externalRef": {"a": [1, 2]}`))
}

// checkConcurrentOrders places orders that exclude each other from many goroutines at once
// (no Idempotency-Key): one service identifier, one pending change per subscription. Exactly
// one wins on each engine; the others get the check's refusal.
func checkConcurrentOrders(t *testing.T, e *ordersEnv) {
	e.exec(`UPDATE plans SET unique_identifier = TRUE, service_type = 'VOIP' WHERE aps_id = $1`, demo.PlanCloudVPS)
	for _, c := range []struct {
		name, body, typ, msg string
	}{
		{"service identifier", vpsSale(`, "parameters": [{"aps": {"type": "http://example.test/voip/1.0"}, "serviceIdentifier": "+15559999"}]`, ""), "ServiceIdentifierExists",
			"Service Identifier [+15559999] already exists for this service type [VOIP]"},
		{"pending change", `{"type": "CHANGE", "subscriptionId": "` + demo.SubVPSDemo + `", "period": {"unit": "MONTHS", "duration": 3}}`,
			"SameOrderTypePending", "Order %s is not completed yet. This order prohibits placing an order of the Same Order Type (Per Subscription)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			const n = 10
			replies := make([]reply, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { replies[i] = e.post(ordersPath, providerToken, c.body) })
			}
			wg.Wait()
			won, number := 0, ""
			for _, r := range replies {
				if r.status == http.StatusOK {
					won++
					number = e.with(t).details(providerToken, orderIDOf(t, r)).OrderNumber
				}
			}
			if won != 1 {
				t.Fatalf("%d of %d concurrent orders accepted, want exactly 1", won, n)
			}
			for _, r := range replies {
				if r.status != http.StatusOK {
					wantProblem(t, r, http.StatusUnprocessableEntity, c.typ, strings.ReplaceAll(c.msg, "%s", number))
				}
			}
		})
	}
	e.exec(`UPDATE plans SET unique_identifier = FALSE, service_type = '' WHERE aps_id = $1`, demo.PlanCloudVPS)
}

// checkHostileInput sends what a careless or hostile client might: amounts beyond what money
// columns hold (once a panic that took the whole server down), NUL characters (PostgreSQL text
// cannot hold them), and a customer giving itself special prices.
func checkHostileInput(t *testing.T, e *ordersEnv) {
	vps := func(amount string) string {
		return vpsSale(`, "resources": [{"resourceId": "`+demo.ResVPS+`", "amount": `+amount+`}]`, "")
	}
	zero := `, "specialPricing": {"products": [{"planId": "` + demo.PlanCloudVPS + `", "period": {"unit": "MONTHS", "duration": 1},
		"prices": {"setup": 0, "recurring": 0}}]}`
	nul := "the request holds a NUL character (\\u0000), which no field accepts"
	e.run([]refusal{
		{name: "amount beyond storage", body: vps("10000000000000"), typ: "AmountOutOfRange",
			msg: "the order holds an amount or price out of range: 10000000000005.25 (at most 9223372036854.775807)"},
		{name: "zero-priced amount beyond storage", arg: demo.ResBackup,
			setup: []string{`UPDATE plan_resource_rates SET recurring_fee = 0 WHERE resource_id = (SELECT id FROM resources WHERE aps_id = $1)`},
			undo:  []string{`UPDATE plan_resource_rates SET recurring_fee = 500000 WHERE resource_id = (SELECT id FROM resources WHERE aps_id = $1)`},
			body:  `{"type": "CHANGE", "subscriptionId": "` + demo.SubVIP + `", "resources": [{"resourceId": "` + demo.ResBackup + `", "amount": 9300000000000}]}`,
			typ:   "AmountOutOfRange", msg: "the order holds an amount or price out of range: 9300000000000.0 (at most 9223372036854.775807)"},
		{name: "special price beyond storage", body: vpsSale("", `, "specialPricing": {"products": [{"planId": "`+demo.PlanCloudVPS+`",
			"period": {"unit": "MONTHS", "duration": 1}, "prices": {"setup": 100000000000000}}]}`),
			typ: "AmountOutOfRange", msg: "the order holds an amount or price out of range: 100000000000004.25 (at most 9223372036854.775807)"},
		{name: "NUL in a comment", body: vpsSale("", `, "comment": "a\u0000b"`), status: http.StatusBadRequest, typ: "InvalidCharacter", msg: nul},
		{name: "NUL in a promo code", body: vpsSale("", `, "promoCode": "\u0000"`), status: http.StatusBadRequest, typ: "InvalidCharacter", msg: nul},
		{name: "NUL in an attribute", body: vpsSale("", `, "attributes": [{"attributeID": "A", "value": "\u0000"}]`), status: http.StatusBadRequest,
			typ: "InvalidCharacter", msg: nul},
		{name: "customer's own special prices", token: customerToken, body: vpsSale("", zero), status: http.StatusForbidden,
			typ: "SpecialPricesNotAllowed", msg: "specialPricing: account '" + demo.Customer1 + "' may not set its own special prices; its seller or an account above it may"},
	})
	wantProblem(t, e.post(ordersPath+"/estimate", customerToken, vpsSale("", zero)), http.StatusForbidden, "SpecialPricesNotAllowed",
		"specialPricing: account '"+demo.Customer1+"' may not set its own special prices; its seller or an account above it may")
	wantProblem(t, e.post(ordersPath+"/estimate", providerToken, vpsSale("", `, "comment": "\u0000"`)), http.StatusBadRequest, "InvalidCharacter", nul)
	// The buyer's seller may; a backslash before u0000 is no NUL.
	e.place(resellerToken, vpsSale("", zero))
	e.place(providerToken, vpsSale("", `, "comment": "C:\\u0000"`))
	// The server is still up.
	e.place(providerToken, vpsSale("", ""))
}
