package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openbss/openbss/internal/account"
)

// CreatePaymentMethod inserts a payment method. With keepID its ID is used as given (the seed's
// system method Check/Cash has id 0); otherwise the next id of the sequence is assigned.
func CreatePaymentMethod(ctx context.Context, tx *Tx, m *account.PaymentMethod, keepID bool) error {
	var err error
	if !keepID {
		if m.ID, err = nextID(ctx, tx, "payment_methods"); err != nil {
			return err
		}
	} else if err := bumpSequence(ctx, tx, "payment_methods", m.ID); err != nil {
		return err
	}
	var owner, number any
	if m.OwnerAccountID != 0 {
		owner = m.OwnerAccountID
	}
	if m.Number != "" {
		number = m.Number
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO payment_methods (id, vendor_id, owner_account_id, payment_system_id,
		payment_system, number, name, type, status, ratified, default_method, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, m.ID, m.VendorID, owner, m.PaymentSystemID,
		m.PaymentSystem, number, m.Name, string(m.Type), m.Status, m.Ratified, m.Default, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("create payment method %s: %w", m.Name, err)
	}
	return nil
}

// PaymentMethods lists the methods an account may pay with: its own, then those its vendor (the
// parent account) offers every customer. The account's own default method wins; when it has
// none, the vendor's default is its default, as the seed's list for 3fef9702 shows.
func (s *Store) PaymentMethods(ctx context.Context, a account.Account) ([]account.PaymentMethod, error) {
	return cached(ctx, &s.cache.methods, a.ID, func() ([]account.PaymentMethod, error) { return s.paymentMethods(ctx, a) })
}

func (s *Store) paymentMethods(ctx context.Context, a account.Account) ([]account.PaymentMethod, error) {
	out := []account.PaymentMethod{}
	ownDefault := false
	err := s.each(ctx, `SELECT m.id, m.vendor_id, COALESCE(m.owner_account_id, 0), COALESCE(o.aps_id, ''),
		m.payment_system_id, m.payment_system, COALESCE(m.number, ''), m.name, m.type, m.status, m.ratified,
		m.default_method
		FROM payment_methods m LEFT JOIN accounts o ON o.id = m.owner_account_id
		WHERE m.status <> 'DELETED' AND (m.owner_account_id = $1 OR (m.owner_account_id IS NULL AND m.vendor_id = $2))
		ORDER BY CASE WHEN m.owner_account_id IS NULL THEN 1 ELSE 0 END, m.default_method DESC, m.id DESC`,
		[]any{a.ID, a.ParentID}, func(r *sql.Rows) error {
			var m account.PaymentMethod
			var typ string
			if err := r.Scan(&m.ID, &m.VendorID, &m.OwnerAccountID, &m.OwnerAPSID, &m.PaymentSystemID, &m.PaymentSystem,
				&m.Number, &m.Name, &typ, &m.Status, &m.Ratified, &m.Default); err != nil {
				return err
			}
			m.Type = account.PaymentType(typ)
			if m.OwnerAccountID != 0 && m.Default {
				ownDefault = true
			} else if m.OwnerAccountID == 0 && ownDefault {
				m.Default = false
			}
			out = append(out, m)
			return nil
		})
	return out, err
}
