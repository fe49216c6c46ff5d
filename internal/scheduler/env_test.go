package scheduler_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/app"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/scheduler"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/subscription"
	"github.com/openbss/openbss/internal/worker"
)

// epoch is where the tests' clock starts: inside the current billing period of every demo
// subscription (a63078fb "Cloud VPSes" bills 2019-03-20 … 2019-04-20).
var epoch = time.Date(2019, 3, 22, 10, 0, 0, 0, time.UTC)

// env is one demo database with a frozen test clock, the use cases, an order processor run
// synchronously (drain) and a scheduler.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	clock *clock.Test
	svc   *app.Service
	proc  *worker.Processor
	sched *scheduler.Scheduler
	pay   *countingPayment
}

// countingPayment is the demo gateway, counting the refunds it is asked for.
type countingPayment struct {
	*gateway.DemoPayment
	mu      sync.Mutex
	refunds []gateway.Refund
}

func (c *countingPayment) Refund(ctx context.Context, r gateway.Refund) (gateway.RefundResult, error) {
	c.mu.Lock()
	c.refunds = append(c.refunds, r)
	c.mu.Unlock()
	return c.DemoPayment.Refund(ctx, r)
}

func (c *countingPayment) refundCalls() []gateway.Refund {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]gateway.Refund(nil), c.refunds...)
}

func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) { fn(t, newEnv(t, dsn, scheduler.Config{})) })
}

func newEnv(t *testing.T, dsn string, cfg scheduler.Config) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFrozen(epoch)
	st, err := store.Open(ctx, dsn, store.WithClock(clk.Now))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := demo.Load(ctx, st); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{t: t, ctx: ctx, st: st, clock: clk, svc: app.New(st)}
	e.pay = &countingPayment{DemoPayment: &gateway.DemoPayment{DB: st.DB(), Now: st.Now}}
	e.proc = worker.New(st, e.pay, gateway.NewSimulator(st.DB(), gateway.SimulatorConfig{}), worker.Config{}, log)
	cfg.Drain = e.drain
	e.sched = scheduler.New(st, e.svc, clk, cfg, log)
	return e
}

// drain processes every due order job now, as the workers would.
func (e *env) drain(ctx context.Context) error {
	for range 1000 {
		jobs, err := e.st.ClaimJobs(ctx, "test", 16, time.Minute)
		if err != nil || len(jobs) == 0 {
			return err
		}
		for _, j := range jobs {
			if err := e.proc.ProcessOrder(ctx, j.OrderID, j.Attempts); err != nil {
				return err
			}
			if err := e.st.FinishJob(ctx, j.ID); err != nil {
				return err
			}
		}
	}
	return errors.New("drain: jobs keep coming")
}

func (e *env) provider() account.Principal {
	e.t.Helper()
	p, err := e.st.Provider(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return account.Principal{Account: p, Scopes: account.AllScopes}
}

// place places an order as the provider and processes it as far as it goes.
func (e *env) place(req *order.Request) *order.Order {
	e.t.Helper()
	placed, err := e.svc.PlaceOrder(e.ctx, e.provider(), req, "", "")
	if err != nil {
		e.t.Fatalf("place %s: %v", req.Type, err)
	}
	e.mustDrain()
	return e.order(placed.OrderID)
}

// push pushes an order (NW → OP for a refund) and processes it.
func (e *env) push(o *order.Order, to order.FlowStatus) *order.Order {
	e.t.Helper()
	if err := e.st.InTx(e.ctx, func(tx *store.Tx) error {
		if _, err := store.PushOrder(e.ctx, tx, o.ID, to, "test"); err != nil {
			return err
		}
		return store.Enqueue(e.ctx, tx, store.JobProcessOrder, o.ID, 0)
	}); err != nil {
		e.t.Fatalf("push %s to %s: %v", o.Number, to, err)
	}
	e.mustDrain()
	return e.order(o.APSID)
}

func (e *env) mustDrain() {
	e.t.Helper()
	if err := e.drain(e.ctx); err != nil {
		e.t.Fatalf("process orders: %v", err)
	}
}

func (e *env) order(apsID string) *order.Order {
	e.t.Helper()
	o, err := e.st.Order(e.ctx, apsID)
	if err != nil {
		e.t.Fatalf("order %s: %v", apsID, err)
	}
	return o
}

func (e *env) sub(apsID string) *subscription.Subscription {
	e.t.Helper()
	s, err := e.st.Subscription(e.ctx, apsID)
	if err != nil {
		e.t.Fatalf("subscription %s: %v", apsID, err)
	}
	return s
}

func (e *env) advanceTo(t time.Time) scheduler.Advanced {
	e.t.Helper()
	res, err := e.sched.Advance(e.ctx, t)
	if err != nil {
		e.t.Fatalf("advance to %s: %v", t, err)
	}
	return res
}

// enableAutoRenewal turns auto-renewal on for a demo plan (renewing days before expiration)
// and for a subscription of it, as a provider would configure them.
func (e *env) enableAutoRenewal(planAPSID, subAPSID string, days int) {
	e.t.Helper()
	if _, err := e.st.DB().ExecContext(e.ctx, `UPDATE plans SET autorenew_type = 'ENABLED', autorenew_days = $2
		WHERE aps_id = $1`, planAPSID, days); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.st.DB().ExecContext(e.ctx, `UPDATE subscriptions SET autorenew_type = 'ENABLED',
		autorenew_enabled = TRUE WHERE aps_id = $1`, subAPSID); err != nil {
		e.t.Fatal(err)
	}
}

// account returns a demo account by APS id.
func (e *env) account(apsID string) account.Account {
	e.t.Helper()
	a, err := e.st.Account(e.ctx, apsID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// documents returns an account's documents, oldest first.
func (e *env) documents(apsID string) []*ledger.Document {
	e.t.Helper()
	docs, err := e.st.AccountDocuments(e.ctx, e.account(apsID).ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return docs
}

// orderDocs returns an order's documents by type.
func (e *env) orderDocs(o *order.Order) map[ledger.Type]*ledger.Document {
	out := map[ledger.Type]*ledger.Document{}
	for _, d := range e.documents(o.BuyerAPSID) {
		if d.OrderID == o.ID {
			out[d.Type] = d
		}
	}
	return out
}

// balance is the store's derived balance of an account in USD.
func (e *env) balance(apsID string) store.AccountBalance {
	e.t.Helper()
	bs, err := e.st.Balances(e.ctx, e.account(apsID))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.CheckBalances(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	for _, b := range bs {
		if b.Currency == "USD" {
			return b
		}
	}
	e.t.Fatalf("no USD balance in %+v", bs)
	return store.AccountBalance{}
}

func d(s string) money.Decimal { return money.MustParse(s) }

func day(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }

type scheduledOutcome = scheduler.Outcome

var (
	periodMonths1 = catalog.Period{Unit: catalog.Months, Duration: 1}
	periodMonths3 = catalog.Period{Unit: catalog.Months, Duration: 3}
)

// saasSale is a sales order of Cloud SaaS (10.00 a month, no setup fee) for the account that
// owns the demo subscriptions.
func saasSale() *order.Request {
	return &order.Request{Type: order.Sales, AccountID: demo.CustomerSubs, AcceptedTerms: []string{"1"},
		Products: []order.Product{{PlanID: demo.PlanSaaS, Period: periodMonths1}}}
}

func numericID(n int64) *order.NumericID {
	id := order.NumericID(n)
	return &id
}

// sumLines adds a document's line amounts and exclusive taxes.
func sumLines(doc *ledger.Document) money.Decimal {
	sum := money.Zero
	for _, l := range doc.Lines {
		sum = sum.Add(l.Amount).Add(l.ExclusiveTax)
	}
	return sum
}

// orderByID reads an order by internal id.
func (e *env) orderByID(id int64) *order.Order {
	e.t.Helper()
	var apsID string
	if err := e.st.DB().QueryRow(`SELECT aps_id FROM orders WHERE id = $1`, id).Scan(&apsID); err != nil {
		e.t.Fatalf("order %d: %v", id, err)
	}
	return e.order(apsID)
}
