package main

import (
	"context"
	"net/http"
	"strings"
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

// TestConcurrentInit runs init several times at once on one new database: exactly one creates
// the provider and prints a token; the others say nothing changed, and none fails.
func TestConcurrentInit(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		mustRun(t, "migrate", "--db", dsn) // so that the inits race on the provider, not on the schema
		const n = 4
		outs := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var stdout, stderr syncBuffer
				errs[i] = run(context.Background(), []string{"init", "--db", dsn}, noEnv, &stdout, &stderr)
				outs[i] = stdout.String()
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for i := range n {
			switch {
			case errs[i] != nil:
				t.Errorf("init %d: %v", i, errs[i])
			case strings.HasPrefix(lastLine(outs[i]), "obss_"):
				created++
			case !strings.Contains(outs[i], "nothing changed"):
				t.Errorf("init %d printed %q", i, outs[i])
			}
		}
		if created != 1 {
			t.Errorf("%d inits created a provider, want 1", created)
		}
	})
}
