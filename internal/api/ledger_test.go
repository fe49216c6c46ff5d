package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/app"
	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/scheduler"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/worker"
)

// Identifiers of this file and testclock_test.go start with ldg: the api_test package is
// shared by many files.

// ldgServer is `openbss serve --demo` in a test: the demo data, a ticking test clock starting
// on 2019-03-22 10:00 UTC, order processing in the background and the scheduler behind the
// test-clock routes.
type ldgServer struct {
	t    *testing.T
	st   *store.Store
	base string
}

var ldgEpoch = time.Date(2019, 3, 22, 10, 0, 0, 0, time.UTC)

func ldgEngines(t *testing.T, fn func(t *testing.T, s *ldgServer)) {
	t.Helper()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) { fn(t, ldgStart(t, dsn, true)) })
}

func ldgStart(t *testing.T, dsn string, testClock bool) *ldgServer {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewTest(ldgEpoch)
	st, err := store.Open(ctx, dsn, store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.LoadDemo(t, st)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := worker.New(st, &gateway.DemoPayment{DB: st.DB(), Now: st.Now}, gateway.NewSimulator(st.DB(), gateway.SimulatorConfig{}),
		worker.Config{Workers: 2, Poll: 5 * time.Millisecond, BackoffBase: 10 * time.Millisecond}, log)
	pctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(pctx) }()
	t.Cleanup(func() { cancel(); <-done })
	opts := []api.Option{api.WithProcessing(p)}
	if testClock {
		sch := scheduler.New(st, app.New(st), clk, scheduler.Config{
			Drain: scheduler.WaitForJobs(st, clk, p.Wake, 30*time.Second)}, log)
		opts = append(opts, api.WithTestClock(sch))
	}
	srv := httptest.NewServer(api.NewServer(st, log, opts...))
	t.Cleanup(srv.Close)
	return &ldgServer{t: t, st: st, base: srv.URL}
}

// call sends a request and decodes a JSON answer into out (when not nil). A 500 fails the test.
func (s *ldgServer) call(method, path, token, body string, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		s.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil && res.StatusCode < 300 && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

func (s *ldgServer) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.st.DB().Exec(q, args...); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

type ldgAmount struct {
	Value json.Number `json:"value"`
	Code  string      `json:"code"`
}

type ldgDocument struct {
	APS struct {
		ID string `json:"id"`
	} `json:"aps"`
	Number  string `json:"number"`
	Type    string `json:"type"`
	Account struct {
		APS struct {
			ID string `json:"id"`
		} `json:"aps"`
	} `json:"account"`
	Order *struct {
		APS struct {
			ID string `json:"id"`
		} `json:"aps"`
		OrderNumber string `json:"orderNumber"`
	} `json:"order"`
	RelatedDocument string     `json:"relatedDocument"`
	Date            time.Time  `json:"date"`
	Amount          ldgAmount  `json:"amount"`
	BalanceEffect   ldgAmount  `json:"balanceEffect"`
	CreditApplied   *ldgAmount `json:"creditApplied"`
	PaymentMethodID *int64     `json:"paymentMethodId"`
	Lines           []struct {
		Type   string    `json:"type"`
		Amount ldgAmount `json:"amount"`
	} `json:"lines"`
}

type ldgBalance struct {
	Currency        string    `json:"currency"`
	Balance         ldgAmount `json:"balance"`
	AvailableCredit ldgAmount `json:"availableCredit"`
	Documents       int       `json:"documents"`
	Balances        []struct {
		Currency string `json:"currency"`
	} `json:"balances"`
}

type ldgAdvance struct {
	From   time.Time `json:"from"`
	Now    time.Time `json:"now"`
	Events []struct {
		Kind           string    `json:"kind"`
		SubscriptionID string    `json:"subscriptionId"`
		DueAt          time.Time `json:"dueAt"`
		Status         string    `json:"status"`
		OrderID        string    `json:"orderId"`
		OrderNumber    string    `json:"orderNumber"`
	} `json:"events"`
}

// TestDemoAutoRenewalOverTheAPI is the acceptance on the demo data, over HTTP: the
// monthly subscription a63078fb ("Cloud VPSes", expiring 2019-04-20) with auto-renewal 7 days
// ahead, advanced 40 days on the test clock, has a completed RN order, a new expiration date one
// month later and an invoice for it, paid by its card; the other demo subscriptions, which do
// not renew automatically, have passed into grace (456808a0 expired on 2019-04-12).
func TestDemoAutoRenewalOverTheAPI(t *testing.T) {
	ldgEngines(t, func(t *testing.T, s *ldgServer) {
		s.exec(`UPDATE plans SET autorenew_type = 'ENABLED', autorenew_days = 7 WHERE aps_id = $1`, demo.PlanCloudVPS)
		s.exec(`UPDATE subscriptions SET autorenew_type = 'ENABLED', autorenew_enabled = TRUE WHERE aps_id = $1`, demo.SubCloud)
		var res ldgAdvance
		if code := s.call("POST", "/aps/2/services/test-clock/advance", demo.ProviderToken, `{"days": 40}`, &res); code != http.StatusOK {
			t.Fatalf("advance: %d", code)
		}
		if d := res.Now.Sub(ldgEpoch.AddDate(0, 0, 40)); d < 0 || d > time.Minute {
			t.Errorf("clock after 40 days: %s", res.Now)
		}
		var rn string
		for _, ev := range res.Events {
			if ev.SubscriptionID == demo.SubCloud && ev.Kind == "RENEW" {
				rn = ev.OrderID
			}
		}
		if rn == "" {
			t.Fatalf("no renewal in %+v", res.Events)
		}
		var o struct {
			OrderNumber string `json:"orderNumber"`
			Type        string `json:"type"`
			OfStatus    string `json:"ofStatus"`
		}
		s.call("GET", "/aps/2/services/order-manager/orders/"+rn, demo.ProviderToken, "", &o)
		if o.Type != "RN" || o.OfStatus != "CP" {
			t.Errorf("renewal order %s: %s %s, want RN CP", o.OrderNumber, o.Type, o.OfStatus)
		}
		var sub struct {
			ExpirationDate string `json:"expirationDate"`
			Status         string `json:"status"`
		}
		s.call("GET", "/aps/2/collections/bss-subscriptions/"+demo.SubCloud, demo.ProviderToken, "", &sub)
		if sub.ExpirationDate != "2019-05-20" || sub.Status != "ACTIVE" {
			t.Errorf("subscription after renewal: %+v, want expiring 2019-05-20, ACTIVE", sub)
		}
		var docs []ldgDocument
		s.call("GET", "/aps/2/collections/documents?eq(order.aps.id,"+rn+")&sort(+id)", demo.ProviderToken, "", &docs)
		if len(docs) != 2 || docs[0].Type != "INVOICE" || docs[1].Type != "PAYMENT" ||
			docs[0].Amount.Value != "5.25" || docs[1].Amount.Value != "5.25" || docs[1].RelatedDocument != docs[0].Number ||
			docs[1].PaymentMethodID == nil || *docs[1].PaymentMethodID != 11 || docs[0].Order.OrderNumber != o.OrderNumber {
			t.Fatalf("documents of %s: %+v", o.OrderNumber, docs)
		}
		if docs[0].BalanceEffect.Value != "5.25" || docs[1].BalanceEffect.Value != "-5.25" || len(docs[0].Lines) == 0 {
			t.Errorf("balance effects %s, %s; lines %+v", docs[0].BalanceEffect.Value, docs[1].BalanceEffect.Value, docs[0].Lines)
		}
		var sub2 struct {
			Status string `json:"status"`
		}
		s.call("GET", "/aps/2/collections/bss-subscriptions/"+demo.SubVPSDemo, demo.ProviderToken, "", &sub2)
		if sub2.Status == "ACTIVE" {
			t.Errorf("456808a0 (no auto-renewal, expired 2019-04-12) is still ACTIVE on 2019-05-01")
		}
		var clk struct {
			Now time.Time `json:"now"`
		}
		s.call("GET", "/aps/2/services/test-clock", demo.ProviderToken, "", &clk)
		if clk.Now.Before(res.Now) {
			t.Errorf("GET test-clock %s, before the advance's %s", clk.Now, res.Now)
		}
	})
}

// TestDocumentsAndBalanceScope: documents and balances follow the caller's subtree; the RQL
// filters and sorts work; a cancellation's credit memo shows as credit on the balance.
func TestDocumentsAndBalanceScope(t *testing.T) {
	ldgEngines(t, func(t *testing.T, s *ldgServer) {
		var placed struct {
			OrderID string `json:"orderId"`
		}
		if code := s.call("POST", "/aps/2/services/order-manager/orders", demo.ResellerToken,
			`{"type": "CANCELLATION", "subscriptionId": "`+demo.SubCloud+`", "refundType": "CREDIT_MEMO"}`, &placed); code != http.StatusOK {
			t.Fatalf("cancellation: %d", code)
		}
		// The cancellation waits in NW for a push (seed 002); then it is processed.
		ldgWaitFor(t, s, placed.OrderID, "NW")
		if code := s.call("POST", "/aps/2/services/order-manager/orders/"+placed.OrderID+"/push", demo.ResellerToken,
			`{"ofStatus": "OP"}`, nil); code != http.StatusOK {
			t.Fatalf("push: %d", code)
		}
		ldgWaitFor(t, s, placed.OrderID, "CP")

		var docs []ldgDocument
		s.call("GET", "/aps/2/collections/documents?eq(type,CREDIT_MEMO)", demo.ResellerToken, "", &docs)
		if len(docs) != 1 || docs[0].Amount.Value != "4.92" || docs[0].BalanceEffect.Value != "-4.92" ||
			docs[0].Account.APS.ID != demo.CustomerSubs || !strings.HasPrefix(docs[0].Number, "CM") || len(docs[0].Lines) != 2 {
			t.Fatalf("credit memos seen by the reseller: %+v", docs)
		}
		var one ldgDocument
		if code := s.call("GET", "/aps/2/collections/documents/"+docs[0].Number, demo.ResellerToken, "", &one); code != http.StatusOK || one.APS.ID != docs[0].APS.ID {
			t.Errorf("document by number: %d %+v", code, one)
		}
		var b ldgBalance
		if code := s.call("GET", "/aps/2/collections/accounts/"+demo.CustomerSubs+"/balance", demo.ResellerToken, "", &b); code != http.StatusOK {
			t.Fatalf("balance: %d", code)
		}
		if b.Currency != "USD" || b.Balance.Value != "-4.92" || b.AvailableCredit.Value != "4.92" || b.Documents != 1 || len(b.Balances) != 1 {
			t.Errorf("balance %+v", b)
		}
		// The customer of another branch (3fef9702) sees none of it.
		var mine []ldgDocument
		if code := s.call("GET", "/aps/2/collections/documents", demo.CustomerToken, "", &mine); code != http.StatusOK || len(mine) != 0 {
			t.Errorf("another customer's documents: %d %+v", code, mine)
		}
		if code := s.call("GET", "/aps/2/collections/documents/"+docs[0].APS.ID, demo.CustomerToken, "", nil); code != http.StatusNotFound {
			t.Errorf("another customer reading a document: %d, want 404", code)
		}
		if code := s.call("GET", "/aps/2/collections/accounts/"+demo.CustomerSubs+"/balance", demo.CustomerToken, "", nil); code != http.StatusNotFound {
			t.Errorf("another customer's balance: %d, want 404", code)
		}
		if code := s.call("GET", "/aps/2/collections/accounts/"+demo.Customer1+"/balance", demo.CustomerToken, "", &b); code != http.StatusOK ||
			b.Balance.Value != "0.0" || b.Documents != 0 {
			t.Errorf("own empty balance: %d %+v", code, b)
		}
		for _, q := range []string{"eq(nope,1)", "eq(date,yesterday)", "sort(amount)"} {
			if code := s.call("GET", "/aps/2/collections/documents?"+q, demo.ProviderToken, "", nil); code != http.StatusBadRequest {
				t.Errorf("documents?%s: %d, want 400", q, code)
			}
		}
		var since []ldgDocument
		s.call("GET", "/aps/2/collections/documents?ge(date,2019-03-22T00:00:00Z)&like(number,CM*)&sort(-date)", demo.ProviderToken, "", &since)
		if len(since) != 1 {
			t.Errorf("documents by date and number: %+v", since)
		}
	})
}

// ldgWaitFor waits until an order reaches a flow status (processing runs in the background).
func ldgWaitFor(t *testing.T, s *ldgServer, id, status string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var o struct {
			OfStatus     string `json:"ofStatus"`
			ErrorDetails string `json:"errorDetails"`
		}
		s.call("GET", "/aps/2/services/order-manager/orders/"+id, demo.ProviderToken, "", &o)
		if o.OfStatus == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s in %s (%s), never reached %s", id, o.OfStatus, o.ErrorDetails, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestUsageReporting: usage is reported per subscription and resource within the running billing
// period; the answer shows the period's peaks against the limits.
func TestUsageReporting(t *testing.T) {
	ldgEngines(t, func(t *testing.T, s *ldgServer) {
		s.exec(`UPDATE plan_resource_rates SET overuse_fee = 2500000 WHERE resource_id = (SELECT id FROM resources WHERE aps_id = $1)`, demo.ResVPS)
		path := "/aps/2/collections/bss-subscriptions/" + demo.SubCloud + "/usage"
		var u struct {
			PeriodStart string `json:"periodStart"`
			PeriodEnd   string `json:"periodEnd"`
			Resources   []struct {
				ResourceID string      `json:"resourceId"`
				Limit      json.Number `json:"limit"`
				Peak       json.Number `json:"peak"`
				Overuse    json.Number `json:"overuse"`
				OveruseFee ldgAmount   `json:"overuseFee"`
			} `json:"resources"`
		}
		if code := s.call("POST", path, demo.ResellerToken, `{"resourceId": "`+demo.ResVPS+`", "amount": 5}`, &u); code != http.StatusOK {
			t.Fatalf("report usage: %d", code)
		}
		if code := s.call("POST", path, demo.ResellerToken, `[{"resourceId": "`+demo.ResVPS+`", "amount": 3,
			"measuredAt": "2019-03-21T00:00:00Z"}]`, &u); code != http.StatusOK {
			t.Fatalf("report usage list: %d", code)
		}
		if u.PeriodStart != "2019-03-20T00:00:00Z" || u.PeriodEnd != "2019-04-20T00:00:00Z" || len(u.Resources) != 1 ||
			u.Resources[0].Peak != "5.0" || u.Resources[0].Limit != "2.0" || u.Resources[0].Overuse != "3.0" ||
			u.Resources[0].OveruseFee.Value != "2.5" {
			t.Errorf("usage %+v", u)
		}
		for _, c := range []struct {
			token, body string
			want        int
		}{
			{demo.CustomerToken, `{"resourceId": "` + demo.ResVPS + `", "amount": 1}`, 404},
			{demo.ResellerToken, `{"resourceId": "` + demo.ResDisk + `", "amount": 1}`, 422},
			{demo.ResellerToken, `{"resourceId": "` + demo.ResVPS + `", "amount": -1}`, 400},
			{demo.ResellerToken, `{"resourceId": "` + demo.ResVPS + `"}`, 400},
			{demo.ResellerToken, `{"resourceId": "` + demo.ResVPS + `", "amount": 1, "measuredAt": "2019-05-01T00:00:00Z"}`, 422},
			{demo.ResellerToken, `[]`, 400},
			{demo.ResellerToken, `{"resourceId": "` + demo.ResVPS + `", "amount": 1, "extra": 1}`, 400},
		} {
			if code := s.call("POST", path, c.token, c.body, nil); code != c.want {
				t.Errorf("POST usage %s as %s: %d, want %d", c.body, c.token, code, c.want)
			}
		}
		if code := s.call("GET", path, demo.CustomerToken, "", nil); code != http.StatusNotFound {
			t.Errorf("another customer's usage: %d, want 404", code)
		}
	})
}
