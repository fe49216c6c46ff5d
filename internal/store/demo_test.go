package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// snapshot counts the rows of every foundation table and reads the id sequences, so a test can
// tell whether anything changed.
func snapshot(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	for _, table := range []string{"accounts", "api_tokens", "payment_methods", "resources", "resource_dependencies",
		"terms", "plans", "plan_periods", "plan_resource_rates", "plan_terms", "plan_children", "delegations",
		"promotions", "promotion_plans", "tax_rules", "reason_codes", "subscriptions", "subscription_resources"} {
		var n int64
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	rows, err := s.DB().QueryContext(ctx, "SELECT name, next_value FROM id_sequences")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			t.Fatal(err)
		}
		out["seq:"+name] = v
	}
	return out
}

// TestDemoData checks the demo data set through the store on each engine: one database per
// engine, shared by the read-only checks, which run in parallel.
func TestDemoData(t *testing.T) {
	checks := []struct {
		name string
		run  func(t *testing.T, s *store.Store)
	}{
		{"Accounts", demoAccounts},
		{"PaymentMethods", demoPaymentMethods},
		{"ReasonCodes", demoReasonCodes},
		{"SellerScope", demoSellerScope},
		{"Subscriptions", demoSubscriptions},
		{"LookupsOfUnstorableText", demoLookupsOfUnstorableText},
	}
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		storetest.LoadDemo(t, s)
		for _, c := range checks {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.run(t, s)
			})
		}
	})
}

func TestDemoLoad(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatalf("Load: %v", err)
		}
		before := snapshot(t, s)
		for table, want := range map[string]int64{"accounts": 7, "api_tokens": 3, "plans": 4, "subscriptions": 3,
			"reason_codes": 25, "resources": 5, "terms": 1, "promotions": 1} {
			if before[table] != want {
				t.Errorf("demo %s: %d rows, want %d", table, before[table], want)
			}
		}
		if err := demo.Load(ctx, s); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("second Load: %v, want ErrNotEmpty", err)
		}
		if after := snapshot(t, s); !reflect.DeepEqual(before, after) {
			t.Errorf("second Load changed the database:\nbefore %v\nafter  %v", before, after)
		}
		// New rows continue after the demo's explicit ids.
		var a account.Account
		mustTx(t, s, func(tx *store.Tx) error {
			parent, err := s.Account(ctx, demo.ResellerA)
			if err != nil {
				return err
			}
			a = account.Account{Type: account.Customer, Status: account.Active, Name: "new"}
			return store.CreateAccount(ctx, tx, &a, &parent)
		})
		if a.ID != 1000007 {
			t.Errorf("first account after the demo: id %d, want 1000007", a.ID)
		}
	})
}

func demoAccounts(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, c := range []struct {
		apsID  string
		id     int64
		typ    account.Type
		parent string
	}{
		{demo.ProviderAPSID, 1, account.Provider, ""},
		{demo.Customer1, 1000001, account.Customer, demo.ResellerA},
		{demo.ResellerA, 1000002, account.Reseller, demo.ProviderAPSID},
		{demo.ResellerB, 1000003, account.Reseller, demo.ProviderAPSID},
		{demo.CustomerTaxed, 1000004, account.Customer, demo.ResellerA},
		{demo.CustomerSubs, 1000005, account.Customer, demo.ResellerA},
		{demo.CustomerB, 1000006, account.Customer, demo.ResellerB},
	} {
		a, err := s.Account(ctx, c.apsID)
		if err != nil || a.ID != c.id || a.Type != c.typ || a.ParentAPSID != c.parent || a.Status != account.Active {
			t.Errorf("account %s = id %d type %s parent %q status %s, %v; want %d %s %q ACTIVE",
				c.apsID, a.ID, a.Type, a.ParentAPSID, a.Status, err, c.id, c.typ, c.parent)
		}
	}
	taxed, _ := s.Account(ctx, demo.CustomerTaxed)
	if taxed.TaxZone != demo.TaxZone10 {
		t.Errorf("00b60056 tax zone %q, want %q", taxed.TaxZone, demo.TaxZone10)
	}
	for tok, want := range map[string]string{demo.ProviderToken: demo.ProviderAPSID,
		demo.ResellerToken: demo.ResellerA, demo.CustomerToken: demo.Customer1} {
		p, err := s.Authenticate(ctx, tok)
		if err != nil || p.Account.APSID != want {
			t.Errorf("demo token %s: account %s, %v; want %s", tok, p.Account.APSID, err, want)
		}
	}
	reseller, _ := s.Account(ctx, demo.ResellerA)
	got, _, err := s.ListAccounts(ctx, reseller.Path, store.ListQuery{OrderBy: "a.id", Count: 100})
	if want := []int64{1000001, 1000002, 1000004, 1000005}; err != nil || !slices.Equal(ids(got), want) {
		t.Errorf("reseller c0d43087's subtree = %v, %v; want %v", ids(got), err, want)
	}
}

// pm renders the fields of a payment method the API shows, for comparison.
func pm(m account.PaymentMethod) string {
	return fmt.Sprintf("id=%d system=%s/%s owner=%q number=%q name=%q type=%s status=%s ratified=%s default=%v",
		m.ID, m.PaymentSystemID, m.PaymentSystem, m.OwnerAPSID, m.Number, m.Name, m.Type, m.Status, m.Ratified, m.Default)
}

func demoPaymentMethods(t *testing.T, s *store.Store) {
	ctx := context.Background()
	gateway := "system=Demo.Redirect/Demo Payment Gateway owner=\"\" number=\"\" name=\"Demo Payment Gateway\" type=EXTERNAL status=ACTIVE ratified=NOT_REQUIRED"
	cash := "system=Check/Cash/Check/Cash owner=\"\" number=\"\" name=\"Check/Cash\" type=MANUAL status=ACTIVE ratified=NOT_REQUIRED default=false"
	for _, c := range []struct {
		apsID string
		want  []string
	}{
		// Seed 002 "Identify Payment Methods": 3 (Auto Payments) and 0.
		{demo.Customer1, []string{"id=3 " + gateway + " default=true", "id=0 " + cash}},
		// Its own card is the default; the vendor's gateway is no longer.
		{demo.CustomerSubs, []string{
			"id=11 system=Demo.Redirect/Demo Payment Gateway owner=\"" + demo.CustomerSubs +
				"\" number=\"4111********1111\" name=\"VISA ending 1111\" type=EXTERNAL status=ACTIVE ratified=NOT_REQUIRED default=true",
			"id=3 " + gateway + " default=false", "id=0 " + cash}},
		{demo.CustomerB, []string{"id=4 " + gateway + " default=true", "id=5 " + cash}},
	} {
		a, err := s.Account(ctx, c.apsID)
		if err != nil {
			t.Fatal(err)
		}
		methods, err := s.PaymentMethods(ctx, a)
		if err != nil {
			t.Fatalf("PaymentMethods(%s): %v", c.apsID, err)
		}
		got := make([]string, len(methods))
		for i, m := range methods {
			got[i] = pm(m)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("PaymentMethods(%s):\n got  %q\n want %q", c.apsID, got, c.want)
		}
	}
}

func demoReasonCodes(t *testing.T, s *store.Store) {
	ctx := context.Background()
	codes, err := s.ReasonCodes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, c := range codes {
		got = append(got, c.ID)
	}
	// The order of seed 002 "Cancellation Reasons".
	want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 19, 20, 21, 22, 23, 13, 14, 15, 16, 61, 69, 107, 161}
	if !slices.Equal(got, want) {
		t.Errorf("reason codes %v, want %v", got, want)
	}
	if codes[10].OperationType != "CANCEL_BY_CUSTOMER" || codes[10].Description["en_US"] != "Cost" {
		t.Errorf("reason 17 = %+v", codes[10])
	}
	vendor, err := s.ReasonCodes(ctx, "CANCEL_BY_VENDOR")
	if err != nil || len(vendor) != 2 || vendor[0].ID != 13 || vendor[1].ID != 14 ||
		vendor[0].Description["en_US"] != "Customer Request" || vendor[1].Description["en_US"] != "Other" {
		t.Errorf("CANCEL_BY_VENDOR reasons = %+v, %v", vendor, err)
	}
	none, err := s.ReasonCodes(ctx, "NO_SUCH_OPERATION")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("unknown operation type: %v, %v; want an empty list", none, err)
	}
}

// TestDemoLoadConcurrently loads the demo data from several processes at once (serve --demo
// started twice on one new database): one loads it, the others find it there.
func TestDemoLoadConcurrently(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const n = 4
		stores := make([]*store.Store, n)
		for i := range stores {
			stores[i] = storetest.OpenDSN(t, dsn)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = demo.Load(ctx, s)
			}()
		}
		close(start)
		wg.Wait()
		loaded := 0
		for i, err := range errs {
			switch {
			case err == nil:
				loaded++
			case !errors.Is(err, demo.ErrNotEmpty):
				t.Errorf("Load %d: %v, want nil or ErrNotEmpty", i, err)
			}
		}
		if loaded != 1 {
			t.Errorf("%d loads succeeded, want exactly 1", loaded)
		}
		if got := snapshot(t, stores[0])["accounts"]; got != 7 {
			t.Errorf("%d accounts, want the demo's 7", got)
		}
	})
}
