package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// readBody reads a bounded request body.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, problem.New(http.StatusRequestEntityTooLarge, "RequestTooLarge", "the request body exceeds %d bytes", MaxBodyBytes)
	}
	if err != nil {
		return nil, problem.Invalid("UnreadableBody", "the request body could not be read: %v", err)
	}
	return body, nil
}

// orderRequest reads and decodes an order request body, returning its hash for idempotency.
func orderRequest(r *http.Request) (*order.Request, string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, "", err
	}
	req, err := order.Decode(bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	if hasNUL(body) {
		return nil, "", problem.Invalid("InvalidCharacter", "the request holds a NUL character (\\u0000), which no field accepts")
	}
	sum := sha256.Sum256(body)
	return req, hex.EncodeToString(sum[:]), nil
}

// hasNUL reports whether a JSON string of body holds U+0000 (which PostgreSQL text cannot
// store). JSON can only carry it escaped, so bodies without the escape skip the walk.
func hasNUL(body []byte) bool {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return false
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return strings.ContainsRune(v, 0)
		case []any:
			return slices.ContainsFunc(v, walk)
		case map[string]any:
			for k, x := range v {
				if strings.ContainsRune(k, 0) || walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// idempotencyKey reads the Idempotency-Key header (bounded, printable).
func idempotencyKey(r *http.Request) (string, error) {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(k) > 255 {
		return "", problem.Invalid("InvalidIdempotencyKey", "Idempotency-Key is longer than 255 characters")
	}
	for _, c := range k {
		if c < 0x20 || c > 0x7e {
			return "", problem.Invalid("InvalidIdempotencyKey", "Idempotency-Key must be printable ASCII")
		}
	}
	return k, nil
}

// placeOrder is POST /aps/2/services/order-manager/orders.
func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request) {
	key, err := idempotencyKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, hash, err := orderRequest(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	placed, err := s.app.PlaceOrder(store.Sheddable(r.Context()), principal(r), req, key, hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.wake()
	writeJSON(w, http.StatusOK, placed)
}

// estimate is POST …/orders/estimate (?includeTaxes=false) and …/orders/estimateCosts.
func (s *Server) estimate(costs bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, _, err := orderRequest(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		include := true
		switch v := strings.ToLower(r.URL.Query().Get("includeTaxes")); v {
		case "", "true", "1":
		case "false", "0":
			include = false
		default:
			s.fail(w, r, problem.Invalid("InvalidParameter", "includeTaxes must be true or false, not %q", v))
			return
		}
		res, err := s.app.Estimate(r.Context(), principal(r), req, include, costs)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

type termJSON struct {
	TermID  string `json:"termId"`
	Name    string `json:"name"`
	Content string `json:"content"`
}

// termsConditions is POST …/orders/termsconditions.
func (s *Server) termsConditions(w http.ResponseWriter, r *http.Request) {
	req, _, err := orderRequest(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	terms, err := s.app.Terms(r.Context(), principal(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]termJSON, len(terms))
	for i, t := range terms {
		out[i] = termJSON{TermID: t.ID, Name: t.Name, Content: t.Content}
	}
	writeJSON(w, http.StatusOK, out)
}
