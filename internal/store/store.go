// Package store is openbss's persistence: the schema and its migrations, one *sql.DB over an
// embedded SQLite file or PostgreSQL running the same hand-written SQL, the transaction helper,
// and the repositories the use cases call. Money is stored as int64 micro-units and times as
// int64 Unix microseconds (UTC) on both engines, so one SQL text compares and sorts them alike.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the database handle shared by every repository.
type Store struct {
	db          *sql.DB // writes (on SQLite: one connection, BEGIN IMMEDIATE)
	rdb         *readDB // reads (on SQLite: a pool of WAL readers; on PostgreSQL: db itself)
	wstmts      *stmtCache
	batch       committer
	postgres    bool
	maxConns    int  // PostgreSQL pool size
	maxQueue    int  // group commit: queued pieces beyond which sheddable work is refused
	notify      bool // record order status changes in the notifications outbox
	now         func() time.Time
	cache       caches        // read caches of the request path (cache.go)
	idBlocks    *idBlocks     // PostgreSQL: the busy sequences' ids, reserved in blocks (id_blocks.go)
	checkpoints *checkpointer // SQLite: the WAL's checkpoints, off the writer (checkpoint.go)
	driveRows   int           // the order list's lead threshold on SQLite (panel_orders.go)
	mergeRows   int           // the order count's merge threshold on SQLite (order_count.go)
}

// Option configures a Store.
type Option func(*Store)

// WithMaxConns bounds the PostgreSQL connection pool (default 16; tests use fewer, since one
// server's max_connections is shared by every process and test database).
func WithMaxConns(n int) Option {
	return func(s *Store) {
		if n > 0 {
			s.maxConns = n
		}
	}
}

// WithNotifications records every order status change in the notifications outbox, for
// delivery to a webhook.
func WithNotifications() Option { return func(s *Store) { s.notify = true } }

// WithClock makes the store stamp rows with the given clock (tests, the demo test clock).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open connects to dsn: a postgres:// (or postgresql://) URL selects PostgreSQL, anything else is
// a SQLite file path. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, maxConns: 16, maxQueue: 512, driveRows: driveRows, mergeRows: mergeRows}
	for _, o := range opts {
		o(s)
	}
	var err error
	if IsPostgres(dsn) {
		s.postgres = true
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			s.db.SetMaxOpenConns(s.maxConns)
			s.db.SetMaxIdleConns(max(2, s.maxConns/4))
			s.db.SetConnMaxIdleTime(time.Minute)
			s.rdb = &readDB{DB: s.db}
			s.idBlocks, err = newIDBlocks(dsn)
		}
	} else {
		// SQLite allows one writer at a time: a single write connection whose transactions
		// take the write lock up front (no deadlocks upgrading a read lock), and a pool of
		// readers that WAL lets run beside it.
		s.db, err = sql.Open("sqlite", sqliteDSN(dsn, "immediate")+
			fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", writerAutoCheckpoint))
		var rdb *sql.DB
		if err == nil {
			s.db.SetMaxOpenConns(1)
			s.wstmts = newStmtCache(s.db)
			rdb, err = sql.Open("sqlite", sqliteDSN(dsn, "deferred"))
		}
		if err == nil {
			rdb.SetMaxOpenConns(8)
			rdb.SetMaxIdleConns(8)
			s.rdb = &readDB{DB: rdb, stmts: newStmtCache(rdb)}
			s.checkpoints, err = startCheckpointer(dsn)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	if err := s.ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect %s: %w", redact(dsn), err)
	}
	return s, nil
}

// ping opens the first connection. Processes opening a new SQLite file together race to switch
// it to WAL, and the loser gets SQLITE_BUSY at once (no busy wait resolves that lock upgrade);
// the winner's switch persists in the file, so trying again shortly succeeds.
func (s *Store) ping(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		err := s.db.PingContext(ctx)
		if err == nil || s.postgres || attempt == 50 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN sets the pragmas every connection needs: WAL for concurrent readers, full
// synchronous commits (acknowledged means durable), foreign keys, and a busy timeout.
func sqliteDSN(path, txlock string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_pragma=temp_store(MEMORY)&_txlock=" + txlock
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 && IsPostgres(dsn) {
		return "postgres://…" + dsn[i:]
	}
	return dsn
}

// Close closes the pools.
func (s *Store) Close() error {
	s.checkpoints.close()
	s.wstmts.close()
	s.idBlocks.close()
	if s.rdb != nil && s.rdb.DB != s.db {
		s.rdb.stmts.close()
		s.rdb.DB.Close()
	}
	return s.db.Close()
}

// DB exposes the pool for health checks and benchmarks.
func (s *Store) DB() *sql.DB { return s.db }

// Postgres reports whether the store runs on PostgreSQL (else SQLite).
func (s *Store) Postgres() bool { return s.postgres }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Migrate brings the schema up to date. It is safe to run at every start.
func (s *Store) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	d := goose.DialectSQLite3
	if s.postgres {
		d = goose.DialectPostgres
	}
	var opts []goose.ProviderOption
	if s.postgres {
		// Processes starting together on one database take turns (a session advisory lock),
		// polled every second for up to five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, s.db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// SQLite has no session lock: a process racing another one on the same new file fails on
	// what the other created (its transaction rolls back), and the next pass applies only what
	// is still missing. A broken migration fails every pass and is reported.
	for attempt := 1; ; attempt++ {
		if _, err = p.Up(ctx); err == nil || s.postgres || attempt == 10 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := s.ensureVersionTriggers(ctx); err != nil {
		return err
	}
	return s.dropValidityTriggers(ctx)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.PingContext(ctx) }

// Tx is a transaction with the time it started, so every row it writes carries one timestamp.
type Tx struct {
	*sql.Tx
	Now      time.Time
	postgres bool
	notify   bool
	stmts    *stmtCache
	ids      map[string]*idRange // id blocks reserved by this transaction (ids.go)
	blocks   *idBlocks           // PostgreSQL: the store's blocks of pooled sequences (id_blocks.go)

	committing time.Time               // set by group commit: when its pieces were done (commit timing)
	boundStmts map[*sql.Stmt]*sql.Stmt // prepared statements bound to this transaction (stmtcache.go)
}

// forUpdate is the row-lock suffix of a SELECT: FOR UPDATE on PostgreSQL; nothing on SQLite,
// where the write transaction (BEGIN IMMEDIATE) already excludes every other writer.
func (tx *Tx) forUpdate() string {
	if tx.postgres {
		return " FOR UPDATE"
	}
	return ""
}

// InTx runs fn in a transaction, committing when it returns nil and rolling back otherwise.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.inTxOnce(ctx, fn)
		if err == nil || !retryable(err) || attempt == maxTxAttempts || ctx.Err() != nil {
			return err
		}
		// PostgreSQL chose this transaction as a deadlock victim (or a serialization failure):
		// nothing of it happened, so run it again after a short, growing pause.
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
}

// maxTxAttempts bounds the re-runs of a transaction PostgreSQL aborted as a deadlock victim.
const maxTxAttempts = 6

// retryable reports a PostgreSQL deadlock (40P01) or serialization failure (40001): the
// transaction was rolled back as a whole and may simply run again.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

func (s *Store) inTxOnce(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, Now: s.Now(), postgres: s.postgres, notify: s.notify, stmts: s.wstmts, blocks: s.idBlocks}
	defer s.wstmts.preparePending(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := flushIDs(ctx, tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if !tx.committing.IsZero() {
		s.batch.stats.commitNanos.Add(int64(time.Since(tx.committing)))
	}
	return nil
}

// ErrNotFound is returned when a row does not exist or the caller may not see it.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write collides with existing data (unique keys).
var ErrConflict = errors.New("conflict")

// Micros converts a time to the stored form.
func Micros(t time.Time) int64 { return t.UTC().UnixMicro() }

// FromMicros converts the stored form back to a UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros converts a nullable stored time.
func nullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := FromMicros(v.Int64)
	return &t
}
