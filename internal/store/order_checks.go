package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// LockSubscription takes the subscription's row lock for the rest of tx (PostgreSQL; SQLite's
// write transaction is already exclusive), so that checks on its pending orders cannot race.
// It returns the subscription's status.
func LockSubscription(ctx context.Context, tx *Tx, id int64) (string, error) {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM subscriptions WHERE id = $1`+tx.forUpdate(), id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return status, err
}

// PendingOrder returns the number of an unfinished order of one of the types for the
// subscription, or "".
func PendingOrder(ctx context.Context, tx *Tx, subscriptionID int64, types ...string) (string, error) {
	args := []any{subscriptionID}
	for _, t := range types {
		args = append(args, t)
	}
	var number string
	err := tx.QueryRowContext(ctx, `SELECT order_number FROM orders WHERE subscription_id = $1
		AND type IN (`+placeholders(2, len(types))+`) AND of_status NOT IN ('CP', 'CL') AND draft = FALSE
		ORDER BY id LIMIT 1`, args...).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return number, err
}

// ServiceIdentifierTaken reports whether an identifier is in use for a service type: by a live
// subscription, or by a provisioning item of an unfinished order (a pre-active service).
func ServiceIdentifierTaken(ctx context.Context, tx *Tx, serviceType, identifier string) (bool, error) {
	// Two orders for one identifier must not both pass: on PostgreSQL, hold a lock on the
	// (type, identifier) pair until commit, and count in a later statement, whose snapshot sees
	// what the previous holder committed. SQLite's write transaction is exclusive already.
	if tx.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, serviceType, identifier); err != nil {
			return false, err
		}
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM subscriptions s JOIN plans p ON p.id = s.plan_id
		  WHERE p.service_type = $1 AND s.service_identifier = $2 AND s.status <> 'TERMINATED') +
		(SELECT COUNT(*) FROM provisioning_items i JOIN orders o ON o.id = i.order_id
		  WHERE i.service_type = $1 AND i.service_identifier = $2 AND i.action = 'CREATE'
		    AND o.of_status NOT IN ('CP', 'CL'))`, serviceType, identifier).Scan(&n)
	return n > 0, err
}

// CreditCheck returns an account's credit-check status and record ("" and "" when none).
func (s *Store) CreditCheck(ctx context.Context, accountID int64) (status, record string, err error) {
	err = s.rdb.QueryRowContext(ctx, `SELECT status, record FROM credit_checks WHERE account_id = $1`, accountID).Scan(&status, &record)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return status, record, err
}

// SetCreditCheck records an account's credit-check result.
func SetCreditCheck(ctx context.Context, tx *Tx, accountID int64, status, record string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO credit_checks (account_id, status, record, updated_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (account_id) DO UPDATE SET status = excluded.status, record = excluded.record, updated_at = excluded.updated_at`,
		accountID, strings.ToUpper(status), record, Micros(tx.Now))
	return err
}

// ReasonCodeExists reports whether a reason code is configured.
func (s *Store) ReasonCodeExists(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM reason_codes WHERE id = $1`, id).Scan(&n)
	return n > 0, err
}
