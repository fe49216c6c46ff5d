package store

import (
	"database/sql"
	"sync"
)

// Our SQL numbers its parameters ($1, $2, …) so that one text serves both engines. SQLite's
// sqlite3_bind_parameter_name finds the name of parameter i by a linear walk of the statement's
// list of names, and the driver asks it for every parameter: binding an order row (31
// parameters) or a multi-row insert of lines (hundreds) was quadratic, 8% of the committer's
// time. Anonymous parameters (?) have no names to walk, so on SQLite each text is rewritten once
// into anonymous parameters and the arguments are put in the order their placeholders appear
// ($31 twice takes the 31st argument twice).

// positional is a text rewritten to anonymous parameters; order[i] is the 1-based number of the
// argument the i-th placeholder takes, or nil when that is simply i+1.
type positional struct {
	query string
	order []int
}

var positionalCache sync.Map // original text → positional

// maxPositionalCache bounds the texts remembered (texts built with variable IN lists would grow
// it without end); past it texts are rewritten at every call.
const maxPositionalCache = 4096

var positionalCount struct {
	sync.Mutex
	n int
}

// toPositional returns query with its $N parameters anonymous and the order of its arguments; ok
// is false when the text is kept as it is (no parameters, or something it does not rewrite: a ?
// already, or a $ not followed by a number).
func toPositional(query string) (positional, bool) {
	if p, ok := positionalCache.Load(query); ok {
		p := p.(positional)
		return p, p.query != ""
	}
	p, ok := rewritePositional(query)
	if !ok {
		p = positional{}
	}
	positionalCount.Lock()
	if positionalCount.n < maxPositionalCache {
		positionalCount.n++
		positionalCache.Store(query, p)
	}
	positionalCount.Unlock()
	return p, ok
}

// rewritePositional does the rewriting of toPositional. It skips string literals ('…'), quoted
// identifiers ("…"), and comments (-- to the end of the line, /* … */).
func rewritePositional(query string) (positional, bool) {
	out := make([]byte, 0, len(query))
	var order []int
	identity := true
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			if j == len(query) {
				return positional{}, false // unterminated: leave it to the engine's error
			}
			out = append(out, query[i:j+1]...)
			i = j + 1 // a doubled quote is two literals back to back: the same text
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := i
			for j < len(query) && query[j] != '\n' {
				j++
			}
			out = append(out, query[i:j]...)
			i = j
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := i + 2
			for j+1 < len(query) && (query[j] != '*' || query[j+1] != '/') {
				j++
			}
			if j+1 >= len(query) {
				return positional{}, false
			}
			out = append(out, query[i:j+2]...)
			i = j + 2
		case c == '?':
			return positional{}, false
		case c == '$':
			j, n := i+1, 0
			for j < len(query) && query[j] >= '0' && query[j] <= '9' && n < 1<<20 {
				n = n*10 + int(query[j]-'0')
				j++
			}
			if j == i+1 || query[i+1] == '0' || n >= 1<<20 || j < len(query) && nameByte(query[j]) {
				return positional{}, false // $01 or $1a is a name, not a number
			}
			order = append(order, n)
			identity = identity && n == len(order)
			out = append(out, '?')
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	if len(order) == 0 {
		return positional{}, false
	}
	if identity {
		order = nil
	}
	return positional{query: string(out), order: order}, true
}

// args returns the arguments in the order of the rewritten text's placeholders, and whether it
// could: a named argument (sql.Named) or too few arguments keep the original text, whose error
// (if any) is then the engine's.
func (p positional) args(args []any) ([]any, bool) {
	for _, a := range args {
		if _, named := a.(sql.NamedArg); named {
			return nil, false
		}
	}
	if p.order == nil {
		return args, true
	}
	out := make([]any, len(p.order))
	for i, n := range p.order {
		if n > len(args) {
			return nil, false
		}
		out[i] = args[n-1]
	}
	return out, true
}

// nameByte reports whether SQLite's tokenizer would read c as part of a $name.
func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == ':' || c >= 0x80
}
