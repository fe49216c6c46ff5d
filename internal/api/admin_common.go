package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/problem"
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

func pathID(r *http.Request, name string) string { return r.PathValue(name) }

func notFound(kind, id string) error { return problem.NotFound("%s %q not found", kind, id) }

func idString(id int64) string { return fmt.Sprint(id) }
