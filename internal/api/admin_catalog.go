package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// The shared catalog the provider manages and sellers read: resources, terms and conditions,
// tax rules and reason codes.

const typeResource = "http://www.odin.com/billing/Resource/1.0"

type dependencyDoc struct {
	Kind       catalog.DependencyKind `json:"kind"`
	ResourceID string                 `json:"resourceId"`
	Name       string                 `json:"name,omitempty"`
	Amount     money.Decimal          `json:"amount"`
}

type resourceDoc struct {
	APS           apsMeta         `json:"aps"`
	Name          string          `json:"name"`
	UnitOfMeasure string          `json:"unitOfMeasure"`
	Description   string          `json:"description"`
	Status        string          `json:"status"`
	Dependencies  []dependencyDoc `json:"dependencies"`
}

func toResourceDoc(r store.ResourceRecord) resourceDoc {
	d := resourceDoc{APS: ready(r.APSID, typeResource), Name: r.Name, UnitOfMeasure: r.Unit, Description: r.Description,
		Status: r.Status, Dependencies: []dependencyDoc{}}
	for _, dep := range r.Dependencies {
		d.Dependencies = append(d.Dependencies, dependencyDoc{Kind: dep.Kind, ResourceID: dep.ParentAPSID, Name: dep.ParentName,
			Amount: dep.Amount})
	}
	return d
}

var resourceSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"aps.id":        {Column: "r.aps_id", Type: rql.String},
		"name":          {Column: "r.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"unitOfMeasure": {Column: "r.unit", Type: rql.String},
		"status":        {Column: "r.status", Type: rql.String},
		"creationTime":  {Column: "r.created_at", Type: rql.Time, Sortable: true},
	},
	DefaultSort: "r.id", Tiebreak: "r.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// listResources is GET /aps/2/collections/resources (RQL).
func (s *Server) listResources(w http.ResponseWriter, r *http.Request) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	listDocs(s, w, r, resourceSchema, store.ResourcesScopeArgs, s.store.ListResources, toResourceDoc)
}

func (s *Server) resource(r *http.Request) (store.ResourceRecord, error) {
	return pathEntity(r, "resource", s.store.ResourceByAPSID)
}

// getResource is GET /aps/2/collections/resources/{id}.
func (s *Server) getResource(w http.ResponseWriter, r *http.Request) {
	getDoc(s, w, r, s.resource, toResourceDoc)
}

// resourceFromDoc builds a resource from a document, resolving its dependencies.
func (s *Server) resourceFromDoc(r *http.Request, d resourceDoc, res *store.ResourceRecord) error {
	res.Name, res.Unit, res.Description, res.Status = strings.TrimSpace(d.Name), d.UnitOfMeasure, d.Description, d.Status
	res.Dependencies = nil
	all, _, err := s.store.ListResources(r.Context(), store.AllRows("r.id"))
	if err != nil {
		return err
	}
	byID := map[string]store.ResourceRecord{}
	for _, x := range all {
		byID[x.APSID] = x
	}
	for _, dd := range d.Dependencies {
		parent, ok := byID[dd.ResourceID]
		if !ok {
			return catalogfile.Unknown("dependencies: no resource %q", dd.ResourceID)
		}
		res.Dependencies = append(res.Dependencies, catalog.Dependency{Kind: catalog.DependencyKind(strings.ToUpper(string(dd.Kind))),
			ParentID: parent.ID, ParentAPSID: parent.APSID, ParentName: parent.Name, Amount: dd.Amount})
	}
	parentsOf := func(id string) []string {
		var out []string
		for _, dep := range byID[id].Dependencies {
			out = append(out, dep.ParentAPSID)
		}
		return out
	}
	return catalogfile.ValidateResource(res.Resource, res.Status, parentsOf)
}

// createResource is POST /aps/2/collections/resources (provider).
func (s *Server) createResource(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := requireProvider(p, "resources"); err != nil {
		s.fail(w, r, err)
		return
	}
	body, doc, err := decodeNew[resourceDoc](r, map[string]any{"status": store.ResourceActive})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var res store.ResourceRecord
	if doc.APS.ID != "" {
		if _, err := uuid.Parse(doc.APS.ID); err != nil {
			s.fail(w, r, problem.Invalid("InvalidField", "aps.id %q is not a UUID", doc.APS.ID))
			return
		}
		res.APSID = strings.ToLower(doc.APS.ID)
	}
	if err := s.resourceFromDoc(r, doc, &res); err != nil {
		s.fail(w, r, err)
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		if err := store.CreateResource(r.Context(), tx, &res.Resource); err != nil {
			return created{}, err
		}
		if res.Status != store.ResourceActive {
			if err := store.UpdateResource(r.Context(), tx, res); err != nil {
				return created{}, err
			}
		}
		if err := audit(r, tx, p.Account.Path, store.AuditCreate, "resource", res.APSID, nil, catalogfile.ResourceItem(res)); err != nil {
			return created{}, err
		}
		return created{Location: "/aps/2/collections/resources/" + res.APSID, Body: toResourceDoc(res)}, nil
	})
}

// updateResource is PUT /aps/2/collections/resources/{id} (provider).
func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) {
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.editResource(w, r, body, store.AuditUpdate)
}

// deactivateResource is DELETE /aps/2/collections/resources/{id}: INACTIVE, so no plan may add
// it; plans that rate it keep selling it.
func (s *Server) deactivateResource(w http.ResponseWriter, r *http.Request) {
	s.editResource(w, r, []byte(`{"status":"INACTIVE"}`), store.AuditDeactivate)
}

func (s *Server) editResource(w http.ResponseWriter, r *http.Request, body []byte, action string) {
	p := principal(r)
	if err := requireProvider(p, "resources"); err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.resource(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		if err := store.LockResource(r.Context(), tx, cur.ID); err != nil {
			return nil, err
		}
		cur, err := s.resource(r)
		if err != nil {
			return nil, err
		}
		doc, err := decodePatch[resourceDoc](toResourceDoc(cur), body)
		if err != nil {
			return nil, err
		}
		if doc.APS.ID != cur.APSID {
			return nil, problem.Invalid("InvalidField", "aps.id cannot change")
		}
		next := cur
		if err := s.resourceFromDoc(r, doc, &next); err != nil {
			return nil, err
		}
		if err := store.UpdateResource(r.Context(), tx, next); err != nil {
			return nil, err
		}
		if err := audit(r, tx, p.Account.Path, action, "resource", next.APSID, catalogfile.ResourceItem(cur),
			catalogfile.ResourceItem(next)); err != nil {
			return nil, err
		}
		return toResourceDoc(next), nil
	})
}

// providerEntity is a kind of entity of the shared catalog that only the provider manages and
// that PUT and DELETE change in place (terms, tax rules, reason codes): what those handlers share.
// D is the document a PUT decodes.
type providerEntity[T, D any] struct {
	what   string                         // in a refusal: "only the provider manages <what>"
	entity string                         // its name in the audit log
	find   func(*http.Request) (T, error) // the entity the path names
	id     func(T) string                 // its id in the audit log
	item   func(T) any                    // its form in the audit log
	toDoc  func(T) any                    // its representation: what GET answers
}

// create answers a POST: build makes the new entity (validated, and refused when it exists) of
// the body, insert stores it and gives it its id; collection is the path its id is added to.
func (k providerEntity[T, D]) create(s *Server, w http.ResponseWriter, r *http.Request, collection string,
	build func(doc D) (T, error), insert func(context.Context, *store.Tx, *T) error) {
	p := principal(r)
	if err := requireProvider(p, k.what); err != nil {
		s.fail(w, r, err)
		return
	}
	body, doc, err := decodeNew[D](r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := build(doc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		if err := insert(r.Context(), tx, &n); err != nil {
			return created{}, err
		}
		if err := audit(r, tx, p.Account.Path, store.AuditCreate, k.entity, k.id(n), nil, k.item(n)); err != nil {
			return created{}, err
		}
		return created{Location: collection + k.id(n), Body: k.toDoc(n)}, nil
	})
}

// update answers a PUT: next makes the changed entity (validated) of the body merged into the
// representation, put stores it, and the answer is its representation.
func (k providerEntity[T, D]) update(s *Server, w http.ResponseWriter, r *http.Request, next func(cur T, doc D) (T, error),
	put func(context.Context, *store.Tx, T) error) {
	p := principal(r)
	if err := requireProvider(p, k.what); err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := k.find(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		doc, err := decodePatch[D](k.toDoc(cur), body)
		if err != nil {
			return nil, err
		}
		n, err := next(cur, doc)
		if err != nil {
			return nil, err
		}
		if err := put(r.Context(), tx, n); err != nil {
			return nil, err
		}
		if err := audit(r, tx, p.Account.Path, store.AuditUpdate, k.entity, k.id(n), k.item(cur), k.item(n)); err != nil {
			return nil, err
		}
		return k.toDoc(n), nil
	})
}

// remove answers a DELETE: del deletes the entity, in the transaction that records it.
func (k providerEntity[T, D]) remove(s *Server, w http.ResponseWriter, r *http.Request, del func(context.Context, *store.Tx, T) error) {
	p := principal(r)
	if err := requireProvider(p, k.what); err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := k.find(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.deleteAudited(w, r, p.Account.Path, k.entity, k.id(cur), k.item(cur), func(tx *store.Tx) error {
		return del(r.Context(), tx, cur)
	})
}

// termDoc is a terms-and-conditions document.
type termDoc struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Content string `json:"content"`
}

var termSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"id":   {Column: "t.id", Type: rql.String, Sortable: true},
		"name": {Column: "t.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
	},
	DefaultSort: "t.id", Tiebreak: "t.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// listTerms is GET /aps/2/collections/terms (RQL).
func (s *Server) listTerms(w http.ResponseWriter, r *http.Request) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	listDocs(s, w, r, termSchema, store.TermsScopeArgs, s.store.ListTerms, toTermDoc)
}

func toTermDoc(t catalog.Term) termDoc { return termDoc(t) }

func (s *Server) term(r *http.Request) (catalog.Term, error) {
	return pathEntity(r, "terms", s.store.TermByID)
}

// getTerm is GET /aps/2/collections/terms/{id}.
func (s *Server) getTerm(w http.ResponseWriter, r *http.Request) {
	getDoc(s, w, r, s.term, toTermDoc)
}

// createTerm is POST /aps/2/collections/terms (provider); the id is given (plans name it).
func (s *Server) createTerm(w http.ResponseWriter, r *http.Request) {
	s.termKind().create(s, w, r, "/aps/2/collections/terms/", func(doc termDoc) (catalog.Term, error) {
		t := catalog.Term(doc)
		if err := catalogfile.ValidateTerm(t); err != nil {
			return t, err
		}
		if _, err := s.store.TermByID(r.Context(), t.ID); err == nil {
			return t, problem.Conflict("AlreadyExists", "terms %q already exist", t.ID)
		}
		return t, nil
	}, func(ctx context.Context, tx *store.Tx, t *catalog.Term) error { return store.CreateTerm(ctx, tx, *t) })
}

// updateTerm is PUT /aps/2/collections/terms/{id} (provider).
func (s *Server) updateTerm(w http.ResponseWriter, r *http.Request) {
	s.termKind().update(s, w, r, func(cur catalog.Term, doc termDoc) (catalog.Term, error) {
		if doc.ID != cur.ID {
			return cur, problem.Invalid("InvalidField", "id cannot change")
		}
		t := catalog.Term(doc)
		return t, catalogfile.ValidateTerm(t)
	}, store.UpdateTerm)
}

// deleteTerm is DELETE /aps/2/collections/terms/{id} (provider): refused (409) while a plan
// uses the terms.
func (s *Server) deleteTerm(w http.ResponseWriter, r *http.Request) {
	s.termKind().remove(s, w, r, func(ctx context.Context, tx *store.Tx, cur catalog.Term) error {
		err := store.DeleteTerm(ctx, tx, cur.ID)
		if errors.Is(err, store.ErrConflict) {
			return problem.Conflict("TermsInUse", "terms %q are used by service plans; remove them from the plans first", cur.ID)
		}
		return err
	})
}

func (s *Server) termKind() providerEntity[catalog.Term, termDoc] {
	return providerEntity[catalog.Term, termDoc]{what: "terms and conditions", entity: "terms", find: s.term,
		id:    func(t catalog.Term) string { return t.ID },
		item:  func(t catalog.Term) any { return catalogfile.TermItem(t) },
		toDoc: func(t catalog.Term) any { return termDoc(t) }}
}

// taxRuleDoc is a tax rule: a rate (percent) for a tax zone.
type taxRuleDoc struct {
	ID        int64         `json:"id"`
	Zone      string        `json:"zone"`
	Name      string        `json:"name"`
	Rate      money.Decimal `json:"rate"`
	Inclusive bool          `json:"inclusive"`
}

var taxRuleSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"id":        {Column: "t.id", Type: rql.Int, Sortable: true},
		"zone":      {Column: "t.zone", Type: rql.String, Sortable: true},
		"name":      {Column: "t.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"inclusive": {Column: "t.inclusive", Type: rql.Bool},
	},
	DefaultSort: "t.id", Tiebreak: "t.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// listTaxRules is GET /aps/2/collections/tax-rules (RQL).
func (s *Server) listTaxRules(w http.ResponseWriter, r *http.Request) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	listDocs(s, w, r, taxRuleSchema, store.TaxRulesScopeArgs, s.store.ListTaxRules, toTaxRuleDoc)
}

func toTaxRuleDoc(t catalog.TaxRule) taxRuleDoc { return taxRuleDoc(t) }

func (s *Server) taxRule(r *http.Request) (catalog.TaxRule, error) {
	return pathEntityInt(r, "tax rule", s.store.TaxRuleByID)
}

// getTaxRule is GET /aps/2/collections/tax-rules/{id}.
func (s *Server) getTaxRule(w http.ResponseWriter, r *http.Request) {
	getDoc(s, w, r, s.taxRule, toTaxRuleDoc)
}

// createTaxRule is POST /aps/2/collections/tax-rules (provider).
func (s *Server) createTaxRule(w http.ResponseWriter, r *http.Request) {
	s.taxRuleKind().create(s, w, r, "/aps/2/collections/tax-rules/", func(doc taxRuleDoc) (catalog.TaxRule, error) {
		t := catalog.TaxRule(doc)
		return t, catalogfile.ValidateTaxRule(t)
	}, store.CreateTaxRule)
}

// updateTaxRule is PUT /aps/2/collections/tax-rules/{id} (provider). Orders already placed
// keep the taxes they were priced with.
func (s *Server) updateTaxRule(w http.ResponseWriter, r *http.Request) {
	s.taxRuleKind().update(s, w, r, func(cur catalog.TaxRule, doc taxRuleDoc) (catalog.TaxRule, error) {
		doc.ID = cur.ID
		t := catalog.TaxRule(doc)
		return t, catalogfile.ValidateTaxRule(t)
	}, store.UpdateTaxRule)
}

// deleteTaxRule is DELETE /aps/2/collections/tax-rules/{id} (provider).
func (s *Server) deleteTaxRule(w http.ResponseWriter, r *http.Request) {
	s.taxRuleKind().remove(s, w, r, func(ctx context.Context, tx *store.Tx, cur catalog.TaxRule) error {
		return store.DeleteTaxRule(ctx, tx, cur.ID)
	})
}

func (s *Server) taxRuleKind() providerEntity[catalog.TaxRule, taxRuleDoc] {
	return providerEntity[catalog.TaxRule, taxRuleDoc]{what: "tax rules", entity: "tax-rule", find: s.taxRule,
		id:    func(t catalog.TaxRule) string { return idString(t.ID) },
		item:  func(t catalog.TaxRule) any { return catalogfile.TaxRuleItem(t) },
		toDoc: func(t catalog.TaxRule) any { return taxRuleDoc(t) }}
}

// reasonCodeDoc is a reason code as POST and PUT take it (GET's shape).
type reasonCodeDoc struct {
	ReasonID      *int64            `json:"reasonId"`
	Description   map[string]string `json:"description"`
	OperationType string            `json:"operationType"`
}

func (s *Server) reasonCode(r *http.Request) (catalog.ReasonCode, error) {
	return pathEntityInt(r, "reason code", s.store.ReasonCodeByID)
}

// createReasonCode is POST /aps/2/services/order-manager/reasonCodes (provider); without a
// reasonId the next free id is taken.
func (s *Server) createReasonCode(w http.ResponseWriter, r *http.Request) {
	given := false
	s.reasonCodeKind().create(s, w, r, "/aps/2/services/order-manager/reasonCodes/", func(doc reasonCodeDoc) (catalog.ReasonCode, error) {
		c := catalog.ReasonCode{OperationType: strings.ToUpper(doc.OperationType), Description: doc.Description, ID: 1}
		if given = doc.ReasonID != nil; given {
			c.ID = *doc.ReasonID
		}
		if err := catalogfile.ValidateReasonCode(c); err != nil || !given {
			return c, err
		}
		ok, err := s.store.ReasonCodeExists(r.Context(), c.ID)
		if err == nil && ok {
			err = problem.Conflict("AlreadyExists", "reason code %d already exists", c.ID)
		}
		return c, err
	}, func(ctx context.Context, tx *store.Tx, c *catalog.ReasonCode) error {
		if !given {
			id, err := store.NextReasonCodeID(ctx, tx)
			if err != nil {
				return err
			}
			c.ID = id
		}
		return store.CreateReasonCode(ctx, tx, *c)
	})
}

// updateReasonCode is PUT /aps/2/services/order-manager/reasonCodes/{id} (provider).
func (s *Server) updateReasonCode(w http.ResponseWriter, r *http.Request) {
	s.reasonCodeKind().update(s, w, r, func(cur catalog.ReasonCode, doc reasonCodeDoc) (catalog.ReasonCode, error) {
		c := catalog.ReasonCode{ID: cur.ID, OperationType: strings.ToUpper(doc.OperationType), Description: doc.Description}
		return c, catalogfile.ValidateReasonCode(c)
	}, store.UpdateReasonCode)
}

// deleteReasonCode is DELETE /aps/2/services/order-manager/reasonCodes/{id} (provider). Orders
// placed with it keep its id.
func (s *Server) deleteReasonCode(w http.ResponseWriter, r *http.Request) {
	s.reasonCodeKind().remove(s, w, r, func(ctx context.Context, tx *store.Tx, cur catalog.ReasonCode) error {
		return store.DeleteReasonCode(ctx, tx, cur.ID)
	})
}

func (s *Server) reasonCodeKind() providerEntity[catalog.ReasonCode, reasonCodeDoc] {
	return providerEntity[catalog.ReasonCode, reasonCodeDoc]{what: "reason codes", entity: "reason-code", find: s.reasonCode,
		id:    func(c catalog.ReasonCode) string { return idString(c.ID) },
		item:  func(c catalog.ReasonCode) any { return catalogfile.ReasonCodeItem(c) },
		toDoc: func(c catalog.ReasonCode) any { return toReasonCodeJSON(c) }}
}

func toReasonCodeJSON(c catalog.ReasonCode) reasonCodeJSON {
	return reasonCodeJSON{ReasonID: c.ID, Description: c.Description, OperationType: c.OperationType}
}
