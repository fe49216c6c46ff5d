package store

import (
	"context"
	"database/sql"
	"time"
)

// Job is a claimed unit of background work.
type Job struct {
	ID          int64
	Kind        string
	OrderID     int64
	ItemID      int64
	Attempts    int // including this one
	MaxAttempts int
}

// ClaimJobs leases up to n due jobs to worker until now+lease. Several processes may claim at
// once: PostgreSQL skips rows another transaction holds (FOR UPDATE SKIP LOCKED), in a
// transaction of its own; on SQLite a claim is a piece of group commit (a transaction of its own
// would be one more fsync on the single writer, waiting its turn beside the committer), and the
// pieces of one batch run one after the other, each seeing the leases the ones before it took.
// A job whose lease ran out (its worker died) is due again: at-least-once. No job is returned
// unless its lease committed.
func (s *Store) ClaimJobs(ctx context.Context, worker string, n int, lease time.Duration) ([]Job, error) {
	var jobs []Job
	claim := func(tx *Tx) error {
		// A batch in which another piece failed runs every piece again: forget the first run.
		// The statement runs to its end once started (on SQLite, interrupting a write rolls
		// back the whole transaction: the batch's other pieces with it).
		jobs = jobs[:0]
		ctx := context.WithoutCancel(ctx)
		skip := ""
		if tx.postgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		now := Micros(tx.Now)
		rows, err := tx.QueryContext(ctx, `UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1,
			updated_at = $3 WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $3
			AND locked_until <= $3 ORDER BY run_at, id LIMIT $4`+skip+`)
			RETURNING id, kind, COALESCE(order_id, 0), COALESCE(item_id, 0), attempts, max_attempts`,
			worker, Micros(tx.Now.Add(lease)), now, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j Job
			if err := rows.Scan(&j.ID, &j.Kind, &j.OrderID, &j.ItemID, &j.Attempts, &j.MaxAttempts); err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	}
	var err error
	if s.postgres {
		err = s.InTx(ctx, claim)
	} else {
		err = s.InBatchTx(ctx, claim)
	}
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// RenewLeases extends the leases of the jobs worker holds to now+lease: a live worker keeps its
// jobs however long they run, and the jobs of a dead one come due when their lease runs out.
func (s *Store) RenewLeases(ctx context.Context, worker string, lease time.Duration) error {
	return s.InBatchTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET locked_until = $2 WHERE locked_by = $1 AND state = 'pending'`,
			worker, Micros(tx.Now.Add(lease)))
		return err
	})
}

// FinishJob removes a done job.
func (s *Store) FinishJob(ctx context.Context, id int64) error {
	return s.InBatchTx(ctx, func(tx *Tx) error { return EndJob(ctx, tx, id) })
}

// EndJob removes a done job in tx: in the transaction of the step that finished its work, the
// job ends in the same commit as that step, without one of its own.
func EndJob(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = $1`, id)
	return err
}

// RetryJob releases a job to run again at runAt, recording why it failed.
func (s *Store) RetryJob(ctx context.Context, id int64, runAt time.Time, reason string) error {
	return s.InBatchTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET run_at = $2, locked_by = '', locked_until = 0, last_error = $3,
			updated_at = $4 WHERE id = $1`, id, Micros(runAt), reason, Micros(tx.Now))
		return err
	})
}

// KillJob parks a job that used up its attempts: it stays visible with its last error.
func (s *Store) KillJob(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = 'dead', locked_by = '', last_error = $2, updated_at = $3
		WHERE id = $1`, id, reason, Micros(s.Now()))
	return err
}

// JobCounts reports pending and dead jobs (metrics, tests).
func (s *Store) JobCounts(ctx context.Context) (pending, dead int, err error) {
	err = s.rdb.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) FROM jobs`).Scan(&pending, &dead)
	return pending, dead, err
}

// NextJobDue is the run time of the earliest pending job, for a worker's sleep.
func (s *Store) NextJobDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, `SELECT MIN(run_at) FROM jobs WHERE state = 'pending'`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return FromMicros(at.Int64), true, nil
}
