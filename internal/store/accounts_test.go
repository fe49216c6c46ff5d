package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Provider(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Provider() on an empty database: %v, want ErrNotFound", err)
		}
		tree := newTree(t, s) // data written before the second run must survive it
		for range 2 {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
		}
		a, err := s.Account(ctx, tree.customerA.APSID)
		if err != nil || a.ID != tree.customerA.ID {
			t.Fatalf("after re-migrating: account %s = %+v, %v", tree.customerA.APSID, a, err)
		}
		// The sequences were not reset by the re-run.
		var next account.Account
		mustTx(t, s, func(tx *store.Tx) error {
			next = account.Account{Type: account.Customer, Status: account.Active, Name: "after"}
			return store.CreateAccount(ctx, tx, &next, &tree.resellerB)
		})
		if next.ID != 1000005 {
			t.Errorf("next account id after re-migrating = %d, want 1000005", next.ID)
		}
	})
}

// tree is a small account tree: provider 1 → reseller A 1000001 → customer 1000002,
// provider → reseller B 1000003 → customer 1000004.
type tree struct {
	provider, resellerA, customerA, resellerB, customerB account.Account
}

func newTree(t testing.TB, s *store.Store) tree {
	t.Helper()
	ctx := context.Background()
	var tr tree
	mustTx(t, s, func(tx *store.Tx) error {
		mk := func(a *account.Account, typ account.Type, name string, parent *account.Account) error {
			*a = account.Account{Type: typ, Status: account.Active, Name: name, CanOrder: true, TypeCanOrder: true}
			return store.CreateAccount(ctx, tx, a, parent)
		}
		return errors.Join(
			mk(&tr.provider, account.Provider, "Provider", nil),
			mk(&tr.resellerA, account.Reseller, "Reseller A", &tr.provider),
			mk(&tr.customerA, account.Customer, "Customer A", &tr.resellerA),
			mk(&tr.resellerB, account.Reseller, "Reseller B", &tr.provider),
			mk(&tr.customerB, account.Customer, "Customer B", &tr.resellerB),
		)
	})
	return tr
}

func mustTx(t testing.TB, s *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func ids(as []account.Account) []int64 {
	out := []int64{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestCreateAccountIDsAndPaths(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		for _, c := range []struct {
			a      account.Account
			id     int64
			path   string
			parent string
		}{
			{tr.provider, 1, "/1/", ""},
			{tr.resellerA, 1000001, "/1/1000001/", tr.provider.APSID},
			{tr.customerA, 1000002, "/1/1000001/1000002/", tr.resellerA.APSID},
			{tr.resellerB, 1000003, "/1/1000003/", tr.provider.APSID},
			{tr.customerB, 1000004, "/1/1000003/1000004/", tr.resellerB.APSID},
		} {
			if c.a.ID != c.id || c.a.Path != c.path {
				t.Errorf("%s: id %d path %q, want %d %q", c.a.Name, c.a.ID, c.a.Path, c.id, c.path)
			}
			got, err := s.Account(ctx, c.a.APSID)
			if err != nil {
				t.Fatalf("Account(%s): %v", c.a.APSID, err)
			}
			if got.ID != c.id || got.Path != c.path || got.ParentAPSID != c.parent || got.Name != c.a.Name ||
				got.Type != c.a.Type || got.Status != account.Active || !got.CanOrder || got.Currency != "USD" {
				t.Errorf("Account(%s) = %+v", c.a.APSID, got)
			}
			if got.CreatedAt.Location() != time.UTC || got.CreatedAt.IsZero() {
				t.Errorf("Account(%s).CreatedAt = %v, want a UTC time", c.a.APSID, got.CreatedAt)
			}
			byID, err := s.AccountByID(ctx, c.id)
			if err != nil || byID.APSID != c.a.APSID {
				t.Errorf("AccountByID(%d) = %s, %v", c.id, byID.APSID, err)
			}
		}
		if p, err := s.Provider(ctx); err != nil || p.ID != 1 {
			t.Errorf("Provider() = %d, %v; want 1", p.ID, err)
		}
		if _, err := s.Account(ctx, "no-such-account"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Account(unknown) err = %v, want ErrNotFound", err)
		}
		if _, err := s.AccountByID(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AccountByID(999) err = %v, want ErrNotFound", err)
		}
		// APS ids are unique.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			dup := account.Account{APSID: tr.customerA.APSID, Type: account.Customer, Status: account.Active, Name: "dup"}
			return store.CreateAccount(ctx, tx, &dup, &tr.resellerA)
		})
		if err == nil {
			t.Errorf("a second account with APS id %s was accepted", tr.customerA.APSID)
		}
	})
}

func TestListAccountsScopeAndPaging(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		all := store.ListQuery{OrderBy: "a.id", Count: 100}
		for _, c := range []struct {
			scope string
			want  []int64
		}{
			{tr.provider.Path, []int64{1, 1000001, 1000002, 1000003, 1000004}},
			{tr.resellerA.Path, []int64{1000001, 1000002}},
			{tr.resellerB.Path, []int64{1000003, 1000004}},
			{tr.customerA.Path, []int64{1000002}},
		} {
			got, page, err := s.ListAccounts(ctx, c.scope, all)
			if err != nil {
				t.Fatalf("ListAccounts(%s): %v", c.scope, err)
			}
			if !slices.Equal(ids(got), c.want) || !page.Counted || page.Total != len(c.want) {
				t.Errorf("ListAccounts(%s) = %v, total %d (counted %v); want %v", c.scope, ids(got), page.Total, page.Counted, c.want)
			}
		}

		// A filter from the RQL compiler: its placeholders follow the scope's.
		n := store.FirstFilterArg(store.AccountsScopeArgs)
		if n != 3 {
			t.Fatalf("FirstFilterArg(%d) = %d, want 3", store.AccountsScopeArgs, n)
		}
		q := store.ListQuery{Where: "a.type = $3", Args: []any{"CUSTOMER"}, OrderBy: "a.id DESC", Count: 100}
		got, page, err := s.ListAccounts(ctx, tr.provider.Path, q)
		if err != nil || !slices.Equal(ids(got), []int64{1000004, 1000002}) || page.Total != 2 {
			t.Errorf("customers, newest first = %v total %d, %v; want [1000004 1000002] 2", ids(got), page.Total, err)
		}

		// Paging: the total describes the whole set, the page a window of it.
		q = store.ListQuery{OrderBy: "a.id", Offset: 1, Count: 2}
		got, page, err = s.ListAccounts(ctx, tr.provider.Path, q)
		if err != nil || !slices.Equal(ids(got), []int64{1000001, 1000002}) || page.Total != 5 || !page.Counted {
			t.Errorf("offset 1 count 2 = %v total %d, %v; want [1000001 1000002] 5", ids(got), page.Total, err)
		}
		q = store.ListQuery{OrderBy: "a.id", Offset: 10, Count: 2}
		got, page, err = s.ListAccounts(ctx, tr.provider.Path, q)
		if err != nil || len(got) != 0 || page.Total != 5 {
			t.Errorf("offset past the end = %v total %d, %v; want [] 5", ids(got), page.Total, err)
		}
		q = store.ListQuery{OrderBy: "a.id", Count: 2, CountOnly: true}
		got, page, err = s.ListAccounts(ctx, tr.resellerA.Path, q)
		if err != nil || len(got) != 0 || page.Total != 2 || !page.Counted {
			t.Errorf("CountOnly = %v total %d counted %v, %v; want no rows, 2", ids(got), page.Total, page.Counted, err)
		}
		q = store.ListQuery{OrderBy: "a.id", Count: 2, SkipCount: true}
		got, page, err = s.ListAccounts(ctx, tr.provider.Path, q)
		if err != nil || !slices.Equal(ids(got), []int64{1, 1000001}) || page.Counted || page.Total != -1 {
			t.Errorf("SkipCount = %v total %d counted %v, %v; want [1 1000001], uncounted", ids(got), page.Total, page.Counted, err)
		}
		// limit(0,0) with APS-Skip-Content-Range still needs the count: it is all it returns.
		q = store.ListQuery{OrderBy: "a.id", CountOnly: true, SkipCount: true}
		_, page, err = s.ListAccounts(ctx, tr.provider.Path, q)
		if err != nil || page.Total != 5 || !page.Counted {
			t.Errorf("CountOnly+SkipCount total %d counted %v, %v; want 5", page.Total, page.Counted, err)
		}
	})
}

// TestSubtreeRangeBoundaries checks that a subtree's path range holds exactly the subtree even
// when ids share a decimal prefix (1000001 and 10000010..).
func TestSubtreeRangeBoundaries(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var prov, r1, r10, c1, c10 account.Account
		mustTx(t, s, func(tx *store.Tx) error {
			mk := func(a *account.Account, id int64, typ account.Type, parent *account.Account) error {
				*a = account.Account{ID: id, Type: typ, Status: account.Active, Name: "x"}
				return store.CreateAccount(ctx, tx, a, parent)
			}
			return errors.Join(
				mk(&prov, 0, account.Provider, nil),
				mk(&r1, 1000001, account.Reseller, &prov),
				mk(&r10, 10000010, account.Reseller, &prov),
				mk(&c1, 1000002, account.Customer, &r1),
				mk(&c10, 10000011, account.Customer, &r10),
			)
		})
		for _, c := range []struct {
			scope account.Account
			want  []int64
		}{
			{r1, []int64{1000001, 1000002}},
			{r10, []int64{10000010, 10000011}},
		} {
			got, _, err := s.ListAccounts(ctx, c.scope.Path, store.ListQuery{OrderBy: "a.id", Count: 10})
			if err != nil || !slices.Equal(ids(got), c.want) {
				t.Errorf("subtree of %d = %v, %v; want %v", c.scope.ID, ids(got), err, c.want)
			}
		}
		// An explicit id moved the sequence past it.
		var next account.Account
		mustTx(t, s, func(tx *store.Tx) error {
			next = account.Account{Type: account.Customer, Status: account.Active, Name: "next"}
			return store.CreateAccount(ctx, tx, &next, &r1)
		})
		if next.ID != 10000012 {
			t.Errorf("next id after explicit 10000011 = %d, want 10000012", next.ID)
		}
	})
}

// demoLookupsOfUnstorableText: ids a client may send that PostgreSQL cannot even compare (NUL,
// invalid UTF-8) are not found, on both engines alike, instead of failing the query.
func demoLookupsOfUnstorableText(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, id := range []string{"\x00", "3fef9702\x00", "\xff\xfe", "caf\xe9"} {
		if _, err := s.Account(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Account(%q): %v, want ErrNotFound", id, err)
		}
		if _, err := s.Plan(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Plan(%q): %v, want ErrNotFound", id, err)
		}
		if _, err := s.Subscription(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Subscription(%q): %v, want ErrNotFound", id, err)
		}
		if _, err := s.Order(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Order(%q): %v, want ErrNotFound", id, err)
		}
		if codes, err := s.ReasonCodes(ctx, id); err != nil || len(codes) != 0 {
			t.Errorf("ReasonCodes(%q): %v, %v; want none", id, codes, err)
		}
	}
}
