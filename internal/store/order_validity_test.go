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
