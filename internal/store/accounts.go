package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openbss/openbss/internal/account"
)

const accountColumns = `a.id, a.aps_id, COALESCE(a.parent_id, 0), COALESCE(p.aps_id, ''), a.path, a.type, a.status,
	a.name, a.contact_first, a.contact_last, a.email, a.can_order, a.type_can_order, a.tax_zone,
	a.currency, a.attributes, a.created_at, a.updated_at`

const accountFrom = `accounts a LEFT JOIN accounts p ON p.id = a.parent_id`

// scanAccount scans accountColumns, after the extra destinations pre of columns selected first.
func scanAccount(row interface{ Scan(...any) error }, pre ...any) (account.Account, error) {
	var a account.Account
	var typ, status, attrs string
	var created, updated int64
	err := row.Scan(append(pre, &a.ID, &a.APSID, &a.ParentID, &a.ParentAPSID, &a.Path, &typ, &status,
		&a.Name, &a.ContactFirst, &a.ContactLast, &a.Email, &a.CanOrder, &a.TypeCanOrder, &a.TaxZone,
		&a.Currency, &attrs, &created, &updated)...)
	if err != nil {
		return a, err
	}
	a.Type, a.Status = account.Type(typ), account.Status(status)
	a.CreatedAt, a.UpdatedAt = FromMicros(created), FromMicros(updated)
	if err := json.Unmarshal([]byte(attrs), &a.Attributes); err != nil {
		return a, fmt.Errorf("account %d attributes: %w", a.ID, err)
	}
	return a, nil
}

// CreateAccount inserts an account below parent (nil for the provider). Zero ID and empty APSID
// are assigned (ids from the accounts sequence, a UUIDv7); a provider without an id gets id 1.
func CreateAccount(ctx context.Context, tx *Tx, a *account.Account, parent *account.Account) error {
	var err error
	if a.ID == 0 {
		if parent == nil {
			a.ID = 1
		} else if a.ID, err = nextID(ctx, tx, "accounts"); err != nil {
			return err
		}
	} else if err := bumpSequence(ctx, tx, "accounts", a.ID); err != nil {
		return err
	}
	if a.APSID == "" {
		a.APSID = NewAPSID()
	}
	var parentID any
	if parent != nil {
		parentID = parent.ID
		a.ParentID, a.ParentAPSID, a.Path = parent.ID, parent.APSID, parent.ChildPath(a.ID)
	} else {
		a.Path = account.RootPath(a.ID)
	}
	if a.Currency == "" {
		a.Currency = "USD"
	}
	if a.Attributes == nil {
		a.Attributes = []account.Attribute{}
	}
	attrs, _ := json.Marshal(a.Attributes)
	a.CreatedAt, a.UpdatedAt = tx.Now, tx.Now
	_, err = tx.ExecContext(ctx, `INSERT INTO accounts (id, aps_id, parent_id, path, type, status, name,
		contact_first, contact_last, email, can_order, type_can_order, tax_zone, currency, attributes,
		created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)`,
		a.ID, a.APSID, parentID, a.Path, string(a.Type), string(a.Status), a.Name,
		a.ContactFirst, a.ContactLast, a.Email, a.CanOrder, a.TypeCanOrder, a.TaxZone, a.Currency,
		string(attrs), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.APSID, err)
	}
	return nil
}

// Account reads an account by APS id.
func (s *Store) Account(ctx context.Context, apsID string) (account.Account, error) {
	return cached(ctx, &s.cache.byAPSID, apsID, func() (account.Account, error) {
		return s.accountWhere(ctx, "a.aps_id = $1", apsID)
	})
}

// AccountByID reads an account by internal id.
func (s *Store) AccountByID(ctx context.Context, id int64) (account.Account, error) {
	return cached(ctx, &s.cache.byID, id, func() (account.Account, error) {
		return s.accountWhere(ctx, "a.id = $1", id)
	})
}

func (s *Store) accountWhere(ctx context.Context, where string, arg any) (account.Account, error) {
	if str, ok := arg.(string); ok && !validText(str) {
		return account.Account{}, ErrNotFound
	}
	a, err := scanAccount(s.rdb.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM "+accountFrom+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// Provider returns the provider account (the tree's root), or ErrNotFound on an empty database.
func (s *Store) Provider(ctx context.Context) (account.Account, error) {
	return s.accountWhere(ctx, "a.parent_id IS NULL AND a.type = $1", string(account.Provider))
}

// AccountsScopeArgs is the number of arguments the accounts collection's scope takes.
const AccountsScopeArgs = 2

// ListAccounts lists the accounts in the subtree at scopePath.
func (s *Store) ListAccounts(ctx context.Context, scopePath string, q ListQuery) ([]account.Account, Page, error) {
	lo, hi := account.SubtreeRange(scopePath)
	var out []account.Account
	page, err := s.list(ctx, collection{
		columns: accountColumns, from: accountFrom,
		scope: "a.path >= $1 AND a.path < $2", args: []any{lo, hi},
	}, q, func(r *sql.Rows) error {
		a, err := scanAccount(r)
		out = append(out, a)
		return err
	})
	return out, page, err
}
