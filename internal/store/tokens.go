package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
)

// HashToken is the stored form of an API token: its SHA-256. Tokens are 256 random bits, so a
// fast hash is enough (no password stretching needed) and lookups stay one index probe.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewToken returns a fresh random token: "obss_" and 43 URL-safe characters.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "obss_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// TokenInfo describes a stored token (never its secret).
type TokenInfo struct {
	ID        int64
	AccountID int64
	Name      string
	Prefix    string
	Scopes    []account.Scope
	CreatedAt time.Time
	ExpiresAt *time.Time
}

// CreateToken stores the hash of token for the account. Pass token "" to generate one; the
// plaintext is returned once and never stored.
func CreateToken(ctx context.Context, tx *Tx, accountID int64, name, token string, scopes []account.Scope, expires *time.Time) (string, TokenInfo, error) {
	if token == "" {
		token = NewToken()
	}
	id, err := nextID(ctx, tx, "tokens")
	if err != nil {
		return "", TokenInfo{}, err
	}
	var exp any
	if expires != nil {
		exp = Micros(*expires)
	}
	prefix := token[:min(len(token), 9)]
	_, err = tx.ExecContext(ctx, `INSERT INTO api_tokens (id, account_id, name, hash, prefix, scopes, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, id, accountID, name, HashToken(token), prefix,
		account.JoinScopes(scopes), Micros(tx.Now), exp)
	if err != nil {
		return "", TokenInfo{}, fmt.Errorf("create token: %w", err)
	}
	return token, TokenInfo{ID: id, AccountID: accountID, Name: name, Prefix: prefix, Scopes: scopes, CreatedAt: tx.Now, ExpiresAt: expires}, nil
}

// RevokeToken revokes a token of the account. Revoking twice is not an error.
func RevokeToken(ctx context.Context, tx *Tx, accountID, tokenID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3)
		WHERE id = $1 AND account_id = $2`, tokenID, accountID, Micros(tx.Now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Authenticate finds the live token and its account. Unknown, revoked and expired tokens are
// ErrNotFound alike.
func (s *Store) Authenticate(ctx context.Context, token string) (account.Principal, error) {
	hash := HashToken(token)
	e, err := cached(ctx, &s.cache.tokens, hash, func() (tokenEntry, error) {
		p, expires, err := s.authenticate(ctx, hash)
		return tokenEntry{p: p, expires: expires}, err
	})
	if err != nil {
		return account.Principal{}, err
	}
	if e.expires != 0 && Micros(s.Now()) >= e.expires {
		return account.Principal{}, ErrNotFound
	}
	return e.p, nil
}

// authenticate reads a live token by hash: its principal and expiry (µs, 0 for never).
func (s *Store) authenticate(ctx context.Context, hash string) (account.Principal, int64, error) {
	var p account.Principal
	var scopes string
	var expires sql.NullInt64
	row := s.rdb.QueryRowContext(ctx, `SELECT t.id, t.scopes, t.expires_at, `+accountColumns+`
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id LEFT JOIN accounts p ON p.id = a.parent_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash)
	a, err := scanAccount(row, &p.TokenID, &scopes, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return p, 0, ErrNotFound
	}
	if err != nil {
		return p, 0, err
	}
	p.Account = a
	for _, sc := range strings.Fields(scopes) {
		p.Scopes = append(p.Scopes, account.Scope(sc))
	}
	return p, expires.Int64, nil
}
