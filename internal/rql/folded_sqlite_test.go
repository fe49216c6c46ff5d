package rql

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestFoldedBoundMatchesLike runs like() and eq() on a folded field on SQLite itself: whatever
// the compiler writes (the folded bound with or without the LIKE) matches exactly the values the
// LIKE (or the equality) alone does — the bound may only narrow the scan, never the answer.
// Values cover case, non-ASCII letters SQLite does not fold, LIKE's own wildcards and escape, and
// the edges of a prefix's range.
func TestFoldedBoundMatchesLike(t *testing.T) {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (v TEXT NOT NULL); CREATE INDEX t_folded ON t (lower(v))`); err != nil {
		t.Fatal(err)
	}
	values := []string{"", "t", "te", "tes", "test", "Test", "TEST", "tEsT1234", "test1234", "tesu", "tesT~", "tes~",
		"TeSt_1", "tes%t", "te_t", "te\\st", "Ätest", "äTEST", "testÄ", "\u212aelvin", "kelvin", "Kelvin", "KELVIN",
		"a~", "a~b", "a\x7fb", "ab", "AB", "aB", "Ab", "abc", "x%y", "x_y", "xay", "X%Y", "smith, john", "Smith, John"}
	for _, v := range values {
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, v); err != nil {
			t.Fatal(err)
		}
	}
	s := &Schema{Fields: map[string]Field{"v": {Column: "t.v", Type: String, Ops: OpsEquality | OpLike, Folded: "lower(t.v)"}}}
	masks := []string{"test*", "TeSt*", "test", "TEST1234", "tes*", "te?t*", "tes%*", "te_t", "te\\st*", "*st", "t*t",
		"Ä*", "ätest", "\u212a*", "k*", "KELVIN", "a~*", "a*", "AB", "ab*", "x%y", "x_y*", "X%*", "smith, j*", "*"}
	for _, mask := range masks {
		for _, op := range []string{"like", "eq"} {
			raw := fmt.Sprintf("%s(v,%s)", op, strings.NewReplacer("%", "%25", ",", "%2C", "\\", "%5C", " ", "%20").Replace(mask))
			p, err := compile(t, s, raw, SQLite, 1)
			if err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			got := matching(t, db, p.Where, p.Args)
			var want []string
			if op == "like" {
				want = matching(t, db, `t.v LIKE $1 ESCAPE '\'`, []any{likePattern(mask)})
			} else {
				want = matching(t, db, `t.v = $1`, []any{mask})
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (%s %v): got %q, want %q", raw, p.Where, p.Args, got, want)
			}
		}
	}
}

func matching(t *testing.T, db *sql.DB, where string, args []any) []string {
	t.Helper()
	rows, err := db.Query("SELECT v FROM t WHERE "+where+" ORDER BY v", args...)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
