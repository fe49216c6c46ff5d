// Package panel is the operator's web control panel served at /panel/: sign-in with an API token
// (then a cookie session), a dashboard of orders by status and of what needs action, the order
// list and order pages with the repairs an operator makes (push, resubmit failed items, item
// events such as seed 000's "Creation Completed"), and read views of subscriptions, accounts and
// the catalog. Pages are server-rendered html/template with one small stylesheet and no
// JavaScript. What a user sees is scoped exactly like the API: by the token's account subtree
// and scopes, with lists compiled through the API's own RQL path (api.CompileList).
package panel

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/panel.css
var staticFS embed.FS

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 12 * time.Hour

// Panel is the control panel's http.Handler. Mount it at /panel/.
type Panel struct {
	store      *store.Store
	processing api.Processing // nil: actions that need the processor are refused
	simulator  *gateway.Simulator
	log        *slog.Logger
	mux        *http.ServeMux
	pages      map[string]*template.Template
	now        func() time.Time
}

// Option configures a Panel.
type Option func(*Panel)

// WithProcessing connects the order processor: item events go through it and pushes wake it.
func WithProcessing(p api.Processing) Option { return func(pn *Panel) { pn.processing = p } }

// WithSimulator lets the provider's administrators see and change the in-process OSS
// simulator's behaviour (an operator "fixes the OSS" without a restart).
func WithSimulator(s *gateway.Simulator) Option { return func(pn *Panel) { pn.simulator = s } }

// New builds the panel over the store.
func New(st *store.Store, log *slog.Logger, opts ...Option) (*Panel, error) {
	p := &Panel{store: st, log: log, mux: http.NewServeMux(), now: st.Now}
	for _, o := range opts {
		o(p)
	}
	var err error
	if p.pages, err = parsePages(); err != nil {
		return nil, err
	}
	p.routes()
	return p, nil
}

// ServeHTTP implements http.Handler.
func (p *Panel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	p.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), startKey{}, time.Now())))
}

// routes registers every page. Reads need a session; actions need a session, the write scope
// and a valid CSRF token.
func (p *Panel) routes() {
	static, _ := fs.Sub(staticFS, "static")
	p.mux.Handle("GET /panel/static/", http.StripPrefix("/panel/static/", http.FileServerFS(static)))
	p.mux.HandleFunc("GET /panel/signin", p.signInPage)
	p.mux.HandleFunc("POST /panel/signin", p.signIn)
	p.mux.HandleFunc("POST /panel/signout", p.authed(p.signOut))

	p.mux.HandleFunc("GET /panel/{$}", p.authed(p.dashboard))
	p.mux.HandleFunc("GET /panel/orders", p.authed(p.orders))
	p.mux.HandleFunc("GET /panel/orders/{id}", p.authed(p.orderPage))
	p.mux.HandleFunc("GET /panel/orders/{id}/confirm", p.authed(p.confirm))
	p.mux.HandleFunc("POST /panel/orders/{id}/push", p.action(p.push))
	p.mux.HandleFunc("POST /panel/orders/{id}/resubmit", p.action(p.resubmit))
	p.mux.HandleFunc("POST /panel/orders/{id}/items/{item}/event", p.action(p.itemEvent))
	p.mux.HandleFunc("GET /panel/subscriptions", p.authed(p.subscriptions))
	p.mux.HandleFunc("GET /panel/subscriptions/{id}", p.authed(p.subscriptionPage))
	p.mux.HandleFunc("GET /panel/accounts", p.staff(p.accounts))
	p.mux.HandleFunc("GET /panel/accounts/{id}", p.staff(p.accountPage))
	p.mux.HandleFunc("GET /panel/catalog", p.staff(p.catalog))
	p.mux.HandleFunc("GET /panel/events", p.staff(p.events))
	p.mux.HandleFunc("GET /panel/events/confirm", p.staff(p.eventConfirm))
	p.mux.HandleFunc("GET /panel/oss", p.staff(p.ossPage))
	p.mux.HandleFunc("POST /panel/oss", p.action(p.ossConfigure))
	p.mux.HandleFunc("/panel/", p.authed(func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, problem.NotFound("no page %s", r.URL.Path))
	}))
}

// page is what every template gets: the signed-in user, the CSRF token of its forms, the page's
// own data and the server time the page took (shown in its footer).
type page struct {
	Title   string
	Nav     string
	User    *user
	CSRF    string
	Flash   string
	Refresh int // seconds; 0: the page does not refresh itself
	Data    any
}

// render executes a page template into a buffer first, so a template error is a clean 500 and
// the response carries the page's server time in a Server-Timing header.
func (p *Panel) render(w http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	t, ok := p.pages[name]
	if !ok {
		p.fail(w, r, fmt.Errorf("no template %q", name))
		return
	}
	if u := userOf(r); u != nil {
		pg.User, pg.CSRF = u, u.csrf
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		p.log.Error("panel render", "page", name, "err", err)
		http.Error(w, "internal error; it has been logged", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if start, ok := r.Context().Value(startKey{}).(time.Time); ok {
		h.Set("Server-Timing", "app;dur="+strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 2, 64))
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders an error page: client errors with their message, anything else as a logged 500.
func (p *Panel) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error; it has been logged"
	var qe *rql.Error
	switch pe, ok := problem.As(err); {
	case ok:
		status, msg = pe.Status, pe.Message
	case errors.As(err, &qe):
		status, msg = http.StatusBadRequest, qe.Error()
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "not found"
	default:
		p.log.Error("panel request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.render(w, r, status, "error", page{Title: http.StatusText(status), Data: errorData{Status: status, Message: msg}})
}

type errorData struct {
	Status  int
	Message string
}
