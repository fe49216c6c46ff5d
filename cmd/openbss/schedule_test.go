package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/storetest"
)

// post sends a JSON body with a bearer token and decodes the answer into v.
func (s *server) postJSON(t *testing.T, path, token, body string, v any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("POST %s: %v: %s", path, err, b)
		}
	}
	return res.StatusCode
}

// TestServeDemoTestClock runs the real program with --demo: the test clock starts on
// 2019-03-22, advancing it runs the scheduler (456808a0, expired on 2019-04-12 and not renewed,
// is in grace on 2019-04-15), a restart resumes the test time, and without --demo there is no
// test clock.
func TestServeDemoTestClock(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		srv := serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn, "--demo", "--grace-days", "5")
		var clk struct {
			Now time.Time `json:"now"`
		}
		start, _ := time.Parse(time.RFC3339, demoClockStart)
		if code, _ := srv.get(t, "/aps/2/services/test-clock", demo.ProviderToken, &clk); code != http.StatusOK ||
			clk.Now.Sub(start) < 0 || clk.Now.Sub(start) > time.Minute {
			t.Fatalf("test clock at start: %d %s", code, clk.Now)
		}
		var res struct {
			Events []struct {
				Kind           string `json:"kind"`
				SubscriptionID string `json:"subscriptionId"`
			} `json:"events"`
		}
		if code := srv.postJSON(t, "/aps/2/services/test-clock/advance", demo.ProviderToken, `{"to": "2019-04-15T00:00:00Z"}`, &res); code != http.StatusOK {
			t.Fatalf("advance: %d", code)
		}
		if len(res.Events) != 1 || res.Events[0].Kind != "GRACE" || res.Events[0].SubscriptionID != demo.SubVPSDemo {
			t.Errorf("events up to 2019-04-15: %+v", res.Events)
		}
		var sub struct {
			Status string `json:"status"`
		}
		srv.get(t, "/aps/2/collections/bss-subscriptions/"+demo.SubVPSDemo, demo.ProviderToken, &sub)
		if sub.Status != "GRACE" {
			t.Errorf("456808a0 on 2019-04-15: %s, want GRACE", sub.Status)
		}
		if err := srv.stop(t); err != nil {
			t.Fatal(err)
		}

		srv = serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn, "--demo", "--grace-days", "5")
		if code, _ := srv.get(t, "/aps/2/services/test-clock", demo.ProviderToken, &clk); code != http.StatusOK ||
			clk.Now.Before(time.Date(2019, 4, 15, 0, 0, 0, 0, time.UTC)) || clk.Now.After(time.Date(2019, 4, 16, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("test clock after a restart: %d %s, want 2019-04-15", code, clk.Now)
		}
		// Grace is 5 days: the next advance puts 456808a0 on hold on 2019-04-17.
		if code := srv.postJSON(t, "/aps/2/services/test-clock/advance", demo.ProviderToken, `{"days": 3}`, &res); code != http.StatusOK {
			t.Fatalf("advance: %d", code)
		}
		srv.get(t, "/aps/2/collections/bss-subscriptions/"+demo.SubVPSDemo, demo.ProviderToken, &sub)
		if sub.Status != "HOLD" {
			t.Errorf("456808a0 on 2019-04-18 with 5 days of grace: %s, want HOLD", sub.Status)
		}
		if err := srv.stop(t); err != nil {
			t.Fatal(err)
		}

		srv = serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn, "--no-scheduler")
		if code, _ := srv.get(t, "/aps/2/services/test-clock", demo.ProviderToken, nil); code != http.StatusNotFound {
			t.Errorf("test clock without --demo: %d, want 404", code)
		}
		if err := srv.stop(t); err != nil {
			t.Fatal(err)
		}
	})
}
