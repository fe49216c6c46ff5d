package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

type principalKey struct{}

// principal is the authenticated caller of a request that passed authed.
func principal(r *http.Request) account.Principal {
	return r.Context().Value(principalKey{}).(account.Principal)
}

// bearer reads the token from "Authorization: Bearer …" or "APS-Token: …".
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return strings.TrimSpace(r.Header.Get("APS-Token"))
}

var errUnauthorized = problem.New(http.StatusUnauthorized, "Unauthorized", "a valid API token is required (Authorization: Bearer <token> or APS-Token)")

// authed authenticates the caller and checks it holds scope.
func (s *Server) authed(scope account.Scope, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" || len(tok) > 256 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openbss"`)
			writeError(w, errUnauthorized)
			return
		}
		// The request's reads may come from the store's caches as of this moment (one read of
		// the change counters); the management API, which writes what those caches hold and
		// answers with it, reads the tables.
		versions, err := s.store.ReadVersions(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ctx := store.WithVersions(r.Context(), versions)
		p, err := s.store.Authenticate(ctx, tok)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openbss", error="invalid_token"`)
			writeError(w, errUnauthorized)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !p.Has(scope) {
			writeError(w, problem.New(http.StatusForbidden, "InsufficientScope", "this token lacks the %q scope", scope))
			return
		}
		if scope == account.ScopeAdmin {
			ctx = r.Context()
		}
		h(w, r.WithContext(context.WithValue(ctx, principalKey{}, p)))
	}
}

// visibleAccount reads an account by APS id if the caller may see it; else 404, as if absent.
func (s *Server) visibleAccount(r *http.Request, apsID string) (account.Account, error) {
	a, err := s.store.Account(r.Context(), apsID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !principal(r).CanSee(a)) {
		return a, problem.NotFound("account %q not found", apsID)
	}
	return a, err
}
