package worker_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/worker"
)

// TestNotifierDeliversSignedEventsAtLeastOnce: status changes recorded in the outbox reach the
// webhook signed, with unique event ids, and a webhook that fails first gets them on a retry.
func TestNotifierDeliversSignedEventsAtLeastOnce(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		st, err := store.Open(context.Background(), dsn, store.WithNotifications())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		storetest.LoadDemo(t, st)
		ctx := context.Background()
		// One order changing status twice: NW → OP → HL.
		var buyerID int64
		err = st.InTx(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE aps_id = $1`, "3fef9702-b2ad-419a-9924-a56882e5f06c").Scan(&buyerID)
		})
		if err != nil {
			t.Fatal(err)
		}
		o := &order.Order{Type: "SO", BuyerID: buyerID, BuyerPath: "/1/1000002/1000001/", SellerID: 1000002, Currency: "USD",
			Flow: order.New, PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted,
			EndCustomerName: "x", EndCustomerType: "CUSTOMER", Request: json.RawMessage("{}")}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := store.InsertOrder(ctx, tx, o); err != nil {
				return err
			}
			if err := store.SetFlow(ctx, tx, o.ID, order.New, order.Open, "opened", "test"); err != nil {
				return err
			}
			return store.SetFlow(ctx, tx, o.ID, order.Open, order.Hold, "held", "test")
		}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		calls := 0
		got := map[string]string{}
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			if r.Header.Get("X-Openbss-Signature") != gateway.Sign("s3cret", body) {
				t.Errorf("bad signature %q", r.Header.Get("X-Openbss-Signature"))
			}
			var ev struct {
				EventID  string `json:"eventId"`
				OfStatus string `json:"ofStatus"`
			}
			if err := json.Unmarshal(body, &ev); err != nil || ev.EventID != r.Header.Get("X-Openbss-Event-Id") {
				t.Errorf("event %s: %v", body, err)
			}
			got[ev.EventID] = ev.OfStatus
		}))
		defer hook.Close()
		n := &worker.Notifier{Store: st, URL: hook.URL, Secret: "s3cret", Poll: 10 * time.Millisecond,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		// The first failure is retried after a 1s backoff.
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		go n.Run(rctx)
		for rctx.Err() == nil {
			mu.Lock()
			done := len(got) == 3
			mu.Unlock()
			if done {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		want := map[string]int{"NW": 1, "OP": 1, "HL": 1}
		for _, s := range got {
			want[s]--
		}
		for s, n := range want {
			if n != 0 {
				t.Errorf("status %s delivered %d times too few; got %v", s, n, got)
			}
		}
		if calls < 4 {
			t.Errorf("calls = %d, want the failed first call retried (>= 4)", calls)
		}
	})
}
