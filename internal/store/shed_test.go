package store_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// Sheddable work is refused with ErrBusy while group commit has more than its limit queued;
// other work waits its turn, and nothing refused was done.
func TestGroupCommitShedsWhenSaturated(t *testing.T) {
	{
		ctx := context.Background()
		s, err := store.Open(ctx, storetest.SQLitePath(t))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		var started sync.WaitGroup
		started.Add(1)
		// Hold the committer in one piece of work while the queue fills.
		go s.InBatchTx(ctx, func(tx *store.Tx) error {
			started.Done()
			<-release
			return nil
		})
		started.Wait()
		var wg sync.WaitGroup
		ran := make(chan int, 600)
		for i := range 520 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = s.InBatchTx(ctx, func(tx *store.Tx) error { ran <- i; return nil })
			}()
		}
		for s.QueuedWrites() < 512 {
			runtime.Gosched() // until the queue holds the limit
		}
		did := false
		err = s.InBatchTx(store.Sheddable(ctx), func(tx *store.Tx) error { did = true; return nil })
		if !errors.Is(err, store.ErrBusy) || did {
			t.Fatalf("sheddable work with a full queue: err = %v, ran = %v", err, did)
		}
		close(release)
		wg.Wait()
		if len(ran) != 520 {
			t.Errorf("%d of 520 waiting pieces ran", len(ran))
		}
		if err := s.InBatchTx(store.Sheddable(ctx), func(tx *store.Tx) error { return nil }); err != nil {
			t.Errorf("sheddable work with an empty queue: %v", err)
		}
		if st := s.BatchStats(); st.Shed != 1 {
			t.Errorf("BatchStats.Shed = %d", st.Shed)
		}
	}
}

// The queue gauge may be read (a /metrics scrape) while the first write starts group commit:
// under -race this failed when the gauge read the queue the first write was making.
func TestQueuedWritesBeforeTheFirstWrite(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if n := s.QueuedWrites(); n < 0 {
					t.Errorf("QueuedWrites = %d", n)
				}
			}
		}()
		err := s.InBatchTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cache_version SET v = v WHERE id = 1`)
			return err
		})
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
	})
}
