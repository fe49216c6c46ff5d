package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
)

// The write side of accounts, delegations, payment methods and tokens for provider operations.

// LockAccount locks an account row by internal id.
func LockAccount(ctx context.Context, tx *Tx, id int64) error {
	return lockRow(ctx, tx, "accounts", "id", id)
}

// UpdateAccount rewrites an account's editable fields and status (never its place in the tree).
func UpdateAccount(ctx context.Context, tx *Tx, a *account.Account) error {
	if a.Attributes == nil {
		a.Attributes = []account.Attribute{}
	}
	attrs, _ := json.Marshal(a.Attributes)
	a.UpdatedAt = tx.Now
	return affectOne(tx.ExecContext(ctx, `UPDATE accounts SET status = $2, name = $3, contact_first = $4, contact_last = $5,
		email = $6, can_order = $7, type_can_order = $8, tax_zone = $9, currency = $10, attributes = $11, updated_at = $12
		WHERE id = $1`, a.ID, string(a.Status), a.Name, a.ContactFirst, a.ContactLast, a.Email, a.CanOrder, a.TypeCanOrder,
		a.TaxZone, a.Currency, string(attrs), Micros(tx.Now)))
}

// AllAccounts lists every account, parents before children (by path), for exports.
func (s *Store) AllAccounts(ctx context.Context) ([]account.Account, error) {
	var out []account.Account
	err := s.each(ctx, "SELECT "+accountColumns+" FROM "+accountFrom+" ORDER BY a.path", nil, func(r *sql.Rows) error {
		a, err := scanAccount(r)
		out = append(out, a)
		return err
	})
	return out, err
}

// DelegationRecord is a delegation with the plan's and the reseller's APS ids.
type DelegationRecord struct {
	catalog.Delegation
	PlanName     string
	ResellerPath string
}

const delegationColumns = `d.plan_id, p.aps_id, p.name, d.reseller_id, r.aps_id, r.path, d.cost_rule, d.cost_percent,
	d.explicit_costs, d.created_at`

const delegationFrom = `delegations d JOIN plans p ON p.id = d.plan_id JOIN accounts r ON r.id = d.reseller_id`

// DelegationsScopeArgs is the number of arguments the delegations collection's scope takes.
const DelegationsScopeArgs = 2

// ListDelegations lists the delegations to resellers in the subtree at scopePath.
func (s *Store) ListDelegations(ctx context.Context, scopePath string, q ListQuery) ([]DelegationRecord, Page, error) {
	lo, hi := account.SubtreeRange(scopePath)
	var out []DelegationRecord
	page, err := s.list(ctx, collection{columns: delegationColumns, from: delegationFrom,
		scope: "r.path >= $1 AND r.path < $2", args: []any{lo, hi}}, q, func(r *sql.Rows) error {
		var d DelegationRecord
		var rule, costs string
		var pct, created int64
		if err := r.Scan(&d.PlanID, &d.PlanAPSID, &d.PlanName, &d.ResellerID, &d.ResellerAPS, &d.ResellerPath, &rule,
			&pct, &costs, &created); err != nil {
			return err
		}
		d.Rule, d.Percent, d.CreatedAt = catalog.CostRule(rule), money.FromMicros(pct), FromMicros(created)
		if err := json.Unmarshal([]byte(costs), &d.Explicit); err != nil {
			return fmt.Errorf("delegation %d/%d costs: %w", d.PlanID, d.ResellerID, err)
		}
		out = append(out, d)
		return nil
	})
	return out, page, err
}

// DelegationOf reads the delegation of a plan to a reseller.
func (s *Store) DelegationOf(ctx context.Context, planID, resellerID int64) (DelegationRecord, error) {
	ds, _, err := s.ListDelegations(ctx, "/", ListQuery{Where: "d.plan_id = $3 AND d.reseller_id = $4",
		Args: []any{planID, resellerID}, OrderBy: "d.plan_id", Count: 1, SkipCount: true})
	if err != nil {
		return DelegationRecord{}, err
	}
	if len(ds) == 0 {
		return DelegationRecord{}, ErrNotFound
	}
	return ds[0], nil
}

// PutDelegation creates or rewrites the delegation of a plan to a reseller (its creation time
// stays the first one's).
func PutDelegation(ctx context.Context, tx *Tx, d catalog.Delegation) error {
	costs, _ := json.Marshal(d.Explicit)
	_, err := tx.ExecContext(ctx, `INSERT INTO delegations (plan_id, reseller_id, cost_rule, cost_percent, explicit_costs, created_at)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (plan_id, reseller_id) DO UPDATE SET cost_rule = excluded.cost_rule,
		cost_percent = excluded.cost_percent, explicit_costs = excluded.explicit_costs`,
		d.PlanID, d.ResellerID, string(d.Rule), d.Percent.MustMicros(), string(costs), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("delegate plan %d to %d: %w", d.PlanID, d.ResellerID, err)
	}
	return nil
}

// DeleteDelegation withdraws a plan from a reseller, and from the resellers below it that got
// it through this one. Existing subscriptions are not touched.
func DeleteDelegation(ctx context.Context, tx *Tx, planID int64, reseller account.Account) error {
	lo, hi := account.SubtreeRange(reseller.Path)
	res, err := tx.ExecContext(ctx, `DELETE FROM delegations WHERE plan_id = $1 AND reseller_id IN
		(SELECT id FROM accounts WHERE path >= $2 AND path < $3)`, planID, lo, hi)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// PaymentMethodRecord is a payment method with its vendor's and owner's APS ids.
type PaymentMethodRecord struct {
	account.PaymentMethod
	VendorAPSID string
	CreatedAt   time.Time
}

const paymentMethodColumns = `m.id, m.vendor_id, v.aps_id, COALESCE(m.owner_account_id, 0), COALESCE(o.aps_id, ''),
	m.payment_system_id, m.payment_system, COALESCE(m.number, ''), m.name, m.type, m.status, m.ratified,
	m.default_method, m.created_at`

const paymentMethodFrom = `payment_methods m JOIN accounts v ON v.id = m.vendor_id LEFT JOIN accounts o ON o.id = m.owner_account_id`

func (s *Store) paymentMethodsWhere(ctx context.Context, where string, args ...any) ([]PaymentMethodRecord, error) {
	var out []PaymentMethodRecord
	err := s.each(ctx, "SELECT "+paymentMethodColumns+" FROM "+paymentMethodFrom+" WHERE "+where+" ORDER BY m.id", args,
		func(r *sql.Rows) error {
			var m PaymentMethodRecord
			var typ string
			var created int64
			if err := r.Scan(&m.ID, &m.VendorID, &m.VendorAPSID, &m.OwnerAccountID, &m.OwnerAPSID, &m.PaymentSystemID,
				&m.PaymentSystem, &m.Number, &m.Name, &typ, &m.Status, &m.Ratified, &m.Default, &created); err != nil {
				return err
			}
			m.Type, m.CreatedAt = account.PaymentType(typ), FromMicros(created)
			out = append(out, m)
			return nil
		})
	return out, err
}

// AllPaymentMethods lists every payment method by id, deleted ones included (exports).
func (s *Store) AllPaymentMethods(ctx context.Context) ([]PaymentMethodRecord, error) {
	return s.paymentMethodsWhere(ctx, "1 = 1")
}

// OwnPaymentMethods lists the methods an account manages: those it owns, and for a seller the
// methods it offers all its customers.
func (s *Store) OwnPaymentMethods(ctx context.Context, a account.Account) ([]PaymentMethodRecord, error) {
	return s.paymentMethodsWhere(ctx, "(m.owner_account_id = $1 OR (m.owner_account_id IS NULL AND m.vendor_id = $1))", a.ID)
}

// PaymentMethodByID reads one payment method.
func (s *Store) PaymentMethodByID(ctx context.Context, id int64) (PaymentMethodRecord, error) {
	ms, err := s.paymentMethodsWhere(ctx, "m.id = $1", id)
	if err != nil {
		return PaymentMethodRecord{}, err
	}
	if len(ms) == 0 {
		return PaymentMethodRecord{}, ErrNotFound
	}
	return ms[0], nil
}

// LockPaymentMethod locks a payment method row.
func LockPaymentMethod(ctx context.Context, tx *Tx, id int64) error {
	return lockRow(ctx, tx, "payment_methods", "id", id)
}

// UpdatePaymentMethod rewrites a method's editable fields. Making it the default clears the
// default flag of the other methods in the same list (the owner's own, or the vendor's shared).
func UpdatePaymentMethod(ctx context.Context, tx *Tx, m account.PaymentMethod) error {
	if m.Default {
		if err := clearDefault(ctx, tx, m); err != nil {
			return err
		}
	}
	return affectOne(tx.ExecContext(ctx, `UPDATE payment_methods SET payment_system_id = $2, payment_system = $3,
		number = $4, name = $5, type = $6, status = $7, ratified = $8, default_method = $9 WHERE id = $1`,
		m.ID, m.PaymentSystemID, m.PaymentSystem, nullString(m.Number), m.Name, string(m.Type), m.Status, m.Ratified, m.Default))
}

// AddPaymentMethod creates a payment method (a new id unless keepID), clearing the other
// defaults of its list when it is the default.
func AddPaymentMethod(ctx context.Context, tx *Tx, m *account.PaymentMethod, keepID bool) error {
	if m.Default {
		if err := clearDefault(ctx, tx, *m); err != nil {
			return err
		}
	}
	return CreatePaymentMethod(ctx, tx, m, keepID)
}

func clearDefault(ctx context.Context, tx *Tx, m account.PaymentMethod) error {
	var err error
	if m.OwnerAccountID != 0 {
		_, err = tx.ExecContext(ctx, `UPDATE payment_methods SET default_method = FALSE WHERE owner_account_id = $1 AND id <> $2`,
			m.OwnerAccountID, m.ID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE payment_methods SET default_method = FALSE
			WHERE owner_account_id IS NULL AND vendor_id = $1 AND id <> $2`, m.VendorID, m.ID)
	}
	return err
}

// TokenRecord is a stored token's description with its revocation time.
type TokenRecord struct {
	TokenInfo
	RevokedAt *time.Time
}

// Tokens lists an account's tokens, newest first (never their secrets).
func (s *Store) Tokens(ctx context.Context, accountID int64) ([]TokenRecord, error) {
	return s.tokensWhere(ctx, "account_id = $1", accountID)
}

// TokenByID reads one token of an account.
func (s *Store) TokenByID(ctx context.Context, accountID, id int64) (TokenRecord, error) {
	ts, err := s.tokensWhere(ctx, "account_id = $1 AND id = $2", accountID, id)
	if err != nil {
		return TokenRecord{}, err
	}
	if len(ts) == 0 {
		return TokenRecord{}, ErrNotFound
	}
	return ts[0], nil
}

func (s *Store) tokensWhere(ctx context.Context, where string, args ...any) ([]TokenRecord, error) {
	out := []TokenRecord{}
	err := s.each(ctx, `SELECT id, account_id, name, prefix, scopes, created_at, expires_at, revoked_at FROM api_tokens
		WHERE `+where+` ORDER BY id DESC`, args, func(r *sql.Rows) error {
		var t TokenRecord
		var scopes string
		var created int64
		var exp, rev sql.NullInt64
		if err := r.Scan(&t.ID, &t.AccountID, &t.Name, &t.Prefix, &scopes, &created, &exp, &rev); err != nil {
			return err
		}
		for _, sc := range strings.Fields(scopes) {
			t.Scopes = append(t.Scopes, account.Scope(sc))
		}
		t.CreatedAt, t.ExpiresAt, t.RevokedAt = FromMicros(created), nullMicros(exp), nullMicros(rev)
		out = append(out, t)
		return nil
	})
	return out, err
}
