package store_test

import (
	"context"
	"database/sql"
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

// validityRow reads order_validity: lo and hi, or present false when it has no row.
func validityRow(t *testing.T, st *store.Store) (lo, hi sql.NullInt64, present bool) {
	t.Helper()
	err := st.DB().QueryRowContext(context.Background(), `SELECT lo, hi FROM order_validity WHERE id = 1`).Scan(&lo, &hi)
	if err == sql.ErrNoRows {
		return lo, hi, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return lo, hi, true
}

// TestOrderValidityTriggers checks that order_validity bounds expiration_date − order_date of
// every order: filled at migration from the orders already there, widened by every insert (one
// row or many) and date change, through the store's own writes as through SQL, and never
// narrowed.
func TestOrderValidityTriggers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		want := func(step string, lo, hi int64) {
			t.Helper()
			gotLo, gotHi, ok := validityRow(t, st)
			if !ok || !gotLo.Valid || !gotHi.Valid || gotLo.Int64 != lo || gotHi.Int64 != hi {
				t.Fatalf("%s: order_validity (%v, %v) present %v, want (%d, %d)", step, gotLo, gotHi, ok, lo, hi)
			}
		}
		if lo, hi, ok := validityRow(t, st); !ok || lo.Valid || hi.Valid {
			t.Fatalf("no orders: order_validity (%v, %v) present %v, want (NULL, NULL)", lo, hi, ok)
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
		want("an order inside the range", expiry, expiry)
		insertDated(t, st, 30_000_010, []datedOrder{{base, base + 5*hour}, {base, base + 100*hour}, {base, base + 80*hour}})
		want("one statement widening both ends", 5*hour, 100*hour)
		insertDated(t, st, 30_000_020, []datedOrder{{base, base + 6*hour}, {base, base + 99*hour}})
		want("orders inside the range", 5*hour, 100*hour)

		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := st.DB().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`UPDATE orders SET expiration_date = order_date - $1 WHERE id = 30000000`, 2*hour)
		want("an expiration moved before the date", -2*hour, 100*hour)
		exec(`UPDATE orders SET order_date = order_date - $1 WHERE id = 30000020`, 200*hour)
		want("a date moved back", -2*hour, 206*hour)
		exec(`UPDATE orders SET order_date = $1, expiration_date = $2 WHERE id = 30000021`, base, base+300*hour)
		want("both dates set", -2*hour, 300*hour)
		exec(`UPDATE orders SET status = 'CANCELED', order_date = order_date WHERE id = 30000010`)
		want("an update that leaves the dates", -2*hour, 300*hour)
		exec(`DELETE FROM orders WHERE id = 30000021`)
		want("a delete (the range is never narrowed)", -2*hour, 300*hour)

		// A store migrated before the triggers existed: the row is filled from the orders.
		exec(`DELETE FROM order_validity`)
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var lo, hi int64
		if err := st.DB().QueryRowContext(ctx, `SELECT MIN(expiration_date - order_date), MAX(expiration_date - order_date) FROM orders`).
			Scan(&lo, &hi); err != nil {
			t.Fatal(err)
		}
		if lo != -2*hour || hi != 206*hour {
			t.Fatalf("the orders' own range (%d, %d): the steps above did not leave what this test expects", lo, hi)
		}
		want("filled by Migrate", lo, hi)
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		want("migrated again", lo, hi)

		// A list planned with the range, which widens before the plan is checked, is planned
		// again (ListOrders, PanelOrders).
		lq, err := api.CompileList(st, "orders", "ge(orderDate,2019-03-22T00:00:00Z),le(expirationDate,2019-03-26T00:00:00Z)")
		if err != nil {
			t.Fatal(err)
		}
		held, err := st.ValidityHeldAcross(ctx, lq, func() {})
		if err != nil || !held {
			t.Fatalf("nothing written: held %v, %v", held, err)
		}
		held, err = st.ValidityHeldAcross(ctx, lq, func() { insertDated(t, st, 30_000_030, []datedOrder{{base, base + 1000*hour}}) })
		if err != nil || held {
			t.Fatalf("the range widened: held %v, %v", held, err)
		}
	})
}

// TestOrderListDatesMatchUnplanned checks the planned order list (ListOrders, with the date
// ranges implied by order_validity) against the engine's own plan of the same query
// (ListOrdersUnplanned) for many random date filters over orders whose validity is mostly 72
// hours but not always: the same orders in the same order and the same total. It then narrows
// the range by hand, below what the orders hold, and expects the planned list to go wrong:
// the implied conditions are really used.
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
			v := 72 * hour
			if rng.IntN(8) == 0 {
				v = odd[rng.IntN(len(odd))]
			}
			rows[i] = datedOrder{d, d + v}
		}
		insertDated(t, st, 40_000_000, rows)

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

		// compare runs up to n random filters and returns how many lists differed from the
		// reference (each reported through report; a nil report stops at the first), and how
		// many plans had implied conditions.
		compare := func(n int, report func(format string, args ...any)) (differed, implied int) {
			for i := 0; i < n && (report != nil || differed == 0); i++ {
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
					if report == nil {
						continue
					}
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
		_, implied := compare(n, t.Errorf)
		if implied < n/4 {
			t.Errorf("only %d of %d plans had implied date conditions", implied, n)
		}

		// The range narrowed below what the orders hold (a lie no trigger writes): the implied
		// conditions now exclude orders that match, and the comparison must see it.
		if _, err := st.DB().ExecContext(ctx, `UPDATE order_validity SET lo = $1, hi = $1 WHERE id = 1`, 72*hour); err != nil {
			t.Fatal(err)
		}
		if differed, _ := compare(n, nil); differed == 0 {
			t.Errorf("with a false range of validities every one of %d planned lists still matched: the implied conditions are not used", n)
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
