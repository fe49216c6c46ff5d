package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// The WAL's pages reach the database file through the checkpointer, not the writer: a commit of
// a few hundred pages (under the writer's own automatic checkpoint) is copied into the file
// within a few of the checkpointer's periods, and the copy keeps every committed row.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	path := storetest.SQLitePath(t)
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(300 * time.Millisecond) // the migrations' pages reach the file
	before := size()
	// ~2 MB in 500 rows: ~500 pages of WAL, a twentieth of the writer's own threshold.
	if _, err := s.DB().ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
		INSERT INTO filler SELECT randomblob(4000) FROM n`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < before+2_000_000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes, %d before the commit: the WAL was not checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM filler`).Scan(&n); err != nil || n != 500 {
		t.Fatalf("rows after the checkpoint: %d, %v", n, err)
	}
}
