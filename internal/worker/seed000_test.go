package worker_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/money"
)

// Seed 000: the OSS finished the subscription, billing never learned it, and the order sat in
// "Provisioning Failed" for a month; resubmitting failed with "Subscription already exists".
// These tests put an order in exactly that state and check openbss gets it out.

// alreadyExistsError is the seed's message, from an OSS that does the work and then refuses.
func alreadyExistsError(it gateway.Item) string {
	return fmt.Sprintf("Service Creation Failed: Parallels Operations Automation error #error_code #2007, extype_id #205, "+
		"module_id #ResourceManagement, Subscription #%s already exists..", it.SubscriptionID)
}

// doesThenRefuses does the work and answers 400 with the seed's error.
func doesThenRefuses(it gateway.Item, _ int) ossAnswer {
	return ossAnswer{code: 400, state: gateway.OSSCompleted, message: alreadyExistsError(it)}
}

// TestSeed000ReconciledOutOfPF: the OSS did the work but answered 400, so the order went to
// PF; the reconciliation asks the OSS, hears COMPLETED, and completes the order with nobody's
// help.
func TestSeed000ReconciledOutOfPF(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 300*time.Millisecond
		r, f := httpRig(t, dsn, cfg, doesThenRefuses)
		id := r.place(salesOrder(1, 30, true))
		o := r.waitFlow(id, "PF")
		if !strings.Contains(o.errorDetails(), "already exists") {
			t.Errorf("PF order: %s", o)
		}
		o = r.waitFlow(id, "CP")
		checkCompleted(t, r, f, o)
		if h := r.history(o.InternalID); !slices.Contains(h, "PR>PF") || h[len(h)-1] != "PF>CP" {
			t.Errorf("history %v: want PR>PF and then PF>CP", h)
		}
	})
}

// TestSeed000FailureEventReconciled: the OSS took the item (202), the event that came back
// said IssuedSuccessfully=0, and the OSS's task finished after all; reconciliation finds the
// OSS has it COMPLETED and the order completes.
func TestSeed000FailureEventReconciled(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 300*time.Millisecond
		r, f := httpRig(t, dsn, cfg, accepts)
		id := r.place(salesOrder(1, 30, false))
		o := r.waitFor(id, "item in progress", func(o orderView) bool { return len(o.Items) == 1 && o.Items[0].Status == "IN_PROGRESS" })
		itemID := o.Items[0].ID
		ev := fmt.Sprintf("GateID=4;IssuedSuccessfully=0;Message=Subscription creation failed: task #1284 timed out;OrderItemID=%d;SubscrID=", itemID)
		if status, b := r.event("text/plain", ev); status != http.StatusOK {
			t.Fatalf("failure event: %d %s", status, b)
		}
		o = r.order(id)
		if o.OfStatus != "PF" || !strings.Contains(o.errorDetails(), "task #1284 timed out") || o.Items[0].Status != "FAILED" {
			t.Errorf("after the failure event: %s", o)
		}
		f.finish(strconv.FormatInt(itemID, 10))
		o = r.waitFlow(id, "CP")
		checkCompleted(t, r, f, o)
	})
}

// TestSeed000ManualRepair is the seed's documented repair, with reconciliation off (an older
// installation, or an OSS without the status query): the order sits in PF; the operator
// triggers "Creation Completed" with the failed item's id, and the order completes. Its other
// steps hold too: the item shows Completed, and nothing is left to resubmit.
func TestSeed000ManualRepair(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r, f := httpRig(t, dsn, fastConfig(), doesThenRefuses)
		id := r.place(salesOrder(1, 30, false))
		o := r.waitFlow(id, "PF")
		r.settled(id, o)
		itemID := o.Items[0].ID
		ev := fmt.Sprintf("GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created. ;OrderItemID=%d;SubscrID=oss-%d", itemID, itemID)
		if status, b := r.event("text/plain", ev); status != http.StatusOK {
			t.Fatalf("Creation Completed: %d %s", status, b)
		}
		o = r.order(id)
		checkCompleted(t, r, f, o)
		if o.Items[0].Message != "Operations Automation service is created." {
			t.Errorf("item message %q, want the event's", o.Items[0].Message)
		}
		if status, _ := r.call(http.MethodPost, ordersPath+"/"+id+"/resubmit", "", ""); status != http.StatusConflict {
			t.Errorf("resubmit after the repair: %d, want 409 (nothing left to provision)", status)
		}
	})
}

// TestSeed000ResubmitAlreadyExists is the seed's failed resubmission: the OSS did the work but
// answered 400, the order is in PF, and the operator resubmits. The OSS now says the item
// already exists (409 for the same Idempotency-Key), which is success: the order completes.
func TestSeed000ResubmitAlreadyExists(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r, f := httpRig(t, dsn, fastConfig(), doesThenRefuses)
		id := r.place(salesOrder(1, 30, false))
		r.waitFlow(id, "PF")
		r.push(id, "PR") // the push graph's resubmit
		o := r.waitFlow(id, "CP")
		checkCompleted(t, r, f, o)
		if posts, _ := f.counts(strconv.FormatInt(o.Items[0].ID, 10)); posts != 2 {
			t.Errorf("item posted %d times, want 2", posts)
		}
	})
}

// TestSeed000EventsRefused: events that name no item, or an item of another reseller's
// customer, are refused and change nothing.
func TestSeed000EventsRefused(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r, _ := httpRig(t, dsn, fastConfig(), doesThenRefuses)
		id := r.place(salesOrder(1, 30, false))
		o := r.waitFlow(id, "PF")
		for _, c := range []struct {
			body string
			want int
		}{
			{"GateID=4;IssuedSuccessfully=1;Message=x", http.StatusBadRequest},
			{"GateID=4;IssuedSuccessfully=yes;OrderItemID=" + strconv.FormatInt(o.Items[0].ID, 10), http.StatusBadRequest},
			{"GateID=4;IssuedSuccessfully=1;OrderItemID=99999999", http.StatusNotFound},
			{`{"IssuedSuccessfully":1,"OrderItemID":"abc"}`, http.StatusBadRequest},
		} {
			if status, b := r.event("text/plain", c.body); status != c.want {
				t.Errorf("event %q: %d %s, want %d", c.body, status, b, c.want)
			}
		}
		r.settled(id, o)
	})
}

// TestReconcileGoesPastABadItem: the OSS cannot answer about one stuck item (its status query
// fails); the reconciliation still reaches the items after it, and the seed 000 order among
// them completes.
func TestReconcileGoesPastABadItem(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 50*time.Millisecond
		refuse := func(gateway.Item, int) ossAnswer { return ossAnswer{code: 400, message: "quota exceeded"} }
		r, f := httpRig(t, dsn, cfg, refuse)
		bad := r.waitFlow(r.place(salesOrder(1, 30, false)), "PF") // refused, and older
		f.breakStatus(strconv.FormatInt(bad.Items[0].ID, 10))
		f.setAnswer(doesThenRefuses)
		id := r.place(salesOrder(1, 31, false))
		checkCompleted(t, r, f, r.waitFlow(id, "CP"))
		if o := r.order(bad.OrderID); o.OfStatus != "PF" {
			t.Errorf("the refused order left PF: %s", o)
		}
	})
}

// TestReconcileNotStarvedByRefusedItems: orders rightly in PF (the OSS refused them and has
// nothing) are older than a seed 000 order, and there are more of their items than one
// reconciliation pass looks at; the passes must still get to the newer one.
func TestReconcileNotStarvedByRefusedItems(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ReconcileEvery, cfg.ReconcileAfter, cfg.ReconcileBatch = 20*time.Millisecond, 50*time.Millisecond, 5
		refuse := func(gateway.Item, int) ossAnswer { return ossAnswer{code: 400, message: "quota exceeded"} }
		r, f := httpRig(t, dsn, cfg, refuse)
		for range 4 { // two items each: 8 refused items, more than a pass takes
			r.waitFlow(r.place(salesOrder(1, 30, true)), "PF")
		}
		f.setAnswer(doesThenRefuses)
		id := r.place(salesOrder(1, 31, false))
		checkCompleted(t, r, f, r.waitFlow(id, "CP"))
	})
}

// TestEventForAnItemNotSentRefused: an event about an item openbss has not sent to the OSS yet
// — its order is waiting for payment or was declined — is refused, and creates no subscription
// for an unpaid order.
func TestEventForAnItemNotSentRefused(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		limit := money.MustParse("1.00")
		r := newRig(t, dsn, rigOptions{cfg: fastConfig(), pay: func(d *gateway.DemoPayment) gateway.PaymentGateway {
			d.DeclineOver = &limit
			return d
		}})
		for _, c := range []struct{ body, flow string }{
			{salesOrder(1, 30, false), "PD"},
			{salesFor(demo.Customer1, "0", 1, 30, false), "WP"},
		} {
			o := r.waitFlow(r.place(c.body), c.flow)
			ev := fmt.Sprintf("GateID=4;IssuedSuccessfully=1;Message=done;OrderItemID=%d;SubscrID=oss-x", o.Items[0].ID)
			if status, b := r.event("text/plain", ev); status != http.StatusConflict {
				t.Errorf("%s: event for an item not sent: %d %s, want 409", c.flow, status, b)
			}
			if got := r.order(o.OrderID); got.Items[0].Status != "NOT_STARTED" || len(got.BSSSubscriptions) != 0 {
				t.Errorf("%s: the event changed the order: %s", c.flow, got)
			}
		}
	})
}
