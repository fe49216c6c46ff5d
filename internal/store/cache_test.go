package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// Reads made with the change counters in the context come from memory until a write to the
// tables behind them commits; a request that starts after that write sees it.
func TestCachesFollowWrites(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		var tok string
		var info store.TokenInfo
		mustTx(t, s, func(tx *store.Tx) (err error) {
			tok, info, err = store.CreateToken(ctx, tx, tr.customerA.ID, "t", "", account.AllScopes, nil)
			return err
		})
		request := func() context.Context {
			t.Helper()
			v, err := s.ReadVersions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return store.WithVersions(ctx, v)
		}
		before := request()
		if _, err := s.Authenticate(before, tok); err != nil {
			t.Fatal(err)
		}
		a, err := s.Account(before, tr.customerA.APSID)
		if err != nil || a.Name != "Customer A" {
			t.Fatalf("Account = %+v, %v", a, err)
		}
		if _, err := s.AccountByID(before, tr.customerA.ID); err != nil {
			t.Fatal(err)
		}
		up, _ := s.Ancestors(before, a)
		if len(up) != 2 || up[0].ID != tr.resellerA.ID {
			t.Fatalf("Ancestors = %v", ids(up))
		}

		renamed := a
		renamed.Name = "Customer A, renamed"
		mustTx(t, s, func(tx *store.Tx) error { return store.UpdateAccount(ctx, tx, &renamed) })
		reseller := tr.resellerA
		reseller.Status = account.Status("DISABLED")
		mustTx(t, s, func(tx *store.Tx) error { return store.UpdateAccount(ctx, tx, &reseller) })
		mustTx(t, s, func(tx *store.Tx) error { return store.RevokeToken(ctx, tx, tr.customerA.ID, info.ID) })

		after := request()
		if _, err := s.Authenticate(after, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: Authenticate err = %v, want ErrNotFound", err)
		}
		if a, _ := s.Account(after, tr.customerA.APSID); a.Name != renamed.Name {
			t.Errorf("Account after the update = %q", a.Name)
		}
		if a, _ := s.AccountByID(after, tr.customerA.ID); a.Name != renamed.Name {
			t.Errorf("AccountByID after the update = %q", a.Name)
		}
		if up, _ := s.Ancestors(after, renamed); len(up) != 2 || up[0].Status != reseller.Status {
			t.Errorf("Ancestors after the update = %+v", up)
		}
		// Without counters in the context, reads go to the tables.
		if a, _ := s.Account(ctx, tr.customerA.APSID); a.Name != renamed.Name {
			t.Errorf("uncached Account = %q", a.Name)
		}
		if _, err := s.Authenticate(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("uncached Authenticate of a revoked token: %v", err)
		}
	})
}

// TestReadVersionsIsFresh: however many requests read the counters at once (and share reads),
// each sees every write that committed before it asked.
func TestReadVersionsIsFresh(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		a := tr.customerA
		var committed atomic.Int64 // the accounts counter of the last committed write
		v0, err := s.ReadVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		committed.Store(v0.Accounts)
		stop := make(chan struct{})
		var readers sync.WaitGroup
		var stale, reads atomic.Int64
		for range 16 {
			readers.Add(1)
			go func() {
				defer readers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					before := committed.Load()
					v, err := s.ReadVersions(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					reads.Add(1)
					if v.Accounts < before {
						stale.Add(1)
					}
				}
			}()
		}
		finish := sync.OnceFunc(func() { close(stop); readers.Wait() })
		defer finish() // before the store closes, also when a check below fails
		for i := range 50 {
			a.Name = fmt.Sprintf("Customer A %d", i)
			mustTx(t, s, func(tx *store.Tx) error { return store.UpdateAccount(ctx, tx, &a) })
			v, err := s.ReadVersions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v.Accounts <= committed.Load() {
				t.Fatalf("write %d: accounts counter %d, not past %d", i, v.Accounts, committed.Load())
			}
			committed.Store(v.Accounts)
		}
		finish()
		if n := stale.Load(); n > 0 {
			t.Errorf("%d of %d reads missed a write committed before they began", n, reads.Load())
		}
	})
}
