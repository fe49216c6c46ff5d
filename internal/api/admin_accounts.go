package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// accountDoc is an account as POST and PUT take it: the shape GET returns, plus the writable
// fields GET does not show.
type accountDoc struct {
	APS         *apsMeta            `json:"aps"`
	Type        account.Type        `json:"type"`
	Status      account.Status      `json:"status"`
	CompanyName string              `json:"companyName"`
	Parent      *apsRef             `json:"parent"`
	Contact     contactJSON         `json:"contact"`
	TaxZone     string              `json:"taxZone"`
	Currency    string              `json:"currency"`
	CanOrder    *bool               `json:"canOrder"`
	Attributes  []account.Attribute `json:"attributes"`
	CreditCheck *creditCheckDoc     `json:"creditCheck,omitempty"`
}

// creditCheckDoc sets an account's credit check (seed 001: plans that require one).
type creditCheckDoc struct {
	Status string `json:"status"`
	Record string `json:"record"`
}

var creditStatuses = []string{order.CreditNoRecord, order.CreditEscalated, order.CreditProcessing, order.CreditDenied, order.CreditApproved}

func (d accountDoc) apply(a *account.Account) error {
	a.Type, a.Status, a.Name = d.Type, d.Status, d.CompanyName
	a.ContactFirst, a.ContactLast, a.Email = d.Contact.FirstName, d.Contact.LastName, d.Contact.Email
	a.TaxZone, a.Currency, a.Attributes = d.TaxZone, d.Currency, d.Attributes
	if d.CanOrder != nil {
		a.CanOrder = *d.CanOrder
	}
	if a.Attributes == nil {
		a.Attributes = []account.Attribute{}
	}
	if c := d.CreditCheck; c != nil {
		c.Status = strings.ToUpper(c.Status)
		if !slices.Contains(creditStatuses, c.Status) {
			return problem.Invalid("InvalidField", "creditCheck.status %q: use one of %s", c.Status, strings.Join(creditStatuses, ", "))
		}
	}
	return nil
}

// createAccount is POST /aps/2/collections/accounts: a reseller or customer below the caller
// (or below parent, an account of the caller's subtree).
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
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
	merged, err := adminMerge(map[string]any{"status": account.Active, "currency": "USD", "canOrder": true}, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var doc accountDoc
	if err := adminDecode(merged, &doc); err != nil {
		s.fail(w, r, err)
		return
	}
	parent := p.Account
	if doc.Parent != nil && doc.Parent.APS.ID != "" {
		if parent, err = s.visibleAccount(r, doc.Parent.APS.ID); err != nil {
			s.fail(w, r, catalogfile.Unknown("parent: no account %q", doc.Parent.APS.ID))
			return
		}
	}
	a := account.Account{TypeCanOrder: true}
	if err := doc.apply(&a); err != nil {
		s.fail(w, r, err)
		return
	}
	if doc.APS != nil && doc.APS.ID != "" {
		if _, err := uuid.Parse(doc.APS.ID); err != nil {
			s.fail(w, r, problem.Invalid("InvalidField", "aps.id %q is not a UUID", doc.APS.ID))
			return
		}
		a.APSID = strings.ToLower(doc.APS.ID)
	}
	if err := catalogfile.ValidateAccount(a, &parent); err != nil {
		s.fail(w, r, err)
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		if err := store.LockAccount(r.Context(), tx, parent.ID); err != nil {
			return created{}, err
		}
		if err := store.CreateAccount(r.Context(), tx, &a, &parent); err != nil {
			return created{}, err
		}
		if c := doc.CreditCheck; c != nil {
			if err := store.SetCreditCheck(r.Context(), tx, a.ID, c.Status, c.Record); err != nil {
				return created{}, err
			}
		}
		if err := audit(r, tx, a.Path, store.AuditCreate, "account", a.APSID, nil, accountAudit(a, doc.CreditCheck)); err != nil {
			return created{}, err
		}
		return created{Location: "/aps/2/collections/accounts/" + a.APSID, Body: toAccountJSON(a)}, nil
	})
}

// accountAudit is an account's audit form: the catalog file's, with the credit check set.
func accountAudit(a account.Account, c *creditCheckDoc) any {
	if c == nil {
		return catalogfile.AccountItem(a)
	}
	return struct {
		catalogfile.Account
		CreditCheck *creditCheckDoc `json:"creditCheck"`
	}{catalogfile.AccountItem(a), c}
}

// updateAccount is PUT /aps/2/collections/accounts/{id}. Its own account's contact details an
// account may change; its status and canOrder flag only the accounts above it.
func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) {
	s.editAccount(w, r, nil)
}

// deactivateAccount is DELETE /aps/2/collections/accounts/{id}: the account is CANCELLED (it
// stays, with its orders and subscriptions; it can no longer order).
func (s *Server) deactivateAccount(w http.ResponseWriter, r *http.Request) {
	s.editAccount(w, r, []byte(`{"status":"CANCELLED"}`))
}

func (s *Server) editAccount(w http.ResponseWriter, r *http.Request, body []byte) {
	p := principal(r)
	if err := requireSeller(p); err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.visibleAccount(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	action := store.AuditDeactivate
	if body == nil {
		action = store.AuditUpdate
		if body, err = adminBody(r); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		if err := store.LockAccount(r.Context(), tx, cur.ID); err != nil {
			return nil, err
		}
		cur, err := s.store.AccountByID(r.Context(), cur.ID)
		if err != nil {
			return nil, err
		}
		base := toAccountJSON(cur)
		base.CanOrder = cur.CanOrder
		merged, err := adminMerge(base, body)
		if err != nil {
			return nil, err
		}
		var doc accountDoc
		if err := adminDecode(merged, &doc); err != nil {
			return nil, err
		}
		a := cur
		if err := doc.apply(&a); err != nil {
			return nil, err
		}
		if err := checkAccountEdit(p, cur, a, doc); err != nil {
			return nil, err
		}
		var parent *account.Account
		if cur.ParentID != 0 {
			pa, err := s.store.AccountByID(r.Context(), cur.ParentID)
			if err != nil {
				return nil, err
			}
			parent = &pa
		}
		if err := catalogfile.ValidateAccount(a, parent); err != nil {
			return nil, err
		}
		if err := store.UpdateAccount(r.Context(), tx, &a); err != nil {
			return nil, err
		}
		if c := doc.CreditCheck; c != nil {
			if err := store.SetCreditCheck(r.Context(), tx, a.ID, c.Status, c.Record); err != nil {
				return nil, err
			}
		}
		if err := audit(r, tx, a.Path, action, "account", a.APSID, catalogfile.AccountItem(cur), accountAudit(a, doc.CreditCheck)); err != nil {
			return nil, err
		}
		return toAccountJSON(a), nil
	})
}

// checkAccountEdit refuses what an update may not do: move an account or change its type (422),
// or change its own standing (403: status and canOrder are set from above).
func checkAccountEdit(p account.Principal, cur, a account.Account, doc accountDoc) error {
	if doc.Parent != nil && doc.Parent.APS.ID != "" && !strings.EqualFold(doc.Parent.APS.ID, cur.ParentAPSID) {
		return problem.Unprocessable("AccountMoved", "an account cannot move to another parent")
	}
	if cur.Type != a.Type {
		return problem.Unprocessable("AccountTypeChanged", "account %s is a %s; its type cannot change", cur.APSID, cur.Type)
	}
	if doc.APS != nil && doc.APS.ID != "" && !strings.EqualFold(doc.APS.ID, cur.APSID) {
		return problem.Invalid("InvalidField", "aps.id cannot change")
	}
	standing := a.Status != cur.Status || a.CanOrder != cur.CanOrder || doc.CreditCheck != nil
	if standing && !isAncestor(p.Account, cur) {
		return forbidden("an account's status, canOrder flag and credit check are set by the accounts above it")
	}
	return nil
}
