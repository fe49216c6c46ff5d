package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func demoHealthAndMetrics(t *testing.T, c *client) {
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		r := c.get(path)
		if r.status != http.StatusOK || !reflect.DeepEqual(parseJSON(t, path, r.body), map[string]any{"status": want}) {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	c.get("/aps/2/collections/accounts", asProvider)
	c.get("/aps/2/collections/accounts")
	r := c.get("/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics: %d", r.status)
	}
	body := string(r.body)
	for _, want := range []string{
		`openbss_http_requests_total{route="GET /aps/2/collections/accounts",status="OK"} 1`,
		`openbss_http_requests_total{route="GET /aps/2/collections/accounts",status="Unauthorized"} 1`,
		`openbss_http_request_duration_seconds_bucket{route="GET /aps/2/collections/accounts"`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func demoUnknownRoutes(t *testing.T, c *client) {
	for _, path := range []string{"/", "/nope", "/aps/2/collections/nope", "/aps/2/collections/accounts/x/y"} {
		checkError(t, "GET "+path, c.get(path, asProvider), http.StatusNotFound)
		checkError(t, "GET "+path+" without a token", c.get(path), http.StatusNotFound)
	}
}

func demoWrongMethod(t *testing.T, c *client) {
	for _, x := range []struct{ method, path string }{
		{http.MethodPut, "/healthz"},
		{http.MethodPost, "/readyz"},
		{http.MethodDelete, "/aps/2/services/order-manager/reasonCodes"},
		{http.MethodPatch, "/aps/2/collections/bss-subscriptions"},
	} {
		r := c.do(x.method, x.path, []byte("{}"), asProvider)
		checkError(t, x.method+" "+x.path, r, http.StatusMethodNotAllowed)
		allow := strings.Split(r.header.Get("Allow"), ", ")
		if !slices.Contains(allow, http.MethodGet) || !slices.Contains(allow, http.MethodHead) || slices.Contains(allow, x.method) {
			t.Errorf("%s %s: Allow %q, want GET and HEAD, not %s", x.method, x.path, r.header.Get("Allow"), x.method)
		}
	}
}
