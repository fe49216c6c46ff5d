package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// twoStores opens two stores on one fresh database per engine, as two processes would.
func twoStores(t *testing.T, fn func(t *testing.T, a, b *store.Store)) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		a := storetest.OpenDSN(t, dsn)
		fn(t, a, storetest.OpenDSN(t, dsn))
	})
}

// alternating runs work(s, w) for workers w concurrently, on store a for even w and b for odd,
// and fails t with the first error any returned.
func alternating(t *testing.T, a, b *store.Store, workers int, work func(s *store.Store, w int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(s, w); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// takeIDs takes n ids of a sequence in one transaction, which rolls back when rollback is set.
func takeIDs(ctx context.Context, s *store.Store, name string, n int, rollback bool) ([]int64, error) {
	var got []int64
	err := s.InTx(ctx, func(tx *store.Tx) error {
		got = got[:0]
		for range n {
			id, err := store.NextID(ctx, tx, name)
			if err != nil {
				return err
			}
			got = append(got, id)
		}
		if rollback {
			return errRollBack
		}
		return nil
	})
	if rollback && errors.Is(err, errRollBack) {
		err = nil
	}
	return got, err
}

var errRollBack = errors.New("roll back")

// On PostgreSQL an order's ids do not wait for another transaction that took ids of the same
// sequences to commit (they waited for its row locks before: concurrent orders went one by one).
func TestPooledIDsDoNotWaitForCommits(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		if !s.Postgres() {
			t.Skip("SQLite has one writer: its transactions wait for each other by design")
		}
		ctx := context.Background()
		held := make(chan int64)
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.InTx(ctx, func(tx *store.Tx) error {
				id, err := store.NextID(ctx, tx, "orders")
				if err != nil {
					return err
				}
				if _, err := store.NextID(ctx, tx, "order_number_SO"); err != nil {
					return err
				}
				held <- id
				<-release
				return nil
			})
		}()
		first := <-held
		// Enough ids to reserve further blocks while the first transaction is open.
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		for _, name := range []string{"orders", "order_number_SO"} {
			got, err := takeIDs(wait, s, name, 300, false)
			if err != nil {
				close(release)
				t.Fatalf("ids of %s while another transaction holds some: %v", name, err)
			}
			if name == "orders" && slices.Contains(got, first) {
				t.Errorf("id %d handed out twice", first)
			}
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// Orders placed concurrently through two stores on one database (two processes) get distinct
// ids, order numbers, item ids, history events and jobs; the rows and the counters agree.
func TestConcurrentOrdersGetUniqueIDs(t *testing.T) {
	twoStores(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		tr := newTree(t, a)
		const workers, perWorker = 12, 25
		var mu sync.Mutex
		var orderIDs, itemIDs []int64
		var numbers []string
		alternating(t, a, b, workers, func(s *store.Store, w int) error {
			for i := range perWorker {
				o := &order.Order{Type: "SO", BuyerID: tr.customerA.ID, BuyerPath: tr.customerA.Path,
					SellerID: tr.resellerA.ID, Currency: "USD", Flow: order.New,
					PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted,
					Request: []byte("{}"), Items: []order.Item{{Action: "CREATE", PlanAPSID: "p"}, {Action: "CREATE", PlanAPSID: "q"}}}
				rollback := i%5 == 4
				err := s.InTx(ctx, func(tx *store.Tx) error {
					if err := store.InsertOrder(ctx, tx, o); err != nil {
						return err
					}
					if rollback {
						return errRollBack
					}
					return nil
				})
				if rollback && errors.Is(err, errRollBack) {
					continue
				}
				if err != nil {
					return fmt.Errorf("worker %d, order %d: %w", w, i, err)
				}
				mu.Lock()
				orderIDs = append(orderIDs, o.ID)
				numbers = append(numbers, o.Number)
				for _, it := range o.Items {
					itemIDs = append(itemIDs, it.ID)
				}
				mu.Unlock()
			}
			return nil
		})
		want := workers * perWorker * 4 / 5
		if len(orderIDs) != want {
			t.Fatalf("%d orders placed, want %d", len(orderIDs), want)
		}
		assertUnique(t, "order id", orderIDs)
		assertUnique(t, "order number", numbers)
		assertUnique(t, "item id", itemIDs)
		for table, n := range map[string]int{"orders": want, "provisioning_items": 2 * want, "order_events": want, "jobs": want} {
			var got int
			if err := a.DB().QueryRowContext(ctx, `SELECT COUNT(DISTINCT id) FROM `+table).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Errorf("%s: %d distinct ids, want %d", table, got, n)
			}
		}
		// The counters stay above every id and number handed out (the panel's order-number
		// search and bench/datagen read them so).
		var lastNumber int64
		for _, n := range numbers {
			v, err := strconv.ParseInt(strings.TrimPrefix(n, "SO"), 10, 64)
			if err != nil {
				t.Fatalf("order number %q: %v", n, err)
			}
			lastNumber = max(lastNumber, v)
		}
		for name, last := range map[string]int64{"orders": slices.Max(orderIDs), "order_number_SO": lastNumber} {
			var next int64
			if err := a.DB().QueryRowContext(ctx, `SELECT next_value FROM id_sequences WHERE name = $1`, name).Scan(&next); err != nil {
				t.Fatal(err)
			}
			if next <= last {
				t.Errorf("counter %s at %d, not above %d", name, next, last)
			}
		}
	})
}

func assertUnique[T comparable](t *testing.T, what string, vs []T) {
	t.Helper()
	seen := make(map[T]bool, len(vs))
	for _, v := range vs {
		if seen[v] {
			t.Errorf("%s %v handed out twice", what, v)
		}
		seen[v] = true
	}
}

// Document numbers keep their gap-free counter on both engines, also when transactions that
// took one run concurrently from two processes and some roll back.
func TestDocumentNumbersStayGapFreeUnderConcurrency(t *testing.T) {
	twoStores(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		const workers, perWorker = 8, 30
		var mu sync.Mutex
		var kept []int64
		alternating(t, a, b, workers, func(s *store.Store, w int) error {
			for i := range perWorker {
				rollback := (w+i)%4 == 0
				var number int64
				err := s.InTx(ctx, func(tx *store.Tx) error {
					if _, err := store.NextID(ctx, tx, "documents"); err != nil {
						return err
					}
					var err error
					if number, err = store.NextID(ctx, tx, "document_number_INVOICE"); err != nil {
						return err
					}
					if rollback {
						return errRollBack
					}
					return nil
				})
				if rollback && errors.Is(err, errRollBack) {
					continue
				}
				if err != nil {
					return err
				}
				mu.Lock()
				kept = append(kept, number)
				mu.Unlock()
			}
			return nil
		})
		slices.Sort(kept)
		for i, n := range kept {
			if n != int64(i+1) {
				t.Fatalf("committed invoice numbers %v: not 1…%d without gaps", kept, len(kept))
			}
		}
	})
}

// After bumpSequence (explicit ids, as the demo inserts them), no id at or below the bumped one
// is handed out: not from the block the store reserved before, not in the bumping transaction.
func TestBumpSequenceThenNextIDNeverReuses(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for _, name := range []string{"orders", "subscriptions", "order_events", "accounts"} {
			first, err := takeIDs(ctx, s, name, 1, false)
			if err != nil {
				t.Fatal(err)
			}
			// Inside the block the store may hold, then past its end.
			for _, bump := range []int64{first[0] + 5, first[0] + 1000} {
				if err := s.InTx(ctx, func(tx *store.Tx) error { return store.BumpSequence(ctx, tx, name, bump) }); err != nil {
					t.Fatal(err)
				}
				got, err := takeIDs(ctx, s, name, 3, false)
				if err != nil {
					t.Fatal(err)
				}
				if got[0] <= bump {
					t.Errorf("%s: bumped to %d, then handed out %v", name, bump, got)
				}
			}
			// In one transaction: ids taken after the bump come after it, and do not wait for
			// the counter row the bump locked (past the block: the row is updated).
			var after []int64
			err = s.InTx(ctx, func(tx *store.Tx) error {
				id, err := store.NextID(ctx, tx, name)
				if err != nil {
					return err
				}
				if err := store.BumpSequence(ctx, tx, name, id+1000); err != nil {
					return err
				}
				for range 3 {
					next, err := store.NextID(ctx, tx, name)
					if err != nil {
						return err
					}
					if next <= id+1000 {
						return fmt.Errorf("bumped to %d, then handed out %d", id+1000, next)
					}
					after = append(after, next)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			next, err := takeIDs(ctx, s, name, 1, false)
			if err != nil {
				t.Fatal(err)
			}
			if next[0] <= after[len(after)-1] {
				t.Errorf("%s: %d handed out after %v", name, next[0], after)
			}
		}
	})
}

// On PostgreSQL a rolled-back transaction's ids of a pooled sequence are never handed out again,
// by this process or another; on SQLite (and for gap-free counters) the next transaction takes
// them again, so nothing skips.
func TestRolledBackIDs(t *testing.T) {
	twoStores(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		lost, err := takeIDs(ctx, a, "orders", 5, true)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Postgres() {
			next, err := takeIDs(ctx, a, "orders", 1, false)
			if err != nil {
				t.Fatal(err)
			}
			if next[0] != lost[0] {
				t.Errorf("SQLite: rolled back %v, then took %d: not gap-free", lost, next[0])
			}
			return
		}
		var later []int64
		for _, s := range []*store.Store{a, b, a} {
			got, err := takeIDs(ctx, s, "orders", 300, false)
			if err != nil {
				t.Fatal(err)
			}
			later = append(later, got...)
		}
		for _, id := range later {
			if slices.Contains(lost, id) {
				t.Fatalf("id %d of a rolled-back transaction handed out again", id)
			}
		}
		assertUnique(t, "order id", later)
		// A gap-free counter on PostgreSQL takes them again.
		docs, err := takeIDs(ctx, a, "document_number_INVOICE", 3, true)
		if err != nil {
			t.Fatal(err)
		}
		next, err := takeIDs(ctx, b, "document_number_INVOICE", 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if next[0] != docs[0] {
			t.Errorf("invoice numbers: rolled back %v, then took %d: not gap-free", docs, next[0])
		}
	})
}
