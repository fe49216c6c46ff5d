package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// CreateDiscount inserts a standing discount and the plans it is limited to (by APS id).
func CreateDiscount(ctx context.Context, tx *Tx, d *catalog.Discount) error {
	var err error
	if d.ID, err = nextID(ctx, tx, "discounts"); err != nil {
		return err
	}
	var acc any
	if d.AccountID != 0 {
		acc = d.AccountID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO discounts (id, vendor_id, account_id, discount_type, value, active, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, d.ID, d.VendorID, acc, string(d.Type), d.Value.MustMicros(), d.Active, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("create discount of vendor %d: %w", d.VendorID, err)
	}
	for _, plan := range d.PlanAPSIDs {
		res, err := tx.ExecContext(ctx, `INSERT INTO discount_plans (discount_id, plan_id)
			SELECT $1, id FROM plans WHERE aps_id = $2`, d.ID, plan)
		if err != nil {
			return fmt.Errorf("discount %d plan %s: %w", d.ID, plan, err)
		}
		// An unknown plan would silently widen the discount to every plan.
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("discount %d plan %s: %w", d.ID, plan, ErrNotFound)
		}
	}
	return nil
}

// Discounts reads every discount with its plans, in id order.
func (s *Store) Discounts(ctx context.Context) ([]catalog.Discount, error) {
	var out []catalog.Discount
	index := map[int64]int{}
	err := s.each(ctx, `SELECT id, vendor_id, account_id, discount_type, value, active FROM discounts ORDER BY id`, nil,
		func(r *sql.Rows) error {
			var d catalog.Discount
			var acc sql.NullInt64
			var typ string
			var value int64
			if err := r.Scan(&d.ID, &d.VendorID, &acc, &typ, &value, &d.Active); err != nil {
				return err
			}
			d.AccountID, d.Type, d.Value = acc.Int64, catalog.DiscountType(typ), money.FromMicros(value)
			index[d.ID] = len(out)
			out = append(out, d)
			return nil
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = s.each(ctx, `SELECT dp.discount_id, p.aps_id FROM discount_plans dp JOIN plans p ON p.id = dp.plan_id
		ORDER BY dp.discount_id, p.id`, nil, func(r *sql.Rows) error {
		var id int64
		var plan string
		if err := r.Scan(&id, &plan); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			out[i].PlanAPSIDs = append(out[i].PlanAPSIDs, plan)
		}
		return nil
	})
	return out, err
}
