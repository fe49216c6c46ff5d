package store

import (
	"context"
	"database/sql"
	"errors"
)

// ErrIdempotencyMismatch is returned when a key is reused with another request body.
var ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")

// Reply is a stored answer to a request.
type Reply struct {
	Status int
	Body   []byte
}

// Idempotent runs fn at most once per (account, key): the first call runs fn in a transaction
// that also records the key and fn's reply; later calls with the same request hash get that
// reply back (replayed = true), and with another hash ErrIdempotencyMismatch. Concurrent calls
// with one key serialize on the key's row: the loser waits for the winner's commit and replays
// it. A reply with a status >= 500 is not stored, so the client may retry. When fn fails, its
// error is returned and nothing is recorded.
func (s *Store) Idempotent(ctx context.Context, accountID int64, key, hash string, fn func(tx *Tx) (Reply, error)) (reply Reply, replayed bool, err error) {
	err = s.InBatchTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, request_hash, status, response, created_at)
			VALUES ($1,$2,$3,0,'',$4) ON CONFLICT DO NOTHING`, accountID, key, hash, Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var storedHash, body string
			if err := tx.QueryRowContext(ctx, `SELECT request_hash, status, response FROM idempotency_keys
				WHERE account_id = $1 AND key = $2`, accountID, key).Scan(&storedHash, &reply.Status, &body); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return errors.New("idempotency key vanished")
				}
				return err
			}
			if storedHash != hash {
				return ErrIdempotencyMismatch
			}
			reply.Body, replayed = []byte(body), true
			return nil
		}
		if reply, err = fn(tx); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, response = $4 WHERE account_id = $1 AND key = $2`,
			accountID, key, reply.Status, string(reply.Body))
		return err
	})
	return reply, replayed, err
}

// IdempotentReply returns the stored reply of a finished request with this key, if any. A key
// whose request is still running is not found here; Idempotent then waits for it.
func (s *Store) IdempotentReply(ctx context.Context, accountID int64, key, hash string) (Reply, bool, error) {
	var reply Reply
	var storedHash, body string
	err := s.rdb.QueryRowContext(ctx, `SELECT request_hash, status, response FROM idempotency_keys
		WHERE account_id = $1 AND key = $2 AND status > 0`, accountID, key).Scan(&storedHash, &reply.Status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return reply, false, nil
	}
	if err != nil {
		return reply, false, err
	}
	if storedHash != hash {
		return reply, false, ErrIdempotencyMismatch
	}
	reply.Body = []byte(body)
	return reply, true, nil
}
