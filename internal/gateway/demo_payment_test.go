package gateway_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func charge(key, amount, number string) gateway.Charge {
	return gateway.Charge{IdempotencyKey: key, OrderID: "order-" + key, OrderNumber: "SO000001", AccountID: "acc",
		MethodID: 3, MethodNumber: number, PaymentSystemID: "Demo.Redirect", Amount: money.MustParse(amount), Currency: "USD"}
}

func chargeRows(t *testing.T, st *store.Store, key string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM demo_gateway_charges
		WHERE idempotency_key = $1`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDemoPaymentIdempotent: a charge retried with its key answers the first result — also when
// the gateway's rules changed meanwhile — and is booked once.
func TestDemoPaymentIdempotent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		limit := money.MustParse("100")
		g := &gateway.DemoPayment{DB: st.Books(), Now: st.Now, DeclineOver: &limit}
		ok, err := g.Charge(ctx, charge("k1", "20.84", ""))
		if err != nil || ok.Status != gateway.ChargeApproved || ok.TransactionID == "" {
			t.Fatalf("Charge = %+v, %v", ok, err)
		}
		again, err := g.Charge(ctx, charge("k1", "20.84", ""))
		if err != nil || again != ok {
			t.Errorf("Charge again = %+v, %v; want %+v", again, err, ok)
		}
		declined, err := g.Charge(ctx, charge("k2", "100.00", ""))
		if err != nil || declined.Status != gateway.ChargeDeclined || !strings.Contains(declined.Message, "over the limit") {
			t.Errorf("amount at the limit: %+v, %v", declined, err)
		}
		g.DeclineOver = nil
		if res, _ := g.Charge(ctx, charge("k2", "100.00", "")); res != declined {
			t.Errorf("a declined charge retried under its key = %+v; want the first answer %+v", res, declined)
		}
		if res, _ := g.Charge(ctx, charge("k3", "1.00", "4111********0002")); res.Status != gateway.ChargeDeclined {
			t.Errorf("card ending 0002: %+v", res)
		}
		for _, k := range []string{"k1", "k2", "k3"} {
			if n := chargeRows(t, st, k); n != 1 {
				t.Errorf("%s booked %d times", k, n)
			}
		}
	})
}

// TestDemoPaymentConcurrentDuplicates: callers racing with one key all hear one answer, and the
// money moves once.
func TestDemoPaymentConcurrentDuplicates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		g := &gateway.DemoPayment{DB: st.Books(), Now: st.Now}
		var wg sync.WaitGroup
		answers := make(chan gateway.ChargeResult, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := g.Charge(ctx, charge("race", "5.00", ""))
				if err != nil {
					t.Error(err)
				}
				answers <- res
			}()
		}
		wg.Wait()
		close(answers)
		first := <-answers
		for res := range answers {
			if res != first {
				t.Errorf("answers differ: %+v and %+v", first, res)
			}
		}
		if n := chargeRows(t, st, "race"); n != 1 {
			t.Errorf("booked %d times", n)
		}
	})
}
