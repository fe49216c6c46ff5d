package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/catalog"
)

// catalogTables are the tables whose writes bump the catalog counter of cache_version.
var catalogTables = []string{"plans", "plan_periods", "plan_resource_rates", "plan_terms", "plan_children",
	"resources", "resource_dependencies", "promotions", "promotion_plans", "tax_rules", "delegations", "terms", "discounts", "discount_plans"}

// ensureVersionTriggers creates the triggers that bump cache_version, idempotently.
func (s *Store) ensureVersionTriggers(ctx context.Context) error {
	var stmts []string
	tables := map[int][]string{versionCatalog: catalogTables, versionAccounts: accountTables}
	stmts = append(stmts, `INSERT INTO cache_version (id, v) VALUES (2, 1) ON CONFLICT DO NOTHING`)
	if s.postgres {
		stmts = append(stmts, `CREATE OR REPLACE FUNCTION openbss_bump_cache_version() RETURNS trigger AS $$
			BEGIN UPDATE cache_version SET v = v + 1 WHERE id = COALESCE(TG_ARGV[0]::int, 1); RETURN NULL; END $$ LANGUAGE plpgsql`)
		for id, ts := range tables {
			for _, t := range ts {
				stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE TRIGGER cache_version_%s AFTER INSERT OR UPDATE OR DELETE
					ON %s FOR EACH STATEMENT EXECUTE FUNCTION openbss_bump_cache_version('%d')`, t, t, id))
			}
		}
	} else {
		for id, ts := range tables {
			for _, t := range ts {
				for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
					stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS cache_version_%s_%s AFTER %s ON %s
						BEGIN UPDATE cache_version SET v = v + 1 WHERE id = %d; END`, t, strings.ToLower(op), op, t, id))
				}
			}
		}
	}
	// Processes migrating one PostgreSQL database together may collide replacing the function
	// ("tuple concurrently updated"); the statements are idempotent, so try again.
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.execAll(ctx, stmts); err == nil {
			return nil
		}
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	return fmt.Errorf("cache version triggers: %w", err)
}

func (s *Store) execAll(ctx context.Context, stmts []string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if s.postgres {
			// One process at a time: concurrent CREATE OR REPLACE of one function or trigger
			// fails with "tuple concurrently updated" however often it is retried.
			if _, err := tx.Tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262536911)`); err != nil {
				return err
			}
		}
		for _, q := range stmts {
			if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// CatalogVersion is the current catalog change counter.
func (s *Store) CatalogVersion(ctx context.Context) (int64, error) {
	if vs, ok := versionsOf(ctx); ok {
		return vs.Catalog, nil
	}
	var v int64
	err := s.rdb.QueryRowContext(ctx, `SELECT v FROM cache_version WHERE id = 1`).Scan(&v)
	return v, err
}

// CatalogData is the whole catalog, for an in-memory cache.
type CatalogData struct {
	Version     int64
	Plans       []*catalog.Plan
	Resources   []catalog.Resource // with dependencies
	Promotions  []catalog.Promotion
	TaxRules    []catalog.TaxRule
	Delegations []catalog.Delegation
	Discounts   []catalog.Discount
}

// LoadCatalog reads the whole catalog, tagged with the version read before it (a change during
// the load makes the next version check reload).
func (s *Store) LoadCatalog(ctx context.Context) (*CatalogData, error) {
	var c CatalogData
	var err error
	if c.Version, err = s.CatalogVersion(ctx); err != nil {
		return nil, err
	}
	err = s.each(ctx, "SELECT "+planColumns+" FROM plans p ORDER BY p.id", nil, func(r *sql.Rows) error {
		p, err := scanPlan(r)
		c.Plans = append(c.Plans, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(c.Plans))
	for i, p := range c.Plans {
		ids[i] = p.ID
	}
	for start := 0; start < len(c.Plans); start += 500 {
		end := min(start+500, len(c.Plans))
		if err := s.loadPlanDetails(ctx, c.Plans[start:end]); err != nil {
			return nil, err
		}
		res, err := s.ResourcesOfPlans(ctx, ids[start:end])
		if err != nil {
			return nil, err
		}
		c.Resources = append(c.Resources, res...)
	}
	err = s.each(ctx, `SELECT DISTINCT code FROM promotions ORDER BY code`, nil, func(r *sql.Rows) error {
		var code string
		if err := r.Scan(&code); err != nil {
			return err
		}
		ps, err := s.PromotionsByCode(ctx, code)
		c.Promotions = append(c.Promotions, ps...)
		return err
	})
	if err != nil {
		return nil, err
	}
	var zones []string
	err = s.each(ctx, `SELECT DISTINCT zone FROM tax_rules ORDER BY zone`, nil, func(r *sql.Rows) error {
		var z string
		err := r.Scan(&z)
		zones = append(zones, z)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.TaxRules, err = s.TaxRules(ctx, zones...); err != nil {
		return nil, err
	}
	var resellers []int64
	err = s.each(ctx, `SELECT DISTINCT reseller_id FROM delegations ORDER BY reseller_id`, nil, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		resellers = append(resellers, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, rid := range resellers {
		for start := 0; start < len(ids); start += 500 {
			d, err := s.Delegations(ctx, rid, ids[start:min(start+500, len(ids))])
			if err != nil {
				return nil, err
			}
			c.Delegations = append(c.Delegations, d...)
		}
	}
	if c.Discounts, err = s.Discounts(ctx); err != nil {
		return nil, err
	}
	return &c, nil
}
