package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestRewritePositional(t *testing.T) {
	cases := []struct {
		in, out string
		order   []int
		ok      bool
	}{
		{in: "SELECT 1"},
		{in: "SELECT $1, $2", out: "SELECT ?, ?", ok: true},
		{in: "VALUES ($1,$2,$3,$3)", out: "VALUES (?,?,?,?)", order: []int{1, 2, 3, 3}, ok: true},
		{in: "WHERE b = $2 AND a = $1", out: "WHERE b = ? AND a = ?", order: []int{2, 1}, ok: true},
		{in: "SELECT '$1', $1", out: "SELECT '$1', ?", ok: true},
		{in: "SELECT 'it''s $2', $1", out: "SELECT 'it''s $2', ?", ok: true},
		{in: `SELECT "a$1" FROM t WHERE x = $1`, out: `SELECT "a$1" FROM t WHERE x = ?`, ok: true},
		{in: "SELECT $1 -- $2\n, $2", out: "SELECT ? -- $2\n, ?", ok: true},
		{in: "SELECT $1 /* $3 ? */ , $2", out: "SELECT ? /* $3 ? */ , ?", ok: true},
		{in: "SELECT json_extract(x, '$.a') FROM t WHERE id = $1", out: "SELECT json_extract(x, '$.a') FROM t WHERE id = ?", ok: true},
		{in: "SELECT $10, $2", out: "SELECT ?, ?", order: []int{10, 2}, ok: true},
		{in: "SELECT ?"},
		{in: "SELECT $a"},
		{in: "SELECT $0"},
		{in: "SELECT $01"},
		{in: "SELECT $1a"},
		{in: "SELECT $1::text"},
		{in: "SELECT $"},
		{in: "SELECT '$1"},
		{in: "SELECT $1 /* unterminated"},
		{in: "SELECT $1 -- comment at the end", out: "SELECT ? -- comment at the end", ok: true},
	}
	for _, c := range cases {
		p, ok := rewritePositional(c.in)
		if ok != c.ok || p.query != c.out || !reflect.DeepEqual(p.order, c.order) {
			t.Errorf("rewritePositional(%q) = %q %v %v, want %q %v %v", c.in, p.query, p.order, ok, c.out, c.order, c.ok)
		}
	}
}

func TestPositionalArgs(t *testing.T) {
	p, _ := rewritePositional("SELECT $2, $1, $2")
	got, ok := p.args([]any{"a", "b"})
	if !ok || !reflect.DeepEqual(got, []any{"b", "a", "b"}) {
		t.Fatalf("args = %v %v", got, ok)
	}
	if _, ok := p.args([]any{"a"}); ok {
		t.Fatal("too few arguments were reordered")
	}
	if _, ok := p.args([]any{sql.Named("x", 1), "b"}); ok {
		t.Fatal("a named argument was reordered")
	}
	id, _ := rewritePositional("SELECT $1, $2")
	in := []any{1, 2}
	if got, ok := id.args(in); !ok || &got[0] != &in[0] {
		t.Fatal("the identity order copied its arguments")
	}
}

// TestPositionalOnSQLite runs texts both ways on SQLite itself: numbered parameters with the
// original arguments, and the rewritten text with the reordered ones, give the same row.
func TestPositionalOnSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	texts := []string{
		"SELECT $1, $2, $3",
		"SELECT $3, $1, $2, $3, '$2', \"$1\" IS NULL /* $1 */",
		"SELECT $2 || '?' || $1 -- $3\n, $3",
		"SELECT $1 WHERE $2 = $2",
	}
	args := []any{int64(7), "x'y", nil}
	for _, q := range texts {
		want := scanAll(t, db, q, args)
		p, ok := rewritePositional(q)
		if !ok {
			t.Fatalf("%q not rewritten", q)
		}
		a, ok := p.args(args)
		if !ok {
			t.Fatalf("%q: arguments not reordered", q)
		}
		if got := scanAll(t, db, p.query, a); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: rewritten gives %v, numbered %v", q, got, want)
		}
	}
}

func scanAll(t *testing.T, db *sql.DB, q string, args []any) []any {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("%q: no row", q)
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	return vals
}

// FuzzRewritePositional: the rewrite never panics, and when it rewrites, putting the numbers
// back in place of the anonymous parameters gives the text it started from.
func FuzzRewritePositional(f *testing.F) {
	for _, s := range []string{"SELECT $1", "'$1' $2 -- $3\n$4 /* $5 */ \"$6\" $7", "$12$3", "''''$1", "?", "$", "/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, ok := rewritePositional(q)
		if !ok {
			return
		}
		// The rewrite only turns $N into ?: every ? it added is one of p.order, and the text
		// had no ? of its own outside literals and comments (it would not have rewritten), so
		// undoing it means replacing the added ? from left to right.
		n := strings.Count(p.query, "?") - strings.Count(q, "?")
		order := p.order
		if order == nil {
			for i := 1; i <= n; i++ {
				order = append(order, i)
			}
		}
		if n != len(order) || n == 0 {
			t.Fatalf("%q → %q: %d placeholders added, order %v", q, p.query, n, p.order)
		}
		if undo := undoPositional(q, p.query, order); undo != q {
			t.Fatalf("%q → %q → %q", q, p.query, undo)
		}
	})
}

// undoPositional rebuilds the original from the rewritten text: walking both, every ? of the
// rewritten text that the original does not have at that point was a $N.
func undoPositional(orig, rewritten string, order []int) string {
	var b strings.Builder
	i, k := 0, 0
	for j := 0; j < len(rewritten); j++ {
		if rewritten[j] == '?' && (i >= len(orig) || orig[i] != '?') {
			num := order[k]
			k++
			b.WriteString("$")
			rest := strings.TrimLeft(orig[min(i+1, len(orig)):], "0123456789")
			end := len(orig) - len(rest)
			if i >= len(orig) || orig[i] != '$' || orig[i+1:end] != strconv.Itoa(num) {
				b.WriteString("<not $" + strconv.Itoa(num) + ">")
				continue
			}
			b.WriteString(orig[i+1 : end])
			i = end
			continue
		}
		b.WriteByte(rewritten[j])
		i++
	}
	return b.String()
}
