// Package ledger holds an account's books: the append-only documents that move money between
// an account and its vendor — invoices (one per paid order), payments, credit memos and
// refunds — and the rules that derive the account's balance from them. The balance is never
// stored: it is the signed sum of the documents. Pure: no I/O.
//
// Sign convention: the balance is what the account owes its vendor. An invoice adds to it; a
// payment and a credit memo take from it; a refund (money paid back) adds to it again. A
// negative balance is credit the account may spend: the next order's payment is taken from it
// first, and only the rest is charged to the payment method.
package ledger

import (
	"errors"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/money"
)

// Type is a kind of document.
type Type string

// Document types.
const (
	Invoice    Type = "INVOICE"     // an order was paid: what it cost, line by line
	Payment    Type = "PAYMENT"     // money received through a payment method
	CreditMemo Type = "CREDIT_MEMO" // money the vendor owes back (unused time, a downgrade)
	Refund     Type = "REFUND"      // money paid back through a payment method
)

// Types lists every document type.
var Types = []Type{Invoice, Payment, CreditMemo, Refund}

// Valid reports a known type.
func (t Type) Valid() bool {
	switch t {
	case Invoice, Payment, CreditMemo, Refund:
		return true
	}
	return false
}

// Prefix is what the type's document numbers start with.
func (t Type) Prefix() string {
	switch t {
	case Invoice:
		return "INV"
	case Payment:
		return "PAY"
	case CreditMemo:
		return "CM"
	case Refund:
		return "RF"
	}
	return ""
}

// Sign is +1 when the type adds to what the account owes, -1 when it takes from it.
func (t Type) Sign() int {
	if t == Payment || t == CreditMemo {
		return -1
	}
	return 1
}

// Number formats a document number: INV000001, PAY000001, CM000001, RF000001.
func Number(t Type, seq int64) string { return fmt.Sprintf("%s%06d", t.Prefix(), seq) }

// Line is a line of a document, as the order line it comes from shows it.
type Line struct {
	Type          string
	Description   string
	PlanID        string
	ResourceID    string
	Quantity      money.Decimal
	UnitPrice     money.Decimal
	Amount        money.Decimal // the extended price, in the document's own direction
	ExclusiveTax  money.Decimal
	TaxAmount     money.Decimal
	DurationUnit  string
	DurationValue money.Decimal
}

// Document is one entry of an account's books. Amount is a magnitude (≥ 0); the type gives
// its direction.
type Document struct {
	ID           int64
	APSID        string
	Number       string
	Type         Type
	AccountID    int64
	AccountAPSID string
	VendorID     int64
	VendorAPSID  string
	OrderID      int64
	OrderAPSID   string
	OrderNumber  string
	// RelatedNumber links a document to the one it settles: a payment to its invoice, a refund
	// to the credit memo it pays out.
	RelatedNumber string
	Currency      string
	Amount        money.Decimal
	TaxAmount     money.Decimal
	// CreditApplied is, on an invoice, the part paid from the account's credit (earlier credit
	// memos) rather than by a payment.
	CreditApplied money.Decimal
	MethodID      int64
	TransactionID string
	Description   string
	Date          time.Time
	Lines         []Line
}

// Effect is the document's signed effect on the balance.
func (d Document) Effect() money.Decimal {
	if d.Type.Sign() < 0 {
		return d.Amount.Neg()
	}
	return d.Amount
}

// Validation errors.
var (
	ErrType          = errors.New("ledger: unknown document type")
	ErrAmount        = errors.New("ledger: a document amount is a positive magnitude")
	ErrCurrency      = errors.New("ledger: a document needs a currency")
	ErrCreditApplied = errors.New("ledger: credit applied must lie between 0 and an invoice's amount")
	ErrLines         = errors.New("ledger: the lines do not add up to the document's amount")
)

// Validate checks a document before it is recorded: a known type, a currency, a positive
// amount, credit applied only on invoices and within their amount, and lines (when there are
// any) whose amounts plus exclusive taxes add up to the document's amount.
func (d Document) Validate() error {
	if !d.Type.Valid() {
		return fmt.Errorf("%w: %q", ErrType, d.Type)
	}
	if d.Currency == "" {
		return ErrCurrency
	}
	if d.Amount.Sign() <= 0 {
		return fmt.Errorf("%w: %s %s", ErrAmount, d.Type, d.Amount)
	}
	if d.CreditApplied.Sign() < 0 || d.CreditApplied.Cmp(d.Amount) > 0 || (d.Type != Invoice && !d.CreditApplied.IsZero()) {
		return fmt.Errorf("%w: %s on a %s of %s", ErrCreditApplied, d.CreditApplied, d.Type, d.Amount)
	}
	if len(d.Lines) > 0 {
		sum := money.Zero
		for _, l := range d.Lines {
			sum = sum.Add(l.Amount).Add(l.ExclusiveTax)
		}
		if !sum.Equal(d.Amount) {
			return fmt.Errorf("%w: lines %s, amount %s", ErrLines, sum, d.Amount)
		}
	}
	return nil
}

// Summary is an account's standing in one currency, derived from its documents.
type Summary struct {
	Currency string
	// Balance is what the account owes (positive) or may spend (negative).
	Balance money.Decimal
	// AvailableCredit is the credit the next order's payment is taken from: -Balance when the
	// balance is negative, else 0.
	AvailableCredit money.Decimal
	Invoiced        money.Decimal
	Paid            money.Decimal
	Credited        money.Decimal
	Refunded        money.Decimal
	CreditApplied   money.Decimal
	Documents       int
}

// Summarize derives the balance in currency from an account's documents (documents in other
// currencies are ignored).
func Summarize(currency string, docs []Document) Summary {
	b := Summary{Currency: currency}
	for _, d := range docs {
		if d.Currency != currency {
			continue
		}
		b.Documents++
		b.Balance = b.Balance.Add(d.Effect())
		switch d.Type {
		case Invoice:
			b.Invoiced = b.Invoiced.Add(d.Amount)
			b.CreditApplied = b.CreditApplied.Add(d.CreditApplied)
		case Payment:
			b.Paid = b.Paid.Add(d.Amount)
		case CreditMemo:
			b.Credited = b.Credited.Add(d.Amount)
		case Refund:
			b.Refunded = b.Refunded.Add(d.Amount)
		}
	}
	b.AvailableCredit = Credit(b.Balance)
	return b
}

// Credit is the credit a balance leaves to spend.
func Credit(balance money.Decimal) money.Decimal {
	if balance.Sign() < 0 {
		return balance.Neg()
	}
	return money.Zero
}

// ApplyCredit splits an order's total between the account's available credit (used first) and
// the payment method: applied + charge = total, 0 ≤ applied ≤ available.
func ApplyCredit(available, total money.Decimal) (applied, charge money.Decimal) {
	if total.Sign() <= 0 || available.Sign() <= 0 {
		return money.Zero, money.Max(total, money.Zero)
	}
	applied = money.Min(available, total)
	return applied, total.Sub(applied)
}
