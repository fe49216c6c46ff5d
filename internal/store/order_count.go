package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The exact count of an order list (its Content-Range total) on millions of orders. A count
// reads every match, so it is fast exactly when it reads index entries and no order rows (a
// row costs some ten entries: leadCost). On SQLite a few filters the seed names would
// otherwise read every order: a negation (not(in(type,(SO,RN)))) no index serves, the end
// customer's type that no index holds, a case-insensitive prefix of a name (SQLite's LIKE uses
// no index of a case-sensitive column), and an order attribute's prefix tested once per order.
// Each is rewritten, for the count alone, as a condition an index answers (the first two and the
// last on PostgreSQL too):
//
//   - a negated set of values of a column with few values (a type, a status) is the set of
//     the other values the column holds, which its index enumerates in a few seeks;
//   - the end customer's type is the buyer account's (app/place.go writes it from the buyer,
//     and an account's type never changes), so it is a set of buyers, whose orders
//     orders_buyer counts;
//   - a LIKE with a literal prefix on end_customer_name is the sum of the counts of the
//     prefix's case variants, each a range of orders_end_customer_name;
//   - an EXISTS condition alone (an attribute's prefix, a subscription) is counted in its own
//     table: its query of order ids (existsAsIn).

// enumColumns are the indexed columns of orders that hold one of a few codes.
var enumColumns = map[string]bool{"o.type": true, "o.status": true, "o.of_status": true,
	"o.payment_status": true, "o.provisioning_status": true}

// maxEnumValues is how many distinct values of an enumColumn the count enumerates before it
// gives up rewriting a negation (the column then holds more than codes).
const maxEnumValues = 64

// negatedSet matches "col NOT IN ($3,$4)", "col <> $3" and the same written NOT (col IN …),
// NOT (col = $3): the RQL compiler's out(), ne() and not(in()), not(eq()).
var negatedSet = regexp.MustCompile(`^(?:NOT \((o\.[a-z_]+) (?:IN \(([$0-9, ]+)\)|= (\$[0-9]+))\)|(o\.[a-z_]+) (?:NOT IN \(([$0-9, ]+)\)|<> (\$[0-9]+)))$`)

// likeName matches a LIKE on the end customer's name (rql: like(endCustomerName,…)).
var likeName = regexp.MustCompile(`^o\.end_customer_name LIKE (\$[0-9]+) ESCAPE '\\'$`)

// maxCaseLetters is how many letters of a LIKE prefix the count spells in every case: 2^4 = 16
// ranges at most.
const maxCaseLetters = 4

// countOrders counts the plan's orders exactly. The rewrites of conditions (countable) and an
// EXISTS alone help both engines (on PostgreSQL at 10M orders: not(in(type,…)) 599 → 58 ms,
// endCustomerType 864 → 580, an attribute's prefix 1,705 → 418); the name's prefix ranges, the
// halves and the merge are SQLite's (PostgreSQL's ILIKE and collation order, its own parallel
// scans).
func (s *Store) countOrders(ctx context.Context, p orderPlan) (int, error) {
	p, none, err := s.countable(ctx, p)
	if err != nil || none {
		return 0, err
	}
	if conds := p.counted(); len(conds) == 1 && conds[0].in != "" {
		// An EXISTS condition alone: its ids, each an order's (a foreign key), counted where
		// they are.
		return s.countQuery(ctx, "SELECT COUNT(*) FROM ("+conds[0].in+") z", p.args)
	}
	if s.postgres {
		return s.countPlan(ctx, p)
	}
	parts := p.prefixRanges()
	if parts == nil {
		parts = []orderPlan{p}
	}
	mid, err := s.midID(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, part := range parts {
		n, err := s.countHalves(ctx, part, mid)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// midID is the middle of the span of order ids, where a count is split in halves; 0 when the
// span is under splitIDs.
func (s *Store) midID(ctx context.Context) (int64, error) {
	var lo, hi sql.NullInt64
	if err := s.rdb.QueryRowContext(ctx, `SELECT (SELECT MIN(id) FROM orders), (SELECT MAX(id) FROM orders)`).Scan(&lo, &hi); err != nil {
		return 0, fmt.Errorf("count: id span: %w", err)
	}
	if !lo.Valid || hi.Int64-lo.Int64 < splitIDs {
		return 0, nil
	}
	return lo.Int64 + (hi.Int64-lo.Int64)/2, nil
}

// splitIDs is the smallest span of order ids a count is split at.
const splitIDs = 100_000

// countHalves counts a plan with conditions as two counts run at once, one for each side of the
// id mid (midID; 0: one count): the id is the last column of the indexes a count reads, so each
// half seeks its own part of a range and reads only its own orders. A plan without conditions
// is one count (of the table's pages).
func (s *Store) countHalves(ctx context.Context, p orderPlan, mid int64) (int, error) {
	if len(p.counted()) == 0 {
		return s.countPlan(ctx, p)
	}
	sets, err := s.mergeSets(ctx, p)
	if err != nil {
		return 0, err
	}
	if mid == 0 {
		return s.countPart(ctx, p, sets, nil)
	}
	type result struct {
		n   int
		err error
	}
	upper := make(chan result, 1)
	go func() {
		n, err := s.countPart(ctx, p, sets, &idBound{">=", mid})
		upper <- result{n, err}
	}()
	n, err := s.countPart(ctx, p, sets, &idBound{"<", mid})
	r := <-upper
	return n + r.n, errors.Join(err, r.err)
}

// idBound is one side of a range of order ids.
type idBound struct {
	op string
	id int64
}

// countPart counts the plan's orders with ids within the bound (nil: all), by merging the
// conditions' id-ordered ranges when mergeSets found them (sets) or else with countPlan.
func (s *Store) countPart(ctx context.Context, p orderPlan, sets []valueSet, b *idBound) (int, error) {
	q := p.fork()
	bound := ""
	if b != nil {
		c := panelCond{sql: "o.id " + b.op + " " + q.arg(b.id), column: "o.id"}
		q.conds, bound = append(q.conds, c), " AND "+c.sql
	}
	if sets == nil {
		return s.countPlan(ctx, q)
	}
	// (a ∪ b) ∩ c ∩ (d ∪ e) = ((a ∪ b) ∩ c ∩ d) + ((a ∪ b) ∩ c ∩ e): a compound SELECT
	// takes no parentheses, so only the first set is a union and the others' values are summed
	// over (mergeSets puts the set of most values first and bounds the sums).
	total := 0
	for _, pick := range combinations(sets[1:]) {
		var query strings.Builder
		query.WriteString("SELECT COUNT(*) FROM (")
		for i, v := range sets[0].values {
			if i > 0 {
				query.WriteString(" UNION ALL ")
			}
			query.WriteString("SELECT o.id FROM orders o WHERE " + sets[0].cond.column + " = " + v + bound)
		}
		for i, v := range pick {
			query.WriteString(" INTERSECT SELECT o.id FROM orders o WHERE " + sets[i+1].cond.column + " = " + v + bound)
		}
		query.WriteString(" ORDER BY 1) m")
		n, err := s.countQuery(ctx, query.String(), q.args)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// valueSet is a condition that an order's column is one of a few values (placeholders),
// on a column whose index is (column, id).
type valueSet struct {
	cond   panelCond
	values []string
}

// valueSetCond matches "o.type = $3" and "o.type IN ($3,$4)".
var valueSetCond = regexp.MustCompile(`^(o\.[a-z_]+) (?:= (\$[0-9]+)|IN \((\$[0-9]+(?:, ?\$[0-9]+)*)\))$`)

// maxMergeCounts bounds the counts one merge sums (the product of the sizes of every set but
// the first).
const maxMergeCounts = 16

// maxMergeTerms bounds the SELECTs of one compound (SQLite allows 500): an IN list of more
// values is counted the plain way.
const maxMergeTerms = 64

// mergeRows is the smallest number of orders every condition of a count must match for the
// count to merge their ranges.
const mergeRows = 50_000

// mergeSets reports the plan's conditions as sets of values to merge (nil: count with
// countPlan). A count whose every condition is a set of values of a column indexed with the id
// (idOrdered: a type, a status, a buyer) is the size of the intersection of their ranges, each
// in id order: SQLite merges them (a compound SELECT with ORDER BY), reading index entries and
// no order row, at some 65 ns an entry — against a row read for each order of the smallest
// range (~1 µs, and far more with another count reading rows beside it). The merge reads
// every range whole, so it is chosen only when each range holds at least mergeRows orders
// (counted index-only up to there): then reading rows costs at least as much.
func (s *Store) mergeSets(ctx context.Context, p orderPlan) ([]valueSet, error) {
	if s.postgres {
		return nil, nil
	}
	var sets []valueSet
	for _, c := range p.counted() {
		m := valueSetCond.FindStringSubmatch(c.sql)
		if m == nil || c.in != "" || c.column != m[1] || !idOrdered(m[1]) {
			return nil, nil
		}
		set := valueSet{cond: c}
		seen := map[any]bool{}
		for _, ph := range placeholder.FindAllString(m[2]+m[3], -1) {
			n, _ := strconv.Atoi(ph[1:])
			if v := p.args[n-1]; !seen[v] {
				seen[v] = true
				set.values = append(set.values, ph)
			}
		}
		sets = append(sets, set)
	}
	if len(sets) < 2 {
		return nil, nil
	}
	slices.SortStableFunc(sets, func(a, b valueSet) int { return len(b.values) - len(a.values) })
	product := 1
	for _, set := range sets[1:] {
		product *= len(set.values)
	}
	if product > maxMergeCounts || len(sets[0].values)+len(sets)-1 > maxMergeTerms {
		return nil, nil
	}
	for _, set := range sets {
		n, err := s.countGroup(ctx, p, group{cols: columnSet(set.cond.column), conds: []panelCond{set.cond}}, s.mergeRows)
		if err != nil {
			return nil, err
		}
		if !n.More && n.N < s.mergeRows {
			return nil, nil
		}
	}
	return sets, nil
}

// fork is a copy of the plan whose conditions and arguments can be added to without changing
// the plan's.
func (p *orderPlan) fork() orderPlan {
	return orderPlan{conds: slices.Clone(p.conds), args: slices.Clip(p.args), orderBy: p.orderBy}
}

// combinations lists one value of each set, in every combination.
func combinations(sets []valueSet) [][]string {
	out := [][]string{nil}
	for _, set := range sets {
		next := make([][]string, 0, len(out)*len(set.values))
		for _, o := range out {
			for _, v := range set.values {
				next = append(next, append(slices.Clip(o), v))
			}
		}
		out = next
	}
	return out
}

// countPlan counts the plan's orders with one query led by any indexed condition the engine
// picks (countLead).
func (s *Store) countPlan(ctx context.Context, p orderPlan) (int, error) {
	lead, err := s.countLead(ctx, p)
	if err != nil {
		return 0, err
	}
	conds := p.counted()
	return s.countQuery(ctx, "SELECT COUNT(*) FROM orders o"+joins(conds)+" WHERE "+where(conds, lead), p.args)
}

func (s *Store) countQuery(ctx context.Context, query string, args []any) (int, error) {
	query, args = compact(query, args)
	var n int
	if err := s.rdb.QueryRowContext(ctx, query, s.planned(args)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// countable rewrites the plan's conditions for a count (see the top of the file).
// none reports a condition no order can meet (a negation of every value the column holds).
func (s *Store) countable(ctx context.Context, p orderPlan) (_ orderPlan, none bool, err error) {
	p.args = slices.Clip(p.args) // the rewrites' arguments are the count's own
	conds := make([]panelCond, 0, len(p.conds))
	for _, c := range p.conds {
		if c.walkOnly {
			continue
		}
		if negatedSet.MatchString(c.sql) {
			var ok bool
			if c, ok, err = s.complement(ctx, &p, c); err != nil {
				return p, false, err
			}
			if ok && c.sql == "" {
				return p, true, nil
			}
		}
		if c.column == "" && onlyColumn(c.sql, "o.end_customer_type") {
			c = panelCond{sql: "o.buyer_id IN (SELECT t.id FROM accounts t WHERE " +
				strings.ReplaceAll(c.sql, "o.end_customer_type", "t.type") + ")", column: "o.buyer_id"}
		}
		conds = append(conds, c)
	}
	p.conds = conds
	return p, false, nil
}

// orderRef finds the references to columns of orders and of the joined accounts in a condition.
var orderRef = regexp.MustCompile(`\b[obs]\.[a-z_]+`)

// onlyColumn reports whether a condition names column and no other column.
func onlyColumn(cond, column string) bool {
	refs := orderRef.FindAllString(cond, -1)
	return len(refs) > 0 && !slices.ContainsFunc(refs, func(r string) bool { return r != column })
}

// complement rewrites a negated set of an enumColumn's values as the set of the other values
// its index holds (ok false: the condition stays as it is). A complement without values
// comes back with no SQL.
func (s *Store) complement(ctx context.Context, p *orderPlan, c panelCond) (panelCond, bool, error) {
	m := negatedSet.FindStringSubmatch(c.sql)
	col, list := m[1]+m[4], m[2]+m[3]+m[5]+m[6]
	if !enumColumns[col] {
		return c, false, nil
	}
	excluded := map[string]bool{}
	for _, ph := range placeholder.FindAllStringSubmatch(list, -1) {
		n, _ := strconv.Atoi(ph[1])
		v, ok := p.args[n-1].(string)
		if !ok {
			return c, false, nil
		}
		excluded[v] = true
	}
	values, err := s.distinctValues(ctx, col)
	if err != nil || values == nil {
		return c, false, err
	}
	var in []string
	for _, v := range values {
		if !excluded[v] {
			in = append(in, p.arg(v))
		}
	}
	if len(in) == 0 {
		return panelCond{}, true, nil
	}
	return panelCond{sql: col + " IN (" + strings.Join(in, ",") + ")", column: col}, true, nil
}

// distinctValues enumerates the values of an enumColumn by seeking its index past each one;
// nil when there are more than maxEnumValues. col is one of enumColumns, never input.
func (s *Store) distinctValues(ctx context.Context, col string) ([]string, error) {
	var out []string
	next := "SELECT MIN(" + col + ") FROM orders o"
	for range maxEnumValues + 1 {
		var v sql.NullString
		var args []any
		if len(out) > 0 {
			args = []any{out[len(out)-1]}
		}
		if err := s.rdb.QueryRowContext(ctx, next, args...).Scan(&v); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("values of %s: %w", col, err)
		}
		if !v.Valid {
			return out, nil
		}
		out = append(out, v.String)
		next = "SELECT MIN(" + col + ") FROM orders o WHERE " + col + " > $1"
	}
	return nil, nil
}

// prefixRanges splits a plan with a LIKE on the end customer's name that starts with a literal
// ASCII prefix into one plan per case variant of the prefix's first letters, each also
// bounded to that variant's range of orders_end_customer_name: SQLite's LIKE matches ASCII
// letters in either case and every other character as itself, so the variants' ranges are
// disjoint and together hold every match. nil when the plan has no such LIKE.
func (p *orderPlan) prefixRanges() []orderPlan {
	for _, c := range p.conds {
		m := likeName.FindStringSubmatch(c.sql)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1][1:])
		pattern, ok := p.args[n-1].(string)
		if !ok {
			return nil
		}
		variants := caseVariants(likePrefix(pattern))
		if variants == nil {
			return nil
		}
		out := make([]orderPlan, 0, len(variants))
		for _, v := range variants {
			q := p.fork()
			hi := v[:len(v)-1] + string(v[len(v)-1]+1)
			q.conds = append(q.conds, panelCond{sql: "o.end_customer_name >= " + q.arg(v) + " AND o.end_customer_name < " + q.arg(hi),
				column: "o.end_customer_name"})
			out = append(out, q)
		}
		return out
	}
	return nil
}

// likePrefix is the literal start of a LIKE pattern written with '\' as its escape (rql's
// likePattern), up to its first wildcard and cut before any character outside printable ASCII.
func likePrefix(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '%' || c == '_':
			return b.String()
		case c == '\\' && i+1 < len(pattern):
			i++
			c = pattern[i]
		}
		if c < 0x20 || c > 0x7e {
			return b.String()
		}
		b.WriteByte(c)
	}
	return b.String()
}

// caseVariants spells the prefix up to its maxCaseLetters-th letter in every combination of
// ASCII case; nil for an empty prefix. Every variant's last character is below 0x7f, so it has
// a successor that bounds its range.
func caseVariants(prefix string) []string {
	letters, end := 0, len(prefix)
	for i := 0; i < len(prefix); i++ {
		if isLetter(prefix[i]) {
			if letters == maxCaseLetters {
				end = i
				break
			}
			letters++
		}
	}
	prefix = prefix[:end]
	if prefix == "" {
		return nil
	}
	out := []string{""}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		cases := []byte{c}
		if isLetter(c) {
			cases = []byte{c &^ 0x20, c | 0x20} // upper, lower
		}
		next := make([]string, 0, len(out)*len(cases))
		for _, v := range out {
			for _, k := range cases {
				next = append(next, v+string(k))
			}
		}
		out = next
	}
	return out
}

func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
