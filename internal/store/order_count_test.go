package store

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func TestCaseVariants(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", nil},
		{"j", []string{"J", "j"}},
		{"Jo", []string{"JO", "Jo", "jO", "jo"}},
		{"a1", []string{"A1", "a1"}},
		{"1 %", []string{"1 %"}},
		{"John Smith", []string{"JOHN ", "JOHn ", "JOhN ", "JOhn ", "JoHN ", "JoHn ", "JohN ", "John ",
			"jOHN ", "jOHn ", "jOhN ", "jOhn ", "joHN ", "joHn ", "johN ", "john "}}, // cut before the fifth letter
		{"a b-c d e", caseVariants("a b-c d ")},
	}
	for _, tt := range tests {
		if got := caseVariants(tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("caseVariants(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
	prefixes := map[string]string{"John%": "John", `a\%b%`: "a%b", `a\_b_c`: "a_b", "%x": "", "x\u00e9y%": "x", "ab\x01c": "ab", `tail\`: `tail\`}
	for pattern, want := range prefixes {
		if got := likePrefix(pattern); got != want {
			t.Errorf("likePrefix(%q) = %q, want %q", pattern, got, want)
		}
	}
}

// FuzzPrefixRanges checks prefixRanges' premise on SQLite itself: a name the LIKE matches lies
// in exactly one of its pattern's case-variant ranges, and a name in none of them is one the
// LIKE does not match.
func FuzzPrefixRanges(f *testing.F) {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	for _, seed := range [][2]string{{"John*", "john smith"}, {"JOHN*", "JoHn"}, {"jo?n*", "Joan"}, {"a~*", "a~b"},
		{"x%*", "X%Y"}, {"x_*", "xay"}, {"Jö*", "JÖ"}, {"*", "anything"}, {"ab", "AB"}, {`a\*`, `A\x`}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, mask, name string) {
		pattern := maskPattern(mask)
		var like bool
		if err := db.QueryRow(`SELECT ? LIKE ? ESCAPE '\'`, name, pattern).Scan(&like); err != nil {
			t.Skip(err) // a pattern SQLite refuses (too long, say) is not ours to range
		}
		variants := caseVariants(likePrefix(pattern))
		if variants == nil {
			return
		}
		in := 0
		for _, v := range variants {
			hi := v[:len(v)-1] + string(v[len(v)-1]+1)
			if v <= name && name < hi {
				in++
			}
		}
		if in > 1 || like && in == 0 {
			t.Errorf("mask %q (pattern %q), name %q: LIKE %v, in %d of the ranges of %q", mask, pattern, name, like, in, variants)
		}
	})
}

// maskPattern is rql's likePattern: an RQL mask as a LIKE pattern with '\' as the escape.
func maskPattern(mask string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`, "*", "%", "?", "_").Replace(mask)
}
