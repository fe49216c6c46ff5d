package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// idBlocks hands out the ids of the busy sequences (pooledSequence) on PostgreSQL from blocks
// this process reserves ahead, each by a statement of its own that commits at once.
//
// A counter row updated in an order's transaction stays locked until that transaction commits,
// so concurrent orders took their ids one after the other (pgbench, 16 clients: fewer
// transactions than one). A block's counter row is locked only for the statement that reserves
// it. The price: these ids and order numbers skip — ids a rolled-back transaction took, and what
// is left of the blocks when the process stops, are never handed out — and across processes (or
// Stores) they do not follow commit order. SQLite does not use it: its single writer serializes
// transactions anyway, and its counters stay gap-free.
type idBlocks struct {
	// db is a pool of its own: a reservation must not wait for a connection of the main pool,
	// all of which may be held by transactions waiting for that reservation. At most one
	// reservation per sequence is in flight, so it needs no bound.
	db *sql.DB

	mu   sync.Mutex
	seqs map[string]*idBlock
}

// idBlock is what is left of a sequence's current block, and how to reserve the next one.
type idBlock struct {
	next, limit int64         // ids next…limit-1 are free
	size        int64         // of the last reservation
	reserved    time.Time     // when the current block was reserved
	gen         uint64        // dropBlock increments it: a reservation begun before it is not used
	filling     chan struct{} // the reservation in flight, closed when it ends
}

// Block sizes: a block doubles while the last one ran out within a second and halves once one
// lasted a minute, so a busy sequence rarely reserves and a quiet one loses few ids at a stop.
const (
	minIDBlock = 32
	maxIDBlock = 256
)

// pooledSequence reports whether ids of a sequence come from idBlocks on PostgreSQL: the ids an
// order and its processing take. The rest keep their gap-free counter in the transaction:
// document numbers must not skip (invoices are numbered without gaps by law in many countries),
// and accounts, tokens, the catalog and the like are written too rarely to matter.
func pooledSequence(name string) bool {
	switch name {
	case "orders", "provisioning_items", "order_events", "jobs", "notifications", "payments", "documents",
		"subscriptions", "usage_records", "schedule_events":
		return true
	}
	return strings.HasPrefix(name, "order_number_")
}

// newIDBlocks opens the reservations' pool on the PostgreSQL database at dsn. Its commits do not
// wait for the WAL flush: a transaction that uses an id of a block commits after the block's
// reservation, and its own flush writes the reservation too; a reservation lost in a crash had
// no id in use.
func newIDBlocks(dsn string) (*idBlocks, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["synchronous_commit"] = "off"
	db := stdlib.OpenDB(*cfg)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	return &idBlocks{db: db, seqs: map[string]*idBlock{}}, nil
}

func (b *idBlocks) close() {
	if b != nil {
		b.db.Close()
	}
}

// next hands out the next id of the sequence, reserving a block when the current one is used up
// (one reservation per sequence at a time; the others wait for it).
func (b *idBlocks) next(ctx context.Context, name string) (int64, error) {
	b.mu.Lock()
	q := b.seqs[name]
	if q == nil {
		q = &idBlock{}
		b.seqs[name] = q
	}
	for {
		if q.next < q.limit {
			id := q.next
			q.next++
			b.mu.Unlock()
			return id, nil
		}
		if wait := q.filling; wait != nil {
			b.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return 0, fmt.Errorf("next id %s: %w", name, ctx.Err())
			}
			b.mu.Lock()
			continue
		}
		q.filling = make(chan struct{})
		gen, size := q.gen, q.nextSize()
		b.mu.Unlock()
		first, err := b.reserve(ctx, name, size)
		b.mu.Lock()
		close(q.filling)
		q.filling = nil
		if err != nil {
			b.mu.Unlock()
			return 0, err
		}
		if q.gen == gen {
			q.next, q.limit, q.size, q.reserved = first, first+size, size, time.Now()
		}
		// Otherwise the sequence was bumped meanwhile and the block may hold ids at or below
		// the bump: it is left unused, and the loop reserves another.
	}
}

// nextSize is the size of the next block (reading the monotonic clock: it only paces blocks).
func (q *idBlock) nextSize() int64 {
	switch {
	case q.size == 0:
		return minIDBlock
	case time.Since(q.reserved) < time.Second:
		return min(q.size*2, maxIDBlock)
	case time.Since(q.reserved) > time.Minute:
		return max(q.size/2, minIDBlock)
	}
	return q.size
}

// reserve takes size ids from the counter row in a statement of its own, committed at once, and
// returns the first.
func (b *idBlocks) reserve(ctx context.Context, name string, size int64) (int64, error) {
	var first int64
	err := b.db.QueryRowContext(ctx,
		`UPDATE id_sequences SET next_value = next_value + $2 WHERE name = $1 RETURNING next_value - $2`,
		name, size).Scan(&first)
	if err != nil {
		return 0, fmt.Errorf("reserve ids %s: %w", name, err)
	}
	return first, nil
}

// dropBlock leaves the rest of a sequence's block unused, and any block being reserved now: its
// counter was moved past ids inserted explicitly (bumpSequence), which the block may hold.
func (b *idBlocks) dropBlock(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if q := b.seqs[name]; q != nil {
		q.gen++
		q.next = q.limit
	}
}
