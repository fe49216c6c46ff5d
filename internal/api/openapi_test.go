package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/openbss/openbss/internal/seedexamples"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/api/apitest"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/worker"
)

// Identifiers of this file start with oas: the api_test package is shared by many files.

// TestOpenAPIDocument checks the document is valid OpenAPI 3.0 and documents exactly the routes
// routes.go registers.
func TestOpenAPIDocument(t *testing.T) {
	v := apitest.MustNew(t, api.OpenAPIDocument())
	if got := v.Doc().OpenAPI; !strings.HasPrefix(got, "3.0.") {
		t.Errorf("openapi %q, want 3.0.x", got)
	}
	documented := map[string]bool{}
	for path, item := range v.Doc().Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, r := range oasRegisteredRoutes(t) {
		registered[r] = true
		if !documented[r] {
			t.Errorf("route %q is registered in routes.go but not documented in openapi.json", r)
		}
	}
	for r := range documented {
		if !registered[r] {
			t.Errorf("operation %q is documented in openapi.json but routes.go does not register it", r)
		}
	}
}

// oasRegisteredRoutes reads the "METHOD /path" patterns of routes.go (string constants and
// their concatenations). Every API route names its method; patterns without one are the
// catch-all "/" and mounted sub-handlers outside the API (e.g. an HTML panel).
func oasRegisteredRoutes(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				s, err := strconv.Unquote(e.Value)
				return s, err == nil
			}
		case *ast.Ident:
			s, ok := consts[e.Name]
			return s, ok
		case *ast.BinaryExpr:
			a, ok1 := eval(e.X)
			b, ok2 := eval(e.Y)
			return a + b, ok1 && ok2 && e.Op == token.ADD
		case *ast.ParenExpr:
			return eval(e.X)
		}
		return "", false
	}
	var routes []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			if n.Tok == token.CONST {
				for _, spec := range n.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := eval(vs.Values[i]); ok {
								consts[name.Name] = s
							}
						}
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") || len(n.Args) != 2 {
				return true
			}
			pattern, ok := eval(n.Args[0])
			if !ok {
				t.Errorf("routes.go:%d: cannot read the route pattern", fset.Position(n.Pos()).Line)
				return true
			}
			if strings.Contains(pattern, " ") {
				routes = append(routes, pattern)
			}
		}
		return true
	})
	if len(routes) < 10 {
		t.Fatalf("found only %d routes in routes.go: %v", len(routes), routes)
	}
	return routes
}

// oasServer is a real server on a fresh SQLite database with the demo data set.
type oasServer struct {
	st   *store.Store
	base string
	hc   *http.Client
}

// oasStart starts the server; with processing, orders are paid and provisioned by workers
// (demo payment gateway, OSS simulator configured by oss) as in `openbss serve --demo`.
func oasStart(t *testing.T, processing bool, oss ...gateway.SimulatorConfig) *oasServer {
	t.Helper()
	st := storetest.Open(t)
	storetest.LoadDemo(t, st)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var opts []api.Option
	if processing {
		p := worker.New(st, &gateway.DemoPayment{DB: st.DB(), Now: st.Now},
			gateway.NewSimulator(st.DB(), append(oss, gateway.SimulatorConfig{})[0]),
			worker.Config{Workers: 2, Poll: 10 * time.Millisecond, BackoffBase: 10 * time.Millisecond}, log)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); p.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		opts = append(opts, api.WithProcessing(p))
	}
	srv := httptest.NewServer(api.NewServer(st, log, opts...))
	t.Cleanup(srv.Close)
	return &oasServer{st: st, base: srv.URL, hc: srv.Client()}
}

// oasClient sends requests to one server and validates each exchange against the document.
type oasClient struct {
	t   *testing.T
	v   *apitest.Validator
	srv *oasServer
	// ok records the operations that answered 2xx at least once.
	ok map[string]bool
}

type oasHeader [2]string

func oasBearer(tok string) oasHeader { return oasHeader{"Authorization", "Bearer " + tok} }

var (
	oasProvider = oasBearer(demo.ProviderToken)
	oasReseller = oasBearer(demo.ResellerToken)
	oasCustomer = oasBearer(demo.CustomerToken)
)

// do sends the request, validates it against the document and asserts the status.
func (c *oasClient) do(want int, method, path string, body []byte, headers ...oasHeader) []byte {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.srv.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		req.Header.Set(h[0], h[1])
	}
	res, b := c.v.Do(c.t, c.srv.hc, req)
	if res.StatusCode != want {
		c.t.Errorf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, oasClip(b))
	}
	if res.StatusCode < 300 {
		if id, ok := c.v.OperationID(req); ok {
			c.ok[id] = true
		}
	}
	return b
}

func (c *oasClient) get(want int, path string, headers ...oasHeader) []byte {
	c.t.Helper()
	return c.do(want, http.MethodGet, path, nil, headers...)
}

func (c *oasClient) post(want int, path, body string, headers ...oasHeader) []byte {
	c.t.Helper()
	return c.do(want, http.MethodPost, path, []byte(body), headers...)
}

// place places an order and returns its id.
func (c *oasClient) place(body string, headers ...oasHeader) string {
	c.t.Helper()
	var placed struct {
		OrderID string `json:"orderId"`
	}
	b := c.post(http.StatusOK, oasOrders, body, append([]oasHeader{oasProvider}, headers...)...)
	if err := json.Unmarshal(b, &placed); err != nil || placed.OrderID == "" {
		c.t.Fatalf("place order: %s (%v)", oasClip(b), err)
	}
	return placed.OrderID
}

func oasClip(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "…"
	}
	return string(b)
}

const (
	oasOrders = "/aps/2/services/order-manager/orders"
	oasNoSuch = "00000000-0000-4000-8000-000000000000"
)

// The placeOrder and estimate examples of seed 002, verbatim but for the sales example's
// "// Another service plan" placeholders, which are removed.
const (
	oasSeedTerms        = seedexamples.TermsConditions
	oasSeedSales        = seedexamples.SalesOrder
	oasSeedRenewal      = seedexamples.Renewal
	oasSeedSwitch       = seedexamples.ChangeSwitch
	oasSeedResources    = seedexamples.ChangeResources
	oasSeedCancel       = seedexamples.Cancellation
	oasSeedCancelReason = seedexamples.CancellationWithReason
	oasSeedEstimate     = seedexamples.Estimate
	oasSeedSpecial      = seedexamples.PlaceSpecialPricing
)

// oasReadOnlyToken creates a token of the provider without the orders:write scope.
func oasReadOnlyToken(t *testing.T, st *store.Store) oasHeader {
	t.Helper()
	ctx := context.Background()
	p, err := st.Provider(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const tok = "oas-read-only-token"
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		_, _, err := store.CreateToken(ctx, tx, p.ID, "read only", tok, []account.Scope{account.ScopeOrdersRead}, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return oasBearer(tok)
}

// TestOpenAPIContract sends requests to every route, happy and error paths, and validates each
// request and response against the document. Every operation must answer 2xx at least once.
func TestOpenAPIContract(t *testing.T) {
	v := apitest.MustNew(t, api.OpenAPIDocument())
	ok := map[string]bool{}

	t.Run("collections", func(t *testing.T) {
		c := &oasClient{t: t, v: v, srv: oasStart(t, false), ok: ok}
		c.get(200, "/healthz")
		c.get(200, "/readyz")
		c.get(200, "/metrics")
		c.get(200, "/metrics", oasHeader{"Accept", "application/openmetrics-text; version=1.0.0"})
		if served := c.get(200, "/openapi.json"); !bytes.Equal(served, api.OpenAPIDocument()) {
			t.Error("GET /openapi.json does not serve the embedded document")
		}

		const accounts = "/aps/2/collections/accounts"
		c.get(200, accounts, oasProvider)
		c.get(200, accounts+"?eq(id,1000001)", oasProvider)
		c.get(200, accounts+"?eq(id,1000001)", oasHeader{"APS-Token", demo.ProviderToken})
		c.get(200, accounts+"?limit(0,0)", oasProvider)
		c.get(200, accounts+"?limit(0,0)", oasProvider, oasHeader{"APS-Skip-Content-Range", "1"})
		c.get(206, accounts+"?limit(0,2)", oasProvider)
		c.get(206, accounts+"?limit(2,2)", oasProvider, oasHeader{"APS-Skip-Content-Range", "true"})
		c.get(200, accounts+"?limit(100,10)", oasProvider)
		c.get(206, accounts, oasProvider, oasHeader{"Range", "items=1-2"})
		c.get(200, accounts+"?and(eq(type,CUSTOMER),like(companyName,*Smith*)),sort(-id)", oasProvider)
		c.get(200, accounts+"?ge(creationTime,2018-04-26T16%3A00%3A00Z)", oasReseller)
		c.get(200, accounts, oasCustomer)
		c.get(400, accounts+"?eq(id", oasProvider)
		c.get(400, accounts+"?eq(nosuchfield,1)", oasProvider)
		c.get(400, accounts, oasProvider, oasHeader{"Range", "items=5-1"})
		c.get(401, accounts)
		c.get(401, accounts, oasBearer("no-such-token"))
		c.get(401, accounts, oasHeader{"Authorization", "Basic Zm9vOmJhcg=="})
		for _, id := range []string{demo.Customer1, demo.ResellerA, demo.CustomerB} {
			c.get(200, accounts+"/"+id, oasProvider)
		}
		c.get(404, accounts+"/"+oasNoSuch, oasProvider)
		c.get(404, accounts+"/"+demo.ProviderAPSID, oasCustomer)

		const plans = "/aps/2/collections/service-plans"
		c.get(200, plans, oasProvider)
		c.get(200, plans, oasCustomer)
		c.get(200, plans+"?eq(name,Cloud%20VPSes)", oasReseller)
		c.get(206, plans+"?limit(1,1)", oasProvider)
		c.get(400, plans+"?like(status,*)", oasProvider)
		for _, id := range []string{demo.PlanOfferCounter, demo.PlanCloudVPS, demo.PlanVIP, demo.PlanSaaS} {
			c.get(200, plans+"/"+id, oasProvider)
		}
		c.get(404, plans+"/"+oasNoSuch, oasProvider)

		const subs = "/aps/2/collections/bss-subscriptions"
		c.get(200, subs, oasProvider)
		c.get(200, subs+"?eq(account.aps.id,"+demo.CustomerSubs+")", oasReseller)
		c.get(200, subs+"?limit(0,0)", oasProvider)
		c.get(200, subs, oasCustomer)
		c.get(400, subs+"?eq(trial,maybe)", oasProvider)
		for _, id := range []string{demo.SubVPSDemo, demo.SubVIP, demo.SubCloud} {
			c.get(200, subs+"/"+id, oasProvider)
		}
		c.get(404, subs+"/"+demo.SubVIP, oasCustomer)
		c.get(404, subs+"/"+oasNoSuch, oasProvider)

		const methods = "/aps/2/services/payment-method-manager/paymentMethods"
		c.get(200, methods+"?accountId="+demo.Customer1, oasProvider)
		c.get(200, methods+"?accountId="+demo.CustomerSubs, oasReseller)
		c.get(200, methods, oasCustomer)
		c.get(404, methods+"?accountId="+oasNoSuch, oasProvider)
		c.get(401, methods)

		const reasons = "/aps/2/services/order-manager/reasonCodes"
		c.get(200, reasons, oasProvider)
		c.get(200, reasons+"?operationType=CANCEL_BY_VENDOR", oasCustomer)
		c.get(200, reasons+"?operationType=NO_SUCH_TYPE", oasCustomer)

		c.get(404, "/aps/2/collections/no-such-collection", oasProvider)
		c.do(405, http.MethodDelete, accounts, nil, oasProvider)
	})

	t.Run("orders", func(t *testing.T) {
		srv := oasStart(t, false)
		c := &oasClient{t: t, v: v, srv: srv, ok: ok}
		c.post(200, oasOrders+"/termsconditions", oasSeedTerms, oasProvider)
		c.post(200, oasOrders+"/estimate", oasSeedEstimate, oasProvider)
		c.post(200, oasOrders+"/estimate?includeTaxes=false", oasSeedEstimate, oasReseller)
		c.post(200, oasOrders+"/estimate", oasSeedSpecial, oasProvider)
		c.post(200, oasOrders+"/estimateCosts", oasSeedEstimate, oasProvider)
		c.post(200, oasOrders+"/estimate", oasSeedRenewal, oasProvider)
		c.post(200, oasOrders+"/estimate", oasSeedCancel, oasProvider)
		c.post(400, oasOrders+"/estimate?includeTaxes=maybe", oasSeedEstimate, oasProvider)
		c.post(400, oasOrders+"/estimate", `{"type": "SALES"`, oasProvider)
		c.post(400, oasOrders+"/estimate", ``, oasProvider)
		c.post(400, oasOrders+"/estimateCosts", `{"type": "LEASE"}`, oasProvider)
		c.post(422, oasOrders+"/estimate", strings.ReplaceAll(oasSeedEstimate, demo.PlanCloudVPS, oasNoSuch), oasProvider)
		c.post(422, oasOrders+"/estimate", strings.ReplaceAll(oasSeedRenewal, demo.SubVPSDemo, oasNoSuch), oasProvider)
		c.post(401, oasOrders+"/estimate", oasSeedEstimate)
		c.post(400, oasOrders+"/termsconditions", `[]`, oasProvider)

		var ids []string
		for _, body := range []string{oasSeedSales, oasSeedRenewal, oasSeedSwitch, oasSeedResources, oasSeedCancelReason, oasSeedSpecial} {
			ids = append(ids, c.place(body))
		}
		for _, id := range ids {
			c.get(200, oasOrders+"/"+id, oasProvider)
		}
		c.get(200, oasOrders+"/"+ids[0], oasReseller)
		c.get(200, oasOrders+"/"+ids[0], oasHeader{"APS-Token", demo.CustomerToken}) // its own
		c.get(404, oasOrders+"/"+ids[1], oasCustomer)                                // another customer's
		c.get(404, oasOrders+"/"+oasNoSuch, oasProvider)

		c.get(200, oasOrders, oasProvider)
		c.get(200, oasOrders+"?limit(0,0)", oasProvider)
		c.get(206, oasOrders+"?limit(0,2)", oasProvider)
		c.get(200, oasOrders+"?select(details,subscriptions,provisioningItems)", oasProvider)
		c.get(200, oasOrders+"?in(type,(SO,BO)),like(orderNumber,*000001),ge(creationTime,2018-04-26T16:00:00Z)", oasProvider)
		c.get(200, oasOrders+"?eq(ORDER_ID1,x)", oasProvider) // an order attribute
		c.get(400, oasOrders+"?eq(comments,x)", oasProvider)  // not an attribute id: lower case
		c.get(400, oasOrders+"?ORDER_ID1", oasProvider)
		c.get(400, oasOrders+"?like(internalId,1*)", oasProvider)
		c.get(200, oasOrders, oasCustomer)

		// Idempotency-Key: the same body answers the same order; another body is a 409.
		key := oasHeader{"Idempotency-Key", "oas-contract-1"}
		first := c.place(oasSeedCancel, key)
		if again := c.place(oasSeedCancel, key); again != first {
			t.Errorf("the same Idempotency-Key and body placed %s, then %s", first, again)
		}
		c.post(409, oasOrders, oasSeedRenewal, oasProvider, key)
		c.post(400, oasOrders, oasSeedRenewal, oasProvider, oasHeader{"Idempotency-Key", strings.Repeat("k", 256)})

		// Refusals.
		c.post(422, oasOrders, strings.ReplaceAll(oasSeedSales, demo.PlanOfferCounter, oasNoSuch), oasProvider)
		c.post(400, oasOrders, `{"type": "SALES", "products": "all"}`, oasProvider)
		readOnly := oasReadOnlyToken(t, srv.st)
		c.post(403, oasOrders, oasSeedSales, readOnly)
		c.post(413, oasOrders, `{"type": "SALES", "comment": "`+strings.Repeat("x", api.MaxBodyBytes)+`"}`, oasProvider)
		c.post(401, oasOrders, oasSeedSales)

		// Push: the cancellation that owes the customer waits in NW until pushed to OP.
		var details struct {
			OfStatus string   `json:"ofStatus"`
			Targets  []string `json:"possiblePushToStatus"`
		}
		if err := json.Unmarshal(c.get(200, oasOrders+"/"+first, oasProvider), &details); err != nil {
			t.Fatal(err)
		}
		if details.OfStatus != "NW" || !slices.Contains(details.Targets, "OP") {
			t.Fatalf("the cancellation is in %s with targets %v, want NW with OP", details.OfStatus, details.Targets)
		}
		push := oasOrders + "/" + first + "/push"
		c.post(400, push, `{"ofStatus": "XX"}`, oasProvider)
		c.post(400, push, `{"ofStatus":`, oasProvider)
		c.post(200, push, `{"ofStatus": "OP"}`, oasProvider)
		c.post(409, push, `{"ofStatus": "OP"}`, oasProvider)
		c.post(404, oasOrders+"/"+oasNoSuch+"/push", `{"ofStatus": "OP"}`, oasProvider)
		c.post(403, push, `{"ofStatus": "HL"}`, readOnly)
		c.get(200, oasOrders+"/"+first, oasProvider)

		// Resubmit: only an order in PF.
		c.post(409, oasOrders+"/"+first+"/resubmit", ``, oasProvider)
		c.post(404, oasOrders+"/"+oasNoSuch+"/resubmit", ``, oasProvider)

		// Events need the order processor; this server has none.
		const events = "/aps/2/services/order-manager/events"
		c.post(400, events, `{"IssuedSuccessfully": "1"}`, oasProvider)
		c.post(404, events, `{"OrderItemID": "999999999", "IssuedSuccessfully": "1"}`, oasProvider)
		c.post(401, events, `{}`)
	})

	t.Run("processing", func(t *testing.T) {
		c := &oasClient{t: t, v: v, srv: oasStart(t, true), ok: ok}
		id := c.place(oasSeedEstimate)
		var o struct {
			OfStatus string `json:"ofStatus"`
			Items    []struct {
				ID       int64  `json:"id"`
				OSSSubID string `json:"ossSubscriptionId"`
			} `json:"provisioningItems"`
		}
		deadline := time.Now().Add(10 * time.Second)
		for o.OfStatus != "CP" && time.Now().Before(deadline) {
			if err := json.Unmarshal(c.get(200, oasOrders+"/"+id, oasProvider), &o); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if o.OfStatus != "CP" || len(o.Items) == 0 {
			t.Fatalf("the sales order did not complete: ofStatus %s, %d items", o.OfStatus, len(o.Items))
		}
		c.get(200, oasOrders+"?select(details,subscriptions,provisioningItems)", oasProvider)
		c.get(200, "/aps/2/collections/bss-subscriptions", oasProvider)
		// The same "Creation Completed" event again changes nothing (seed 000), as JSON and as text.
		item := strconv.FormatInt(o.Items[0].ID, 10)
		c.post(200, "/aps/2/services/order-manager/events", `{"GateID": "4", "IssuedSuccessfully": "1", "Message": "done", "OrderItemID": "`+
			item+`", "SubscrID": "`+o.Items[0].OSSSubID+`"}`, oasProvider)
		c.do(200, http.MethodPost, "/aps/2/services/order-manager/events", []byte("GateID=4;IssuedSuccessfully=1;Message=done;OrderItemID="+
			item+";SubscrID="+o.Items[0].OSSSubID), oasProvider, oasHeader{"Content-Type", "text/plain"})
		c.get(200, oasOrders+"/"+id, oasProvider)
	})

	t.Run("provisioning failure", func(t *testing.T) {
		c := &oasClient{t: t, v: v, srv: oasStart(t, true, gateway.SimulatorConfig{Reject: "quota exceeded in the OSS"}), ok: ok}
		id := c.place(oasSeedEstimate)
		var o struct {
			OfStatus string `json:"ofStatus"`
		}
		deadline := time.Now().Add(10 * time.Second)
		for o.OfStatus != "PF" && time.Now().Before(deadline) {
			if err := json.Unmarshal(c.get(200, oasOrders+"/"+id, oasProvider), &o); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if o.OfStatus != "PF" {
			t.Fatalf("the sales order is in %s, want PF", o.OfStatus)
		}
		c.get(200, oasOrders+"?select(provisioningItems)", oasProvider)
		c.post(200, oasOrders+"/"+id+"/resubmit", ``, oasProvider)
		c.get(200, oasOrders+"/"+id, oasProvider)
	})

	// Drafts (drafts.go): created, updated, completed; with the processor running the
	// completed draft passes its flow like any order.
	t.Run("drafts", func(t *testing.T) {
		c := &oasClient{t: t, v: v, srv: oasStart(t, true), ok: ok}
		var d struct {
			OrderID string `json:"orderId"`
		}
		if err := json.Unmarshal(c.post(201, oasOrders+"/drafts", oasSeedEstimate, oasProvider), &d); err != nil {
			t.Fatal(err)
		}
		c.do(200, http.MethodPut, oasOrders+"/"+d.OrderID, []byte(oasSeedEstimate), oasProvider)
		c.do(404, http.MethodPut, oasOrders+"/"+oasNoSuch, []byte(oasSeedEstimate), oasProvider)
		c.post(200, oasOrders+"/"+d.OrderID+"/complete", ``, oasProvider)
		var o struct {
			OfStatus string `json:"ofStatus"`
		}
		deadline := time.Now().Add(10 * time.Second)
		for o.OfStatus != "CP" && time.Now().Before(deadline) {
			if err := json.Unmarshal(c.get(200, oasOrders+"/"+d.OrderID, oasProvider), &o); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if o.OfStatus != "CP" {
			t.Fatalf("the completed draft is in %s, want CP", o.OfStatus)
		}
		c.post(422, oasOrders+"/"+d.OrderID+"/complete", ``, oasProvider)
		c.do(409, http.MethodPut, oasOrders+"/"+d.OrderID, []byte(oasSeedEstimate), oasProvider)
	})

	for path, item := range v.Doc().Paths.Map() {
		for method, op := range item.Operations() {
			if !ok[op.OperationID] {
				t.Errorf("%s %s (%s) never answered 2xx in this test", method, path, op.OperationID)
			}
		}
	}
}

// TestOpenAPIValidatorCatchesMismatches makes sure the contract test can fail: the same
// exchanges, checked against deliberately wrong copies of the document, must not pass.
func TestOpenAPIValidatorCatchesMismatches(t *testing.T) {
	srv := oasStart(t, false)
	good := apitest.MustNew(t, api.OpenAPIDocument())
	for _, tc := range []struct {
		name   string
		mutate func(doc map[string]any)
		method string
		path   string
		body   string
	}{
		{"null where the document says string", func(doc map[string]any) {
			oasAt(doc, "components", "schemas", "PaymentMethod", "properties", "ownerAccountId")["nullable"] = false
		}, "GET", "/aps/2/services/payment-method-manager/paymentMethods?accountId=" + demo.Customer1, ""},
		{"undocumented field", func(doc map[string]any) {
			delete(oasAt(doc, "components", "schemas", "Account", "properties"), "canOrder")
			oasAt(doc, "components", "schemas", "Account")["required"] = []any{"aps", "id"}
		}, "GET", "/aps/2/collections/accounts/" + demo.Customer1, ""},
		{"wrong type", func(doc map[string]any) {
			oasAt(doc, "components", "schemas", "Estimate", "properties", "total")["type"] = "string"
		}, "POST", oasOrders + "/estimate", oasSeedEstimate},
		{"wrong date format", func(doc map[string]any) {
			oasAt(doc, "components", "schemas", "Subscription", "properties", "startDate")["format"] = "date-time"
		}, "GET", "/aps/2/collections/bss-subscriptions/" + demo.SubVPSDemo, ""},
		{"missing required header", func(doc map[string]any) {
			oasAt(doc, "components", "responses", "AccountList", "headers")["X-Total-Count"] = map[string]any{
				"required": true, "schema": map[string]any{"type": "string"}}
		}, "GET", "/aps/2/collections/accounts?limit(0,0)", ""},
		{"undocumented status", func(doc map[string]any) {
			delete(oasAt(doc, "paths", "/aps/2/collections/accounts", "get", "responses"), "206")
		}, "GET", "/aps/2/collections/accounts?limit(0,1)", ""},
		{"error body", func(doc map[string]any) {
			oasAt(doc, "components", "schemas", "Error", "properties", "code")["type"] = "string"
		}, "GET", "/aps/2/collections/accounts/" + oasNoSuch, ""},
		{"accepted request the document rejects", func(doc map[string]any) {
			oasAt(doc, "components", "schemas", "OrderRequest", "properties", "type")["enum"] = []any{"RENEWAL"}
		}, "POST", oasOrders + "/estimate", oasSeedEstimate},
		{"undocumented operation", func(doc map[string]any) {
			delete(oasAt(doc, "paths"), "/aps/2/services/order-manager/reasonCodes")
		}, "GET", "/aps/2/services/order-manager/reasonCodes", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
				t.Fatal(err)
			}
			tc.mutate(doc)
			spec, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			bad := apitest.MustNew(t, spec)
			req, err := http.NewRequest(tc.method, srv.base+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+demo.ProviderToken)
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := srv.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if err := good.Validate(req, res, body); err != nil {
				t.Fatalf("the real document rejects the exchange: %v", err)
			}
			err = bad.Validate(req, res, body)
			if err == nil {
				t.Fatalf("the wrong document accepts %s %s → %d %s", tc.method, tc.path, res.StatusCode, oasClip(body))
			}
			t.Logf("rejected as expected: %v", err)
		})
	}
}

// oasAt walks a decoded JSON document down keys to an object.
func oasAt(doc map[string]any, keys ...string) map[string]any {
	m := doc
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}
