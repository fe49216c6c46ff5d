// Package api is openbss's HTTP edge: the APS-compatible routes, token authentication scoped to
// the account tree, the one JSON error format, RQL list semantics with Content-Range, health and
// metrics. Handlers decode, validate, call the store or use cases, and reply through one helper.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/openbss/openbss/internal/app"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// Server is the HTTP handler of openbss.
type Server struct {
	store *store.Store
	app   *app.Service
	// processing is the order processor of this process, nil when it does not run here.
	processing Processing
	panel      http.Handler // the control panel at /panel/, nil when not served
	testClock  TestClock    // the demo test clock (testclock.go), nil outside demo mode
	log        *slog.Logger
	mux        *http.ServeMux
	metrics    *metrics
	handler    http.Handler
}

// Option configures a Server.
type Option func(*Server)

// WithProcessing connects the order processor: placed and pushed orders wake it, and events
// about provisioning items go through it.
func WithProcessing(p Processing) Option { return func(s *Server) { s.processing = p } }

// WithPanel serves the operator's control panel (internal/panel) at /panel/.
func WithPanel(h http.Handler) Option { return func(s *Server) { s.panel = h } }

// CompileList compiles the RQL query string of a list ("orders", "bss-subscriptions",
// "accounts", "service-plans") exactly as the API's route for it does — same fields, operators,
// sorting and page bounds — so the control panel's lists take the API's path.
func CompileList(st *store.Store, list, rawQuery string) (store.ListQuery, error) {
	schemas := map[string]struct {
		schema *rql.Schema
		args   int
	}{"orders": {orderSchema, store.OrdersScopeArgs}, "bss-subscriptions": {subscriptionSchema, store.SubscriptionsScopeArgs},
		"accounts": {accountSchema, store.AccountsScopeArgs}, "service-plans": {planSchema, store.PlansScopeArgs}}
	sc, ok := schemas[list]
	if !ok {
		return store.ListQuery{}, fmt.Errorf("no list %q", list)
	}
	lq, _, err := (&Server{store: st}).listQuery(&http.Request{URL: &url.URL{RawQuery: rawQuery}}, sc.schema, sc.args)
	return lq, err
}

// NewServer wires the routes to the store.
func NewServer(st *store.Store, log *slog.Logger, opts ...Option) *Server {
	s := &Server{store: st, app: app.New(st), log: log, mux: http.NewServeMux(), metrics: newMetrics()}
	for _, o := range opts {
		o(s)
	}
	s.routes()
	s.handler = s.observe(s.recoverPanics(s.mux))
	s.metrics.registerStore(st)
	return s
}

// registerStore exposes group commit's counters (SQLite).
func (m *metrics) registerStore(st *store.Store) {
	counter := func(name, help string, v func(store.BatchStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return v(st.BatchStats()) })
	}
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "openbss_group_commit_queued",
			Help: "Pieces of work waiting for group commit."}, func() float64 { return float64(st.QueuedWrites()) }),
		counter("openbss_group_commit_batches_total", "Transactions committed by group commit.",
			func(b store.BatchStats) float64 { return float64(b.Batches) }),
		counter("openbss_group_commit_pieces_total", "Pieces of work committed by group commit.",
			func(b store.BatchStats) float64 { return float64(b.Pieces) }),
		counter("openbss_group_commit_shed_total", "Pieces of work refused (503) because group commit was saturated.",
			func(b store.BatchStats) float64 { return float64(b.Shed) }),
		counter("openbss_group_commit_retried_total", "Batches run again with a savepoint per piece because one failed.",
			func(b store.BatchStats) float64 { return float64(b.Retried) }),
		counter("openbss_group_commit_run_seconds_total", "Time group commit spent running pieces.",
			func(b store.BatchStats) float64 { return b.RunSeconds }),
		counter("openbss_group_commit_commit_seconds_total", "Time group commit spent committing (WAL write, fsync).",
			func(b store.BatchStats) float64 { return b.CommitSeconds }))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// metrics are the Prometheus collectors of one server (its own registry: no global state).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openbss_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "openbss_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// observe records metrics and logs server errors.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(route, http.StatusText(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// recoverPanics turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ready checks the database within a short deadline.
func (s *Server) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.store.Ping(ctx)
}
