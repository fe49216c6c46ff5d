package ledger

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/openbss/openbss/internal/money"
)

func d(s string) money.Decimal { return money.MustParse(s) }

func TestNumbersAndSigns(t *testing.T) {
	for _, c := range []struct {
		typ    Type
		number string
		sign   int
	}{
		{Invoice, "INV000007", 1}, {Payment, "PAY000007", -1}, {CreditMemo, "CM000007", -1}, {Refund, "RF000007", 1},
	} {
		if got := Number(c.typ, 7); got != c.number {
			t.Errorf("Number(%s, 7) = %s, want %s", c.typ, got, c.number)
		}
		if got := c.typ.Sign(); got != c.sign {
			t.Errorf("%s.Sign() = %d, want %d", c.typ, got, c.sign)
		}
	}
	if Type("BILL").Valid() || Type("BILL").Prefix() != "" {
		t.Errorf("an unknown type is valid")
	}
}

func TestValidate(t *testing.T) {
	ok := Document{Type: Invoice, Currency: "USD", Amount: d("20.84"), CreditApplied: d("5"),
		Lines: []Line{{Amount: d("18.94"), ExclusiveTax: d("1.90")}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid invoice: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*Document)
		want error
	}{
		{"unknown type", func(d *Document) { d.Type = "BILL" }, ErrType},
		{"no currency", func(d *Document) { d.Currency = "" }, ErrCurrency},
		{"zero amount", func(x *Document) { x.Amount, x.Lines, x.CreditApplied = money.Zero, nil, money.Zero }, ErrAmount},
		{"negative amount", func(x *Document) { x.Amount, x.Lines, x.CreditApplied = d("-1"), nil, money.Zero }, ErrAmount},
		{"credit above amount", func(x *Document) { x.CreditApplied = d("20.85") }, ErrCreditApplied},
		{"negative credit", func(x *Document) { x.CreditApplied = d("-0.01") }, ErrCreditApplied},
		{"credit on a payment", func(x *Document) { x.Type, x.Lines = Payment, nil }, ErrCreditApplied},
		{"lines off by a cent", func(x *Document) { x.Lines[0].Amount = d("18.93") }, ErrLines},
	} {
		doc := ok
		doc.Lines = append([]Line(nil), ok.Lines...)
		c.edit(&doc)
		if err := doc.Validate(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestSummarize follows one account through a sale, a cancellation with a credit memo, an
// order paid partly from that credit, and a cancellation refunded through the gateway.
func TestSummarize(t *testing.T) {
	docs := []Document{
		{Type: Invoice, Currency: "USD", Amount: d("16.25")}, // SO: 10 setup + 4.25 + 2 × 1 VPS
		{Type: Payment, Currency: "USD", Amount: d("16.25")},
		{Type: CreditMemo, Currency: "USD", Amount: d("4.90")},                        // CL, CREDIT_MEMO
		{Type: Invoice, Currency: "USD", Amount: d("6.25"), CreditApplied: d("4.90")}, // next SO
		{Type: Payment, Currency: "USD", Amount: d("1.35")},
		{Type: CreditMemo, Currency: "USD", Amount: d("3.00")}, // CL, REFUND: the memo …
		{Type: Refund, Currency: "USD", Amount: d("3.00")},     // … paid out at once
		{Type: Invoice, Currency: "EUR", Amount: d("99")},      // another currency
	}
	b := Summarize("USD", docs)
	want := Summary{Currency: "USD", Balance: money.Zero, AvailableCredit: money.Zero, Invoiced: d("22.5"),
		Paid: d("17.6"), Credited: d("7.9"), Refunded: d("3"), CreditApplied: d("4.9"), Documents: 7}
	if !b.Balance.Equal(want.Balance) || !b.AvailableCredit.Equal(want.AvailableCredit) || !b.Invoiced.Equal(want.Invoiced) ||
		!b.Paid.Equal(want.Paid) || !b.Credited.Equal(want.Credited) || !b.Refunded.Equal(want.Refunded) ||
		!b.CreditApplied.Equal(want.CreditApplied) || b.Documents != want.Documents {
		t.Errorf("Summarize = %+v\nwant        %+v", b, want)
	}
	b = Summarize("USD", docs[:3])
	if !b.Balance.Equal(d("-4.90")) || !b.AvailableCredit.Equal(d("4.90")) {
		t.Errorf("after the credit memo: balance %s, credit %s; want -4.90, 4.90", b.Balance, b.AvailableCredit)
	}
}

func TestApplyCredit(t *testing.T) {
	for _, c := range []struct{ available, total, applied, charge string }{
		{"0", "20.84", "0", "20.84"},
		{"4.90", "20.84", "4.90", "15.94"},
		{"25", "20.84", "20.84", "0"},
		{"20.84", "20.84", "20.84", "0"},
		{"5", "0", "0", "0"},
		{"5", "-3", "0", "0"},
		{"-1", "10", "0", "10"},
	} {
		applied, charge := ApplyCredit(d(c.available), d(c.total))
		if !applied.Equal(d(c.applied)) || !charge.Equal(d(c.charge)) {
			t.Errorf("ApplyCredit(%s, %s) = %s, %s; want %s, %s", c.available, c.total, applied, charge, c.applied, c.charge)
		}
	}
}

// TestApplyCreditProperty: the split always adds up and never spends more credit than there is.
func TestApplyCreditProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 10000 {
		available := money.FromMicros(r.Int64N(50_000_000) - 5_000_000).Round("USD")
		total := money.FromMicros(r.Int64N(50_000_000) - 5_000_000).Round("USD")
		applied, charge := ApplyCredit(available, total)
		if applied.Sign() < 0 || charge.Sign() < 0 {
			t.Fatalf("ApplyCredit(%s, %s) = %s, %s: negative", available, total, applied, charge)
		}
		if total.Sign() > 0 && !applied.Add(charge).Equal(total) {
			t.Fatalf("ApplyCredit(%s, %s) = %s + %s != total", available, total, applied, charge)
		}
		if applied.Cmp(money.Max(available, money.Zero)) > 0 {
			t.Fatalf("ApplyCredit(%s, %s) spends %s", available, total, applied)
		}
	}
}
