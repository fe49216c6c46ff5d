package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/subscription"
)

// CreateSubscription inserts a subscription with its resource amounts.
func CreateSubscription(ctx context.Context, tx *Tx, sub *subscription.Subscription) error {
	var err error
	if sub.ID == 0 {
		if sub.ID, err = nextID(ctx, tx, "subscriptions"); err != nil {
			return err
		}
	} else if err := bumpSequence(ctx, tx, "subscriptions", sub.ID); err != nil {
		return err
	}
	if sub.APSID == "" {
		sub.APSID = NewAPSID()
	}
	sub.CreatedAt, sub.UpdatedAt = tx.Now, tx.Now
	_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions (id, aps_id, account_id, plan_id, name, status,
		service_status, period_unit, period_duration, billing_unit, billing_duration, billing_model, freeze_prices,
		autorenew_type, autorenew_enabled, trial, service_gate, start_date, expiration_date, last_bill_date,
		next_bill_date, oss_id, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$23)`,
		sub.ID, sub.APSID, sub.AccountID, sub.PlanID, sub.Name, sub.Status, sub.ServiceStatus,
		string(sub.Period.Unit), sub.Period.Duration, string(sub.BillingPeriod.Unit), sub.BillingPeriod.Duration,
		sub.BillingModel, sub.FreezePrices, sub.AutoRenewType, sub.AutoRenewEnabled, sub.Trial, sub.ServiceGate,
		Micros(sub.StartDate), Micros(sub.ExpirationDate), optMicros(sub.LastBillDate), optMicros(sub.NextBillDate),
		nullString(sub.OSSID), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("create subscription %s: %w", sub.Name, err)
	}
	for _, r := range sub.Resources {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscription_resources (subscription_id, resource_id, amount)
			VALUES ($1,$2,$3)`, sub.ID, r.ResourceID, r.Amount.MustMicros()); err != nil {
			return fmt.Errorf("subscription %s resource: %w", sub.Name, err)
		}
	}
	return nil
}

func optMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return Micros(*t)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const subscriptionColumns = `s.id, s.aps_id, s.account_id, a.aps_id, s.plan_id, p.aps_id, s.name, s.status,
	s.service_status, s.period_unit, s.period_duration, s.billing_unit, s.billing_duration, s.billing_model,
	s.freeze_prices, s.autorenew_type, s.autorenew_enabled, s.trial, s.service_gate, s.start_date,
	s.expiration_date, s.last_bill_date, s.next_bill_date, COALESCE(s.oss_id, ''), s.created_at, s.updated_at`

const subscriptionFrom = `subscriptions s JOIN accounts a ON a.id = s.account_id JOIN plans p ON p.id = s.plan_id`

func scanSubscription(row interface{ Scan(...any) error }) (*subscription.Subscription, error) {
	s := &subscription.Subscription{}
	var pu, bu string
	var start, exp, created, updated int64
	var last, next sql.NullInt64
	err := row.Scan(&s.ID, &s.APSID, &s.AccountID, &s.AccountAPSID, &s.PlanID, &s.PlanAPSID, &s.Name, &s.Status,
		&s.ServiceStatus, &pu, &s.Period.Duration, &bu, &s.BillingPeriod.Duration, &s.BillingModel,
		&s.FreezePrices, &s.AutoRenewType, &s.AutoRenewEnabled, &s.Trial, &s.ServiceGate, &start,
		&exp, &last, &next, &s.OSSID, &created, &updated)
	if err != nil {
		return nil, err
	}
	s.Period.Unit, s.BillingPeriod.Unit = catalog.Unit(pu), catalog.Unit(bu)
	s.StartDate, s.ExpirationDate = FromMicros(start), FromMicros(exp)
	s.LastBillDate, s.NextBillDate = nullMicros(last), nullMicros(next)
	s.CreatedAt, s.UpdatedAt = FromMicros(created), FromMicros(updated)
	return s, nil
}

// SubscriptionsScopeArgs is the number of arguments the bss-subscriptions collection's scope takes.
const SubscriptionsScopeArgs = 2

// ListSubscriptions lists the subscriptions of accounts in the subtree at scopePath.
func (s *Store) ListSubscriptions(ctx context.Context, scopePath string, q ListQuery) ([]*subscription.Subscription, Page, error) {
	lo, hi := account.SubtreeRange(scopePath)
	var out []*subscription.Subscription
	page, err := s.list(ctx, collection{columns: subscriptionColumns, from: subscriptionFrom,
		scope: "a.path >= $1 AND a.path < $2", args: []any{lo, hi}}, q, func(r *sql.Rows) error {
		sub, err := scanSubscription(r)
		out = append(out, sub)
		return err
	})
	if err != nil {
		return nil, page, err
	}
	return out, page, s.loadSubscriptionResources(ctx, out)
}

// Subscription reads one subscription by APS id with its resources.
func (s *Store) Subscription(ctx context.Context, apsID string) (*subscription.Subscription, error) {
	if !validText(apsID) {
		return nil, ErrNotFound
	}
	sub, err := scanSubscription(s.rdb.QueryRowContext(ctx, "SELECT "+subscriptionColumns+" FROM "+subscriptionFrom+" WHERE s.aps_id = $1", apsID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return sub, s.loadSubscriptionResources(ctx, []*subscription.Subscription{sub})
}

func (s *Store) loadSubscriptionResources(ctx context.Context, subs []*subscription.Subscription) error {
	if len(subs) == 0 {
		return nil
	}
	byID := make(map[int64]*subscription.Subscription, len(subs))
	ids := make([]int64, len(subs))
	for i, sub := range subs {
		byID[sub.ID], ids[i] = sub, sub.ID
	}
	in, args := idList(ids)
	return s.each(ctx, `SELECT sr.subscription_id, sr.resource_id, r.aps_id, sr.amount FROM subscription_resources sr
		JOIN resources r ON r.id = sr.resource_id WHERE sr.subscription_id IN (`+in+`)
		ORDER BY sr.subscription_id, sr.resource_id`, args, func(r *sql.Rows) error {
		var id, amount int64
		var res subscription.Resource
		if err := r.Scan(&id, &res.ResourceID, &res.ResourceAPSID, &amount); err != nil {
			return err
		}
		res.Amount = money.FromMicros(amount)
		byID[id].Resources = append(byID[id].Resources, res)
		return nil
	})
}
