package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// TestOrderCountsMatchUnplanned checks the exact count of the order list (the Content-Range
// total, order_count.go) against the engine's own count of the same filter
// (ListOrdersUnplanned) on the filters the count rewrites on SQLite: negations of a type or a
// status (the values the column holds), the end customer's type (the buyers of that type), a
// prefix of the end customer's name in any case (its case variants' ranges), and an order
// attribute's prefix alone (its own table) — each alone, with the others, and in a reseller's
// subtree. Names mix case, non-ASCII letters and LIKE's own wildcards; some orders are a
// reseller's own (end customer type RESELLER). A third run merges the ranges of type and status
// conditions (mergeSets) from 20 orders on, as it does from 50,000 on millions.
func TestOrderCountsMatchUnplanned(t *testing.T) {
	storetest.Engines(t, checkOrderCounts)
	t.Run("sqlite merging", func(t *testing.T) {
		st, err := store.Open(context.Background(), storetest.SQLitePath(t), store.WithMergeRows(20))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkOrderCounts(t, st)
	})
}

func checkOrderCounts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	storetest.LoadDemo(t, st)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(13, seed))
	t.Logf("seed %d", seed)

	type party struct {
		id, seller        int64
		path, apsID, kind string
	}
	var buyers []party
	rows, err := st.DB().QueryContext(ctx, `SELECT id, COALESCE(parent_id, id), path, aps_id, type FROM accounts
		WHERE type IN ('CUSTOMER', 'RESELLER') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for rows.Next() {
		var p party
		if err := rows.Scan(&p.id, &p.seller, &p.path, &p.apsID, &p.kind); err != nil {
			t.Fatal(err)
		}
		buyers = append(buyers, p)
		kinds[p.kind]++
	}
	if rows.Close(); kinds["CUSTOMER"] < 2 || kinds["RESELLER"] < 1 {
		t.Fatalf("demo buyers: %v", kinds)
	}
	types := []string{"SO", "RN", "CH", "CL", "CF", "BO"}
	statuses := []string{"NOT_STARTED", "IN_PROGRESS", "COMPLETED", "PROBLEM", "CANCELLED"}
	names := []string{"John Smith", "john doe", "JOHN X", "Johnny", "Jöhn", "Jo%hn", "Jo_hn", "Jane", "jane", "Ana", "ana~",
		"Åsa", "", "J", "Joh", "X_y", "x%y", "Xay", "Smith, John", "smith, john"}
	base := store.Micros(time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC))
	const orders = 1500
	for k := 0; k < orders; k += 250 {
		var values []string
		var args, attrArgs []any
		var attrs []string
		for i := k; i < min(k+250, orders); i++ {
			id := int64(60_000_000 + i)
			typ := types[rng.IntN(len(types))]
			status := statuses[rng.IntN(len(statuses))]
			b := buyers[rng.IntN(len(buyers))]
			d := base + int64(i)*3_600_000_000
			n := len(args)
			values = append(values, fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,$%d,'USD',0,0,0,0,$%d,'FINISHED','NOT_STARTED','NW',$%d,$%d,'{}',$%d,$%d,$%d,$%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12, n+13, n+14))
			args = append(args, id, "count-"+strconv.FormatInt(id, 10), typ+strconv.FormatInt(id, 10), typ, b.id, b.path, b.seller,
				status, names[rng.IntN(len(names))], b.kind, d, d+72*3_600_000_000, d, d)
			if rng.IntN(3) > 0 {
				m := len(attrArgs)
				attrs = append(attrs, fmt.Sprintf("($%d,'ORDER_ID1',$%d)", m+1, m+2))
				attrArgs = append(attrArgs, id, []string{"test1", "TEST22", "Test3", "tesu", "tes", "other", "tEsT_9"}[rng.IntN(7)])
			}
		}
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id,
			currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status, provisioning_status, of_status,
			end_customer_name, end_customer_type, request, order_date, expiration_date, creation_time, updated_at) VALUES `+
			strings.Join(values, ","), args...); err != nil {
			t.Fatalf("insert orders: %v", err)
		}
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO order_attributes (order_id, attribute_id, value) VALUES `+
			strings.Join(attrs, ","), attrArgs...); err != nil {
			t.Fatalf("insert attributes: %v", err)
		}
	}

	var unknown []string
	for i := range 600 {
		unknown = append(unknown, "Z"+strconv.Itoa(i))
	}
	many := strings.Join(unknown, ",")
	conds := []func() string{
		func() string { return "not(in(type,(" + types[rng.IntN(3)] + "," + types[3+rng.IntN(3)] + ")))" },
		func() string { return "out(status,(" + statuses[rng.IntN(len(statuses))] + "))" },
		func() string { return "ne(type," + types[rng.IntN(len(types))] + ")" },
		func() string { return "not(eq(status," + statuses[rng.IntN(len(statuses))] + "))" },
		func() string { return "not(in(type,(SO,RN,CH,CL,CF,BO)))" }, // every value: nothing
		func() string {
			return "eq(endCustomerType," + []string{"CUSTOMER", "RESELLER", "NONE"}[rng.IntN(3)] + ")"
		},
		func() string { return "in(endCustomerType,(CUSTOMER,RESELLER))" },
		func() string { return "ne(endCustomerType,RESELLER)" },
		func() string {
			return "like(endCustomerName," + []string{"John*", "JOHN*", "jo*", "J*", "Jo%25h*", "Jo_h*", "x%25*", "x_*", "*hn", "J?hn*",
				"Jöhn*", "smith%2C%20j*", "ana~*", "John%20S*"}[rng.IntN(14)] + ")"
		},
		func() string {
			return "like(ORDER_ID1," + []string{"test*", "TEST*", "tes*", "test1", "TeSt*", "t*", "tEsT_*", "*3"}[rng.IntN(8)] + ")"
		},
		func() string { return "eq(type," + types[rng.IntN(len(types))] + ")" },
		func() string { return "in(status,(COMPLETED,IN_PROGRESS))" },
		func() string { return "in(type,(SO,CF,SO))" },
		func() string { return "in(type,(SO,CF," + many + "))" }, // more SELECTs than one compound takes
		func() string { return "eq(customerId," + buyers[rng.IntN(len(buyers))].apsID + ")" },
	}
	scopes := []string{"/1/"}
	for _, b := range buyers {
		if b.kind == "RESELLER" {
			scopes = append(scopes, b.path)
		}
	}
	nonzero := 0
	for range 250 {
		var f []string
		for n := 1 + rng.IntN(2); len(f) < n; {
			f = append(f, conds[rng.IntN(len(conds))]())
		}
		filter := strings.Join(f, ",") + ",limit(0,0)"
		lq, err := api.CompileList(st, "orders", filter)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		scope := scopes[rng.IntN(len(scopes))]
		_, page, err := st.ListOrders(ctx, scope, lq)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		_, want, err := st.ListOrdersUnplanned(ctx, scope, lq)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if page.Total != want.Total {
			t.Errorf("%s in %s: total %d, want %d", filter, scope, page.Total, want.Total)
		}
		if want.Total > 0 {
			nonzero++
		}
	}
	if nonzero < 100 {
		t.Errorf("only %d of 250 filters matched orders", nonzero)
	}
}
