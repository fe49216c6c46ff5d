package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		scopes := []account.Scope{account.ScopeOrdersRead}
		var tok, fixed string
		var info, fixedInfo store.TokenInfo
		mustTx(t, s, func(tx *store.Tx) error {
			var err error
			if tok, info, err = store.CreateToken(ctx, tx, tr.customerA.ID, "cli", "", scopes, nil); err != nil {
				return err
			}
			fixed, fixedInfo, err = store.CreateToken(ctx, tx, tr.resellerA.ID, "fixed", "my-fixed-token", account.AllScopes, nil)
			return err
		})
		if !strings.HasPrefix(tok, "obss_") || len(tok) != 5+43 {
			t.Errorf("generated token %q: want obss_ and 43 characters", tok)
		}
		if fixed != "my-fixed-token" {
			t.Errorf("CreateToken with a given token returned %q", fixed)
		}
		if info.AccountID != tr.customerA.ID || info.ID == 0 || info.ID == fixedInfo.ID || info.Prefix != tok[:9] {
			t.Errorf("TokenInfo = %+v", info)
		}

		// Only the hash is stored: no column of any row holds the plaintext.
		rows, err := s.DB().QueryContext(ctx, `SELECT id, account_id, name, hash, prefix, scopes FROM api_tokens ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var hashes []string
		for rows.Next() {
			var id, acct int64
			var name, hash, prefix, sc string
			if err := rows.Scan(&id, &acct, &name, &hash, &prefix, &sc); err != nil {
				t.Fatal(err)
			}
			for _, v := range []string{name, hash, prefix, sc} {
				if strings.Contains(v, tok) || strings.Contains(v, fixed) {
					t.Errorf("api_tokens row %d stores a plaintext token in %q", id, v)
				}
			}
			hashes = append(hashes, hash)
		}
		rows.Close()
		if want := []string{store.HashToken(tok), store.HashToken(fixed)}; !slices.Equal(hashes, want) {
			t.Errorf("stored hashes %v, want %v", hashes, want)
		}

		p, err := s.Authenticate(ctx, tok)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if p.Account.APSID != tr.customerA.APSID || p.Account.Path != tr.customerA.Path || p.TokenID != info.ID ||
			!slices.Equal(p.Scopes, scopes) {
			t.Errorf("principal = %+v", p)
		}
		if !p.Has(account.ScopeOrdersRead) || p.Has(account.ScopeOrdersWrite) || p.Has(account.ScopeAdmin) {
			t.Errorf("orders:read token: Has = %v %v %v", p.Has(account.ScopeOrdersRead), p.Has(account.ScopeOrdersWrite), p.Has(account.ScopeAdmin))
		}
		p, err = s.Authenticate(ctx, fixed)
		if err != nil || p.Account.ID != tr.resellerA.ID || !slices.Equal(p.Scopes, account.AllScopes) {
			t.Errorf("Authenticate(fixed) = %+v, %v", p, err)
		}
		for _, bad := range []string{"", "obss_nope", tok + "x", store.HashToken(tok)} {
			if _, err := s.Authenticate(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Authenticate(%q) err = %v, want ErrNotFound", bad, err)
			}
		}

		// Revocation: by the owning account only; then the token stops working, others do not.
		if err := s.InTx(ctx, func(tx *store.Tx) error { return store.RevokeToken(ctx, tx, tr.resellerA.ID, info.ID) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking another account's token: %v, want ErrNotFound", err)
		}
		if _, err := s.Authenticate(ctx, tok); err != nil {
			t.Fatalf("token died after a refused revocation: %v", err)
		}
		for range 2 { // revoking twice is not an error
			mustTx(t, s, func(tx *store.Tx) error { return store.RevokeToken(ctx, tx, tr.customerA.ID, info.ID) })
		}
		if _, err := s.Authenticate(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: err = %v, want ErrNotFound", err)
		}
		if _, err := s.Authenticate(ctx, fixed); err != nil {
			t.Errorf("revoking one token broke another: %v", err)
		}
	})
}

func TestTokenExpiry(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		past, future := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
		var expired, live string
		mustTx(t, s, func(tx *store.Tx) error {
			var err error
			if expired, _, err = store.CreateToken(ctx, tx, tr.customerB.ID, "old", "", account.AllScopes, &past); err != nil {
				return err
			}
			live, _, err = store.CreateToken(ctx, tx, tr.customerB.ID, "new", "", account.AllScopes, &future)
			return err
		})
		if _, err := s.Authenticate(ctx, expired); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired token: err = %v, want ErrNotFound", err)
		}
		if p, err := s.Authenticate(ctx, live); err != nil || p.Account.ID != tr.customerB.ID {
			t.Errorf("token expiring in an hour: %+v, %v", p, err)
		}
	})
}
