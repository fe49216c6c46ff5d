package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Service plans: POST /aps/2/collections/service-plans, PUT and DELETE …/{id}. The provider and
// resellers own plans; an account changes the plans it or an account below it owns, and sees
// (404 otherwise) the plans it may sell. Changing a plan's content makes a new version; orders
// keep the lines they were priced with, and deactivating a plan (DELETE: status INACTIVE) stops
// new sales only.

// localized is a name as the seed writes it, {"en_US": "Cloud VPSes"}, or a plain string.
type localized string

func (l *localized) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = localized(s)
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: nil}
	}
	if v, ok := m["en_US"]; ok {
		*l = localized(v)
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		*l = localized(m[keys[0]])
	}
	return nil
}

type priceDoc struct {
	Price *struct {
		Value json.RawMessage `json:"value"`
	} `json:"price"`
	ChargePerUnit *bool `json:"chargePerUnit"`
}

// amount reads a fee ("" and absent are 0).
func (p *priceDoc) amount(field string) (money.Decimal, error) {
	if p == nil || p.Price == nil || len(p.Price.Value) == 0 || string(p.Price.Value) == `""` || string(p.Price.Value) == "null" {
		return money.Zero, nil
	}
	var d money.Decimal
	if err := d.UnmarshalJSON(p.Price.Value); err != nil {
		return d, problem.Invalid("InvalidField", "%s: %s is not a decimal number", field, p.Price.Value)
	}
	return d, catalogfile.CheckAmount(field, d, false)
}

type planPeriodDoc struct {
	AutoRenewalPeriod      catalog.Period `json:"autoRenewalPeriod"`
	NumberOfBillingPeriods int            `json:"numberOfBillingPeriods"`
	Trial                  bool           `json:"trial"`
	DefaultPeriod          bool           `json:"defaultPeriod"`
	Fees                   struct {
		Setup, Recurring, Renewal, Transfer, Deposit *priceDoc
	} `json:"fees"`
	Refund struct {
		Type string `json:"type"`
		Days int    `json:"days"`
	} `json:"refund"`
}

type planRateDoc struct {
	ResourceID string `json:"resourceId"`
	Units      struct {
		Included *money.Decimal `json:"included"`
		Min      *money.Decimal `json:"min"`
		Max      *money.Decimal `json:"max"`
	} `json:"units"`
	Fees struct {
		Setup, Recurring, Overuse *priceDoc
	} `json:"fees"`
}

// planDoc is a plan as POST and PUT take it: the shape GET returns, plus currency and
// uniqueServiceIdentifier.
type planDoc struct {
	APS          *apsMeta  `json:"aps"`
	Name         localized `json:"name"`
	Description  localized `json:"description"`
	Status       string    `json:"status"`
	ServiceType  string    `json:"serviceType"`
	Currency     string    `json:"currency"`
	BillingTerms struct {
		PricingModel string         `json:"pricingModel"`
		Period       catalog.Period `json:"period"`
		Autorenewal  struct {
			Days int    `json:"days"`
			Type string `json:"type"`
		} `json:"autorenewal"`
		Model                string `json:"model"`
		RecurringPricesEvery string `json:"recurringPricesEvery"`
	} `json:"billingTerms"`
	SubscriptionPeriods     []planPeriodDoc `json:"subscriptionPeriods"`
	ResourceRates           []planRateDoc   `json:"resourceRates"`
	ServiceTerms            []string        `json:"serviceTerms"`
	Upsells                 []apsRef        `json:"upsells"`
	ActivationParameters    []string        `json:"activationParameters"`
	RequiresCreditCheck     bool            `json:"requiresCreditCheck"`
	UniqueServiceIdentifier bool            `json:"uniqueServiceIdentifier"`
}

// planBase is the representation a PUT merges into: GET's, with the fields GET does not show.
func planBase(p *catalog.Plan) map[string]any {
	b, _ := json.Marshal(toPlanJSON(p))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["currency"], m["uniqueServiceIdentifier"] = p.Currency, p.UniqueIdentifier
	return m
}

// plan turns the document into a plan owned by owner, resolving resources, terms and upsells.
func (s *Server) planFromDoc(r *http.Request, d planDoc, p *catalog.Plan) error {
	p.Name, p.Description, p.Status, p.ServiceType = strings.TrimSpace(string(d.Name)), string(d.Description), d.Status, d.ServiceType
	p.Currency, p.RequiresCreditCheck, p.UniqueIdentifier = d.Currency, d.RequiresCreditCheck, d.UniqueServiceIdentifier
	p.ActivationParams = d.ActivationParameters
	b := d.BillingTerms
	p.Billing = catalog.BillingTerms{PricingModel: b.PricingModel, Period: b.Period, AutoRenewalType: b.Autorenewal.Type,
		AutoRenewalDays: b.Autorenewal.Days, Model: b.Model, RecurringPricesEvery: b.RecurringPricesEvery}
	catalogfile.FillBilling(&p.Billing)
	p.Periods = nil
	for _, pd := range d.SubscriptionPeriods {
		sp := catalog.SubscriptionPeriod{Period: pd.AutoRenewalPeriod, BillingPeriods: pd.NumberOfBillingPeriods,
			Trial: pd.Trial, Default: pd.DefaultPeriod, Refund: catalog.Refund{Type: pd.Refund.Type, Days: pd.Refund.Days}}
		if sp.BillingPeriods == 0 {
			sp.BillingPeriods = catalogfile.DefaultBillingPeriods(sp.Period, p.Billing.Period)
		}
		if sp.Refund.Type == "" {
			sp.Refund.Type = "PRORATED"
		}
		field := "subscriptionPeriods " + sp.Period.String() + " fees."
		for _, f := range []struct {
			name string
			doc  *priceDoc
			dst  *money.Decimal
		}{{"setup", pd.Fees.Setup, &sp.Fees.Setup}, {"recurring", pd.Fees.Recurring, &sp.Fees.Recurring},
			{"renewal", pd.Fees.Renewal, &sp.Fees.Renewal}, {"transfer", pd.Fees.Transfer, &sp.Fees.Transfer},
			{"deposit", pd.Fees.Deposit, &sp.Fees.Deposit}} {
			v, err := f.doc.amount(field + f.name)
			if err != nil {
				return err
			}
			*f.dst = v
		}
		p.Periods = append(p.Periods, sp)
	}
	if err := s.planRates(r, d.ResourceRates, p); err != nil {
		return err
	}
	p.TermIDs = d.ServiceTerms
	if len(p.TermIDs) > 0 {
		ts, err := s.store.Terms(r.Context(), p.TermIDs)
		if err != nil {
			return err
		}
		if len(ts) != len(p.TermIDs) {
			return catalogfile.Unknown("serviceTerms: unknown terms among %v", p.TermIDs)
		}
	}
	p.ChildPlanAPSIDs = nil
	for _, u := range d.Upsells {
		child, err := s.store.Plan(r.Context(), u.APS.ID)
		if err == nil {
			err = s.canSeePlan(r, child)
		}
		if err != nil {
			return catalogfile.Unknown("upsells: no service plan %q", u.APS.ID)
		}
		p.ChildPlanAPSIDs = append(p.ChildPlanAPSIDs, child.APSID)
	}
	return catalogfile.ValidatePlan(p)
}

func (s *Server) planRates(r *http.Request, docs []planRateDoc, p *catalog.Plan) error {
	p.Rates = nil
	for _, rd := range docs {
		res, err := s.store.ResourceByAPSID(r.Context(), rd.ResourceID)
		if errors.Is(err, store.ErrNotFound) {
			return catalogfile.Unknown("resourceRates: no resource %q", rd.ResourceID)
		}
		if err != nil {
			return err
		}
		rate := catalog.ResourceRate{ResourceID: res.ID, ResourceAPSID: res.APSID, ResourceName: res.Name, Unit: res.Unit,
			Max: catalog.Unlimited, ChargePerUnit: true}
		for _, u := range []struct {
			v   *money.Decimal
			dst *money.Decimal
		}{{rd.Units.Included, &rate.Included}, {rd.Units.Min, &rate.Min}, {rd.Units.Max, &rate.Max}} {
			if u.v != nil {
				*u.dst = *u.v
			}
		}
		if rd.Units.Max != nil && rd.Units.Max.Sign() < 0 {
			rate.Max = catalog.Unlimited
		}
		field := "resourceRates " + res.APSID + " fees."
		for _, f := range []struct {
			name string
			doc  *priceDoc
			dst  *money.Decimal
		}{{"setup", rd.Fees.Setup, &rate.SetupFee}, {"recurring", rd.Fees.Recurring, &rate.RecurringFee},
			{"overuse", rd.Fees.Overuse, &rate.OveruseFee}} {
			v, err := f.doc.amount(field + f.name)
			if err != nil {
				return err
			}
			*f.dst = v
		}
		if rd.Fees.Recurring != nil && rd.Fees.Recurring.ChargePerUnit != nil {
			rate.ChargePerUnit = *rd.Fees.Recurring.ChargePerUnit
		}
		if res.Status != store.ResourceActive {
			if _, had := p.FindRate(res.APSID); !had {
				return problem.Unprocessable("ResourceInactive", "resource %q is inactive: it cannot be added to plans", res.Name)
			}
		}
		p.Rates = append(p.Rates, rate)
	}
	return nil
}

// canSeePlan is nil when the caller may see the plan: it sells it, or owns it through an
// account of its subtree; else the plan is not found.
func (s *Server) canSeePlan(r *http.Request, p *catalog.Plan) error {
	caller := principal(r).Account
	if caller.Type == account.Provider {
		return nil
	}
	if seller := sellerOf(caller); seller != 0 {
		ok, err := s.store.CanSell(r.Context(), seller, p.ID)
		if err != nil || ok {
			return err
		}
	}
	owner, err := s.store.AccountByID(r.Context(), p.OwnerID)
	if err == nil && caller.Contains(owner) {
		return nil
	}
	return notFound("service plan", p.APSID)
}

// managedPlan reads a plan the caller may change: owned by the caller or an account below it.
// A plan the caller sees but does not own (one delegated to it) is a 403.
func (s *Server) managedPlan(r *http.Request, apsID string) (*catalog.Plan, account.Account, error) {
	p, err := s.store.Plan(r.Context(), apsID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, account.Account{}, notFound("service plan", apsID)
	}
	if err != nil {
		return nil, account.Account{}, err
	}
	if err := s.canSeePlan(r, p); err != nil {
		return nil, account.Account{}, err
	}
	owner, err := s.store.AccountByID(r.Context(), p.OwnerID)
	if err != nil {
		return nil, owner, err
	}
	if !principal(r).Account.Contains(owner) {
		return nil, owner, forbidden("service plan %q belongs to %q: a reseller changes only its own plans", p.Name, owner.Name)
	}
	return p, owner, nil
}

// createPlan is POST /aps/2/collections/service-plans: a plan owned by the caller.
func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := requireSeller(p); err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	merged, err := adminMerge(map[string]any{"status": catalogfile.PlanActive, "currency": p.Account.Currency}, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var doc planDoc
	if err := adminDecode(merged, &doc); err != nil {
		s.fail(w, r, err)
		return
	}
	plan := &catalog.Plan{OwnerID: p.Account.ID, Version: 1}
	if doc.APS != nil && doc.APS.ID != "" {
		if _, err := uuid.Parse(doc.APS.ID); err != nil {
			s.fail(w, r, problem.Invalid("InvalidField", "aps.id %q is not a UUID", doc.APS.ID))
			return
		}
		plan.APSID = strings.ToLower(doc.APS.ID)
	}
	if err := s.planFromDoc(r, doc, plan); err != nil {
		s.fail(w, r, err)
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		if err := store.CreatePlan(r.Context(), tx, plan); err != nil {
			return created{}, err
		}
		item := catalogfile.PlanItem(plan, p.Account.APSID)
		if err := store.SavePlanVersion(r.Context(), tx, plan.ID, plan.Version, item); err != nil {
			return created{}, err
		}
		if err := audit(r, tx, p.Account.Path, store.AuditCreate, "service-plan", plan.APSID, nil, item); err != nil {
			return created{}, err
		}
		return created{Location: "/aps/2/collections/service-plans/" + plan.APSID, Body: toPlanJSON(plan)}, nil
	})
}

// updatePlan is PUT /aps/2/collections/service-plans/{id}.
func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request) {
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.editPlan(w, r, body, store.AuditUpdate)
}

// deactivatePlan is DELETE /aps/2/collections/service-plans/{id}: status INACTIVE. New orders
// are refused; subscriptions keep renewing and changing.
func (s *Server) deactivatePlan(w http.ResponseWriter, r *http.Request) {
	s.editPlan(w, r, []byte(`{"status":"INACTIVE"}`), store.AuditDeactivate)
}

func (s *Server) editPlan(w http.ResponseWriter, r *http.Request, body []byte, action string) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	cur, owner, err := s.managedPlan(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		if err := store.LockPlan(r.Context(), tx, cur.ID); err != nil {
			return nil, err
		}
		cur, err := s.store.Plan(r.Context(), cur.APSID)
		if err != nil {
			return nil, err
		}
		merged, err := adminMerge(planBase(cur), body)
		if err != nil {
			return nil, err
		}
		var doc planDoc
		if err := adminDecode(merged, &doc); err != nil {
			return nil, err
		}
		if doc.APS != nil && doc.APS.ID != "" && !strings.EqualFold(doc.APS.ID, cur.APSID) {
			return nil, problem.Invalid("InvalidField", "aps.id cannot change")
		}
		next := *cur
		if err := s.planFromDoc(r, doc, &next); err != nil {
			return nil, err
		}
		before, after := catalogfile.PlanItem(cur, owner.APSID), catalogfile.PlanItem(&next, owner.APSID)
		if catalogfile.ContentChanged(before, after) {
			next.Version = cur.Version + 1
		}
		if err := store.UpdatePlan(r.Context(), tx, &next); err != nil {
			return nil, err
		}
		if err := store.SavePlanVersion(r.Context(), tx, next.ID, next.Version, after); err != nil {
			return nil, err
		}
		if err := audit(r, tx, owner.Path, action, "service-plan", next.APSID, before, after); err != nil {
			return nil, err
		}
		return toPlanJSON(&next), nil
	})
}

type planVersionDoc struct {
	Version      int             `json:"version"`
	CreationTime timestamp       `json:"creationTime"`
	Content      json.RawMessage `json:"content"`
}

// listPlanVersions is GET /aps/2/collections/service-plans/{id}/versions: every recorded
// version of the plan's content (in the catalog file's form), oldest first.
func (s *Server) listPlanVersions(w http.ResponseWriter, r *http.Request) {
	if err := requireSeller(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.store.Plan(r.Context(), pathID(r, "id"))
	if err == nil {
		err = s.canSeePlan(r, p)
	} else if errors.Is(err, store.ErrNotFound) {
		err = notFound("service plan", pathID(r, "id"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vs, err := s.store.PlanVersions(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]planVersionDoc, len(vs))
	for i, v := range vs {
		out[i] = planVersionDoc{Version: v.Version, CreationTime: timestamp(v.CreatedAt), Content: v.Content}
	}
	writeJSON(w, http.StatusOK, out)
}
