package panel_test

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

const rejectMsg = "Service Creation Failed: Parallels Operations Automation error #2007, Subscription #XXX already exists."

func TestSignInSessionAndSignOut(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, gateway.SimulatorConfig{})
		anon := r.anonymous()
		anon.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if status, _ := anon.get("/panel/orders"); status != http.StatusSeeOther {
			t.Errorf("orders without a session: %d, want a 303 to the sign-in page", status)
		}

		// The sign-in form refuses a post without its anti-CSRF cookie, and a bad token.
		u := r.signIn(demo.ProviderToken)
		if status, _ := anon.post("/panel/signin", url.Values{"csrf": {"x"}, "token": {demo.ProviderToken}}); status != http.StatusForbidden {
			t.Errorf("sign-in without the form's cookie: %d, want 403", status)
		}
		bad := r.anonymous()
		bad.hc.Jar, _ = cookiejar.New(nil)
		_, page := bad.get("/panel/signin")
		if status, body := bad.post("/panel/signin", url.Values{"csrf": {csrfOf(t, page)}, "token": {"nope"}}); status != http.StatusUnauthorized || !strings.Contains(body, "unknown") {
			t.Errorf("sign-in with a bad token: %d", status)
		}

		// The session cookie is Secure, HttpOnly, SameSite=Strict on /panel/; the database holds its hash only.
		res, err := u.hc.Get(r.url + "/panel/signin")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cookies := u.hc.Jar.Cookies(res.Request.URL.JoinPath("/panel/"))
		var sid string
		for _, c := range cookies {
			if c.Name == "openbss_panel" {
				sid = c.Value
			}
		}
		if sid == "" {
			t.Fatalf("no session cookie in %v", cookies)
		}
		var n int
		if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM panel_sessions WHERE id_hash = $1`, store.HashToken(sid)).Scan(&n); err != nil || n != 1 {
			t.Errorf("sessions with the cookie's hash: %d (%v), want 1", n, err)
		}
		if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM panel_sessions WHERE id_hash = $1`, sid).Scan(&n); err != nil || n != 0 {
			t.Errorf("a session id stored in clear: %d (%v)", n, err)
		}

		// Sign-out needs the CSRF token, ends the session, and the cookie no longer works.
		if status, _ := u.post("/panel/signout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
			t.Errorf("sign-out without the CSRF token: %d, want 403", status)
		}
		if status, body := u.act("/panel/signout", nil); status != http.StatusOK || !strings.Contains(body, "API token") {
			t.Errorf("sign-out: %d, want the sign-in page", status)
		}
		if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM panel_sessions`).Scan(&n); err != nil || n != 0 {
			t.Errorf("sessions after sign-out: %d (%v)", n, err)
		}
		stale := r.anonymous()
		stale.hc.CheckRedirect = anon.hc.CheckRedirect
		req, _ := http.NewRequest(http.MethodGet, r.url+"/panel/orders", nil)
		req.AddCookie(&http.Cookie{Name: "openbss_panel", Value: sid})
		if status, _ := stale.do(req); status != http.StatusSeeOther {
			t.Errorf("the signed-out cookie: %d, want a 303 to the sign-in page", status)
		}
	})
}

func TestSessionEndsWithItsToken(t *testing.T) {
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{})
	u := r.signIn(demo.ResellerToken)
	if _, err := r.st.DB().Exec(`UPDATE api_tokens SET revoked_at = 1 WHERE hash = $1`, store.HashToken(demo.ResellerToken)); err != nil {
		t.Fatal(err)
	}
	if status, body := u.get("/panel/orders"); status != http.StatusOK || !strings.Contains(body, `name="token"`) {
		t.Errorf("after the token was revoked: %d; want the sign-in page", status)
	}
}

func TestActionsNeedCSRFAndSameOrigin(t *testing.T) {
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{Reject: rejectMsg})
	id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, false))
	r.waitFlow(id, order.ProvisioningFailed)
	u := r.signIn(demo.ProviderToken)
	path := "/panel/orders/" + id + "/push"
	if status, _ := u.post(path, url.Values{"to": {"HL"}}); status != http.StatusForbidden {
		t.Errorf("push without the CSRF token: %d, want 403", status)
	}
	if status, _ := u.post(path, url.Values{"to": {"HL"}, "csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("push with a forged CSRF token: %d, want 403", status)
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+path, strings.NewReader(url.Values{"to": {"HL"}, "csrf": {u.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if status, _ := u.do(req); status != http.StatusForbidden {
		t.Errorf("cross-site push: %d, want 403", status)
	}
	if o := r.waitFlow(id, order.ProvisioningFailed); o.Flow != order.ProvisioningFailed {
		t.Fatalf("a refused push moved the order")
	}
	// A push the flow does not allow is a 409 with the allowed targets.
	if status, body := u.act(path, url.Values{"to": {"CP"}}); status != http.StatusConflict || !strings.Contains(body, "[PR HL]") {
		t.Errorf("push PF→CP: %d\n%s", status, body)
	}
	if status, body := u.act(path, url.Values{"to": {"HL"}}); status != http.StatusOK || !strings.Contains(body, "The order was pushed.") {
		t.Errorf("push PF→HL: %d\n%s", status, body)
	}
	o := r.waitFlow(id, order.Hold)
	events, _ := r.st.OrderEvents(context.Background(), o.ID)
	if last := events[len(events)-1]; last.To != order.Hold || !strings.HasPrefix(last.Actor, "panel:") {
		t.Errorf("history: last event %+v, want PF→HL by panel:…", last)
	}
	// A read-only token sees the order and no action.
	ro := r.readOnly(t)
	if _, body := ro.get("/panel/orders/" + id); strings.Contains(body, `id="actions"`) {
		t.Errorf("a read-only token is offered actions")
	}
	if status, _ := ro.act(path, url.Values{"to": {"OP"}}); status != http.StatusForbidden {
		t.Errorf("push with a read-only token: %d, want 403", status)
	}
}

// readOnly creates a provider token with orders:read only and signs in with it.
func (r *rig) readOnly(t *testing.T) *user {
	t.Helper()
	ctx := context.Background()
	p, err := r.st.Provider(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	err = r.st.InTx(ctx, func(tx *store.Tx) error {
		tok, _, err = store.CreateToken(ctx, tx, p.ID, "ro", "", []account.Scope{account.ScopeOrdersRead}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.signIn(tok)
}

func TestScopedLikeTheAPI(t *testing.T) {
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{})
	mine := r.place(demo.ProviderToken, salesOrder(demo.Customer1, false))
	other := r.place(demo.ProviderToken, salesOrder(demo.CustomerB, false))
	r.waitFlow(mine, order.Completed)

	c := r.signIn(demo.CustomerToken)
	for _, p := range []string{"/panel/accounts", "/panel/accounts/" + demo.Customer1, "/panel/catalog", "/panel/oss", "/panel/orders/" + other, "/panel/nothing"} {
		if status, _ := c.get(p); status != http.StatusNotFound {
			t.Errorf("customer GET %s: %d, want 404", p, status)
		}
	}
	if status, body := c.get("/panel/"); status != http.StatusOK || !strings.Contains(body, `id="orders"`) {
		t.Errorf("customer home: %d, want the order list", status)
	}
	_, list := c.get("/panel/orders")
	mo, _ := r.st.Order(context.Background(), mine)
	oo, _ := r.st.Order(context.Background(), other)
	if !strings.Contains(list, mo.Number) || strings.Contains(list, oo.Number) {
		t.Errorf("customer order list: want %s and not %s", mo.Number, oo.Number)
	}
	if strings.Contains(list, "Dashboard") || strings.Contains(list, "Accounts") {
		t.Errorf("customer navigation shows staff pages")
	}
	if status, _ := c.get("/panel/orders/" + mine); status != http.StatusOK {
		t.Errorf("customer's own order: %d", status)
	}
	if status, body := c.get("/panel/subscriptions"); status != http.StatusOK || !strings.Contains(body, demo.SubVPSDemo) && !strings.Contains(body, "/panel/subscriptions/") {
		t.Errorf("customer subscriptions: %d", status)
	}
	if status, _ := c.get("/panel/subscriptions/" + demo.SubVIP); status != http.StatusNotFound {
		t.Errorf("another customer's subscription: %d, want 404", status)
	}

	// A reseller sees its subtree: its customers' orders, and not the other reseller's.
	rs := r.signIn(demo.ResellerToken)
	_, list = rs.get("/panel/orders")
	if !strings.Contains(list, mo.Number) || strings.Contains(list, oo.Number) {
		t.Errorf("reseller order list: want %s and not %s", mo.Number, oo.Number)
	}
	if status, _ := rs.get("/panel/orders/" + other); status != http.StatusNotFound {
		t.Errorf("reseller GET another reseller's order: %d, want 404", status)
	}
	if status, _ := rs.get("/panel/oss"); status != http.StatusNotFound {
		t.Errorf("reseller GET /panel/oss: %d, want 404", status)
	}
}

func TestResubmitAfterTheOSSIsFixed(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, gateway.SimulatorConfig{Reject: rejectMsg})
		id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, true))
		o := r.waitFlow(id, order.ProvisioningFailed)
		u := r.signIn(demo.ProviderToken)

		_, dash := u.get("/panel/")
		for _, want := range []string{o.Number, "Parallels Operations Automation error #2007", `id="count-PF">1<`} {
			if !strings.Contains(dash, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		_, list := u.get("/panel/orders?ofStatus=PF")
		if !strings.Contains(list, o.Number) || !strings.Contains(list, "eq(ofStatus,PF)") {
			t.Errorf("PF order list lacks %s", o.Number)
		}
		_, pg := u.get("/panel/orders/" + id)
		if !strings.Contains(pg, "Resubmit 2 failed items") {
			t.Errorf("order page offers no resubmit of 2 items")
		}
		status, confirm := u.get("/panel/orders/" + id + "/confirm?action=resubmit")
		if status != http.StatusOK || !strings.Contains(confirm, "Resubmit the failed provisioning items") {
			t.Fatalf("confirm page: %d\n%s", status, confirm)
		}
		r.sim.Configure(gateway.SimulatorConfig{})
		if status, body := u.act("/panel/orders/"+id+"/resubmit", nil); status != http.StatusOK || !strings.Contains(body, "resubmitted") {
			t.Fatalf("resubmit: %d\n%s", status, body)
		}
		r.waitFlow(id, order.Completed)
		if _, pg := u.get("/panel/orders/" + id); !strings.Contains(pg, `id="ofstatus">CP<`) {
			t.Errorf("order page does not show CP")
		}
		// Resubmitting a completed order is refused.
		if status, _ := u.act("/panel/orders/"+id+"/resubmit", nil); status != http.StatusConflict {
			t.Errorf("resubmit of a CP order: %d, want 409", status)
		}
	})
}

// TestCreationCompleted is seed 000's repair in the panel: the OSS did the work after the item
// failed; the operator triggers "Creation Completed" for the item and the order completes.
func TestCreationCompleted(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, gateway.SimulatorConfig{Reject: rejectMsg})
		id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, false))
		o := r.waitFlow(id, order.ProvisioningFailed)
		it := o.Items[0]
		r.sim.Configure(gateway.SimulatorConfig{})
		if _, err := r.sim.Provision(context.Background(), gateway.Item{ItemID: strconv.FormatInt(it.ID, 10),
			Action: it.Action, SubscriptionID: it.SubscriptionAPSID}); err != nil {
			t.Fatal(err)
		}
		u := r.signIn(demo.ProviderToken)
		item := strconv.FormatInt(it.ID, 10)
		q := url.Values{"action": {"event"}, "item": {item}, "event": {"creation"}, "gateId": {"4"},
			"message": {"Operations Automation service is created."}, "subscrId": {"oss-" + it.SubscriptionAPSID}}
		status, confirm := u.get("/panel/orders/" + id + "/confirm?" + q.Encode())
		want := "GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created.;OrderItemID=" + item + ";SubscrID=oss-" + it.SubscriptionAPSID
		if status != http.StatusOK || !strings.Contains(confirm, want) {
			t.Fatalf("confirm page: %d, want the seed's parameters %q\n%s", status, want, confirm)
		}
		form := url.Values{"event": {"creation"}, "gateId": {"4"}, "message": {"Operations Automation service is created."},
			"subscrId": {"oss-" + it.SubscriptionAPSID}}
		if status, body := u.act("/panel/orders/"+id+"/items/"+item+"/event", form); status != http.StatusOK || !strings.Contains(body, `id="ofstatus">CP<`) {
			t.Fatalf("Creation Completed: %d\n%s", status, body)
		}
		o = r.waitFlow(id, order.Completed)
		if o.Items[0].Status != order.ProvisioningCompleted || o.Items[0].OSSSubscriptionID != "oss-"+it.SubscriptionAPSID {
			t.Errorf("item after the event: %+v", o.Items[0])
		}
		events, _ := r.st.OrderEvents(context.Background(), o.ID)
		var noted bool
		for _, e := range events {
			noted = noted || (strings.Contains(e.Message, "Creation Completed for item "+item) && strings.HasPrefix(e.Actor, "panel:"))
		}
		if !noted {
			t.Errorf("history does not record the operator's event: %+v", events)
		}
	})
}

func TestMarkItemFailedAndCompleted(t *testing.T) {
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{Async: true})
	id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, true))
	o := r.waitFlow(id, order.Provisioning)
	u := r.signIn(demo.ProviderToken)
	first, second := strconv.FormatInt(o.Items[0].ID, 10), strconv.FormatInt(o.Items[1].ID, 10)
	base := "/panel/orders/" + id + "/items/"
	if status, _ := u.act(base+first+"/event", url.Values{"event": {"failed"}}); status != http.StatusBadRequest {
		t.Errorf("mark failed without a message: %d, want 400", status)
	}
	if status, _ := u.act(base+"999999/event", url.Values{"event": {"completed"}}); status != http.StatusNotFound {
		t.Errorf("event for another order's item: %d, want 404", status)
	}
	if status, _ := u.act(base+first+"/event", url.Values{"event": {"failed"}, "message": {"disk quota exceeded"}}); status != http.StatusOK {
		t.Errorf("mark failed: %d", status)
	}
	if status, _ := u.act(base+second+"/event", url.Values{"event": {"completed"}, "message": {"done by hand"}}); status != http.StatusOK {
		t.Errorf("mark completed: %d", status)
	}
	o = r.waitFlow(id, order.ProvisioningFailed)
	if o.ErrorDetails != "disk quota exceeded" {
		t.Errorf("errorDetails %q", o.ErrorDetails)
	}
}

func TestPagesRender(t *testing.T) {
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{})
	id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, false))
	r.waitFlow(id, order.Completed)
	u := r.signIn(demo.ProviderToken)
	for path, want := range map[string]string{
		"/panel/":                           "Orders by flow status",
		"/panel/orders":                     `id="orders"`,
		"/panel/orders?sort=-total&type=SO": "sort(-total)",
		"/panel/orders?number=SO000001":     "eq(orderNumber,SO000001)",
		"/panel/orders?customer=John&from=2019-03-01&to=2019-03-31": "eq(endCustomerName,John)&amp;ge(creationTime,2019-03-01)&amp;lt(creationTime,2019-04-01)",
		"/panel/orders?number=1":                                    "in(orderNumber,(SO000001,RN000001,CH000001,CL000001,CF000001,BO000001))",
		"/panel/orders?number=so1":                                  "eq(orderNumber,SO000001)",
		"/panel/orders/" + id:                                       "Provisioning items",
		"/panel/subscriptions":                                      `id="subscriptions"`,
		"/panel/subscriptions/" + demo.SubVPSDemo:                   "Resources",
		"/panel/accounts":                                           demo.ResellerB,
		"/panel/accounts/" + demo.Customer1:                         "Payment methods",
		"/panel/catalog":                                            "Subscription periods",
		"/panel/oss":                                                "Reject every new item",
	} {
		status, body := u.get(path)
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want %q in\n%.2000s", path, status, want, body)
		}
	}
	for path, status := range map[string]int{
		"/panel/orders?type=XX":                              http.StatusBadRequest,
		"/panel/orders?from=yesterday":                       http.StatusBadRequest,
		"/panel/orders?sort=request":                         http.StatusBadRequest,
		"/panel/orders/nope":                                 http.StatusNotFound,
		"/panel/orders/" + id + "/confirm?action=push&to=NW": http.StatusConflict,
		"/panel/accounts?root=nope":                          http.StatusNotFound,
	} {
		if got, body := u.get(path); got != status {
			t.Errorf("GET %s: %d, want %d\n%.1000s", path, got, status, body)
		}
	}
	// The panel changes the simulator at run time.
	if status, _ := u.act("/panel/oss", url.Values{"reject": {"down"}, "failRate": {"0"}, "latency": {"0s"}}); status != http.StatusOK {
		t.Errorf("configure the simulator: %d", status)
	}
	if got := r.sim.Config().Reject; got != "down" {
		t.Errorf("simulator reject %q, want down", got)
	}
}

// tokenFor makes an orders:read and orders:write token for an account.
func (r *rig) tokenFor(t *testing.T, apsID string) string {
	t.Helper()
	ctx := context.Background()
	a, err := r.st.Account(ctx, apsID)
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	err = r.st.InTx(ctx, func(tx *store.Tx) error {
		tok, _, err = store.CreateToken(ctx, tx, a.ID, "test", "", []account.Scope{account.ScopeOrdersRead, account.ScopeOrdersWrite}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestEventsPage is seed 000 as written: the operator opens the Events settings page, types
// "Creation Completed"'s parameters with the failed item's id, confirms, and the order
// completes. Only staff whose subtree holds the item's order may do so.
func TestEventsPage(t *testing.T) {
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{Reject: rejectMsg})
	id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, false))
	o := r.waitFlow(id, order.ProvisioningFailed)
	it := o.Items[0]
	item := strconv.FormatInt(it.ID, 10)
	r.sim.Configure(gateway.SimulatorConfig{})
	params := "GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created. ;OrderItemID=" + item + ";SubscrID=oss-77"
	confirm := "/panel/events/confirm?" + url.Values{"parameters": {params}}.Encode()

	c := r.signIn(demo.CustomerToken)
	for _, p := range []string{"/panel/events", confirm} {
		if status, _ := c.get(p); status != http.StatusNotFound {
			t.Errorf("customer GET %s: %d, want 404", p, status)
		}
	}
	other := r.signIn(r.tokenFor(t, demo.ResellerB))
	if status, _ := other.get(confirm); status != http.StatusNotFound {
		t.Errorf("another reseller's confirmation for the item: %d, want 404", status)
	}
	if status, _ := other.act("/panel/orders/"+id+"/items/"+item+"/event", url.Values{"event": {"creation"}}); status != http.StatusNotFound {
		t.Errorf("another reseller's event for the item: %d, want 404", status)
	}

	u := r.signIn(demo.ResellerToken)
	status, body := u.get("/panel/events")
	if status != http.StatusOK || !strings.Contains(body, "OrderItemID=[ProvisioningItemID]") || !strings.Contains(body, `href="/panel/events" class="on"`) {
		t.Fatalf("events page: %d\n%s", status, body)
	}
	if status, body := u.get("/panel/events/confirm?parameters=" + url.QueryEscape("GateID=4;OrderItemID=[ProvisioningItemID]")); status != http.StatusBadRequest || !strings.Contains(body, `id="eventError"`) {
		t.Errorf("parameters without an item id: %d\n%s", status, body)
	}
	if status, _ := u.get("/panel/events/confirm?parameters=OrderItemID%3D999999"); status != http.StatusNotFound {
		t.Errorf("an unknown item: %d, want 404", status)
	}
	status, body = u.get(confirm)
	want := "GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created.;OrderItemID=" + item + ";SubscrID=oss-77"
	if status != http.StatusOK || !strings.Contains(body, "Creation Completed for provisioning item "+item+" of order "+o.Number) ||
		!strings.Contains(body, want) || !strings.Contains(body, `action="/panel/orders/`+id+`/items/`+item+`/event"`) {
		t.Fatalf("confirmation: %d\n%s", status, body)
	}
	if o := r.waitFlow(id, order.ProvisioningFailed); o.Items[0].Status != order.ProvisioningFailedSt {
		t.Fatalf("the confirmation page changed the item: %+v", o.Items[0])
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-zA-Z]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if status, _ := u.post("/panel/orders/"+id+"/items/"+item+"/event", url.Values{"event": {"creation"}}); status != http.StatusForbidden {
		t.Errorf("the event without the CSRF token: %d, want 403", status)
	}
	if status, body := u.act("/panel/orders/"+id+"/items/"+item+"/event", form); status != http.StatusOK || !strings.Contains(body, `id="ofstatus">CP<`) {
		t.Fatalf("confirmed event: %d\n%s", status, body)
	}
	o = r.waitFlow(id, order.Completed)
	if o.Items[0].Status != order.ProvisioningCompleted || o.Items[0].OSSSubscriptionID != "oss-77" {
		t.Errorf("item after the event: %+v", o.Items[0])
	}

	// IssuedSuccessfully=0 is the failure event: it asks to mark the item failed.
	if _, body := u.get("/panel/events/confirm?" + url.Values{"parameters": {"IssuedSuccessfully=0;Message=quota;OrderItemID=" + item}}.Encode()); !strings.Contains(body, "Mark failed for provisioning item "+item) {
		t.Errorf("IssuedSuccessfully=0 does not ask to mark the item failed:\n%s", body)
	}
}
