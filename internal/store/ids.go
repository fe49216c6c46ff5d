package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// nextID takes the next internal id of a sequence (accounts 1000001…, subscriptions 1000001…)
// from its counter row in id_sequences.
//
// On PostgreSQL the ids an order and its processing take (pooledSequence) come from blocks the
// process reserved outside the transaction (idBlocks): they may skip, and concurrent orders do
// not wait for each other's commits. Every other counter, and every counter on SQLite, is
// updated in the transaction: gap-free, and its row lock serializes inserts of one kind until
// commit (SQLite's single writer does that anyway).
//
// A transaction that takes many ids of one sequence (a group commit of hundreds of orders)
// reserves them in growing blocks (1, 8, 64, 512) instead of updating the counter row for each,
// and gives back what it did not use before it commits (flushIDs), so numbers stay gap-free.
func nextID(ctx context.Context, tx *Tx, name string) (int64, error) {
	r := tx.ids[name]
	if r == nil && tx.blocks != nil && pooledSequence(name) {
		return tx.blocks.next(ctx, name)
	}
	if r != nil && r.next < r.limit {
		r.next++
		return r.next - 1, nil
	}
	block := int64(1)
	if r != nil && r.block > 0 {
		block = min(r.block*8, 512)
	}
	var first int64
	err := tx.QueryRowContext(ctx,
		`UPDATE id_sequences SET next_value = next_value + $2 WHERE name = $1 RETURNING next_value - $2`,
		name, block).Scan(&first)
	if err != nil {
		return 0, fmt.Errorf("next id %s: %w", name, err)
	}
	if tx.ids == nil {
		tx.ids = map[string]*idRange{}
	}
	tx.ids[name] = &idRange{next: first + 1, limit: first + block, block: block}
	return first, nil
}

// idRange is the part of a sequence a transaction has reserved: ids next…limit-1 are still free.
type idRange struct{ next, limit, block int64 }

// flushIDs gives the unused part of each reserved block back to its counter; the transaction
// still holds the counter rows (the writer lock on SQLite, the row lock on PostgreSQL), so the
// counter is exactly where this transaction left it.
func flushIDs(ctx context.Context, tx *Tx) error {
	for name, r := range tx.ids {
		if r.next == r.limit {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE id_sequences SET next_value = $2 WHERE name = $1`, name, r.next); err != nil {
			return fmt.Errorf("give back ids %s: %w", name, err)
		}
		r.limit = r.next
	}
	return nil
}

// idMark is a copy of a transaction's reservations, to return to when a savepoint rolls back
// (the ids its work took are then free again).
type idMark map[string]idRange

func (tx *Tx) markIDs() idMark {
	m := make(idMark, len(tx.ids))
	for name, r := range tx.ids {
		m[name] = *r
	}
	return m
}

func (tx *Tx) resetIDs(m idMark) {
	for name, r := range tx.ids {
		if old, ok := m[name]; ok {
			// The counter row holds old.limit again if the block was reserved after the
			// mark: the savepoint's rollback undid that UPDATE.
			*r = old
		} else {
			delete(tx.ids, name)
		}
	}
}

// bumpSequence makes sure a sequence will not hand out ids at or below id (after inserting rows
// with explicit ids, as the demo data does).
//
// On PostgreSQL this process's block of a pooled sequence is dropped; blocks other processes
// hold are not, so explicit ids are for loading data before the others start (as the demo does).
func bumpSequence(ctx context.Context, tx *Tx, name string, id int64) error {
	if err := flushIDs(ctx, tx); err != nil {
		return err
	}
	delete(tx.ids, name)
	_, err := tx.ExecContext(ctx,
		`UPDATE id_sequences SET next_value = $2 WHERE name = $1 AND next_value <= $2`, name, id+1)
	if err != nil || tx.blocks == nil || !pooledSequence(name) {
		return err
	}
	tx.blocks.dropBlock(name)
	// The transaction may now hold the counter row until it commits, and a block's reservation
	// would wait for it: its further ids of this sequence come from the row, in the transaction.
	if tx.ids == nil {
		tx.ids = map[string]*idRange{}
	}
	tx.ids[name] = &idRange{}
	return nil
}

// NewAPSID returns a new APS id: a UUIDv7, time-ordered so that inserts stay index-friendly.
func NewAPSID() string { return uuid.Must(uuid.NewV7()).String() }

// validText reports whether s can be a PostgreSQL text value: valid UTF-8 without NUL.
// Lookups by a client-supplied id check it first, so that such an id is simply not found on
// both engines (PostgreSQL would refuse the whole query; SQLite finds nothing).
func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
