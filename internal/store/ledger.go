package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
)

// The ledger: documents are inserted once, in the transaction of the order step that moves the
// money (payment approved, credit memo issued, refund approved), and never updated. An
// account's balance is the signed sum of its documents (internal/ledger).

// Credit reservation states (payment_credits.state).
const (
	creditReserved = "RESERVED"
	creditApplied  = "APPLIED"
	creditReleased = "RELEASED"
)

// insertDocument validates and records a document with its lines, giving it its id, APS id and
// number, and adds it to its account's balance. relatedID links it to the document it settles
// (0: none).
func insertDocument(ctx context.Context, tx *Tx, d *ledger.Document, accountPath string, relatedID int64) error {
	if err := insertDocumentRows(ctx, tx, d, accountPath, relatedID); err != nil {
		return err
	}
	return addToBalance(ctx, tx, d, balanceDelta(d))
}

// addToBalance adds delta to the balance of d's account in d's currency.
func addToBalance(ctx context.Context, tx *Tx, d *ledger.Document, delta money.Decimal) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_balances (account_id, currency, balance) VALUES ($1,$2,$3)
		ON CONFLICT (account_id, currency) DO UPDATE SET balance = account_balances.balance + excluded.balance`,
		d.AccountID, d.Currency, delta.MustMicros()); err != nil {
		return fmt.Errorf("record %s: balance: %w", d.Type, err)
	}
	return nil
}

// insertDocumentRows is insertDocument but for the balance. The document's number is the
// last counter of its type taken, gap-free: on PostgreSQL its counter row stays locked until
// the transaction commits, and every other document of the type waits for it, so callers
// record documents last in their transactions.
func insertDocumentRows(ctx context.Context, tx *Tx, d *ledger.Document, accountPath string, relatedID int64) error {
	if d.Date.IsZero() {
		d.Date = tx.Now
	}
	if err := d.Validate(); err != nil {
		return err
	}
	var err error
	if d.ID, err = nextID(ctx, tx, "documents"); err != nil {
		return err
	}
	seq, err := nextID(ctx, tx, numberSequence(d.Type))
	if err != nil {
		return err
	}
	d.Number, d.APSID = ledger.Number(d.Type, seq), NewAPSID()
	var orderID, related, method any
	if d.OrderID != 0 {
		orderID = d.OrderID
	}
	if relatedID != 0 {
		related = relatedID
	}
	if d.MethodID != 0 {
		method = d.MethodID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (id, aps_id, number, type, account_id, account_path, vendor_id,
		order_id, related_id, currency, amount, tax_amount, credit_applied, method_id, transaction_id, description,
		document_date, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
		d.ID, d.APSID, d.Number, string(d.Type), d.AccountID, accountPath, d.VendorID, orderID, related, d.Currency,
		d.Amount.MustMicros(), d.TaxAmount.MustMicros(), d.CreditApplied.MustMicros(), method, d.TransactionID,
		d.Description, Micros(d.Date), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("record %s: %w", d.Type, err)
	}
	for i, l := range d.Lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_lines (document_id, position, type, description,
			plan_aps_id, resource_aps_id, quantity, unit_price, amount, exclusive_tax, tax_amount, duration_unit,
			duration_value) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, d.ID, i, l.Type, l.Description,
			l.PlanID, l.ResourceID, l.Quantity.MustMicros(), l.UnitPrice.MustMicros(), l.Amount.MustMicros(),
			l.ExclusiveTax.MustMicros(), l.TaxAmount.MustMicros(), l.DurationUnit, l.DurationValue.MustMicros()); err != nil {
			return fmt.Errorf("record %s line %d: %w", d.Type, i, err)
		}
	}
	return nil
}

// balanceDelta is what a document adds to its account's balance: invoices and refunds paid out
// raise what the account owes; payments and credit memos lower it.
func balanceDelta(d *ledger.Document) money.Decimal {
	if d.Type.Sign() > 0 {
		return d.Amount
	}
	return d.Amount.Neg()
}

// orderDocument returns the id and number of an order's document of a type, if it has one.
func orderDocument(ctx context.Context, tx *Tx, orderID int64, t ledger.Type) (int64, string, error) {
	var id int64
	var number string
	err := tx.QueryRowContext(ctx, `SELECT id, number FROM documents WHERE order_id = $1 AND type = $2`,
		orderID, string(t)).Scan(&id, &number)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return id, number, err
}

// copyOrderLines writes an order's lines as a document's lines in one statement; sign -1 turns
// them around (a credit memo lists what it gives back as positive amounts). Pricing made the
// order's total the sum of its lines' extended prices and exclusive taxes, so the lines add up
// to the document's amount.
func copyOrderLines(ctx context.Context, tx *Tx, docID, orderID int64, sign int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO document_lines (document_id, position, type, description, plan_aps_id,
		resource_aps_id, quantity, unit_price, amount, exclusive_tax, tax_amount, duration_unit, duration_value)
		SELECT $1, position, type, description, plan_aps_id, resource_aps_id, $2 * quantity, unit_price,
			$2 * extended_price, $2 * exclusive_tax_amount, $2 * tax_amount, duration_unit, duration_value
		FROM order_lines WHERE order_id = $3`, docID, int64(sign), orderID)
	if err != nil {
		return fmt.Errorf("document %d lines: %w", docID, err)
	}
	return nil
}

// RecordPaidOrder writes the documents of an order whose payment was approved, in the
// transaction that records the approval: its invoice (the order's lines and total, with the
// part paid from the account's credit) and, when the payment method was charged, the payment.
// pay is the approved attempt (Amount: what the method was charged). Idempotent: an order
// already invoiced is left alone.
func RecordPaidOrder(ctx context.Context, tx *Tx, o *order.Order, pay Payment, transactionID string) error {
	if id, _, err := orderDocument(ctx, tx, o.ID, ledger.Invoice); err != nil || id != 0 {
		return err
	}
	credit := money.Zero
	if pay.ID != 0 && !pay.Amount.Equal(o.Total) { // else the attempt reserved no credit (ReserveCredit)
		var micros int64
		err := tx.QueryRowContext(ctx, `SELECT amount FROM payment_credits WHERE payment_id = $1`, pay.ID).Scan(&micros)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			credit = money.FromMicros(micros)
			if _, err := tx.ExecContext(ctx, `UPDATE payment_credits SET state = $2, updated_at = $3 WHERE payment_id = $1`,
				pay.ID, creditApplied, Micros(tx.Now)); err != nil {
				return err
			}
		}
	}
	if !credit.Add(pay.Amount).Equal(o.Total) {
		return fmt.Errorf("order %s: credit %s + payment %s is not the total %s", o.Number, credit, pay.Amount, o.Total)
	}
	// The invoice and the payment change the buyer's balance by what the credit paid (nothing
	// when the method paid it all): one update of the account's balance row, or none.
	inv := ledger.Document{Type: ledger.Invoice, AccountID: o.BuyerID, VendorID: o.SellerID, OrderID: o.ID,
		Currency: o.Currency, Amount: o.Total, TaxAmount: o.TaxTotal, CreditApplied: credit,
		Description: "Order " + o.Number}
	if tx.postgres && tx.ids[numberSequence(ledger.Invoice)] == nil && tx.ids[numberSequence(ledger.Payment)] == nil {
		return recordPaidOrderPG(ctx, tx, o, &inv, pay, transactionID)
	}
	if err := insertDocumentRows(ctx, tx, &inv, o.BuyerPath, 0); err != nil {
		return fmt.Errorf("order %s: %w", o.Number, err)
	}
	if err := copyOrderLines(ctx, tx, inv.ID, o.ID, 1); err != nil {
		return err
	}
	delta := balanceDelta(&inv)
	if pay.Amount.Sign() > 0 {
		pd := ledger.Document{Type: ledger.Payment, AccountID: o.BuyerID, VendorID: o.SellerID, OrderID: o.ID,
			Currency: o.Currency, Amount: pay.Amount, MethodID: pay.MethodID, TransactionID: transactionID,
			Description: "Payment of " + inv.Number}
		if err := insertDocumentRows(ctx, tx, &pd, o.BuyerPath, inv.ID); err != nil {
			return fmt.Errorf("order %s: %w", o.Number, err)
		}
		delta = delta.Add(balanceDelta(&pd))
	}
	if delta.Sign() == 0 {
		return nil
	}
	return addToBalance(ctx, tx, &inv, delta)
}

// numberSequence is the counter of a document type's numbers.
func numberSequence(t ledger.Type) string { return "document_number_" + string(t) }

// recordPaidOrderPG is RecordPaidOrder's writing on PostgreSQL, in ONE statement: the invoice
// with its number and lines, the payment with its number (when the method was charged) and the
// balance. A gap-free number's counter row stays locked from its UPDATE to the commit and every
// approval waits for it (docs/PERFORMANCE.md): written one statement after another, the lock
// was held over five more round trips to the server, which under load are most of an approval's
// time. Now it is held for the rest of the statement and the commit. The number is formatted as
// ledger.Number formats it (TestPaidOrderDocumentsAlike). tx must hold no range of either
// counter (nextID): the statement takes its numbers from the counters' rows.
func recordPaidOrderPG(ctx context.Context, tx *Tx, o *order.Order, inv *ledger.Document, pay Payment, transactionID string) error {
	inv.Date = tx.Now
	if err := inv.Validate(); err != nil {
		return fmt.Errorf("order %s: %w", o.Number, err)
	}
	pd := ledger.Document{Type: ledger.Payment, AccountID: o.BuyerID, VendorID: o.SellerID, OrderID: o.ID,
		Currency: o.Currency, Amount: pay.Amount, MethodID: pay.MethodID, TransactionID: transactionID, Date: tx.Now}
	charged := pay.Amount.Sign() > 0
	delta := balanceDelta(inv)
	if charged {
		pd.Description = "Payment of " // and the invoice's number, in the statement
		if err := pd.Validate(); err != nil {
			return fmt.Errorf("order %s: %w", o.Number, err)
		}
		delta = delta.Add(balanceDelta(&pd))
	}
	var err error
	if inv.ID, err = nextID(ctx, tx, "documents"); err != nil {
		return err
	}
	inv.APSID = NewAPSID()
	args := []any{inv.ID, inv.APSID, numberSequence(inv.Type), inv.Type.Prefix(), string(inv.Type), inv.AccountID,
		o.BuyerPath, inv.VendorID, inv.OrderID, inv.Currency, inv.Amount.MustMicros(), inv.TaxAmount.MustMicros(),
		inv.CreditApplied.MustMicros(), inv.Description, Micros(tx.Now)}
	// number formats the counter's value v as ledger.Number does: at least six digits.
	const number = `|| CASE WHEN v < 1000000 THEN lpad(v::text, 6, '0') ELSE v::text END`
	q := `WITH ni AS (UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $3 RETURNING next_value - 1 AS v),
		inv AS (INSERT INTO documents (id, aps_id, number, type, account_id, account_path, vendor_id, order_id, currency,
			amount, tax_amount, credit_applied, description, document_date, created_at)
			SELECT $1, $2, $4 ` + number + `, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15 FROM ni
			RETURNING id, number),
		lines AS (INSERT INTO document_lines (document_id, position, type, description, plan_aps_id, resource_aps_id,
			quantity, unit_price, amount, exclusive_tax, tax_amount, duration_unit, duration_value)
			SELECT inv.id, l.position, l.type, l.description, l.plan_aps_id, l.resource_aps_id, l.quantity, l.unit_price,
				l.extended_price, l.exclusive_tax_amount, l.tax_amount, l.duration_unit, l.duration_value
			FROM order_lines l, inv WHERE l.order_id = $9)`
	if charged {
		if pd.ID, err = nextID(ctx, tx, "documents"); err != nil {
			return err
		}
		pd.APSID = NewAPSID()
		var method any
		if pd.MethodID != 0 {
			method = pd.MethodID
		}
		args = append(args, pd.ID, pd.APSID, numberSequence(pd.Type), pd.Type.Prefix(), string(pd.Type),
			pd.Amount.MustMicros(), method, pd.TransactionID, pd.Description)
		q += `,
		np AS (UPDATE id_sequences SET next_value = next_value + 1 WHERE name = $18 RETURNING next_value - 1 AS v),
		pay AS (INSERT INTO documents (id, aps_id, number, type, account_id, account_path, vendor_id, order_id,
			related_id, currency, amount, method_id, transaction_id, description, document_date, created_at)
			SELECT $16, $17, $19 ` + number + `, $20, $6, $7, $8, $9, inv.id, $10, $21, $22, $23, $24 || inv.number, $15, $15
			FROM np, inv)`
	}
	if delta.Sign() != 0 {
		args = append(args, delta.MustMicros())
		q += fmt.Sprintf(`,
		bal AS (INSERT INTO account_balances (account_id, currency, balance) VALUES ($6, $10, $%d)
			ON CONFLICT (account_id, currency) DO UPDATE SET balance = account_balances.balance + excluded.balance)`, len(args))
	}
	q += `
		SELECT number FROM inv`
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&inv.Number); err != nil {
		return fmt.Errorf("order %s: record its invoice: %w", o.Number, err)
	}
	return nil
}

// IssueCreditMemo records what an order owes its buyer (a negative total: a cancellation's
// unused time, a downgrade's credit) as a credit memo, the order's lines turned around.
// Idempotent per order.
func IssueCreditMemo(ctx context.Context, tx *Tx, o *order.Order) (ledger.Document, error) {
	memo := ledger.Document{Type: ledger.CreditMemo, AccountID: o.BuyerID, VendorID: o.SellerID, OrderID: o.ID,
		Currency: o.Currency, Amount: o.Total.Neg(), TaxAmount: o.TaxTotal.Neg(), Description: "Credit for order " + o.Number}
	var err error
	if memo.ID, memo.Number, err = orderDocument(ctx, tx, o.ID, ledger.CreditMemo); err != nil || memo.ID != 0 {
		return memo, err
	}
	if err := insertDocument(ctx, tx, &memo, o.BuyerPath, 0); err != nil {
		return memo, fmt.Errorf("order %s: %w", o.Number, err)
	}
	return memo, copyOrderLines(ctx, tx, memo.ID, o.ID, -1)
}

// RecordRefund records money paid back through the gateway for an order, settling its credit
// memo. Idempotent per order.
func RecordRefund(ctx context.Context, tx *Tx, o *order.Order, memo ledger.Document, rf Refund) error {
	if id, _, err := orderDocument(ctx, tx, o.ID, ledger.Refund); err != nil || id != 0 {
		return err
	}
	d := ledger.Document{Type: ledger.Refund, AccountID: o.BuyerID, VendorID: o.SellerID, OrderID: o.ID,
		Currency: rf.Currency, Amount: rf.Amount, MethodID: rf.MethodID, TransactionID: rf.TransactionID,
		Description: "Refund of " + memo.Number}
	return insertDocument(ctx, tx, &d, o.BuyerPath, memo.ID)
}

// availableInTx is the credit an account may spend in a currency, read in tx: the credit of
// its balance less what payment attempts in flight have reserved.
func availableInTx(ctx context.Context, tx *Tx, accountID int64, currency string) (money.Decimal, error) {
	var bal, reserved int64
	err := tx.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT balance FROM account_balances WHERE account_id = $1 AND currency = $2), 0),
		(SELECT COALESCE(SUM(amount), 0) FROM payment_credits WHERE account_id = $1 AND currency = $2 AND state = $3)`,
		accountID, currency, creditReserved).Scan(&bal, &reserved)
	if err != nil {
		return money.Zero, err
	}
	return ledger.Credit(money.FromMicros(bal)).Sub(money.FromMicros(reserved)), nil
}

// ReserveCredit decides how much of the buyer's credit pays an order before its method is
// charged, in the transaction that creates the payment attempt — so the decision is made once
// per attempt, and a retried attempt (found, not created) asks the gateway for the same amount
// under the same key. With credit available it locks the account, takes what is available (the
// balance's credit less what attempts in flight have reserved), records the reservation and
// lowers the attempt's amount to the rest. Without credit it changes nothing and locks nothing.
func ReserveCredit(ctx context.Context, tx *Tx, o *order.Order, pay Payment) (Payment, error) {
	if pay.Status != "PENDING" || !pay.Created || pay.Amount.Sign() <= 0 {
		return pay, nil
	}
	available, err := availableInTx(ctx, tx, o.BuyerID, pay.Currency)
	if err != nil || available.Sign() <= 0 {
		return pay, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE id = $1`+tx.forUpdate(), o.BuyerID).Scan(&id); err != nil {
		return pay, fmt.Errorf("lock account %d: %w", o.BuyerID, err)
	}
	if available, err = availableInTx(ctx, tx, o.BuyerID, pay.Currency); err != nil || available.Sign() <= 0 {
		return pay, err
	}
	applied, charge := ledger.ApplyCredit(available, pay.Amount)
	if _, err := tx.ExecContext(ctx, `INSERT INTO payment_credits (payment_id, account_id, currency, amount, state,
		created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6)`, pay.ID, o.BuyerID, pay.Currency, applied.MustMicros(),
		creditReserved, Micros(tx.Now)); err != nil {
		return pay, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET amount = $2, updated_at = $3 WHERE id = $1`,
		pay.ID, charge.MustMicros(), Micros(tx.Now)); err != nil {
		return pay, err
	}
	pay.Amount = charge
	return pay, nil
}

// ReleaseCredit gives back the credit a declined payment attempt had reserved.
func ReleaseCredit(ctx context.Context, tx *Tx, paymentID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE payment_credits SET state = $2, updated_at = $3 WHERE payment_id = $1 AND state = $4`,
		paymentID, creditReleased, Micros(tx.Now), creditReserved)
	return err
}

// Refund is a refund attempt of an order that owes its buyer.
type Refund struct {
	ID             int64
	OrderID        int64
	Attempt        int
	IdempotencyKey string
	MethodID       int64
	Amount         money.Decimal
	Currency       string
	Status         string // PENDING, APPROVED, DECLINED
	TransactionID  string
	Message        string
}

// RefundAttempt returns the order's refund row of an attempt, creating it PENDING (for what the
// order owes: minus its total) with its idempotency key if it does not exist yet.
func RefundAttempt(ctx context.Context, tx *Tx, o *order.Order, attempt int, methodID int64) (Refund, error) {
	r := Refund{OrderID: o.ID, Attempt: attempt}
	var amount int64
	err := tx.QueryRowContext(ctx, `SELECT id, idempotency_key, COALESCE(method_id, 0), amount, currency, status,
		transaction_id, message FROM refunds WHERE order_id = $1 AND attempt = $2`, o.ID, attempt).Scan(
		&r.ID, &r.IdempotencyKey, &r.MethodID, &amount, &r.Currency, &r.Status, &r.TransactionID, &r.Message)
	if err == nil {
		r.Amount = money.FromMicros(amount)
		return r, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return r, err
	}
	if r.ID, err = nextID(ctx, tx, "refunds"); err != nil {
		return r, err
	}
	r.IdempotencyKey = fmt.Sprintf("%s/refund/%d", o.APSID, attempt)
	r.MethodID, r.Amount, r.Currency, r.Status = methodID, o.Total.Neg(), o.Currency, "PENDING"
	_, err = tx.ExecContext(ctx, `INSERT INTO refunds (id, order_id, attempt, idempotency_key, method_id, amount,
		currency, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9)`,
		r.ID, o.ID, attempt, r.IdempotencyKey, methodID, r.Amount.MustMicros(), r.Currency, r.Status, Micros(tx.Now))
	return r, err
}

// SetRefundResult records a gateway's answer on a refund row.
func SetRefundResult(ctx context.Context, tx *Tx, id int64, status, transactionID, message string) error {
	_, err := tx.ExecContext(ctx, `UPDATE refunds SET status = $2, transaction_id = $3, message = $4, updated_at = $5
		WHERE id = $1`, id, status, transactionID, message, Micros(tx.Now))
	return err
}

// LastChargeTransaction is the gateway transaction of the latest approved charge of an order on
// a subscription (what a refund of that subscription's unused time goes back against), or "".
func LastChargeTransaction(ctx context.Context, tx *Tx, subscriptionID int64) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT p.transaction_id FROM payments p
		JOIN order_subscriptions os ON os.order_id = p.order_id
		WHERE os.subscription_id = $1 AND p.status = 'APPROVED' ORDER BY p.id DESC LIMIT 1`, subscriptionID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

const documentColumns = `d.id, d.aps_id, d.number, d.type, d.account_id, a.aps_id, d.vendor_id, v.aps_id,
	COALESCE(d.order_id, 0), COALESCE(o.aps_id, ''), COALESCE(o.order_number, ''), COALESCE(r.number, ''),
	d.currency, d.amount, d.tax_amount, d.credit_applied, COALESCE(d.method_id, 0), d.transaction_id,
	d.description, d.document_date`

const documentFrom = `documents d JOIN accounts a ON a.id = d.account_id JOIN accounts v ON v.id = d.vendor_id
	LEFT JOIN orders o ON o.id = d.order_id LEFT JOIN documents r ON r.id = d.related_id`

func scanDocument(row interface{ Scan(...any) error }) (*ledger.Document, error) {
	d := &ledger.Document{}
	var typ string
	var amount, tax, credit, date int64
	err := row.Scan(&d.ID, &d.APSID, &d.Number, &typ, &d.AccountID, &d.AccountAPSID, &d.VendorID, &d.VendorAPSID,
		&d.OrderID, &d.OrderAPSID, &d.OrderNumber, &d.RelatedNumber, &d.Currency, &amount, &tax, &credit,
		&d.MethodID, &d.TransactionID, &d.Description, &date)
	if err != nil {
		return nil, err
	}
	d.Type = ledger.Type(typ)
	d.Amount, d.TaxAmount, d.CreditApplied = money.FromMicros(amount), money.FromMicros(tax), money.FromMicros(credit)
	d.Date = FromMicros(date)
	return d, nil
}

// DocumentsScopeArgs is the number of arguments the documents collection's scope takes.
const DocumentsScopeArgs = 2

// ListDocuments lists the documents of accounts in the subtree at scopePath, with their lines.
func (s *Store) ListDocuments(ctx context.Context, scopePath string, q ListQuery) ([]*ledger.Document, Page, error) {
	lo, hi := account.SubtreeRange(scopePath)
	var out []*ledger.Document
	page, err := s.list(ctx, collection{columns: documentColumns, from: documentFrom,
		scope: "d.account_path >= $1 AND d.account_path < $2", args: []any{lo, hi}}, q, func(r *sql.Rows) error {
		d, err := scanDocument(r)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, page, err
	}
	return out, page, s.loadDocumentLines(ctx, out)
}

// Document reads one document by APS id or number, with its lines.
func (s *Store) Document(ctx context.Context, id string) (*ledger.Document, error) {
	d, err := scanDocument(s.rdb.QueryRowContext(ctx, "SELECT "+documentColumns+" FROM "+documentFrom+
		" WHERE d.aps_id = $1 OR d.number = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return d, s.loadDocumentLines(ctx, []*ledger.Document{d})
}

// AccountDocuments reads every document of an account in the order they were written.
func (s *Store) AccountDocuments(ctx context.Context, accountID int64) ([]*ledger.Document, error) {
	var out []*ledger.Document
	err := s.each(ctx, "SELECT "+documentColumns+" FROM "+documentFrom+" WHERE d.account_id = $1 ORDER BY d.id",
		[]any{accountID}, func(r *sql.Rows) error {
			d, err := scanDocument(r)
			out = append(out, d)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, s.loadDocumentLines(ctx, out)
}

func (s *Store) loadDocumentLines(ctx context.Context, docs []*ledger.Document) error {
	if len(docs) == 0 {
		return nil
	}
	byID := make(map[int64]*ledger.Document, len(docs))
	ids := make([]int64, len(docs))
	for i, d := range docs {
		byID[d.ID], ids[i] = d, d.ID
	}
	in, args := idList(ids)
	return s.each(ctx, `SELECT document_id, type, description, plan_aps_id, resource_aps_id, quantity, unit_price,
		amount, exclusive_tax, tax_amount, duration_unit, duration_value FROM document_lines
		WHERE document_id IN (`+in+`) ORDER BY document_id, position`, args, func(r *sql.Rows) error {
		var id, q, up, amt, ex, tax, dur int64
		var l ledger.Line
		if err := r.Scan(&id, &l.Type, &l.Description, &l.PlanID, &l.ResourceID, &q, &up, &amt, &ex, &tax,
			&l.DurationUnit, &dur); err != nil {
			return err
		}
		l.Quantity, l.UnitPrice, l.Amount = money.FromMicros(q), money.FromMicros(up), money.FromMicros(amt)
		l.ExclusiveTax, l.TaxAmount, l.DurationValue = money.FromMicros(ex), money.FromMicros(tax), money.FromMicros(dur)
		byID[id].Lines = append(byID[id].Lines, l)
		return nil
	})
}

// AccountBalance is an account's standing in one currency: the balance derived from its
// documents, and the credit payment attempts in flight have reserved from it.
type AccountBalance struct {
	ledger.Summary
	Reserved money.Decimal
}

// Balances derives an account's balance in each currency it has documents in (its own currency
// always comes first, even with no documents).
func (s *Store) Balances(ctx context.Context, a account.Account) ([]AccountBalance, error) {
	type key struct{ currency, typ string }
	type total struct {
		amount, credit int64
		n              int
	}
	totals := map[key]total{}
	currencies := []string{a.Currency}
	err := s.each(ctx, `SELECT currency, type, SUM(amount), SUM(credit_applied), COUNT(*) FROM documents
		WHERE account_id = $1 GROUP BY currency, type ORDER BY currency, type`, []any{a.ID}, func(r *sql.Rows) error {
		var k key
		var t total
		if err := r.Scan(&k.currency, &k.typ, &t.amount, &t.credit, &t.n); err != nil {
			return err
		}
		totals[k] = t
		if !slices.Contains(currencies, k.currency) {
			currencies = append(currencies, k.currency)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	reserved := map[string]int64{}
	err = s.each(ctx, `SELECT currency, SUM(amount) FROM payment_credits WHERE account_id = $1 AND state = $2
		GROUP BY currency`, []any{a.ID, creditReserved}, func(r *sql.Rows) error {
		var c string
		var v int64
		err := r.Scan(&c, &v)
		reserved[c] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]AccountBalance, 0, len(currencies))
	for _, c := range currencies {
		// The sums per type stand for the documents: Summarize applies the one rule.
		var docs []ledger.Document
		n := 0
		for _, t := range ledger.Types {
			if tt, ok := totals[key{c, string(t)}]; ok {
				docs = append(docs, ledger.Document{Type: t, Currency: c, Amount: money.FromMicros(tt.amount),
					CreditApplied: money.FromMicros(tt.credit)})
				n += tt.n
			}
		}
		b := ledger.Summarize(c, docs)
		b.Documents = n
		res := money.FromMicros(reserved[c])
		b.AvailableCredit = money.Max(b.AvailableCredit.Sub(res), money.Zero)
		out = append(out, AccountBalance{Summary: b, Reserved: res})
	}
	return out, nil
}

// RecordSettledOrder makes sure an order whose payment is FINISHED has its invoice: after an
// approved charge it is already there (written with the approval); after a manual payment
// (a push from WP to PR) the invoice and a payment by the order's manual method are written now.
// Idempotent.
func RecordSettledOrder(ctx context.Context, tx *Tx, o *order.Order) error {
	if o.PaymentStatus != order.PaymentFinished || o.Total.Sign() <= 0 {
		return nil
	}
	if id, _, err := orderDocument(ctx, tx, o.ID, ledger.Invoice); err != nil || id != 0 {
		return err
	}
	var pay Payment
	var amount int64
	err := tx.QueryRowContext(ctx, `SELECT id, COALESCE(method_id, 0), amount, currency, transaction_id FROM payments
		WHERE order_id = $1 AND status = 'APPROVED' ORDER BY attempt DESC LIMIT 1`, o.ID).Scan(
		&pay.ID, &pay.MethodID, &amount, &pay.Currency, &pay.TransactionID)
	switch {
	case err == nil:
		pay.Amount = money.FromMicros(amount)
		return RecordPaidOrder(ctx, tx, o, pay, pay.TransactionID)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	pay = Payment{Amount: o.Total, Currency: o.Currency}
	if o.PaymentMethodID != nil {
		pay.MethodID = *o.PaymentMethodID
	}
	return RecordPaidOrder(ctx, tx, o, pay, "manual")
}

// AvailableCredit is the credit an account may spend now in a currency: the credit of its
// balance less what payment attempts in flight have reserved. A read without locks: the
// reservation in ReserveCredit is what counts.
func (s *Store) AvailableCredit(ctx context.Context, accountID int64, currency string) (money.Decimal, error) {
	var bal, reserved int64
	err := s.rdb.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT balance FROM account_balances WHERE account_id = $1 AND currency = $2), 0),
		(SELECT COALESCE(SUM(amount), 0) FROM payment_credits WHERE account_id = $1 AND currency = $2 AND state = $3)`,
		accountID, currency, creditReserved).Scan(&bal, &reserved)
	if err != nil {
		return money.Zero, err
	}
	return money.Max(ledger.Credit(money.FromMicros(bal)).Sub(money.FromMicros(reserved)), money.Zero), nil
}

// CheckBalances compares every account's running balance (account_balances) with the sum of its
// documents and reports the first difference: the two are written in one transaction, so any
// difference is a bug.
func (s *Store) CheckBalances(ctx context.Context) error {
	var account int64
	var currency string
	var kept, summed int64
	err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(b.account_id, d.account_id), COALESCE(b.currency, d.currency),
		COALESCE(b.balance, 0), COALESCE(d.balance, 0)
		FROM account_balances b FULL JOIN (SELECT account_id, currency,
			SUM(CASE WHEN type IN ('INVOICE', 'REFUND') THEN amount ELSE -amount END) AS balance
			FROM documents GROUP BY account_id, currency) d ON d.account_id = b.account_id AND d.currency = b.currency
		WHERE COALESCE(b.balance, 0) <> COALESCE(d.balance, 0) LIMIT 1`).Scan(&account, &currency, &kept, &summed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("account %d %s: running balance %s, documents sum to %s", account, currency,
		money.FromMicros(kept), money.FromMicros(summed))
}

// Invoiced reports whether an order has its invoice.
func (s *Store) Invoiced(ctx context.Context, orderID int64) (bool, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE order_id = $1 AND type = 'INVOICE'`, orderID).Scan(&n)
	return n > 0, err
}
