package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/worker"
)

// calls counts what the gateways were asked, across processors.
type calls struct {
	mu        sync.Mutex
	provision map[string]int    // per item id
	charge    map[string]int    // per idempotency key
	byProc    map[string]int    // orders whose items a processor provisioned
	orderProc map[string]string // order id → processor
}

// countingOSS is the simulator of one processor, counting its calls.
type countingOSS struct {
	gateway.OSS
	name string
	c    *calls
}

func (o countingOSS) Provision(ctx context.Context, it gateway.Item) (gateway.OSSResult, error) {
	o.c.mu.Lock()
	o.c.provision[it.ItemID]++
	if _, ok := o.c.orderProc[it.OrderID]; !ok {
		o.c.orderProc[it.OrderID] = o.name
		o.c.byProc[o.name]++
	}
	o.c.mu.Unlock()
	return o.OSS.Provision(ctx, it)
}

type countingPay struct {
	gateway.PaymentGateway
	c *calls
}

func (p countingPay) Charge(ctx context.Context, ch gateway.Charge) (gateway.ChargeResult, error) {
	p.c.mu.Lock()
	p.c.charge[ch.IdempotencyKey]++
	p.c.mu.Unlock()
	return p.PaymentGateway.Charge(ctx, ch)
}

// TestTwoProcessorsOnePostgres: two processors, each on its own connection pool to one
// PostgreSQL database as two `openbss serve` processes are, process 2,000 orders together.
// Both take part, and no order is processed twice: every item is sent to the OSS once, every
// charge asked once, every order completes with one payment and one pass through its flow.
func TestTwoProcessorsOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 orders")
	}
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip(storetest.EnvPostgres + " is not set")
	}
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	c := &calls{provision: map[string]int{}, charge: map[string]int{}, byProc: map[string]int{}, orderProc: map[string]string{}}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	var procs []*worker.Processor
	var stores []*store.Store
	for i, name := range []string{"one", "two"} {
		st := openStore(t, dsn, i == 0)
		stores = append(stores, st)
		cfg := fastConfig()
		cfg.Workers = 8
		oss := countingOSS{OSS: gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{}), name: name, c: c}
		pay := countingPay{PaymentGateway: &gateway.DemoPayment{DB: st.Books(), Now: st.Now}, c: c}
		procs = append(procs, worker.New(st, pay, oss, cfg, log))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var running sync.WaitGroup
	for _, p := range procs {
		running.Add(1)
		go func() { defer running.Done(); p.Run(ctx) }()
	}
	t.Cleanup(func() { cancel(); running.Wait() })
	srv := httptest.NewServer(api.NewServer(stores[0], log, api.WithProcessing(procs[0])))
	t.Cleanup(srv.Close)
	r := &rig{t: t, st: stores[0], url: srv.URL, hc: srv.Client()}

	const total = 2000
	start := time.Now()
	ids := make(chan string, total)
	var placing sync.WaitGroup
	for range 16 {
		placing.Add(1)
		go func() {
			defer placing.Done()
			for range total / 16 {
				ids <- r.place(salesOrder(1, 25, true))
			}
		}()
	}
	placing.Wait()
	close(ids)
	placed := time.Since(start)
	deadline := time.Now().Add(3 * time.Minute)
	for r.count(`SELECT COUNT(*) FROM orders WHERE of_status <> 'CP'`) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d orders not completed: %s\nlog tail:\n%s", r.count(`SELECT COUNT(*) FROM orders WHERE of_status <> 'CP'`),
				r.stuck(), tail(logs.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d orders placed in %v, all completed in %v (%.0f orders/s); processor one took %d, two took %d",
		total, placed.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		total/time.Since(start).Seconds(), c.byProc["one"], c.byProc["two"])

	if n := strings.Count(logs.String(), "job retry"); n > 0 {
		t.Logf("%d job retries: %s", n, tail(logs.String(), 2000))
	}
	r.waitNoJobs()
	if n := r.count(`SELECT COUNT(*) FROM orders`); n != total {
		t.Errorf("%d orders, want %d", n, total)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byProc["one"] == 0 || c.byProc["two"] == 0 {
		t.Errorf("both processors must take part: %v", c.byProc)
	}
	if len(c.provision) != 2*total || len(c.charge) != total {
		t.Errorf("%d items provisioned, %d charges: want %d and %d", len(c.provision), len(c.charge), 2*total, total)
	}
	for id, n := range c.provision {
		if n != 1 {
			t.Errorf("item %s sent to the OSS %d times", id, n)
		}
	}
	for key, n := range c.charge {
		if n != 1 {
			t.Errorf("charge %s asked %d times", key, n)
		}
	}
	for what, q := range map[string]string{
		"orders without exactly one approved payment": `SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM payments p
			WHERE p.order_id = o.id AND p.status = 'APPROVED') <> 1`,
		"orders charged other than once": `SELECT COUNT(*) FROM (SELECT order_id FROM demo_gateway_charges
			GROUP BY order_id HAVING COUNT(*) <> 1) x`,
		"orders whose history is not NW, OP, PR, CP once each": `SELECT COUNT(*) FROM orders o
			WHERE (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id) <> 4`,
		"items the OSS has not done": `SELECT COUNT(*) FROM provisioning_items i WHERE NOT EXISTS
			(SELECT 1 FROM oss_sim_items s WHERE s.item_id = CAST(i.id AS TEXT))`,
		"jobs left": `SELECT COUNT(*) FROM jobs`,
	} {
		if n := r.count(q); n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
}

// stuck describes unfinished orders and their jobs.
func (r *rig) stuck() string {
	var b strings.Builder
	rows, err := r.st.DB().QueryContext(context.Background(), `SELECT o.of_status, COALESCE(j.state, '-'),
		COALESCE(j.last_error, ''), COUNT(*) FROM orders o LEFT JOIN jobs j ON j.order_id = o.id WHERE o.of_status <> 'CP'
		GROUP BY o.of_status, j.state, j.last_error ORDER BY COUNT(*) DESC LIMIT 20`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	for rows.Next() {
		var flow, state, last string
		var n int
		if err := rows.Scan(&flow, &state, &last, &n); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "\n%d orders in %s, job %s %q", n, flow, state, last)
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
