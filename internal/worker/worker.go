// Package worker takes placed orders to the end on their own: it claims jobs from the outbox,
// runs the payment and provisioning phases through the gateways, records every outcome, retries
// with exponential backoff, parks orders in a visible problem state when retries run out, and
// reconciles items stuck in progress or failed with what the OSS really did — so an order never
// stays in PF when the OSS did the work (seed 000).
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

// Config tunes the processor.
type Config struct {
	Workers           int           // concurrent job runners (default 4)
	Poll              time.Duration // idle wait between claims (default 50ms)
	Lease             time.Duration // how long a claimed job is ours unless renewed (default 30s; renewed every third)
	BackoffBase       time.Duration // first retry delay (default 1s), doubled per attempt
	BackoffMax        time.Duration // retry delay cap (default 5m)
	ItemAttempts      int           // OSS tries per item before it fails as unreachable (default 8)
	ReconcileEvery    time.Duration // reconciliation period (default 30s; 0 disables)
	ReconcileAfter    time.Duration // an item must be stuck this long to be reconciled (default 1m)
	ReconcileBatch    int           // items one reconciliation pass asks the OSS about (default 200)
	ClaimBatch        int           // jobs claimed per poll (default 16)
	PaymentAttempts   int           // gateway tries per charge before the order is parked PD (default 8)
	DisableProcessing bool
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	set(&c.Poll, 50*time.Millisecond)
	set(&c.Lease, 30*time.Second)
	set(&c.BackoffBase, time.Second)
	set(&c.BackoffMax, 5*time.Minute)
	set(&c.ReconcileAfter, time.Minute)
	if c.ItemAttempts <= 0 {
		c.ItemAttempts = 8
	}
	if c.PaymentAttempts <= 0 {
		c.PaymentAttempts = 8
	}
	if c.ReconcileBatch <= 0 {
		c.ReconcileBatch = 200
	}
	if c.ClaimBatch <= 0 {
		c.ClaimBatch = 16
	}
}

// Processor runs order jobs.
type Processor struct {
	store   *store.Store
	payment gateway.PaymentGateway
	oss     gateway.OSS
	cfg     Config
	log     *slog.Logger
	id      string
	wake    chan struct{}
	// reconciled is the last item id a reconciliation pass looked at; the next goes on after it.
	reconciled atomic.Int64
}

// New returns a processor over the store and gateways.
func New(st *store.Store, pay gateway.PaymentGateway, oss gateway.OSS, cfg Config, log *slog.Logger) *Processor {
	cfg.defaults()
	host, _ := os.Hostname()
	return &Processor{store: st, payment: pay, oss: oss, cfg: cfg, log: log,
		id: fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()), wake: make(chan struct{}, 1)}
}

// tx runs fn in a transaction: through group commit on SQLite, in one of its own on PostgreSQL.
// Group commit runs the steps of many orders in one transaction. On SQLite, the only writer,
// that saves an fsync per step. On PostgreSQL each batch would hold the counter rows (nextID)
// and order rows of all its steps until it commits, taken in no common order, so the batches of
// two processes — or a batch and an API request — deadlock on them.
func (p *Processor) tx(ctx context.Context, fn func(tx *store.Tx) error) error {
	if p.store.Postgres() {
		return p.store.InTx(ctx, fn)
	}
	return p.store.InBatchTx(ctx, fn)
}

// Wake makes idle workers look for jobs now (after an order is placed or pushed).
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes jobs until ctx ends, then waits for the jobs in hand to finish.
func (p *Processor) Run(ctx context.Context) {
	jobs := make(chan store.Job)
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				p.runJob(context.WithoutCancel(ctx), j)
			}
		}()
	}
	if p.cfg.ReconcileEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.reconcileLoop(ctx)
		}()
	}
	// The leases of the jobs in hand are renewed until they are done, so only the jobs of a
	// processor that died run out: after a crash, its jobs are taken over one lease later.
	renewCtx, stopRenewing := context.WithCancel(context.WithoutCancel(ctx))
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		p.renewLeases(renewCtx)
	}()
	p.claimLoop(ctx, jobs)
	close(jobs)
	wg.Wait()
	stopRenewing()
	<-renewed
}

func (p *Processor) renewLeases(ctx context.Context) {
	t := time.NewTicker(p.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := p.store.RenewLeases(ctx, p.id, p.cfg.Lease); err != nil && ctx.Err() == nil {
				p.log.Warn("renew job leases", "err", err)
			}
		}
	}
}

func (p *Processor) claimLoop(ctx context.Context, jobs chan<- store.Job) {
	for ctx.Err() == nil {
		claimed, err := p.store.ClaimJobs(ctx, p.id, p.cfg.ClaimBatch, p.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("claim jobs", "err", err)
		}
		for _, j := range claimed {
			select {
			case jobs <- j:
			case <-ctx.Done():
				// Not started: release it for the next process.
				_ = p.store.RetryJob(context.WithoutCancel(ctx), j.ID, time.Now(), "released at shutdown")
			}
		}
		if len(claimed) == p.cfg.ClaimBatch {
			continue
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-time.After(p.cfg.Poll):
		}
	}
}

// errRetry asks for the job to run again later.
type errRetry struct{ cause error }

func (e errRetry) Error() string { return "retry: " + e.cause.Error() }

func (p *Processor) backoff(attempt int) time.Duration {
	d := time.Duration(float64(p.cfg.BackoffBase) * math.Pow(2, float64(attempt-1)))
	if d > p.cfg.BackoffMax || d <= 0 {
		d = p.cfg.BackoffMax
	}
	return d
}

func (p *Processor) runJob(ctx context.Context, j store.Job) {
	finished, err := p.runKind(ctx, j)
	var retry errRetry
	switch {
	case err == nil && finished: // its last step removed it
	case err == nil:
		err = p.store.FinishJob(ctx, j.ID)
	case errors.As(err, &retry) || j.Attempts < j.MaxAttempts:
		p.log.Info("job retry", "job", j.ID, "kind", j.Kind, "order", j.OrderID, "attempt", j.Attempts, "err", err)
		err = p.store.RetryJob(ctx, j.ID, p.store.Now().Add(p.backoff(j.Attempts)), err.Error())
	default:
		p.log.Error("job dead", "job", j.ID, "kind", j.Kind, "order", j.OrderID, "err", err)
		cause := err
		err = p.store.KillJob(ctx, j.ID, cause.Error())
		if err == nil && j.Kind == store.JobProcessOrder {
			err = p.park(ctx, j.OrderID, fmt.Sprintf("processing stopped after %d attempts: %v", j.Attempts, cause))
		}
	}
	if err != nil {
		p.log.Error("job bookkeeping", "job", j.ID, "err", err)
	}
}

// park puts an order whose job ran out of attempts where people look, with the error: in PF
// when it was provisioning (a resubmit carries on), on hold before that (a push to OP carries
// on). An order waiting, in a problem state or done stays as it is.
func (p *Processor) park(ctx context.Context, orderID int64, msg string) error {
	return p.tx(ctx, func(tx *store.Tx) error {
		o, _, err := store.LockOrder(ctx, tx, orderID)
		if err != nil {
			return err
		}
		to := order.Hold
		switch o.Flow {
		case order.Provisioning:
			to, o.ProvisioningStatus = order.ProvisioningFailed, order.ProvisioningFailedSt
		case order.New, order.Open:
		default:
			return nil
		}
		o.ErrorDetails = msg
		return p.moveFlow(ctx, tx, o, to, msg, nil)
	})
}

func (p *Processor) reconcileLoop(ctx context.Context) {
	t := time.NewTicker(p.cfg.ReconcileEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := p.Reconcile(ctx); err != nil && ctx.Err() == nil {
				p.log.Warn("reconcile", "err", err)
			} else if n > 0 {
				p.log.Info("reconciled items", "count", n)
			}
		}
	}
}

// runKind runs one job by its kind; finished reports that the job's last step removed it. A
// panic (a gateway's bug) fails the job, to be retried and finally parked, instead of taking the
// process and every other order down with it.
func (p *Processor) runKind(ctx context.Context, j store.Job) (finished bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic processing job %d: %v", j.ID, v)
		}
	}()
	switch j.Kind {
	case store.JobProcessOrder:
		r := &run{jobID: j.ID, attempt: j.Attempts}
		err = p.processOrder(ctx, j.OrderID, r)
		return r.finished, err
	}
	return false, fmt.Errorf("unknown job kind %q", j.Kind)
}
