package store

import "context"

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
