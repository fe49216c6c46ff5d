package store

import (
	"cmp"
	"context"
	"database/sql"
	"github.com/jackc/pgx/v5"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/order"
)

// The panel's order list on millions of orders. The orders table has one index per filterable
// column and no composite ones (each costs the write path), and SQLite plans without
// statistics: to it every equality on an index matches ten rows, so "type = SO" (40% of the
// orders) looks as good as an order number. Reading an order's row costs about a hundred times
// more than reading an index entry, so a page is fast exactly when few rows are read. The
// panel therefore plans its own queries on SQLite: it counts, index-only and up to a cap, how
// many orders each condition's index holds, leads with the smallest when it is small, and
// otherwise walks the sort's index; every other condition is kept off its index (unary +). On
// both engines the page's ids are found in orders alone and only they are joined to their
// accounts and subscription, and a descending sort breaks ties descending too, so one index
// walk serves it.

// driveRows is the largest index range the panel always leads a query with on SQLite: reading
// that many order rows takes about 40 ms. (Store.driveRows: tests lower it to plan a few
// thousand orders as millions are.)
const driveRows = 12_000

// panelCond is one conjunct of an order query: its SQL (placeholders $1… into the query's
// arguments) and the column whose index could lead the query ("" when none can).
type panelCond struct {
	sql      string
	column   string
	in       string // for a correlated EXISTS (existsAsIn): the same condition as a query of order ids
	walkOnly bool   // implied only to start the sort's index walk further on (order_validity.go): counts leave it out
	// implied conditions follow from the others (order_validity.go): off their index they would
	// only read rows to reject none, so they are left out there.
	implied bool
	// sufficient is a condition on the other date that implies this one (order_validity.go): off
	// this column's index this one is tested only where that one fails.
	sufficient string
}

// condColumn finds the column of orders a compiled RQL conjunct constrains ("o.type = $3",
// "o.order_number IN ($3,$4)"; a buyer's or seller's APS id is first rewritten as its id:
// partyAPSID).
var condColumn = regexp.MustCompile(`^(o\.[a-z_]+) (?:=|>=|<=|<|>|IN) `)

// indexed are the columns an index of orders leads with (migrations): only a condition on one
// of them can lead a query; counting the range of another would read the table.
var indexed = map[string]bool{"o.id": true, "o.aps_id": true, "o.order_number": true, "o.buyer_path": true,
	"o.buyer_id": true, "o.seller_id": true, "o.type": true, "o.status": true, "o.of_status": true,
	"o.payment_status": true, "o.provisioning_status": true, "o.creation_time": true, "o.order_date": true,
	"o.expiration_date": true, "o.subscription_id": true, "o.end_customer_name": true, "o.total": true}

// existsAsIn are how the RQL compiler writes subscriptionId and the order attributes
// (api.orderSchema), and the start of the equivalent query of order ids. As an EXISTS such a
// condition can never lead, but tests one order cheaply (a walk of the sort's index); as
// o.id IN (the query) it leads by the orders' primary key, its rows found by the subquery's own
// index (order_subscriptions_subscription, order_attributes_folded) — and it is then the whole
// set, built before the first row (millions for like(ORDER_ID1,test*)). So the condition keeps
// both: the IN only where it leads (a range known small), the query of ids alone, streamed, to
// count and sample it, and the EXISTS everywhere else.
var existsAsIn = [][2]string{
	{"EXISTS(SELECT 1 FROM order_subscriptions os JOIN subscriptions x ON x.id = os.subscription_id WHERE os.order_id = o.id AND ",
		"SELECT DISTINCT os.order_id AS order_id FROM order_subscriptions os JOIN subscriptions x ON x.id = os.subscription_id WHERE "},
	// One attribute of an order is one row (its primary key): no order id comes twice.
	{"EXISTS(SELECT 1 FROM order_attributes x WHERE x.order_id = o.id AND x.attribute_id = ",
		"SELECT x.order_id AS order_id FROM order_attributes x WHERE x.attribute_id = "},
}

// partyAPSID matches a condition on the buyer's or the seller's APS id that only names it (= or
// IN): it is the condition on the order's buyer_id or seller_id that the accounts with those
// APS ids have. Written so, the order's own index leads, with the account looked up once, and
// neither engine joins every order to its account to test it (PostgreSQL, not knowing the id,
// walked a million orders looking for a buyer with none). One APS id is a scalar subquery,
// which PostgreSQL runs first and then seeks orders_buyer with (an IN it turns into that join).
var partyAPSID = regexp.MustCompile(`^(b|s)\.aps_id ((?:= \$[0-9]+)|(?:IN \(\$[0-9]+(?:,\s*\$[0-9]+)*\)))$`)

var partyColumn = map[string]string{"b": "o.buyer_id", "s": "o.seller_id"}

// existsQuery is the query of order ids equivalent to a correlated EXISTS of existsAsIn, or "".
func existsQuery(c string) string {
	for _, e := range existsAsIn {
		if rest, ok := strings.CutPrefix(c, e[0]); ok && strings.HasSuffix(rest, ")") {
			return e[1] + strings.TrimSuffix(rest, ")")
		}
	}
	return ""
}

// splitAnd splits a compiled filter into its top-level conjuncts; a filter with a top-level OR
// stays whole.
func splitAnd(where string) []string {
	if where == "" {
		return nil
	}
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(where); i++ {
		switch where[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ' ':
			if depth == 0 && strings.HasPrefix(where[i:], " OR ") {
				return []string{where}
			}
			if depth == 0 && strings.HasPrefix(where[i:], " AND ") {
				out = append(out, where[last:i])
				last = i + len(" AND ")
			}
		}
	}
	return append(out, where[last:])
}

// orderPlan is an order-list query taken apart for planning.
type orderPlan struct {
	conds   []panelCond
	args    []any
	orderBy []string // sort terms, e.g. "o.total DESC"
}

// counted is the conditions a count needs: all but those implied for the sort's walk alone.
func (p *orderPlan) counted() []panelCond {
	var out []panelCond
	for _, c := range p.conds {
		if !c.walkOnly {
			out = append(out, c)
		}
	}
	return out
}

// newOrderPlan takes the scope and the compiled filter apart. The scope's arguments are $1 and
// $2 and the filter's follow, as in every list.
func newOrderPlan(scopePath string, everything bool, q ListQuery) orderPlan {
	lo, hi := account.SubtreeRange(scopePath)
	p := orderPlan{args: append([]any{lo, hi}, q.Args...)}
	if !everything {
		p.conds = append(p.conds, panelCond{sql: "o.buyer_path >= $1", column: "o.buyer_path"}, panelCond{sql: "o.buyer_path < $2", column: "o.buyer_path"})
	}
	for i, c := range splitAnd(q.Where) {
		c = strings.TrimSpace(c)
		if in := existsQuery(c); in != "" {
			// A column of its own: the group of this condition alone.
			p.conds = append(p.conds, panelCond{sql: c, column: "o.id#" + strconv.Itoa(i), in: in})
			continue
		}
		if m := partyAPSID.FindStringSubmatch(c); m != nil {
			if value, ok := strings.CutPrefix(m[2], "= "); ok {
				c = partyColumn[m[1]] + " = (SELECT id FROM accounts WHERE aps_id = " + value + ")"
			} else {
				c = partyColumn[m[1]] + " IN (SELECT id FROM accounts WHERE aps_id " + m[2] + ")"
			}
		}
		col := ""
		if m := condColumn.FindStringSubmatch(c); m != nil && indexed[m[1]] {
			col = m[1]
		}
		p.conds = append(p.conds, panelCond{sql: c, column: col})
	}
	p.orderBy = sortTerms(q.OrderBy)
	p.derive()
	return p
}

// sortTerms splits an ORDER BY and gives the id tiebreak the first key's direction: the RQL
// compiler's "o.total DESC, o.id" is a walk of no index (total descending, id ascending), and
// "o.total DESC, o.id DESC" is the orders_total index read backwards.
func sortTerms(orderBy string) []string {
	terms := strings.Split(orderBy, ", ")
	desc := strings.HasSuffix(terms[0], " DESC")
	var out []string
	seen := map[string]bool{}
	for _, t := range terms {
		col, _, _ := strings.Cut(t, " ")
		if seen[col] {
			continue // "o.id DESC, o.id"
		}
		seen[col] = true
		if col == "o.id" && desc {
			t = "o.id DESC"
		}
		out = append(out, t)
	}
	return out
}

// sortColumn is the column the list is sorted by first.
func (p *orderPlan) sortColumn() string {
	col, _, _ := strings.Cut(p.orderBy[0], " ")
	return col
}

func (p *orderPlan) arg(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// placeholder is the argument a "$n" names.
var placeholder = regexp.MustCompile(`\$([0-9]+)`)

func (p *orderPlan) valueOf(c panelCond) (string, bool) {
	m := placeholder.FindAllStringSubmatch(c.sql, -1)
	if len(m) != 1 || !strings.Contains(c.sql, " = ") {
		return "", false
	}
	n, _ := strconv.Atoi(m[0][1])
	v, ok := p.args[n-1].(string)
	return v, ok
}

// derive adds what a condition implies about the sort's column, so the sort's index walk
// skips to the matching orders instead of reading past the others: an order's number is its
// type and a counter ("SO000123", InsertOrder), and its status follows from its flow status
// (order.StatusOf, which every write of of_status writes status with).
func (p *orderPlan) derive() {
	sortCol := p.sortColumn()
	for _, c := range p.conds {
		v, ok := p.valueOf(c)
		if !ok {
			continue
		}
		switch {
		case c.column == "o.type" && sortCol == "o.order_number" && len(v) == 2 && v[1] < 'Z':
			p.conds = append(p.conds, panelCond{sql: "o.order_number >= " + p.arg(v) + " AND o.order_number < " + p.arg(v[:1]+string(v[1]+1)), column: sortCol})
		case c.column == "o.of_status" && sortCol == "o.status" && order.FlowStatus(v).Valid():
			p.conds = append(p.conds, panelCond{sql: "o.status = " + p.arg(string(order.StatusOf(order.FlowStatus(v)))), column: sortCol})
		case c.column == "o.status" && sortCol == "o.of_status":
			var in []string
			for _, f := range flowStatuses {
				if string(order.StatusOf(f)) == v {
					in = append(in, p.arg(string(f)))
				}
			}
			if len(in) > 0 {
				p.conds = append(p.conds, panelCond{sql: "o.of_status IN (" + strings.Join(in, ",") + ")", column: sortCol})
			}
		}
	}
}

var flowStatuses = []order.FlowStatus{order.New, order.Open, order.WaitingPayment, order.NoPaymentMethod,
	order.PaymentDeclined, order.Provisioning, order.ProvisioningFailed, order.Hold, order.Completed, order.Cancelled}

// joins is what the conditions need joined to orders.
func joins(conds []panelCond) string {
	var j string
	all := ""
	for _, c := range conds {
		all += " " + c.sql
	}
	if strings.Contains(all, "b.") {
		j += " JOIN accounts b ON b.id = o.buyer_id"
	}
	if strings.Contains(all, "s.") {
		j += " JOIN accounts s ON s.id = o.seller_id"
	}
	return j
}

// where renders conditions; those off the lead are kept off their indexes.
func where(conds []panelCond, lead map[string]bool) string {
	var parts []string
	for _, c := range conds {
		switch {
		case c.in != "" && lead[c.column]:
			parts = append(parts, "o.id IN ("+c.in+")")
		case c.in != "":
			parts = append(parts, c.sql)
		case c.implied && !lead[c.column]:
			// left out: it rejects nothing the others let through
		case c.sufficient != "" && !lead[c.column]:
			// A CASE keeps the order: SQLite would test an OR's operand without a subquery first.
			parts = append(parts, "CASE WHEN +"+c.sufficient+" THEN TRUE ELSE +"+c.sql+" END")
		case c.column != "" && !lead[c.column]:
			parts = append(parts, "+"+c.sql)
		default:
			parts = append(parts, c.sql)
		}
	}
	if len(parts) == 0 {
		return "TRUE"
	}
	return strings.Join(parts, " AND ")
}

// compact renumbers the placeholders of a query to the arguments it uses: an argument no
// placeholder names is an error to database/sql.
func compact(query string, args []any) (string, []any) {
	var out []any
	seen := map[string]string{}
	query = placeholder.ReplaceAllStringFunc(query, func(ph string) string {
		if n, ok := seen[ph]; ok {
			return n
		}
		i, _ := strconv.Atoi(ph[1:])
		out = append(out, args[i-1])
		seen[ph] = "$" + strconv.Itoa(len(out))
		return seen[ph]
	})
	return query, out
}

// existsLeadRows is the most orders an EXISTS condition (existsAsIn) may lead with: counting
// its query of ids reads a row of another table per id (about 4 µs each), so it is counted only
// this far, and past it stays a test of each order the plan reads (an integration looking its
// orders up by its own reference finds a handful).
const existsLeadRows = 1000

// groupCountCap bounds the index-only counts of the conditions' ranges (counting 50,000 index
// entries takes a few milliseconds).
const groupCountCap = 50_000

// sampleRows is how many rows of its leading range a count reads when the range is too large to
// read whole: past it, the count says "more than" what it found.
const sampleRows = 3_000

// group is the conditions on one indexed column (or on a flow status and a buyer path range,
// which orders_of_status_cover serves together), with the size of its index range.
type group struct {
	cols  map[string]bool
	conds []panelCond
	rows  Count
}

// groups counts, index-only, the index range of every indexed condition and returns them
// smallest first.
func (s *Store) groups(ctx context.Context, p orderPlan, capped int) ([]group, error) {
	byCol := map[string][]panelCond{}
	for _, c := range p.counted() {
		if c.column != "" {
			byCol[c.column] = append(byCol[c.column], c)
		}
	}
	if st := byCol["o.of_status"]; len(st) == 1 && strings.Contains(st[0].sql, " = ") && byCol["o.buyer_path"] != nil {
		byCol["o.of_status o.buyer_path"] = append(append([]panelCond{}, st...), byCol["o.buyer_path"]...)
	}
	var out []group
	for cols, conds := range byCol {
		g := group{cols: columnSet(cols), conds: conds}
		limit := capped
		if conds[0].in != "" {
			limit = existsLeadRows
		}
		var err error
		if g.rows, err = s.countGroup(ctx, p, g, limit); err != nil {
			return nil, err
		}
		if conds[0].in != "" && g.rows.More {
			continue // it stays a test of each order (EXISTS)
		}
		out = append(out, g)
	}
	sortCol := p.sortColumn()
	slices.SortFunc(out, func(a, b group) int {
		if c := cmp.Compare(a.rows.N, b.rows.N); c != 0 {
			return c
		}
		if c := cmp.Compare(len(b.cols), len(a.cols)); c != 0 {
			return c // the composite range first
		}
		// Of two equal ranges, the sort column's: its index holds the column the matches are
		// sorted by (the seed's two date ranges imply each other, and led by the expiration
		// date, sort(-orderDate) read every match's row to sort them).
		switch {
		case a.cols[sortCol] && !b.cols[sortCol]:
			return -1
		case b.cols[sortCol] && !a.cols[sortCol]:
			return 1
		}
		return 0
	})
	return out, nil
}

// countGroup counts, index-only, the orders of the group's index range, up to capped.
func (s *Store) countGroup(ctx context.Context, p orderPlan, g group, capped int) (Count, error) {
	q, args := compact(groupRows(g, "1"), p.args)
	return s.cappedCount(ctx, q, args, capped)
}

// groupRows is the query of what (an expression of o) for each order of the group's range. The
// range of an EXISTS condition is its query of ids, streamed (existsAsIn).
func groupRows(g group, what string) string {
	if len(g.conds) == 1 && g.conds[0].in != "" {
		if what == "1" { // a count: every id is an order's (a foreign key)
			return "SELECT 1 FROM (" + g.conds[0].in + ") z"
		}
		return "SELECT " + what + " FROM (" + g.conds[0].in + ") z JOIN orders o ON o.id = z.order_id"
	}
	return "SELECT " + what + " FROM orders o" + joins(g.conds) + " WHERE " + where(g.conds, g.cols)
}

func columnSet(cols string) map[string]bool {
	set := map[string]bool{}
	for _, c := range strings.Fields(cols) {
		set[c] = true
	}
	return set
}

// PanelOrders is ListOrders for the panel, with the count of the matching orders up to
// countCap: the same columns and the same compiled filter, sort and page (the API's RQL
// path), planned for millions of orders. The page's ids are found in orders alone; only they
// are joined to their accounts and subscription.
func (s *Store) PanelOrders(ctx context.Context, scopePath string, everything bool, q ListQuery, countCap int) ([]*order.Order, Count, error) {
	p, err := s.planOrders(ctx, scopePath, everything, q)
	if err != nil {
		return nil, Count{}, err
	}
	return s.plannedOrders(ctx, p, q, countCap)
}

// planOrders takes an order-list query apart for planning (newOrderPlan) and adds what the
// store's counters imply (numberSuffixes) and what the date conditions imply of the other date
// (impliedDates).
func (s *Store) planOrders(ctx context.Context, scopePath string, everything bool, q ListQuery) (orderPlan, error) {
	p := newOrderPlan(scopePath, everything, q)
	if err := s.numberSuffixes(ctx, &p); err != nil {
		return p, err
	}
	err := s.impliedDates(ctx, &p)
	return p, err
}

// plannedOrders finds the page of a planned query and reads its orders.
func (s *Store) plannedOrders(ctx context.Context, p orderPlan, q ListQuery, countCap int) ([]*order.Order, Count, error) {
	var ids []int64
	var count Count
	var err error
	if s.postgres {
		ids, count, err = s.pgOrderPage(ctx, p, q, countCap)
	} else {
		ids, count, err = s.sqliteOrderPage(ctx, p, q, countCap)
	}
	if err != nil {
		return nil, count, err
	}
	out, err := s.ordersByID(ctx, ids)
	return out, count, err
}

// ordersByID reads the orders with the given ids, in that order (an id no order has is left
// out).
func (s *Store) ordersByID(ctx context.Context, ids []int64) ([]*order.Order, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		marks[i], args[i], at[id] = "$"+strconv.Itoa(i+1), id, i
	}
	out := make([]*order.Order, len(ids))
	err := s.each(ctx, "SELECT "+orderColumns+" FROM "+orderFrom+" WHERE o.id IN ("+strings.Join(marks, ",")+")", args, func(r *sql.Rows) error {
		o, err := scanOrder(r)
		if err == nil {
			out[at[o.ID]] = o
		}
		return err
	})
	return slices.DeleteFunc(out, func(o *order.Order) bool { return o == nil }), err
}

// indexedBy names the index SQLite is to use for orders ("" on PostgreSQL, which chooses by
// its statistics).
func (s *Store) indexedBy(index string) string {
	if s.postgres {
		return ""
	}
	return " INDEXED BY " + index
}

// pgOrderPage: PostgreSQL plans well with its statistics (bitmap ANDs of the indexes), given
// the query as written and a count whose cap is in the query.
//
// Its statistics know nothing of how columns correlate, though: for a reseller's orders sorted
// by customer name it walks the name index expecting the reseller's share of every stretch,
// while the reseller's customers are all in one. When a covering index holds the whole query and
// a range of it small enough (as on SQLite), the sort is kept off its index (an expression of
// the column), so the matches are found in that range, index-only, and sorted.
func (s *Store) pgOrderPage(ctx context.Context, p orderPlan, q ListQuery, countCap int) ([]int64, Count, error) {
	from := "orders o" + joins(p.conds) + " WHERE " + where(p.conds, allColumns(p.conds))
	small, err := s.pgCoverable(ctx, p)
	if err != nil {
		return nil, Count{}, err
	}
	orderBy := p.orderBy
	if small {
		orderBy = offIndex(orderBy)
	} else {
		countCap = min(countCap, pgCountCap)
	}
	var count Count
	if countCap > 0 {
		query, args := compact("SELECT 1 FROM "+from, p.args)
		if count, err = s.cappedCount(ctx, query, args, countCap); err != nil {
			return nil, count, err
		}
	}
	query, args := compact("SELECT o.id FROM "+from+" ORDER BY "+strings.Join(orderBy, ", ")+
		" LIMIT "+strconv.Itoa(q.Count)+" OFFSET "+strconv.Itoa(q.Offset), p.args)
	ids, err := s.ids(ctx, query, s.planned(args))
	return ids, count, err
}

// planned makes PostgreSQL plan an order-list query with its arguments: pgx prepares each
// statement once per connection, and after five runs PostgreSQL may switch a prepared
// statement to a generic plan, blind to its arguments. On 10M orders the page of a payment and a
// provisioning status no order has (paymentStatus=NOT_STARTED) then walked the whole id index,
// 30 s instead of 1 ms. The unnamed statement of QueryExecModeExec is planned at each run
// (a fraction of a millisecond); the write path keeps its prepared statements (planning each
// run there cost PostgreSQL's placeOrder a third of its rate).
func (s *Store) planned(args []any) []any {
	if !s.postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// pgCountCap is where PostgreSQL stops counting the matches of a query no small covered range
// holds: finding n matches of conditions that hold for a fraction d of the orders reads n/d
// rows (two broad conditions over a million orders: 1,000 matches in ~5 ms, 10,000 in ~100 ms).
const pgCountCap = 1000

// pgCoverable reports whether a covering index holds the query and the subtree's range, or the
// flow status's, holds at most coverRows orders (counted index-only).
func (s *Store) pgCoverable(ctx context.Context, p orderPlan) (bool, error) {
	if !p.covered() {
		return false, nil
	}
	var conds []panelCond
	for _, c := range p.conds {
		if c.column == "o.buyer_path" || c.column == "o.of_status" && oneEquality(p.conds, "o.of_status") {
			conds = append(conds, c)
		}
	}
	if len(conds) == 0 {
		return false, nil
	}
	query, args := compact("SELECT 1 FROM orders o WHERE "+where(conds, allColumns(conds)), p.args)
	n, err := s.cappedCount(ctx, query, args, coverRows)
	return !n.More, err
}

// textColumns are the columns of orders a sort can name that hold text.
var textColumns = map[string]bool{"o.order_number": true, "o.type": true, "o.status": true, "o.of_status": true,
	"o.end_customer_name": true, "o.buyer_path": true}

// offIndex writes sort terms as expressions of their columns ("o.total + 0 DESC"), which sort
// the same but which no index is ordered by.
func offIndex(terms []string) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		col, dir, _ := strings.Cut(t, " ")
		if textColumns[col] {
			out[i] = strings.TrimSpace("(" + col + " || '') " + dir)
		} else {
			out[i] = strings.TrimSpace(col + " + 0 " + dir)
		}
	}
	return out
}

// countLead is what an exact count of the list may lead with: every indexed condition, but on
// SQLite an EXISTS condition (existsAsIn) only when its orders are few — as an IN its orders
// are one set built first (millions for like(ORDER_ID1,test*)), as an EXISTS one probe per
// order the count reads.
func (s *Store) countLead(ctx context.Context, p orderPlan) (map[string]bool, error) {
	lead := allColumns(p.conds)
	if s.postgres {
		return lead, nil
	}
	for _, c := range p.conds {
		if c.in == "" {
			continue
		}
		g := group{cols: columnSet(c.column), conds: []panelCond{c}}
		n, err := s.countGroup(ctx, p, g, coverRows)
		if err != nil {
			return nil, err
		}
		if n.More {
			delete(lead, c.column)
		}
	}
	return lead, nil
}

func allColumns(conds []panelCond) map[string]bool {
	set := map[string]bool{}
	for _, c := range conds {
		set[c.column] = true
	}
	return set
}

func (s *Store) ids(ctx context.Context, query string, args []any) ([]int64, error) {
	var out []int64
	err := s.each(ctx, query, args, func(r *sql.Rows) error {
		var id int64
		out = append(out, id)
		return r.Scan(&out[len(out)-1])
	})
	return out, err
}

// sqliteOrderPage finds the page on SQLite in one of two ways, whichever reads fewer order rows:
// lead with the smallest condition's index range, read every order it holds, and sort the
// matches (the count is then exact); or walk the sort's index, reading rows until the page is
// full (the count is then sampled from the smallest range).
func (s *Store) sqliteOrderPage(ctx context.Context, p orderPlan, q ListQuery, countCap int) ([]int64, Count, error) {
	capped := groupCountCap
	if countCap == 0 {
		capped = s.driveRows // no count wanted: a range only needs to be known small enough to lead
	}
	groups, err := s.groups(ctx, p, capped)
	if err != nil || len(groups) == 0 {
		if err == nil && countCap == 0 { // the caller does not want the count
			ids, err := s.walk(ctx, p, q)
			return ids, Count{}, err
		}
		if err == nil { // no filter (or none an index serves): the sort's index alone
			var count Count
			query, args := compact("SELECT 1 FROM orders o"+joins(p.conds)+" WHERE "+where(p.conds, nil), p.args)
			if count, err = s.cappedCount(ctx, query, args, countCap); err == nil {
				ids, err := s.walk(ctx, p, q)
				return ids, count, err
			}
		}
		return nil, Count{}, err
	}
	best := groups[0]
	if c, ok, err := s.cover(ctx, p, groups, countCap); err != nil {
		return nil, Count{}, err
	} else if ok {
		return s.sqliteCover(ctx, p, c, q, countCap)
	}
	if !best.rows.More && best.rows.N <= s.driveRows {
		return s.sqliteLead(ctx, p, best, q, countCap)
	}
	walkBy := columnSet(p.sortColumn())
	if g, ok := equalityWalk(p, groups); ok {
		walkBy = g.cols
	}
	if countCap == 0 {
		// No count is wanted, and the smallest range holds more than driveRows (its count's
		// cap): too many to lead with, so a sample of it would decide nothing.
		ids, err := s.walkBy(ctx, p, q, walkBy)
		return ids, Count{}, err
	}
	var count Count
	if rest(p, best) == nil {
		// One condition: its count is index-only.
		query, args := compact(groupRows(best, "1"), p.args)
		if count, err = s.cappedCount(ctx, query, args, countCap); err != nil {
			return nil, count, err
		}
	} else {
		// The smallest range is large: sample it for the count and the matches' density, and
		// lead with it when that reads fewer rows than walking the sort's index would.
		found, err := s.sample(ctx, p, best)
		if err != nil {
			return nil, count, err
		}
		count = Count{N: min(found, countCap), More: true}
		var total int
		if err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM orders`).Scan(&total); err != nil {
			return nil, count, err
		}
		matches := max(found*best.rows.N/sampleRows, 1) // at least: best.rows may be capped
		if !best.rows.More && best.rows.N < (q.Offset+q.Count)*total/matches {
			return s.sqliteLead(ctx, p, best, q, countCap)
		}
	}
	ids, err := s.walkBy(ctx, p, q, walkBy)
	switch {
	case len(ids) < q.Count && (q.Offset == 0 || len(ids) > 0):
		count = Count{N: q.Offset + len(ids)} // the walk reached the end
	case count.More:
		count.N = min(max(count.N, q.Offset+len(ids)-1), countCap) // "more than" the rows before the next page
	}
	return ids, count, err
}

// coverColumns are the columns of orders the covering indexes hold (migration 00011): a query
// that needs no other column of orders is answered from one of them alone.
var coverColumns = map[string]bool{"buyer_path": true, "of_status": true, "status": true, "type": true,
	"creation_time": true, "end_customer_name": true, "total": true, "order_number": true, "buyer_id": true, "id": true}

// coverRows is the largest covering-index range the order list scans (about 0.2 µs an entry
// on SQLite: 150,000 entries take some 35 ms, twice that with the count).
const coverRows = 150_000

// leadCost is what reading an order's row by its id costs, in index entries scanned.
const leadCost = 10

// orderColumnRef finds the columns of orders a query part refers to.
var orderColumnRef = regexp.MustCompile(`\bo\.([a-z_]+)`)

// covered reports whether the query needs no column of orders outside the covering indexes,
// nor another table's rows for every order scanned (an EXISTS: existsAsIn).
func (p *orderPlan) covered() bool {
	text := joins(p.conds) + " " + strings.Join(p.orderBy, ", ")
	for _, c := range p.conds {
		if c.in != "" {
			return false
		}
		text += " " + c.sql
	}
	for _, m := range orderColumnRef.FindAllStringSubmatch(text, -1) {
		if !coverColumns[m[1]] {
			return false
		}
	}
	return true
}

// coverIndex is a covering index a query can scan, the conditions that bound its range and the
// size of that range.
type coverIndex struct {
	name string
	lead map[string]bool
	rows Count
}

// cover picks the covering index to scan, if the query is covered and one of the ranges holds
// at most coverRows entries — the subtree's (orders_scope_cover) or a flow status's within it
// (orders_of_status_cover) — and scanning it costs less than leading with the smallest range
// (groups, smallest first): reading an order of that range costs about leadCost index
// entries, and the covering index is read once for the page and once for the count. A range
// counted only up to the groups' cap is counted on, up to coverRows, when the scan may still be
// the cheaper.
func (s *Store) cover(ctx context.Context, p orderPlan, groups []group, countCap int) (coverIndex, bool, error) {
	if !p.covered() {
		return coverIndex{}, false, nil
	}
	scans := 1
	if countCap > 0 {
		scans = 2
	}
	lead := groups[0].rows
	cheaper := func(c Count) bool { return lead.More || lead.N*leadCost > c.N*scans }
	var best coverIndex
	for _, g := range groups {
		var c coverIndex
		switch {
		case len(g.cols) == 1 && g.cols["o.buyer_path"]:
			c = coverIndex{name: "orders_scope_cover", lead: g.cols, rows: g.rows}
		case g.cols["o.of_status"] && (len(g.cols) == 2 && g.cols["o.buyer_path"] || len(g.cols) == 1 && !p.scoped()) && oneEquality(g.conds, "o.of_status"):
			c = coverIndex{name: "orders_of_status_cover", lead: g.cols, rows: g.rows}
		default:
			continue
		}
		if c.rows.More && c.rows.N < coverRows && cheaper(c.rows) {
			var err error
			if c.rows, err = s.countGroup(ctx, p, g, coverRows); err != nil {
				return best, false, err
			}
		}
		if !c.rows.More && c.rows.N <= coverRows && cheaper(c.rows) && (best.name == "" || c.rows.N < best.rows.N) {
			best = c
		}
	}
	return best, best.name != "", nil
}

// oneEquality reports whether the only condition on column is an equality.
func oneEquality(conds []panelCond, column string) bool {
	n := 0
	for _, c := range conds {
		if c.column == column {
			n++
			if !strings.Contains(c.sql, " = ") {
				return false
			}
		}
	}
	return n == 1
}

// scoped reports whether the query is limited to a subtree.
func (p *orderPlan) scoped() bool {
	for _, c := range p.conds {
		if c.column == "o.buyer_path" {
			return true
		}
	}
	return false
}

// sqliteCover answers the query from a covering index alone: the page (the matches of its
// range sorted, only the page kept) and the count, without reading an order row.
func (s *Store) sqliteCover(ctx context.Context, p orderPlan, c coverIndex, q ListQuery, countCap int) ([]int64, Count, error) {
	from := "orders o" + s.indexedBy(c.name) + joins(p.conds) + " WHERE " + where(p.conds, c.lead)
	var count Count
	if countCap > 0 {
		query, args := compact("SELECT 1 FROM "+from, p.args)
		var err error
		if count, err = s.cappedCount(ctx, query, args, countCap); err != nil {
			return nil, count, err
		}
	}
	query, args := compact("SELECT o.id FROM "+from+" ORDER BY "+strings.Join(p.orderBy, ", ")+
		" LIMIT "+strconv.Itoa(q.Count)+" OFFSET "+strconv.Itoa(q.Offset), p.args)
	ids, err := s.ids(ctx, query, args)
	return ids, count, err
}

// rest is the conditions outside the group that a count needs.
func rest(p orderPlan, g group) []panelCond {
	var out []panelCond
	for _, c := range p.counted() {
		if !g.cols[c.column] {
			out = append(out, c)
		}
	}
	return out
}

// sqliteLead reads every order of the group's index range, keeps the matches in the list's
// order and returns the page of them, with their exact count.
func (s *Store) sqliteLead(ctx context.Context, p orderPlan, g group, q ListQuery, countCap int) ([]int64, Count, error) {
	orderBy := "+" + strings.Join(p.orderBy, ", +")
	query, args := compact("SELECT o.id FROM orders o"+joins(p.conds)+" WHERE "+where(p.conds, g.cols)+" ORDER BY "+orderBy, p.args)
	ids, err := s.ids(ctx, query, args)
	count := Count{N: min(len(ids), countCap), More: len(ids) > countCap}
	if q.Offset >= len(ids) {
		return nil, count, err
	}
	return ids[q.Offset:min(len(ids), q.Offset+q.Count)], count, err
}

// walk walks the sort's index, every condition but a range on the sort's column kept off its
// index, until the page is full.
func (s *Store) walk(ctx context.Context, p orderPlan, q ListQuery) ([]int64, error) {
	return s.walkBy(ctx, p, q, columnSet(p.sortColumn()))
}

// walkBy walks, in the list's order, the index of the columns lead (the sort's, or an
// equality's: equalityWalk), every other condition kept off its index, until the page is full.
func (s *Store) walkBy(ctx context.Context, p orderPlan, q ListQuery, lead map[string]bool) ([]int64, error) {
	query, args := compact("SELECT o.id FROM orders o"+joins(p.conds)+" WHERE "+where(p.conds, lead)+
		" ORDER BY "+strings.Join(p.orderBy, ", ")+" LIMIT "+strconv.Itoa(q.Count)+" OFFSET "+strconv.Itoa(q.Offset), p.args)
	return s.ids(ctx, query, args)
}

// equalityWalk finds, for a list sorted by id, the smallest range of an equality on a column
// whose index is (column, id) (migrations: every indexed column's but the unique ones): that
// range is in id order too and holds every match, so walking it fills the page reading only
// orders of the range, where the primary key's walk reads every order in between (at 10M,
// in(status,(COMPLETED,IN_PROGRESS)),eq(type,CF) read the rows of all types for the CF ones).
// groups are smallest first.
func equalityWalk(p orderPlan, groups []group) (group, bool) {
	if p.sortColumn() != "o.id" {
		return group{}, false
	}
	for _, g := range groups {
		if len(g.conds) != 1 || len(g.cols) != 1 {
			continue
		}
		c := g.conds[0]
		if c.in == "" && !c.walkOnly && idOrdered(c.column) && strings.HasPrefix(c.sql, c.column+" = ") {
			return g, true
		}
	}
	return group{}, false
}

// idOrdered reports whether orders has an index on (column, id): every indexed column's
// (migrations 00002, 00011) but the unique ones, whose indexes hold the column alone, and the
// buyer's path, whose index holds the covered columns before the id (00011).
func idOrdered(column string) bool {
	return indexed[column] && column != "o.id" && column != "o.aps_id" && column != "o.order_number" && column != "o.buyer_path"
}

// sample counts the matches among the first sampleRows orders of the group's range: their
// ids are read from its index alone, then their rows by rowid.
func (s *Store) sample(ctx context.Context, p orderPlan, g group) (int, error) {
	others := rest(p, g)
	query, args := compact("SELECT COUNT(*) FROM ("+groupRows(g, "o.rowid AS r")+
		" LIMIT "+strconv.Itoa(sampleRows)+") l JOIN orders o ON o.rowid = l.r"+joins(others)+" WHERE "+where(others, nil), p.args)
	var n int
	err := s.rdb.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// numberLike is how the RQL compiler writes like(orderNumber,mask); a mask "*<digits>" is the
// pattern "%<digits>".
var (
	numberLike   = regexp.MustCompile(`^o\.order_number I?LIKE \$([0-9]+) ESCAPE '\\'$`)
	digitsSuffix = regexp.MustCompile(`^%([0-9]+)$`)
)

// maxSuffixNumbers is the most order numbers a suffix match is turned into.
const maxSuffixNumbers = 2000

// numberSuffixes adds, to a match of order numbers by a suffix of digits (like(orderNumber,
// *00001): a scan of every order, no index serves a suffix), the order numbers that end so:
// an order's number is its type and its counter (InsertOrder, "SO000123"), so those ending in
// five given digits are one in 100,000 of the numbers handed out, and the order-number index
// finds them. Up to maxSuffixNumbers; a shorter suffix stays a scan. The LIKE stays, and still
// decides.
func (s *Store) numberSuffixes(ctx context.Context, p *orderPlan) error {
	for _, c := range p.conds {
		m := numberLike.FindStringSubmatch(c.sql)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		pattern, _ := p.args[n-1].(string)
		d := digitsSuffix.FindStringSubmatch(pattern)
		if d == nil || len(d[1]) > 18 {
			continue
		}
		counters, err := s.numberCounters(ctx)
		if err != nil {
			return err
		}
		numbers := suffixNumbers(counters, d[1], maxSuffixNumbers)
		if numbers == nil {
			continue
		}
		marks := make([]string, len(numbers))
		for i, num := range numbers {
			marks[i] = p.arg(num)
		}
		if len(marks) == 0 {
			marks = []string{p.arg("")} // no number ends so: no order matches ("" is none's)
		}
		p.conds = append(p.conds, panelCond{sql: "o.order_number IN (" + strings.Join(marks, ",") + ")", column: "o.order_number"})
		return nil
	}
	return nil
}

// numberCounters reads the next counter of each order type's numbers.
func (s *Store) numberCounters(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.each(ctx, `SELECT name, next_value FROM id_sequences WHERE name LIKE 'order\_number\_%' ESCAPE '\'`, nil, func(r *sql.Rows) error {
		var name string
		var next int64
		err := r.Scan(&name, &next)
		out[strings.TrimPrefix(name, "order_number_")] = next
		return err
	})
	return out, err
}

// suffixNumbers lists the order numbers handed out so far (counters: each type's next counter)
// that end in suffix, in order, or nil when there are more than limit.
func suffixNumbers(counters map[string]int64, suffix string, limit int) []string {
	step := int64(1)
	for range suffix {
		step *= 10
	}
	first, _ := strconv.ParseInt(suffix, 10, 64)
	if first == 0 {
		first = step // counters start at 1
	}
	total := 0
	for _, next := range counters {
		if next > first {
			total += int((next-1-first)/step + 1)
		}
	}
	if total > limit {
		return nil
	}
	types := make([]string, 0, len(counters))
	for t := range counters {
		types = append(types, t)
	}
	slices.Sort(types)
	out := []string{}
	for _, t := range types {
		for n := first; n < counters[t]; n += step {
			if num := order.NumberOf(t, n); strings.HasSuffix(num, suffix) {
				out = append(out, num)
			}
		}
	}
	return out
}
