package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	once sync.Once
	ch   chan *batchWork
}

// InBatchTx runs fn in a transaction shared with other concurrent callers (see above). fn must
// only use tx (no other transaction) and should be short: others wait for it.
func (s *Store) InBatchTx(ctx context.Context, fn func(tx *Tx) error) error {
	if s.postgres {
		// PostgreSQL commits concurrent transactions in parallel and groups their WAL flushes
		// itself; one big transaction would only hold more row locks for longer, and one
		// deadlock would abort the whole batch.
		return s.InTx(ctx, fn)
	}
	s.batch.once.Do(func() {
		s.batch.ch = make(chan *batchWork, 4*maxBatch)
		go s.commitLoop()
	})
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
	err := s.InTx(context.Background(), func(tx *Tx) error { return runPieces(tx, batch, results, false) })
	if errors.Is(err, errPieceFailed) {
		clear(results)
		err = s.InTx(context.Background(), func(tx *Tx) error { return runPieces(tx, batch, results, true) })
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
