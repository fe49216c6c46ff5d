package api

import (
	"net/http"
	"strconv"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Payment methods of an account: /aps/2/collections/accounts/{id}/paymentMethods. Every account
// manages its own (a customer manages nothing else); an account above manages them too. A
// seller's method with perCustomer false is offered to all its customers.

// paymentMethodDoc is a payment method as POST and PUT take it (the shape of the
// payment-method-manager list).
type paymentMethodDoc struct {
	PaymentSystemID string              `json:"paymentSystemId"`
	PaymentSystem   string              `json:"paymentSystem"`
	Number          *string             `json:"number"`
	Name            string              `json:"name"`
	Type            account.PaymentType `json:"type"`
	PerCustomer     *bool               `json:"perCustomer"`
	Status          string              `json:"status"`
	Ratified        string              `json:"ratified"`
	DefaultMethod   bool                `json:"defaultMethod"`
}

func (d paymentMethodDoc) apply(m *account.PaymentMethod) {
	m.PaymentSystemID, m.PaymentSystem, m.Name, m.Type = d.PaymentSystemID, d.PaymentSystem, d.Name, d.Type
	m.Status, m.Ratified, m.Default = d.Status, d.Ratified, d.DefaultMethod
	if d.Number != nil {
		m.Number = *d.Number
	}
	if m.PaymentSystem == "" {
		m.PaymentSystem = m.PaymentSystemID
	}
	if m.Ratified == "" {
		m.Ratified = "NOT_REQUIRED"
	}
}

// methodScope is the account path a method's changes are audited under: its owner's, or its
// vendor's for a shared method.
func methodScope(owner, vendor account.Account, m account.PaymentMethod) string {
	if m.OwnerAccountID != 0 {
		return owner.Path
	}
	return vendor.Path
}

// listAccountPaymentMethods is GET …/accounts/{id}/paymentMethods: the methods the account
// manages (its own, and for a seller the ones it offers its customers), inactive ones included.
func (s *Server) listAccountPaymentMethods(w http.ResponseWriter, r *http.Request) {
	a, err := s.visibleAccount(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ms, err := s.store.OwnPaymentMethods(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]paymentMethodJSON, len(ms))
	for i, m := range ms {
		out[i] = toPaymentMethodJSON(m.PaymentMethod)
	}
	writeJSON(w, http.StatusOK, out)
}

// addPaymentMethod is POST …/accounts/{id}/paymentMethods.
func (s *Server) addPaymentMethod(w http.ResponseWriter, r *http.Request) {
	a, err := s.visibleAccount(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	merged, err := adminMerge(map[string]any{"status": catalogfile.MethodActive, "perCustomer": a.Type == account.Customer}, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var doc paymentMethodDoc
	if err := adminDecode(merged, &doc); err != nil {
		s.fail(w, r, err)
		return
	}
	m := account.PaymentMethod{}
	doc.apply(&m)
	vendor := a
	if *doc.PerCustomer {
		if a.ParentID == 0 {
			s.fail(w, r, problem.Invalid("InvalidField", "perCustomer: the provider's methods are offered to its customers (perCustomer false)"))
			return
		}
		if vendor, err = s.store.AccountByID(r.Context(), a.ParentID); err != nil {
			s.fail(w, r, err)
			return
		}
		m.OwnerAccountID, m.OwnerAPSID = a.ID, a.APSID
	} else if a.Type == account.Customer {
		s.fail(w, r, problem.Invalid("InvalidField", "perCustomer: a customer's methods are its own (perCustomer true)"))
		return
	}
	m.VendorID = vendor.ID
	if err := catalogfile.ValidatePaymentMethod(m); err != nil {
		s.fail(w, r, err)
		return
	}
	s.create(w, r, body, func(tx *store.Tx) (created, error) {
		if err := store.AddPaymentMethod(r.Context(), tx, &m, false); err != nil {
			return created{}, err
		}
		rec := store.PaymentMethodRecord{PaymentMethod: m, VendorAPSID: vendor.APSID}
		if err := audit(r, tx, methodScope(a, vendor, m), store.AuditCreate, "payment-method", idString(m.ID), nil,
			catalogfile.PaymentMethodItem(rec)); err != nil {
			return created{}, err
		}
		return created{Location: "/aps/2/collections/accounts/" + a.APSID + "/paymentMethods/" + idString(m.ID),
			Body: toPaymentMethodJSON(m)}, nil
	})
}

// updatePaymentMethod is PUT …/accounts/{id}/paymentMethods/{methodId}: rename, make it the
// default ({"defaultMethod": true} clears the others' flag), or change its status.
func (s *Server) updatePaymentMethod(w http.ResponseWriter, r *http.Request) {
	body, err := adminBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.editPaymentMethod(w, r, body, store.AuditUpdate)
}

// deactivatePaymentMethod is DELETE …/accounts/{id}/paymentMethods/{methodId}: the method is
// INACTIVE (orders can no longer use it) and no longer the default.
func (s *Server) deactivatePaymentMethod(w http.ResponseWriter, r *http.Request) {
	s.editPaymentMethod(w, r, []byte(`{"status":"INACTIVE","defaultMethod":false}`), store.AuditDeactivate)
}

func (s *Server) editPaymentMethod(w http.ResponseWriter, r *http.Request, body []byte, action string) {
	a, err := s.visibleAccount(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(pathID(r, "methodId"), 10, 64)
	if err != nil {
		s.fail(w, r, notFound("payment method", pathID(r, "methodId")))
		return
	}
	s.change(w, r, func(tx *store.Tx) (any, error) {
		if err := store.LockPaymentMethod(r.Context(), tx, id); err != nil {
			return nil, notFound("payment method", pathID(r, "methodId"))
		}
		cur, err := s.store.PaymentMethodByID(r.Context(), id)
		if err != nil {
			return nil, err
		}
		mine := cur.OwnerAccountID == a.ID || (cur.OwnerAccountID == 0 && cur.VendorID == a.ID)
		if !mine {
			return nil, notFound("payment method", pathID(r, "methodId"))
		}
		base := toPaymentMethodJSON(cur.PaymentMethod)
		merged, err := adminMerge(base, body)
		if err != nil {
			return nil, err
		}
		var doc paymentMethodDoc
		if err := adminDecode(merged, &doc); err != nil {
			return nil, err
		}
		if *doc.PerCustomer != base.PerCustomer {
			return nil, problem.Invalid("InvalidField", "perCustomer cannot change; add a new method")
		}
		m := cur.PaymentMethod
		doc.apply(&m)
		if err := catalogfile.ValidatePaymentMethod(m); err != nil {
			return nil, err
		}
		if err := store.UpdatePaymentMethod(r.Context(), tx, m); err != nil {
			return nil, err
		}
		vendor := account.Account{Path: a.Path}
		if cur.OwnerAccountID == 0 {
			vendor = a
		}
		after := cur
		after.PaymentMethod = m
		if err := audit(r, tx, methodScope(a, vendor, m), action, "payment-method", idString(m.ID),
			catalogfile.PaymentMethodItem(cur), catalogfile.PaymentMethodItem(after)); err != nil {
			return nil, err
		}
		return toPaymentMethodJSON(m), nil
	})
}
