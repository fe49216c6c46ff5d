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

const hour = int64(time.Hour / time.Microsecond)

// datedOrder is an order row written directly, with its two dates (µs).
type datedOrder struct{ date, expiration int64 }

// insertDated writes orders with the given dates for a demo customer in multi-row statements of
// up to 200 rows (one statement: one firing of PostgreSQL's statement trigger), ids from first.
func insertDated(t *testing.T, st *store.Store, first int64, rows []datedOrder) {
	t.Helper()
	ctx := context.Background()
	var buyer, seller int64
	var path string
	if err := st.DB().QueryRowContext(ctx, `SELECT id, path, parent_id FROM accounts WHERE type = 'CUSTOMER' ORDER BY id LIMIT 1`).
		Scan(&buyer, &path, &seller); err != nil {
		t.Fatal(err)
	}
	types := []string{"SO", "RN", "CH"}
	for k := 0; k < len(rows); k += 200 {
		var values []string
		var args []any
		for i, r := range rows[k:min(k+200, len(rows))] {
			id := first + int64(k+i)
			n := len(args)
			values = append(values, fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,$%d,'USD',0,0,0,0,'COMPLETED','FINISHED','COMPLETED','CP','Customer','CUSTOMER','{}',$%d,$%d,$%d,$%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11))
			typ := types[id%3]
			args = append(args, id, "dated-"+strconv.FormatInt(id, 10), typ+strconv.FormatInt(id, 10), typ, buyer, path, seller,
				r.date, r.expiration, r.date, r.date)
		}
		_, err := st.DB().ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id,
			currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status, provisioning_status, of_status,
			end_customer_name, end_customer_type, request, order_date, expiration_date, creation_time, updated_at) VALUES `+
			strings.Join(values, ","), args...)
		if err != nil {
			t.Fatalf("insert orders: %v", err)
		}
	}
}

// TestOrderValidityBound checks the bounds of expiration_date − order_date the planner reads
// against a scan of every order, on both engines, after orders are placed (InsertOrder),
// inserted one or many to a statement, their dates changed and orders deleted; and that the
// read is served by the index orders_validity, not a scan.
func TestOrderValidityBound(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		want := func(step string, lo, hi int64) {
			t.Helper()
			var scanLo, scanHi int64 // "+ 0": not the indexed expression, so a scan of the table
			if err := st.DB().QueryRowContext(ctx, `SELECT MIN(expiration_date - order_date + 0), MAX(expiration_date - order_date + 0) FROM orders`).
				Scan(&scanLo, &scanHi); err != nil {
				t.Fatal(err)
			}
			gotLo, gotHi, ok, err := st.OrderValidity(ctx)
			if err != nil || !ok || gotLo != lo || gotHi != hi || scanLo != lo || scanHi != hi {
				t.Fatalf("%s: bounds (%d, %d) ok %v %v, the orders' (%d, %d), want (%d, %d)", step, gotLo, gotHi, ok, err, scanLo, scanHi, lo, hi)
			}
		}
		if _, _, ok, err := st.OrderValidity(ctx); ok || err != nil {
			t.Fatalf("no orders: bounds known %v, %v", ok, err)
		}
		storetest.LoadDemo(t, st)
		var buyer, seller int64
		var path string
		if err := st.DB().QueryRowContext(ctx, `SELECT id, path, parent_id FROM accounts WHERE type = 'CUSTOMER' ORDER BY id LIMIT 1`).
			Scan(&buyer, &path, &seller); err != nil {
			t.Fatal(err)
		}
		o := &order.Order{Type: "SO", BuyerID: buyer, BuyerPath: path, SellerID: seller, Currency: "USD", Flow: order.New,
			PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted, Request: []byte("{}")}
		if err := st.InTx(ctx, func(tx *store.Tx) error { return store.InsertOrder(ctx, tx, o) }); err != nil {
			t.Fatal(err)
		}
		expiry := int64(order.Expiry / time.Microsecond)
		want("an order placed (InsertOrder: order.Expiry)", expiry, expiry)

		base := store.Micros(time.Date(2019, 3, 22, 0, 0, 0, 0, time.UTC))
		insertDated(t, st, 30_000_000, []datedOrder{{base, base + 72*hour}})
		want("an order inside the bounds", expiry, expiry)
		insertDated(t, st, 30_000_010, []datedOrder{{base, base + 5*hour}, {base, base + 100*hour}, {base, base + 80*hour}})
		want("one statement widening both ends", 5*hour, 100*hour)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := st.DB().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`UPDATE orders SET expiration_date = order_date - $1 WHERE id = 30000000`, 2*hour)
		want("an expiration moved before the date", -2*hour, 100*hour)
		exec(`UPDATE orders SET order_date = order_date - $1 WHERE id = 30000012`, 200*hour)
		want("a date moved back", -2*hour, 280*hour)
		exec(`DELETE FROM orders WHERE id IN (30000000, 30000012)`)
		want("deletes", 5*hour, 100*hour)

		query := "EXPLAIN QUERY PLAN " + store.ValidityQuery
		conn, err := st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if st.Postgres() {
			// On a few orders a scan is cheaper: ask whether the index can serve the read at all.
			if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
			query = "EXPLAIN " + store.ValidityQuery
		}
		rows, err := conn.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
		}
		rows.Close()
		if text := strings.Join(plan, "\n"); strings.Count(text, "orders_validity") < 2 {
			t.Errorf("the bounds are not read from orders_validity:\n%s", text)
		}
	})
}

// TestValidityTriggersDropped: a store migrated by the version whose triggers widened
// order_validity (migration 00013, dropped by 00014) loses them at its next Migrate: left, they
// fail every insert of an order.
func TestValidityTriggersDropped(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.LoadDemo(t, st)
		stmts := []string{`CREATE TRIGGER order_validity_insert AFTER INSERT ON orders BEGIN UPDATE order_validity SET lo = 0; END`}
		if st.Postgres() {
			stmts = []string{`CREATE FUNCTION openbss_widen_order_validity() RETURNS trigger AS $$
				BEGIN UPDATE order_validity SET lo = 0; RETURN NULL; END $$ LANGUAGE plpgsql`,
				`CREATE TRIGGER order_validity_insert AFTER INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION openbss_widen_order_validity()`}
		}
		for _, q := range stmts {
			if _, err := st.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		insert := func(id int64) error {
			_, err := st.DB().ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id,
				currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status, provisioning_status, of_status,
				end_customer_name, end_customer_type, request, order_date, expiration_date, creation_time, updated_at)
				SELECT $1, 'legacy-' || $2, 'SO' || $2, 'SO', id, path, parent_id, 'USD', 0, 0, 0, 0, 'COMPLETED', 'FINISHED',
				'COMPLETED', 'CP', 'Customer', 'CUSTOMER', '{}', 0, 0, 0, 0 FROM accounts WHERE type = 'CUSTOMER' ORDER BY id LIMIT 1`,
				id, strconv.FormatInt(id, 10))
			return err
		}
		if err := insert(50_000_000); err == nil {
			t.Fatal("an insert with the old trigger and no order_validity table succeeded: the test does not test")
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := insert(50_000_001); err != nil {
			t.Fatalf("after Migrate: %v", err)
		}
	})
}

// TestOrderListDatesMatchUnplanned checks the planned order list (ListOrders, with the date
// ranges implied by the bounds of order validity) against the engine's own plan of the same
// query (ListOrdersUnplanned) for many random date filters: the same orders in the same order
// and the same total. First every order is valid 72 hours (the tightest bounds, where an
// off-by-one in an implied end shows), then some are not (0, 1 µs, −3, 71, 73 and 240 hours).
func TestOrderListDatesMatchUnplanned(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		storetest.LoadDemo(t, st)
		rng := rand.New(rand.NewPCG(9, uint64(time.Now().UnixNano())))
		base := store.Micros(time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC))
		odd := []int64{0, 1, -3 * hour, 71 * hour, 73 * hour, 240 * hour}
		rows := make([]datedOrder, 3000)
		for i := range rows {
			d := base + rng.Int64N(40*24*hour)
			if i%50 == 0 {
				d = base + int64(rng.IntN(40))*24*hour // on a day's boundary, as filters often are
			}
			rows[i] = datedOrder{d, d + 72*hour}
		}
		insertDated(t, st, 40_000_000, rows[:2000])
		var oddRows []datedOrder
		for _, r := range rows[2000:] {
			if rng.IntN(3) == 0 {
				r.expiration = r.date + odd[rng.IntN(len(odd))]
			}
			oddRows = append(oddRows, r)
		}

		// Values to compare with: the orders' own dates (and a microsecond either side), and
		// day boundaries around and inside their span.
		var values []int64
		for _, r := range rows[:200] {
			values = append(values, r.date, r.date-1, r.expiration, r.expiration+1)
		}
		for day := int64(-5); day < 50; day++ {
			values = append(values, base+day*24*hour)
		}
		fields := []string{"orderDate", "expirationDate"}
		ops := []string{"ge", "gt", "le", "lt", "eq"}
		sorts := []string{"", "sort(orderDate)", "sort(-orderDate)", "sort(expirationDate)", "sort(-expirationDate)", "sort(-internalId)", "sort(creationTime)"}
		filter := func() string {
			var conds []string
			for n := 1 + rng.IntN(3); len(conds) < n; {
				v := time.UnixMicro(values[rng.IntN(len(values))]).UTC().Format(time.RFC3339Nano)
				conds = append(conds, ops[rng.IntN(len(ops))]+"("+fields[rng.IntN(2)]+","+v+")")
			}
			switch rng.IntN(8) {
			case 0:
				conds[0] = "or(" + conds[0] + ",eq(type,CH))"
			case 1:
				conds[0] = "not(" + conds[0] + ")"
			case 2:
				conds = append(conds, "in(type,(SO,RN))")
			}
			if s := sorts[rng.IntN(len(sorts))]; s != "" {
				conds = append(conds, s)
			}
			return strings.Join(conds, ",")
		}
		scopes := []string{"/1/"}
		var reseller string
		if err := st.DB().QueryRowContext(ctx, `SELECT path FROM accounts WHERE type = 'RESELLER' ORDER BY id LIMIT 1`).Scan(&reseller); err != nil {
			t.Fatal(err)
		}
		scopes = append(scopes, reseller)

		// compare runs n random filters, reports every list that differs from the reference
		// and returns how many of them differed, and how many plans had implied conditions.
		compare := func(n int, report func(format string, args ...any)) (differed, implied int) {
			for range n {
				f := filter()
				limit := []string{"limit(0,5)", "limit(3,40)", "limit(0,1000)"}[rng.IntN(3)]
				lq, err := api.CompileList(st, "orders", f+","+limit)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if k, err := st.ImpliedDateConditions(ctx, lq); err != nil {
					t.Fatal(err)
				} else if k > 0 {
					implied++
				}
				scope := scopes[rng.IntN(len(scopes))]
				got, page, err := st.ListOrders(ctx, scope, lq)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				ref := lq
				ref.OrderBy = descTiebreak(ref.OrderBy)
				want, wantPage, err := st.ListOrdersUnplanned(ctx, scope, ref)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if !slices.Equal(orderIDs(got), orderIDs(want)) || page.Total != wantPage.Total {
					differed++
					report("%s %s,%s: %d orders (total %d) %v, want %d (total %d) %v", scope, f, limit,
						len(got), page.Total, head(orderIDs(got)), len(want), wantPage.Total, head(orderIDs(want)))
				}
			}
			return differed, implied
		}
		n := 300
		if testing.Short() {
			n = 100
		}
		for _, phase := range []string{"every order valid 72 hours", "some orders valid otherwise"} {
			if phase != "every order valid 72 hours" {
				insertDated(t, st, 40_002_000, oddRows)
			}
			if _, implied := compare(n, func(format string, args ...any) { t.Errorf(phase+": "+format, args...) }); implied < n/4 {
				t.Errorf("%s: only %d of %d plans had implied date conditions", phase, implied, n)
			}
		}
	})
}

// descTiebreak gives the id tiebreak the first key's direction, as the planner does.
func descTiebreak(orderBy string) string {
	first, _, _ := strings.Cut(orderBy, ", ")
	if strings.HasSuffix(first, " DESC") && strings.HasSuffix(orderBy, ", o.id") {
		return strings.TrimSuffix(orderBy, "o.id") + "o.id DESC"
	}
	return orderBy
}

func orderIDs(os []*order.Order) []int64 {
	out := []int64{}
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 6)] }
