// Command loadgen offers openbss a constant arrival rate of realistic requests over HTTP (vegeta
// as a library) and reports throughput and latency percentiles. Scenarios: place (placeOrder of
// the seed's sales order for the demo customers), estimate (the seed's estimate), details (order
// details of placed orders), list (the order list with a seed filter), e2e (place, then wait until
// every accepted order is CP and report the completion rate).
//
//	go run ./bench/loadgen -url http://127.0.0.1:8080 -scenario place -rate 2000 -duration 10s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

const token = "Bearer demo-provider-token"

var customers = []string{
	"3fef9702-b2ad-419a-9924-a56882e5f06c", "00b60056-8b0a-4981-8ca4-d114346cd652",
	"d7dd06ef-20a0-41f5-b89f-768ef373ae44", "9d086478-d00b-40c2-86df-7bc9b862e667",
}

func salesBody(i uint64) []byte {
	return []byte(fmt.Sprintf(`{"type":"SALES","accountId":%q,"promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":%d}]}],"attributes":[{"attributeID":"ORDER_ID1","value":"load-%d"}]}`,
		customers[i%uint64(len(customers))], 1+i%40, i))
}

const estimateBody = `{"type":"SALES","accountId":"00b60056-8b0a-4981-8ca4-d114346cd652","promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":20}]}]}`

// Report is what one run prints (JSON with -json).
type Report struct {
	Scenario    string   `json:"scenario"`
	Rate        int      `json:"offeredRate"`
	Duration    string   `json:"duration"`
	Requests    uint64   `json:"requests"`
	Throughput  float64  `json:"throughput"`
	Success     float64  `json:"success"`
	P50ms       float64  `json:"p50ms"`
	P95ms       float64  `json:"p95ms"`
	P99ms       float64  `json:"p99ms"`
	MaxMs       float64  `json:"maxms"`
	Completed   int      `json:"completed,omitempty"`
	CompleteSec float64  `json:"completeSeconds,omitempty"`
	E2ERate     float64  `json:"endToEndPerSecond,omitempty"`
	Errors      []string `json:"errors,omitempty"`
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	scenario := flag.String("scenario", "place", "place | estimate | details | list | e2e")
	rate := flag.Int("rate", 1000, "requests per second offered; 0: closed loop, -workers requests in flight at all times")
	dur := flag.Duration("duration", 10*time.Second, "how long to offer load")
	workers := flag.Uint64("workers", 64, "initial vegeta workers")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	filter := flag.String("filter", "in(type,(SO,BO)),limit(0,100)", "list scenario: the RQL query")
	flag.Parse()

	var seq atomic.Uint64
	var ids []string
	var idsMu sync.Mutex
	om := *base + "/aps/2/services/order-manager/orders"
	hdr := http.Header{"Authorization": {token}, "Content-Type": {"application/json"}}
	var targeter vegeta.Targeter
	switch *scenario {
	case "place", "e2e":
		targeter = func(t *vegeta.Target) error {
			*t = vegeta.Target{Method: "POST", URL: om, Body: salesBody(seq.Add(1)), Header: hdr}
			return nil
		}
	case "estimate":
		targeter = func(t *vegeta.Target) error {
			*t = vegeta.Target{Method: "POST", URL: om + "/estimate", Body: []byte(estimateBody), Header: hdr}
			return nil
		}
	case "details":
		ids = placeSome(om, 200)
		targeter = func(t *vegeta.Target) error {
			*t = vegeta.Target{Method: "GET", URL: om + "/" + ids[seq.Add(1)%uint64(len(ids))], Header: hdr}
			return nil
		}
	case "list":
		targeter = func(t *vegeta.Target) error {
			*t = vegeta.Target{Method: "GET", URL: om + "?" + *filter,
				Header: http.Header{"Authorization": {token}, "APS-Skip-Content-Range": {"true"}}}
			return nil
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", *scenario)
		os.Exit(2)
	}
	maxWorkers := uint64(4096)
	if *rate == 0 {
		maxWorkers = *workers // closed loop: exactly this many requests in flight
	}
	attacker := vegeta.NewAttacker(vegeta.Workers(*workers), vegeta.MaxWorkers(maxWorkers), vegeta.KeepAlive(true),
		vegeta.Timeout(30*time.Second))
	var m vegeta.Metrics
	errs := map[string]int{}
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: *rate, Per: time.Second}, *dur, *scenario) {
		m.Add(res)
		if res.Code/100 != 2 {
			errs[fmt.Sprintf("%d %s", res.Code, firstLine(res.Error, res.Body))]++
		} else if *scenario == "e2e" {
			var out struct{ OrderID string }
			if json.Unmarshal(res.Body, &out) == nil {
				idsMu.Lock()
				ids = append(ids, out.OrderID)
				idsMu.Unlock()
			}
		}
	}
	m.Close()
	r := Report{Scenario: *scenario, Rate: *rate, Duration: dur.String(), Requests: m.Requests, Throughput: m.Throughput,
		Success: m.Success, P50ms: ms(m.Latencies.P50), P95ms: ms(m.Latencies.P95), P99ms: ms(m.Latencies.P99), MaxMs: ms(m.Latencies.Max)}
	for e, n := range errs {
		r.Errors = append(r.Errors, fmt.Sprintf("%dx %s", n, e))
	}
	if *scenario == "e2e" {
		r.Completed, r.CompleteSec = waitCompleted(om, len(ids), m.Earliest)
		if r.CompleteSec > 0 {
			r.E2ERate = float64(r.Completed) / r.CompleteSec
		}
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	fmt.Printf("%-9s offered %5d/s for %s: %d requests, %.0f/s ok, success %.2f%%, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.1f ms\n",
		r.Scenario, r.Rate, r.Duration, r.Requests, r.Throughput, 100*r.Success, r.P50ms, r.P95ms, r.P99ms, r.MaxMs)
	if r.Completed > 0 {
		fmt.Printf("          end to end: %d orders CP in %.1f s since the first request = %.0f orders/s\n", r.Completed, r.CompleteSec, r.E2ERate)
	}
	for _, e := range r.Errors {
		fmt.Println("          error:", e)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func firstLine(err string, body []byte) string {
	s := err
	if s == "" {
		s = string(body)
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

func do(method, url string, body []byte, extra ...string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func placeSome(om string, n int) []string {
	var ids []string
	for i := 0; i < n; i++ {
		_, b, err := do("POST", om, salesBody(uint64(i)))
		var out struct{ OrderID string }
		if err == nil && json.Unmarshal(b, &out) == nil && out.OrderID != "" {
			ids = append(ids, out.OrderID)
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(os.Stderr, "could not place orders for the details scenario")
		os.Exit(1)
	}
	return ids
}

// waitCompleted polls the count of CP orders until it reaches want (or stops moving for 30 s),
// returning the count and the seconds from start.
func waitCompleted(om string, want int, start time.Time) (int, float64) {
	last, lastChange := -1, time.Now()
	for {
		resp, _, err := do("GET", om+"?in(ofStatus,(CP)),limit(0,0)", nil)
		n := 0
		if err == nil {
			fmt.Sscanf(strings.TrimPrefix(resp.Header.Get("Content-Range"), "items */"), "%d", &n)
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		if n >= want || time.Since(lastChange) > 30*time.Second {
			return n, time.Since(start).Seconds()
		}
		time.Sleep(50 * time.Millisecond)
	}
}
