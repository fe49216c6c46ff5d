package worker_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/worker"
)

// httpRig is a rig whose OSS is the fake behind openbss's HTTP gateway.
func httpRig(t *testing.T, dsn string, cfg worker.Config, answer func(gateway.Item, int) ossAnswer) (*rig, *fakeOSS) {
	f := newFakeOSS(t, answer)
	r := newRig(t, dsn, rigOptions{cfg: cfg, oss: func(*store.Store) gateway.OSS { return f.gateway() }})
	return r, f
}

// checkCompleted checks an order is in CP with every item done exactly once by the OSS, each
// with its own OSS subscription recorded on the item, the order and the BSS subscription.
func checkCompleted(t *testing.T, r *rig, f *fakeOSS, o orderView) {
	t.Helper()
	if o.OfStatus != "CP" || o.Status != "COMPLETED" || o.ProvisioningStatus != "COMPLETED" || o.PaymentStatus != "FINISHED" || o.errorDetails() != "" {
		t.Errorf("order not completed cleanly: %s", o)
	}
	for _, it := range o.Items {
		id := strconv.FormatInt(it.ID, 10)
		if _, done := f.counts(id); done != 1 {
			t.Errorf("item %s: the OSS did the work %d times, want exactly once", id, done)
		}
		if it.Status != "COMPLETED" || it.OSSSubscriptionID != "oss-"+id || !slices.Contains(o.Subscriptions, "oss-"+id) {
			t.Errorf("item %+v: want COMPLETED with OSS subscription oss-%s listed in %v", it, id, o.Subscriptions)
		}
		if n := r.count(`SELECT COUNT(*) FROM subscriptions WHERE aps_id = $1 AND oss_id = $2`, it.SubscriptionID, "oss-"+id); n != 1 {
			t.Errorf("item %s: %d BSS subscriptions coupled to oss-%s, want 1", id, n, id)
		}
	}
	if len(o.BSSSubscriptions) != len(o.Items) {
		t.Errorf("order lists %d BSS subscriptions for %d items", len(o.BSSSubscriptions), len(o.Items))
	}
}

// TestHTTPOSSLostAnswerThenAlreadyExists, acceptance (a): the OSS does the work but answers
// 500; the retry (same Idempotency-Key) gets 409 ALREADY_EXISTS, which is success. Every order
// ends in CP with exactly one OSS subscription per item.
func TestHTTPOSSLostAnswerThenAlreadyExists(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r, f := httpRig(t, dsn, fastConfig(), func(it gateway.Item, try int) ossAnswer {
			return ossAnswer{code: 500, state: gateway.OSSCompleted}
		})
		var ids []string
		for i := range 4 {
			ids = append(ids, r.place(salesOrder(1, 21+i, i%2 == 0)))
		}
		for _, id := range ids {
			o := r.waitFor(id, "CP", func(o orderView) bool { return o.OfStatus == "CP" || o.Status == "PROBLEM" })
			checkCompleted(t, r, f, o)
			for _, it := range o.Items {
				if posts, _ := f.counts(strconv.FormatInt(it.ID, 10)); posts != 2 {
					t.Errorf("item %d posted %d times, want 2 (the lost answer, then the retry)", it.ID, posts)
				}
			}
		}
	})
}

// TestHTTPOSSAsyncCompletionEvent, acceptance (b): the OSS answers 202 and reports later through
// the events endpoint, in JSON or in the seed's text form; the order completes, and the same
// event again changes nothing.
func TestHTTPOSSAsyncCompletionEvent(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r, f := httpRig(t, dsn, fastConfig(), accepts)
		forms := map[string]func(itemID int64) (string, string){
			"json": func(id int64) (string, string) {
				return "application/json", fmt.Sprintf(`{"Event":"Creation Completed","GateID":4,"IssuedSuccessfully":1,`+
					`"Message":"Operations Automation service is created.","OrderItemID":%d,"SubscrID":"oss-%d"}`, id, id)
			},
			"text": func(id int64) (string, string) {
				return "text/plain", fmt.Sprintf("GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created. ;OrderItemID=%d;SubscrID=oss-%d", id, id)
			},
		}
		for _, form := range []string{"json", "text"} {
			id := r.place(salesOrder(1, 30, false))
			o := r.waitFor(id, "an item in progress", func(o orderView) bool {
				return o.OfStatus == "PR" && len(o.Items) == 1 && o.Items[0].Status == "IN_PROGRESS"
			})
			if o.ProvisioningStatus != "IN_PROGRESS" || o.PaymentStatus != "FINISHED" || o.Status != "IN_PROGRESS" {
				t.Errorf("%s: waiting for the OSS: %s", form, o)
			}
			r.settled(id, o) // nothing moves until the OSS reports
			itemID := o.Items[0].ID
			f.finish(strconv.FormatInt(itemID, 10))
			ct, body := forms[form](itemID)
			if status, b := r.event(ct, body); status != http.StatusOK {
				t.Fatalf("%s event: %d %s", form, status, b)
			}
			o = r.order(id) // the event settles the order before it answers
			checkCompleted(t, r, f, o)
			events := r.count(`SELECT COUNT(*) FROM order_events WHERE order_id = $1`, o.InternalID)
			subs := r.count(`SELECT COUNT(*) FROM subscriptions`)
			if status, b := r.event(ct, body); status != http.StatusOK {
				t.Fatalf("%s event again: %d %s", form, status, b)
			}
			if again := r.order(id); string(again.raw) != string(o.raw) {
				t.Errorf("%s: the same event twice changed the order:\n%s\n%s", form, o.raw, again.raw)
			}
			if n := r.count(`SELECT COUNT(*) FROM order_events WHERE order_id = $1`, o.InternalID); n != events {
				t.Errorf("%s: the same event twice added history: %d events, had %d", form, n, events)
			}
			if n := r.count(`SELECT COUNT(*) FROM subscriptions`); n != subs {
				t.Errorf("%s: the same event twice changed subscriptions: %d, had %d", form, n, subs)
			}
		}
	})
}

// TestHTTPOSSAsyncReconciled: an OSS that answers 202 and never calls back is asked by the
// reconciliation once the item has been in progress long enough; its COMPLETED answer
// completes the order.
func TestHTTPOSSAsyncReconciled(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 100*time.Millisecond
		r, f := httpRig(t, dsn, cfg, accepts)
		id := r.place(salesOrder(1, 30, true))
		o := r.waitFor(id, "items in progress", func(o orderView) bool {
			return o.OfStatus == "PR" && len(o.Items) == 2 && o.Items[0].Status == "IN_PROGRESS" && o.Items[1].Status == "IN_PROGRESS"
		})
		r.settled(id, o) // the OSS still says IN_PROGRESS: reconciliation leaves the items be
		for _, it := range o.Items {
			f.finish(strconv.FormatInt(it.ID, 10))
		}
		checkCompleted(t, r, f, r.waitFlow(id, "CP"))
	})
}

// TestHTTPOSSPermanentFailureThenResubmit, acceptance (c): the OSS answers 400; the order is in
// PF with the OSS's message on the order and the item, and stays there (reconciliation does
// not resend a refused item); once the OSS is fixed, a resubmit completes it.
func TestHTTPOSSPermanentFailureThenResubmit(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 20*time.Millisecond
		const msg = "Quota exceeded for plan Offer-Counter: 0 projects left"
		refuse := func(gateway.Item, int) ossAnswer { return ossAnswer{code: 400, message: msg} }
		r, f := httpRig(t, dsn, cfg, refuse)
		id := r.place(salesOrder(1, 25, false))
		o := r.waitFlow(id, "PF")
		if o.Status != "PROBLEM" || o.ProvisioningStatus != "FAILED" || o.PaymentStatus != "FINISHED" ||
			!strings.Contains(o.errorDetails(), msg) {
			t.Errorf("failed order: %s", o)
		}
		if it := o.Items[0]; it.Status != "FAILED" || !strings.Contains(it.Message, msg) {
			t.Errorf("failed item: %+v", it)
		}
		if !slices.Contains(r.orderPushTargets(id), "PR") {
			t.Errorf("PF order offers no resubmit (push to PR): %v", r.orderPushTargets(id))
		}
		r.settled(id, o)
		itemID := strconv.FormatInt(o.Items[0].ID, 10)
		if posts, _ := f.counts(itemID); posts != 1 {
			t.Errorf("a refused item was posted %d times, want once", posts)
		}
		f.setAnswer(completes)
		if status, b := r.call(http.MethodPost, ordersPath+"/"+id+"/resubmit", "", ""); status != http.StatusOK {
			t.Fatalf("resubmit: %d %s", status, b)
		}
		checkCompleted(t, r, f, r.waitFlow(id, "CP"))
		if status, _ := r.call(http.MethodPost, ordersPath+"/"+id+"/resubmit", "", ""); status != http.StatusConflict {
			t.Errorf("resubmit of a completed order: %d, want 409", status)
		}
	})
}

func (r *rig) orderPushTargets(id string) []string {
	r.t.Helper()
	var v struct {
		Targets []string `json:"possiblePushToStatus"`
	}
	o := r.order(id)
	if err := json.Unmarshal(o.raw, &v); err != nil {
		r.t.Fatal(err)
	}
	return v.Targets
}

// TestHTTPOSSDownForAWhile, acceptance (d): the OSS refuses connections, then answers 503, then
// comes back; the orders placed meanwhile complete with retries and backoff, each item done once.
func TestHTTPOSSDownForAWhile(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ItemAttempts = 50
		r, f := httpRig(t, dsn, cfg, completes)
		f.down()
		var ids []string
		for i := range 3 {
			ids = append(ids, r.place(salesOrder(1, 21+i, i == 0)))
		}
		o := r.waitFor(ids[0], "a failed try", func(o orderView) bool { return len(o.Items) > 0 && o.Items[0].Attempts >= 2 })
		if o.OfStatus != "PR" || o.Status != "IN_PROGRESS" || !strings.Contains(o.Items[0].Message, "unreachable") {
			t.Errorf("while the OSS is down: %s", o)
		}
		f.up()
		f.setUnavailable(true)
		time.Sleep(150 * time.Millisecond)
		f.setUnavailable(false)
		for _, id := range ids {
			checkCompleted(t, r, f, r.waitFlow(id, "CP"))
		}
	})
}

// TestHTTPOSSDownRetriesRunOut, acceptance (d) continued: when the retries run out the order
// parks in PF saying the OSS is unreachable; once the OSS is back, the reconciliation finds it
// never got the item, sends it again, and the order completes without anyone's help.
func TestHTTPOSSDownRetriesRunOut(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ItemAttempts = 2
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 50*time.Millisecond
		r, f := httpRig(t, dsn, cfg, completes)
		f.down()
		id := r.place(salesOrder(1, 22, true))
		o := r.waitFlow(id, "PF")
		if o.Status != "PROBLEM" || o.ProvisioningStatus != "FAILED" || !strings.Contains(o.errorDetails(), "unreachable") {
			t.Errorf("retries ran out: %s", o)
		}
		r.settled(id, o) // the OSS is still down: nothing to do
		f.setAnswer(accepts)
		f.up()
		o = r.waitFor(id, "items in progress", func(o orderView) bool {
			return o.OfStatus == "PR" && o.Items[0].Status == "IN_PROGRESS" && o.Items[1].Status == "IN_PROGRESS"
		}) // r.order checks the order left its failure behind
		for _, it := range o.Items {
			f.finish(strconv.FormatInt(it.ID, 10))
		}
		o = r.waitFlow(id, "CP")
		checkCompleted(t, r, f, o)
		if h := r.history(o.InternalID); !slices.Contains(h, "PR>PF") || h[len(h)-1] != "PR>CP" {
			t.Errorf("history %v: want PR>PF, then back to PR and on to CP", h)
		}
	})
}

// TestHTTPOSSResentItemGetsItsRetries: after the retries ran out and the reconciliation sends
// the item again, that send gets its own retries: one more blip of the OSS does not fail the
// order straight back into PF.
func TestHTTPOSSResentItemGetsItsRetries(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig()
		cfg.ItemAttempts = 2
		cfg.ReconcileEvery, cfg.ReconcileAfter = 20*time.Millisecond, 50*time.Millisecond
		blipOnce := func(_ gateway.Item, try int) ossAnswer {
			if try == 1 {
				return ossAnswer{code: 503}
			}
			return ossAnswer{code: 201, state: gateway.OSSCompleted}
		}
		r, f := httpRig(t, dsn, cfg, blipOnce)
		f.down()
		id := r.place(salesOrder(1, 22, false))
		r.waitFlow(id, "PF")
		f.up()
		o := r.waitFlow(id, "CP")
		checkCompleted(t, r, f, o)
		failed := 0
		for _, step := range r.history(o.InternalID) {
			if step == "PR>PF" {
				failed++
			}
		}
		if h := r.history(o.InternalID); failed != 1 {
			t.Errorf("history %v: the resent item failed again on one blip", h)
		}
	})
}
