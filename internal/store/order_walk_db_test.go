package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// TestOrderListWalksMatchUnplanned checks the planned order list on SQLite against the engine's
// own plan of the same query (ListOrdersUnplanned) where the plan walks an index rather than
// leading with a range: with the lead threshold (driveRows) lowered to 20, 3,000 orders of
// mixed types, flow statuses and buyers are planned as millions are. Random filters of
// equalities and IN lists (an equality's index range is in id order, and the page may walk it:
// equalityWalk), sorts, pages, with and without the count: the same orders in the same order,
// and the same total.
func TestOrderListWalksMatchUnplanned(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.WithDriveRows(20))
	storetest.LoadDemo(t, st)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(11, seed))
	t.Logf("seed %d", seed)

	type party struct {
		id, seller  int64
		path, apsID string
	}
	var buyers []party
	rows, err := st.DB().QueryContext(ctx, `SELECT id, parent_id, path, aps_id FROM accounts WHERE type = 'CUSTOMER' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p party
		if err := rows.Scan(&p.id, &p.seller, &p.path, &p.apsID); err != nil {
			t.Fatal(err)
		}
		buyers = append(buyers, p)
	}
	if rows.Close(); len(buyers) < 2 {
		t.Fatalf("demo customers: %d", len(buyers))
	}
	types := []string{"SO", "RN", "CH", "CL", "CF", "BO"}
	// Flow status, status, payment status, provisioning status, as processing writes them.
	flows := [][4]string{{"NW", "NOT_STARTED", "NOT_STARTED", "NOT_STARTED"}, {"OP", "IN_PROGRESS", "NOT_STARTED", "NOT_STARTED"},
		{"PR", "IN_PROGRESS", "FINISHED", "IN_PROGRESS"}, {"CP", "COMPLETED", "FINISHED", "COMPLETED"},
		{"PD", "PROBLEM", "DECLINED", "NOT_STARTED"}, {"CL", "CANCELLED", "NOT_STARTED", "NOT_STARTED"}}
	base := store.Micros(time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC))
	const orders = 3000
	for k := 0; k < orders; k += 200 {
		var values []string
		var args []any
		for i := k; i < min(k+200, orders); i++ {
			id := int64(50_000_000 + i)
			// Skewed, so that ranges differ in size and matches cluster: CP and SO mostly.
			typ := types[min(rng.IntN(9), len(types)-1)]
			f := flows[min(rng.IntN(9), len(flows)-1)]
			if i > 2000 && rng.IntN(2) == 0 {
				f = flows[3]
			}
			b := buyers[rng.IntN(len(buyers))]
			d := base + int64(i)*3_600_000_000
			n := len(args)
			values = append(values, fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,$%d,'USD',0,0,0,$%d,$%d,$%d,$%d,$%d,'Customer','CUSTOMER','{}',$%d,$%d,$%d,$%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12, n+13, n+14, n+15, n+16))
			args = append(args, id, "walk-"+strconv.FormatInt(id, 10), typ+strconv.FormatInt(id, 10), typ, b.id, b.path, b.seller,
				int64(rng.IntN(50))*1_000_000, f[1], f[2], f[3], f[0], d, d+72*3_600_000_000, d, d)
		}
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id,
			currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status, provisioning_status, of_status,
			end_customer_name, end_customer_type, request, order_date, expiration_date, creation_time, updated_at) VALUES `+
			strings.Join(values, ","), args...); err != nil {
			t.Fatalf("insert orders: %v", err)
		}
	}

	conds := []func() string{
		func() string { return "eq(type," + types[rng.IntN(len(types))] + ")" },
		func() string { return "in(type,(" + types[rng.IntN(3)] + "," + types[3+rng.IntN(3)] + "))" },
		func() string { return "eq(status," + flows[rng.IntN(len(flows))][1] + ")" },
		func() string { return "in(status,(COMPLETED,IN_PROGRESS))" },
		func() string { return "eq(paymentStatus," + flows[rng.IntN(len(flows))][2] + ")" },
		func() string { return "in(provisioningStatus,(NOT_STARTED))" },
		func() string { return "eq(customerId," + buyers[rng.IntN(len(buyers))].apsID + ")" },
		func() string { return "not(eq(type,SO))" },
	}
	sorts := []string{"", "", "sort(-internalId)", "sort(internalId)", "sort(creationTime)", "sort(-total)"}
	walked := 0
	for range 300 {
		var f []string
		for n := 1 + rng.IntN(3); len(f) < n; {
			f = append(f, conds[rng.IntN(len(conds))]())
		}
		if s := sorts[rng.IntN(len(sorts))]; s != "" {
			f = append(f, s)
		}
		filter := strings.Join(f, ",") + "," + []string{"limit(0,5)", "limit(7,40)", "limit(0,100)"}[rng.IntN(3)]
		lq, err := api.CompileList(st, "orders", filter)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		lq.SkipCount = rng.IntN(2) == 0
		if store.WalksAnEquality(lq) {
			walked++
		}
		got, page, err := st.ListOrders(ctx, "/1/", lq)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		ref := lq
		ref.OrderBy = descTiebreak(ref.OrderBy)
		want, wantPage, err := st.ListOrdersUnplanned(ctx, "/1/", ref)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if !slices.Equal(orderIDs(got), orderIDs(want)) || !lq.SkipCount && page.Total != wantPage.Total {
			t.Errorf("%s (count %v): %d orders (total %d) %v, want %d (total %d) %v", filter, !lq.SkipCount,
				len(got), page.Total, head(orderIDs(got)), len(want), wantPage.Total, head(orderIDs(want)))
		}
	}
	if walked < 30 {
		t.Errorf("only %d of 300 filters had an equality to walk", walked)
	}
}
