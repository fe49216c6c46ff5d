package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Scheduler events: what becomes due in a subscription's life as time passes.
const (
	EventRenew     = "RENEW"     // autorenewal.days before expiration: place a RENEWAL order
	EventGrace     = "GRACE"     // at expiration, not renewed: status GRACE, service still on
	EventHold      = "HOLD"      // grace over: status HOLD, service stopped
	EventTerminate = "TERMINATE" // hold over: place the termination (a CANCELLATION order)
	EventBill      = "BILL"      // a billing period with usage ended: bill its overuse (a BO order)
)

// DueEvent is an event of one subscription that is due at DueAt.
type DueEvent struct {
	Kind              string
	SubscriptionID    int64
	SubscriptionAPSID string
	AccountID         int64
	Expiration        time.Time // the expiration date the event belongs to (BILL: the billing period's end)
	DueAt             time.Time
}

// Periods are how long an expired subscription stays in grace, then on hold.
type Periods struct {
	Grace time.Duration
	Hold  time.Duration
}

// DueEvents lists the events due at or before at, earliest first (ties: the billing of a
// period that ends, renewals, then expirations; then by subscription). What is due follows from
// each subscription's status and expiration date, its unbilled usage periods, and the events
// already recorded: once an event is handled the subscription has moved on, or a mark excludes
// it.
func (s *Store) DueEvents(ctx context.Context, at time.Time, p Periods, limit int) ([]DueEvent, error) {
	grace, hold := p.Grace.Microseconds(), p.Hold.Microseconds()
	now := Micros(at)
	// Renewals are due at most the largest autorenewal.days before expiration: bounding the
	// expiration date keeps that branch on the (status, expiration_date) index.
	var maxDays int64
	if err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(autorenew_days), 0) FROM plans
		WHERE autorenew_type <> 'DISABLED'`).Scan(&maxDays); err != nil {
		return nil, err
	}
	var out []DueEvent
	err := s.each(ctx, `SELECT kind, id, aps_id, account_id, expiration_date, due FROM (
		SELECT 'RENEW' AS kind, 0 AS rank, s.id, s.aps_id, s.account_id, s.expiration_date,
			s.expiration_date - p.autorenew_days * 86400000000 AS due -- a day is 86400000000 µs
		FROM subscriptions s JOIN plans p ON p.id = s.plan_id
		WHERE s.status IN ('ACTIVE', 'GRACE') AND s.expiration_date <= $7 AND s.autorenew_enabled
			AND p.autorenew_type <> 'DISABLED'
			AND s.expiration_date - p.autorenew_days * 86400000000 <= $1
			AND NOT EXISTS (SELECT 1 FROM schedule_events e WHERE e.subscription_id = s.id AND e.kind = 'RENEW'
				AND e.expiration = s.expiration_date)
		UNION ALL
		SELECT 'GRACE', 1, s.id, s.aps_id, s.account_id, s.expiration_date, s.expiration_date
		FROM subscriptions s WHERE s.status = 'ACTIVE' AND s.expiration_date <= $1
		UNION ALL
		SELECT 'HOLD', 2, s.id, s.aps_id, s.account_id, s.expiration_date, s.expiration_date + $2
		FROM subscriptions s WHERE s.status = 'GRACE' AND s.expiration_date <= $4
		UNION ALL
		SELECT 'TERMINATE', 3, s.id, s.aps_id, s.account_id, s.expiration_date, s.expiration_date + $3
		FROM subscriptions s WHERE s.status = 'HOLD' AND s.expiration_date <= $5
			AND NOT EXISTS (SELECT 1 FROM schedule_events e WHERE e.subscription_id = s.id AND e.kind = 'TERMINATE'
				AND e.expiration = s.expiration_date)
		UNION ALL
		SELECT 'BILL', -1, s.id, s.aps_id, s.account_id, up.period_end, up.period_end
		FROM usage_periods up JOIN subscriptions s ON s.id = up.subscription_id
		WHERE up.billed_at IS NULL AND up.period_end <= $1
		) d ORDER BY due, rank, id LIMIT $6`,
		[]any{now, grace, grace + hold, now - grace, now - grace - hold, limit, now + maxDays*86_400_000_000}, func(r *sql.Rows) error {
			var e DueEvent
			var exp, due int64
			if err := r.Scan(&e.Kind, &e.SubscriptionID, &e.SubscriptionAPSID, &e.AccountID, &exp, &due); err != nil {
				return err
			}
			e.Expiration, e.DueAt = FromMicros(exp), FromMicros(due)
			out = append(out, e)
			return nil
		})
	return out, err
}

// MarkEvent records that the scheduler handled an event (with the order it placed, if any,
// and what came of it). It reports false when the event was already recorded — by another
// scheduler process, or before a crash.
func MarkEvent(ctx context.Context, tx *Tx, e DueEvent, orderID int64, message string) (bool, error) {
	id, err := nextID(ctx, tx, "schedule_events")
	if err != nil {
		return false, err
	}
	var ord any
	if orderID != 0 {
		ord = orderID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO schedule_events (id, subscription_id, kind, expiration, due_at, done_at,
		order_id, message) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`, id, e.SubscriptionID, e.Kind,
		Micros(e.Expiration), Micros(e.DueAt), Micros(tx.Now), ord, message)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MoveSubscription changes a subscription's status and service status for an expiration step,
// only if it still has the status and expiration date the event was computed from (a renewal
// that completed meanwhile wins). It reports whether it moved.
func MoveSubscription(ctx context.Context, tx *Tx, e DueEvent, from, to, service string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = $2, service_status = $3, updated_at = $4
		WHERE id = $1 AND status = $5 AND expiration_date = $6`, e.SubscriptionID, to, service, Micros(tx.Now), from,
		Micros(e.Expiration))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ScheduleEvent is a recorded scheduler action.
type ScheduleEvent struct {
	Kind           string
	SubscriptionID int64
	Expiration     time.Time
	DueAt          time.Time
	DoneAt         time.Time
	OrderID        int64
	Message        string
}

// ScheduleEvents lists what the scheduler did to a subscription, oldest first.
func (s *Store) ScheduleEvents(ctx context.Context, subscriptionID int64) ([]ScheduleEvent, error) {
	var out []ScheduleEvent
	err := s.each(ctx, `SELECT kind, subscription_id, expiration, due_at, done_at, COALESCE(order_id, 0), message
		FROM schedule_events WHERE subscription_id = $1 ORDER BY done_at, id`, []any{subscriptionID}, func(r *sql.Rows) error {
		var e ScheduleEvent
		var exp, due, done int64
		if err := r.Scan(&e.Kind, &e.SubscriptionID, &exp, &due, &done, &e.OrderID, &e.Message); err != nil {
			return err
		}
		e.Expiration, e.DueAt, e.DoneAt = FromMicros(exp), FromMicros(due), FromMicros(done)
		out = append(out, e)
		return nil
	})
	return out, err
}

// JobsDue counts the pending jobs due at or before at, running or not: the scheduler waits for
// them to finish before it moves a test clock on.
func (s *Store) JobsDue(ctx context.Context, at time.Time) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND run_at <= $1`,
		Micros(at)).Scan(&n)
	return n, err
}

// TestClockOffset reads the demo test clock's persisted offset from the wall clock.
func (s *Store) TestClockOffset(ctx context.Context) (time.Duration, bool, error) {
	var us int64
	err := s.db.QueryRowContext(ctx, `SELECT offset_micros FROM test_clock WHERE id = 1`).Scan(&us)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return time.Duration(us) * time.Microsecond, err == nil, err
}

// SaveTestClockOffset persists the demo test clock's offset.
func (s *Store) SaveTestClockOffset(ctx context.Context, d time.Duration) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO test_clock (id, offset_micros, updated_at) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET offset_micros = excluded.offset_micros, updated_at = excluded.updated_at`,
		d.Microseconds(), Micros(time.Now()))
	return err
}
