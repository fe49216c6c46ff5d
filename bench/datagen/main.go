// Command datagen fills an openbss database with N orders of realistic shape, fast (multi-row
// inserts in large transactions), for the list and count benchmarks: many accounts under several
// resellers, every order type and flow status, dates spread over years, order attributes.
//
//	go run ./bench/datagen -db /tmp/big.db -orders 1000000
//
// The database gets the demo data first if it is empty (so the demo tokens work against it).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

type buyer struct {
	id, seller int64
	path, name string
}

func main() {
	dsn := flag.String("db", "./bench.db", "SQLite path or postgres:// URL")
	n := flag.Int("orders", 1_000_000, "orders to add")
	resellers := flag.Int("resellers", 20, "resellers to add")
	perReseller := flag.Int("customers", 50, "customers per reseller")
	withLines := flag.Bool("lines", true, "write order lines too (three per order)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	rebuild := flag.Bool("rebuild-indexes", true, "drop the order tables' secondary indexes while loading and build them after (much faster for millions)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
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
	anonymous = !st.Postgres()
	if err := demo.Load(ctx, st); err != nil && err != demo.ErrNotEmpty {
		log.Fatal(err)
	}
	start := time.Now()
	buyers, err := accounts(ctx, st, *resellers, *perReseller)
	if err != nil {
		log.Fatal(err)
	}
	var indexes []string
	if *rebuild {
		if indexes, err = dropIndexes(ctx, st); err != nil {
			log.Fatal(err)
		}
	}
	if err := orders(ctx, st, buyers, *n, *withLines); err != nil {
		log.Fatal(err)
	}
	for _, ddl := range indexes {
		t := time.Now()
		if _, err := st.DB().ExecContext(ctx, ddl); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "  %s (%s)\n", ddl, time.Since(t).Round(time.Millisecond))
	}
	el := time.Since(start)
	fmt.Printf("added %d orders (%d buyers) in %s: %.0f orders/s\n", *n, len(buyers), el.Round(time.Millisecond), float64(*n)/el.Seconds())
}

// accounts adds resellers with customers under the provider and returns every customer.
func accounts(ctx context.Context, st *store.Store, resellers, per int) ([]buyer, error) {
	prov, err := st.Provider(ctx)
	if err != nil {
		return nil, err
	}
	var out []buyer
	first := []string{"John", "Jane", "Ana", "Li", "Omar", "Eva", "Raj", "Mia"}
	last := []string{"Smith", "Doe", "Garcia", "Chen", "Haddad", "Novak", "Patel", "Rossi"}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for r := 0; r < resellers; r++ {
			res := account.Account{Type: account.Reseller, Status: account.Active, Name: fmt.Sprintf("Bench Reseller %d", r),
				CanOrder: true, TypeCanOrder: true}
			if err := store.CreateAccount(ctx, tx, &res, &prov); err != nil {
				return err
			}
			for c := 0; c < per; c++ {
				cu := account.Account{Type: account.Customer, Status: account.Active, Name: fmt.Sprintf("Customer %d-%d", r, c),
					ContactFirst: first[(r+c)%len(first)], ContactLast: last[(r*7+c)%len(last)], CanOrder: true, TypeCanOrder: true}
				if err := store.CreateAccount(ctx, tx, &cu, &res); err != nil {
					return err
				}
				out = append(out, buyer{id: cu.ID, seller: res.ID, path: cu.Path, name: cu.EndCustomerName()})
			}
		}
		return nil
	})
	return out, err
}

var (
	types    = []string{"SO", "SO", "SO", "SO", "RN", "RN", "CH", "CL", "CF", "BO"}
	flows    = []string{"CP", "CP", "CP", "CP", "CP", "CP", "PF", "NW", "WP", "CL", "PR", "NP"}
	statusOf = map[string]string{"NW": "NOT_STARTED", "OP": "IN_PROGRESS", "WP": "IN_PROGRESS", "PR": "IN_PROGRESS",
		"NP": "PROBLEM", "PF": "PROBLEM", "CP": "COMPLETED", "CL": "CANCELED"}
)

// orders inserts n orders in transactions of 20,000 with multi-row INSERTs.
func orders(ctx context.Context, st *store.Store, buyers []buyer, n int, withLines bool) error {
	var next int64
	if err := st.DB().QueryRowContext(ctx, `SELECT next_value FROM id_sequences WHERE name = 'orders'`).Scan(&next); err != nil {
		return err
	}
	numbers := map[string]int64{}
	for _, t := range []string{"SO", "RN", "CH", "CL", "CF", "BO"} {
		var v int64
		if err := st.DB().QueryRowContext(ctx, `SELECT next_value FROM id_sequences WHERE name = $1`, "order_number_"+t).Scan(&v); err != nil {
			return err
		}
		numbers[t] = v
	}
	rng := rand.New(rand.NewPCG(42, 7))
	from := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	span := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMicro() - from
	const perTx, perStmt = 20_000, 500
	for done := 0; done < n; {
		size := min(perTx, n-done)
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for k := 0; k < size; k += perStmt {
				m := min(perStmt, size-k)
				var ord, lines, attrs strings.Builder
				var oargs, largs, aargs []any
				for i := 0; i < m; i++ {
					b := buyers[rng.IntN(len(buyers))]
					typ := types[rng.IntN(len(types))]
					flow := flows[rng.IntN(len(flows))]
					num := order.NumberOf(typ, numbers[typ])
					numbers[typ]++
					created := from + rng.Int64N(span)
					total := int64(rng.IntN(50_000)) * 10_000
					id := next
					next++
					if i > 0 {
						ord.WriteString(",")
					}
					ord.WriteString(ph(len(oargs), 23))
					oargs = append(oargs, id, fmt.Sprintf("00000000-0000-7000-8000-%012d", id), num, typ, b.id, b.path, b.seller,
						"USD", total, 0, 0, total, statusOf[flow], "FINISHED", "COMPLETED", flow, b.name, "CUSTOMER", created,
						created+72*3600*1_000_000, created, "{}", created)
					if withLines {
						for l := 0; l < 3; l++ {
							if lines.Len() > 0 {
								lines.WriteString(",")
							}
							lines.WriteString(ph(len(largs), 11))
							largs = append(largs, id, l, []string{"PLAN_SETUP", "PLAN_RECURRING", "RESOURCE_RECURRING"}[l],
								"6b64da9a-f8e6-4cbd-8aef-de304a27b627", "Cloud VPSes line", 1_000_000, total/3, total/3, "item", "MONTHS", 1)
						}
					}
					if rng.IntN(4) == 0 {
						if attrs.Len() > 0 {
							attrs.WriteString(",")
						}
						attrs.WriteString(ph(len(aargs), 3))
						aargs = append(aargs, id, "ORDER_ID1", fmt.Sprintf("test%d", rng.IntN(100_000)))
					}
				}
				if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path,
					seller_id, currency, sub_total, tax_total, exclusive_tax_total, total, status, payment_status,
					provisioning_status, of_status, end_customer_name, end_customer_type, order_date, expiration_date,
					creation_time, request, updated_at) VALUES `+ord.String(), oargs...); err != nil {
					return err
				}
				if lines.Len() > 0 {
					if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, position, type, plan_aps_id,
						description, quantity, unit_price, extended_price, unit_of_measure, period_unit, period_duration) VALUES `+lines.String(), largs...); err != nil {
						return err
					}
				}
				if attrs.Len() > 0 {
					if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO order_attributes (order_id, attribute_id, value) VALUES `+attrs.String(), aargs...); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += size
		if done%200_000 == 0 || done == n {
			fmt.Fprintf(os.Stderr, "  %d orders\n", done)
		}
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE id_sequences SET next_value = $1 WHERE name = 'orders'`, next); err != nil {
			return err
		}
		for t, v := range numbers {
			if _, err := tx.ExecContext(ctx, `UPDATE id_sequences SET next_value = $1 WHERE name = $2`, v, "order_number_"+t); err != nil {
				return err
			}
		}
		return nil
	})
}

// dropIndexes drops the secondary indexes of the order tables (not those behind primary keys or
// unique constraints) and returns the statements that build them again.
func dropIndexes(ctx context.Context, st *store.Store) ([]string, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('orders', 'order_lines', 'order_attributes')`
	if st.Postgres() {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('orders', 'order_lines', 'order_attributes')
			AND indexname NOT IN (SELECT conname FROM pg_constraint)`
	}
	rows, err := st.DB().QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	var names, ddls []string
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			return nil, err
		}
		names, ddls = append(names, name), append(ddls, ddl)
	}
	rows.Close()
	for _, name := range names {
		if _, err := st.DB().ExecContext(ctx, "DROP INDEX "+name); err != nil {
			return nil, err
		}
	}
	return ddls, rows.Err()
}

// anonymous: placeholders are "?" (SQLite) rather than "$N" (PostgreSQL).
var anonymous bool

// ph renders "($k+1,…,$k+n)".
// On SQLite it renders "(?,…,?)": SQLite takes $N for a named parameter, and binding thousands of
// named parameters costs time quadratic in their number.
func ph(k, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		if anonymous {
			b.WriteByte('?')
		} else {
			fmt.Fprintf(&b, "$%d", k+i)
		}
	}
	b.WriteByte(')')
	return b.String()
}
