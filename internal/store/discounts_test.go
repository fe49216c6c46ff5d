package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func TestDiscountsInCatalog(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.LoadDemo(t, s)
		reseller, err := s.Account(ctx, demo.ResellerA)
		if err != nil {
			t.Fatal(err)
		}
		before, err := s.CatalogVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all := catalog.Discount{VendorID: reseller.ID, Type: catalog.Fixed, Value: dec("1.5"), Active: true}
		one := catalog.Discount{VendorID: reseller.ID, AccountID: 1000001, Type: catalog.Percent, Value: dec("12.5"),
			PlanAPSIDs: []string{demo.PlanCloudVPS}}
		mustTx(t, s, func(tx *store.Tx) error {
			return errors.Join(store.CreateDiscount(ctx, tx, &all), store.CreateDiscount(ctx, tx, &one))
		})
		err = s.InTx(ctx, func(tx *store.Tx) error {
			return store.CreateDiscount(ctx, tx, &catalog.Discount{VendorID: reseller.ID, Type: catalog.Percent,
				Value: dec("5"), PlanAPSIDs: []string{"no-such-plan"}})
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("discount on an unknown plan: %v, want not found", err)
		}
		data, err := s.LoadCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if data.Version == before {
			t.Error("creating discounts did not move the catalog version")
		}
		if len(data.Discounts) != 2 {
			t.Fatalf("discounts %+v", data.Discounts)
		}
		got, want := data.Discounts, []catalog.Discount{all, one}
		for i := range want {
			g, w := got[i], want[i]
			if g.ID != w.ID || g.VendorID != w.VendorID || g.AccountID != w.AccountID || g.Type != w.Type ||
				!g.Value.Equal(w.Value) || g.Active != w.Active || len(g.PlanAPSIDs) != len(w.PlanAPSIDs) ||
				(len(w.PlanAPSIDs) > 0 && g.PlanAPSIDs[0] != w.PlanAPSIDs[0]) {
				t.Errorf("discount %d = %+v, want %+v", i, g, w)
			}
		}
	})
}
