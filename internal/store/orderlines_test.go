package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// An order's lines are written with multi-row statements of a bounded size; every line comes
// back, in order, whatever their number.
func TestOrderLinesRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		for _, n := range []int{0, 1, 3, 32, 33, 70} {
			o := &order.Order{Type: "SO", BuyerID: tr.customerA.ID, BuyerPath: tr.customerA.Path, SellerID: tr.resellerA.ID,
				Currency: "USD", Flow: order.New, PaymentStatus: order.PaymentNotStarted,
				ProvisioningStatus: order.ProvisioningNotStarted, Request: []byte("{}")}
			for i := range n {
				o.Lines = append(o.Lines, pricing.Line{Type: pricing.LineType("RESOURCE_RECURRING"), PlanID: "plan",
					Period: catalog.Period{Unit: catalog.Months, Duration: 1}, ResourceID: fmt.Sprintf("r%d", i),
					Description: fmt.Sprintf("line %d", i), Quantity: money.FromMicros(int64(i+1) * 1_000_000),
					UnitPrice: money.MustParse("1.25"), ExtendedPrice: money.FromMicros(int64(i+1) * 1_250_000)})
			}
			mustTx(t, s, func(tx *store.Tx) error { return store.InsertOrder(ctx, tx, o) })
			got, err := s.Order(ctx, o.APSID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Lines) != n {
				t.Fatalf("%d lines written, %d read back", n, len(got.Lines))
			}
			for i, l := range got.Lines {
				if l.Description != fmt.Sprintf("line %d", i) || l.ResourceID != fmt.Sprintf("r%d", i) ||
					l.Quantity.MustMicros() != int64(i+1)*1_000_000 || !l.ExtendedPrice.Equal(money.FromMicros(int64(i+1)*1_250_000)) {
					t.Errorf("%d lines: line %d read back as %+v", n, i, l)
				}
			}
		}
	})
}
