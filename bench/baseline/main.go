// Command baseline measures the physical floor placeOrder is compared with: the raw insert rate
// of exactly the rows one order of the load generator writes (the order with its request text,
// three lines, its ORDER_ID1 attribute, one provisioning item with its spec, one history event,
// one job, and the two id counters it bumps; four buyers, totals varying with the resource
// amount, as bench/loadgen's sales orders) into the same database, with the same durability
// settings (store.Open: WAL, synchronous=FULL on SQLite), from a tight Go loop with no HTTP,
// JSON, pricing or checks. It reports one commit per order and N orders per commit.
//
//	go run ./bench/baseline -db /tmp/baseline.db -seconds 10
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/openbss/openbss/internal/store"
)

func main() {
	dsn := flag.String("db", "", "SQLite path or postgres:// URL (default: a new temp file)")
	seconds := flag.Float64("seconds", 5, "duration of each measurement")
	batch := flag.Int("batch", 64, "orders per commit in the batched measurement")
	flag.Parse()
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "baseline")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		*dsn = dir + "/baseline.db"
	}
	ctx := context.Background()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	// The provider and four customers to reference.
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO accounts (id, aps_id, path, type, status, name, created_at, updated_at)
		VALUES (1, 'p', '/1/', 'PROVIDER', 'ACTIVE', 'p', 0, 0) ON CONFLICT DO NOTHING`); err != nil {
		log.Fatal(err)
	}
	for b := int64(2); b < 2+buyers; b++ {
		if _, err := st.DB().ExecContext(ctx, `INSERT INTO accounts (id, aps_id, parent_id, path, type, status, name, created_at, updated_at)
			VALUES ($1, $2, 1, $3, 'CUSTOMER', 'ACTIVE', $2, 0, 0) ON CONFLICT DO NOTHING`, b, fmt.Sprintf("customer-%d", b), fmt.Sprintf("/1/%d/", b)); err != nil {
			log.Fatal(err)
		}
	}
	d := time.Duration(*seconds * float64(time.Second))
	for _, per := range []int{1, *batch} {
		n, el := run(ctx, st, per, d)
		fmt.Printf("raw order inserts, %3d per commit: %7.0f orders/s (%d in %s)\n", per, float64(n)/el.Seconds(), n, el.Round(time.Millisecond))
	}
}

var next int64 = 1

func run(ctx context.Context, st *store.Store, per int, d time.Duration) (int, time.Duration) {
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i := 0; i < per; i++ {
				if err := insertOne(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
		n += per
	}
	return n, time.Since(start)
}

// buyers is how many customers the orders are spread over (bench/loadgen's four).
const buyers = 4

// request and spec are the order's request text and its item's spec as placeOrder stores them
// for bench/loadgen's sales order (the buyer and the resource amount vary).
const (
	request = `{"type":"SALES","accountId":"3fef9702-b2ad-419a-9924-a56882e5f06c","promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":%d}]}],"attributes":[{"attributeID":"ORDER_ID1","value":"load-%d"}]}`
	spec    = `{"accountId":"3fef9702-b2ad-419a-9924-a56882e5f06c","planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":%d}]}`
	plan    = "6b64da9a-f8e6-4cbd-8aef-de304a27b627"
)

func insertOne(ctx context.Context, tx *store.Tx) error {
	id := next
	next++
	now := time.Now().UnixMicro()
	buyer, amount := 2+id%buyers, 1+id%40
	total := (2_000_000 + 4_250_000 + amount*1_000_000) * 125 / 100
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $1`, []any{"orders"}},
		{`UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $1`, []any{"order_number_SO"}},
		{`INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id, currency, sub_total, tax_total,
			exclusive_tax_total, total, status, payment_status, provisioning_status, of_status, end_customer_name,
			end_customer_type, request, order_date, expiration_date, creation_time, updated_at)
			VALUES ($1,$2,$3,'SO',$4,$5,1,'USD',$6,$7,0,$8,'NOT_STARTED','NOT_STARTED','NOT_STARTED','NW',
			'John Smith','CUSTOMER',$9,$10,$11,$10,$10)`, []any{id, store.NewAPSID(), fmt.Sprintf("SO%08d", id), buyer,
			fmt.Sprintf("/1/%d/", buyer), total * 100 / 125, total / 5, total, fmt.Sprintf(request, amount, id), now, now + 86_400_000_000}},
		{`INSERT INTO order_lines (order_id, position, type, plan_aps_id, period_unit, period_duration, resource_aps_id,
			duration_unit, duration_value, description, quantity, unit_of_measure, unit_price, extended_price, discount_type,
			discount_value, discount_amount, tax_amount) VALUES
			($1,0,'PLAN_SETUP',$2,'MONTHS',1,'','',0,'Cloud VPSes Setup',1000000,'item',2000000,1500000,'PERCENT',25000000,500000,0),
			($1,1,'PLAN_RECURRING',$2,'MONTHS',1,'','MONTHS',1000000,'Cloud VPSes Recurring',1000000,'item',4250000,3190000,'PERCENT',25000000,1060000,0),
			($1,2,'RESOURCE_RECURRING',$2,'MONTHS',1,'2f8905f8-4302-49d7-ab7f-65c9036addf0','MONTHS',1000000,'Cloud VPS Recurring',$3,'unit',1000000,$3,'',0,0,0)`,
			[]any{id, plan, amount * 1_000_000}},
		{`INSERT INTO order_attributes (order_id, attribute_id, value) VALUES ($1,'ORDER_ID1',$2)`, []any{id, fmt.Sprintf("load-%d", id)}},
		{`INSERT INTO provisioning_items (id, order_id, position, action, plan_aps_id, subscription_aps_id, spec, status,
			created_at, updated_at) VALUES ($1,$1,0,'CREATE',$2,$3,$4,'NOT_STARTED',$5,$5)`,
			[]any{id, plan, store.NewAPSID(), fmt.Sprintf(spec, amount), now}},
		{`INSERT INTO order_events (id, order_id, from_state, to_state, created_at) VALUES ($1,$1,'','NW',$2)`, []any{id, now}},
		{`INSERT INTO jobs (id, kind, order_id, run_at, created_at, updated_at) VALUES ($1,'process_order',$1,$2,$2,$2)`, []any{id, now}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return err
		}
	}
	return nil
}
