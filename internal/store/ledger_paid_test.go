package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// paidDoc is a document as RecordPaidOrder writes it, without what differs from order to order
// (ids, numbers, the order).
type paidDoc struct {
	Type, AccountPath, Currency, Description, TransactionID   string
	AccountID, VendorID, Amount, Tax, Credit, Date, CreatedAt int64
	Method                                                    sql.NullInt64
	Related                                                   sql.NullString // the related document's type
	Lines                                                     []string
}

// RecordPaidOrder writes the same documents, lines, numbers and balance whether it writes them
// in one statement (PostgreSQL) or one after another (SQLite, and PostgreSQL's fallback): pairs
// of orders alike but for their ids, one written each way, charged in full, partly paid from
// credit, and wholly paid from credit; numbers past six digits.
func TestPaidOrderDocumentsAlike(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := newTree(t, s)
		mustTx(t, s, func(tx *store.Tx) error {
			if err := store.BumpSequence(ctx, tx, "document_number_INVOICE", 999_997); err != nil {
				return err
			}
			return store.BumpSequence(ctx, tx, "document_number_PAYMENT", 999_998)
		})
		balance := func() (micros int64) {
			t.Helper()
			err := s.DB().QueryRowContext(ctx, `SELECT COALESCE((SELECT balance FROM account_balances
				WHERE account_id = $1 AND currency = 'USD'), 0)`, tr.customerA.ID).Scan(&micros)
			if err != nil {
				t.Fatal(err)
			}
			return micros
		}
		// docs reads o's documents, with o's number and the invoice's in their descriptions
		// replaced, and their dates checked and left out.
		docs := func(o *order.Order) (out []paidDoc, numbers []string) {
			t.Helper()
			rows, err := s.DB().QueryContext(ctx, `SELECT d.id, d.number, d.type, d.account_path, d.currency, d.description,
				d.transaction_id, d.account_id, d.vendor_id, d.amount, d.tax_amount, d.credit_applied, d.document_date,
				d.created_at, d.method_id, r.type FROM documents d LEFT JOIN documents r ON r.id = d.related_id
				WHERE d.order_id = $1 ORDER BY d.id`, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids []int64
			for rows.Next() {
				var d paidDoc
				var id int64
				var number string
				if err := rows.Scan(&id, &number, &d.Type, &d.AccountPath, &d.Currency, &d.Description, &d.TransactionID,
					&d.AccountID, &d.VendorID, &d.Amount, &d.Tax, &d.Credit, &d.Date, &d.CreatedAt, &d.Method, &d.Related); err != nil {
					t.Fatal(err)
				}
				if d.Date != d.CreatedAt || d.Date == 0 {
					t.Errorf("%s: dated %d, created at %d", number, d.Date, d.CreatedAt)
				}
				d.Date, d.CreatedAt = 0, 0
				d.Description = strings.ReplaceAll(d.Description, o.Number, "<order>")
				if len(numbers) > 0 {
					d.Description = strings.ReplaceAll(d.Description, numbers[0], "<invoice>")
				}
				out, numbers, ids = append(out, d), append(numbers, number), append(ids, id)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			for i, id := range ids {
				lines, err := s.DB().QueryContext(ctx, `SELECT position, type, description, plan_aps_id, resource_aps_id,
					quantity, unit_price, amount, exclusive_tax, tax_amount, duration_unit, duration_value
					FROM document_lines WHERE document_id = $1 ORDER BY position`, id)
				if err != nil {
					t.Fatal(err)
				}
				for lines.Next() {
					var v [12]any
					ptrs := make([]any, len(v))
					for j := range v {
						ptrs[j] = &v[j]
					}
					if err := lines.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					out[i].Lines = append(out[i].Lines, fmt.Sprint(v))
				}
				if err := lines.Close(); err != nil {
					t.Fatal(err)
				}
			}
			return out, numbers
		}
		var invoices, payments []string
		for k, credit := range []string{"0", "0.03", "all"} {
			var pair [2][]paidDoc
			var moved [2]int64
			for way, record := range []func(context.Context, *store.Tx, *order.Order, store.Payment, string) error{
				store.RecordPaidOrder, store.RecordPaidOrderInSteps,
			} {
				o := shapedOrder(tr, 7)
				mustTx(t, s, func(tx *store.Tx) error { return store.InsertOrder(ctx, tx, o) })
				before := balance()
				mustTx(t, s, func(tx *store.Tx) error {
					pay := store.Payment{Amount: o.Total, MethodID: 42}
					if credit != "0" {
						p, err := store.PaymentAttempt(ctx, tx, o, 1, 0)
						if err != nil {
							return err
						}
						used := o.Total
						if credit != "all" {
							used = money.MustParse(credit)
						}
						if _, err := tx.ExecContext(ctx, `INSERT INTO payment_credits (payment_id, account_id, currency,
							amount, state, created_at, updated_at) VALUES ($1, $2, 'USD', $3, 'RESERVED', 0, 0)`,
							p.ID, tr.customerA.ID, used.MustMicros()); err != nil {
							return err
						}
						pay, pay.MethodID = p, 42
						pay.Amount = o.Total.Sub(used)
					}
					if err := record(ctx, tx, o, pay, fmt.Sprintf("tx-%d", k)); err != nil {
						return err
					}
					return record(ctx, tx, o, pay, "again") // idempotent: nothing more
				})
				moved[way] = balance() - before
				var numbers []string
				pair[way], numbers = docs(o)
				for i, d := range pair[way] {
					if d.Type == string(ledger.Invoice) {
						invoices = append(invoices, numbers[i])
					} else {
						payments = append(payments, numbers[i])
					}
				}
			}
			if !reflect.DeepEqual(pair[0], pair[1]) || moved[0] != moved[1] {
				t.Errorf("credit %s: in one statement\n%+v\nbalance %+d; one after another\n%+v\nbalance %+d",
					credit, pair[0], moved[0], pair[1], moved[1])
			}
			if want := 1 + map[bool]int{true: 0, false: 1}[credit == "all"]; len(pair[0]) != want {
				t.Errorf("credit %s: %d documents, want %d", credit, len(pair[0]), want)
			}
		}
		var want []string
		for seq := int64(999_998); len(want) < 6; seq++ {
			want = append(want, ledger.Number(ledger.Invoice, seq))
		}
		if !reflect.DeepEqual(invoices, want) {
			t.Errorf("invoice numbers %v, want %v", invoices, want)
		}
		if want := []string{"PAY999999", "PAY1000000", "PAY1000001", "PAY1000002"}; !reflect.DeepEqual(payments, want) {
			t.Errorf("payment numbers %v, want %v", payments, want)
		}
	})
}

// BenchmarkApprovals is the documents of paid orders written by concurrent transactions, as
// the approvals of the end-to-end flow write them, in one statement (RecordPaidOrder) and one
// statement after another (the way of SQLite): on PostgreSQL the invoice's gap-free counter
// row is locked from its number to the commit, so how long that is bounds the approvals per
// second whatever the cores.
//
//	OPENBSS_TEST_POSTGRES=postgres://… go test -run XXX -bench Approvals ./internal/store/
func BenchmarkApprovals(b *testing.B) {
	for _, way := range []struct {
		name   string
		record func(context.Context, *store.Tx, *order.Order, store.Payment, string) error
	}{{"statement", store.RecordPaidOrder}, {"steps", store.RecordPaidOrderInSteps}} {
		b.Run(way.name, func(b *testing.B) {
			s := storetest.OpenPostgres(b)
			tr := newTree(b, s)
			ctx := context.Background()
			orders := make([]*order.Order, b.N)
			for n := 0; n < b.N; n += 64 {
				mustTx(b, s, func(tx *store.Tx) error {
					for i := n; i < min(n+64, b.N); i++ {
						orders[i] = shapedOrder(tr, i)
						if err := store.InsertOrder(ctx, tx, orders[i]); err != nil {
							return err
						}
					}
					return nil
				})
			}
			var next atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					o := orders[next.Add(1)-1]
					if err := s.InTx(ctx, func(tx *store.Tx) error {
						return way.record(ctx, tx, o, store.Payment{Amount: o.Total}, "tx")
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
