package store

import "context"

// NextID exposes nextID to the package's external tests.
func NextID(ctx context.Context, tx *Tx, name string) (int64, error) { return nextID(ctx, tx, name) }

// BumpSequence exposes bumpSequence to the package's external tests.
func BumpSequence(ctx context.Context, tx *Tx, name string, id int64) error {
	return bumpSequence(ctx, tx, name, id)
}

// ImpliedDateConditions is how many conditions the order list's plan of q (the provider's)
// derives from the range of order validities (order_validity.go).
func (s *Store) ImpliedDateConditions(ctx context.Context, q ListQuery) (int, error) {
	plain, err := s.planOrders(ctx, "/1/", true, q, false)
	if err != nil {
		return 0, err
	}
	p, err := s.planOrders(ctx, "/1/", true, q, true)
	return len(p.conds) - len(plain.conds), err
}

// ValidityHeldAcross plans q (the provider's), runs between, and reports whether the range of
// order validities the plan used still holds (validityHeld).
func (s *Store) ValidityHeldAcross(ctx context.Context, q ListQuery, between func()) (bool, error) {
	p, err := s.planOrders(ctx, "/1/", true, q, true)
	if err != nil {
		return false, err
	}
	between()
	return s.validityHeld(ctx, p)
}
