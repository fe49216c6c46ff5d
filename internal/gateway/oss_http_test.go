package gateway_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/gateway"
)

// TestSign checks the signature against the published HMAC-SHA256 test value.
func TestSign(t *testing.T) {
	got := gateway.Sign("key", []byte("The quick brown fox jumps over the lazy dog"))
	if want := "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

var testItem = gateway.Item{ItemID: "1000042", OrderID: "0b1c", OrderNumber: "SO000042", Action: "CREATE",
	SubscriptionID: "5d6e", AccountID: "3fef9702", PlanID: "ae0e6e84",
	Period:     json.RawMessage(`{"unit":"MONTHS","duration":1}`),
	Resources:  json.RawMessage(`[{"resourceId":"1c3a","amount":40}]`),
	Parameters: json.RawMessage(`[{"client":"1st APS, inc."}]`)}

// TestHTTPOSSRequest: the POST carries the contract's body with its field names, the item id as
// Idempotency-Key, and the body's HMAC-SHA256 under the secret.
func TestHTTPOSSRequest(t *testing.T) {
	const secret = "s3cret"
	var got struct {
		path, method, key, sig, ctype string
		body                          []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.method, got.key = r.URL.Path, r.Method, r.Header.Get("Idempotency-Key")
		got.sig, got.ctype = r.Header.Get("X-Openbss-Signature"), r.Header.Get("Content-Type")
		got.body, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"status":"COMPLETED","ossSubscriptionId":"oss-7"}`)
	}))
	defer srv.Close()
	res, err := gateway.NewHTTPOSS(srv.URL+"/", secret).Provision(context.Background(), testItem)
	if err != nil || res.Status != gateway.OSSCompleted || res.OSSSubscriptionID != "oss-7" {
		t.Fatalf("Provision = %+v, %v", res, err)
	}
	if got.method != http.MethodPost || got.path != "/provisioning-items" || got.key != testItem.ItemID ||
		!strings.HasPrefix(got.ctype, "application/json") {
		t.Errorf("request %s %s Idempotency-Key %q Content-Type %q", got.method, got.path, got.key, got.ctype)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(got.body)
	if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); got.sig != want {
		t.Errorf("signature %s, want %s", got.sig, want)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"itemId", "orderId", "orderNumber", "action", "subscriptionId", "accountId", "planId",
		"period", "resources", "parameters"} {
		if _, ok := body[k]; !ok {
			t.Errorf("body lacks %q: %s", k, got.body)
		}
	}
	if len(body) != 10 {
		t.Errorf("body has fields beyond the contract: %s", got.body)
	}
}

// TestHTTPOSSAnswers maps every kind of OSS answer to a result or a transient error.
func TestHTTPOSSAnswers(t *testing.T) {
	for _, c := range []struct {
		name      string
		status    int
		body      string
		want      string // result status; "" means a transient error
		wantSub   string
		wantInMsg string
	}{
		{"created", 201, `{"status":"COMPLETED","ossSubscriptionId":"a"}`, gateway.OSSCompleted, "a", ""},
		{"ok", 200, `{"status":"COMPLETED","ossSubscriptionId":"b"}`, gateway.OSSCompleted, "b", ""},
		{"accepted", 202, `{"status":"IN_PROGRESS"}`, gateway.OSSInProgress, "", ""},
		{"accepted without body", 202, ``, gateway.OSSInProgress, "", ""},
		{"already exists", 409, `{"status":"ALREADY_EXISTS","ossSubscriptionId":"c"}`, gateway.OSSAlreadyExists, "c", ""},
		{"refused", 400, `{"status":"FAILED","message":"plan ae0e is not sold here"}`, gateway.OSSFailed, "", "plan ae0e is not sold here"},
		{"refused in text", 422, `quota exceeded`, gateway.OSSFailed, "", "quota exceeded"},
		{"forbidden", 403, `{"message":"account suspended"}`, gateway.OSSFailed, "", "account suspended"},
		{"server error", 500, `{"message":"db down"}`, "", "", ""},
		{"unavailable", 503, `maintenance`, "", "", ""},
		{"bad gateway", 502, ``, "", "", ""},
		{"rate limited", 429, `{"message":"slow down"}`, "", "", ""},
		{"request timeout", 408, ``, "", "", ""},
		{"garbled success", 200, `<html>`, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.body)
			}))
			defer srv.Close()
			res, err := gateway.NewHTTPOSS(srv.URL, "k").Provision(context.Background(), testItem)
			if c.want == "" {
				if err == nil || !errors.Is(err, gateway.ErrTransient) {
					t.Fatalf("Provision = %+v, %v; want a transient error", res, err)
				}
				return
			}
			if err != nil || res.Status != c.want || res.OSSSubscriptionID != c.wantSub || !strings.Contains(res.Message, c.wantInMsg) {
				t.Fatalf("Provision = %+v, %v; want %s %q with %q in the message", res, err, c.want, c.wantSub, c.wantInMsg)
			}
		})
	}
}

// TestHTTPOSSUnreachable: refused connections and timeouts are transient.
func TestHTTPOSSUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := gateway.NewHTTPOSS("http://"+addr, "k").Provision(context.Background(), testItem); !errors.Is(err, gateway.ErrTransient) {
		t.Errorf("connection refused: %v, want a transient error", err)
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	g := gateway.NewHTTPOSS(srv.URL, "k")
	g.Client.Timeout = 50 * time.Millisecond
	if _, err := g.Provision(context.Background(), testItem); !errors.Is(err, gateway.ErrTransient) {
		t.Errorf("timeout: %v, want a transient error", err)
	}
	if _, err := g.Status(context.Background(), testItem.ItemID); !errors.Is(err, gateway.ErrTransient) {
		t.Errorf("status timeout: %v, want a transient error", err)
	}
}

// TestHTTPOSSStatus: GET {URL}/provisioning-items/{itemId}, signed; 404 means the OSS never got
// the item.
func TestHTTPOSSStatus(t *testing.T) {
	const secret = "s3cret"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("X-Openbss-Signature") != gateway.Sign(secret, nil) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.EscapedPath() {
		case "/provisioning-items/7":
			_, _ = io.WriteString(w, `{"status":"COMPLETED","ossSubscriptionId":"oss-7"}`)
		case "/provisioning-items/8":
			_, _ = io.WriteString(w, `{"status":"IN_PROGRESS"}`)
		case "/provisioning-items/9":
			_, _ = io.WriteString(w, `{"status":"FAILED","message":"task failed"}`)
		case "/provisioning-items/a%2Fb":
			_, _ = io.WriteString(w, `{"status":"NOT_FOUND"}`)
		case "/provisioning-items/500":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"status":"NOT_FOUND"}`)
		}
	}))
	defer srv.Close()
	g := gateway.NewHTTPOSS(srv.URL, secret)
	for id, want := range map[string]gateway.OSSResult{
		"7":   {Status: gateway.OSSCompleted, OSSSubscriptionID: "oss-7"},
		"8":   {Status: gateway.OSSInProgress},
		"9":   {Status: gateway.OSSFailed, Message: "task failed"},
		"a/b": {Status: gateway.OSSNotFound},
		"10":  {Status: gateway.OSSNotFound},
	} {
		if got, err := g.Status(context.Background(), id); err != nil || got != want {
			t.Errorf("Status(%s) = %+v, %v; want %+v", id, got, err, want)
		}
	}
	if _, err := g.Status(context.Background(), "500"); !errors.Is(err, gateway.ErrTransient) {
		t.Errorf("Status on a 500: %v, want a transient error", err)
	}
}
