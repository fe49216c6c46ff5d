package api

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/problem"
)

// routes registers every route of the API.
func (s *Server) routes() {
	read := account.ScopeOrdersRead
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.ready(r.Context()); err != nil {
			s.log.Warn("not ready", "err", err)
			writeError(w, problem.New(http.StatusServiceUnavailable, "NotReady", "database unreachable"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("GET /openapi.json", s.openAPI)

	s.mux.HandleFunc("GET /aps/2/collections/accounts", s.authed(read, s.listAccounts))
	s.mux.HandleFunc("GET /aps/2/collections/accounts/{id}", s.authed(read, s.getAccount))
	s.mux.HandleFunc("GET /aps/2/collections/service-plans", s.authed(read, s.listPlans))
	s.mux.HandleFunc("GET /aps/2/collections/service-plans/{id}", s.authed(read, s.getPlan))
	s.mux.HandleFunc("GET /aps/2/collections/bss-subscriptions", s.authed(read, s.listSubscriptions))
	s.mux.HandleFunc("GET /aps/2/collections/bss-subscriptions/{id}", s.authed(read, s.getSubscription))
	s.mux.HandleFunc("GET /aps/2/services/payment-method-manager/paymentMethods", s.authed(read, s.listPaymentMethods))
	s.mux.HandleFunc("GET /aps/2/services/order-manager/reasonCodes", s.authed(read, s.listReasonCodes))

	write := account.ScopeOrdersWrite
	const om = "/aps/2/services/order-manager/orders"
	s.mux.HandleFunc("GET "+om, s.authed(read, s.listOrders))
	s.mux.HandleFunc("POST "+om, s.authed(write, s.placeOrder))
	s.mux.HandleFunc("GET "+om+"/{id}", s.authed(read, s.getOrder))
	s.mux.HandleFunc("POST "+om+"/{id}/push", s.authed(write, s.pushOrder))
	s.mux.HandleFunc("POST "+om+"/{id}/resubmit", s.authed(write, s.resubmitOrder))
	s.mux.HandleFunc("POST /aps/2/services/order-manager/events", s.authed(write, s.postEvent))
	s.mux.HandleFunc("POST "+om+"/estimate", s.authed(read, s.estimate(false)))
	s.mux.HandleFunc("POST "+om+"/estimateCosts", s.authed(read, s.estimate(true)))
	s.mux.HandleFunc("POST "+om+"/termsconditions", s.authed(read, s.termsConditions))
	s.mux.HandleFunc("POST "+om+"/drafts", s.authed(write, s.createDraft)) // drafts.go: seed 001's account presale
	s.mux.HandleFunc("PUT "+om+"/{id}", s.authed(write, s.updateDraft))
	s.mux.HandleFunc("POST "+om+"/{id}/complete", s.authed(write, s.completeDraft))

	s.adminRoutes()
	s.ledgerRoutes()    // ledger.go: documents and balances
	s.testClockRoutes() // testclock.go: the demo test clock
	if s.panel != nil {
		s.mux.Handle("/panel/", s.panel)
	}
	s.mux.HandleFunc("/", s.noRoute)
}

// noRoute answers requests no route matched. The "/" catch-all that keeps 404s in our JSON
// format also hides the mux's own 405s, so it asks the mux which methods the path has: 405
// with Allow when there are some, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if _, pattern := s.mux.Handler(&http.Request{Method: m, Host: r.Host, URL: r.URL}); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, problem.New(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed on %s; use %s",
			r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	writeError(w, problem.NotFound("no route %s %s", r.Method, r.URL.Path))
}
