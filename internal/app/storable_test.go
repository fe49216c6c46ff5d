package app

import (
	"testing"

	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/problem"
)

// TestStorable checks the bound of what an order may hold: every amount, price and total must
// fit the fixed-point columns (int64 micro-units), the largest being 9223372036854.775807.
func TestStorable(t *testing.T) {
	d := money.MustParse
	line := func(qty, price string) pricing.Line {
		return pricing.Line{Quantity: d(qty), UnitPrice: d(price), ExtendedPrice: d(price), LowerBound: money.Zero}
	}
	sale := func(amount string) *order.Request {
		return &order.Request{Type: order.Sales, Products: []order.Product{{ChildProducts: []order.Product{{
			Resources: []pricing.Amount{{ResourceID: "r", Amount: d(amount)}}}}}}}
	}
	for _, c := range []struct {
		name  string
		req   *order.Request
		price pricing.Result
		bad   string // the value named in the refusal, "" when storable
	}{
		{"the largest amount", sale("9223372036854.775807"), pricing.Result{}, ""},
		{"an upsell's amount one micro above", sale("9223372036854.775808"), pricing.Result{}, "9223372036854.775808"},
		{"a change's amount", &order.Request{Type: order.Change, Resources: []pricing.Amount{{ResourceID: "r", Amount: d("-9300000000000")}}},
			pricing.Result{}, "-9300000000000.0"},
		{"a line's price", sale("1"), pricing.Result{Details: []pricing.Line{line("1", "1"), line("2", "10000000000000")}}, "10000000000000.0"},
		{"a discount", sale("1"), pricing.Result{Details: []pricing.Line{{Quantity: d("1"),
			Discount: &pricing.Discount{Value: d("1"), Amount: d("9999999999999.5")}}}}, "9999999999999.5"},
		{"the total", sale("1"), pricing.Result{Total: d("9300000000000")}, "9300000000000.0"},
		{"ordinary", sale("40"), pricing.Result{Total: d("33.19"), Details: []pricing.Line{line("20", "1.5")}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := storable(c.req, c.price)
			if c.bad == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			p, ok := problem.As(err)
			want := "the order holds an amount or price out of range: " + c.bad + " (at most 9223372036854.775807)"
			if !ok || p.Status != 422 || p.Type != "AmountOutOfRange" || p.Message != want {
				t.Fatalf("got %v, want 422 AmountOutOfRange %q", err, want)
			}
		})
	}
}
