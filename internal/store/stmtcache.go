package store

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite through database/sql re-parses every statement on every call (modernc has no statement
// cache of its own), and parsing was 40% of the CPU of a read request. stmtCache prepares each
// distinct SQL text once per pool; database/sql then keeps one prepared statement per
// connection. PostgreSQL needs none: pgx caches prepared statements by text itself.
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool // texts to prepare once the pool's connection is free again
}

// maxCachedStatements bounds the cache: texts built with variable IN lists would grow it without
// end; past the bound they run unprepared.
const maxCachedStatements = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// later returns the prepared statement of query, or nil after noting the text for
// preparePending. A transaction on the one-connection writer pool must not prepare: preparing
// needs a connection, and the transaction holds the only one.
func (c *stmtCache) later(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	if st != nil {
		return st
	}
	c.mu.Lock()
	if len(c.m)+len(c.pending) < maxCachedStatements {
		c.pending[query] = true
	}
	c.mu.Unlock()
	return nil
}

// preparePending prepares the texts later noted; call it with no transaction open on the pool.
// The lock is not held while preparing: a transaction that got the connection meanwhile must be
// able to look statements up and finish.
func (c *stmtCache) preparePending(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		delete(c.pending, q)
		if c.m[q] == nil {
			todo = append(todo, q)
		}
	}
	c.mu.Unlock()
	for _, q := range todo {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.m[q] == nil {
			c.m[q] = st
		} else {
			st.Close()
		}
		c.mu.Unlock()
	}
}

// get returns the prepared statement of query, preparing it now, or nil to run it unprepared.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, n := c.m[query], len(c.m)
	c.mu.RUnlock()
	if st != nil || n >= maxCachedStatements {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // let the unprepared call report the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[query]; prev != nil {
		st.Close()
		return prev
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// ExecContext runs a statement in the transaction, prepared once per connection on SQLite.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.stmts != nil {
		query, args = sqliteText(query, args)
	}
	if st := tx.stmts.later(query); st != nil {
		return tx.bound(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction, prepared once per connection on SQLite.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.stmts != nil {
		query, args = sqliteText(query, args)
	}
	if st := tx.stmts.later(query); st != nil {
		return tx.bound(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query in the transaction, prepared once per connection on SQLite.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.stmts != nil {
		query, args = sqliteText(query, args)
	}
	if st := tx.stmts.later(query); st != nil {
		return tx.bound(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// readDB is the read pool with the statement cache.
type readDB struct {
	*sql.DB
	stmts *stmtCache
}

func (r *readDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if r.stmts != nil {
		query, args = sqliteText(query, args)
	}
	if st := r.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.DB.QueryContext(ctx, query, args...)
}

func (r *readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if r.stmts != nil {
		query, args = sqliteText(query, args)
	}
	if st := r.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// sqliteText is query with anonymous parameters and args in their order (placeholders.go), or
// both as they are.
func sqliteText(query string, args []any) (string, []any) {
	if p, ok := toPositional(query); ok {
		if a, ok := p.args(args); ok {
			return p.query, a
		}
	}
	return query, args
}

// bound returns st bound to the transaction, made once per transaction: a batch of group commit
// runs the same few statements for each of its pieces, and binding one (Tx.StmtContext) locks,
// allocates and registers a statement to close at the end every time.
func (tx *Tx) bound(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if b := tx.boundStmts[st]; b != nil {
		return b
	}
	b := tx.Tx.StmtContext(ctx, st)
	if tx.boundStmts == nil {
		tx.boundStmts = map[*sql.Stmt]*sql.Stmt{}
	}
	tx.boundStmts[st] = b
	return b
}
