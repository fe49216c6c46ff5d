package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
)

// An order's expiration date follows its date: every order the system writes expires
// order.Expiry after it (InsertOrder, drafts, bench/datagen). A condition on one of the two
// dates therefore bounds the other, and the order list needs that: the seed's
// ge(orderDate,a),le(expirationDate,b) is two ranges of 85% and 15% of the orders whose
// intersection is 0.03%, and either index alone reads millions of rows for one page.
//
// The offset is not assumed constant (data imported later, a future API): the expression index
// orders_validity (migration 00014) orders every order by its validity d = expiration_date −
// order_date, so lo = MIN(d) and hi = MAX(d) over the orders are one index seek each, kept by
// the database itself in every write's transaction. With d in [lo, hi]:
//
//	expiration_date ≤ b  ⇒  order_date ≤ b − lo       order_date ≥ a  ⇒  expiration_date ≥ a + lo
//	expiration_date ≥ y  ⇒  order_date ≥ y − hi       order_date ≤ x  ⇒  expiration_date ≤ x + hi
//
// (strict comparisons stay strict, an equality bounds both sides), and conversely a condition
// on one date follows from one on the other:
//
//	order_date ≤ b − hi  ⇒  expiration_date ≤ b       expiration_date ≥ a + hi  ⇒  order_date ≥ a
//	order_date ≥ y − lo  ⇒  expiration_date ≥ y       expiration_date ≤ x + lo  ⇒  order_date ≤ x
//
// The planner adds the implied ranges
// implied ranges as extra conditions, only from the top-level conjuncts of the filter (never
// inside or() or not()), so they narrow index ranges and the original conditions still decide:
// the result is the same. lo and hi are written into each condition as subqueries
// (minValidity, maxValidity), which each statement evaluates once, in its own snapshot: an
// order written between the planning and a query is within the bound that query reads (with no
// orders at all they are NULL and the condition holds for none: there are none). The values
// read when planning only choose which conditions to add: an implied bound where it is tighter
// than the column's own, and only on a column the filter already constrains (giving the seed's
// two ranges their missing ends: 1 day of orders each) or on the sort's column (so its index
// walk starts at the first possible match); one added for the sort's walk alone stays out of
// counts, which on the other column's index alone are index-only.
//
// Off the index a query walks, an implied condition is left out (it rejects nothing), and an
// original date condition is tested only where its sufficient condition on the other date
// fails: SQLite reads an order's row only when it needs a column that the index it walks
// lacks, so leading with orders_order_date the seed's le(expirationDate,b) reads the rows of
// the orders dated within hi − lo of the range's end only — none when every order is valid the
// same time — and the page is found in the index alone (at 10M, 3,190 matches: the query took
// 17–27 ms reading their rows, 2 ms without).
//
// The bound was first a one-row table widened by triggers (migration 00013): on SQLite a row
// trigger cost ~12 µs of CPU per order placed (~10% of the committer's share), the index ~1 µs.

// The bounds of order validity as scalar subqueries: each is one seek of orders_validity (the
// expression must stay the index's).
const (
	minValidity = "(SELECT MIN(expiration_date - order_date) FROM orders)"
	maxValidity = "(SELECT MAX(expiration_date - order_date) FROM orders)"
)

// validity is the range of expiration_date − order_date over every order (µs).
type validity struct{ lo, hi int64 }

// orderValidity reads the range; ok is false when there are no orders.
func (s *Store) orderValidity(ctx context.Context) (v validity, ok bool, err error) {
	var lo, hi sql.NullInt64
	err = s.rdb.QueryRowContext(ctx, "SELECT "+minValidity+", "+maxValidity).Scan(&lo, &hi)
	if err != nil || !lo.Valid || !hi.Valid {
		return v, false, err
	}
	return validity{lo: lo.Int64, hi: hi.Int64}, true, nil
}

// impliedDates adds to the plan the date ranges its date conditions imply (the rule above).
func (s *Store) impliedDates(ctx context.Context, p *orderPlan) error {
	if !p.dated() {
		return nil
	}
	v, ok, err := s.orderValidity(ctx)
	if err != nil || !ok {
		return err
	}
	p.imply(v)
	return nil
}

// dropValidityTriggers drops what migration 00013's version of the store created per dialect
// (its triggers widened a table that 00014 dropped: left, they would fail every insert of an
// order). Idempotent; nothing to do on a store that never ran that version.
func (s *Store) dropValidityTriggers(ctx context.Context) error {
	stmts := []string{`DROP TRIGGER IF EXISTS order_validity_insert`, `DROP TRIGGER IF EXISTS order_validity_update`}
	if s.postgres {
		stmts = []string{`DROP TRIGGER IF EXISTS order_validity_insert ON orders`, `DROP TRIGGER IF EXISTS order_validity_update ON orders`,
			`DROP FUNCTION IF EXISTS openbss_widen_order_validity()`, `DROP FUNCTION IF EXISTS openbss_widen_order_validity_row()`}
	}
	if err := s.execAll(ctx, stmts); err != nil {
		return fmt.Errorf("drop order validity triggers: %w", err)
	}
	return nil
}

// dateCond is how the RQL compiler writes a comparison of an order date with a value.
var dateCond = regexp.MustCompile(`^o\.(order_date|expiration_date) (>=|<=|=|<|>) \$([0-9]+)$`)

// dateBound is one end of a range: col >= v (or > v when strict) for a lower end. An implied
// end is x plus a bound of validity (shift), v its value when planned.
type dateBound struct {
	v      int64
	strict bool
	set    bool
	x      int64
	shift  string // " + " or " - " and minValidity or maxValidity
}

// op is the comparison that states the bound as a lower end or (upper) an upper one.
func (b dateBound) op(upper bool) string {
	switch {
	case upper && b.strict:
		return " < "
	case upper:
		return " <= "
	case b.strict:
		return " > "
	}
	return " >= "
}

// dateRange is what a column's conditions say of it.
type dateRange struct{ lo, hi dateBound }

// tighter reports whether a is a tighter lower end (upper: a tighter upper end) than b.
func tighter(a, b dateBound, upper bool) bool {
	switch {
	case !a.set:
		return false
	case !b.set:
		return true
	case a.v == b.v:
		return a.strict && !b.strict
	case upper:
		return a.v < b.v
	}
	return a.v > b.v
}

// shifted is the end b moved by d (the bound of validity the subquery shift reads), unset when
// that overflows.
func shifted(b dateBound, d int64, shift string) dateBound {
	v := b.v + d
	if !b.set || d > 0 && v < b.v || d < 0 && v > b.v {
		return dateBound{}
	}
	return dateBound{v: v, strict: b.strict, set: true, x: b.v, shift: shift}
}

// dated reports whether the filter compares an order date with a value at its top level.
func (p *orderPlan) dated() bool {
	for _, c := range p.conds {
		if dateCond.MatchString(c.sql) {
			return true
		}
	}
	return false
}

// imply adds the ranges the top-level date conditions imply, given the validity range v read
// when planning.
func (p *orderPlan) imply(v validity) {
	own := map[string]*dateRange{"o.order_date": {}, "o.expiration_date": {}}
	constrained := map[string]bool{}
	for i, c := range p.conds {
		m := dateCond.FindStringSubmatch(c.sql)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[3])
		x, ok := p.args[n-1].(int64)
		if !ok {
			continue
		}
		col := "o." + m[1]
		r := own[col]
		if m[2] != "<" && m[2] != "<=" {
			if b := (dateBound{v: x, strict: m[2] == ">", set: true}); tighter(b, r.lo, false) {
				r.lo = b
			}
		}
		if m[2] != ">" && m[2] != ">=" {
			if b := (dateBound{v: x, strict: m[2] == "<", set: true}); tighter(b, r.hi, true) {
				r.hi = b
			}
		}
		constrained[col] = true
		p.conds[i].sufficient = p.sufficient(col, m[2], x, v)
	}
	od, exp := own["o.order_date"], own["o.expiration_date"]
	implied := map[string]dateRange{
		"o.expiration_date": {lo: shifted(od.lo, v.lo, " + "+minValidity), hi: shifted(od.hi, v.hi, " + "+maxValidity)},
		"o.order_date":      {lo: shifted(exp.lo, -v.hi, " - "+maxValidity), hi: shifted(exp.hi, -v.lo, " - "+minValidity)},
	}
	sortCol := p.sortColumn()
	for _, col := range []string{"o.order_date", "o.expiration_date"} {
		if !constrained[col] && col != sortCol {
			continue
		}
		walkOnly := !constrained[col]
		for _, end := range []struct {
			b, own dateBound
			upper  bool
		}{{implied[col].lo, own[col].lo, false}, {implied[col].hi, own[col].hi, true}} {
			if !tighter(end.b, end.own, end.upper) {
				continue
			}
			p.conds = append(p.conds, panelCond{sql: col + end.b.op(end.upper) + "(" + p.arg(end.b.x) + end.b.shift + ")",
				column: col, walkOnly: walkOnly, implied: true})
		}
	}
}

// sufficient is the condition on the other date that implies col op x (the rule above), or ""
// for an equality or when the shift overflows.
func (p *orderPlan) sufficient(col, op string, x int64, v validity) string {
	other, shift, d := "o.order_date", " - "+maxValidity, -v.hi // expiration_date ≤ x
	switch {
	case op == "=":
		return ""
	case col == "o.expiration_date" && (op == ">=" || op == ">"):
		shift, d = " - "+minValidity, -v.lo
	case col == "o.order_date" && (op == ">=" || op == ">"):
		other, shift, d = "o.expiration_date", " + "+maxValidity, v.hi
	case col == "o.order_date":
		other, shift, d = "o.expiration_date", " + "+minValidity, v.lo
	}
	if b := shifted(dateBound{v: x, set: true}, d, shift); !b.set {
		return ""
	}
	return other + " " + op + " (" + p.arg(x) + shift + ")"
}
