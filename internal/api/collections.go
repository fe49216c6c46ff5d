package api

import (
	"net/http"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// Page sizes of every list (documented in README).
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

var accountSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"id":            {Column: "a.id", Type: rql.Int, Sortable: true},
		"aps.id":        {Column: "a.aps_id", Type: rql.String},
		"type":          {Column: "a.type", Type: rql.String, Sortable: true},
		"status":        {Column: "a.status", Type: rql.String, Sortable: true},
		"companyName":   {Column: "a.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"parent.aps.id": {Column: "p.aps_id", Type: rql.String},
		"taxZone":       {Column: "a.tax_zone", Type: rql.String},
		"currency":      {Column: "a.currency", Type: rql.String},
		"creationTime":  {Column: "a.created_at", Type: rql.Time, Sortable: true},
	},
	DefaultSort: "a.id", Tiebreak: "a.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	lq, _, err := s.listQuery(r, accountSchema, store.AccountsScopeArgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	accounts, page, err := s.store.ListAccounts(r.Context(), principal(r).Account.Path, lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]accountJSON, len(accounts))
	for i, a := range accounts {
		out[i] = toAccountJSON(a)
	}
	writeList(w, lq, page, out)
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	a, err := s.visibleAccount(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAccountJSON(a))
}

var planSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"aps.id":                   {Column: "p.aps_id", Type: rql.String},
		"name":                     {Column: "p.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"name.en_US":               {Column: "p.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"status":                   {Column: "p.status", Type: rql.String},
		"serviceType":              {Column: "p.service_type", Type: rql.String},
		"billingTerms.period.unit": {Column: "p.billing_unit", Type: rql.String},
		"creationTime":             {Column: "p.created_at", Type: rql.Time, Sortable: true},
	},
	DefaultSort: "p.id", Tiebreak: "p.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

// sellerOf is whose plans a caller sees: all for the provider, its own offer for a reseller,
// its vendor's offer for a customer.
func sellerOf(a account.Account) int64 {
	switch a.Type {
	case account.Provider:
		return 0
	case account.Reseller:
		return a.ID
	}
	return a.ParentID
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) {
	lq, _, err := s.listQuery(r, planSchema, store.PlansScopeArgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plans, page, err := s.store.ListPlans(r.Context(), sellerOf(principal(r).Account), lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]planJSON, len(plans))
	for i, p := range plans {
		out[i] = toPlanJSON(p)
	}
	writeList(w, lq, page, out)
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) {
	p, err := s.store.Plan(r.Context(), r.PathValue("id"))
	if err == nil {
		if seller := sellerOf(principal(r).Account); seller != 0 {
			ok, cerr := s.store.CanSell(r.Context(), seller, p.ID)
			if err = cerr; err == nil && !ok {
				err = store.ErrNotFound
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPlanJSON(p))
}

var subscriptionSchema = &rql.Schema{
	Fields: map[string]rql.Field{
		"aps.id":           {Column: "s.aps_id", Type: rql.String},
		"subscriptionId":   {Column: "s.id", Type: rql.Int, Sortable: true},
		"account.aps.id":   {Column: "a.aps_id", Type: rql.String},
		"plan.aps.id":      {Column: "p.aps_id", Type: rql.String},
		"name":             {Column: "s.name", Type: rql.String, Ops: rql.OpsEquality | rql.OpLike, Sortable: true},
		"status":           {Column: "s.status", Type: rql.String, Sortable: true},
		"serviceStatus":    {Column: "s.service_status", Type: rql.String},
		"autoRenewEnabled": {Column: "s.autorenew_enabled", Type: rql.Bool},
		"trial":            {Column: "s.trial", Type: rql.Bool},
		"startDate":        {Column: "s.start_date", Type: rql.Time, Sortable: true},
		"expirationDate":   {Column: "s.expiration_date", Type: rql.Time, Sortable: true},
		"nextBillDate":     {Column: "s.next_bill_date", Type: rql.Time, Sortable: true},
	},
	DefaultSort: "s.id", Tiebreak: "s.id", DefaultLimit: DefaultPageSize, MaxLimit: MaxPageSize,
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	lq, _, err := s.listQuery(r, subscriptionSchema, store.SubscriptionsScopeArgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	subs, page, err := s.store.ListSubscriptions(r.Context(), principal(r).Account.Path, lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]subscriptionJSON, len(subs))
	for i, sub := range subs {
		out[i] = toSubscriptionJSON(sub)
	}
	writeList(w, lq, page, out)
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) {
	sub, err := s.store.Subscription(r.Context(), r.PathValue("id"))
	if err == nil {
		_, err = s.visibleAccount(r, sub.AccountAPSID)
	}
	if err != nil {
		s.fail(w, r, problem.NotFound("subscription %q not found", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, toSubscriptionJSON(sub))
}

// listPaymentMethods answers paymentMethods?accountId=<aps id> (the caller's own account when
// absent): the methods the account may pay with.
func (s *Server) listPaymentMethods(w http.ResponseWriter, r *http.Request) {
	a := principal(r).Account
	if id := r.URL.Query().Get("accountId"); id != "" {
		var err error
		if a, err = s.visibleAccount(r, id); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	methods, err := s.store.PaymentMethods(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]paymentMethodJSON, len(methods))
	for i, m := range methods {
		out[i] = toPaymentMethodJSON(m)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listReasonCodes(w http.ResponseWriter, r *http.Request) {
	op := r.URL.Query().Get("operationType")
	codes, err := s.store.ReasonCodes(r.Context(), op)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]reasonCodeJSON, len(codes))
	for i, c := range codes {
		out[i] = reasonCodeJSON{ReasonID: c.ID, Description: c.Description, OperationType: c.OperationType}
	}
	writeJSON(w, http.StatusOK, out)
}

type reasonCodeJSON struct {
	ReasonID      int64             `json:"reasonId"`
	Description   map[string]string `json:"description"`
	OperationType string            `json:"operationType"`
}
