package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/storetest"
)

// TestTestClockOnlyInDemo: without a test clock (production) the routes do not exist.
func TestTestClockOnlyInDemo(t *testing.T) {
	s := ldgStart(t, storetest.SQLitePath(t), false)
	if code := s.call("GET", "/aps/2/services/test-clock", demo.ProviderToken, "", nil); code != http.StatusNotFound {
		t.Errorf("GET test-clock without a test clock: %d, want 404", code)
	}
	if code := s.call("POST", "/aps/2/services/test-clock/advance", demo.ProviderToken, `{"days": 1}`, nil); code != http.StatusNotFound {
		t.Errorf("POST advance without a test clock: %d, want 404", code)
	}
}

// TestTestClockRequests: who may move the clock, and what bodies it takes.
func TestTestClockRequests(t *testing.T) {
	s := ldgStart(t, storetest.SQLitePath(t), true)
	for _, tok := range []string{demo.ResellerToken, demo.CustomerToken} {
		if code := s.call("POST", "/aps/2/services/test-clock/advance", tok, `{"days": 1}`, nil); code != http.StatusForbidden {
			t.Errorf("advance with %s: %d, want 403", tok, code)
		}
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{}`, 400}, {`{"days": -1}`, 400}, {`{"days": 1.5}`, 400}, {`{"days": 99999}`, 400},
		{`{"days": 1, "to": "2019-05-01T00:00:00Z"}`, 400}, {`{"weeks": 1}`, 400}, {`[`, 400},
		{`{"to": "yesterday"}`, 400}, {`{"to": "2019-01-01T00:00:00Z"}`, 409},
	} {
		if code := s.call("POST", "/aps/2/services/test-clock/advance", demo.ProviderToken, c.body, nil); code != c.want {
			t.Errorf("advance %s: %d, want %d", c.body, code, c.want)
		}
	}
	// The same Idempotency-Key and body answer the first result: the clock moves once.
	post := func(key, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", s.base+"/aps/2/services/test-clock/advance", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+demo.ProviderToken)
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	c1, b1 := post("k1", `{"days": 2}`)
	c2, b2 := post("k1", `{"days": 2}`)
	if c1 != 200 || c2 != 200 || !bytes.Equal(b1, b2) {
		t.Errorf("replayed advance: %d %s / %d %s", c1, b1, c2, b2)
	}
	if c, _ := post("k1", `{"days": 3}`); c != http.StatusConflict {
		t.Errorf("key reused with another body: %d, want 409", c)
	}
	var clk struct {
		Now  time.Time `json:"now"`
		Mode string    `json:"mode"`
	}
	s.call("GET", "/aps/2/services/test-clock", demo.ProviderToken, "", &clk)
	if d := clk.Now.Sub(ldgEpoch.AddDate(0, 0, 2)); d < 0 || d > time.Minute || clk.Mode != "test" {
		t.Errorf("clock after one 2-day advance: %+v", clk)
	}
}

// TestExpirationOverTheAPI: with auto-renewal off, the demo subscription a63078fb (expiring
// 2019-04-20) is in grace from 2019-04-20, on hold (service stopped) from 2019-04-27 and
// terminated by a CF order on 2019-05-04 — grace and hold of 7 days each.
func TestExpirationOverTheAPI(t *testing.T) {
	ldgEngines(t, func(t *testing.T, s *ldgServer) {
		var sub struct {
			Status        string `json:"status"`
			ServiceStatus string `json:"serviceStatus"`
		}
		for _, c := range []struct {
			to, status, service string
		}{
			{"2019-04-19T23:00:00Z", "ACTIVE", "ACTIVE"},
			{"2019-04-20T00:00:00Z", "GRACE", "ACTIVE"},
			{"2019-04-27T00:00:00Z", "HOLD", "STOPPED"},
			{"2019-05-04T00:00:00Z", "TERMINATED", "STOPPED"},
		} {
			var res ldgAdvance
			if code := s.call("POST", "/aps/2/services/test-clock/advance", demo.ProviderToken, `{"to": "`+c.to+`"}`, &res); code != http.StatusOK {
				t.Fatalf("advance to %s: %d", c.to, code)
			}
			s.call("GET", "/aps/2/collections/bss-subscriptions/"+demo.SubCloud, demo.ProviderToken, "", &sub)
			if sub.Status != c.status || sub.ServiceStatus != c.service {
				t.Errorf("at %s: %+v, want %s/%s", c.to, sub, c.status, c.service)
			}
		}
		var orders []struct {
			Type     string `json:"type"`
			OfStatus string `json:"ofStatus"`
		}
		s.call("GET", "/aps/2/services/order-manager/orders?eq(subscriptionId,"+demo.SubCloud+")", demo.ProviderToken, "", &orders)
		if len(orders) != 1 || orders[0].Type != "CF" || orders[0].OfStatus != "CP" {
			t.Errorf("orders of the terminated subscription: %+v, want one completed CF", orders)
		}
	})
}
