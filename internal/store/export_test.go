package store

import (
	"context"

	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/order"
)

// NextID exposes nextID to the package's external tests.
func NextID(ctx context.Context, tx *Tx, name string) (int64, error) { return nextID(ctx, tx, name) }

// BumpSequence exposes bumpSequence to the package's external tests.
func BumpSequence(ctx context.Context, tx *Tx, name string, id int64) error {
	return bumpSequence(ctx, tx, name, id)
}

// ImpliedDateConditions is how many conditions the order list's plan of q (the provider's)
// derives from the bounds of order validity (order_validity.go).
func (s *Store) ImpliedDateConditions(ctx context.Context, q ListQuery) (int, error) {
	plain := newOrderPlan("/1/", true, q)
	if err := s.numberSuffixes(ctx, &plain); err != nil {
		return 0, err
	}
	p, err := s.planOrders(ctx, "/1/", true, q)
	return len(p.conds) - len(plain.conds), err
}

// OrderValidity exposes orderValidity: the bounds of expiration_date − order_date.
func (s *Store) OrderValidity(ctx context.Context) (lo, hi int64, ok bool, err error) {
	v, ok, err := s.orderValidity(ctx)
	return v.lo, v.hi, ok, err
}

// ValidityQuery is the query orderValidity reads the bounds with.
const ValidityQuery = "SELECT " + minValidity + ", " + maxValidity

// WithDriveRows sets the largest index range the order list leads with on SQLite (driveRows),
// so that a few thousand orders are planned as millions are.
func WithDriveRows(n int) Option { return func(s *Store) { s.driveRows = n } }

// WithMergeRows sets the smallest range every condition of an order count on SQLite must hold
// for the count to merge their ranges (mergeRows).
func WithMergeRows(n int) Option { return func(s *Store) { s.mergeRows = n } }

// WalksAnEquality reports whether the provider's list of q has an equality whose index range
// its page may walk (equalityWalk).
func WalksAnEquality(q ListQuery) bool {
	p := newOrderPlan("/1/", true, q)
	var groups []group
	for _, c := range p.conds {
		if c.column != "" {
			groups = append(groups, group{cols: columnSet(c.column), conds: []panelCond{c}})
		}
	}
	_, ok := equalityWalk(p, groups)
	return ok
}

// RecordPaidOrderInSteps is RecordPaidOrder writing one statement after another, as on SQLite,
// also on PostgreSQL (where RecordPaidOrder writes in one statement: recordPaidOrderPG).
func RecordPaidOrderInSteps(ctx context.Context, tx *Tx, o *order.Order, pay Payment, transactionID string) error {
	if tx.ids == nil {
		tx.ids = map[string]*idRange{}
	}
	if tx.ids[numberSequence(ledger.Invoice)] == nil {
		tx.ids[numberSequence(ledger.Invoice)] = &idRange{} // none left: the next is taken from the row
	}
	return RecordPaidOrder(ctx, tx, o, pay, transactionID)
}
