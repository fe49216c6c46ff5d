package api_test

import (
	"net/http"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// demoGarbageNeverFails500 sends bytes a database refuses (NUL, invalid UTF-8) and extreme
// numbers everywhere a client's text reaches a query: each is a client error or an empty
// answer, never a 500.
func demoGarbageNeverFails500(t *testing.T, c *client) {
	for _, path := range []string{
		"/aps/2/collections/accounts?eq(companyName,a%00b)",
		"/aps/2/collections/accounts?eq(companyName,%ff%fe)",
		"/aps/2/collections/accounts?like(companyName,%c3*)",
		"/aps/2/collections/accounts?in(aps.id,(%00,x))",
		"/aps/2/collections/accounts?eq(id,99999999999999999999)",
		"/aps/2/collections/accounts?eq(id,-9223372036854775808)",
		"/aps/2/collections/accounts?limit(99999999999999999999,1)",
		"/aps/2/collections/accounts?limit(9223372036854775807,1)",
		"/aps/2/collections/accounts?ge(creationTime,9999-12-31T23:59:59Z)",
		"/aps/2/collections/accounts?ge(creationTime,0001-01-01T00:00:00Z)",
		"/aps/2/collections/service-plans?eq(name,%00)",
		"/aps/2/collections/bss-subscriptions?eq(account.aps.id,%ff)",
		"/aps/2/collections/bss-subscriptions?eq(subscriptionId,1e400)",
		"/aps/2/collections/accounts/%00",
		"/aps/2/collections/accounts/%ff",
		"/aps/2/collections/service-plans/%00",
		"/aps/2/collections/bss-subscriptions/%ff%00",
		"/aps/2/services/payment-method-manager/paymentMethods?accountId=%00",
		"/aps/2/services/payment-method-manager/paymentMethods?accountId=%ff",
		"/aps/2/services/order-manager/reasonCodes?operationType=%00",
		"/aps/2/services/order-manager/reasonCodes?operationType=%ff",
		"/aps/2/services/order-manager/orders/%00",
		"/aps/2/services/order-manager/orders/%ff",
		"/aps/2/services/order-manager/orders?eq(customerId,%ff)",
		"/aps/2/services/order-manager/orders?in(orderNumber,(%00))",
	} {
		r := c.get(path, asProvider)
		if r.status >= 500 {
			continue // reported by c.get
		}
		if r.status != http.StatusOK && r.status != http.StatusPartialContent && r.status != http.StatusBadRequest && r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	r := c.get("/aps/2/collections/accounts", bearer("tok\xffen"))
	checkError(t, "a token that is not UTF-8", r, http.StatusUnauthorized)
}

// demoNULInBodies sends JSON strings holding NUL (\u0000, which JSON allows and PostgreSQL text
// refuses) in every id of an order request: each is refused as a client error, never a 500.
func demoNULInBodies(t *testing.T, c *client) {
	const nul = `\u0000`
	for _, body := range []string{
		`{"type": "SALES", "accountId": "` + nul + `", "products": [{"planId": "` + demo.PlanCloudVPS + `", "period": {"unit": "MONTHS", "duration": 1}}]}`,
		`{"type": "SALES", "accountId": "` + demo.Customer1 + `", "products": [{"planId": "` + nul + `", "period": {"unit": "MONTHS", "duration": 1}}]}`,
		`{"type": "SALES", "accountId": "` + demo.Customer1 + `", "promoCode": "` + nul + `", "products": [{"planId": "` + demo.PlanCloudVPS + `", "period": {"unit": "MONTHS", "duration": 1}}]}`,
		`{"type": "SALES", "accountId": "` + demo.Customer1 + `", "products": [{"planId": "` + demo.PlanCloudVPS + `", "period": {"unit": "MONTHS", "duration": 1}, "resources": [{"resourceId": "` + nul + `", "amount": 2}]}]}`,
		`{"type": "RENEWAL", "subscriptionId": "` + nul + `"}`,
		`{"type": "CANCELLATION", "subscriptionId": "` + nul + `"}`,
	} {
		for _, path := range []string{"/aps/2/services/order-manager/orders/estimate", "/aps/2/services/order-manager/orders/termsconditions"} {
			r := c.do(http.MethodPost, path, []byte(body), asProvider, [2]string{"Content-Type", "application/json"})
			if r.status < 400 || r.status >= 500 {
				t.Errorf("POST %s %s: %d %s", path, body, r.status, r.body)
			}
		}
	}
}
