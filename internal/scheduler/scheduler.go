// Package scheduler moves subscriptions through time. Driven by a clock, it finds what became
// due — auto-renewals autorenewal.days before expiration; for a subscription nobody renewed,
// grace at expiration, hold (service stopped) when grace ends, termination when hold ends; the
// overuse of a billing period with reported usage when it ends — and does it, earliest first:
// renewals, terminations and billing orders as orders processed like any other, grace and hold
// as status changes. Each event happens once per expiration date, even with
// several processes on one database (idempotency keys, conditional updates, a unique mark).
//
// With the demo test clock, Advance moves time to a target in steps: to each due event in time
// order, handling it and waiting for the orders it placed to be processed before going on
// (Stripe's and Kill Bill's test clocks).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/app"
	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

// Day is a calendar day in UTC.
const Day = 24 * time.Hour

// Config tunes the scheduler.
type Config struct {
	Grace time.Duration // how long an expired subscription keeps its service (default 7 days)
	Hold  time.Duration // how long it then stays on hold, service stopped, before termination (default 7 days)
	Every time.Duration // how often Run looks for due events (default 1 minute)
	Batch int           // events read per query (default 100)
	// Drain waits until the orders placed so far are processed (Advance calls it after each
	// step). Nil: Advance does not wait.
	Drain func(ctx context.Context) error
}

func (c *Config) defaults() {
	if c.Grace <= 0 {
		c.Grace = 7 * Day
	}
	if c.Hold <= 0 {
		c.Hold = 7 * Day
	}
	if c.Every <= 0 {
		c.Every = time.Minute
	}
	if c.Batch <= 0 {
		c.Batch = 100
	}
}

// Scheduler runs due subscription events.
type Scheduler struct {
	store *store.Store
	app   *app.Service
	clock clock.Clock
	test  *clock.Test // the clock, when it is a test clock Advance may move
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex // one pass at a time in this process
}

// New returns a scheduler over the store, placing orders through svc, reading time from clk.
// When clk is a *clock.Test, Advance may move it.
func New(st *store.Store, svc *app.Service, clk clock.Clock, cfg Config, log *slog.Logger) *Scheduler {
	cfg.defaults()
	s := &Scheduler{store: st, app: svc, clock: clk, cfg: cfg, log: log}
	if tc, ok := clk.(*clock.Test); ok {
		s.test = tc
	}
	return s
}

// Outcome is what the scheduler did about one event.
type Outcome struct {
	Kind           string    `json:"kind"`
	SubscriptionID string    `json:"subscriptionId"`
	Expiration     time.Time `json:"expirationDate"`
	DueAt          time.Time `json:"dueAt"`
	At             time.Time `json:"at"`
	Status         string    `json:"status"` // subscription status after the event
	OrderID        string    `json:"orderId,omitempty"`
	OrderNumber    string    `json:"orderNumber,omitempty"`
	Message        string    `json:"message,omitempty"`
	skipped        bool
}

// Run handles due events every Every until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Every)
	defer t.Stop()
	for {
		if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue handles every event due now, earliest first.
func (s *Scheduler) RunDue(ctx context.Context) ([]Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runDue(ctx)
}

func (s *Scheduler) periods() store.Periods {
	return store.Periods{Grace: s.cfg.Grace, Hold: s.cfg.Hold}
}

// runDue handles due events until none is left: a subscription long expired passes through
// grace, hold and termination in one call, each step at the time it was due. It stops early
// only if a whole batch was skipped (nothing changed: the next pass will see).
func (s *Scheduler) runDue(ctx context.Context) ([]Outcome, error) {
	var out []Outcome
	for {
		evs, err := s.store.DueEvents(ctx, s.clock.Now(), s.periods(), s.cfg.Batch)
		if err != nil || len(evs) == 0 {
			return out, err
		}
		progressed := false
		for _, e := range evs {
			o, err := s.handle(ctx, e)
			if err != nil {
				return out, fmt.Errorf("%s of subscription %s: %w", e.Kind, e.SubscriptionAPSID, err)
			}
			out = append(out, o)
			progressed = progressed || !o.skipped
		}
		if !progressed {
			return out, nil
		}
	}
}

// handle does one event. Every path either moves the subscription's status or marks the event,
// so a handled event is never due again; errors (the database, a 5xx from placing an order)
// leave it due for the next pass.
func (s *Scheduler) handle(ctx context.Context, e store.DueEvent) (Outcome, error) {
	o := Outcome{Kind: e.Kind, SubscriptionID: e.SubscriptionAPSID, Expiration: e.Expiration, DueAt: e.DueAt, At: s.clock.Now()}
	var err error
	switch e.Kind {
	case store.EventRenew:
		err = s.placeFor(ctx, e, &o, &order.Request{Type: order.Renewal, SubscriptionID: e.SubscriptionAPSID})
	case store.EventGrace:
		err = s.move(ctx, e, &o, subscription.StatusActive, subscription.StatusGrace, subscription.ServiceActive,
			"expired and not renewed: grace period until "+e.Expiration.Add(s.cfg.Grace).Format(time.RFC3339))
	case store.EventHold:
		err = s.move(ctx, e, &o, subscription.StatusGrace, subscription.StatusHold, subscription.ServiceStopped,
			"grace period over: service stopped until "+e.Expiration.Add(s.cfg.Grace+s.cfg.Hold).Format(time.RFC3339))
	case store.EventBill:
		err = s.bill(ctx, e, &o)
	case store.EventTerminate:
		err = s.placeFor(ctx, e, &o, &order.Request{Type: order.Cancellation, SubscriptionID: e.SubscriptionAPSID,
			Comment: fmt.Sprintf("Terminated by the scheduler: expired on %s and not renewed through grace and hold",
				e.Expiration.Format("2006-01-02"))})
	default:
		err = fmt.Errorf("unknown event kind %q", e.Kind)
	}
	if err == nil {
		if sub, serr := s.store.Subscription(ctx, e.SubscriptionAPSID); serr == nil {
			o.Status = sub.Status
		}
		s.log.Info("scheduler event", "kind", o.Kind, "subscription", o.SubscriptionID, "due", o.DueAt,
			"order", o.OrderNumber, "message", o.Message)
	}
	return o, err
}

// move is a grace or hold step: the status change and its mark in one transaction.
func (s *Scheduler) move(ctx context.Context, e store.DueEvent, o *Outcome, from, to, service, msg string) error {
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		moved, err := store.MoveSubscription(ctx, tx, e, from, to, service)
		if err != nil || !moved {
			o.Message, o.skipped = "skipped: the subscription changed meanwhile", true
			return err
		}
		o.Message = msg
		_, err = store.MarkEvent(ctx, tx, e, 0, msg)
		return err
	})
}

// placeFor places the order an event calls for, as the provider, under an idempotency key of
// the event: placing it again (another process, a retry after a crash) answers the same order.
// A refusal (4xx: the account may not order, an order of the type is pending, …) is recorded
// as the event's outcome and not retried.
func (s *Scheduler) placeFor(ctx context.Context, e store.DueEvent, o *Outcome, req *order.Request) error {
	caller, err := s.system(ctx)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("openbss-scheduler/%s/%s/%d", e.Kind, e.SubscriptionAPSID, e.Expiration.UnixMicro())
	placed, err := s.app.PlaceOrder(ctx, caller, req, key, "scheduler:"+e.Kind)
	var orderID int64
	if p, ok := problem.As(err); ok && p.Status < 500 {
		o.Message = "not placed: " + p.Message
	} else if err != nil {
		return err
	} else {
		ord, err := s.store.Order(ctx, placed.OrderID)
		if err != nil {
			return err
		}
		orderID, o.OrderID, o.OrderNumber = ord.ID, ord.APSID, ord.Number
		o.Message = ord.Number + " placed"
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := store.MarkEvent(ctx, tx, e, orderID, o.Message)
		return err
	})
}

// system is the principal the scheduler acts as: the provider, with every scope.
func (s *Scheduler) system(ctx context.Context) (account.Principal, error) {
	p, err := s.store.Provider(ctx)
	if err != nil {
		return account.Principal{}, fmt.Errorf("scheduler: provider account: %w", err)
	}
	return account.Principal{Account: p, Scopes: account.AllScopes}, nil
}

// ErrNoTestClock is returned by Advance when the scheduler runs on a real clock.
var ErrNoTestClock = errors.New("scheduler: no test clock (demo mode only)")

// Advanced is what an Advance did.
type Advanced struct {
	From   time.Time `json:"from"`
	Now    time.Time `json:"now"`
	Events []Outcome `json:"events"`
}

// maxSteps bounds one Advance: each step handles at least one event, so this is only hit by a
// bug that leaves an event due after handling it.
const maxSteps = 100_000

// Advance moves the test clock to `to`: to the due time of each pending event in turn, earliest
// first, handling what is due there and draining order processing before going on; then to
// `to` itself. The clock's offset is persisted, so a restarted demo resumes at the same time.
func (s *Scheduler) Advance(ctx context.Context, to time.Time) (Advanced, error) {
	if s.test == nil {
		return Advanced{}, ErrNoTestClock
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := Advanced{From: s.test.Now(), Events: []Outcome{}}
	if to.Before(res.From) {
		return res, fmt.Errorf("%w: %s is before the test clock's %s", clock.ErrBackwards,
			to.UTC().Format(time.RFC3339), res.From.Format(time.RFC3339))
	}
	for step := 0; ; step++ {
		if step == maxSteps {
			return res, fmt.Errorf("scheduler: advance stopped after %d steps", maxSteps)
		}
		next, err := s.store.DueEvents(ctx, to, s.periods(), 1)
		if err != nil {
			return res, err
		}
		if len(next) == 0 {
			break
		}
		if err := s.moveTo(ctx, next[0].DueAt); err != nil {
			return res, err
		}
		outs, err := s.step(ctx)
		res.Events = append(res.Events, outs...)
		if err != nil {
			return res, err
		}
	}
	if err := s.moveTo(ctx, to); err != nil {
		return res, err
	}
	outs, err := s.step(ctx)
	res.Events = append(res.Events, outs...)
	res.Now = s.test.Now()
	return res, err
}

// step handles what is due now and lets the orders it placed be processed.
func (s *Scheduler) step(ctx context.Context) ([]Outcome, error) {
	outs, err := s.runDue(ctx)
	if err != nil {
		return outs, err
	}
	if s.cfg.Drain == nil || len(outs) == 0 {
		return outs, nil
	}
	if err := s.cfg.Drain(ctx); err != nil {
		return outs, fmt.Errorf("scheduler: waiting for order processing: %w", err)
	}
	// The orders placed are processed: report where their subscriptions stand now.
	for i := range outs {
		if sub, err := s.store.Subscription(ctx, outs[i].SubscriptionID); err == nil {
			outs[i].Status = sub.Status
		}
	}
	return outs, nil
}

// moveTo sets the test clock to t unless it is already there or later, and persists it.
func (s *Scheduler) moveTo(ctx context.Context, t time.Time) error {
	if !t.After(s.test.Now()) {
		return nil
	}
	if err := s.test.Set(t); err != nil {
		return err
	}
	if s.test.Frozen() {
		return nil
	}
	return s.store.SaveTestClockOffset(ctx, s.test.Offset())
}

// Now is the scheduler's time.
func (s *Scheduler) Now() time.Time { return s.clock.Now() }

// TestClock reports whether the scheduler runs on a test clock Advance may move.
func (s *Scheduler) TestClock() bool { return s.test != nil }

// WaitForJobs returns a Drain that wakes the order processor and waits, up to timeout, until
// no order job is due at the clock's time (placed orders processed as far as they go now;
// jobs waiting on a retry backoff do not count).
func WaitForJobs(st *store.Store, clk clock.Clock, wake func(), timeout time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		deadline := time.Now().Add(timeout)
		for {
			n, err := st.JobsDue(ctx, clk.Now())
			if err != nil || n == 0 {
				return err
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%d order jobs still due after %s", n, timeout)
			}
			if wake != nil {
				wake()
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}
