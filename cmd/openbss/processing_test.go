package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/storetest"
)

// procOrder is what the processing tests read of an order.
type procOrder struct {
	OfStatus           string `json:"ofStatus"`
	PaymentStatus      string `json:"paymentStatus"`
	ProvisioningStatus string `json:"provisioningStatus"`
	ErrorDetails       *struct {
		Message string `json:"message"`
	} `json:"errorDetails"`
	Items []struct {
		ID                int64  `json:"id"`
		Status            string `json:"status"`
		OSSSubscriptionID string `json:"ossSubscriptionId"`
	} `json:"provisioningItems"`
}

// placeAndWait places the two-item demo order on s and waits until it reaches flow status want.
func placeAndWait(t *testing.T, s *server, want string) procOrder {
	t.Helper()
	id, err := newPlacer().placeOne(s.base)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var o procOrder
		if status, _ := s.get(t, "/aps/2/services/order-manager/orders/"+id, demo.ProviderToken, &o); status != http.StatusOK {
			t.Fatalf("order %s: %d", id, status)
		}
		if o.OfStatus == want {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s never reached %s: %+v\n%s", id, want, o, tail(s.stderr.String(), 2000))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signedOSS is an OSS that checks the webhook contract's signature and key, and does the work.
type signedOSS struct {
	secret string
	mu     sync.Mutex
	keys   []string
	bad    int
}

func (o *signedOSS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := hmac.New(sha256.New, []byte(o.secret))
	m.Write(body)
	var it struct {
		ItemID string `json:"itemId"`
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if r.Header.Get("X-Openbss-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) ||
		json.Unmarshal(body, &it) != nil || r.Header.Get("Idempotency-Key") != it.ItemID {
		o.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	o.keys = append(o.keys, it.ItemID)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, `{"status":"COMPLETED","ossSubscriptionId":"oss-`+it.ItemID+`"}`)
}

// TestServeHTTPOSS: `serve --oss-url --oss-secret` (or their environment variables) sends the
// items to the webhook OSS, signed with the secret, and the order completes.
func TestServeHTTPOSS(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		for _, how := range []string{"flags", "env"} {
			oss := &signedOSS{secret: "s3cret-" + how}
			srv := httptest.NewServer(oss)
			defer srv.Close()
			args := []string{"--addr", "127.0.0.1:0", "--demo", "--db", dsn, "--retry-backoff", "10ms"}
			getenv := noEnv
			if how == "flags" {
				args = append(args, "--oss-url", srv.URL, "--oss-secret", oss.secret)
			} else {
				getenv = func(k string) string {
					return map[string]string{"OPENBSS_OSS_URL": srv.URL, "OPENBSS_OSS_SECRET": oss.secret}[k]
				}
			}
			s := serve(t, getenv, args...)
			o := placeAndWait(t, s, "CP")
			oss.mu.Lock()
			if oss.bad != 0 || len(oss.keys) != 2 {
				t.Errorf("%s: OSS saw %d signed items and %d bad requests", how, len(oss.keys), oss.bad)
			}
			oss.mu.Unlock()
			for _, it := range o.Items {
				if it.Status != "COMPLETED" || !strings.HasPrefix(it.OSSSubscriptionID, "oss-") {
					t.Errorf("%s: item %+v", how, it)
				}
			}
			if err := s.stop(t); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestServeProcessingFlags: the simulator's and the demo gateway's switches reach the
// processor, and --no-processing leaves orders to another process.
func TestServeProcessingFlags(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		base := []string{"--addr", "127.0.0.1:0", "--demo", "--db", dsn, "--retry-backoff", "10ms"}
		run := func(what, want string, args ...string) procOrder {
			t.Helper()
			s := serve(t, noEnv, append(base, args...)...)
			o := placeAndWait(t, s, want)
			if err := s.stop(t); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return o
		}
		if o := run("decline", "PD", "--pay-decline-over", "1.00"); o.ErrorDetails == nil ||
			!strings.Contains(o.ErrorDetails.Message, "Declined") {
			t.Errorf("--pay-decline-over: %+v", o)
		}
		if o := run("reject", "PF", "--oss-sim-reject", "Quota exceeded for the reseller"); o.ErrorDetails == nil ||
			!strings.Contains(o.ErrorDetails.Message, "Quota exceeded for the reseller") {
			t.Errorf("--oss-sim-reject: %+v", o)
		}
		run("async", "CP", "--oss-sim-async", "--reconcile-every", "20ms", "--reconcile-after", "20ms")
		run("lossy", "CP", "--oss-sim-lose-rate", "0.3", "--oss-sim-fail-rate", "0.2", "--oss-sim-latency", "1ms",
			"--reconcile-every", "50ms", "--reconcile-after", "50ms")
		s := serve(t, noEnv, append(base, "--no-processing")...)
		id, err := newPlacer().placeOne(s.base)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		var o procOrder
		if s.get(t, "/aps/2/services/order-manager/orders/"+id, demo.ProviderToken, &o); o.OfStatus != "NW" {
			t.Errorf("--no-processing: the order moved on: %+v", o)
		}
	})
}

// TestServeProcessingFlagErrors: a malformed processing flag stops serve with the flag named.
func TestServeProcessingFlagErrors(t *testing.T) {
	dsn := storetest.SQLitePath(t)
	var stdout, stderr syncBuffer
	err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--pay-decline-over", "lots"},
		noEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--pay-decline-over") {
		t.Errorf("serve --pay-decline-over lots: %v", err)
	}
}
