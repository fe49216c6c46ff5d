package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// openbssBinary builds the binary under test into t's temporary directory (the build cache
// makes every build after the first quick).
func openbssBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openbss")
	if out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}

// process is a running `openbss serve`.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan struct{}
}

var listeningLine = regexp.MustCompile(`openbss listening on (http://\S+)`)

// startProcess starts the binary with serve and args, and waits until it listens.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(os.Environ(), "OPENBSS_DB=", "OPENBSS_ADDR=")
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("openbss exited before listening:\n%s", p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("openbss did not listen within a minute:\n%s", p.stderr.String())
	}
	return p
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *process) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// crashOrder is a demo SALES order with an upsell: two provisioning items, paid through the
// demo gateway (method 3).
var crashOrder = `{"type":"SALES","accountId":"` + demo.Customer1 + `","paymentMethodId":"3",
 "products":[{"planId":"` + demo.PlanOfferCounter + `","period":{"unit":"MONTHS","duration":1},
  "resources":[{"resourceId":"` + demo.ResUsers + `","amount":25}],
  "childProducts":[{"planId":"` + demo.PlanSaaS + `","period":{"unit":"MONTHS","duration":1}}]}],
 "acceptedTerms":["1"]}`

// placer sends orders to a process and remembers every acknowledged order id.
type placer struct {
	hc    *http.Client
	mu    sync.Mutex
	acked []string
	errs  []error // why each placing goroutine stopped
	sent  atomic.Int64
}

func newPlacer() *placer {
	return &placer{hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// place sends orders with conc goroutines until total were sent or the server stops answering.
func (pl *placer) place(url string, total, conc int) {
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pl.sent.Add(1) <= int64(total) {
				id, err := pl.placeOne(url)
				if err != nil {
					pl.mu.Lock()
					pl.errs = append(pl.errs, err)
					pl.mu.Unlock()
					return // the server is gone
				}
				pl.mu.Lock()
				pl.acked = append(pl.acked, id)
				pl.mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func (pl *placer) placeOne(url string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/aps/2/services/order-manager/orders", strings.NewReader(crashOrder))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+demo.ProviderToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := pl.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("place: %d %s", res.StatusCode, b)
	}
	var placed struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(b, &placed); err != nil || placed.OrderID == "" {
		return "", fmt.Errorf("place: answer %s", b)
	}
	return placed.OrderID, nil
}

func (pl *placer) ackedCount() int {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return len(pl.acked)
}

// TestCrashSafety kills `openbss serve` with SIGKILL in the middle of 1,000 orders and starts it
// again on the same database: every acknowledged order completes, no payment is taken twice, and
// the OSS does every item exactly once.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and places 1,000 orders")
	}
	bin := openbssBinary(t)
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		const total = 1000
		args := []string{"--demo", "--db", dsn, "--oss-sim-latency", "2ms", "--workers", "8",
			"--retry-backoff", "50ms", "--job-lease", "2s", "--reconcile-every", "500ms", "--reconcile-after", "2s"}
		pl := newPlacer()
		start := time.Now()
		p := startProcess(t, bin, args...)
		placed := make(chan struct{})
		go func() { defer close(placed); pl.place(p.url, total, 16) }()
		for pl.ackedCount() < total/2 {
			time.Sleep(time.Millisecond)
		}
		p.kill()
		<-placed
		beforeCrash := pl.ackedCount()
		t.Logf("killed after %d acknowledged orders (%v)", beforeCrash, time.Since(start).Round(time.Millisecond))

		st := openCrashDB(t, dsn)
		unfinished := countUnfinished(t, st)
		restart := time.Now()
		p = startProcess(t, bin, args...)
		pl.sent.Store(int64(beforeCrash)) // place the rest of the thousand on the new process
		pl.place(p.url, total, 16)
		acked := pl.ackedCount()
		if acked < total-16 {
			t.Fatalf("only %d orders acknowledged after the restart: %v\n%s", acked, pl.errs, tail(p.stderr.String(), 3000))
		}
		waitProcessed(t, st, p, 90*time.Second)
		elapsed := time.Since(restart)
		t.Logf("after the restart: %d orders unfinished at the crash plus %d new, all processed in %v (%.0f orders/s)",
			unfinished, acked-beforeCrash, elapsed.Round(time.Millisecond), float64(unfinished+acked-beforeCrash)/elapsed.Seconds())
		checkCrashInvariants(t, st, pl.acked)
	})
}

func openCrashDB(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func countUnfinished(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM orders
		WHERE of_status IN ('NW', 'OP', 'PR')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitProcessed waits until no order is new, open or provisioning.
func waitProcessed(t *testing.T, st *store.Store, p *process, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		n := countUnfinished(t, st)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var jobs []string
			rows, err := st.DB().QueryContext(context.Background(), `SELECT j.id, j.state, j.attempts, j.locked_by,
				j.locked_until, j.run_at, o.of_status FROM jobs j JOIN orders o ON o.id = j.order_id ORDER BY j.id LIMIT 20`)
			if err != nil {
				jobs = append(jobs, err.Error())
			} else {
				for rows.Next() {
					var id, att, until, runAt int64
					var state, by, flow string
					_ = rows.Scan(&id, &state, &att, &by, &until, &runAt, &flow)
					jobs = append(jobs, fmt.Sprintf("job %d %s attempts %d by %q until %v run %v order %s", id, state, att, by,
						store.FromMicros(until).Format(time.RFC3339), store.FromMicros(runAt).Format(time.RFC3339), flow))
				}
				rows.Close()
			}
			t.Fatalf("%d orders still unfinished after %v; jobs:\n%s\nlog tail:\n%s", n, limit, strings.Join(jobs, "\n"),
				tail(p.stderr.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// checkCrashInvariants: every acknowledged order exists and completed; each order has at most
// one approved payment and the gateway books one charge per payment attempt, at most one
// approved; the simulated OSS did every provisioning item exactly once.
func checkCrashInvariants(t *testing.T, st *store.Store, acked []string) {
	t.Helper()
	ctx := context.Background()
	db := st.DB()
	flows := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT aps_id, of_status FROM orders`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, flow string
		if err := rows.Scan(&id, &flow); err != nil {
			t.Fatal(err)
		}
		flows[id] = flow
	}
	rows.Close()
	seen := map[string]bool{}
	for _, id := range acked {
		if seen[id] {
			t.Errorf("order %s acknowledged twice", id)
		}
		seen[id] = true
		switch flow, ok := flows[id]; {
		case !ok:
			t.Errorf("acknowledged order %s does not exist", id)
		case flow != "CP":
			t.Errorf("acknowledged order %s is in %s, want CP", id, flow)
		}
	}
	for _, q := range []struct{ what, query string }{
		{"orders with more than one approved payment", `SELECT COUNT(*) FROM (SELECT order_id FROM payments
			WHERE status = 'APPROVED' GROUP BY order_id HAVING COUNT(*) > 1) x`},
		{"completed orders without an approved payment", `SELECT COUNT(*) FROM orders o WHERE o.of_status = 'CP'
			AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'APPROVED')`},
		{"payment attempts the gateway booked other than once", `SELECT COUNT(*) FROM payments p WHERE p.status <> 'PENDING'
			AND (SELECT COUNT(*) FROM demo_gateway_charges c WHERE c.idempotency_key = p.idempotency_key) <> 1`},
		{"gateway charges of no payment attempt", `SELECT COUNT(*) FROM demo_gateway_charges c
			WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.idempotency_key = c.idempotency_key)`},
		{"orders charged more than once at the gateway", `SELECT COUNT(*) FROM (SELECT order_id FROM demo_gateway_charges
			WHERE status = 'APPROVED' GROUP BY order_id HAVING COUNT(*) > 1) x`},
		{"provisioning items the OSS never did", `SELECT COUNT(*) FROM provisioning_items i WHERE NOT EXISTS
			(SELECT 1 FROM oss_sim_items s WHERE s.item_id = CAST(i.id AS TEXT) AND s.status = 'COMPLETED')`},
		{"items the OSS did more than once", `SELECT COUNT(*) FROM (SELECT item_id FROM oss_sim_items
			GROUP BY item_id HAVING COUNT(*) > 1) x`},
		{"OSS items of no provisioning item", `SELECT COUNT(*) FROM oss_sim_items s WHERE NOT EXISTS
			(SELECT 1 FROM provisioning_items i WHERE CAST(i.id AS TEXT) = s.item_id)`},
		{"items not completed", `SELECT COUNT(*) FROM provisioning_items WHERE status <> 'COMPLETED'`},
		{"completed orders without their subscriptions", `SELECT COUNT(*) FROM orders o WHERE o.of_status = 'CP'
			AND (SELECT COUNT(*) FROM order_subscriptions s WHERE s.order_id = o.id) <> 2`},
		{"jobs left", `SELECT COUNT(*) FROM jobs`},
	} {
		var n int
		if err := db.QueryRowContext(ctx, q.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q.what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", q.what, n)
		}
	}
	var orders, items, simItems int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM provisioning_items),
		(SELECT COUNT(*) FROM oss_sim_items)`).Scan(&orders, &items, &simItems); err != nil {
		t.Fatal(err)
	}
	if simItems != items || items != 2*orders {
		t.Errorf("%d orders, %d items, %d items at the OSS: want two items per order, each done once", orders, items, simItems)
	}
	t.Logf("%d acknowledged, %d orders in the database (unacknowledged ones are allowed), %d items", len(acked), orders, items)
}

// TestTwoServeProcesses: two `openbss serve` processes on one PostgreSQL database process
// 2,000 orders placed on both. Both take jobs, and no order is processed twice: the OSS (a
// webhook OSS in this test) gets every item exactly once, and every order completes with one
// payment and one pass through its flow.
func TestTwoServeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and places 2,000 orders")
	}
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip(storetest.EnvPostgres + " is not set")
	}
	dsn := storetest.PostgresURL(t)
	oss := &signedOSS{secret: "two-processes"}
	srv := httptest.NewServer(oss)
	defer srv.Close()
	args := []string{"--demo", "--db", dsn, "--oss-url", srv.URL, "--oss-secret", oss.secret, "--workers", "8",
		"--retry-backoff", "50ms"}
	bin := openbssBinary(t)
	a := startProcess(t, bin, args...)
	b := startProcess(t, bin, args...)
	st := openCrashDB(t, dsn)

	// Watch which processes hold jobs while the orders are processed.
	holders := map[string]bool{}
	var watching sync.WaitGroup
	stopWatching := make(chan struct{})
	watching.Add(1)
	go func() {
		defer watching.Done()
		for {
			select {
			case <-stopWatching:
				return
			case <-time.After(20 * time.Millisecond):
			}
			rows, err := st.DB().QueryContext(context.Background(), `SELECT DISTINCT locked_by FROM jobs WHERE locked_by <> ''`)
			if err != nil {
				continue
			}
			for rows.Next() {
				var by string
				if rows.Scan(&by) == nil {
					holders[by] = true
				}
			}
			rows.Close()
		}
	}()

	const total = 2000
	start := time.Now()
	pa, pb := newPlacer(), newPlacer()
	var placing sync.WaitGroup
	for _, x := range []struct {
		pl *placer
		p  *process
	}{{pa, a}, {pb, b}} {
		placing.Add(1)
		go func() { defer placing.Done(); x.pl.place(x.p.url, total/2, 8) }()
	}
	placing.Wait()
	acked := append(append([]string{}, pa.acked...), pb.acked...)
	if len(acked) != total {
		t.Fatalf("%d orders acknowledged, want %d: %v %v", len(acked), total, pa.errs, pb.errs)
	}
	waitProcessed(t, st, a, 3*time.Minute)
	elapsed := time.Since(start)
	close(stopWatching)
	watching.Wait()
	t.Logf("2 processes: %d orders placed and processed in %v (%.0f orders/s); job holders seen: %d",
		total, elapsed.Round(time.Millisecond), total/elapsed.Seconds(), len(holders))
	if len(holders) < 2 {
		t.Errorf("only %d process(es) seen holding jobs: %v", len(holders), holders)
	}
	checkOrdersOnce(t, st, acked)
	oss.mu.Lock()
	defer oss.mu.Unlock()
	seen := map[string]int{}
	for _, k := range oss.keys {
		seen[k]++
	}
	if oss.bad != 0 || len(seen) != 2*total {
		t.Errorf("the OSS got %d distinct items (want %d) and %d bad requests", len(seen), 2*total, oss.bad)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("item %s sent to the OSS %d times", k, n)
		}
	}
}

// checkOrdersOnce: every acknowledged order completed after one pass through its flow, with
// one payment attempt, charged once.
func checkOrdersOnce(t *testing.T, st *store.Store, acked []string) {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM orders`).Scan(&n); err != nil || n != len(acked) {
		t.Errorf("%d orders in the database for %d acknowledged: %v", n, len(acked), err)
	}
	for what, q := range map[string]string{
		"orders not completed": `SELECT COUNT(*) FROM orders WHERE of_status <> 'CP'`,
		"orders whose history is not NW, OP, PR, CP once each": `SELECT COUNT(*) FROM orders o
			WHERE (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id) <> 4`,
		"orders without exactly one payment, approved": `SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM payments p
			WHERE p.order_id = o.id) <> 1 OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'APPROVED')`,
		"orders not charged exactly once": `SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM demo_gateway_charges c
			WHERE c.order_id = o.aps_id) <> 1`,
		"jobs left": `SELECT COUNT(*) FROM jobs`,
	} {
		if err := st.DB().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
}
