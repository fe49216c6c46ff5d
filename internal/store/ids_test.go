package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// Ids of a gap-free counter (every counter on SQLite; document numbers and the rarely written
// ones on PostgreSQL) are reserved in blocks inside a transaction; what a transaction did not use
// goes back, so the next transaction continues exactly where the last id was handed out.
func TestIDBlocksStayGapFree(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var got []int64
		take := func(n int) {
			mustTx(t, s, func(tx *store.Tx) error {
				for range n {
					id, err := store.NextID(ctx, tx, "document_number_INVOICE")
					if err != nil {
						return err
					}
					got = append(got, id)
				}
				return nil
			})
		}
		for _, n := range []int{1, 2, 9, 70, 600, 3, 1} {
			take(n)
		}
		// A transaction that rolls back gives everything back.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for range 20 {
				if _, err := store.NextID(ctx, tx, "document_number_INVOICE"); err != nil {
					return err
				}
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("InTx swallowed the error")
		}
		take(1)
		for i := 1; i < len(got); i++ {
			if got[i] != got[i-1]+1 {
				t.Fatalf("ids %d then %d: not consecutive (all: %v)", got[i-1], got[i], got)
			}
		}
	})
}

// Group commit: pieces that fail roll back alone, and the ids they took of a gap-free counter
// are handed out again, whichever way the batch ran (with or without savepoints).
func TestBatchFailedPiecesFreeTheirIDs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 200
		var mu sync.Mutex
		var kept []int64
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []int64
				errs[i] = s.InBatchTx(ctx, func(tx *store.Tx) error {
					mine = mine[:0]
					for range 1 + i%3 {
						id, err := store.NextID(ctx, tx, "document_number_INVOICE")
						if err != nil {
							return err
						}
						mine = append(mine, id)
					}
					if i%7 == 3 {
						return fmt.Errorf("piece %d fails", i)
					}
					return nil
				})
				if errs[i] == nil {
					mu.Lock()
					kept = append(kept, mine...)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (i%7 == 3) != (err != nil) {
				t.Errorf("piece %d: err = %v", i, err)
			}
		}
		slices.Sort(kept)
		for i := 1; i < len(kept); i++ {
			if kept[i] != kept[i-1]+1 {
				t.Fatalf("committed ids %d then %d: a gap or a duplicate", kept[i-1], kept[i])
			}
		}
		var next int64
		mustTx(t, s, func(tx *store.Tx) error {
			var err error
			next, err = store.NextID(ctx, tx, "document_number_INVOICE")
			return err
		})
		if next != kept[len(kept)-1]+1 {
			t.Errorf("next id after the batch = %d, want %d", next, kept[len(kept)-1]+1)
		}
	})
}
