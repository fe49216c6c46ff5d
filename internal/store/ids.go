package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// nextID takes the next internal id of a sequence (accounts 1000001…, subscriptions 1000001…).
// A counter row rather than a PostgreSQL SEQUENCE keeps one code path and gap-free numbers on
// both engines; its row lock serializes concurrent inserts of one kind until commit, which is
// SQLite's behaviour anyway and acceptable on PostgreSQL at our write rates.
func nextID(ctx context.Context, tx *Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx,
		`UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $1 RETURNING next_value - 1`,
		name).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("next id %s: %w", name, err)
	}
	return id, nil
}

// bumpSequence makes sure a sequence will not hand out ids at or below id (after inserting rows
// with explicit ids, as the demo data does).
func bumpSequence(ctx context.Context, tx *Tx, name string, id int64) error {
	_, err := tx.ExecContext(ctx,
		`UPDATE id_sequences SET next_value = $2 WHERE name = $1 AND next_value <= $2`, name, id+1)
	return err
}

// NewAPSID returns a new APS id: a UUIDv7, time-ordered so that inserts stay index-friendly.
func NewAPSID() string { return uuid.Must(uuid.NewV7()).String() }

// validText reports whether s can be a PostgreSQL text value: valid UTF-8 without NUL.
// Lookups by a client-supplied id check it first, so that such an id is simply not found on
// both engines (PostgreSQL would refuse the whole query; SQLite finds nothing).
func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
