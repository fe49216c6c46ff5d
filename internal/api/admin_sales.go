package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// What sellers manage for their own sales: promotions, the delegation of plans to the resellers
// below them with their costs, and the audit log of their subtree.

// promotionDoc is a promotion (promo code) of a vendor.
type promotionDoc struct {
	ID           int64         `json:"id"`
	Vendor       apsRef        `json:"vendor"`
	Code         string        `json:"code"`
	Name         string        `json:"name"`
	DiscountType string        `json:"discountType"`
	Value        money.Decimal `json:"value"`
	OrderTypes   []string      `json:"orderTypes"`
	ServicePlans []apsRef      `json:"servicePlans"`
	ValidFrom    *time.Time    `json:"validFrom,omitempty"`
	ValidTo      *time.Time    `json:"validTo,omitempty"`
	Active       bool          `json:"active"`
}

func toPromotionDoc(p store.PromotionRecord) promotionDoc {
	d := promotionDoc{ID: p.ID, Vendor: apsRef{APS: apsMeta{ID: p.VendorAPSID, Type: typeAccount}}, Code: p.Code, Name: p.Name,
		DiscountType: string(p.Type), Value: p.Value, OrderTypes: nonNil(p.OrderTypes), ServicePlans: []apsRef{},
		ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Active: p.Active}
	for _, id := range p.PlanAPSIDs {
		d.ServicePlans = append(d.ServicePlans, apsRef{APS: apsMeta{ID: id, Type: typePlan}})
	}
	return d
}

var promotionSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"id":            {Column: "pr.id", Type: rql.Int, Sortable: true},
		"code":          {Column: "pr.code", Type: rql.String, Sortable: true},
		"name":          {Column: "pr.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"vendor.aps.id": {Column: "v.aps_id", Type: rql.String},
		"discountType":  {Column: "pr.discount_type", Type: rql.String},
		"active":        {Column: "pr.active", Type: rql.Bool},
	},
	DefaultSort: "pr.id", Tiebreak: "pr.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// listPromotions is GET /aps/2/collections/promotions: those of the caller's subtree (RQL).
func (s *Server) listPromotions(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := requireSeller(p); err != nil {
		s.fail(w, r, err)
		return
	}
	listDocs(s, w, r, promotionSchema, store.PromotionsScopeArgs,
		func(ctx context.Context, lq store.ListQuery) ([]store.PromotionRecord, store.Page, error) {
			return s.store.ListPromotions(ctx, p.Account.Path, lq)
		}, toPromotionDoc)
}

func (s *Server) promotion(r *http.Request) (store.PromotionRecord, error) {
	if err := requireSeller(principal(r)); err != nil {
		return store.PromotionRecord{}, err
	}
	return pathEntityInt(r, "promotion", func(ctx context.Context, id int64) (store.PromotionRecord, error) {
		return s.store.PromotionByID(ctx, principal(r).Account.Path, id)
	})
}

// getPromotion is GET /aps/2/collections/promotions/{id}.
func (s *Server) getPromotion(w http.ResponseWriter, r *http.Request) {
	getDoc(s, w, r, s.promotion, toPromotionDoc)
}

// promotionFromDoc builds a promotion of the document's vendor (an account of the caller's
// subtree that sells) for plans the vendor sells.
func (s *Server) promotionFromDoc(r *http.Request, d promotionDoc, p *store.PromotionRecord) error {
	vendor, err := s.visibleAccount(r, d.Vendor.APS.ID)
	if err != nil {
		return catalogfile.Unknown("vendor: no account %q", d.Vendor.APS.ID)
	}
	if vendor.Type == account.Customer {
		return problem.Invalid("InvalidField", "vendor: %s is a customer; promotions belong to sellers", vendor.APSID)
	}
	p.VendorID, p.VendorAPSID, p.VendorPath = vendor.ID, vendor.APSID, vendor.Path
	p.Code, p.Name, p.Type, p.Value = strings.TrimSpace(d.Code), d.Name, catalog.DiscountType(strings.ToUpper(d.DiscountType)), d.Value
	p.OrderTypes, p.ValidFrom, p.ValidTo, p.Active = nil, d.ValidFrom, d.ValidTo, d.Active
	for _, t := range d.OrderTypes {
		p.OrderTypes = append(p.OrderTypes, strings.ToUpper(t))
	}
	p.PlanAPSIDs = nil
	for _, ref := range d.ServicePlans {
		plan, err := s.store.Plan(r.Context(), ref.APS.ID)
		ok := err == nil && vendor.Type == account.Provider
		if err == nil && !ok {
			ok, err = s.store.CanSell(r.Context(), vendor.ID, plan.ID)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if !ok {
			return catalogfile.Unknown("servicePlans: %q is not a plan %s sells", ref.APS.ID, vendor.Name)
		}
		p.PlanAPSIDs = append(p.PlanAPSIDs, plan.APSID)
	}
	if err := catalogfile.CheckAmount("value", p.Value, false); err != nil {
		return err
	}
	return catalogfile.ValidatePromotion(p.Promotion)
}

// createPromotion is POST /aps/2/collections/promotions (vendor: the caller unless given).
func (s *Server) createPromotion(w http.ResponseWriter, r *http.Request) {
	caller := principal(r)
	if err := requireSeller(caller); err != nil {
		s.fail(w, r, err)
		return
	}
	body, doc, err := decodeNew[promotionDoc](r, map[string]any{"active": true, "vendor": apsRef{APS: apsMeta{ID: caller.Account.APSID}}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var p store.PromotionRecord
	if err := s.promotionFromDoc(r, doc, &p); err != nil {
		s.fail(w, r, err)
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		if err := store.CreatePromotion(r.Context(), tx, &p.Promotion); err != nil {
			return created{}, err
		}
		if err := audit(r, tx, p.VendorPath, store.AuditCreate, "promotion", idString(p.ID), nil, catalogfile.PromotionItem(p)); err != nil {
			return created{}, err
		}
		return created{Location: "/aps/2/collections/promotions/" + idString(p.ID), Body: toPromotionDoc(p)}, nil
	})
}

// updatePromotion is PUT /aps/2/collections/promotions/{id}.
func (s *Server) updatePromotion(w http.ResponseWriter, r *http.Request) {
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.editPromotion(w, r, body, store.AuditUpdate)
}

// deactivatePromotion is DELETE /aps/2/collections/promotions/{id}: active false (orders with
// the code get "promotion inactive"; placed orders keep their discount).
func (s *Server) deactivatePromotion(w http.ResponseWriter, r *http.Request) {
	s.editPromotion(w, r, []byte(`{"active":false}`), store.AuditDeactivate)
}

func (s *Server) editPromotion(w http.ResponseWriter, r *http.Request, body []byte, action string) {
	cur, err := s.promotion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		doc, err := decodePatch[promotionDoc](toPromotionDoc(cur), body)
		if err != nil {
			return nil, err
		}
		next := cur
		if err := s.promotionFromDoc(r, doc, &next); err != nil {
			return nil, err
		}
		next.ID = cur.ID
		if err := store.UpdatePromotion(r.Context(), tx, &next.Promotion); err != nil {
			return nil, err
		}
		if err := audit(r, tx, next.VendorPath, action, "promotion", idString(next.ID), catalogfile.PromotionItem(cur),
			catalogfile.PromotionItem(next)); err != nil {
			return nil, err
		}
		return toPromotionDoc(next), nil
	})
}

// delegationDoc is a plan delegated to a reseller with the reseller's cost: a percent off the
// parent's prices (costRule PERCENT, costPercent) or explicit costs (EXPLICIT, explicitCosts).
type delegationDoc struct {
	Plan          apsRef                 `json:"plan"`
	PlanName      string                 `json:"planName,omitempty"`
	Reseller      apsRef                 `json:"reseller"`
	CostRule      catalog.CostRule       `json:"costRule"`
	CostPercent   *money.Decimal         `json:"costPercent,omitempty"`
	ExplicitCosts *catalog.ExplicitCosts `json:"explicitCosts,omitempty"`
}

func toDelegationDoc(d store.DelegationRecord) delegationDoc {
	doc := delegationDoc{Plan: apsRef{APS: apsMeta{ID: d.PlanAPSID, Type: typePlan}}, PlanName: d.PlanName,
		Reseller: apsRef{APS: apsMeta{ID: d.ResellerAPS, Type: typeAccount}}, CostRule: d.Rule}
	if d.Rule == catalog.CostPercent {
		pct := d.Percent
		doc.CostPercent = &pct
	} else {
		costs := d.Explicit
		doc.ExplicitCosts = &costs
	}
	return doc
}

var delegationSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"plan.aps.id": {Column: "p.aps_id", Type: rql.String},
		"planName":    {Column: "p.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"costRule":    {Column: "d.cost_rule", Type: rql.String},
	},
	DefaultSort: "d.plan_id", Tiebreak: "d.plan_id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// listDelegations is GET /aps/2/collections/accounts/{id}/delegations: the plans delegated to
// the reseller, with its costs (RQL). A reseller reads its own; another's is not found.
func (s *Server) listDelegations(w http.ResponseWriter, r *http.Request) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.visibleAccount(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The reseller's id is one more fixed argument after the collection's own.
	lq, _, err := s.listQuery(r, delegationSchema, store.DelegationsScopeArgs+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	where := "r.id = $" + strconv.Itoa(store.DelegationsScopeArgs+1)
	if lq.Where != "" {
		where += " AND (" + lq.Where + ")"
	}
	lq.Where, lq.Args = where, append([]any{a.ID}, lq.Args...)
	ds, page, err := s.store.ListDelegations(r.Context(), a.Path, lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]delegationDoc, len(ds))
	for i, d := range ds {
		out[i] = toDelegationDoc(d)
	}
	writeList(w, lq, page, out)
}

// delegationTarget reads the reseller and plan of a delegation route: the reseller must be
// visible and the plan one the caller sees (404 otherwise).
func (s *Server) delegationTarget(r *http.Request) (account.Account, *catalog.Plan, error) {
	if err := requireSeller(principal(r)); err != nil {
		return account.Account{}, nil, err
	}
	a, err := s.visibleAccount(r, pathID(r, "id"))
	if err != nil {
		return a, nil, err
	}
	p, err := s.store.Plan(r.Context(), pathID(r, "planId"))
	if errors.Is(err, store.ErrNotFound) {
		return a, nil, notFound("service plan", pathID(r, "planId"))
	}
	if err == nil {
		err = s.canSeePlan(r, p)
	}
	return a, p, err
}

// getDelegation is GET /aps/2/collections/accounts/{id}/delegations/{planId}.
func (s *Server) getDelegation(w http.ResponseWriter, r *http.Request) {
	a, p, err := s.delegationTarget(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.store.DelegationOf(r.Context(), p.ID, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		err = notFound("delegation of plan", p.APSID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toDelegationDoc(d))
}

// costSetter refuses a caller that is not above the reseller: only its ancestors set a
// reseller's cost.
func costSetter(p account.Principal, reseller account.Account) error {
	if !isAncestor(p.Account, reseller) {
		return forbidden("a reseller's cost is set by the accounts above it, never by the reseller itself")
	}
	return nil
}

// putDelegation is PUT /aps/2/collections/accounts/{id}/delegations/{planId}: delegate the plan
// to the reseller, or change its cost. Only the reseller's ancestors may; the reseller's parent
// must sell the plan.
func (s *Server) putDelegation(w http.ResponseWriter, r *http.Request) {
	caller := principal(r)
	a, p, err := s.delegationTarget(r)
	if err == nil {
		err = costSetter(caller, a)
	}
	if err == nil && a.Type != account.Reseller {
		err = problem.Unprocessable("NotAReseller", "account %s is a %s: plans are delegated to resellers", a.APSID, a.Type)
	}
	var body []byte
	if err == nil {
		body, err = adminBody(r)
	}
	if err == nil {
		var ok bool
		if ok, err = s.store.CanSell(r.Context(), a.ParentID, p.ID); err == nil && !ok {
			err = problem.Unprocessable("PlanNotDelegable", "the reseller's parent neither owns nor resells plan %q", p.Name)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var doc delegationDoc
	if err := adminDecode(body, &doc); err != nil {
		s.fail(w, r, err)
		return
	}
	d := catalog.Delegation{PlanID: p.ID, ResellerID: a.ID, PlanAPSID: p.APSID, ResellerAPS: a.APSID,
		Rule: catalog.CostRule(strings.ToUpper(string(doc.CostRule)))}
	if d.Rule == "" && doc.ExplicitCosts != nil {
		d.Rule = catalog.CostExplicit
	} else if d.Rule == "" {
		d.Rule = catalog.CostPercent
	}
	switch {
	case d.Rule == catalog.CostPercent && doc.CostPercent == nil:
		s.fail(w, r, problem.Invalid("InvalidField", "costPercent is required with costRule PERCENT"))
		return
	case d.Rule == catalog.CostPercent:
		d.Percent = *doc.CostPercent
	case doc.ExplicitCosts != nil:
		d.Explicit = *doc.ExplicitCosts
	}
	if err := catalogfile.ValidateDelegation(d, p); err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	var out delegationDoc
	err = s.store.InTx(r.Context(), func(tx *store.Tx) error {
		if err := store.LockPlan(r.Context(), tx, p.ID); err != nil {
			return err
		}
		cur, err := s.store.DelegationOf(r.Context(), p.ID, a.ID)
		var before any
		action := store.AuditCreate
		status = http.StatusCreated
		if err == nil {
			before, action, status = catalogfile.DelegationItem(cur), store.AuditUpdate, http.StatusOK
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := store.PutDelegation(r.Context(), tx, d); err != nil {
			return err
		}
		rec := store.DelegationRecord{Delegation: d, PlanName: p.Name, ResellerPath: a.Path}
		out = toDelegationDoc(rec)
		return audit(r, tx, a.Path, action, "delegation", p.APSID+"/"+a.APSID, before, catalogfile.DelegationItem(rec))
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

// deleteDelegation is DELETE /aps/2/collections/accounts/{id}/delegations/{planId}: the
// reseller (and the resellers below it) no longer sell the plan; subscriptions stay.
func (s *Server) deleteDelegation(w http.ResponseWriter, r *http.Request) {
	a, p, err := s.delegationTarget(r)
	if err == nil {
		err = costSetter(principal(r), a)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.store.DelegationOf(r.Context(), p.ID, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		err = notFound("delegation of plan", p.APSID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.deleteAudited(w, r, a.Path, "delegation", p.APSID+"/"+a.APSID, catalogfile.DelegationItem(cur), func(tx *store.Tx) error {
		return store.DeleteDelegation(r.Context(), tx, p.ID, a)
	})
}

// auditDoc is an entry of the audit log.
type auditDoc struct {
	ID    int64     `json:"id"`
	Time  time.Time `json:"time"`
	Actor struct {
		Account *apsRef `json:"account,omitempty"`
		TokenID int64   `json:"tokenId,omitempty"`
		Name    string  `json:"name"`
	} `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entityId"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

var auditSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"id":            {Column: "l.id", Type: rql.Int, Sortable: true},
		"time":          {Column: "l.created_at", Type: rql.Time, Sortable: true},
		"action":        {Column: "l.action", Type: rql.String},
		"entity":        {Column: "l.entity", Type: rql.String},
		"entityId":      {Column: "l.entity_id", Type: rql.String},
		"actor.aps.id":  {Column: "a.aps_id", Type: rql.String},
		"actor.tokenId": {Column: "l.actor_token_id", Type: rql.Int},
	},
	DefaultSort: "l.id", Tiebreak: "l.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// listAudit is GET /aps/2/collections/audit-log: the management changes of the caller's
// subtree, oldest first unless sorted (RQL).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	listDocs(s, w, r, auditSchema, store.AuditScopeArgs,
		func(ctx context.Context, lq store.ListQuery) ([]store.AuditEntry, store.Page, error) {
			return s.store.ListAudit(ctx, principal(r).Account.Path, lq)
		}, toAuditDoc)
}

func toAuditDoc(e store.AuditEntry) auditDoc {
	d := auditDoc{ID: e.ID, Time: e.Time, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		Before: e.Before, After: e.After}
	if d.Before == nil {
		d.Before = json.RawMessage("null")
	}
	if d.After == nil {
		d.After = json.RawMessage("null")
	}
	if e.Actor.AccountAPSID != "" {
		d.Actor.Account = &apsRef{APS: apsMeta{ID: e.Actor.AccountAPSID, Type: typeAccount}}
	}
	d.Actor.TokenID, d.Actor.Name = e.Actor.TokenID, e.Actor.Label
	return d
}
