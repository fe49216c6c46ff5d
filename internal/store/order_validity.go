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
// The offset is not assumed constant (data imported later, a future API): order_validity holds
// lo ≤ expiration_date − order_date ≤ hi over every order in the store, widened by triggers in
// the transaction of every insert and date change (never narrowed: a delete leaves it wide,
// which is still true). With d in [lo, hi]:
//
//	expiration_date ≤ b  ⇒  order_date ≤ b − lo       order_date ≥ a  ⇒  expiration_date ≥ a + lo
//	expiration_date ≥ y  ⇒  order_date ≥ y − hi       order_date ≤ x  ⇒  expiration_date ≤ x + hi
//
// (strict comparisons stay strict, an equality bounds both sides). The planner adds these
// implied ranges as extra conditions, only from the top-level conjuncts of the filter (never
// inside or() or not()), so they narrow index ranges and the original conditions still decide:
// the result is the same. An implied bound is added where it is tighter than the column's own,
// and only on a column the filter already constrains (giving the seed's two ranges their
// missing ends: 1 day of orders each) or the sort's column (so its index walk starts at the
// first possible match); one added for the sort's walk alone stays out of counts, which on its
// column's index alone are index-only.

// ensureOrderValidity creates the triggers that widen order_validity and, the first time, fills
// it from the orders already stored. The triggers come first and the fill follows in the same
// transaction, so no order escapes both: on PostgreSQL creating a trigger waits for the writers
// of orders and holds them off until commit; on SQLite the transaction is the only writer.
func (s *Store) ensureOrderValidity(ctx context.Context) error {
	// The widening update, the same on both engines but for how the new offsets arrive: one
	// row's (NEW) or a whole statement's (PostgreSQL's transition table new_orders).
	widen := func(lo, hi string) string {
		return `UPDATE order_validity SET lo = CASE WHEN lo IS NULL OR ` + lo + ` < lo THEN ` + lo + ` ELSE lo END,
			hi = CASE WHEN hi IS NULL OR ` + hi + ` > hi THEN ` + hi + ` ELSE hi END
			WHERE id = 1 AND ` + lo + ` IS NOT NULL AND (lo IS NULL OR ` + lo + ` < lo OR ` + hi + ` > hi)`
	}
	row := "NEW.expiration_date - NEW.order_date"
	changed := "OLD.order_date <> NEW.order_date OR OLD.expiration_date <> NEW.expiration_date"
	var stmts []string
	if s.postgres {
		stmts = []string{
			`CREATE OR REPLACE FUNCTION openbss_widen_order_validity() RETURNS trigger AS $$
			DECLARE nlo BIGINT; nhi BIGINT;
			BEGIN SELECT MIN(expiration_date - order_date), MAX(expiration_date - order_date) INTO nlo, nhi FROM new_orders;
			` + widen("nlo", "nhi") + `; RETURN NULL; END $$ LANGUAGE plpgsql`,
			`CREATE OR REPLACE FUNCTION openbss_widen_order_validity_row() RETURNS trigger AS $$
			BEGIN ` + widen(row, row) + `; RETURN NULL; END $$ LANGUAGE plpgsql`,
			// A statement's inserted rows at once: a bulk insert is one update, not one per row.
			`CREATE OR REPLACE TRIGGER order_validity_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_orders
			FOR EACH STATEMENT EXECUTE FUNCTION openbss_widen_order_validity()`,
			`CREATE OR REPLACE TRIGGER order_validity_update AFTER UPDATE OF order_date, expiration_date ON orders
			FOR EACH ROW WHEN (` + changed + `) EXECUTE FUNCTION openbss_widen_order_validity_row()`,
		}
	} else {
		stmts = []string{
			`CREATE TRIGGER IF NOT EXISTS order_validity_insert AFTER INSERT ON orders BEGIN ` + widen(row, row) + `; END`,
			`CREATE TRIGGER IF NOT EXISTS order_validity_update AFTER UPDATE OF order_date, expiration_date ON orders
			WHEN ` + changed + ` BEGIN ` + widen(row, row) + `; END`,
		}
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		if s.postgres {
			// One process at a time (as ensureVersionTriggers): concurrent CREATE OR REPLACE of
			// one function fails with "tuple concurrently updated".
			if _, err := tx.Tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262536911)`); err != nil {
				return err
			}
		}
		for _, q := range stmts {
			if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		var n int
		if err := tx.Tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_validity`).Scan(&n); err != nil || n > 0 {
			return err
		}
		// Once per store: a scan of every order (seconds at 10M).
		_, err := tx.Tx.ExecContext(ctx, `INSERT INTO order_validity (id, lo, hi)
			SELECT 1, MIN(expiration_date - order_date), MAX(expiration_date - order_date) FROM orders`)
		return err
	})
	if err != nil {
		return fmt.Errorf("order validity: %w", err)
	}
	return nil
}

// validity is the range of expiration_date − order_date over every order (µs).
type validity struct{ lo, hi int64 }

// orderValidity reads the range; ok is false while it is not known (no row yet, or no orders).
func (s *Store) orderValidity(ctx context.Context) (v validity, ok bool, err error) {
	var lo, hi sql.NullInt64
	err = s.rdb.QueryRowContext(ctx, `SELECT lo, hi FROM order_validity WHERE id = 1`).Scan(&lo, &hi)
	if err == sql.ErrNoRows {
		return v, false, nil
	}
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
	p.validity = &v
	p.imply(v)
	return nil
}

// validityHeld reports whether the range the plan's implied conditions came from still holds.
// It only ever widens, so when it reads the same after the plan's queries as before them, every
// order those queries saw was within it; otherwise an order outside it may have been committed
// in between, and the list is planned again.
func (s *Store) validityHeld(ctx context.Context, p orderPlan) (bool, error) {
	if p.validity == nil {
		return true, nil
	}
	v, ok, err := s.orderValidity(ctx)
	return ok && v == *p.validity, err
}

// maxPlanAttempts bounds how often a list is planned again after the validity range widened
// under it; the last attempt derives nothing.
const maxPlanAttempts = 3

// dateCond is how the RQL compiler writes a comparison of an order date with a value.
var dateCond = regexp.MustCompile(`^o\.(order_date|expiration_date) (>=|<=|=|<|>) \$([0-9]+)$`)

// dateBound is one end of a range: col >= v (or > v when strict) for a lower end.
type dateBound struct {
	v      int64
	strict bool
	set    bool
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

// shifted is the bound moved by d, unset when that overflows.
func shifted(b dateBound, d int64) dateBound {
	v := b.v + d
	if !b.set || d > 0 && v < b.v || d < 0 && v > b.v {
		return dateBound{}
	}
	return dateBound{v: v, strict: b.strict, set: true}
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

// imply adds the ranges the top-level date conditions imply, given the validity range v.
func (p *orderPlan) imply(v validity) {
	own := map[string]*dateRange{"o.order_date": {}, "o.expiration_date": {}}
	constrained := map[string]bool{}
	for _, c := range p.conds {
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
	}
	od, exp := own["o.order_date"], own["o.expiration_date"]
	implied := map[string]dateRange{
		"o.expiration_date": {lo: shifted(od.lo, v.lo), hi: shifted(od.hi, v.hi)},
		"o.order_date":      {lo: shifted(exp.lo, -v.hi), hi: shifted(exp.hi, -v.lo)},
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
			p.conds = append(p.conds, panelCond{sql: col + end.b.op(end.upper) + p.arg(end.b.v), column: col, walkOnly: walkOnly})
		}
	}
}
