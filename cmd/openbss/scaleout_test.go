package main

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/storetest"
)

// TestConcurrentStarts starts several processes on one new database at once, as a scaled-out
// deployment restarting does: each runs the migrations at start-up, and all must come up.
func TestConcurrentStarts(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		const n = 3
		var wg sync.WaitGroup
		errs := make(chan error, n)
		stdouts := make([]*syncBuffer, n)
		ctx, cancel := context.WithCancel(context.Background())
		defer func() { cancel(); wg.Wait() }()
		for i := range n {
			stdouts[i] = &syncBuffer{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var stderr syncBuffer
				if err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--no-processing"}, noEnv, stdouts[i], &stderr); err != nil {
					t.Logf("process %d: %v\n%s", i, err, stderr.String())
					errs <- err
				}
			}()
		}
		deadline := time.Now().Add(30 * time.Second)
		for i := range n {
			for {
				if m := listening.FindStringSubmatch(stdouts[i].String()); m != nil {
					res, err := http.Get(m[1] + "/readyz")
					if err != nil || res.StatusCode != http.StatusOK {
						t.Errorf("process %d /readyz: %v", i, err)
					} else {
						res.Body.Close()
					}
					break
				}
				select {
				case err := <-errs:
					t.Fatalf("a process failed to start beside the others: %v", err)
				case <-time.After(10 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatalf("process %d did not start", i)
				}
			}
		}
		// The schema they made is whole: the demo data loads into it.
		storetest.LoadDemo(t, openDB(t, dsn))
		if _, err := openDB(t, dsn).Authenticate(context.Background(), demo.ProviderToken); err != nil {
			t.Error(err)
		}
	})
}
