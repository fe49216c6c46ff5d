package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
)

// ListQuery is a compiled list request: the filter and sort the RQL compiler produced (its
// placeholders numbered after the collection's own arguments) and the page.
type ListQuery struct {
	Where     string // boolean SQL expression or ""
	Args      []any
	OrderBy   string // without the ORDER BY keyword
	Offset    int
	Count     int
	CountOnly bool // limit(0,0): the total alone
	SkipCount bool // APS-Skip-Content-Range: never run the count query
}

// Page is what a list returns besides its rows.
type Page struct {
	Total   int  // -1 when the count was skipped
	Counted bool // Total is meaningful
}

// collection is the fixed part of a list query: the columns and FROM clause of a collection,
// and the caller-scope condition with its arguments ($1…$n, before the filter's).
type collection struct {
	columns string
	from    string
	scope   string
	args    []any
}

// FirstFilterArg is the placeholder number the filter's arguments start at for a collection
// whose scope takes n arguments.
func FirstFilterArg(n int) int { return n + 1 }

// list runs the count (unless skipped) and page queries of a collection in one read transaction,
// so the total and the page describe the same snapshot; on PostgreSQL each is planned with its
// arguments (Store.planned), as a filter's selectivity decides the plan.
func (s *Store) list(ctx context.Context, c collection, q ListQuery, scan func(*sql.Rows) error) (Page, error) {
	where := c.scope
	if q.Where != "" {
		where = "(" + where + ") AND (" + q.Where + ")"
	}
	args := append(append([]any{}, c.args...), q.Args...)
	page := Page{Total: -1}
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return page, err
	}
	defer tx.Rollback()
	if !q.SkipCount || q.CountOnly {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.from+" WHERE "+where, s.planned(args)...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("count: %w", err)
		}
		page.Counted = true
	}
	if q.CountOnly {
		return page, nil
	}
	n := len(args)
	query := "SELECT " + c.columns + " FROM " + c.from + " WHERE " + where +
		" ORDER BY " + q.OrderBy +
		" LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
	rows, err := tx.QueryContext(ctx, query, s.planned(append(args, q.Count, q.Offset))...) // planned: panel_orders.go
	if err != nil {
		return page, fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return page, err
		}
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	return page, tx.Commit()
}

// subtreeScope is the scope condition of a collection filtered by a path column: the index range
// of the caller's subtree, or — for the provider, whose subtree is everything — a condition that
// holds for every row without naming the column, so the planner is free to walk the sort's index
// instead of sorting the whole table for one page. Both forms take the same two arguments.
func subtreeScope(column, scopePath string) (string, []any) {
	lo, hi := account.SubtreeRange(scopePath)
	if strings.Count(scopePath, "/") == 2 { // "/1/": the tree's root
		return "CAST($1 AS TEXT) IS NOT NULL AND CAST($2 AS TEXT) IS NOT NULL", []any{lo, hi}
	}
	return column + " >= $1 AND " + column + " < $2", []any{lo, hi}
}
