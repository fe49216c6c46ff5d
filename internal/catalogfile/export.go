package catalogfile

import (
	"context"
	"fmt"
	"slices"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/store"
)

// state is everything a catalog file describes, as stored.
type state struct {
	accounts  []account.Account
	methods   []store.PaymentMethodRecord
	resources []store.ResourceRecord
	terms     []catalog.Term
	plans     []*catalog.Plan
	delegs    []store.DelegationRecord
	promos    []store.PromotionRecord
	taxes     []catalog.TaxRule
	reasons   []catalog.ReasonCode
}

func load(ctx context.Context, st *store.Store) (*state, error) {
	var s state
	var err error
	steps := []func() error{
		func() error { s.accounts, err = st.AllAccounts(ctx); return err },
		func() error { s.methods, err = st.AllPaymentMethods(ctx); return err },
		func() error { s.resources, _, err = st.ListResources(ctx, store.AllRows("r.id")); return err },
		func() error { s.terms, _, err = st.ListTerms(ctx, store.AllRows("t.id")); return err },
		func() error { s.plans, _, err = st.ListPlans(ctx, 0, store.AllRows("p.id")); return err },
		func() error {
			s.delegs, _, err = st.ListDelegations(ctx, "/", store.AllRows("d.plan_id, r.id"))
			return err
		},
		func() error { s.promos, _, err = st.ListPromotions(ctx, "/", store.AllRows("pr.id")); return err },
		func() error { s.taxes, _, err = st.ListTaxRules(ctx, store.AllRows("t.id")); return err },
		func() error { s.reasons, err = st.ReasonCodes(ctx, ""); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
	}
	slices.SortFunc(s.reasons, func(a, b catalog.ReasonCode) int { return int(a.ID - b.ID) })
	return &s, nil
}

// ExportOptions says what an export holds besides the catalog and the selling accounts.
type ExportOptions struct {
	// Customers adds customer accounts and the payment methods they own.
	Customers bool
}

// Export reads the database as a catalog file: the provider and resellers (and, optionally,
// customers) with their payment methods, then the catalog itself, each section in id order.
func Export(ctx context.Context, st *store.Store, opt ExportOptions) (*File, error) {
	s, err := load(ctx, st)
	if err != nil {
		return nil, err
	}
	return s.file(opt.Customers), nil
}

func (s *state) file(customers bool) *File {
	f := &File{}
	apsOf := map[int64]string{}
	for _, a := range s.accounts {
		apsOf[a.ID] = a.APSID
		if customers || a.Type != account.Customer {
			f.Accounts = append(f.Accounts, AccountItem(a))
		}
	}
	for _, m := range s.methods {
		if customers || m.OwnerAccountID == 0 {
			f.PaymentMethods = append(f.PaymentMethods, PaymentMethodItem(m))
		}
	}
	for _, r := range s.resources {
		f.Resources = append(f.Resources, ResourceItem(r))
	}
	for _, t := range s.terms {
		f.Terms = append(f.Terms, TermItem(t))
	}
	for _, p := range s.plans {
		f.Plans = append(f.Plans, PlanItem(p, apsOf[p.OwnerID]))
	}
	for _, d := range s.delegs {
		f.Delegations = append(f.Delegations, DelegationItem(d))
	}
	for _, p := range s.promos {
		f.Promotions = append(f.Promotions, PromotionItem(p))
	}
	for _, t := range s.taxes {
		f.TaxRules = append(f.TaxRules, TaxRuleItem(t))
	}
	for _, r := range s.reasons {
		f.ReasonCodes = append(f.ReasonCodes, ReasonCodeItem(r))
	}
	return f
}
