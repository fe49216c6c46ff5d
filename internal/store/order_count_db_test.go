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
	"github.com/openbss/openbss/internal/order"
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
		checkOrderCounts(t, storetest.Open(t, store.WithMergeRows(20)))
	})
}

func checkOrderCounts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(13, seed))
	t.Logf("seed %d", seed)
	buyers := fillCountOrders(t, st, rng)
	types, statuses := countTypes, countStatuses

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

// countParty is a buyer of the orders fillCountOrders writes.
type countParty struct {
	id, seller        int64
	path, apsID, kind string
}

var (
	countTypes    = []string{"SO", "RN", "CH", "CL", "CF", "BO"}
	countStatuses = []string{"NOT_STARTED", "IN_PROGRESS", "COMPLETED", "PROBLEM", "CANCELLED"}
)

// fillCountOrders loads the demo data and adds 1,500 orders of random types, statuses, buyers
// (customers and resellers, whose end customer type is their own), names and ORDER_ID1 values.
func fillCountOrders(t testing.TB, st *store.Store, rng *rand.Rand) []countParty {
	ctx := context.Background()
	storetest.LoadDemo(t, st)

	var buyers []countParty
	rows, err := st.DB().QueryContext(ctx, `SELECT id, COALESCE(parent_id, id), path, aps_id, type FROM accounts
		WHERE type IN ('CUSTOMER', 'RESELLER') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for rows.Next() {
		var p countParty
		if err := rows.Scan(&p.id, &p.seller, &p.path, &p.apsID, &p.kind); err != nil {
			t.Fatal(err)
		}
		buyers = append(buyers, p)
		kinds[p.kind]++
	}
	if rows.Close(); kinds["CUSTOMER"] < 2 || kinds["RESELLER"] < 1 {
		t.Fatalf("demo buyers: %v", kinds)
	}
	types, statuses := countTypes, countStatuses
	numbers := map[string]int64{}
	for _, typ := range types {
		var next int64
		if err := st.DB().QueryRowContext(ctx, `SELECT next_value FROM id_sequences WHERE name = $1`, "order_number_"+typ).Scan(&next); err != nil {
			t.Fatal(err)
		}
		numbers[typ] = next
	}
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
			numbers[typ]++ // a number is its type's counter, as InsertOrder takes it (the suffix planner lists them)
			args = append(args, id, "count-"+strconv.FormatInt(id, 10), order.NumberOf(typ, numbers[typ]-1), typ, b.id, b.path, b.seller,
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
	for typ, next := range numbers {
		if _, err := st.DB().ExecContext(ctx, `UPDATE id_sequences SET next_value = $2 WHERE name = $1`, "order_number_"+typ, next); err != nil {
			t.Fatal(err)
		}
	}
	return buyers
}

// FuzzOrderListMatchesUnplanned runs any filter that compiles through the planned order list
// (the page walks and leads, the count's rewrites, merges and halves, with the thresholds
// lowered to plan 1,500 orders as millions are) and through the engine's own plan of the same
// query: the same error or none, the same page, the same total.
func FuzzOrderListMatchesUnplanned(f *testing.F) {
	ctx := context.Background()
	st := storetest.Open(f, store.WithMergeRows(20), store.WithDriveRows(20))
	fillCountOrders(f, st, rand.New(rand.NewPCG(13, 1)))
	for _, seed := range []string{"in(type,(SO,BO))", "eq(type,CF)", "in(status,(COMPLETED,IN_PROGRESS)),eq(type,CF)",
		"in(provisioningStatus,(NOT_STARTED)),in(paymentStatus,(NOT_STARTED))", "like(orderNumber,*00001)",
		"like(number,SO00001?)", "ge(creationTime,2020-05-03T00:00:00Z),le(creationTime,2020-05-05T12:00:00Z)",
		"sort(-internalId)", "sort(creationTime)", "or(eq(type,RN),eq(type,CH))", "not(in(type,(SO,RN,CH,CL,CF)))",
		"like(endCustomerName,John*)", "eq(endCustomerType,CUSTOMER)", "like(ORDER_ID1,test1)", "like(ORDER_ID1,test*)",
		"out(status,(COMPLETED)),ne(type,SO)", "in(type,(SO,CF)),in(status,(COMPLETED,PROBLEM)),sort(-total)",
		"like(endCustomerName,jo%25*),eq(type,RN)", "ne(endCustomerType,RESELLER),like(ORDER_ID1,TE*)"} {
		f.Add(seed, uint8(0))
	}
	f.Fuzz(func(t *testing.T, filter string, page uint8) {
		lq, err := api.CompileList(st, "orders", filter+[]string{",limit(0,10)", ",limit(3,20)", ",limit(0,0)"}[page%3])
		if err != nil {
			return // a 400 before the store
		}
		lq.SkipCount = page%5 == 1
		got, gotPage, err := st.ListOrders(ctx, "/1/", lq)
		ref := lq
		ref.OrderBy = descTiebreak(ref.OrderBy)
		want, wantPage, wantErr := st.ListOrdersUnplanned(ctx, "/1/", ref)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%s: planned error %v, unplanned error %v", filter, err, wantErr)
		}
		if err != nil {
			return
		}
		if !slices.Equal(orderIDs(got), orderIDs(want)) || gotPage.Total != wantPage.Total {
			t.Errorf("%s: %v (total %d), want %v (total %d)", filter, head(orderIDs(got)), gotPage.Total,
				head(orderIDs(want)), wantPage.Total)
		}
	})
}
