package account

import (
	"slices"
	"strings"
)

// Scope is a permission an API token carries.
type Scope string

// Token scopes.
const (
	ScopeOrdersRead  Scope = "orders:read"
	ScopeOrdersWrite Scope = "orders:write"
	ScopeAdmin       Scope = "admin"
)

// AllScopes is what a provider's first token gets.
var AllScopes = []Scope{ScopeOrdersRead, ScopeOrdersWrite, ScopeAdmin}

// ParseScopes reads a comma- or space-separated list and rejects unknown scopes.
func ParseScopes(s string) ([]Scope, bool) {
	var out []Scope
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		sc := Scope(f)
		if !slices.Contains(AllScopes, sc) {
			return nil, false
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, len(out) > 0
}

// JoinScopes is the stored form of a scope list.
func JoinScopes(sc []Scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = string(s)
	}
	return strings.Join(parts, " ")
}

// Principal is an authenticated caller: a token's account and scopes.
type Principal struct {
	Account Account
	Scopes  []Scope
	TokenID int64
}

// Has reports whether the caller holds the scope. admin implies every other scope.
func (p Principal) Has(s Scope) bool {
	return slices.Contains(p.Scopes, s) || slices.Contains(p.Scopes, ScopeAdmin)
}

// CanSee reports whether the caller may see account b: its own subtree only.
func (p Principal) CanSee(b Account) bool { return p.Account.Contains(b) }
