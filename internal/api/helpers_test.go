package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/api/apitest"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// TestDemoAPI runs the read-only scenarios over the demo data set on each engine: one database
// per engine, shared by the scenarios (none of them writes), each scenario with a server of its
// own (so that its metrics are its own) and running in parallel with the others.
func TestDemoAPI(t *testing.T) {
	scenarios := []struct {
		name string
		run  func(t *testing.T, c *client)
	}{
		// Issue 2's acceptance, literally: the examples of seed 002.
		{"SeedAccountLookup", demoSeedAccountLookup},
		{"SeedPaymentMethods", demoSeedPaymentMethods},
		{"SeedServicePlans", demoSeedServicePlans},
		{"SeedSubscriptions", demoSeedSubscriptions},
		{"SeedReasonCodes", demoSeedReasonCodes},
		// Who sees what.
		{"AccountScopes", demoAccountScopes},
		{"SubscriptionAndPlanScopes", demoSubscriptionAndPlanScopes},
		// RQL and paging.
		{"Paging", demoPaging},
		{"FiltersAndSort", demoFiltersAndSort},
		{"MalformedQueries", demoMalformedQueries},
		{"GarbageNeverFails500", demoGarbageNeverFails500},
		{"NULInBodies", demoNULInBodies},
		// Operations.
		{"HealthAndMetrics", demoHealthAndMetrics},
		{"UnknownRoutes", demoUnknownRoutes},
		{"WrongMethod", demoWrongMethod},
	}
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		storetest.LoadDemo(t, s)
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				sc.run(t, newClient(t, s))
			})
		}
	})
}

func newClient(t *testing.T, s *store.Store) *client {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(api.NewServer(s, log))
	t.Cleanup(srv.Close)
	return &client{t: t, base: srv.URL, hc: srv.Client()}
}

// client calls the server and checks what every response must satisfy.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// Header options of a request.
func bearer(tok string) [2]string   { return [2]string{"Authorization", "Bearer " + tok} }
func apsToken(tok string) [2]string { return [2]string{"APS-Token", tok} }

var (
	asProvider = bearer(demo.ProviderToken)
	asReseller = bearer(demo.ResellerToken)
	asCustomer = bearer(demo.CustomerToken)
)

// get requests path (with its raw query) and checks the universal rules: never a 5xx; every
// error is the documented JSON body with the response's status as its code.
func (c *client) get(path string, headers ...[2]string) response {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, headers...)
}

func (c *client) do(method, path string, body []byte, headers ...[2]string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	for _, h := range headers {
		req.Header.Set(h[0], h[1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, short(path), err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, short(path), err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: b}
	openAPI(c.t).Check(c.t, req, res, b)
	if r.status >= 500 {
		c.t.Errorf("%s %s: %d (a 500 is always a bug): %s", method, short(path), r.status, b)
	}
	if r.status >= 400 {
		checkError(c.t, method+" "+short(path), r, r.status)
	}
	return r
}

// openAPI is the validator of the served OpenAPI document: every exchange of the tests must be
// one the document describes.
var openAPI = sync.OnceValue(func() func(testing.TB) *apitest.Validator {
	v, err := apitest.New(api.OpenAPIDocument())
	return func(t testing.TB) *apitest.Validator {
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
})()

func short(s string) string {
	if len(s) > 120 {
		return s[:120] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// checkError asserts the documented error body {"code","type","message"} and nothing else.
func checkError(t *testing.T, what string, r response, status int) errorBody {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error Content-Type %q, want application/json", what, ct)
	}
	var e errorBody
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Errorf("%s: error body %s is not {code,type,message}: %v", what, r.body, err)
		return e
	}
	if e.Code == nil || *e.Code != status || e.Type == "" || e.Message == "" {
		t.Errorf("%s: error body %s: want code %d and a non-empty type and message", what, r.body, status)
	}
	return e
}

type errorBody struct {
	Code    *int   `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// parseJSON parses a JSON body keeping numbers as written (20.0 stays "20.0").
func parseJSON(t *testing.T, what string, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: body is not JSON: %v\n%s", what, err, b)
	}
	if dec.More() {
		t.Fatalf("%s: trailing data after the JSON body", what)
	}
	return v
}

// list checks a successful list response (status, JSON content type, Content-Range) and returns
// its items, each checked against shape.
func (c *client) list(path string, shape obj, headers ...[2]string) ([]map[string]any, response) {
	c.t.Helper()
	r := c.get(path, headers...)
	if r.status != http.StatusOK && r.status != http.StatusPartialContent {
		c.t.Fatalf("GET %s: status %d: %s", short(path), r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Errorf("GET %s: Content-Type %q", short(path), ct)
	}
	if !contentRange.MatchString(r.header.Get("Content-Range")) {
		c.t.Errorf("GET %s: Content-Range %q", short(path), r.header.Get("Content-Range"))
	}
	v := parseJSON(c.t, path, r.body)
	arr, ok := v.([]any)
	if !ok {
		c.t.Fatalf("GET %s: body is not a JSON array: %s", short(path), r.body)
	}
	out := make([]map[string]any, len(arr))
	for i, it := range arr {
		for _, p := range validate(fmt.Sprintf("[%d]", i), it, shape) {
			c.t.Errorf("GET %s: %s", short(path), p)
		}
		out[i], _ = it.(map[string]any)
	}
	return out, r
}

var contentRange = regexp.MustCompile(`^items (\d+-\d+|\*)/(\d+|\*)$`)

// apsIDs lists the aps.id of items.
func apsIDs(items []map[string]any) []string {
	out := []string{}
	for _, it := range items {
		aps, _ := it["aps"].(map[string]any)
		id, _ := aps["id"].(string)
		out = append(out, id)
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// A shape describes a documented JSON representation: obj lists the keys that must be present
// (more may be), arr the shape of every element, and a kind string the JSON type of a value
// ("string", "number", "bool", "date", "time"; a trailing "?" allows null).
type (
	obj map[string]any
	arr struct{ elem any }
)

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func validate(path string, v any, shape any) []string {
	switch s := shape.(type) {
	case obj:
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v is not an object", path, v)}
		}
		var probs []string
		for k, sub := range s {
			val, present := m[k]
			if !present {
				probs = append(probs, fmt.Sprintf("%s.%s is missing", path, k))
				continue
			}
			probs = append(probs, validate(path+"."+k, val, sub)...)
		}
		return probs
	case arr:
		a, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v is not an array", path, v)}
		}
		var probs []string
		for i, e := range a {
			probs = append(probs, validate(fmt.Sprintf("%s[%d]", path, i), e, s.elem)...)
		}
		return probs
	case string:
		kind, nullable := strings.CutSuffix(s, "?")
		if v == nil {
			if nullable {
				return nil
			}
			return []string{fmt.Sprintf("%s is null, want %s", path, kind)}
		}
		ok := false
		switch kind {
		case "string":
			_, ok = v.(string)
		case "number":
			_, ok = v.(json.Number)
		case "bool":
			_, ok = v.(bool)
		case "date":
			str, _ := v.(string)
			ok = dateRE.MatchString(str)
		case "time":
			str, _ := v.(string)
			_, err := time.Parse(time.RFC3339, str)
			ok = err == nil
		}
		if !ok {
			return []string{fmt.Sprintf("%s = %v, want a %s", path, v, kind)}
		}
		return nil
	}
	panic(fmt.Sprintf("bad shape %T", shape))
}

// The documented representations (seed 002), as far as the foundation serves them.
var (
	apsShape    = obj{"id": "string", "type": "string", "status": "string"}
	periodShape = obj{"unit": "string", "duration": "number"}
	priceShape  = obj{"price": obj{"value": "string", "code": "string"}}

	accountShape = obj{"aps": apsShape, "id": "number", "type": "string", "status": "string",
		"companyName": "string", "contact": obj{}, "currency": "string", "canOrder": "bool",
		"attributes": arr{obj{"attributeID": "string", "value": "string"}}, "creationTime": "time"}

	planShape = obj{"aps": apsShape, "name": obj{"en_US": "string"}, "description": obj{},
		"status": "string", "version": "number", "requiresCreditCheck": "bool",
		"billingTerms": obj{"pricingModel": "string", "period": periodShape,
			"autorenewal": obj{"days": "number", "type": "string"}, "model": "string", "recurringPricesEvery": "string"},
		"subscriptionPeriods": arr{obj{"autoRenewalPeriod": periodShape, "numberOfBillingPeriods": "number",
			"trial": "bool", "defaultPeriod": "bool", "refund": obj{},
			"fees": obj{"setup": priceShape, "recurring": priceShape, "renewal": priceShape, "deposit": priceShape}}},
		"resourceRates": arr{obj{"resourceId": "string",
			"units": obj{"included": "number", "min": "number", "max": "number"},
			"fees":  obj{"setup": priceShape, "recurring": obj{"price": priceShape["price"], "chargePerUnit": "bool"}}}},
		"serviceTerms": arr{"string"}, "upsells": arr{obj{"aps": obj{"id": "string"}}}}

	subscriptionShape = obj{"aps": apsShape,
		"billingTerms": obj{"billingPeriod": periodShape, "billingModel": "string", "freezePrices": "bool",
			"autoRenewal": obj{"type": "string"}},
		"serviceGate": "string", "trial": "bool", "nextBillDate": "date", "subscriptionPeriod": periodShape,
		"serviceStatus": "string", "name": "string", "lastBillDate": "date", "subscriptionId": "number",
		"autoRenewEnabled": "bool", "startDate": "date", "expirationDate": "date", "status": "string",
		"account": obj{"aps": obj{"id": "string"}}, "plan": obj{"aps": obj{"id": "string"}},
		"resources": arr{obj{"resourceId": "string", "amount": "number"}}}

	paymentMethodShape = obj{"id": "number", "paymentSystemId": "string", "paymentSystem": "string",
		"ownerAccountId": "string?", "number": "string?", "name": "string", "type": "string",
		"perCustomer": "bool", "status": "string", "ratified": "string", "defaultMethod": "bool"}

	reasonCodeShape = obj{"reasonId": "number", "description": obj{"en_US": "string"}, "operationType": "string"}
)

// matches reports where got differs from want, want being a part of the documented document:
// every key of a want object must be in got with a matching value; arrays match element by
// element for want's length; scalars compare as written.
func matches(path string, got, want any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want an object", path, got)}
		}
		var probs []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				probs = append(probs, fmt.Sprintf("%s.%s is missing", path, k))
				continue
			}
			probs = append(probs, matches(path+"."+k, gv, wv)...)
		}
		return probs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) {
			return []string{fmt.Sprintf("%s: got %v, want at least %d elements", path, got, len(w))}
		}
		var probs []string
		for i := range w {
			probs = append(probs, matches(fmt.Sprintf("%s[%d]", path, i), g[i], w[i])...)
		}
		return probs
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("%s = %v, want %v", path, got, want)}
	}
	return nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
