// Command baseline measures the physical floor placeOrder is compared with: the raw insert rate
// of exactly the rows one order writes (the order, three lines, one provisioning item, one
// history event, one job, and the two id counters it bumps) into the same database, with the
// same durability settings (store.Open: WAL, synchronous=FULL on SQLite), from a tight Go loop
// with no HTTP, JSON, pricing or checks. It reports one commit per order and N orders per commit.
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
	// One account and plan to reference.
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO accounts (id, aps_id, path, type, status, name, created_at, updated_at)
		VALUES (1, 'p', '/1/', 'PROVIDER', 'ACTIVE', 'p', 0, 0) ON CONFLICT DO NOTHING`); err != nil {
		log.Fatal(err)
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

func insertOne(ctx context.Context, tx *store.Tx) error {
	id := next
	next++
	now := time.Now().UnixMicro()
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $1`, []any{"orders"}},
		{`UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $1`, []any{"order_number_SO"}},
		{`INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id, currency, sub_total, tax_total,
			exclusive_tax_total, total, status, payment_status, provisioning_status, of_status, end_customer_name,
			end_customer_type, request, order_date, expiration_date, creation_time, updated_at)
			VALUES ($1,$2,$3,'SO',1,'/1/',1,'USD',1000000,0,0,1000000,'NOT_STARTED','NOT_STARTED','NOT_STARTED','NW',
			'John Smith','CUSTOMER','{}',$4,$4,$4,$4)`, []any{id, fmt.Sprintf("00000000-0000-7000-8000-%012d", id), fmt.Sprintf("SO%08d", id), now}},
		{`INSERT INTO provisioning_items (id, order_id, position, action, plan_aps_id, subscription_aps_id, spec, status,
			created_at, updated_at) VALUES ($1,$1,0,'CREATE','plan','sub','{}','NOT_STARTED',$2,$2)`, []any{id, now}},
		{`INSERT INTO order_events (id, order_id, from_state, to_state, created_at) VALUES ($1,$1,'','NW',$2)`, []any{id, now}},
		{`INSERT INTO jobs (id, kind, order_id, run_at, created_at, updated_at) VALUES ($1,'process_order',$1,$2,$2,$2)`, []any{id, now}},
	}
	for l := 0; l < 3; l++ {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{`INSERT INTO order_lines (order_id, position, type, plan_aps_id, period_unit, period_duration, description,
			quantity, unit_of_measure, unit_price, extended_price) VALUES ($1,$2,'PLAN_RECURRING','plan','MONTHS',1,'line',
			1000000,'item',1000000,1000000)`, []any{id, l}})
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return err
		}
	}
	return nil
}
