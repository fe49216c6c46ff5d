package store

import (
	"context"
	"sync"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
)

// Read caches for the request path. Every API request reads the two change counters of
// cache_version once (ReadVersions, one indexed row each) and keeps them in its context; the
// catalog view and the account caches below answer from memory while their counter is the one
// the request read, and from the database otherwise. Triggers bump the counters in the same
// transaction as any write to the tables behind them, so a cached answer is never older than
// the request's own start — on one SQLite file or on PostgreSQL shared by several processes.
// Code that reads without a counter in its context (workers, the scheduler) reads the tables,
// except the plans of completed items (ItemPlan), checked against the counter in the
// transaction that uses them.

// Cache counters (rows of cache_version).
const (
	versionCatalog  = 1 // plans, resources, promotions, taxes, delegations, discounts, …
	versionAccounts = 2 // accounts, api_tokens, payment_methods
)

// accountTables are the tables whose writes bump the accounts counter.
var accountTables = []string{"accounts", "api_tokens", "payment_methods"}

// Versions are the change counters a request read when it started.
type Versions struct{ Catalog, Accounts int64 }

type versionsKey struct{}

// ReadVersions reads the current counters.
func (s *Store) ReadVersions(ctx context.Context) (Versions, error) {
	var v Versions
	err := s.rdb.QueryRowContext(ctx, `SELECT c.v, a.v FROM cache_version c, cache_version a
		WHERE c.id = 1 AND a.id = 2`).Scan(&v.Catalog, &v.Accounts)
	return v, err
}

// WithVersions returns ctx carrying the counters v: reads made with it may come from the caches.
func WithVersions(ctx context.Context, v Versions) context.Context {
	return context.WithValue(ctx, versionsKey{}, v)
}

func versionsOf(ctx context.Context) (Versions, bool) {
	v, ok := ctx.Value(versionsKey{}).(Versions)
	return v, ok
}

// cacheLimit bounds each cache; a full cache starts over (the working set of a busy minute is
// far smaller, and starting over is simpler and cheaper than tracking recency).
const cacheLimit = 100_000

// versioned is a map valid for one value of a change counter. Entries are put under the
// counter the reader read before reading the database, so an entry is never older than the
// counter it is filed under; a newer counter empties the map.
type versioned[K comparable, V any] struct {
	mu      sync.RWMutex
	version int64
	m       map[K]V
}

func (c *versioned[K, V]) get(version int64, k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.version != version {
		var zero V
		return zero, false
	}
	v, ok := c.m[k]
	return v, ok
}

func (c *versioned[K, V]) put(version int64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return // read under an older counter: whoever reads the newer one reads afresh
	case version > c.version || c.m == nil || len(c.m) >= cacheLimit:
		c.version, c.m = version, make(map[K]V)
	}
	c.m[k] = v
}

// tokenEntry is a cached token: who it authenticates, until when.
type tokenEntry struct {
	p       account.Principal
	expires int64 // µs; 0 = never
}

// caches are the store's read caches. Cached values are shared: callers must not modify them
// (accounts and principals are passed by value; their slices are never written after loading).
type caches struct {
	tokens  versioned[string, tokenEntry]
	byID    versioned[int64, account.Account]
	byAPSID versioned[string, account.Account]
	methods versioned[int64, []account.PaymentMethod]
	plans   versioned[string, *catalog.Plan] // ItemPlan's, under the catalog counter
}

// cached answers a lookup of what the accounts counter guards from the cache when ctx carries
// the counters, or reads it with load and files it.
func cached[K comparable, V any](ctx context.Context, c *versioned[K, V], k K, load func() (V, error)) (V, error) {
	v, ok := versionsOf(ctx)
	if !ok {
		return load()
	}
	if val, hit := c.get(v.Accounts, k); hit {
		return val, nil
	}
	val, err := load()
	if err == nil {
		c.put(v.Accounts, k, val)
	}
	return val, err
}
