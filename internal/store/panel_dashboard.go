package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/order"
)

// Count is a count that stops at a cap: on millions of rows an exact count costs a scan of them
// all, and "more than 10,000" is what an operator needs to know.
type Count struct {
	N    int
	More bool // the real count is above N (N is the cap)
}

// cappedCount runs the count of query (a SELECT of rows, without LIMIT) up to limit rows.
func (s *Store) cappedCount(ctx context.Context, query string, args []any, limit int) (Count, error) {
	var n int
	// The limit is written into the query, not bound: PostgreSQL plans a prepared statement
	// generically after a few runs, and a generic plan knows nothing of a bound limit.
	q := fmt.Sprintf("SELECT COUNT(*) FROM (%s LIMIT %d) c", query, limit+1)
	if err := s.rdb.QueryRowContext(ctx, q, s.planned(args)...).Scan(&n); err != nil {
		return Count{}, err
	}
	if n > limit {
		return Count{N: limit, More: true}, nil
	}
	return Count{N: n}, nil
}

// PanelFlowCounts counts the orders of the subtree at scopePath (everything: the whole tree)
// in every flow status, each count capped at limit: one index-only range scan per status. The
// status is written into the query (it is one of our codes, checked): a PostgreSQL generic plan
// for "of_status = $1" scans the whole table for a status no order has.
func (s *Store) PanelFlowCounts(ctx context.Context, scopePath string, everything bool, statuses []order.FlowStatus, limit int) (map[order.FlowStatus]Count, error) {
	lo, hi := account.SubtreeRange(scopePath)
	scope, args := ` AND o.buyer_path >= $1 AND o.buyer_path < $2`, []any{lo, hi}
	if everything {
		scope, args = "", nil
	}
	out := make(map[order.FlowStatus]Count, len(statuses))
	for _, f := range statuses {
		if !f.Valid() {
			return nil, fmt.Errorf("count orders: unknown flow status %q", f)
		}
		c, err := s.cappedCount(ctx, `SELECT 1 FROM orders o WHERE o.of_status = '`+string(f)+`'`+scope, args, limit)
		if err != nil {
			return nil, fmt.Errorf("count %s orders: %w", f, err)
		}
		out[f] = c
	}
	return out, nil
}

// PanelOldestOrders returns the oldest orders of the subtree in the given flow statuses, at
// most limit, oldest first. counts are the subtree's counts per status (PanelFlowCounts): a
// status without orders there is skipped, one with few has the ids of its oldest found in its
// (of_status, buyer_path, …, id) range alone (orders_of_status_cover), and one with many is
// read by a walk of its (of_status, id) index — bounded however many orders wait.
func (s *Store) PanelOldestOrders(ctx context.Context, scopePath string, everything bool, counts map[order.FlowStatus]Count, limit int) ([]*order.Order, error) {
	var out []*order.Order
	for f, c := range counts {
		if c.N == 0 {
			continue
		}
		if !f.Valid() {
			return nil, fmt.Errorf("oldest orders: unknown flow status %q", f)
		}
		if !everything && !c.More && c.N <= coverRows {
			lo, hi := account.SubtreeRange(scopePath)
			ids, err := s.ids(ctx, `SELECT o.id FROM orders o`+s.indexedBy("orders_of_status_cover")+` WHERE o.of_status = '`+string(f)+
				`' AND o.buyer_path >= $1 AND o.buyer_path < $2 ORDER BY o.id LIMIT `+strconv.Itoa(limit), []any{lo, hi})
			if err != nil {
				return nil, fmt.Errorf("oldest %s orders: %w", f, err)
			}
			orders, err := s.ordersByID(ctx, ids)
			if err != nil {
				return nil, fmt.Errorf("oldest %s orders: %w", f, err)
			}
			out = append(out, orders...)
			continue
		}
		scope, args, err := s.panelScope(ctx, scopePath, everything)
		if err != nil {
			return nil, err
		}
		err = s.each(ctx, "SELECT "+orderColumns+" FROM "+orderFrom+" WHERE "+scope+` AND o.of_status = '`+string(f)+`'
			ORDER BY o.id LIMIT `+strconv.Itoa(limit), args, func(r *sql.Rows) error {
			o, err := scanOrder(r)
			out = append(out, o)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("oldest %s orders: %w", f, err)
		}
	}
	slices.SortFunc(out, func(a, b *order.Order) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(len(out), limit)], nil
}

// FailedItem is a provisioning item that failed, with its order.
type FailedItem struct {
	OrderAPSID  string
	OrderNumber string
	OrderFlow   order.FlowStatus
	ItemID      int64
	Action      string
	Message     string
	At          time.Time
}

// recentFailuresWindow is how many of the latest failed items (of every scope) the recent
// failures of a scope are looked for among.
const recentFailuresWindow = 1000

// PanelRecentFailures lists the most recently failed provisioning items of the subtree's
// orders, newest first. The failed items are read newest first from the item status index
// (a bounded window), and only then joined to their orders, so no engine is tempted to join
// every failed item ever with millions of orders.
func (s *Store) PanelRecentFailures(ctx context.Context, scopePath string, everything bool, limit int) ([]FailedItem, error) {
	lo, hi := account.SubtreeRange(scopePath)
	scope, args := "o.buyer_path >= $2 AND o.buyer_path < $3", []any{order.ProvisioningFailedSt, lo, hi}
	if everything {
		scope, args = "TRUE", []any{order.ProvisioningFailedSt}
	}
	out := []FailedItem{}
	err := s.each(ctx, `SELECT o.aps_id, o.order_number, o.of_status, i.id, i.action, i.message, i.updated_at
		FROM (SELECT id, order_id, action, message, updated_at FROM provisioning_items WHERE status = $1
			ORDER BY updated_at DESC, id DESC LIMIT `+strconv.Itoa(recentFailuresWindow)+`) i
		JOIN orders o ON o.id = i.order_id WHERE `+scope+`
		ORDER BY i.updated_at DESC, i.id DESC LIMIT `+strconv.Itoa(limit), args,
		func(r *sql.Rows) error {
			var f FailedItem
			var flow string
			var at int64
			if err := r.Scan(&f.OrderAPSID, &f.OrderNumber, &flow, &f.ItemID, &f.Action, &f.Message, &at); err != nil {
				return err
			}
			f.OrderFlow, f.At = order.FlowStatus(flow), FromMicros(at)
			out = append(out, f)
			return nil
		})
	return out, err
}

// PanelNote appends an operator's action to an order's history without changing its status
// (from and to are both the current status), so the history says who did what from the panel.
func (s *Store) PanelNote(ctx context.Context, orderID int64, msg, actor string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT of_status FROM orders WHERE id = $1`, orderID).Scan(&cur); err != nil {
			return err
		}
		return addEvent(ctx, tx, orderID, order.FlowStatus(cur), order.FlowStatus(cur), msg, actor)
	})
}

// denseScope is the number of orders from which a subtree counts as a large part of the
// orders: walking the sort's index and filtering by subtree then finds a page quickly.
const denseScope = 5000

// panelScope is the caller-scope condition of the panel's order queries, written for the
// planner. The provider's scope is the whole tree: a range condition matching every row would
// only mislead it (SQLite walks the buyer_path index and sorts millions of rows instead of
// walking the index of the sort), so it is left out. A subtree with few orders is the API's
// index range; on SQLite a subtree with many (a big reseller) is the same range kept off the
// index (unary +), so the sort's index leads.
func (s *Store) panelScope(ctx context.Context, scopePath string, everything bool) (string, []any, error) {
	if everything {
		return "CAST($1 AS TEXT) = CAST($2 AS TEXT)", []any{"", ""}, nil // keeps the filter's placeholders ($3…) in place
	}
	lo, hi := account.SubtreeRange(scopePath)
	if !s.postgres {
		c, err := s.cappedCount(ctx, `SELECT 1 FROM orders o WHERE o.buyer_path >= $1 AND o.buyer_path < $2`, []any{lo, hi}, denseScope)
		if err != nil {
			return "", nil, err
		}
		if c.More {
			return "+o.buyer_path >= $1 AND +o.buyer_path < $2", []any{lo, hi}, nil
		}
	}
	return "o.buyer_path >= $1 AND o.buyer_path < $2", []any{lo, hi}, nil
}
