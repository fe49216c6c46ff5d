package store_test

import (
	"context"
	"errors"
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
