package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// writeJSON is the one way handlers reply with a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError maps an error to the documented body {"code","type","message"} once, for every
// handler: client errors keep their status; anything unknown is a 500 without internals.
func writeError(w http.ResponseWriter, err error) {
	status, body := errorStatus(err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, body)
}

// fail replies with err, logging it when it is a server error (a bug or an outage).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorStatus(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

func errorStatus(err error) (int, *problem.Error) {
	var qe *rql.Error
	switch p, ok := problem.As(err); {
	case ok:
		return p.Status, p
	case errors.As(err, &qe):
		return http.StatusBadRequest, &problem.Error{Status: http.StatusBadRequest, Type: "InvalidQuery", Message: qe.Error()}
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, problem.NotFound("not found")
	case errors.Is(err, store.ErrBusy):
		return http.StatusServiceUnavailable, problem.New(http.StatusServiceUnavailable, "Busy",
			"the server has more orders queued than it can commit right now; nothing was recorded; retry after a second")
	}
	return http.StatusInternalServerError, &problem.Error{Status: http.StatusInternalServerError,
		Type: "InternalError", Message: "internal error; it has been logged"}
}
