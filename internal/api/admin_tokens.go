package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// tokenDoc is an API token as the tokens collection shows it. Token, the secret, appears once:
// in the answer to its creation.
type tokenDoc struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Prefix         string     `json:"prefix"`
	Scopes         []string   `json:"scopes"`
	Status         string     `json:"status"` // ACTIVE, EXPIRED, REVOKED
	CreationTime   timestamp  `json:"creationTime"`
	ExpirationTime *timestamp `json:"expirationTime,omitempty"`
	RevocationTime *timestamp `json:"revocationTime,omitempty"`
	Token          string     `json:"token,omitempty"`
}

func optTimestamp(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	ts := timestamp(*t)
	return &ts
}

func toTokenDoc(t store.TokenRecord, now time.Time) tokenDoc {
	d := tokenDoc{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scopes: []string{}, Status: "ACTIVE",
		CreationTime: timestamp(t.CreatedAt), ExpirationTime: optTimestamp(t.ExpiresAt), RevocationTime: optTimestamp(t.RevokedAt)}
	for _, s := range t.Scopes {
		d.Scopes = append(d.Scopes, string(s))
	}
	switch {
	case t.RevokedAt != nil:
		d.Status = "REVOKED"
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		d.Status = "EXPIRED"
	}
	return d
}

// tokenAccount is the account of a tokens route: the caller's own or one below it, and never
// for a customer caller (customers do not manage credentials).
func (s *Server) tokenAccount(r *http.Request) (account.Account, error) {
	if err := requireSeller(principal(r)); err != nil {
		return account.Account{}, err
	}
	return s.visibleAccount(r, pathID(r, "id"))
}

// listTokens is GET /aps/2/collections/accounts/{id}/tokens: the account's tokens, newest
// first, never their secrets.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	a, err := s.tokenAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ts, err := s.store.Tokens(r.Context(), a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]tokenDoc, len(ts))
	for i, t := range ts {
		out[i] = toTokenDoc(t, s.store.Now())
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenRequest is the body of a token creation.
type tokenRequest struct {
	Name           string          `json:"name"`
	Scopes         json.RawMessage `json:"scopes"`
	ExpirationTime *time.Time      `json:"expirationTime"`
	ExpiresIn      string          `json:"expiresIn"` // a Go duration: "720h"
}

// createToken is POST /aps/2/collections/accounts/{id}/tokens. The token is shown once, in this
// answer; it is stored hashed. Its scopes cannot exceed the caller's.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	a, err := s.tokenAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req tokenRequest
	if err := adminDecode(body, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	scopes, err := tokenScopes(req.Scopes, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	expires, err := tokenExpiry(req, s.store.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Name == "" {
		req.Name = "api"
	}
	if len(req.Name) > 255 {
		s.fail(w, r, problem.Invalid("InvalidField", "name is longer than 255 characters"))
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		secret, info, err := store.CreateToken(r.Context(), tx, a.ID, req.Name, "", scopes, expires)
		if err != nil {
			return created{}, err
		}
		if err := audit(r, tx, a.Path, store.AuditCreate, "token", idString(info.ID), nil,
			catalogfile.TokenAudit(info, a.APSID, false)); err != nil {
			return created{}, err
		}
		doc := toTokenDoc(store.TokenRecord{TokenInfo: info}, tx.Now)
		shown := doc
		shown.Token = secret
		return created{Location: "/aps/2/collections/accounts/" + a.APSID + "/tokens/" + idString(info.ID),
			Body: shown, Stored: doc}, nil
	})
}

// tokenScopes reads scopes as a list or a comma-separated string (default orders:read and
// orders:write); a caller cannot grant scopes it does not hold.
func tokenScopes(raw json.RawMessage, p account.Principal) ([]account.Scope, error) {
	text := "orders:read,orders:write"
	if len(raw) > 0 && string(raw) != "null" {
		var list []string
		if err := json.Unmarshal(raw, &list); err == nil {
			text = strings.Join(list, ",")
		} else if err := json.Unmarshal(raw, &text); err != nil {
			return nil, problem.Invalid("InvalidField", "scopes: a list like [\"orders:read\", \"admin\"]")
		}
	}
	scopes, ok := account.ParseScopes(text)
	if !ok {
		return nil, problem.Invalid("InvalidField", "scopes %q: use orders:read, orders:write, admin", text)
	}
	for _, sc := range scopes {
		if !p.Has(sc) {
			return nil, forbidden("a token cannot grant the %q scope its creator lacks", sc)
		}
	}
	return scopes, nil
}

func tokenExpiry(req tokenRequest, now time.Time) (*time.Time, error) {
	switch {
	case req.ExpirationTime != nil && req.ExpiresIn != "":
		return nil, problem.Invalid("InvalidField", "give expirationTime or expiresIn, not both")
	case req.ExpirationTime != nil:
		t := req.ExpirationTime.UTC()
		if !t.After(now) {
			return nil, problem.Invalid("InvalidField", "expirationTime %s is not in the future", t.Format(time.RFC3339))
		}
		return &t, nil
	case req.ExpiresIn != "":
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			return nil, problem.Invalid("InvalidField", "expiresIn %q: a positive duration like \"720h\"", req.ExpiresIn)
		}
		t := now.Add(d)
		return &t, nil
	}
	return nil, nil
}

// revokeToken is DELETE /aps/2/collections/accounts/{id}/tokens/{tokenId}: from now on the
// token answers 401 (authentication reads the token's row on every request).
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	a, err := s.tokenAccount(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(pathID(r, "tokenId"), 10, 64)
	if err != nil {
		s.fail(w, r, notFound("token", pathID(r, "tokenId")))
		return
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		cur, err := s.store.TokenByID(r.Context(), a.ID, id)
		if err != nil {
			return nil, notFound("token", pathID(r, "tokenId"))
		}
		if err := store.RevokeToken(r.Context(), tx, a.ID, id); err != nil {
			return nil, err
		}
		if cur.RevokedAt == nil {
			if err := audit(r, tx, a.Path, store.AuditRevoke, "token", idString(id),
				catalogfile.TokenAudit(cur.TokenInfo, a.APSID, false), catalogfile.TokenAudit(cur.TokenInfo, a.APSID, true)); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}
