package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
)

// CreatePanelSession records a control-panel session for the token. Only the hash of the
// session id is stored, so a copy of the table signs nobody in. Expired sessions are purged on
// the way, which keeps the table as small as the number of live sessions.
func (s *Store) CreatePanelSession(ctx context.Context, idHash string, tokenID int64, ttl time.Duration) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM panel_sessions WHERE expires_at <= $1`, Micros(tx.Now)); err != nil {
			return fmt.Errorf("purge panel sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO panel_sessions (id_hash, token_id, created_at, expires_at)
			VALUES ($1,$2,$3,$4)`, idHash, tokenID, Micros(tx.Now), Micros(tx.Now.Add(ttl)))
		if err != nil {
			return fmt.Errorf("create panel session: %w", err)
		}
		return nil
	})
}

// PanelSession returns the principal of a live session: the session has not expired and its
// token is neither revoked nor expired. Anything else is ErrNotFound.
func (s *Store) PanelSession(ctx context.Context, idHash string) (account.Principal, error) {
	var p account.Principal
	var scopes string
	var expires sql.NullInt64
	var sessionExpires int64
	row := s.rdb.QueryRowContext(ctx, `SELECT ps.expires_at, t.id, t.scopes, t.expires_at, `+accountColumns+`
		FROM panel_sessions ps JOIN api_tokens t ON t.id = ps.token_id JOIN accounts a ON a.id = t.account_id
		LEFT JOIN accounts p ON p.id = a.parent_id
		WHERE ps.id_hash = $1 AND t.revoked_at IS NULL`, idHash)
	a, err := scanAccount(row, &sessionExpires, &p.TokenID, &scopes, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	now := s.Now()
	if !now.Before(FromMicros(sessionExpires)) || (expires.Valid && !now.Before(FromMicros(expires.Int64))) {
		return p, ErrNotFound
	}
	p.Account = a
	for _, sc := range strings.Fields(scopes) {
		p.Scopes = append(p.Scopes, account.Scope(sc))
	}
	return p, nil
}

// DeletePanelSession ends a session (sign-out). Ending an unknown session is not an error.
func (s *Store) DeletePanelSession(ctx context.Context, idHash string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM panel_sessions WHERE id_hash = $1`, idHash)
		return err
	})
}
