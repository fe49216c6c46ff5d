package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// TestConcurrentMigrate runs the start-up migration of several processes on one new database at
// the same moment, as a scaled-out deployment does when it starts: all must succeed.
func TestConcurrentMigrate(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const n = 8
		stores := make([]*store.Store, n)
		for i := range stores {
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			stores[i] = s
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.Migrate(ctx)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("migration %d of %d concurrent ones: %v", i+1, n, err)
			}
		}
		storetest.LoadDemo(t, stores[0])
	})
}
