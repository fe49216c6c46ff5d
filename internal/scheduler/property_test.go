package scheduler_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
)

// TestLedgerProperty runs random sequences of operations on one account — sales, upgrades and
// downgrades, renewals, cancellations with either refund type, declined cards, no payment
// method at all, and time passing on the test clock (auto-renewals, grace, hold, terminations)
// — and after every step checks the books: the balance the store derives equals the sum of the
// account's documents; credit is never spent beyond what was issued; every paid order has one
// invoice, settled by its payment and the credit it used; every order that owed the buyer has
// its credit memo, and a refund pays out exactly its memo; the gateway's own books agree with
// the payments and refunds. OPENBSS_PROPERTY_SEEDS sets the number of sequences (default 4).
func TestLedgerProperty(t *testing.T) {
	n := 4
	if v, err := strconv.Atoi(os.Getenv("OPENBSS_PROPERTY_SEEDS")); err == nil && v > 0 {
		n = v
	}
	if testing.Short() {
		n = 1
	}
	for seed := range uint64(n) {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			engines(t, func(t *testing.T, e *env) {
				e.enableAutoRenewal(demo.PlanCloudVPS, demo.SubCloud, 5)
				r := rand.New(rand.NewPCG(seed, 0x1ed9e7))
				var log []string
				defer func() {
					if t.Failed() || os.Getenv("OPENBSS_PROPERTY_LOG") != "" {
						t.Logf("operations (seed %d):\n%s", seed, strings.Join(log, "\n"))
					}
				}()
				for step := range 30 {
					op := propertyOp(t, e, r)
					log = append(log, fmt.Sprintf("%d %s %s", step, e.clock.Now().Format("2006-01-02"), op))
					checkBooks(t, e, demo.CustomerSubs)
					if t.Failed() {
						return
					}
				}
			})
		})
	}
}

// propertyOp does one random operation and says what it did.
func propertyOp(t *testing.T, e *env, r *rand.Rand) string {
	t.Helper()
	subs := e.liveSubscriptions(demo.CustomerSubs)
	pick := func() string { return subs[r.IntN(len(subs))] }
	vps := func(n int) []pricing.Amount {
		return []pricing.Amount{{ResourceID: demo.ResVPS, Amount: money.FromInt(int64(n))}}
	}
	switch k := r.IntN(10); {
	case k < 2 || len(subs) == 0:
		req := &order.Request{Type: order.Sales, AccountID: demo.CustomerSubs,
			Products: []order.Product{{PlanID: demo.PlanCloudVPS, Period: periodMonths1, Resources: vps(1 + r.IntN(4))}}}
		if r.IntN(3) == 0 {
			req = saasSale()
		}
		return "sale: " + e.tryPlace(req)
	case k < 4:
		return "change: " + e.tryPlace(&order.Request{Type: order.Change, SubscriptionID: pick(), Resources: vps(1 + r.IntN(6))})
	case k < 5:
		return "renew: " + e.tryPlace(&order.Request{Type: order.Renewal, SubscriptionID: pick()})
	case k < 6:
		rt := []order.RefundType{order.RefundCreditMemo, order.RefundDirect, ""}[r.IntN(3)]
		return "cancel " + string(rt) + ": " + e.tryPlace(&order.Request{Type: order.Cancellation, SubscriptionID: pick(), RefundType: rt})
	case k < 7:
		// The card declines from now on, or works again.
		num := "4111********1111"
		if r.IntN(2) == 0 {
			num = "4111********0002"
		}
		e.exec(`UPDATE payment_methods SET number = $1 WHERE id = 11`, num)
		return "card " + num
	case k < 8:
		// The account loses every payment method, or gets them back.
		status := []string{"ACTIVE", "DISABLED"}[r.IntN(2)]
		e.exec(`UPDATE payment_methods SET status = $1`, status)
		return "payment methods " + status
	default:
		days := 1 + r.IntN(20)
		res := e.advanceTo(e.clock.Now().AddDate(0, 0, days))
		return fmt.Sprintf("advance %d days: %d events", days, len(res.Events))
	}
}

// tryPlace places an order; a refusal (4xx) is an outcome, not a failure. A cancellation that
// owes the buyer is pushed to OP, as the seed says.
func (e *env) tryPlace(req *order.Request) string {
	e.t.Helper()
	placed, err := e.svc.PlaceOrder(e.ctx, e.provider(), req, "", "")
	if p, ok := problem.As(err); ok && p.Status < 500 {
		return "refused: " + p.Type
	}
	if err != nil {
		e.t.Fatalf("place %s: %v", req.Type, err)
	}
	e.mustDrain()
	o := e.order(placed.OrderID)
	if o.Flow == order.New {
		o = e.push(o, order.Open)
	}
	return fmt.Sprintf("%s %s %s total %s", o.Number, o.Flow, o.PaymentStatus, o.Total)
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.st.DB().ExecContext(e.ctx, q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) liveSubscriptions(accountAPSID string) []string {
	e.t.Helper()
	rows, err := e.st.DB().QueryContext(e.ctx, `SELECT s.aps_id FROM subscriptions s JOIN accounts a ON a.id = s.account_id
		WHERE a.aps_id = $1 AND s.status <> 'TERMINATED' ORDER BY s.id`, accountAPSID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// checkBooks checks the ledger invariants of one account.
func checkBooks(t *testing.T, e *env, accountAPSID string) {
	t.Helper()
	docs := e.documents(accountAPSID)
	sum, credited, refunded, applied := money.Zero, money.Zero, money.Zero, money.Zero
	byNumber := map[string]*ledger.Document{}
	byOrder := map[int64]map[ledger.Type]*ledger.Document{}
	for _, d := range docs {
		byNumber[d.Number] = d
		if byOrder[d.OrderID] == nil {
			byOrder[d.OrderID] = map[ledger.Type]*ledger.Document{}
		}
		if byOrder[d.OrderID][d.Type] != nil {
			t.Errorf("order %d has two %s documents", d.OrderID, d.Type)
		}
		byOrder[d.OrderID][d.Type] = d
		if d.Amount.Sign() <= 0 {
			t.Errorf("%s has amount %s", d.Number, d.Amount)
		}
		switch d.Type {
		case ledger.Invoice:
			sum = sum.Add(d.Amount)
			applied = applied.Add(d.CreditApplied)
		case ledger.Payment:
			sum = sum.Sub(d.Amount)
		case ledger.CreditMemo:
			sum = sum.Sub(d.Amount)
			credited = credited.Add(d.Amount)
		case ledger.Refund:
			sum = sum.Add(d.Amount)
			refunded = refunded.Add(d.Amount)
		default:
			t.Errorf("%s: unknown type %s", d.Number, d.Type)
		}
	}
	b := e.balance(accountAPSID)
	if !b.Balance.Equal(sum) {
		t.Errorf("derived balance %s, sum of the %d documents %s", b.Balance, len(docs), sum)
	}
	plain := make([]ledger.Document, len(docs))
	for i, d := range docs {
		plain[i] = *d
	}
	if s := ledger.Summarize("USD", plain); !s.Balance.Equal(sum) || s.Documents != b.Documents {
		t.Errorf("Summarize: %s over %d documents; store: %s over %d", s.Balance, s.Documents, sum, b.Documents)
	}
	if !b.Reserved.IsZero() || !b.AvailableCredit.Equal(ledger.Credit(sum)) {
		t.Errorf("available credit %s (reserved %s) for a balance of %s", b.AvailableCredit, b.Reserved, sum)
	}
	if applied.Cmp(credited.Sub(refunded)) > 0 {
		t.Errorf("credit applied %s exceeds credit issued %s less refunded %s", applied, credited, refunded)
	}
	for _, o := range e.accountOrders(accountAPSID) {
		if o.Flow == order.Completed && o.PaymentStatus != order.PaymentFinished &&
			o.PaymentStatus != order.PaymentNotRequired && o.PaymentStatus != order.PaymentRefunded {
			t.Errorf("completed order %s with payment status %s", o.Number, o.PaymentStatus)
		}
		d := byOrder[o.ID]
		inv, pay, memo, rf := d[ledger.Invoice], d[ledger.Payment], d[ledger.CreditMemo], d[ledger.Refund]
		switch {
		case o.PaymentStatus == order.PaymentFinished && o.Total.Sign() > 0:
			if inv == nil || !inv.Amount.Equal(o.Total) {
				t.Errorf("paid order %s (%s): invoice %+v", o.Number, o.Total, inv)
				continue
			}
			paid := inv.CreditApplied
			if pay != nil {
				paid = paid.Add(pay.Amount)
				if pay.RelatedNumber != inv.Number {
					t.Errorf("payment %s settles %q, not its invoice %s", pay.Number, pay.RelatedNumber, inv.Number)
				}
			}
			if !paid.Equal(inv.Amount) {
				t.Errorf("invoice %s of %s: credit %s + payment %v != %s", inv.Number, o.Number, inv.CreditApplied, pay, inv.Amount)
			}
		case o.PaymentStatus == order.PaymentRefunded:
			if memo == nil || !memo.Amount.Equal(o.Total.Neg()) {
				t.Errorf("order %s owing %s: credit memo %+v", o.Number, o.Total.Neg(), memo)
			}
			if (rf != nil) != (o.RefundType == string(order.RefundDirect) && o.Type == string(order.CodeCancellation)) {
				t.Errorf("order %s (refundType %q): refund %+v", o.Number, o.RefundType, rf)
			}
			if rf != nil && (!rf.Amount.Equal(memo.Amount) || byNumber[rf.RelatedNumber] != memo) {
				t.Errorf("refund %s pays %s of %s, its memo %s is %s", rf.Number, rf.Amount, rf.RelatedNumber, memo.Number, memo.Amount)
			}
		default:
			if len(d) != 0 {
				t.Errorf("order %s (%s, payment %s) moved money: %+v", o.Number, o.Flow, o.PaymentStatus, d)
			}
		}
	}
	// The gateway's own books agree with the ledger's payments and refunds.
	var charged, paidBack int64
	if err := e.st.DB().QueryRowContext(e.ctx, `SELECT COALESCE(SUM(c.amount), 0) FROM demo_gateway_charges c
		JOIN orders o ON o.aps_id = c.order_id JOIN accounts a ON a.id = o.buyer_id
		WHERE a.aps_id = $1 AND c.status = 'APPROVED'`, accountAPSID).Scan(&charged); err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB().QueryRowContext(e.ctx, `SELECT COALESCE(SUM(r.amount), 0) FROM demo_gateway_refunds r
		JOIN orders o ON o.aps_id = r.order_id JOIN accounts a ON a.id = o.buyer_id
		WHERE a.aps_id = $1 AND r.status = 'APPROVED'`, accountAPSID).Scan(&paidBack); err != nil {
		t.Fatal(err)
	}
	payments := money.Zero
	for _, d := range docs {
		if d.Type == ledger.Payment && d.TransactionID != "manual" {
			payments = payments.Add(d.Amount)
		}
	}
	if !money.FromMicros(charged).Equal(payments) || !money.FromMicros(paidBack).Equal(refunded) {
		t.Errorf("gateway charged %s and refunded %s; the ledger has payments %s and refunds %s",
			money.FromMicros(charged), money.FromMicros(paidBack), payments, refunded)
	}
}

// accountOrders reads every order of an account.
func (e *env) accountOrders(accountAPSID string) []*order.Order {
	e.t.Helper()
	rows, err := e.st.DB().QueryContext(e.ctx, `SELECT o.aps_id FROM orders o JOIN accounts a ON a.id = o.buyer_id
		WHERE a.aps_id = $1 ORDER BY o.id`, accountAPSID)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]*order.Order, len(ids))
	for i, id := range ids {
		out[i] = e.order(id)
	}
	return out
}
