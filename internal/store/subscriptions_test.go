package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
	"github.com/openbss/openbss/internal/subscription"
)

func optTime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.Format(time.RFC3339Nano)
}

// subString renders every stored field of a subscription.
func subString(s *subscription.Subscription) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sub %d %s account=%d/%s plan=%d/%s %q %s/%s period=%s billing=%s %s freeze=%v renew=%s/%v trial=%v gate=%s oss=%q\n",
		s.ID, s.APSID, s.AccountID, s.AccountAPSID, s.PlanID, s.PlanAPSID, s.Name, s.Status, s.ServiceStatus,
		s.Period, s.BillingPeriod, s.BillingModel, s.FreezePrices, s.AutoRenewType, s.AutoRenewEnabled, s.Trial,
		s.ServiceGate, s.OSSID)
	fmt.Fprintf(&b, " start=%s expires=%s last=%s next=%s\n", s.StartDate.Format(time.RFC3339Nano),
		s.ExpirationDate.Format(time.RFC3339Nano), optTime(s.LastBillDate), optTime(s.NextBillDate))
	for _, r := range s.Resources {
		fmt.Fprintf(&b, " resource %d/%s %s\n", r.ResourceID, r.ResourceAPSID, r.Amount)
	}
	return b.String()
}

func TestSubscriptionRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		res := catalog.Resource{Name: "Disk", Unit: "GB"}
		plan := catalog.Plan{Name: "P", OwnerID: tr.provider.ID, Status: "ACTIVE", Currency: "USD"}
		// A non-UTC zone and microseconds: stored as UTC, read back as the same instant.
		zone := time.FixedZone("UTC+5", 5*3600)
		start := time.Date(2019, 3, 12, 23, 30, 0, 123456000, zone)
		next := time.Date(2019, 4, 12, 0, 0, 0, 0, time.UTC)
		sub := subscription.Subscription{AccountID: tr.customerA.ID, Name: "round trip", Status: subscription.StatusActive,
			ServiceStatus: subscription.ServiceStopped, Period: catalog.Period{Unit: catalog.Years, Duration: 2},
			BillingPeriod: catalog.Period{Unit: catalog.Months, Duration: 3}, BillingModel: "CHARGE_BEFORE_BILLING_PERIOD",
			FreezePrices: true, AutoRenewType: "ENABLED", AutoRenewEnabled: true, Trial: true, ServiceGate: "PEMGATE",
			StartDate: start, ExpirationDate: start.AddDate(2, 0, 0), NextBillDate: &next, OSSID: "oss-42"}
		bare := subscription.Subscription{AccountID: tr.customerB.ID, Name: "bare", Status: subscription.StatusActive,
			ServiceStatus: subscription.ServiceActive, Period: catalog.Period{Unit: catalog.Months, Duration: 1},
			BillingPeriod: catalog.Period{Unit: catalog.Months, Duration: 1}, StartDate: next, ExpirationDate: next.AddDate(0, 1, 0)}
		mustTx(t, s, func(tx *store.Tx) error {
			if err := store.CreateResource(ctx, tx, &res); err != nil {
				return err
			}
			if err := store.CreatePlan(ctx, tx, &plan); err != nil {
				return err
			}
			sub.PlanID, bare.PlanID = plan.ID, plan.ID
			sub.Resources = []subscription.Resource{{ResourceID: res.ID, Amount: dec("100.5")}}
			if err := store.CreateSubscription(ctx, tx, &sub); err != nil {
				return err
			}
			return store.CreateSubscription(ctx, tx, &bare)
		})
		if sub.ID != 1000001 || bare.ID != 1000002 || sub.APSID == "" {
			t.Fatalf("subscription ids %d %d (aps %q), want 1000001 1000002", sub.ID, bare.ID, sub.APSID)
		}
		want := sub
		want.AccountAPSID, want.PlanAPSID = tr.customerA.APSID, plan.APSID
		want.StartDate, want.ExpirationDate = start.UTC(), start.AddDate(2, 0, 0).UTC()
		want.Resources = []subscription.Resource{{ResourceID: res.ID, ResourceAPSID: res.APSID, Amount: dec("100.5")}}

		got, err := s.Subscription(ctx, sub.APSID)
		if err != nil {
			t.Fatalf("Subscription: %v", err)
		}
		if g, w := subString(got), subString(&want); g != w {
			t.Errorf("round trip:\n got  %s\n want %s", g, w)
		}
		if got.StartDate.Location() != time.UTC || !got.StartDate.Equal(start) || got.NextBillDate.Location() != time.UTC {
			t.Errorf("start %v (%v), want the instant %v in UTC", got.StartDate, got.StartDate.Location(), start)
		}

		gotBare, err := s.Subscription(ctx, bare.APSID)
		if err != nil || gotBare.LastBillDate != nil || gotBare.NextBillDate != nil || gotBare.OSSID != "" || len(gotBare.Resources) != 0 {
			t.Errorf("bare subscription = %s, %v", subString(gotBare), err)
		}

		all := store.ListQuery{OrderBy: "s.id", Count: 10}
		list, page, err := s.ListSubscriptions(ctx, tr.provider.Path, all)
		if err != nil || len(list) != 2 || page.Total != 2 || subString(list[0]) != subString(&want) {
			t.Errorf("provider's list = %d total %d, %v", len(list), page.Total, err)
		}
		list, page, err = s.ListSubscriptions(ctx, tr.resellerB.Path, all)
		if err != nil || len(list) != 1 || list[0].ID != bare.ID || page.Total != 1 {
			t.Errorf("reseller B's list = %d total %d, %v; want only %d", len(list), page.Total, err, bare.ID)
		}
		// A filter on the joined account, as eq(account.aps.id,…) compiles.
		n := store.FirstFilterArg(store.SubscriptionsScopeArgs)
		q := store.ListQuery{Where: fmt.Sprintf("a.aps_id = $%d", n), Args: []any{tr.customerA.APSID}, OrderBy: "s.id", Count: 10}
		list, page, err = s.ListSubscriptions(ctx, tr.provider.Path, q)
		if err != nil || len(list) != 1 || list[0].ID != sub.ID || page.Total != 1 {
			t.Errorf("filtered by account = %d total %d, %v", len(list), page.Total, err)
		}
		if _, err := s.Subscription(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Subscription(unknown) err = %v", err)
		}
	})
}

func demoSubscriptions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	got, err := s.Subscription(ctx, demo.SubVPSDemo)
	if err != nil {
		t.Fatal(err)
	}
	day := func(tm time.Time) string { return tm.Format(time.RFC3339) }
	// Seed 002 "Identify Subscriptions".
	if got.ID != 1000001 || got.Name != "VPS Demo Services" || got.AccountAPSID != demo.CustomerSubs ||
		got.PlanAPSID != demo.PlanOfferCounter || got.Status != "ACTIVE" || got.ServiceStatus != "ACTIVE" ||
		got.ServiceGate != "PEMGATE" || got.Trial || got.AutoRenewEnabled || got.FreezePrices ||
		got.BillingModel != "CHARGE_BEFORE_BILLING_PERIOD" || got.AutoRenewType != "DISABLED" ||
		got.Period != (catalog.Period{Unit: catalog.Months, Duration: 1}) ||
		got.BillingPeriod != (catalog.Period{Unit: catalog.Months, Duration: 1}) ||
		day(got.StartDate) != "2019-03-12T00:00:00Z" || day(got.ExpirationDate) != "2019-04-12T00:00:00Z" ||
		got.LastBillDate == nil || day(*got.LastBillDate) != "2019-03-12T00:00:00Z" ||
		got.NextBillDate == nil || day(*got.NextBillDate) != "2019-04-12T00:00:00Z" {
		t.Errorf("456808a0 = %s", subString(got))
	}
	c, err := s.Account(ctx, demo.CustomerSubs)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := s.ListSubscriptions(ctx, c.Path, store.ListQuery{OrderBy: "s.id", Count: 10})
	var apsIDs []string
	for _, sub := range list {
		apsIDs = append(apsIDs, sub.APSID)
	}
	if want := []string{demo.SubVPSDemo, demo.SubVIP, demo.SubCloud}; err != nil || !slices.Equal(apsIDs, want) {
		t.Errorf("d7dd06ef's subscriptions = %v, %v; want %v", apsIDs, err, want)
	}
	vip, err := s.Subscription(ctx, demo.SubVIP)
	if err != nil || len(vip.Resources) != 2 || vip.Resources[1].ResourceAPSID != demo.ResBackup {
		t.Errorf("4c867c87 resources = %+v, %v; want Disk Space and %s", vip.Resources, err, demo.ResBackup)
	}
}
