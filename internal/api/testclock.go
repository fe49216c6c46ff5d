package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/scheduler"
	"github.com/openbss/openbss/internal/store"
)

// The demo test clock (Stripe's and Kill Bill's test clocks are the models): read it, and move
// it forward while the scheduler does everything that becomes due on the way, in time order.
// The routes exist only when the server is given a test clock — `openbss serve --demo` — never
// in production.

// TestClock is the demo test clock with the scheduler that advances it.
type TestClock interface {
	Now() time.Time
	Advance(ctx context.Context, to time.Time) (scheduler.Advanced, error)
}

// WithTestClock enables the test-clock routes over tc (demo mode only).
func WithTestClock(tc TestClock) Option { return func(s *Server) { s.testClock = tc } }

// MaxAdvanceDays bounds one advance (ten years).
const MaxAdvanceDays = 3660

// testClockRoutes registers the test-clock routes when there is a test clock (called from
// routes.go).
func (s *Server) testClockRoutes() {
	if s.testClock == nil {
		return
	}
	s.mux.HandleFunc("GET /aps/2/services/test-clock", s.authed(account.ScopeAdmin, s.provider(s.getTestClock)))
	s.mux.HandleFunc("POST /aps/2/services/test-clock/advance", s.authed(account.ScopeAdmin, s.provider(s.advanceTestClock)))
}

// provider lets only the provider through: the clock is everyone's.
func (s *Server) provider(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if principal(r).Account.Type != account.Provider {
			writeError(w, problem.New(http.StatusForbidden, "ProviderOnly", "only the provider may read or move the test clock"))
			return
		}
		h(w, r)
	}
}

type testClockJSON struct {
	Now  time.Time `json:"now"`
	Mode string    `json:"mode"`
}

func (s *Server) getTestClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, testClockJSON{Now: s.testClock.Now(), Mode: "test"})
}

// advanceRequest is {"days": N} or {"to": "<RFC 3339>"}.
type advanceRequest struct {
	Days *int       `json:"days"`
	To   *time.Time `json:"to"`
}

func (q advanceRequest) target(now time.Time) (time.Time, error) {
	switch {
	case (q.Days == nil) == (q.To == nil):
		return now, problem.Invalid("InvalidAdvance", `give exactly one of "days" (a whole number of days) or "to" (an RFC 3339 time)`)
	case q.Days != nil && (*q.Days < 0 || *q.Days > MaxAdvanceDays):
		return now, problem.Invalid("InvalidAdvance", "days: %d is not between 0 and %d", *q.Days, MaxAdvanceDays)
	case q.Days != nil:
		return now.AddDate(0, 0, *q.Days), nil
	case q.To.Before(now):
		return now, problem.Conflict("TestClockBackwards", "to: %s is before the test clock's %s; a test clock only moves forward",
			q.To.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
	case q.To.Sub(now) > MaxAdvanceDays*scheduler.Day:
		return now, problem.Invalid("InvalidAdvance", "to: more than %d days ahead", MaxAdvanceDays)
	}
	return q.To.UTC(), nil
}

// advanceTestClock is POST …/test-clock/advance. With an Idempotency-Key the first answer is
// replayed for the same body (a retried request does not move the clock twice).
func (s *Server) advanceTestClock(w http.ResponseWriter, r *http.Request) {
	key, err := idempotencyKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	caller := principal(r).Account.ID
	if key != "" {
		reply, found, err := s.store.IdempotentReply(r.Context(), caller, key, hash)
		if err != nil {
			s.fail(w, r, idempotencyError(err))
			return
		}
		if found {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(reply.Status)
			_, _ = w.Write(reply.Body)
			return
		}
	}
	var q advanceRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		s.fail(w, r, problem.Invalid("InvalidAdvance", `the body must be {"days": N} or {"to": "<RFC 3339 time>"}: %v`, err))
		return
	}
	to, err := q.target(s.testClock.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.testClock.Advance(r.Context(), to)
	if errors.Is(err, clock.ErrBackwards) {
		err = problem.Conflict("TestClockBackwards", "%v", err)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.wake()
	out, _ := json.Marshal(res)
	if key != "" {
		if _, _, err := s.store.Idempotent(r.Context(), caller, key, hash, func(*store.Tx) (store.Reply, error) {
			return store.Reply{Status: http.StatusOK, Body: out}, nil
		}); err != nil {
			s.log.Warn("test clock: recording the idempotent reply", "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func idempotencyError(err error) error {
	if errors.Is(err, store.ErrIdempotencyMismatch) {
		return problem.Conflict("IdempotencyKeyReused", "this Idempotency-Key was used with a different request body")
	}
	return err
}
