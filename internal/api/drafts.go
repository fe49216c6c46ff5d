package api

import (
	"net/http"

	"github.com/openbss/openbss/internal/app"
)

// createDraft is POST …/orders/drafts: seed 001's account presale, an order recorded to be
// completed later. The body is placeOrder's, checked for shape only.
func (s *Server) createDraft(w http.ResponseWriter, r *http.Request) {
	req, _, err := orderRequest(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	placed, err := s.app.CreateDraft(r.Context(), principal(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, placed)
}

// updateDraft is PUT …/orders/{id}: a draft's whole new request (409 when not a draft).
func (s *Server) updateDraft(w http.ResponseWriter, r *http.Request) {
	d, err := s.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, _, err := orderRequest(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.app.UpdateDraft(r.Context(), principal(r), d, req); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, app.Placed{OrderID: d.APSID})
}

// completeDraft is POST …/orders/{id}/complete (seed 001 "Complete Order").
func (s *Server) completeDraft(w http.ResponseWriter, r *http.Request) {
	d, err := s.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	done, err := s.app.CompleteDraft(r.Context(), principal(r), d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.wake()
	writeJSON(w, http.StatusOK, done)
}
