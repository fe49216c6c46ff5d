package pricing

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/subscription"
)

func subResource(id, amount string) subscription.Resource {
	return subscription.Resource{ResourceAPSID: id, Amount: d(amount)}
}

// randomPrice is a price with up to 4 decimals, sometimes zero.
func randomPrice(r *rand.Rand) money.Decimal {
	if r.IntN(5) == 0 {
		return money.Zero
	}
	v, _ := money.FromInt(r.Int64N(5_000_000)).MulRatio(1, 10_000)
	return v
}

// TestTotalsAreSumsOfRoundedLines prices random orders and checks the invariants: totals are
// the sums of the lines, total = subTotal + exclusiveTaxTotal, every amount is rounded to the
// currency, extended = gross − discount, and the inclusive part of the tax is inside the price.
func TestTotalsAreSumsOfRoundedLines(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		snap := seedSnapshot()
		cur := []string{"USD", "JPY", "KWD", "EUR"}[r.IntN(4)]
		p := seedPlanOf(&snap)
		p.Currency = cur
		p.Periods[0].Fees = catalog.Fees{Setup: randomPrice(r), Recurring: randomPrice(r), Renewal: randomPrice(r)}
		p.Rates[0].RecurringFee, p.Rates[0].SetupFee = randomPrice(r), randomPrice(r)
		p.Rates[0].ChargePerUnit = r.IntN(4) != 0
		snap.Promotions[0].Value = money.FromInt(r.Int64N(101))
		if r.IntN(3) == 0 {
			snap.Promotions[0].Type, snap.Promotions[0].Value = catalog.Fixed, randomPrice(r)
		}
		snap.TaxRules = []catalog.TaxRule{{Zone: "EU-VAT10", Rate: money.FromInt(r.Int64N(30)), Inclusive: r.IntN(2) == 0},
			{Zone: "EU-VAT10", Rate: money.FromInt(r.Int64N(10))}}
		in := seedInput()
		in.Products[0].Resources[0].Amount = money.FromInt(1 + r.Int64N(500))
		if r.IntN(3) == 0 {
			in.SpecialPricing = &SpecialPricing{Products: []SpecialProduct{{PlanID: seedPlan, Period: month,
				Prices: &PlanFees{Setup: ptr(randomPrice(r))}, Costs: &PlanFees{Recurring: ptr(randomPrice(r))}}}}
		}
		var res Result
		var err error
		switch r.IntN(5) {
		case 0:
			res, err = EstimateCosts(in, snap)
		case 1:
			snap = withSub(snap, r)
			in = Input{Type: []OrderType{Renewal, Change, Cancellation}[r.IntN(3)], SubscriptionID: seedSub, PromoCode: "123"}
			if in.Type == Cancellation {
				in.PromoCode = ""
			}
			if in.Type == Change {
				in.Resources = []Amount{{ResourceID: seedResource, Amount: money.FromInt(1 + r.Int64N(50))}}
			}
			res, err = Estimate(in, snap)
		default:
			res, err = Estimate(in, snap)
		}
		if err != nil {
			if strings.Contains(err.Error(), ErrNothingToChange) {
				continue
			}
			t.Fatalf("case %d: %v", i, err)
		}
		checkInvariants(t, i, res, money.Precision(cur))
	}
}

func ptr(v money.Decimal) *money.Decimal { return &v }

func withSub(s Snapshot, r *rand.Rand) Snapshot {
	sub := subSnapshot()
	s.Subscription, s.Now = sub.Subscription, sub.Now.AddDate(0, 0, r.IntN(20)-2)
	s.Subscription.Resources = []subscription.Resource{subResource(seedResource, money.FromInt(1+r.Int64N(40)).String())}
	return s
}

func checkInvariants(t *testing.T, i int, res Result, prec int) {
	t.Helper()
	sub, tax, excl := money.Zero, money.Zero, money.Zero
	rounded := func(what string, v money.Decimal) {
		if !v.RoundHalfUp(prec).Equal(v) {
			t.Fatalf("case %d: %s = %s is not rounded to %d decimals", i, what, v, prec)
		}
	}
	for _, l := range res.Details {
		sub, tax, excl = sub.Add(l.ExtendedPrice), tax.Add(l.TaxAmount), excl.Add(l.ExclusiveTaxAmount)
		rounded("extendedPrice", l.ExtendedPrice)
		rounded("taxAmount", l.TaxAmount)
		rounded("exclusiveTaxAmount", l.ExclusiveTaxAmount)
		if l.ExclusiveTaxAmount.Abs().Cmp(l.TaxAmount.Abs()) > 0 {
			t.Fatalf("case %d: exclusive tax %s above all taxes %s", i, l.ExclusiveTaxAmount, l.TaxAmount)
		}
		if l.Discount != nil {
			rounded("discount.amount", l.Discount.Amount)
			if l.Discount.Type == catalog.Percent && l.Discount.Amount.Sign()*l.ExtendedPrice.Sign() < 0 {
				t.Fatalf("case %d: percent discount %s against extended %s", i, l.Discount.Amount, l.ExtendedPrice)
			}
		}
	}
	if !res.SubTotal.Equal(sub) || !res.TaxTotal.Equal(tax) || !res.ExclusiveTaxTotal.Equal(excl) {
		t.Fatalf("case %d: totals %s/%s/%s, lines add up to %s/%s/%s", i, res.SubTotal, res.TaxTotal, res.ExclusiveTaxTotal, sub, tax, excl)
	}
	if !res.Total.Equal(res.SubTotal.Add(res.ExclusiveTaxTotal)) {
		t.Fatalf("case %d: total %s ≠ %s + %s", i, res.Total, res.SubTotal, res.ExclusiveTaxTotal)
	}
}

// TestNoFloatInMoneyPaths proves that pricing and money never touch float32/float64: a float
// anywhere in their non-test code fails the build of this test.
func TestNoFloatInMoneyPaths(t *testing.T) {
	for _, dir := range []string{".", "../money"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && (id.Name == "float64" || id.Name == "float32") {
					t.Errorf("%s uses %s", f, id.Name)
				}
				if sel, ok := n.(*ast.SelectorExpr); ok && strings.Contains(sel.Sel.Name, "Float") {
					t.Errorf("%s calls %s", f, sel.Sel.Name)
				}
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.FLOAT {
					t.Errorf("%s has the float literal %s", f, lit.Value)
				}
				return true
			})
		}
	}
}

func BenchmarkEstimate(b *testing.B) {
	in, snap := seedInput(), seedSnapshot()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Estimate(in, snap); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEstimateSpecialPricing(b *testing.B) {
	in, snap := seedInput(), seedSnapshot()
	in.SpecialPricing = seedSpecial()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Estimate(in, snap); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEstimateCosts(b *testing.B) {
	in, snap := seedInput(), seedSnapshot()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EstimateCosts(in, snap); err != nil {
			b.Fatal(err)
		}
	}
}
