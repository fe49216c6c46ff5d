package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/worker"
)

// epoch is the rig's clock at start: inside the current billing period of the demo
// subscriptions. The clock runs forward from there in real time, so retries come due.
var epoch = time.Date(2019, 3, 22, 10, 0, 0, 0, time.UTC)

// fastConfig is a processor configuration that keeps tests short: quick polls and retries,
// reconciliation off unless a test turns it on.
func fastConfig() worker.Config {
	return worker.Config{Workers: 4, Poll: 5 * time.Millisecond, BackoffBase: 10 * time.Millisecond,
		BackoffMax: 80 * time.Millisecond, ReconcileAfter: 50 * time.Millisecond}
}

// rig is one fresh database holding the demo data, the API server and an order processor
// running over it, as `openbss serve --demo` wires them.
type rig struct {
	t    *testing.T
	st   *store.Store
	pay  *gateway.DemoPayment
	oss  gateway.OSS
	proc *worker.Processor
	url  string
	hc   *http.Client

	mu      sync.Mutex
	stop    context.CancelFunc
	stopped chan struct{}
	logs    *syncBuffer
}

// rigOptions change a rig's gateways and processor settings.
type rigOptions struct {
	cfg worker.Config
	// oss builds the OSS over the rig's store; nil is the in-process simulator.
	oss func(st *store.Store) gateway.OSS
	// pay wraps the demo payment gateway; nil uses it as it is.
	pay func(*gateway.DemoPayment) gateway.PaymentGateway
	// resume opens a copy of the database of a process killed meanwhile: the demo is not loaded,
	// and the clock starts a minute after the epoch, past the leases the dead process held.
	resume bool
}

// openStore opens and migrates dsn with the rig's clock and loads the demo data.
func openStore(t *testing.T, dsn string, load bool) *store.Store {
	t.Helper()
	return openStoreAt(t, dsn, load, epoch)
}

// openStoreAt is openStore with the clock starting at from.
func openStoreAt(t *testing.T, dsn string, load bool, from time.Time) *store.Store {
	t.Helper()
	start := time.Now()
	clock := func() time.Time { return from.Add(time.Since(start)) }
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.WithClock(clock))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if load {
		storetest.LoadDemo(t, st)
	}
	return st
}

func newRig(t *testing.T, dsn string, o rigOptions) *rig {
	t.Helper()
	from, load := epoch, true
	if o.resume {
		from, load = epoch.Add(time.Minute), false
	}
	st := openStoreAt(t, dsn, load, from)
	r := &rig{t: t, st: st, logs: &syncBuffer{}}
	r.pay = &gateway.DemoPayment{DB: st.Books(), Now: st.Now}
	var pay gateway.PaymentGateway = r.pay
	if o.pay != nil {
		pay = o.pay(r.pay)
	}
	if o.oss != nil {
		r.oss = o.oss(st)
	} else {
		r.oss = gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{})
	}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.proc = worker.New(st, pay, r.oss, o.cfg, log)
	srv := httptest.NewServer(api.NewServer(st, log, api.WithProcessing(r.proc)))
	r.url, r.hc = srv.URL, srv.Client()
	t.Cleanup(func() {
		srv.Close()
		r.halt()
		if t.Failed() {
			t.Logf("processor log:\n%s", r.logs.String())
		}
	})
	r.start()
	return r
}

// start runs the processor in the background, as serve does.
func (r *rig) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.stop, r.stopped = cancel, done
	go func() {
		defer close(done)
		r.proc.Run(ctx)
	}()
}

// halt stops the processor and waits until its jobs in hand are finished.
func (r *rig) halt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop == nil {
		return
	}
	r.stop()
	<-r.stopped
	r.stop = nil
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// call sends a request with the provider's token and returns the status and body.
func (r *rig) call(method, path, contentType, body string) (int, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+demo.ProviderToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := r.hc.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	if res.StatusCode >= 500 {
		r.t.Errorf("%s %s: %d (a 500 is always a bug): %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode, b
}

const ordersPath = "/aps/2/services/order-manager/orders"

// place places an order and returns its id.
func (r *rig) place(body string) string {
	r.t.Helper()
	status, b := r.call(http.MethodPost, ordersPath, "application/json", body)
	if status != http.StatusOK {
		r.t.Fatalf("place order: %d %s", status, b)
	}
	var placed struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(b, &placed); err != nil || placed.OrderID == "" {
		r.t.Fatalf("place order: answer %s: %v", b, err)
	}
	return placed.OrderID
}

// push asks for a flow change and fails the test unless it is accepted.
func (r *rig) push(id, to string) {
	r.t.Helper()
	if status, b := r.call(http.MethodPost, ordersPath+"/"+id+"/push", "application/json", `{"ofStatus":"`+to+`"}`); status != http.StatusOK {
		r.t.Fatalf("push %s to %s: %d %s", id, to, status, b)
	}
}

// event posts an item event to the events endpoint.
func (r *rig) event(contentType, body string) (int, []byte) {
	r.t.Helper()
	return r.call(http.MethodPost, "/aps/2/services/order-manager/events", contentType, body)
}

// orderView is what the tests read of an order's details.
type orderView struct {
	OrderID            string   `json:"orderId"`
	InternalID         int64    `json:"internalId"`
	OrderNumber        string   `json:"orderNumber"`
	Status             string   `json:"status"`
	PaymentStatus      string   `json:"paymentStatus"`
	ProvisioningStatus string   `json:"provisioningStatus"`
	OfStatus           string   `json:"ofStatus"`
	Subscriptions      []string `json:"subscriptions"`
	BSSSubscriptions   []string `json:"bssSubscriptions"`
	PaymentMethodID    *int64   `json:"paymentMethodId"`
	ErrorDetails       *struct {
		Message string `json:"message"`
	} `json:"errorDetails"`
	Items []struct {
		ID                int64  `json:"id"`
		Action            string `json:"action"`
		PlanID            string `json:"planId"`
		SubscriptionID    string `json:"subscriptionId"`
		Status            string `json:"status"`
		Message           string `json:"message"`
		OSSSubscriptionID string `json:"ossSubscriptionId"`
		Attempts          int    `json:"attempts"`
	} `json:"provisioningItems"`
	raw []byte
}

func (o orderView) errorDetails() string {
	if o.ErrorDetails == nil {
		return ""
	}
	return o.ErrorDetails.Message
}

func (o orderView) String() string {
	return fmt.Sprintf("%s %s status=%s payment=%s provisioning=%s error=%q items=%+v", o.OrderNumber, o.OfStatus,
		o.Status, o.PaymentStatus, o.ProvisioningStatus, o.errorDetails(), o.Items)
}

func (r *rig) order(id string) orderView {
	r.t.Helper()
	status, b := r.call(http.MethodGet, ordersPath+"/"+id, "", "")
	if status != http.StatusOK {
		r.t.Fatalf("order %s: %d %s", id, status, b)
	}
	var o orderView
	if err := json.Unmarshal(b, &o); err != nil {
		r.t.Fatalf("order %s: %v: %s", id, err, b)
	}
	o.raw = b
	r.consistent(o)
	return o
}

// coarse is the status each flow status shows (DESIGN §4).
var coarse = map[string]string{"NW": "NOT_STARTED", "OP": "IN_PROGRESS", "WP": "IN_PROGRESS", "PR": "IN_PROGRESS",
	"NP": "PROBLEM", "PD": "PROBLEM", "PF": "PROBLEM", "HL": "PROBLEM", "CP": "COMPLETED", "CL": "CANCELED"}

// consistent checks the order's four status fields agree, at whatever instant it was read.
func (r *rig) consistent(o orderView) {
	r.t.Helper()
	paid := o.PaymentStatus == "FINISHED" || o.PaymentStatus == "NOT_REQUIRED"
	var bad []string
	check := func(ok bool, what string) {
		if !ok {
			bad = append(bad, what)
		}
	}
	check(coarse[o.OfStatus] == o.Status, "status "+o.Status)
	switch o.OfStatus {
	case "WP":
		check(o.PaymentStatus == "WAITING", "payment not WAITING")
	case "NP":
		check(o.PaymentStatus == "NO_PAYMENT_METHOD" && o.errorDetails() != "", "payment not NO_PAYMENT_METHOD with details")
	case "PD":
		check(o.PaymentStatus == "DECLINED" && o.errorDetails() != "", "payment not DECLINED with details")
	case "PR":
		check(paid, "provisioning unpaid")
		check(o.ProvisioningStatus != "FAILED" && o.ProvisioningStatus != "COMPLETED" && o.errorDetails() == "",
			"provisioning "+o.ProvisioningStatus+" with error "+o.errorDetails())
	case "PF":
		check(paid && o.ProvisioningStatus == "FAILED" && o.errorDetails() != "", "PF without FAILED provisioning and details")
	case "CP":
		check(paid && o.ProvisioningStatus == "COMPLETED" && o.errorDetails() == "", "CP not paid and provisioned")
		for _, it := range o.Items {
			check(it.Status == "COMPLETED", "CP with an item "+it.Status)
		}
	}
	if len(bad) > 0 {
		r.t.Errorf("order %s: inconsistent statuses %v: %s", o.OrderID, bad, o)
	}
}

// waitFor polls the order until cond holds, failing the test after a bounded wait.
func (r *rig) waitFor(id, what string, cond func(orderView) bool) orderView {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		o := r.order(id)
		if cond(o) {
			return o
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("order %s never reached %s: %s", id, what, o)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFlow waits until the order is in flow status want.
func (r *rig) waitFlow(id, want string) orderView {
	r.t.Helper()
	return r.waitFor(id, want, func(o orderView) bool { return o.OfStatus == want })
}

// settled checks an order holds still: it is the same after a few processor polls and
// reconciliation periods.
func (r *rig) settled(id string, want orderView) {
	r.t.Helper()
	time.Sleep(150 * time.Millisecond)
	if got := r.order(id); !bytes.Equal(got.raw, want.raw) {
		r.t.Errorf("order %s changed on its own:\nbefore %s\nafter  %s", id, want.raw, got.raw)
	}
}

// waitNoJobs waits until the job outbox is empty: the order's job is finished after its last
// step commits.
func (r *rig) waitNoJobs() {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.count(`SELECT COUNT(*) FROM jobs`) != 0 {
		if time.Now().After(deadline) {
			r.t.Fatalf("jobs left in the outbox: %d", r.count(`SELECT COUNT(*) FROM jobs`))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// count runs a COUNT query.
func (r *rig) count(query string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.st.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// history is an order's flow history as "FROM>TO" steps.
func (r *rig) history(internalID int64) []string {
	r.t.Helper()
	evs, err := r.st.OrderEvents(context.Background(), internalID)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.From)+">"+string(e.To))
	}
	return out
}

// salesOrder is a demo SALES order for customer 1000001 through the seed's plan, paid with the
// reseller's Demo.Redirect method (3), with the given period in months and users; child adds an
// upsell (a second provisioning item).
func salesOrder(months, users int, child bool) string {
	return salesFor(demo.Customer1, "3", months, users, child)
}

// salesFor is salesOrder for another buyer and payment method ("" names none: the buyer's
// default is used).
func salesFor(buyer, method string, months, users int, child bool) string {
	children, pay := "", ""
	if child {
		children = `{"planId": "` + demo.PlanSaaS + `", "period": {"unit": "MONTHS", "duration": 1}}`
	}
	if method != "" {
		pay = `"paymentMethodId": "` + method + `",`
	}
	return fmt.Sprintf(`{
   "type": "SALES",
   "accountId": "%s",
   %s
   "products": [{
      "planId": "%s",
      "period": {"unit": "MONTHS", "duration": %d},
      "resources": [{"resourceId": "%s", "amount": %d}],
      "parameters": [{"client": "1st APS, inc.", "mail": "jsmith@aps.test"}],
      "childProducts": [%s]
   }],
   "acceptedTerms": ["1"]
}`, buyer, pay, demo.PlanOfferCounter, months, demo.ResUsers, users, children)
}

// each runs fn on every engine with a fresh database, in parallel with the other tests.
func each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Parallel()
	storetest.EngineDSNs(t, fn)
}
