package gateway

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// SimulatorConfig is how the OSS simulator misbehaves, for tests and demos.
type SimulatorConfig struct {
	Latency  time.Duration // per call
	FailRate float64       // fraction of calls answered with a transient error before any work
	LoseRate float64       // fraction of calls that do the work but lose the answer (transient error)
	Reject   string        // when set, every new item fails permanently with this message
	Async    bool          // answer IN_PROGRESS; Status reports COMPLETED from then on
}

// Simulator is the in-process OSS (the default). It remembers what it did in its own table of
// the openbss database, as a real OSS would in its own, so that after a lost answer or a crash a
// retry of the same item answers ALREADY_EXISTS instead of doing the work twice.
type Simulator struct {
	DB  Books
	Now func() time.Time
	mu  sync.Mutex
	cfg SimulatorConfig
	rnd *rand.Rand
}

// NewSimulator returns a simulator over db.
func NewSimulator(db Books, cfg SimulatorConfig) *Simulator {
	return &Simulator{DB: db, Now: time.Now, cfg: cfg, rnd: rand.New(rand.NewPCG(1, 2))}
}

// Configure changes the simulator's behaviour at run time (an operator "fixes the OSS").
func (s *Simulator) Configure(cfg SimulatorConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = cfg
}

// Config returns the current behaviour.
func (s *Simulator) Config() SimulatorConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

func (s *Simulator) roll(p float64) bool {
	if p <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64() < p
}

// Provision implements OSS.
func (s *Simulator) Provision(ctx context.Context, it Item) (OSSResult, error) {
	cfg := s.Config()
	if cfg.Latency > 0 {
		select {
		case <-time.After(cfg.Latency):
		case <-ctx.Done():
			return OSSResult{}, fmt.Errorf("%w: %v", ErrTransient, ctx.Err())
		}
	}
	if s.roll(cfg.FailRate) {
		return OSSResult{}, fmt.Errorf("%w: simulated OSS outage (503)", ErrTransient)
	}
	prev, err := s.Status(ctx, it.ItemID)
	if err != nil {
		return OSSResult{}, err
	}
	switch prev.Status {
	case OSSCompleted:
		return OSSResult{Status: OSSAlreadyExists, OSSSubscriptionID: prev.OSSSubscriptionID,
			Message: "Subscription already exists"}, nil
	case OSSInProgress:
		return prev, nil
	}
	if cfg.Reject != "" {
		return OSSResult{Status: OSSFailed, Message: cfg.Reject}, nil
	}
	res := OSSResult{Status: OSSCompleted, OSSSubscriptionID: "oss-" + it.SubscriptionID,
		Message: "Operations Automation service is created."}
	if cfg.Async {
		res.Status = OSSInProgress
	}
	done, err := s.DB.ExecContext(ctx, `INSERT INTO oss_sim_items (item_id, action, subscription_id, status,
		oss_subscription_id, message, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (item_id) DO NOTHING`,
		it.ItemID, it.Action, it.SubscriptionID, OSSCompleted, res.OSSSubscriptionID, res.Message,
		s.Now().UnixMicro())
	var n int64
	if err == nil {
		n, err = done.RowsAffected()
	}
	if err != nil {
		return OSSResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	if n == 0 { // a concurrent call with the same item did the work first
		return OSSResult{Status: OSSAlreadyExists, OSSSubscriptionID: res.OSSSubscriptionID,
			Message: "Subscription already exists"}, nil
	}
	if s.roll(cfg.LoseRate) {
		return OSSResult{}, fmt.Errorf("%w: simulated lost answer (the work was done)", ErrTransient)
	}
	return res, nil
}

// Status implements OSS. An item answered IN_PROGRESS (Async) is done by the time it is asked.
func (s *Simulator) Status(ctx context.Context, itemID string) (OSSResult, error) {
	var r OSSResult
	err := s.DB.QueryRowContext(ctx, `SELECT status, oss_subscription_id, message FROM oss_sim_items WHERE item_id = $1`,
		itemID).Scan(&r.Status, &r.OSSSubscriptionID, &r.Message)
	if errors.Is(err, sql.ErrNoRows) {
		return OSSResult{Status: OSSNotFound}, nil
	}
	if err != nil {
		return OSSResult{}, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	return r, nil
}

// Provisioned counts the items the simulator did (tests: exactly once per item).
func (s *Simulator) Provisioned(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM oss_sim_items`).Scan(&n)
	return n, err
}
