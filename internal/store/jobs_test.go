package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// Concurrent claimers lease every due job exactly once. On SQLite claims are pieces of group
// commit, run beside pieces that fail: a batch with a failed piece runs again with savepoints,
// and a claim in it must answer only the leases that committed.
func TestClaimsLeaseEachJobOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const total, claimers = 600, 8
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			for id := 1; id <= total; id++ {
				if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, kind, run_at, created_at, updated_at)
					VALUES ($1, 'test', 0, 0, 0)`, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var failers sync.WaitGroup
		var failed atomic.Int64
		errFail := errors.New("this piece fails")
		for range 4 {
			failers.Add(1)
			go func() {
				defer failers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := s.InBatchTx(ctx, func(tx *store.Tx) error { return errFail }); errors.Is(err, errFail) {
						failed.Add(1)
					}
				}
			}()
		}
		var mu sync.Mutex
		got := map[int64][]string{} // job → the workers it was handed to
		var wg sync.WaitGroup
		for c := range claimers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				worker := fmt.Sprintf("w%d", c)
				for {
					jobs, err := s.ClaimJobs(ctx, worker, 7, time.Hour)
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					if len(jobs) == 0 {
						return
					}
					mu.Lock()
					for _, j := range jobs {
						got[j.ID] = append(got[j.ID], worker)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(stop)
		failers.Wait()
		if len(got) != total {
			t.Errorf("%d of %d jobs claimed", len(got), total)
		}
		rows, err := s.DB().QueryContext(ctx, `SELECT id, locked_by, attempts FROM jobs`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var by string
			var attempts int
			if err := rows.Scan(&id, &by, &attempts); err != nil {
				t.Fatal(err)
			}
			if w := got[id]; len(w) != 1 || w[0] != by || attempts != 1 {
				t.Errorf("job %d handed to %v, leased by %q after %d attempts: want one worker, the lease's, once",
					id, w, by, attempts)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if st := s.BatchStats(); !s.Postgres() && st.Retried == 0 {
			t.Errorf("no batch ran again (%d pieces failed): the claims never shared a batch with a failure", failed.Load())
		}
	})
}
