package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/api/apitest"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// The order API tests run a real server over the demo data on each engine (SQLite always,
// PostgreSQL when OPENBSS_TEST_POSTGRES is set), each test on a database of its own.

// ordersNow is the time the order tests run at: inside the current billing period of every
// demo subscription (456808a0 bills 03-12…04-12, 4c867c87 02-26…03-26, a63078fb 03-20…04-20),
// so that renewals, changes and cancellations are priced as the seed's examples assume.
var ordersNow = time.Date(2019, 3, 22, 10, 0, 0, 0, time.UTC)

const (
	ordersPath    = "/aps/2/services/order-manager/orders"
	providerToken = demo.ProviderToken
	resellerToken = demo.ResellerToken
	customerToken = demo.CustomerToken
)

// ordersEnv is one server over one demo database.
type ordersEnv struct {
	t    *testing.T
	st   *store.Store
	base string
	// openapi checks every exchange against the OpenAPI document; it is not safe for
	// concurrent use, hence the lock.
	openapi *apitest.Validator
	mu      *sync.Mutex
}

// steppingClock starts at start and moves one millisecond per reading, so that orders get
// distinct, ordered creation times; it is safe for concurrent use.
func steppingClock(start time.Time) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// ordersEngines runs fn as a parallel subtest per engine, each with a fresh demo server whose
// clock starts at ordersNow.
func ordersEngines(t *testing.T, fn func(t *testing.T, e *ordersEnv)) {
	t.Helper()
	ordersEnginesAt(t, steppingClock(ordersNow), fn)
}

// ordersEnginesAt is ordersEngines with a clock of the caller's (nil: the real time).
func ordersEnginesAt(t *testing.T, clock func() time.Time, fn func(t *testing.T, e *ordersEnv)) {
	t.Helper()
	t.Parallel() // every test has databases of its own
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		fn(t, newOrdersEnv(t, dsn, clock))
	})
}

func newOrdersEnv(t *testing.T, dsn string, clock func() time.Time) *ordersEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var opts []store.Option
	if clock != nil {
		opts = append(opts, store.WithClock(clock))
	}
	st, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := demo.Load(ctx, st); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	log := slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(api.NewServer(st, log))
	t.Cleanup(srv.Close)
	return &ordersEnv{t: t, st: st, base: srv.URL, openapi: apitest.MustNew(t, api.OpenAPIDocument()), mu: &sync.Mutex{}}
}

// with is the same server seen from subtest t.
func (e *ordersEnv) with(t *testing.T) *ordersEnv {
	c := *e
	c.t = t
	return &c
}

// settle cancels every unfinished order, so that the next group of checks starts with no
// pending order and no reserved service identifier (numbers go on).
func (e *ordersEnv) settle() {
	e.t.Helper()
	e.exec(`UPDATE orders SET of_status = 'CL', status = 'CANCELED' WHERE of_status NOT IN ('CP', 'CL')`)
}

// testLogWriter sends the server's log to the test's.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// reply is an HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request with a bearer token (none when empty) and extra header pairs. Any 500
// fails the test: a 500 is a bug.
func (e *ordersEnv) call(method, path, token, body string, header ...string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if res.StatusCode >= 500 {
		e.t.Errorf("%s %s answered %d (a 500 is a bug): %s", method, path, res.StatusCode, b)
	}
	e.mu.Lock()
	e.openapi.Check(e.t, req, res, b)
	e.mu.Unlock()
	return reply{status: res.StatusCode, header: res.Header, body: b}
}

func (e *ordersEnv) post(path, token, body string, header ...string) reply {
	e.t.Helper()
	return e.call(http.MethodPost, path, token, body, header...)
}

func (e *ordersEnv) get(path, token string, header ...string) reply {
	e.t.Helper()
	return e.call(http.MethodGet, path, token, "", header...)
}

// decode reads a JSON body with numbers kept as written.
func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// place places an order and returns its id, failing unless the answer is 200 {"orderId": uuid}
// and nothing else.
func (e *ordersEnv) place(token, body string, header ...string) string {
	e.t.Helper()
	r := e.post(ordersPath, token, body, header...)
	if r.status != http.StatusOK {
		e.t.Fatalf("placeOrder: %d %s\nrequest: %s", r.status, r.body, body)
	}
	return orderIDOf(e.t, r)
}

func orderIDOf(t *testing.T, r reply) string {
	t.Helper()
	var got map[string]any
	decode(t, r.body, &got)
	id, ok := got["orderId"].(string)
	if len(got) != 1 || !ok {
		t.Fatalf("placeOrder answered %s, want exactly {\"orderId\": \"<uuid>\"}", r.body)
	}
	if _, err := uuid.Parse(id); err != nil {
		t.Fatalf("orderId %q is not a uuid: %v", id, err)
	}
	return id
}

// problemJSON is the documented error body.
type problemJSON struct {
	Code    int    `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// wantProblem checks an error answer: status, type and the exact message.
func wantProblem(t *testing.T, r reply, status int, typ, message string) {
	t.Helper()
	var p problemJSON
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("answer %d %s is not the error body: %v", r.status, r.body, err)
	}
	if r.status != status || p.Code != status || p.Type != typ || p.Message != message {
		t.Errorf("got %d %+v\nwant %d {Code:%d Type:%s Message:%s}", r.status, p, status, status, typ, message)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type = %q", ct)
	}
}

// refused places an order that must be refused with status, type and message, and checks that
// no order row was written.
func (e *ordersEnv) refused(token, body string, status int, typ, message string) {
	e.t.Helper()
	before := e.count("orders")
	r := e.post(ordersPath, token, body)
	wantProblem(e.t, r, status, typ, message)
	if after := e.count("orders"); after != before {
		e.t.Errorf("a refused order left %d new row(s) in orders", after-before)
	}
}

// count counts the rows of a table.
func (e *ordersEnv) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.st.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// exec runs SQL against the test's database ($N placeholders on both engines).
func (e *ordersEnv) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.st.DB().Exec(query, args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

// amountJSON is a money amount of the details shape.
type amountJSON struct {
	Value json.Number `json:"value"`
	Code  string      `json:"code"`
}

func (a amountJSON) String() string { return string(a.Value) + " " + a.Code }

type periodJSON struct {
	Unit     string      `json:"unit"`
	Duration json.Number `json:"duration"`
}

type discountJSON struct {
	Type   string      `json:"type"`
	Value  json.Number `json:"value"`
	Amount json.Number `json:"amount"`
}

type attributeJSON struct {
	AttributeID string `json:"attributeID"`
	Value       string `json:"value"`
}

type detailLine struct {
	Type               string        `json:"type"`
	PlanID             string        `json:"planId"`
	Period             periodJSON    `json:"period"`
	ResourceID         string        `json:"resourceId"`
	Duration           *periodJSON   `json:"duration"`
	Description        string        `json:"description"`
	Quantity           json.Number   `json:"quantity"`
	LowerBound         json.Number   `json:"lowerBound"`
	UnitOfMeasure      string        `json:"unitOfMeasure"`
	UnitPrice          amountJSON    `json:"unitPrice"`
	ExtendedPrice      amountJSON    `json:"extendedPrice"`
	Discount           *discountJSON `json:"discount"`
	TaxAmount          amountJSON    `json:"taxAmount"`
	ExclusiveTaxAmount amountJSON    `json:"exclusiveTaxAmount"`
}

// String renders a line compactly for exact comparison: type, description, quantity, unit
// price, extended price, discount, tax.
func (l detailLine) String() string {
	s := fmt.Sprintf("%s %q q=%s %s x %s = %s", l.Type, l.Description, l.Quantity, l.UnitOfMeasure, l.UnitPrice, l.ExtendedPrice)
	if l.Discount != nil {
		s += fmt.Sprintf(" disc=%s/%s/%s", l.Discount.Type, l.Discount.Value, l.Discount.Amount)
	}
	if l.Duration != nil {
		s += fmt.Sprintf(" dur=%s %s", l.Duration.Duration, l.Duration.Unit)
	}
	return s + fmt.Sprintf(" tax=%s xtax=%s", l.TaxAmount.Value, l.ExclusiveTaxAmount.Value)
}

type itemJSON struct {
	ID             int64  `json:"id"`
	Action         string `json:"action"`
	PlanID         string `json:"planId"`
	SubscriptionID string `json:"subscriptionId"`
	Status         string `json:"status"`
	Message        string `json:"message"`
	Attempts       int    `json:"attempts"`
}

// orderDetails is the details shape (GET …/orders/{id}).
type orderDetails struct {
	OrderID               string          `json:"orderId"`
	InternalID            int64           `json:"internalId"`
	OrderNumber           string          `json:"orderNumber"`
	Type                  string          `json:"type"`
	Total                 amountJSON      `json:"total"`
	TaxTotal              amountJSON      `json:"taxTotal"`
	ExclusiveTaxTotal     amountJSON      `json:"exclusiveTaxTotal"`
	SubTotal              amountJSON      `json:"subTotal"`
	Status                string          `json:"status"`
	Subscriptions         []string        `json:"subscriptions"`
	BSSSubscriptions      []string        `json:"bssSubscriptions"`
	PaymentStatus         string          `json:"paymentStatus"`
	ProvisioningStatus    string          `json:"provisioningStatus"`
	OfStatus              string          `json:"ofStatus"`
	PossiblePushToStatus  []string        `json:"possiblePushToStatus"`
	SellerID              string          `json:"sellerId"`
	BuyerID               string          `json:"buyerId"`
	OrderDate             string          `json:"orderDate"`
	ExpirationDate        string          `json:"expirationDate"`
	CreationTime          string          `json:"creationTime"`
	OrderAttributes       []attributeJSON `json:"orderAttributes"`
	EndCustomerAttributes []attributeJSON `json:"endCustomerAttributes"`
	Details               []detailLine    `json:"details"`
	EndCustomerName       string          `json:"endCustomerName"`
	EndCustomerType       string          `json:"endCustomerType"`
	PaymentMethodID       *int64          `json:"paymentMethodId"`
	PromoCode             string          `json:"promoCode"`
	PromoResult           string          `json:"promoResult"`
	SubscriptionID        string          `json:"subscriptionId"`
	RefundType            string          `json:"refundType"`
	ReasonID              *int64          `json:"reasonId"`
	Comment               string          `json:"comment"`
	ProvisioningItems     []itemJSON      `json:"provisioningItems"`
}

// detailsKeys are the fields the seed's details example shows, plus ours; each must be present
// (arrays as arrays, never null).
var detailsKeys = []string{"orderId", "internalId", "orderNumber", "type", "total", "taxTotal",
	"exclusiveTaxTotal", "subTotal", "status", "subscriptions", "bssSubscriptions", "paymentStatus",
	"provisioningStatus", "ofStatus", "possiblePushToStatus", "sellerId", "buyerId", "orderDate",
	"expirationDate", "creationTime", "orderAttributes", "endCustomerAttributes", "details",
	"endCustomerName", "endCustomerType", "provisioningItems"}

// details reads an order's details as token sees them, checking the shape.
func (e *ordersEnv) details(token, id string) orderDetails {
	e.t.Helper()
	r := e.get(ordersPath+"/"+id, token)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET order %s: %d %s", id, r.status, r.body)
	}
	var raw map[string]any
	decode(e.t, r.body, &raw)
	for _, k := range detailsKeys {
		v, ok := raw[k]
		if !ok || v == nil {
			e.t.Errorf("order details lack %q (or it is null): %s", k, r.body)
		}
	}
	var d orderDetails
	decode(e.t, r.body, &d)
	if d.OrderID != id {
		e.t.Errorf("orderId = %q, want %q", d.OrderID, id)
	}
	return d
}

// lines renders detail lines for comparison.
func lines(ls []detailLine) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.String()
	}
	return out
}

func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s lines:\ngot  %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
