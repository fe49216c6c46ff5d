package panel

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Cookie names. The session cookie is Secure, HttpOnly and SameSite=Strict, and lives on
// /panel/ only; the sign-in cookie guards the sign-in form against login CSRF.
const (
	sessionCookie = "openbss_panel"
	signInCookie  = "openbss_panel_signin"
)

type (
	userKey  struct{}
	startKey struct{}
)

// user is the signed-in operator as templates see it.
type user struct {
	Principal account.Principal
	Name      string
	Type      account.Type
	Customer  bool // a customer sees its own orders and subscriptions only
	CanWrite  bool // holds orders:write: may act on orders
	Admin     bool // the provider's administrator: may change the OSS simulator
	// Everything: the user's subtree is the whole tree (the provider), so order queries need
	// no scope condition.
	Everything bool
	csrf       string
	sessionID  string
}

func userOf(r *http.Request) *user {
	u, _ := r.Context().Value(userKey{}).(*user)
	return u
}

// newSecret returns 256 random bits, URL-safe.
func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// csrfToken derives a session's CSRF token from its secret id: nothing to store, and only a
// holder of the (HttpOnly) session cookie can know it.
func csrfToken(sessionID string) string {
	h := sha256.Sum256([]byte("openbss-panel-csrf\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// authed loads the session of the request; without one, the browser goes to the sign-in page.
func (p *Panel) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || len(c.Value) > 100 {
			http.Redirect(w, r, "/panel/signin", http.StatusSeeOther)
			return
		}
		pr, err := p.store.PanelSession(ctx, store.HashToken(c.Value))
		if errors.Is(err, store.ErrNotFound) || (err == nil && !pr.Has(account.ScopeOrdersRead)) {
			setCookie(w, sessionCookie, "", "/panel/", -1)
			http.Redirect(w, r, "/panel/signin", http.StatusSeeOther)
			return
		}
		if err != nil {
			p.fail(w, r, err)
			return
		}
		u := &user{Principal: pr, Name: pr.Account.Name, Type: pr.Account.Type, Customer: pr.Account.Type == account.Customer,
			CanWrite: pr.Has(account.ScopeOrdersWrite), csrf: csrfToken(c.Value), sessionID: c.Value,
			Admin:      pr.Account.Type == account.Provider && pr.Has(account.ScopeAdmin),
			Everything: pr.Account.Type == account.Provider && pr.Account.ParentID == 0}
		h(w, r.WithContext(context.WithValue(ctx, userKey{}, u)))
	}
}

// staff serves a page to providers and resellers only: a customer sees no page but its own
// orders and subscriptions (as if the page did not exist).
func (p *Panel) staff(h http.HandlerFunc) http.HandlerFunc {
	return p.authed(func(w http.ResponseWriter, r *http.Request) {
		if userOf(r).Customer {
			p.fail(w, r, problem.NotFound("no page %s", r.URL.Path))
			return
		}
		h(w, r)
	})
}

// crossOrigin refuses requests a browser marks as cross-site (Sec-Fetch-Site, Origin).
var crossOrigin = http.NewCrossOriginProtection()

// action guards a state-changing form post: a session, the orders:write scope, a same-origin
// request and the session's CSRF token.
func (p *Panel) action(h http.HandlerFunc) http.HandlerFunc {
	return p.authed(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		u := userOf(r)
		switch {
		case crossOrigin.Check(r) != nil:
			p.fail(w, r, problem.New(http.StatusForbidden, "CrossOrigin", "cross-origin form posts are refused"))
		case !equal(r.PostFormValue("csrf"), u.csrf):
			p.fail(w, r, problem.New(http.StatusForbidden, "InvalidCSRF", "the form has expired or did not come from this panel; reload the page and try again"))
		case !u.CanWrite:
			p.fail(w, r, problem.New(http.StatusForbidden, "InsufficientScope", "this token lacks the %q scope", account.ScopeOrdersWrite))
		default:
			h(w, r)
		}
	})
}

type signInData struct {
	Token      string // the sign-in form's CSRF token
	Error      string
	InsecureOK bool // the request came over plain HTTP from elsewhere than this machine
}

// signInPage shows the token form, with a fresh anti-CSRF value in a cookie and the form.
func (p *Panel) signInPage(w http.ResponseWriter, r *http.Request) {
	p.signInForm(w, r, http.StatusOK, "")
}

func (p *Panel) signInForm(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := newSecret()
	setCookie(w, signInCookie, tok, "/panel/signin", 600)
	p.render(w, r, status, "signin", page{Title: "Sign in", Data: signInData{Token: tok, Error: msg, InsecureOK: insecure(r)}})
}

// insecure reports a plain-HTTP request from another machine: browsers drop Secure cookies
// there, so the sign-in page says to use HTTPS.
func insecure(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// signIn checks the token and opens a session.
func (p *Panel) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(signInCookie)
	if err != nil || crossOrigin.Check(r) != nil || !equal(c.Value, r.PostFormValue("csrf")) {
		p.signInForm(w, r, http.StatusForbidden, "The sign-in form expired; please try again.")
		return
	}
	tok := strings.TrimSpace(r.PostFormValue("token"))
	var pr account.Principal
	if tok != "" && len(tok) <= 256 {
		pr, err = p.store.Authenticate(r.Context(), tok)
	} else {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && !pr.Has(account.ScopeOrdersRead)) {
		p.log.Info("panel sign-in refused", "remote", r.RemoteAddr)
		p.signInForm(w, r, http.StatusUnauthorized, "That token is unknown, revoked, expired or lacks the orders:read scope.")
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	id := newSecret()
	if err := p.store.CreatePanelSession(r.Context(), store.HashToken(id), pr.TokenID, SessionTTL); err != nil {
		p.fail(w, r, err)
		return
	}
	p.log.Info("panel sign-in", "account", pr.Account.APSID, "token", pr.TokenID)
	setCookie(w, signInCookie, "", "/panel/signin", -1)
	setCookie(w, sessionCookie, id, "/panel/", int(SessionTTL/time.Second))
	http.Redirect(w, r, "/panel/", http.StatusSeeOther)
}

// signOut ends the session (a CSRF-checked form post: a forged sign-out is a nuisance too).
func (p *Panel) signOut(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if crossOrigin.Check(r) != nil || !equal(r.PostFormValue("csrf"), u.csrf) {
		p.fail(w, r, problem.New(http.StatusForbidden, "InvalidCSRF", "reload the page and sign out again"))
		return
	}
	if err := p.store.DeletePanelSession(r.Context(), store.HashToken(u.sessionID)); err != nil {
		p.fail(w, r, err)
		return
	}
	setCookie(w, sessionCookie, "", "/panel/", -1)
	http.Redirect(w, r, "/panel/signin", http.StatusSeeOther)
}
