// Package storetest gives tests a fresh, migrated database of their own on each engine: a SQLite
// file in the test's temporary directory always, and a uniquely named PostgreSQL database when
// OPENBSS_TEST_POSTGRES holds a URL (the database it names is only used to create and drop the
// test databases). Every test gets its own database, so tests may run in parallel.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
)

// EnvPostgres names the environment variable holding the PostgreSQL admin URL.
const EnvPostgres = "OPENBSS_TEST_POSTGRES"

// Engine is a database engine the tests run on.
type Engine struct {
	Name string
	// DSN returns the data source name of a fresh, empty database for t (a SQLite file path or a
	// postgres:// URL), removed when t ends. It skips t when the engine is not configured.
	DSN func(t testing.TB) string
}

// SQLite is the embedded engine.
var SQLite = Engine{Name: "sqlite", DSN: SQLitePath}

// Postgres is PostgreSQL, when OPENBSS_TEST_POSTGRES is set.
var Postgres = Engine{Name: "postgres", DSN: PostgresURL}

// AllEngines lists the engines in the order tests run on them.
func AllEngines() []Engine { return []Engine{SQLite, Postgres} }

// SQLitePath returns the path of a new SQLite file in t's temporary directory.
func SQLitePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "openbss.db")
}

// PostgresURL creates a uniquely named, empty PostgreSQL database, drops it when t ends, and
// returns its URL. It skips t unless OPENBSS_TEST_POSTGRES holds a URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "")
}

// createDatabase creates a uniquely named database, a copy of template when not "", dropped when
// t ends.
func createDatabase(t testing.TB, template string) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		t.Skip(EnvPostgres + " is not set: skipping the PostgreSQL run")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	name := uniqueName("openbss_test_")
	query := "CREATE DATABASE " + name
	if template != "" {
		query += " TEMPLATE " + template
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, query); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	// Registered after db.Close, so it runs before it (cleanups run last in, first out), and
	// after the cleanups the test registers later (those close the test's own pools).
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func uniqueName(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// The migrated template database of this test process (see Main): migrating a new PostgreSQL
// database costs more than copying a migrated one.
var template struct {
	sync.Mutex
	enabled bool
	name    string
	err     error
}

// Main runs a package's tests (call it from TestMain) and lets Engines copy its PostgreSQL
// databases from one migrated template, dropped when the tests end.
func Main(m *testing.M) int {
	template.Lock()
	template.enabled = true
	template.Unlock()
	code := m.Run()
	template.Lock()
	defer template.Unlock()
	if template.name != "" {
		if db, err := sql.Open("pgx", os.Getenv(EnvPostgres)); err == nil {
			_, _ = db.Exec("DROP DATABASE IF EXISTS " + template.name + " WITH (FORCE)")
			db.Close()
		}
	}
	return code
}

// migratedTemplate returns the name of the migrated template, creating it the first time, or ""
// when Main is not in use.
func migratedTemplate(t testing.TB) string {
	t.Helper()
	template.Lock()
	defer template.Unlock()
	if !template.enabled || template.name != "" || template.err != nil {
		if template.err != nil {
			t.Fatalf("template database: %v", template.err)
		}
		return template.name
	}
	admin := os.Getenv(EnvPostgres)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	defer db.Close()
	name := uniqueName("openbss_template_")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, template.err = db.ExecContext(ctx, "CREATE DATABASE "+name); template.err != nil {
		t.Fatalf("template database: %v", template.err)
	}
	template.name = name // dropped by Main from here on, whatever happens next
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	st, err := store.Open(ctx, u.String())
	if err == nil {
		err = st.Migrate(ctx)
		st.Close() // a template must have no connections when it is copied
	}
	if err != nil {
		template.err = err
		t.Fatalf("template database: %v", err)
	}
	return name
}

// OpenDSN opens (with opts) and migrates the database at dsn, closing it when t ends.
func OpenDSN(t testing.TB, dsn string, opts ...store.Option) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn, append([]store.Option{store.WithMaxConns(6)}, opts...)...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// Open returns a migrated store (with opts) on a fresh SQLite file.
func Open(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	return OpenDSN(t, SQLitePath(t), opts...)
}

// OpenPostgres returns a migrated store on a fresh PostgreSQL database, or skips t when
// OPENBSS_TEST_POSTGRES is not set.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return OpenDSN(t, PostgresURL(t))
}

// Engines runs fn as a parallel subtest per engine, each with its own migrated store. Under Main,
// the PostgreSQL database is a copy of a migrated template.
func Engines(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range AllEngines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			var dsn string
			if e.Name == Postgres.Name && os.Getenv(EnvPostgres) != "" {
				dsn = createDatabase(t, migratedTemplate(t))
			} else {
				dsn = e.DSN(t)
			}
			fn(t, OpenDSN(t, dsn))
		})
	}
}

// EngineDSNs runs fn as a parallel subtest per engine with the DSN of a fresh, empty database
// (not migrated: for tests that start the real program on it).
func EngineDSNs(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, e := range AllEngines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.DSN(t))
		})
	}
}

// LoadDemo loads the demo data set into s.
func LoadDemo(t testing.TB, s *store.Store) {
	t.Helper()
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatalf("load demo data: %v", err)
	}
}
