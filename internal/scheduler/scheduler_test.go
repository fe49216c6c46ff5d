package scheduler_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

// TestAutoRenewal: a monthly subscription whose plan renews automatically 7 days before
// expiration, advanced 40 days on the test clock, has one completed RN order (placed on
// 2019-04-13, 7 days before its expiration on 2019-04-20), a new expiration one month later
// (2019-05-20) and an invoice paid by the buyer's card.
//
// The renewal's price, by hand: "Cloud VPSes" 1 MONTHS has no renewal fee, a recurring fee of
// 4.25 and Cloud VPS at 1.00 per unit above the 1 included; the subscription holds 2:
// 4.25 + 1 × 1.00 = 5.25 USD.
func TestAutoRenewal(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.enableAutoRenewal(demo.PlanCloudVPS, demo.SubCloud, 7)
		res := e.advanceTo(epoch.Add(40 * 24 * time.Hour))
		if !res.Now.Equal(time.Date(2019, 5, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("clock after 40 days: %s", res.Now)
		}
		var renew []string
		for _, ev := range res.Events {
			if ev.SubscriptionID == demo.SubCloud {
				renew = append(renew, ev.Kind)
				if ev.Kind == store.EventRenew && (!ev.DueAt.Equal(day(2019, 4, 13)) || !ev.At.Equal(day(2019, 4, 13))) {
					t.Errorf("renewal due %s, run at %s; want 2019-04-13", ev.DueAt, ev.At)
				}
			}
		}
		if len(renew) != 1 || renew[0] != store.EventRenew {
			t.Fatalf("events of %s: %v, want one RENEW", demo.SubCloud, renew)
		}
		// 456808a0 does not renew itself: it expired on 04-12, and by 05-01 it has been through
		// grace and hold, and the termination order placed on 04-26 has completed.
		var other []string
		for _, ev := range res.Events {
			if ev.SubscriptionID == demo.SubVPSDemo {
				other = append(other, ev.Kind+"→"+ev.Status)
			}
		}
		if want := "[GRACE→GRACE HOLD→HOLD TERMINATE→TERMINATED]"; fmt.Sprint(other) != want {
			t.Errorf("events of %s: %v, want %s", demo.SubVPSDemo, other, want)
		}
		sub := e.sub(demo.SubCloud)
		if !sub.ExpirationDate.Equal(day(2019, 5, 20)) || sub.Status != subscription.StatusActive {
			t.Errorf("after renewal: expires %s, %s; want 2019-05-20, ACTIVE", sub.ExpirationDate, sub.Status)
		}
		if sub.LastBillDate == nil || !sub.LastBillDate.Equal(day(2019, 4, 20)) || sub.NextBillDate == nil || !sub.NextBillDate.Equal(day(2019, 5, 20)) {
			t.Errorf("billing period after renewal: %v … %v; want 2019-04-20 … 2019-05-20", sub.LastBillDate, sub.NextBillDate)
		}
		rn := e.order(res.Events[indexOf(res.Events, demo.SubCloud)].OrderID)
		if rn.Type != string(order.CodeRenewal) || rn.Flow != order.Completed || !rn.Total.Equal(d("5.25")) {
			t.Fatalf("renewal order %s: type %s, %s, total %s; want RN, CP, 5.25", rn.Number, rn.Type, rn.Flow, rn.Total)
		}
		docs := e.orderDocs(rn)
		inv, pay := docs[ledger.Invoice], docs[ledger.Payment]
		if inv == nil || !inv.Amount.Equal(d("5.25")) || len(inv.Lines) == 0 {
			t.Fatalf("invoice of %s: %+v", rn.Number, inv)
		}
		if pay == nil || !pay.Amount.Equal(d("5.25")) || pay.MethodID != 11 || pay.RelatedNumber != inv.Number {
			t.Errorf("payment of %s: %+v", rn.Number, pay)
		}
		if !inv.Date.Equal(day(2019, 4, 13)) {
			t.Errorf("invoice dated %s, want the renewal's day 2019-04-13", inv.Date)
		}
		// Nothing more is due before 2019-05-13; then the next renewal.
		res = e.advanceTo(time.Date(2019, 5, 13, 0, 0, 0, 0, time.UTC))
		if i := indexOf(res.Events, demo.SubCloud); i < 0 || res.Events[i].Kind != store.EventRenew {
			t.Errorf("second renewal: %+v", res.Events)
		}
		if sub := e.sub(demo.SubCloud); !sub.ExpirationDate.Equal(day(2019, 6, 20)) {
			t.Errorf("after the second renewal: expires %s, want 2019-06-20", sub.ExpirationDate)
		}
	})
}

func indexOf(evs []scheduledOutcome, subAPSID string) int {
	for i, ev := range evs {
		if ev.SubscriptionID == subAPSID {
			return i
		}
	}
	return -1
}

// TestExpiration: without auto-renewal a subscription that expires on 2019-04-20 is in grace
// from that instant (service on), on hold from 2019-04-27 (service stopped), and terminated on
// 2019-05-04 by a cancellation order (CF: nothing left to refund) — with grace and hold of 7
// days each.
func TestExpiration(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		check := func(at time.Time, status, service string) {
			t.Helper()
			e.advanceTo(at)
			if sub := e.sub(demo.SubCloud); sub.Status != status || sub.ServiceStatus != service {
				t.Errorf("at %s: %s/%s, want %s/%s", at.Format(time.RFC3339), sub.Status, sub.ServiceStatus, status, service)
			}
		}
		check(day(2019, 4, 20).Add(-time.Second), subscription.StatusActive, subscription.ServiceActive)
		check(day(2019, 4, 20), subscription.StatusGrace, subscription.ServiceActive)
		check(day(2019, 4, 27).Add(-time.Second), subscription.StatusGrace, subscription.ServiceActive)
		check(day(2019, 4, 27), subscription.StatusHold, subscription.ServiceStopped)
		check(day(2019, 5, 4).Add(-time.Second), subscription.StatusHold, subscription.ServiceStopped)
		check(day(2019, 5, 4), subscription.StatusTerminated, subscription.ServiceStopped)

		sub := e.sub(demo.SubCloud)
		evs, err := e.st.ScheduleEvents(e.ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			kind string
			at   time.Time
		}{{store.EventGrace, day(2019, 4, 20)}, {store.EventHold, day(2019, 4, 27)}, {store.EventTerminate, day(2019, 5, 4)}}
		if len(evs) != len(want) {
			t.Fatalf("schedule events %+v", evs)
		}
		for i, w := range want {
			if evs[i].Kind != w.kind || !evs[i].DueAt.Equal(w.at) || !evs[i].DoneAt.Equal(w.at) {
				t.Errorf("event %d: %s due %s done %s; want %s at %s", i, evs[i].Kind, evs[i].DueAt, evs[i].DoneAt, w.kind, w.at)
			}
		}
		term := e.orderByID(evs[2].OrderID)
		if term.Type != string(order.CodeCancellationFee) || term.Flow != order.Completed || !term.Total.IsZero() {
			t.Errorf("termination order %s: %s %s total %s; want CF CP 0", term.Number, term.Type, term.Flow, term.Total)
		}
		if len(e.orderDocs(term)) != 0 {
			t.Errorf("a termination moved money: %+v", e.orderDocs(term))
		}
		// The clock only moves forward; a terminated subscription has nothing more due.
		if _, err := e.sched.Advance(e.ctx, day(2019, 5, 1)); !errors.Is(err, clock.ErrBackwards) {
			t.Errorf("advance backwards: %v", err)
		}
		res := e.advanceTo(day(2019, 12, 31))
		if i := indexOf(res.Events, demo.SubCloud); i >= 0 {
			t.Errorf("events after termination: %+v", res.Events[i])
		}
	})
}

// TestRenewalInGrace: a manual RENEWAL completed during grace brings the subscription back to
// ACTIVE for one more period from its old expiration date, and nothing more happens.
func TestRenewalInGrace(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.advanceTo(day(2019, 4, 22))
		if s := e.sub(demo.SubCloud); s.Status != subscription.StatusGrace {
			t.Fatalf("status %s, want GRACE", s.Status)
		}
		rn := e.place(&order.Request{Type: order.Renewal, SubscriptionID: demo.SubCloud})
		if rn.Flow != order.Completed {
			t.Fatalf("renewal %s in %s: %s", rn.Number, rn.Flow, rn.ErrorDetails)
		}
		s := e.sub(demo.SubCloud)
		if s.Status != subscription.StatusActive || !s.ExpirationDate.Equal(day(2019, 5, 20)) {
			t.Errorf("after renewal in grace: %s, expires %s", s.Status, s.ExpirationDate)
		}
		e.advanceTo(day(2019, 5, 19))
		if s := e.sub(demo.SubCloud); s.Status != subscription.StatusActive {
			t.Errorf("status %s on 2019-05-19, want ACTIVE", s.Status)
		}
	})
}

// TestChangeProrated: an upgrade and a downgrade of resource limits mid-period, priced by the
// exact days left in the billing period, with the subscription changed when the order completes.
//
// By hand: "Cloud VPSes" bills Cloud VPS at 1.00 per unit per month above 1 included (no setup
// fee). Subscription a63078fb holds 2 and bills 2019-03-20 … 2019-04-20: 31 days.
//   - Upgrade to 5 on 2019-03-22 (29 days left, today counted): billed units 1 → 4, 3 more:
//     3 × 1.00 × 29/31 = 2.806… → 2.81 USD, charged.
//   - Downgrade to 3 on 2019-04-05 (15 days left): billed units 4 → 2, 2 fewer:
//     2 × 1.00 × 15/31 = 0.967… → 0.97 USD, credited (a credit memo).
func TestChangeProrated(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		vps := func(n string) []pricing.Amount { return []pricing.Amount{{ResourceID: demo.ResVPS, Amount: d(n)}} }
		up := e.place(&order.Request{Type: order.Change, SubscriptionID: demo.SubCloud, Resources: vps("5")})
		if up.Type != string(order.CodeChange) || up.Flow != order.Completed || !up.Total.Equal(d("2.81")) {
			t.Fatalf("upgrade %s: %s %s total %s; want CH CP 2.81 (%s)", up.Number, up.Type, up.Flow, up.Total, up.ErrorDetails)
		}
		rec := line(t, up, pricing.ResourceRecurring)
		if !rec.Quantity.Equal(d("3")) || !rec.ExtendedPrice.Equal(d("2.81")) || rec.Duration == nil ||
			rec.Duration.Unit != "DAYS" || !rec.Duration.Duration.Equal(d("29")) {
			t.Errorf("upgrade line: %+v (duration %+v); want 3 units, 29 DAYS, 2.81", rec, rec.Duration)
		}
		if got := e.sub(demo.SubCloud).Resources; len(got) != 1 || !got[0].Amount.Equal(d("5")) {
			t.Errorf("resources after the upgrade: %+v", got)
		}
		inv := e.orderDocs(up)[ledger.Invoice]
		if inv == nil || !inv.Amount.Equal(d("2.81")) || !sumLines(inv).Equal(d("2.81")) {
			t.Errorf("upgrade invoice: %+v", inv)
		}

		if err := e.clock.Set(time.Date(2019, 4, 5, 10, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		down := e.place(&order.Request{Type: order.Change, SubscriptionID: demo.SubCloud, Resources: vps("3")})
		if down.Type != string(order.CodeChange) || down.Flow != order.Completed || !down.Total.Equal(d("-0.97")) {
			t.Fatalf("downgrade %s: %s %s total %s; want CH CP -0.97", down.Number, down.Type, down.Flow, down.Total)
		}
		cr := line(t, down, pricing.ResourceRecurringCredit)
		if !cr.Quantity.Equal(d("-2")) || !cr.ExtendedPrice.Equal(d("-0.97")) || !cr.Duration.Duration.Equal(d("15")) {
			t.Errorf("downgrade line: %+v; want -2 units, 15 DAYS, -0.97", cr)
		}
		if down.PaymentStatus != order.PaymentRefunded {
			t.Errorf("downgrade payment status %s, want REFUNDED", down.PaymentStatus)
		}
		memo := e.orderDocs(down)[ledger.CreditMemo]
		if memo == nil || !memo.Amount.Equal(d("0.97")) || !sumLines(memo).Equal(d("0.97")) {
			t.Fatalf("downgrade credit memo: %+v", memo)
		}
		if got := e.sub(demo.SubCloud).Resources; !got[0].Amount.Equal(d("3")) {
			t.Errorf("resources after the downgrade: %+v", got)
		}
		b := e.balance(demo.CustomerSubs)
		if !b.Balance.Equal(d("-0.97")) || !b.AvailableCredit.Equal(d("0.97")) {
			t.Errorf("balance %s, credit %s; want -0.97, 0.97", b.Balance, b.AvailableCredit)
		}
	})
}

// TestSwitchPeriod: the seed's switching example (a CHANGE to 3 MONTHS) starts a new billing
// cycle today: when it completes, the subscription runs 3 months from now.
func TestSwitchPeriod(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ch := e.place(&order.Request{Type: order.Change, SubscriptionID: demo.SubVPSDemo, PlanID: demo.PlanOfferCounter,
			Period: &periodMonths3})
		if ch.Flow != order.Completed {
			t.Fatalf("switch %s in %s: %s", ch.Number, ch.Flow, ch.ErrorDetails)
		}
		s := e.sub(demo.SubVPSDemo)
		if s.Period != periodMonths3 || !s.ExpirationDate.Equal(epoch.AddDate(0, 3, 0)) || !s.LastBillDate.Equal(epoch) {
			t.Errorf("after the switch: period %s, last bill %v, expires %s", s.Period, s.LastBillDate, s.ExpirationDate)
		}
	})
}

// TestCancellationCreditMemo: cancelling with CREDIT_MEMO on 2019-03-22 credits the unused 29
// of 31 days, and the account's next order is paid from that credit first.
//
// By hand: plan 4.25 × 29/31 = 3.975… → 3.98; Cloud VPS 1 billed unit × 1.00 × 29/31 = 0.935…
// → 0.94; together 4.92 USD. The next order (Cloud SaaS, 10.00) takes 4.92 from the credit and
// charges the remaining 5.08 to the card.
func TestCancellationCreditMemo(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		cl := e.place(&order.Request{Type: order.Cancellation, SubscriptionID: demo.SubCloud, RefundType: order.RefundCreditMemo})
		if cl.Type != string(order.CodeCancellation) || cl.Flow != order.New || !cl.Total.Equal(d("-4.92")) {
			t.Fatalf("cancellation %s: %s %s total %s; want CL NW -4.92", cl.Number, cl.Type, cl.Flow, cl.Total)
		}
		cl = e.push(cl, order.Open)
		if cl.Flow != order.Completed || cl.PaymentStatus != order.PaymentRefunded {
			t.Fatalf("cancellation after push: %s %s (%s)", cl.Flow, cl.PaymentStatus, cl.ErrorDetails)
		}
		if s := e.sub(demo.SubCloud); s.Status != subscription.StatusTerminated {
			t.Errorf("cancelled subscription is %s", s.Status)
		}
		memo := e.orderDocs(cl)[ledger.CreditMemo]
		if memo == nil || !memo.Amount.Equal(d("4.92")) || len(memo.Lines) != 2 {
			t.Fatalf("credit memo %+v", memo)
		}
		if got := e.balance(demo.CustomerSubs); !got.Balance.Equal(d("-4.92")) || !got.AvailableCredit.Equal(d("4.92")) {
			t.Errorf("balance after the credit memo: %s, credit %s", got.Balance, got.AvailableCredit)
		}
		if n := len(e.pay.refundCalls()); n != 0 {
			t.Errorf("CREDIT_MEMO called the gateway's refund %d times", n)
		}

		so := e.place(saasSale())
		if so.Flow != order.Completed || !so.Total.Equal(d("10")) {
			t.Fatalf("next order %s: %s total %s (%s)", so.Number, so.Flow, so.Total, so.ErrorDetails)
		}
		docs := e.orderDocs(so)
		if inv := docs[ledger.Invoice]; inv == nil || !inv.Amount.Equal(d("10")) || !inv.CreditApplied.Equal(d("4.92")) {
			t.Errorf("invoice of the next order: %+v", inv)
		}
		if pay := docs[ledger.Payment]; pay == nil || !pay.Amount.Equal(d("5.08")) {
			t.Errorf("payment of the next order: %+v", pay)
		}
		var charged int64
		if err := e.st.DB().QueryRow(`SELECT amount FROM demo_gateway_charges WHERE order_id = $1`, so.APSID).Scan(&charged); err != nil || charged != 5_080_000 {
			t.Errorf("the card was charged %d µUSD (%v), want 5.08", charged, err)
		}
		if got := e.balance(demo.CustomerSubs); !got.Balance.IsZero() || !got.AvailableCredit.IsZero() {
			t.Errorf("balance after spending the credit: %s, credit %s", got.Balance, got.AvailableCredit)
		}
	})
}

// TestCreditCoversAnOrderWithoutMethod: an order wholly covered by credit is paid from it even
// when the account has no payment method (it would otherwise stop in NP).
func TestCreditCoversAnOrderWithoutMethod(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		cl := e.push(e.place(&order.Request{Type: order.Cancellation, SubscriptionID: demo.SubCloud,
			RefundType: order.RefundCreditMemo}), order.Open)
		if cl.Flow != order.Completed {
			t.Fatalf("cancellation: %s", cl.Flow)
		}
		if _, err := e.st.DB().Exec(`UPDATE payment_methods SET status = 'DISABLED'`); err != nil {
			t.Fatal(err)
		}
		// A renewal of the VIP subscription is far more than 4.92; Cloud VPSes 1 VPS costs
		// 2.00 setup + 4.25: 6.25, still more. Raise the credit with a second cancellation.
		cl2 := e.push(e.place(&order.Request{Type: order.Cancellation, SubscriptionID: demo.SubVPSDemo,
			RefundType: order.RefundCreditMemo}), order.Open)
		if cl2.Flow != order.Completed {
			t.Fatalf("second cancellation: %s %s", cl2.Flow, cl2.ErrorDetails)
		}
		credit := e.balance(demo.CustomerSubs).AvailableCredit
		so := e.place(&order.Request{Type: order.Sales, AccountID: demo.CustomerSubs, Products: []order.Product{
			{PlanID: demo.PlanCloudVPS, Period: periodMonths1}}})
		if so.Total.Cmp(credit) > 0 {
			t.Fatalf("credit %s does not cover %s", credit, so.Total)
		}
		if so.Flow != order.Completed || so.PaymentStatus != order.PaymentFinished {
			t.Fatalf("order paid from credit: %s %s (%s)", so.Flow, so.PaymentStatus, so.ErrorDetails)
		}
		docs := e.orderDocs(so)
		if inv := docs[ledger.Invoice]; inv == nil || !inv.CreditApplied.Equal(so.Total) || docs[ledger.Payment] != nil {
			t.Errorf("documents of an order paid from credit: %+v", docs)
		}
		if got := e.balance(demo.CustomerSubs).AvailableCredit; !got.Equal(credit.Sub(so.Total)) {
			t.Errorf("credit left %s, want %s", got, credit.Sub(so.Total))
		}
	})
}

// TestCancellationRefund: with refundType REFUND the gateway receives exactly one refund of
// the unused time (4.92, as above) to the buyer's card, even when the order is processed again;
// the books show the credit memo and the refund that paid it out, and the balance is back to 0.
func TestCancellationRefund(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		cl := e.push(e.place(&order.Request{Type: order.Cancellation, SubscriptionID: demo.SubCloud,
			RefundType: order.RefundDirect}), order.Open)
		if cl.Flow != order.Completed || cl.PaymentStatus != order.PaymentRefunded {
			t.Fatalf("cancellation: %s %s (%s)", cl.Flow, cl.PaymentStatus, cl.ErrorDetails)
		}
		// Processing it again (a duplicate job) refunds nothing more.
		if err := e.proc.ProcessOrder(e.ctx, cl.ID, 1); err != nil {
			t.Fatal(err)
		}
		calls := e.pay.refundCalls()
		if len(calls) != 1 {
			t.Fatalf("the gateway received %d refunds, want 1", len(calls))
		}
		if r := calls[0]; !r.Amount.Equal(d("4.92")) || r.MethodID != 11 || r.OrderID != cl.APSID || r.IdempotencyKey != cl.APSID+"/refund/1" {
			t.Errorf("refund %+v", r)
		}
		docs := e.orderDocs(cl)
		memo, rf := docs[ledger.CreditMemo], docs[ledger.Refund]
		if memo == nil || rf == nil || !memo.Amount.Equal(d("4.92")) || !rf.Amount.Equal(d("4.92")) || rf.RelatedNumber != memo.Number {
			t.Fatalf("documents %+v", docs)
		}
		if got := e.balance(demo.CustomerSubs); !got.Balance.IsZero() {
			t.Errorf("balance after a refund: %s, want 0", got.Balance)
		}
	})
}

// TestRefundDeclinedThenRetried: a declined refund parks the order in PD; a push to OP retries
// with a new idempotency key and the books record the one refund that went through.
func TestRefundDeclinedThenRetried(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		if _, err := e.st.DB().Exec(`UPDATE payment_methods SET number = '4111********0002' WHERE id = 11`); err != nil {
			t.Fatal(err)
		}
		cl := e.push(e.place(&order.Request{Type: order.Cancellation, SubscriptionID: demo.SubCloud,
			RefundType: order.RefundDirect}), order.Open)
		if cl.Flow != order.PaymentDeclined || len(e.orderDocs(cl)) != 0 {
			t.Fatalf("declined refund: %s, documents %+v", cl.Flow, e.orderDocs(cl))
		}
		if _, err := e.st.DB().Exec(`UPDATE payment_methods SET number = '4111********1111' WHERE id = 11`); err != nil {
			t.Fatal(err)
		}
		cl = e.push(cl, order.Open)
		if cl.Flow != order.Completed {
			t.Fatalf("retried refund: %s (%s)", cl.Flow, cl.ErrorDetails)
		}
		calls := e.pay.refundCalls()
		if len(calls) != 2 || calls[1].IdempotencyKey != cl.APSID+"/refund/2" {
			t.Errorf("refund calls %+v", calls)
		}
		if docs := e.orderDocs(cl); docs[ledger.Refund] == nil || !e.balance(demo.CustomerSubs).Balance.IsZero() {
			t.Errorf("documents %+v", docs)
		}
	})
}

// TestManualPaymentInvoiced: an order paid by a manual method gets its invoice and payment
// when the payment is marked received (a push from WP to PR).
func TestManualPaymentInvoiced(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		so := e.place(&order.Request{Type: order.Sales, AccountID: demo.Customer1, PaymentMethodID: numericID(0),
			Products: []order.Product{{PlanID: demo.PlanCloudVPS, Period: periodMonths1}}})
		if so.Flow != order.WaitingPayment || len(e.orderDocs(so)) != 0 {
			t.Fatalf("manual order: %s, documents %+v", so.Flow, e.orderDocs(so))
		}
		so = e.push(so, order.Provisioning)
		docs := e.orderDocs(so)
		if so.Flow != order.Completed || docs[ledger.Invoice] == nil || docs[ledger.Payment] == nil ||
			!docs[ledger.Payment].Amount.Equal(so.Total) || docs[ledger.Payment].MethodID != 0 {
			t.Errorf("manual order %s: documents %+v", so.Flow, docs)
		}
	})
}

func line(t *testing.T, o *order.Order, typ pricing.LineType) pricing.Line {
	t.Helper()
	for _, l := range o.Lines {
		if l.Type == typ {
			return l
		}
	}
	t.Fatalf("order %s has no %s line: %+v", o.Number, typ, o.Lines)
	return pricing.Line{}
}

// TestOveruseBillingOrder: Cloud VPS priced at 2.50 per unit of overuse; subscription a63078fb
// (limit 2 VPS, billing period 2019-03-20 … 04-20) reports 3, 5 and 4 VPS. When the period ends
// a billing order charges the peak above the limit: (5 − 2) × 2.50 = 7.50 USD, paid by the card
// and invoiced; the closed period takes no more usage.
func TestOveruseBillingOrder(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.exec(`UPDATE plan_resource_rates SET overuse_fee = 2500000 WHERE resource_id = (SELECT id FROM resources
			WHERE aps_id = $1)`, demo.ResVPS)
		sub := e.sub(demo.SubCloud)
		vps := sub.Resources[0].ResourceID
		for _, u := range []struct {
			at     time.Time
			amount string
		}{{epoch, "3"}, {day(2019, 4, 1), "5"}, {day(2019, 4, 10), "4"}} {
			e.advanceTo(u.at)
			if _, end, err := e.st.RecordUsage(e.ctx, sub, vps, d(u.amount), e.clock.Now()); err != nil || !end.Equal(day(2019, 4, 20)) {
				t.Fatalf("usage %s at %s: period end %s, %v", u.amount, u.at, end, err)
			}
		}
		res := e.advanceTo(day(2019, 4, 21))
		var bill *scheduledOutcome
		for i := range res.Events {
			if res.Events[i].Kind == store.EventBill {
				bill = &res.Events[i]
			}
		}
		if bill == nil || bill.SubscriptionID != demo.SubCloud || !bill.DueAt.Equal(day(2019, 4, 20)) || bill.OrderID == "" {
			t.Fatalf("billing event: %+v in %+v", bill, res.Events)
		}
		bo := e.order(bill.OrderID)
		if bo.Type != string(order.CodeBilling) || bo.Flow != order.Completed || !bo.Total.Equal(d("7.5")) || len(bo.Lines) != 1 {
			t.Fatalf("billing order %s: %s %s total %s lines %+v (%s)", bo.Number, bo.Type, bo.Flow, bo.Total, bo.Lines, bo.ErrorDetails)
		}
		if l := bo.Lines[0]; l.Type != "RESOURCE_OVERUSE" || !l.Quantity.Equal(d("3")) || !l.UnitPrice.Equal(d("2.5")) {
			t.Errorf("overuse line %+v", l)
		}
		docs := e.orderDocs(bo)
		if inv, pay := docs[ledger.Invoice], docs[ledger.Payment]; inv == nil || pay == nil || !inv.Amount.Equal(d("7.5")) ||
			!pay.Amount.Equal(d("7.5")) {
			t.Errorf("billing order documents %+v", docs)
		}
		if _, _, err := e.st.RecordUsage(e.ctx, sub, vps, d("9"), day(2019, 4, 15)); !errors.Is(err, store.ErrUsagePeriod) {
			t.Errorf("usage in a billed period: %v", err)
		}
		if res := e.advanceTo(day(2019, 6, 1)); indexOfKind(res.Events, store.EventBill) >= 0 {
			t.Errorf("the period was billed twice: %+v", res.Events)
		}
	})
}

// TestUsageWithinLimitsBillsNothing: a period whose peak stays within the limit is closed with
// no order.
func TestUsageWithinLimitsBillsNothing(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.exec(`UPDATE plan_resource_rates SET overuse_fee = 2500000`)
		sub := e.sub(demo.SubCloud)
		if _, _, err := e.st.RecordUsage(e.ctx, sub, sub.Resources[0].ResourceID, d("2"), epoch); err != nil {
			t.Fatal(err)
		}
		res := e.advanceTo(day(2019, 4, 21))
		i := indexOfKind(res.Events, store.EventBill)
		if i < 0 || res.Events[i].OrderID != "" {
			t.Fatalf("billing of a period within limits: %+v", res.Events)
		}
		var n int
		if err := e.st.DB().QueryRow(`SELECT COUNT(*) FROM orders WHERE type = 'BO'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d billing orders (%v)", n, err)
		}
	})
}

func indexOfKind(evs []scheduledOutcome, kind string) int {
	for i, ev := range evs {
		if ev.Kind == kind {
			return i
		}
	}
	return -1
}
