package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// The management API (scope admin) shares these: who may manage what, request bodies in the
// shape of the resource (PUT merges the body into the current representation, so a client may
// send back what it read, or only the fields it changes), creation once per Idempotency-Key, and
// the audit entry every change writes in its own transaction.

// ErrForbidden is the type of a refusal of something the caller can see but may not do.
const ErrForbidden = "Forbidden"

func forbidden(format string, args ...any) error {
	return problem.New(http.StatusForbidden, ErrForbidden, format, args...)
}

// requireSeller refuses customers: they manage nothing but their payment methods.
func requireSeller(p account.Principal) error {
	if p.Account.Type == account.Customer {
		return forbidden("a customer account manages only its payment methods")
	}
	return nil
}

// requireProvider refuses everyone but the provider (the shared catalog: resources, terms,
// taxes, reason codes).
func requireProvider(p account.Principal, what string) error {
	if p.Account.Type != account.Provider {
		return forbidden("only the provider manages %s", what)
	}
	return nil
}

// isAncestor reports whether a lies strictly above b in the tree.
func isAncestor(a, b account.Account) bool { return a.ID != b.ID && a.Contains(b) }

// adminBody reads a JSON object body.
func adminBody(r *http.Request) ([]byte, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, problem.Invalid("InvalidJSON", "the request body must be a JSON object")
	}
	if !json.Valid(body) {
		return nil, problem.Invalid("InvalidJSON", "the request body is not valid JSON")
	}
	return body, nil
}

// adminDecode decodes a JSON document into v, naming the field of a type mismatch.
func adminDecode(doc []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "the body"
			}
			return problem.Invalid("InvalidField", "%s: %s is not a valid %s", field, te.Value, typeName(te.Type))
		}
		return problem.Invalid("InvalidJSON", "the request body is not valid: %v", err)
	}
	return nil
}

func typeName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Slice:
		return "list"
	case reflect.Map, reflect.Struct:
		if t.Name() == "Decimal" {
			return "decimal number"
		}
		return "object"
	}
	return t.String()
}

// adminMerge merges patch into the JSON document base: objects merge key by key (recursively),
// anything else in patch replaces base's value. A PUT body is merged into the resource's
// current representation this way, so absent fields keep their values.
func adminMerge(base any, patch []byte) ([]byte, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var bv, pv any
	if err := json.Unmarshal(b, &bv); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(patch))
	dec.UseNumber()
	if err := dec.Decode(&pv); err != nil {
		return nil, problem.Invalid("InvalidJSON", "the request body is not valid JSON: %v", err)
	}
	return json.Marshal(mergeValues(bv, pv))
}

// decodeNew reads a creation's body and decodes it into a D, over defaults when not nil. It
// returns the body as read: the Idempotency-Key is checked against it.
func decodeNew[D any](r *http.Request, defaults map[string]any) ([]byte, D, error) {
	var doc D
	body, err := adminBody(r)
	if err != nil {
		return nil, doc, err
	}
	merged := body
	if defaults != nil {
		if merged, err = adminMerge(defaults, body); err != nil {
			return nil, doc, err
		}
	}
	return body, doc, adminDecode(merged, &doc)
}

// decodePatch merges a PUT body into the current representation cur and decodes the result.
func decodePatch[D any](cur any, body []byte) (D, error) {
	var doc D
	merged, err := adminMerge(cur, body)
	if err != nil {
		return doc, err
	}
	return doc, adminDecode(merged, &doc)
}

func mergeValues(base, patch any) any {
	bo, ok1 := base.(map[string]any)
	po, ok2 := patch.(map[string]any)
	if !ok1 || !ok2 {
		return patch
	}
	out := make(map[string]any, len(bo)+len(po))
	for k, v := range bo {
		out[k] = v
	}
	for k, v := range po {
		out[k] = mergeValues(bo[k], v)
	}
	return out
}

// created is a creation's answer: the status and the representation to send and to replay.
type created struct {
	Location string
	Body     any
	// Stored replaces Body in the idempotency record when the answer holds a secret shown
	// once (a new token): a replay gets the representation without it.
	Stored any
}

// create runs a creation in one transaction, at most once per Idempotency-Key (the same key
// and request replays the first answer; another request with the key is a 409), and answers
// 201 Created.
func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte, fn func(tx *store.Tx) (created, error)) {
	key, err := idempotencyKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var first []byte
	var location string
	run := func(tx *store.Tx) (store.Reply, error) {
		c, err := fn(tx)
		if err != nil {
			return store.Reply{}, err
		}
		location = c.Location
		if first, err = encodeJSON(c.Body); err != nil {
			return store.Reply{}, err
		}
		stored := first
		if c.Stored != nil {
			if stored, err = encodeJSON(c.Stored); err != nil {
				return store.Reply{}, err
			}
		}
		return store.Reply{Status: http.StatusCreated, Body: stored}, nil
	}
	var reply store.Reply
	replayed := false
	if key == "" {
		err = s.store.InTx(r.Context(), func(tx *store.Tx) error {
			var err error
			reply, err = run(tx)
			return err
		})
	} else {
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + string(body)))
		reply, replayed, err = s.store.Idempotent(r.Context(), principal(r).Account.ID, key, hex.EncodeToString(sum[:]), run)
		if errors.Is(err, store.ErrIdempotencyMismatch) {
			err = problem.Conflict("IdempotencyKeyReused", "this Idempotency-Key was used with a different request")
		}
	}
	if err != nil {
		s.fail(w, r, conflictError(err))
		return
	}
	out := reply.Body
	if !replayed && first != nil {
		out = first
	}
	if location != "" {
		w.Header().Set("Location", location)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	_, _ = w.Write(out)
}

// encodeJSON encodes as writeJSON does.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// change runs an update in one transaction and answers 200 with its result (204 when nil).
func (s *Server) change(w http.ResponseWriter, r *http.Request, fn func(tx *store.Tx) (any, error)) {
	var out any
	err := s.store.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		s.fail(w, r, conflictError(err))
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// conflictError turns a unique-key violation into a 409 (the other errors pass through).
func conflictError(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return problem.Conflict("AlreadyExists", "this conflicts with an existing entity")
	}
	msg := strings.ToLower(err.Error())
	if _, ok := problem.As(err); !ok && (strings.Contains(msg, "unique constraint") || strings.Contains(msg, "duplicate key")) {
		return problem.Conflict("AlreadyExists", "an entity with this key already exists")
	}
	return err
}

// audit records a management change by the request's caller in tx.
func audit(r *http.Request, tx *store.Tx, scopePath, action, entity, id string, before, after any) error {
	return store.RecordAudit(r.Context(), tx, store.ActorOf(principal(r)), scopePath, action, entity, id, before, after)
}

// deleteAudited deletes an entity with del and records the deletion (before is what was
// deleted) in one transaction, and answers 204.
func (s *Server) deleteAudited(w http.ResponseWriter, r *http.Request, scopePath, entity, id string, before any,
	del func(tx *store.Tx) error) {
	s.change(w, r, func(tx *store.Tx) (any, error) {
		if err := del(tx); err != nil {
			return nil, err
		}
		return nil, audit(r, tx, scopePath, store.AuditDelete, entity, id, before, nil)
	})
}

// listDocs answers a GET of a collection (RQL): the page list reads, each item as toDoc
// represents it.
func listDocs[R, D any](s *Server, w http.ResponseWriter, r *http.Request, schema *rql.Schema, scopeArgs int,
	list func(context.Context, store.ListQuery) ([]R, store.Page, error), toDoc func(R) D) {
	lq, _, err := s.listQuery(r, schema, scopeArgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rs, page, err := list(r.Context(), lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]D, len(rs))
	for i, x := range rs {
		out[i] = toDoc(x)
	}
	writeList(w, lq, page, out)
}

// getDoc answers a GET of one entity of the catalog, which every seller reads.
func getDoc[R, D any](s *Server, w http.ResponseWriter, r *http.Request, find func(*http.Request) (R, error), toDoc func(R) D) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := find(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toDoc(x))
}

// pathEntity reads the entity the path's {id} names; kind names it when it is not found.
func pathEntity[T any](r *http.Request, kind string, find func(context.Context, string) (T, error)) (T, error) {
	x, err := find(r.Context(), pathID(r, "id"))
	if errors.Is(err, store.ErrNotFound) {
		return x, notFound(kind, pathID(r, "id"))
	}
	return x, err
}

// pathEntityInt is pathEntity for an integer id; an id that is not an integer is not found.
func pathEntityInt[T any](r *http.Request, kind string, find func(context.Context, int64) (T, error)) (T, error) {
	return pathEntity(r, kind, func(ctx context.Context, s string) (T, error) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			var zero T
			return zero, store.ErrNotFound
		}
		return find(ctx, id)
	})
}

func pathID(r *http.Request, name string) string { return r.PathValue(name) }

func notFound(kind, id string) error { return problem.NotFound("%s %q not found", kind, id) }

func idString(id int64) string { return fmt.Sprint(id) }
