package store

import "context"

// NextID exposes nextID to the package's external tests.
func NextID(ctx context.Context, tx *Tx, name string) (int64, error) { return nextID(ctx, tx, name) }

// BumpSequence exposes bumpSequence to the package's external tests.
func BumpSequence(ctx context.Context, tx *Tx, name string, id int64) error {
	return bumpSequence(ctx, tx, name, id)
}
