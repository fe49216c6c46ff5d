package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit (SQLite). A durable commit costs an fsync; one writer committing each order alone is
// bounded by the disk's fsync rate. InBatchTx hands its work to a single committer goroutine,
// which runs every piece of work waiting at that moment in ONE transaction — each inside its own
// savepoint, so one piece failing rolls back only itself — and commits once. Each caller returns
// only after that commit: acknowledged still means durable.

// maxBatch bounds the work in one transaction (its latency and its lock time).
const maxBatch = 256

type batchWork struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

type committer struct {
	once  sync.Once
	ch    chan *batchWork
	stats struct {
		batches, pieces, retried, shed atomic.Int64
		runNanos, commitNanos          atomic.Int64
	}
}

// BatchStats are group commit's counters since the store opened.
type BatchStats struct {
	Batches, Pieces int64   // transactions committed, pieces of work in them
	Retried         int64   // batches run again with savepoints because a piece failed
	Shed            int64   // pieces refused with ErrBusy
	RunSeconds      float64 // time spent running the pieces
	CommitSeconds   float64 // time spent committing (the WAL write and fsync)
}

// BatchStats returns group commit's counters (zero on PostgreSQL, which does not use it).
func (s *Store) BatchStats() BatchStats {
	st := &s.batch.stats
	return BatchStats{Batches: st.batches.Load(), Pieces: st.pieces.Load(), Retried: st.retried.Load(), Shed: st.shed.Load(),
		RunSeconds: float64(st.runNanos.Load()) / 1e9, CommitSeconds: float64(st.commitNanos.Load()) / 1e9}
}

// ErrBusy is returned instead of queueing work that may be refused (Sheddable) when group
// commit already has more queued than it commits in a few batches: the caller is asked to come
// back (503 + Retry-After) rather than wait without bound, so the latency of what is accepted
// stays bounded past saturation.
var ErrBusy = errors.New("busy: too much work queued; retry shortly")

type sheddableKey struct{}

// Sheddable marks ctx's work as refusable with ErrBusy when group commit is saturated (new
// orders from the API; never the processing of orders already accepted).
func Sheddable(ctx context.Context) context.Context {
	return context.WithValue(ctx, sheddableKey{}, true)
}

// WithMaxQueue sets how many pieces of work may wait for group commit before sheddable work is
// refused (default 512; 0: never refuse).
func WithMaxQueue(n int) Option { return func(s *Store) { s.maxQueue = n } }

// InBatchTx runs fn in a transaction shared with other concurrent callers (see above). fn must
// only use tx (no other transaction) and should be short: others wait for it.
func (s *Store) InBatchTx(ctx context.Context, fn func(tx *Tx) error) error {
	if s.postgres {
		// PostgreSQL commits concurrent transactions in parallel and groups their WAL flushes
		// itself; one big transaction would only hold more row locks for longer, and one
		// deadlock would abort the whole batch.
		return s.InTx(ctx, fn)
	}
	s.startBatch()
	if s.maxQueue > 0 && len(s.batch.ch) >= s.maxQueue && ctx.Value(sheddableKey{}) != nil {
		s.batch.stats.shed.Add(1)
		return ErrBusy
	}
	w := &batchWork{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.batch.ch <- w:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the outcome must be awaited: returning early would leave the caller unsure
	// whether its work committed.
	return <-w.done
}

// startBatch makes the group commit's queue and starts its committer, once.
func (s *Store) startBatch() {
	s.batch.once.Do(func() {
		s.batch.ch = make(chan *batchWork, max(4*maxBatch, s.maxQueue))
		go s.commitLoop()
	})
}

func (s *Store) commitLoop() {
	for w := range s.batch.ch {
		batch := []*batchWork{w}
	drain:
		for len(batch) < maxBatch {
			select {
			case w := <-s.batch.ch:
				batch = append(batch, w)
			default:
				break drain
			}
		}
		s.runBatch(batch)
	}
}

func (s *Store) runBatch(batch []*batchWork) {
	results := make([]error, len(batch))
	// First without savepoints: a savepoint per piece costs three statements and a copy of
	// every page the piece touches, and pieces rarely fail. If one does, the whole transaction
	// rolls back and the batch runs again with a savepoint around each piece.
	stats := &s.batch.stats
	run := func(savepoints bool) error {
		return s.InTx(context.Background(), func(tx *Tx) error {
			start := time.Now()
			err := runPieces(tx, batch, results, savepoints)
			stats.runNanos.Add(int64(time.Since(start)))
			tx.committing = time.Now()
			return err
		})
	}
	err := run(false)
	if errors.Is(err, errPieceFailed) {
		stats.retried.Add(1)
		clear(results)
		err = run(true)
	}
	if err == nil {
		stats.batches.Add(1)
		stats.pieces.Add(int64(len(batch)))
	}
	for i, w := range batch {
		switch {
		case len(batch) == 1:
			w.done <- err
		case err != nil:
			w.done <- err // the commit failed: nothing of the batch is durable
		default:
			w.done <- results[i]
		}
	}
}

// errPieceFailed stops a batch run without savepoints at the first piece that fails.
var errPieceFailed = errors.New("a piece of the batch failed")

func runPieces(tx *Tx, batch []*batchWork, results []error, savepoints bool) error {
	ctx := context.Background()
	for i, w := range batch {
		if err := w.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if len(batch) == 1 {
			return safely(w.fn, tx)
		}
		if !savepoints {
			if results[i] = safely(w.fn, tx); results[i] != nil {
				return errPieceFailed
			}
			continue
		}
		if _, err := tx.Tx.ExecContext(ctx, "SAVEPOINT batch_item"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		mark := tx.markIDs()
		if results[i] = safely(w.fn, tx); results[i] != nil {
			if _, err := tx.Tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT batch_item"); err != nil {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
			tx.resetIDs(mark)
		}
		if _, err := tx.Tx.ExecContext(ctx, "RELEASE SAVEPOINT batch_item"); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	return nil
}

// safely runs one piece of batched work, turning a panic into its error: the committer goroutine
// serves every request, and one bad piece of work must not take the process down.
func safely(fn func(tx *Tx) error, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in a batched transaction: %v", v)
		}
	}()
	return fn(tx)
}

// Books is the database as the in-process stand-ins for external systems (the demo payment
// gateway, the OSS simulator) use it: reads from the read pool, and each write a piece of group
// commit — durable when it returns, without an fsync of its own.
func (s *Store) Books() *Books { return &Books{s: s} }

// Books: see Store.Books.
type Books struct{ s *Store }

// QueryRowContext reads one row.
func (b *Books) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return b.s.rdb.QueryRowContext(ctx, query, args...)
}

// ExecContext runs one write and returns once it is committed: on SQLite a piece of group
// commit, on PostgreSQL a statement of its own (its implicit transaction spares a BEGIN and a
// COMMIT, and PostgreSQL groups concurrent commits' WAL flushes itself).
func (b *Books) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if b.s.postgres {
		return b.s.db.ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := b.s.InBatchTx(ctx, func(tx *Tx) (err error) {
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// QueuedWrites is how many pieces of work wait for group commit now (none on PostgreSQL, which
// has no group commit of ours). It may be asked before the first write: the queue is made
// first (reading it while the first write makes it was a data race).
func (s *Store) QueuedWrites() int {
	if s.postgres {
		return 0
	}
	s.startBatch()
	return len(s.batch.ch)
}
