// Package demo loads the demo data set: the accounts, plans, resources, payment methods,
// subscriptions, terms, promotions, taxes and reason codes with the ids that appear in the API
// documentation (seed 002), configured so that its examples work verbatim against
// `openbss serve --demo`. It also creates three fixed API tokens, which exist only in demo mode.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
)

// The fixed demo tokens (README lists them).
const (
	ProviderToken = "demo-provider-token"
	ResellerToken = "demo-reseller-token"
	CustomerToken = "demo-customer-token"
)

// Ids from seed 002.
const (
	ProviderAPSID = "5e1a7c0d-0000-4000-8000-000000000001"
	ResellerA     = "c0d43087-da72-472a-a176-84a34608979f" // sells to 3fef9702, 00b60056, d7dd06ef
	ResellerB     = "8265e3d7-cdf5-4acc-8ca4-267268a79aae" // sells to 9d086478
	Customer1     = "3fef9702-b2ad-419a-9924-a56882e5f06c" // id 1000001
	CustomerTaxed = "00b60056-8b0a-4981-8ca4-d114346cd652" // 10% exclusive tax, promo 123
	CustomerSubs  = "d7dd06ef-20a0-41f5-b89f-768ef373ae44" // owns the subscriptions of the examples
	CustomerB     = "9d086478-d00b-40c2-86df-7bc9b862e667"

	PlanOfferCounter = "ae0e6e84-0d37-4b17-8f6c-5709633529ab"
	PlanCloudVPS     = "6b64da9a-f8e6-4cbd-8aef-de304a27b627"
	PlanVIP          = "67216414-6490-4588-bef9-7f6acf5e6a63"
	PlanSaaS         = "ebf17799-6a39-4133-ab9c-0afa40dcd6ae"

	ResUsers    = "1c3ab0be-3160-45a1-a9b4-7824f74673ff"
	ResProjects = "7205fd93-9768-480c-956b-58f54aac7247"
	ResVPS      = "2f8905f8-4302-49d7-ab7f-65c9036addf0"
	ResDisk     = "6cc3ccc6-0571-4c16-8e41-3916e1136284"
	ResBackup   = "bf8ea705-3f2b-4f3c-b445-a11ec100da82"

	SubVPSDemo = "456808a0-b5a6-4092-ab67-b77e33743a07" // id 1000001
	SubVIP     = "4c867c87-fbf7-49e8-9f7e-0d06e8f7a003"
	SubCloud   = "a63078fb-7af8-417e-88c3-e7af37e08e59"

	TaxZone10 = "EU-VAT10"
)

// ErrNotEmpty is returned when the database already holds a provider.
var ErrNotEmpty = errors.New("demo: the database is not empty")

// Load writes the demo data set into an empty database in one transaction.
func Load(ctx context.Context, s *store.Store) error {
	if _, err := s.Provider(ctx); err == nil {
		return ErrNotEmpty
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	err := s.InTx(ctx, func(tx *store.Tx) error {
		l := &loader{ctx: ctx, tx: tx, accounts: map[string]*account.Account{},
			resources: map[string]*catalog.Resource{}, plans: map[string]*catalog.Plan{}}
		for _, step := range []func() error{
			l.loadAccounts, l.loadTokens, l.loadPaymentMethods, l.loadCatalog, l.loadSubscriptions, l.loadReasonCodes,
		} {
			if err := step(); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		// Another process (serve --demo started twice) loaded it first: our transaction rolled
		// back on its rows, and the database holds the demo data.
		if _, perr := s.Provider(ctx); perr == nil {
			return ErrNotEmpty
		}
	}
	return err
}

// loader carries the transaction and what earlier steps created, by APS id.
type loader struct {
	ctx       context.Context
	tx        *store.Tx
	accounts  map[string]*account.Account
	resources map[string]*catalog.Resource
	plans     map[string]*catalog.Plan
}

func d(s string) money.Decimal { return money.MustParse(s) }

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
