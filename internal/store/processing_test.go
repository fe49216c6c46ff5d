package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// RelockOrder on an order read before answers what LockOrder reads, and RereadOrder what
// ReadOrder reads, whatever changed since the read among what changes after placement; the read
// itself is left as it was.
func TestRelockOrderIsLockOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		o := &order.Order{Type: "SO", BuyerID: tr.customerA.ID, BuyerPath: tr.customerA.Path, SellerID: tr.resellerA.ID,
			Currency: "USD", Flow: order.New, PaymentStatus: order.PaymentNotStarted,
			ProvisioningStatus: order.ProvisioningNotStarted, Request: []byte("{}")}
		for _, plan := range []string{"plan-a", "plan-b"} {
			o.Items = append(o.Items, order.Item{Action: order.ActionCreate, PlanAPSID: plan, SubscriptionAPSID: "sub-" + plan,
				Spec: json.RawMessage(`{"planId":"` + plan + `"}`)})
		}
		mustTx(t, s, func(tx *store.Tx) error { return store.InsertOrder(ctx, tx, o) })
		read, _, err := s.ReadOrder(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := *read
		kept.Items = slices.Clone(read.Items)
		// check compares RelockOrder of read with LockOrder of the same order, and returns the
		// former.
		check := func(what string, read *order.Order) (got *order.Order) {
			t.Helper()
			mustTx(t, s, func(tx *store.Tx) error {
				want, wantAttempt, err := store.LockOrder(ctx, tx, read.ID)
				if err != nil {
					return err
				}
				var gotAttempt int
				got, gotAttempt, err = store.RelockOrder(ctx, tx, read)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, want) || gotAttempt != wantAttempt {
					t.Errorf("%s: RelockOrder\n%+v (attempt %d), LockOrder\n%+v (attempt %d)", what, got, gotAttempt, want, wantAttempt)
				}
				return nil
			})
			want, wantAttempt, err := s.ReadOrder(ctx, read.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again, gotAttempt, err := s.RereadOrder(ctx, read); err != nil || !reflect.DeepEqual(again, want) || gotAttempt != wantAttempt {
				t.Errorf("%s: RereadOrder\n%+v (attempt %d, %v), ReadOrder\n%+v (attempt %d)", what, again, gotAttempt, err, want, wantAttempt)
			}
			return got
		}
		check("as read", read)
		exec := func(query string, args ...any) {
			t.Helper()
			mustTx(t, s, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, query, args...); return err })
		}
		exec(`UPDATE orders SET of_status = 'PR', status = 'IN_PROGRESS', payment_status = 'FINISHED',
			provisioning_status = 'IN_PROGRESS', payment_method_id = 77, error_details = 'details', payment_attempt = 3,
			updated_at = updated_at + 5 WHERE id = $1`, o.ID)
		exec(`UPDATE provisioning_items SET status = 'FAILED', message = 'it failed', gate_id = 'gate',
			oss_subscription_id = 'oss-1', attempts = 4, updated_at = updated_at + 7 WHERE id = $1`, read.Items[1].ID)
		check("changed since it was read", read)
		exec(`UPDATE orders SET payment_method_id = NULL WHERE id = $1`, o.ID)
		check("its payment method cleared", read)
		if !reflect.DeepEqual(read, &kept) {
			t.Errorf("RelockOrder changed the read:\n%+v\nwas\n%+v", read, &kept)
		}
		// An order without items: its row alone (the items' columns of the join are NULL).
		bare := &order.Order{Type: "SO", BuyerID: tr.customerA.ID, BuyerPath: tr.customerA.Path, SellerID: tr.resellerA.ID,
			Currency: "USD", Flow: order.New, PaymentStatus: order.PaymentNotStarted,
			ProvisioningStatus: order.ProvisioningNotStarted, Request: []byte("{}")}
		mustTx(t, s, func(tx *store.Tx) error { return store.InsertOrder(ctx, tx, bare) })
		bareRead, _, err := s.ReadOrder(ctx, bare.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := check("an order without items", bareRead); got == nil || len(got.Items) != 0 {
			t.Errorf("an order without items: RelockOrder %+v", got)
		}
		mustTx(t, s, func(tx *store.Tx) error {
			gone := *bareRead
			gone.ID = bare.ID + 1_000_000
			if _, _, err := store.RelockOrder(ctx, tx, &gone); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("no such order: %v, want ErrNotFound", err)
			}
			if _, _, err := s.RereadOrder(ctx, &gone); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("no such order: RereadOrder %v, want ErrNotFound", err)
			}
			return nil
		})
		for what, items := range map[string][]order.Item{
			"read without an item":  read.Items[:1],
			"read with one more":    append(slices.Clone(read.Items), order.Item{ID: read.Items[1].ID + 1}),
			"read with another one": {read.Items[1], read.Items[0]},
		} {
			odd := *read
			odd.Items = items
			check(what, &odd)
		}
	})
}

// ApplyItem creates a subscription from the plan read before (ItemPlan) only while the catalog
// is as it was then: after a change, from the plan as it is in the transaction.
func TestApplyItemPlanFollowsTheCatalog(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.LoadDemo(t, s)
		buyer, err := s.Account(ctx, demo.Customer1)
		if err != nil {
			t.Fatal(err)
		}
		seller, err := s.Account(ctx, demo.ResellerA)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		apply := func(plan string, known store.ItemPlan) string {
			t.Helper()
			n++
			sub := fmt.Sprintf("sub-%d", n)
			o := &order.Order{Type: "SO", BuyerID: buyer.ID, BuyerPath: buyer.Path, SellerID: seller.ID, Currency: "USD",
				Flow: order.Provisioning, PaymentStatus: order.PaymentFinished, ProvisioningStatus: order.ProvisioningInProgress,
				Request: []byte("{}"), Items: []order.Item{{Action: order.ActionCreate, PlanAPSID: plan, SubscriptionAPSID: sub,
					Spec: json.RawMessage(`{"planId":"` + plan + `","period":{"unit":"MONTHS","duration":1}}`)}}}
			mustTx(t, s, func(tx *store.Tx) error {
				if err := store.InsertOrder(ctx, tx, o); err != nil {
					return err
				}
				return store.ApplyItem(ctx, tx, o, &o.Items[0], known)
			})
			got, err := s.Subscription(ctx, sub)
			if err != nil {
				t.Fatal(err)
			}
			return got.Name
		}
		known, err := s.ItemPlan(ctx, demo.PlanSaaS)
		if err != nil {
			t.Fatal(err)
		}
		if name := apply(demo.PlanSaaS, known); name != "Cloud SaaS" {
			t.Errorf("subscription of the plan read before: %q", name)
		}
		mustTx(t, s, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE plans SET name = 'Cloud SaaS, renamed' WHERE aps_id = $1`, demo.PlanSaaS)
			return err
		})
		if name := apply(demo.PlanSaaS, known); name != "Cloud SaaS, renamed" {
			t.Errorf("subscription made after the plan changed, with the plan read before: %q", name)
		}
		if known, err = s.ItemPlan(ctx, demo.PlanSaaS); err != nil {
			t.Fatal(err)
		}
		if name := apply(demo.PlanSaaS, known); name != "Cloud SaaS, renamed" {
			t.Errorf("subscription of the plan read again: %q", name)
		}
		if name := apply(demo.PlanOfferCounter, known); name != "Offer-Counter-User Management Project" {
			t.Errorf("subscription of another plan than the one read: %q", name)
		}
		if name := apply(demo.PlanSaaS, store.ItemPlan{}); name != "Cloud SaaS, renamed" {
			t.Errorf("subscription of a plan not read before: %q", name)
		}
	})
}
