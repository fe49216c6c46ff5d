package worker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
)

// paymentRow is a row of the order's payments.
type paymentRow struct {
	attempt int
	key     string
	status  string
}

func (r *rig) payments(internalID int64) []paymentRow {
	r.t.Helper()
	rows, err := r.st.DB().QueryContext(context.Background(), `SELECT attempt, idempotency_key, status FROM payments
		WHERE order_id = $1 ORDER BY attempt`, internalID)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	var out []paymentRow
	for rows.Next() {
		var p paymentRow
		if err := rows.Scan(&p.attempt, &p.key, &p.status); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// charges are the demo gateway's books for an order: status by idempotency key.
func (r *rig) charges(orderID string) map[string]string {
	r.t.Helper()
	rows, err := r.st.DB().QueryContext(context.Background(), `SELECT idempotency_key, status FROM demo_gateway_charges
		WHERE order_id = $1`, orderID)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			r.t.Fatal(err)
		}
		if _, dup := out[k]; dup {
			r.t.Errorf("charge %s recorded twice", k)
		}
		out[k] = s
	}
	return out
}

// approvedOnce checks the gateway took the order's money exactly once.
func (r *rig) approvedOnce(orderID string) {
	r.t.Helper()
	n := 0
	for _, s := range r.charges(orderID) {
		if s == gateway.ChargeApproved {
			n++
		}
	}
	if n != 1 {
		r.t.Errorf("order %s: %d approved charges at the gateway, want exactly 1: %v", orderID, n, r.charges(orderID))
	}
}

// TestPaymentDeclinedThenRetried: the demo gateway declines the amount; the order parks in PD
// with the gateway's reason, and waits there. With the limit raised, a push back to OP charges
// again under a new idempotency key, once, and the order completes.
func TestPaymentDeclinedThenRetried(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		limit := money.MustParse("1.00")
		r := newRig(t, dsn, rigOptions{cfg: fastConfig(), pay: func(d *gateway.DemoPayment) gateway.PaymentGateway {
			d.DeclineOver = &limit
			return d
		}})
		id := r.place(salesOrder(1, 25, false))
		o := r.waitFlow(id, "PD")
		if o.Status != "PROBLEM" || o.PaymentStatus != "DECLINED" || o.ProvisioningStatus != "NOT_STARTED" ||
			!strings.Contains(o.errorDetails(), "Declined") || o.Items[0].Status != "NOT_STARTED" || len(o.BSSSubscriptions) != 0 {
			t.Errorf("declined order: %s", o)
		}
		if !slices.Contains(r.orderPushTargets(id), "OP") {
			t.Errorf("a declined order cannot be pushed back to OP: %v", r.orderPushTargets(id))
		}
		r.settled(id, o)
		r.halt()
		r.pay.DeclineOver = nil
		r.start()
		r.push(id, "OP")
		o = r.waitFlow(id, "CP")
		if o.PaymentStatus != "FINISHED" || o.ProvisioningStatus != "COMPLETED" || o.errorDetails() != "" {
			t.Errorf("retried order: %s", o)
		}
		pays := r.payments(o.InternalID)
		if len(pays) != 2 || pays[0].status != "DECLINED" || pays[1].status != "APPROVED" || pays[0].key == pays[1].key {
			t.Fatalf("payments %+v: want attempt 1 DECLINED and attempt 2 APPROVED under another key", pays)
		}
		if got := r.charges(id); len(got) != 2 || got[pays[0].key] != "DECLINED" || got[pays[1].key] != "APPROVED" {
			t.Errorf("gateway charges %v, want %s DECLINED and %s APPROVED", got, pays[0].key, pays[1].key)
		}
		if h := r.history(o.InternalID); !slices.Equal(h, []string{">NW", "NW>OP", "OP>PD", "PD>OP", "OP>PR", "PR>CP"}) {
			t.Errorf("history %v", h)
		}
	})
}

// lossyPayment is a payment gateway whose answers get lost: the charge goes through, the caller
// hears an error. It loses the first lose answers per idempotency key, or all while down.
type lossyPayment struct {
	gateway.PaymentGateway // the real one
	mu                     sync.Mutex
	lose                   int
	down                   bool
	calls                  map[string]int
}

func (p *lossyPayment) Charge(ctx context.Context, c gateway.Charge) (gateway.ChargeResult, error) {
	res, err := p.PaymentGateway.Charge(ctx, c)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[c.IdempotencyKey]++
	if err == nil && (p.down || p.calls[c.IdempotencyKey] <= p.lose) {
		return gateway.ChargeResult{}, fmt.Errorf("%w: connection reset reading the answer", gateway.ErrTransient)
	}
	return res, err
}

func (p *lossyPayment) setDown(v bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = v
}

// TestPaymentLostAnswerChargesOnce: the gateway charges but the answer is lost twice; the
// retries carry the same idempotency key and the money moves once.
func TestPaymentLostAnswerChargesOnce(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		lossy := &lossyPayment{lose: 2, calls: map[string]int{}}
		r := newRig(t, dsn, rigOptions{cfg: fastConfig(), pay: func(d *gateway.DemoPayment) gateway.PaymentGateway {
			lossy.PaymentGateway = d
			return lossy
		}})
		id := r.place(salesOrder(1, 25, false))
		o := r.waitFlow(id, "CP")
		pays := r.payments(o.InternalID)
		if len(pays) != 1 || pays[0].status != "APPROVED" {
			t.Fatalf("payments %+v, want one APPROVED", pays)
		}
		lossy.mu.Lock()
		calls := lossy.calls[pays[0].key]
		lossy.mu.Unlock()
		if calls != 3 {
			t.Errorf("gateway called %d times with %s, want 3 (two lost answers, then the answer)", calls, pays[0].key)
		}
		r.approvedOnce(id)
	})
}

// TestPaymentUnreachableParksThenChargesOnce: every answer of the gateway is lost until the
// retries run out, so the order parks in PD saying so. The gateway did take the money; when the
// operator pushes the order back to OP, the charge of unknown outcome is asked again under its
// own key, not made anew: the money moves once.
func TestPaymentUnreachableParksThenChargesOnce(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		lossy := &lossyPayment{down: true, calls: map[string]int{}}
		cfg := fastConfig()
		cfg.PaymentAttempts = 2
		r := newRig(t, dsn, rigOptions{cfg: cfg, pay: func(d *gateway.DemoPayment) gateway.PaymentGateway {
			lossy.PaymentGateway = d
			return lossy
		}})
		id := r.place(salesOrder(1, 25, false))
		o := r.waitFlow(id, "PD")
		if o.Status != "PROBLEM" || !strings.Contains(o.errorDetails(), "unreachable") {
			t.Errorf("parked order: %s", o)
		}
		lossy.setDown(false)
		r.push(id, "OP")
		o = r.waitFlow(id, "CP")
		r.approvedOnce(id)
		if pays := r.payments(o.InternalID); slices.IndexFunc(pays, func(p paymentRow) bool { return p.status == "APPROVED" }) < 0 {
			t.Errorf("payments %+v: none APPROVED", pays)
		}
	})
}

// TestPaymentManualMethodWaits: Check/Cash (the reseller's manual method 0) is never charged;
// the order waits in WP until the payment is marked received by a push to PR, then completes.
func TestPaymentManualMethodWaits(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, rigOptions{cfg: fastConfig()})
		id := r.place(salesFor(demo.Customer1, "0", 1, 25, false))
		o := r.waitFlow(id, "WP")
		if o.Status != "IN_PROGRESS" || o.PaymentStatus != "WAITING" || o.ProvisioningStatus != "NOT_STARTED" ||
			o.PaymentMethodID == nil || *o.PaymentMethodID != 0 {
			t.Errorf("waiting order: %s (method %v)", o, o.PaymentMethodID)
		}
		r.settled(id, o)
		r.push(id, "PR")
		o = r.waitFlow(id, "CP")
		if o.PaymentStatus != "FINISHED" || o.ProvisioningStatus != "COMPLETED" || len(o.BSSSubscriptions) != 1 {
			t.Errorf("paid order: %s", o)
		}
		if got := r.charges(id); len(got) != 0 {
			t.Errorf("a manual payment went through the gateway: %v", got)
		}
	})
}

// TestPaymentNoMethod: a buyer whose account and reseller have no payment method at all gets
// its order placed, then parked in NP (the seed's warning); once a method is added, a push to
// OP charges it and the order completes.
func TestPaymentNoMethod(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, rigOptions{cfg: fastConfig()})
		ctx := context.Background()
		prov, err := r.st.Provider(ctx)
		if err != nil {
			t.Fatal(err)
		}
		plans, err := r.st.PlansByAPSID(ctx, []string{demo.PlanOfferCounter})
		if err != nil || len(plans) != 1 {
			t.Fatalf("plan: %v", err)
		}
		reseller := account.Account{Type: account.Reseller, Name: "Methodless Reseller", Status: account.Active,
			CanOrder: true, TypeCanOrder: true}
		buyer := account.Account{Type: account.Customer, Name: "No Method Ltd", Status: account.Active,
			CanOrder: true, TypeCanOrder: true}
		err = r.st.InTx(ctx, func(tx *store.Tx) error {
			return errors.Join(store.CreateAccount(ctx, tx, &reseller, &prov), store.CreateAccount(ctx, tx, &buyer, &reseller),
				store.CreateDelegation(ctx, tx, catalog.Delegation{PlanID: plans[0].ID, ResellerID: reseller.ID,
					Rule: catalog.CostPercent, Percent: money.MustParse("10")}))
		})
		if err != nil {
			t.Fatal(err)
		}
		id := r.place(salesFor(buyer.APSID, "", 1, 25, false))
		o := r.waitFlow(id, "NP")
		if o.Status != "PROBLEM" || o.PaymentStatus != "NO_PAYMENT_METHOD" || o.errorDetails() == "" || o.PaymentMethodID != nil {
			t.Errorf("order without a method: %s", o)
		}
		r.settled(id, o)
		if pays := r.payments(o.InternalID); len(pays) != 0 {
			t.Errorf("payments %+v for an order without a method", pays)
		}
		m := account.PaymentMethod{VendorID: reseller.ID, OwnerAccountID: buyer.ID, PaymentSystemID: "Demo.Redirect",
			PaymentSystem: "Demo Payment Gateway", Number: "4111********1111", Name: "VISA ending 1111",
			Type: account.External, Status: "ACTIVE", Ratified: "NOT_REQUIRED", Default: true}
		if err := r.st.InTx(ctx, func(tx *store.Tx) error { return store.CreatePaymentMethod(ctx, tx, &m, false) }); err != nil {
			t.Fatal(err)
		}
		r.push(id, "OP")
		o = r.waitFlow(id, "CP")
		if o.PaymentStatus != "FINISHED" || o.PaymentMethodID == nil || *o.PaymentMethodID != m.ID || o.errorDetails() != "" {
			t.Errorf("order paid with the new method %d: %s (method %v)", m.ID, o, o.PaymentMethodID)
		}
		r.approvedOnce(id)
	})
}
