package store

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestImpliedDateRanges checks the ranges the planner adds for date conditions, given the range
// of order validities: the rule of order_validity.go, written out per case.
func TestImpliedDateRanges(t *testing.T) {
	const h = int64(3600_000_000) // an hour in µs
	v := validity{lo: 72 * h, hi: 80 * h}
	a, b := int64(1000*h), int64(1100*h)
	for _, tc := range []struct {
		name    string
		where   string
		args    []any
		orderBy string
		v       validity
		want    []string // implied conditions, their values inlined and the bounds of validity as lo and hi; "walk:" when walkOnly
	}{
		{"the seed: each range gets its missing end", "o.order_date >= $3 AND o.expiration_date <= $4", []any{a, b}, "o.id DESC", v,
			[]string{"o.order_date <= (" + itoa(b) + " - lo)", "o.expiration_date >= (" + itoa(a) + " + lo)"}},
		{"strict stays strict", "o.order_date > $3 AND o.expiration_date < $4", []any{a, b}, "o.id DESC", v,
			[]string{"o.order_date < (" + itoa(b) + " - lo)", "o.expiration_date > (" + itoa(a) + " + lo)"}},
		{"the other two ends", "o.order_date <= $3 AND o.expiration_date >= $4", []any{b, a}, "o.id DESC", v,
			[]string{"o.order_date >= (" + itoa(a) + " - hi)", "o.expiration_date <= (" + itoa(b) + " + hi)"}},
		{"an equality bounds both ends", "o.order_date = $3 AND o.expiration_date >= $4", []any{a, a}, "o.id DESC", v,
			[]string{"o.expiration_date >= (" + itoa(a) + " + lo)", "o.expiration_date <= (" + itoa(a) + " + hi)"}},
		{"one date alone: nothing (its index alone counts it)", "o.order_date >= $3 AND o.order_date < $4", []any{a, b}, "o.id DESC", v, nil},
		{"one date alone, sorted by the other: the walk's start", "o.order_date >= $3", []any{a}, "o.expiration_date", v,
			[]string{"walk:o.expiration_date >= (" + itoa(a) + " + lo)"}},
		{"a looser implied end is not added", "o.order_date >= $3 AND o.expiration_date >= $4", []any{a, a + 100*h}, "o.id DESC", v,
			[]string{"o.order_date >= (" + itoa(a+100*h) + " - hi)"}},
		{"an equal end is not added", "o.order_date >= $3 AND o.expiration_date >= $4", []any{a, a + 72*h}, "o.id DESC", v, nil},
		{"inside or(): nothing", "(o.order_date >= $3 OR o.expiration_date <= $4)", []any{a, b}, "o.id DESC", v, nil},
		{"inside not(): nothing", "NOT (o.order_date >= $3) AND o.expiration_date <= $4", []any{a, b}, "o.id DESC", v, nil},
		{"a validity that varies the other way", "o.order_date >= $3 AND o.expiration_date <= $4", []any{a, b}, "o.id DESC",
			validity{lo: -5 * h, hi: 0}, []string{"o.order_date <= (" + itoa(b) + " - lo)", "o.expiration_date >= (" + itoa(a) + " + lo)"}},
		{"overflow derives nothing", "o.order_date >= $3 AND o.expiration_date <= $4", []any{int64(math.MaxInt64 - 5), int64(math.MinInt64 + 5)}, "o.id DESC",
			validity{lo: 10, hi: 10}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newOrderPlan("/1/", true, ListQuery{Where: tc.where, Args: tc.args, OrderBy: tc.orderBy})
			before := len(p.conds)
			p.imply(tc.v)
			var got []string
			for _, c := range p.conds[before:] {
				text := placeholder.ReplaceAllStringFunc(c.sql, func(ph string) string {
					n, _ := strconv.Atoi(ph[1:])
					return itoa(p.args[n-1].(int64))
				})
				text = strings.NewReplacer(minValidity, "lo", maxValidity, "hi").Replace(text)
				if c.walkOnly {
					text = "walk:" + text
				}
				if c.column != strings.Fields(c.sql)[0] {
					t.Errorf("%s: column %q", c.sql, c.column)
				}
				got = append(got, text)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("implied %q, want %q", got, tc.want)
			}
		})
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestSufficientDateConditions checks the condition on the other date that implies each date
// condition, and how a query led by the order date's index writes the filter: the implied
// condition on the expiration date left out, the original one tested after its sufficient one.
func TestSufficientDateConditions(t *testing.T) {
	const h = int64(3600_000_000)
	v := validity{lo: 72 * h, hi: 80 * h}
	for _, tc := range []struct{ where, want string }{
		{"o.expiration_date <= $3", "o.order_date <= (X - hi)"},
		{"o.expiration_date < $3", "o.order_date < (X - hi)"},
		{"o.expiration_date >= $3", "o.order_date >= (X - lo)"},
		{"o.expiration_date > $3", "o.order_date > (X - lo)"},
		{"o.order_date >= $3", "o.expiration_date >= (X + hi)"},
		{"o.order_date > $3", "o.expiration_date > (X + hi)"},
		{"o.order_date <= $3", "o.expiration_date <= (X + lo)"},
		{"o.order_date < $3", "o.expiration_date < (X + lo)"},
		{"o.order_date = $3", ""},
	} {
		p := newOrderPlan("/1/", true, ListQuery{Where: tc.where, Args: []any{int64(1000 * h)}, OrderBy: "o.id DESC"})
		p.imply(v)
		got := strings.NewReplacer("$4", "X", minValidity, "lo", maxValidity, "hi").Replace(p.conds[0].sufficient)
		if got != tc.want {
			t.Errorf("%s: sufficient %q, want %q", tc.where, got, tc.want)
		}
	}

	p := newOrderPlan("/1/", true, ListQuery{Where: "o.order_date >= $3 AND o.expiration_date <= $4", Args: []any{1000 * h, 1100 * h}, OrderBy: "o.id DESC"})
	p.imply(v)
	got := strings.NewReplacer(minValidity, "lo", maxValidity, "hi").Replace(where(p.conds, map[string]bool{"o.order_date": true}))
	want := "o.order_date >= $3 AND CASE WHEN +o.order_date <= ($6 - hi) THEN TRUE ELSE +o.expiration_date <= $4 END AND o.order_date <= ($7 - lo)"
	if got != want {
		t.Errorf("led by the order date:\n got %s\nwant %s", got, want)
	}
}
