package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/subscription"
)

// Usage: measurements of a subscription's resources, each kept in the billing period it was
// measured in; at the period's end the scheduler bills the peak above the limit (overuse) in a
// billing order.

// ErrUsagePeriod is returned for a measurement outside the subscription's running billing
// period, or in a period already billed.
var ErrUsagePeriod = errors.New("usage outside the open billing period")

// RecordUsage records a measurement of one resource of a subscription at `at`, in the billing
// period running then, and returns that period.
func (s *Store) RecordUsage(ctx context.Context, sub *subscription.Subscription, resourceID int64, amount money.Decimal, at time.Time) (start, end time.Time, err error) {
	start, end = pricing.CurrentBillingPeriod(*sub)
	if at.Before(start) || !at.Before(end) {
		return start, end, fmt.Errorf("%w: %s is not in the billing period %s … %s", ErrUsagePeriod,
			at.UTC().Format(time.RFC3339), start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO usage_periods (subscription_id, period_end, period_start)
			VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, sub.ID, Micros(end), Micros(start)); err != nil {
			return err
		}
		var billed sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT billed_at FROM usage_periods WHERE subscription_id = $1 AND period_end = $2`+
			tx.forUpdate(), sub.ID, Micros(end)).Scan(&billed); err != nil {
			return err
		}
		if billed.Valid {
			return fmt.Errorf("%w: the period ending %s is already billed", ErrUsagePeriod, end.Format(time.RFC3339))
		}
		id, err := nextID(ctx, tx, "usage_records")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO usage_records (id, subscription_id, resource_id, amount, measured_at,
			period_end, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`, id, sub.ID, resourceID, amount.MustMicros(),
			Micros(at), Micros(end), Micros(tx.Now))
		return err
	})
	return start, end, err
}

// UsagePeak is a resource's peak in a billing period, against the subscription's limit.
type UsagePeak struct {
	ResourceID    int64
	ResourceAPSID string
	Name          string
	Unit          string
	Peak          money.Decimal
	Limit         money.Decimal // the subscription's amount, else the plan's included units
}

// UsagePeriod reads a subscription's billing period with usage that ends at periodEnd: its
// start, and the peak of each resource measured in it.
func (s *Store) UsagePeriod(ctx context.Context, subID int64, periodEnd time.Time) (time.Time, []UsagePeak, error) {
	var start int64
	err := s.rdb.QueryRowContext(ctx, `SELECT period_start FROM usage_periods WHERE subscription_id = $1 AND period_end = $2`,
		subID, Micros(periodEnd)).Scan(&start)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil, ErrNotFound
	}
	if err != nil {
		return time.Time{}, nil, err
	}
	var out []UsagePeak
	err = s.each(ctx, `SELECT u.resource_id, r.aps_id, r.name, r.unit, MAX(u.amount),
			COALESCE(MAX(sr.amount), MAX(pr.included), 0)
		FROM usage_records u JOIN resources r ON r.id = u.resource_id
		JOIN subscriptions s ON s.id = u.subscription_id
		LEFT JOIN subscription_resources sr ON sr.subscription_id = u.subscription_id AND sr.resource_id = u.resource_id
		LEFT JOIN plan_resource_rates pr ON pr.plan_id = s.plan_id AND pr.resource_id = u.resource_id
		WHERE u.subscription_id = $1 AND u.period_end = $2
		GROUP BY u.resource_id, r.aps_id, r.name, r.unit ORDER BY u.resource_id`, []any{subID, Micros(periodEnd)},
		func(r *sql.Rows) error {
			var p UsagePeak
			var peak, limit int64
			if err := r.Scan(&p.ResourceID, &p.ResourceAPSID, &p.Name, &p.Unit, &peak, &limit); err != nil {
				return err
			}
			p.Peak, p.Limit = money.FromMicros(peak), money.FromMicros(limit)
			out = append(out, p)
			return nil
		})
	return FromMicros(start), out, err
}

// ErrAlreadyBilled is returned by MarkUsageBilled when another process billed the period first.
var ErrAlreadyBilled = errors.New("usage period already billed")

// MarkUsageBilled closes a subscription's billing period for usage, with its billing order
// (0: there was no overuse). It fails with ErrAlreadyBilled if the period was closed already.
func MarkUsageBilled(ctx context.Context, tx *Tx, subID int64, periodEnd time.Time, orderID int64) error {
	var ord any
	if orderID != 0 {
		ord = orderID
	}
	res, err := tx.ExecContext(ctx, `UPDATE usage_periods SET billed_at = $3, order_id = $4
		WHERE subscription_id = $1 AND period_end = $2 AND billed_at IS NULL`, subID, Micros(periodEnd), Micros(tx.Now), ord)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrAlreadyBilled
		}
		return err
	}
	return nil
}
