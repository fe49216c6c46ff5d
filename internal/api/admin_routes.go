package api

import (
	"net/http"

	"github.com/openbss/openbss/internal/account"
)

// adminRoutes registers the management API (scope admin): accounts and their credentials,
// payment methods and delegations; service plans, resources, terms, tax rules, promotions and
// reason codes; the audit log. Who may do what is decided per route (see admin_common.go).
func (s *Server) adminRoutes() {
	admin := account.ScopeAdmin
	const (
		c        = "/aps/2/collections"
		accounts = c + "/accounts/{id}"
	)
	for _, rt := range []struct {
		pattern string
		h       http.HandlerFunc
	}{
		{"POST " + c + "/accounts", s.createAccount},
		{"PUT " + accounts, s.updateAccount},
		{"DELETE " + accounts, s.deactivateAccount},
		{"GET " + accounts + "/tokens", s.listTokens},
		{"POST " + accounts + "/tokens", s.createToken},
		{"DELETE " + accounts + "/tokens/{tokenId}", s.revokeToken},
		{"GET " + accounts + "/paymentMethods", s.listAccountPaymentMethods},
		{"POST " + accounts + "/paymentMethods", s.addPaymentMethod},
		{"PUT " + accounts + "/paymentMethods/{methodId}", s.updatePaymentMethod},
		{"DELETE " + accounts + "/paymentMethods/{methodId}", s.deactivatePaymentMethod},
		{"GET " + accounts + "/delegations", s.listDelegations},
		{"GET " + accounts + "/delegations/{planId}", s.getDelegation},
		{"PUT " + accounts + "/delegations/{planId}", s.putDelegation},
		{"DELETE " + accounts + "/delegations/{planId}", s.deleteDelegation},

		{"POST " + c + "/service-plans", s.createPlan},
		{"PUT " + c + "/service-plans/{id}", s.updatePlan},
		{"DELETE " + c + "/service-plans/{id}", s.deactivatePlan},
		{"GET " + c + "/service-plans/{id}/versions", s.listPlanVersions},

		{"GET " + c + "/resources", s.listResources},
		{"POST " + c + "/resources", s.createResource},
		{"GET " + c + "/resources/{id}", s.getResource},
		{"PUT " + c + "/resources/{id}", s.updateResource},
		{"DELETE " + c + "/resources/{id}", s.deactivateResource},

		{"GET " + c + "/terms", s.listTerms},
		{"POST " + c + "/terms", s.createTerm},
		{"GET " + c + "/terms/{id}", s.getTerm},
		{"PUT " + c + "/terms/{id}", s.updateTerm},
		{"DELETE " + c + "/terms/{id}", s.deleteTerm},

		{"GET " + c + "/tax-rules", s.listTaxRules},
		{"POST " + c + "/tax-rules", s.createTaxRule},
		{"GET " + c + "/tax-rules/{id}", s.getTaxRule},
		{"PUT " + c + "/tax-rules/{id}", s.updateTaxRule},
		{"DELETE " + c + "/tax-rules/{id}", s.deleteTaxRule},

		{"GET " + c + "/promotions", s.listPromotions},
		{"POST " + c + "/promotions", s.createPromotion},
		{"GET " + c + "/promotions/{id}", s.getPromotion},
		{"PUT " + c + "/promotions/{id}", s.updatePromotion},
		{"DELETE " + c + "/promotions/{id}", s.deactivatePromotion},

		{"POST /aps/2/services/order-manager/reasonCodes", s.createReasonCode},
		{"PUT /aps/2/services/order-manager/reasonCodes/{id}", s.updateReasonCode},
		{"DELETE /aps/2/services/order-manager/reasonCodes/{id}", s.deleteReasonCode},

		{"GET " + c + "/audit-log", s.listAudit},
	} {
		s.mux.HandleFunc(rt.pattern, s.authed(admin, rt.h))
	}
}
