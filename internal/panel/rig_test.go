package panel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/panel"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/worker"
)

// epoch is the rig's clock at start: inside the current billing period of the demo data.
var epoch = time.Date(2019, 3, 22, 10, 0, 0, 0, time.UTC)

// rig is `openbss serve --demo` in a test: a fresh database with the demo data, the OSS
// simulator, an order processor and the API with the panel mounted, over TLS (the panel's
// session cookie is Secure).
type rig struct {
	t    *testing.T
	st   *store.Store
	sim  *gateway.Simulator
	proc *worker.Processor
	url  string
	srv  *httptest.Server
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newRig(t *testing.T, dsn string, sim gateway.SimulatorConfig) *rig {
	t.Helper()
	start := time.Now()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.WithClock(func() time.Time { return epoch.Add(time.Since(start)) }))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	storetest.LoadDemo(t, st)
	r := &rig{t: t, st: st, logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.sim = gateway.NewSimulator(st.DB(), sim)
	r.sim.Now = st.Now
	r.proc = worker.New(st, &gateway.DemoPayment{DB: st.DB(), Now: st.Now}, r.sim, worker.Config{Workers: 2,
		Poll: 5 * time.Millisecond, BackoffBase: 10 * time.Millisecond, BackoffMax: 80 * time.Millisecond}, log)
	pn, err := panel.New(st, log, panel.WithProcessing(r.proc), panel.WithSimulator(r.sim))
	if err != nil {
		t.Fatalf("panel: %v", err)
	}
	r.srv = httptest.NewTLSServer(api.NewServer(st, log, api.WithProcessing(r.proc), api.WithPanel(pn)))
	r.url = r.srv.URL
	pctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.proc.Run(pctx) }()
	t.Cleanup(func() {
		r.srv.Close()
		stop()
		<-done
		if t.Failed() {
			t.Logf("server log:\n%s", r.logs.String())
		}
	})
	return r
}

// salesOrder is a demo SALES order for customer 1000001 (paid with method 3): one
// provisioning item, two with child.
func salesOrder(account string, child bool) string {
	children := ""
	if child {
		children = `{"planId": "` + demo.PlanSaaS + `", "period": {"unit": "MONTHS", "duration": 1}}`
	}
	method := `"paymentMethodId": "3",` // the reseller's Demo.Redirect method, for its customers
	if account == demo.CustomerB {
		method = ""
	}
	return fmt.Sprintf(`{"type": "SALES", "accountId": "%s", %s
   "products": [{"planId": "%s", "period": {"unit": "MONTHS", "duration": 1},
      "resources": [{"resourceId": "%s", "amount": 40}],
      "parameters": [{"client": "1st APS, inc.", "mail": "jsmith@aps.test"}],
      "childProducts": [%s]}],
   "acceptedTerms": ["1"]}`, account, method, demo.PlanOfferCounter, demo.ResUsers, children)
}

// place places an order through the API and returns its APS id.
func (r *rig) place(token, body string) string {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.url+"/aps/2/services/order-manager/orders", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatalf("place: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
		r.t.Fatalf("place: %d %s", res.StatusCode, b)
	}
	var out struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.OrderID == "" {
		r.t.Fatalf("place: no orderId in %s", b)
	}
	return out.OrderID
}

// waitFlow waits until the order reaches flow status want.
func (r *rig) waitFlow(apsID string, want order.FlowStatus) *order.Order {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		o, err := r.st.Order(context.Background(), apsID)
		if err != nil {
			r.t.Fatalf("order %s: %v", apsID, err)
		}
		if o.Flow == want {
			return o
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("order %s: flow %s (%s), want %s", o.Number, o.Flow, o.ErrorDetails, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// user is a browser-like client of the panel: a cookie jar over TLS.
type user struct {
	t    *testing.T
	r    *rig
	hc   *http.Client
	csrf string
}

// anonymous is a client of its own (the server's client is shared: copy it).
func (r *rig) anonymous() *user {
	hc := *r.srv.Client()
	return &user{t: r.t, r: r, hc: &hc}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in with token and returns the client.
func (r *rig) signIn(token string) *user {
	r.t.Helper()
	u := r.anonymous()
	u.hc.Jar, _ = cookiejar.New(nil)
	status, body := u.get("/panel/signin")
	if status != http.StatusOK {
		r.t.Fatalf("sign-in page: %d", status)
	}
	status, body = u.post("/panel/signin", url.Values{"csrf": {csrfOf(r.t, body)}, "token": {token}})
	if status != http.StatusOK || !strings.Contains(body, "Sign out") {
		r.t.Fatalf("sign in with %s: %d\n%s", token, status, body)
	}
	u.csrf = csrfOf(r.t, body)
	return u
}

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in\n%s", body)
	}
	return m[1]
}

func (u *user) do(req *http.Request) (int, string) {
	u.t.Helper()
	res, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (u *user) get(path string) (int, string) {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u.r.url+path, nil)
	return u.do(req)
}

func (u *user) post(path string, form url.Values) (int, string) {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u.r.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req)
}

// act posts a form with the session's CSRF token.
func (u *user) act(path string, form url.Values) (int, string) {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", u.csrf)
	return u.post(path, form)
}
