package store

import (
	"context"
	"database/sql"
	"errors"
)

// PanelItemOrder returns the APS id of the order a provisioning item belongs to: the panel's
// events page names an item by its id alone, as seed 000's "OrderItemID" does.
func (s *Store) PanelItemOrder(ctx context.Context, itemID int64) (string, error) {
	var apsID string
	err := s.rdb.QueryRowContext(ctx, `SELECT o.aps_id FROM provisioning_items i JOIN orders o ON o.id = i.order_id
		WHERE i.id = $1`, itemID).Scan(&apsID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return apsID, err
}
