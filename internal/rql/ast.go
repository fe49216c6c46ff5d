package rql

import (
	"strconv"
	"strings"
)

// Query is a parsed RQL query: a filter tree plus the top-level directives
// sort(), select() and limit(), which are lifted out of the tree.
type Query struct {
	Filter   Expr // nil when the query has no filter
	Sort     []SortKey
	Select   []Ident
	Limit    Limit
	HasLimit bool // the query had a limit()
}

// Expr is a node of the filter tree: *Junction, *Not or *Cmp.
type Expr interface {
	// Position is the byte offset of the node in the raw query.
	Position() int
	String() string
	isExpr()
}

// Junction is and(...) or or(...), also written with "," "&" "|" and
// parentheses.
type Junction struct {
	Pos  int
	Or   bool // false: and
	Args []Expr
}

// Not is not(expr).
type Not struct {
	Pos int
	Arg Expr
}

// Cmp compares a field with a value (or, for in/out, a list of values).
type Cmp struct {
	Pos      int    // of the operator name, or of the field in FIQL a=b
	Op       Op     // exactly one operator
	Field    string // %-decoded API field name
	FieldPos int
	Value    Value   // unused for OpIn and OpOut
	Values   []Value // only for OpIn and OpOut
}

func (e *Junction) Position() int { return e.Pos }
func (e *Not) Position() int      { return e.Pos }
func (e *Cmp) Position() int      { return e.Pos }
func (*Junction) isExpr()         {}
func (*Not) isExpr()              {}
func (*Cmp) isExpr()              {}

// ValueKind says how a value was written, which decides how it may be
// converted to its field's type.
type ValueKind int

const (
	Literal   ValueKind = iota // plain text: converted by the field's type
	Null                       // null()
	True                       // true() or boolean:true
	False                      // false() or boolean:false
	Empty                      // empty(): the empty string
	StringLit                  // string:text, only for String fields
	NumberLit                  // number:text, only for Int and Decimal fields
	DateLit                    // date:text, only for Time fields
)

// Value is one value of a comparison. Text is %-decoded.
type Value struct {
	Pos  int
	Kind ValueKind
	Text string // for Literal, StringLit, NumberLit, DateLit
}

// SortKey is one key of sort(+a,-b).
type SortKey struct {
	Pos   int
	Field string
	Desc  bool
}

// Ident is a name in select().
type Ident struct {
	Pos  int
	Name string
}

// Limit is limit(start,count) in APS order: offset first, count second.
type Limit struct {
	Pos      int
	Start    int
	Count    int
	HasCount bool // false for limit(start): the schema's default page size applies
}

// String renders the query as normalized RQL: the filter terms first, then
// sort, select and limit; names and values %-encoded where needed. Parsing
// the result gives a query with the same String.
func (q *Query) String() string {
	var parts []string
	if j, ok := q.Filter.(*Junction); ok && !j.Or {
		for _, a := range j.Args {
			parts = append(parts, a.String())
		}
	} else if q.Filter != nil {
		parts = append(parts, q.Filter.String())
	}
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, k := range q.Sort {
			sign := "+"
			if k.Desc {
				sign = "-"
			}
			keys[i] = sign + encodeName(k.Field)
		}
		parts = append(parts, "sort("+strings.Join(keys, ",")+")")
	}
	if len(q.Select) > 0 {
		names := make([]string, len(q.Select))
		for i, n := range q.Select {
			names[i] = encodeName(n.Name)
		}
		parts = append(parts, "select("+strings.Join(names, ",")+")")
	}
	if q.HasLimit {
		l := "limit(" + strconv.Itoa(q.Limit.Start)
		if q.Limit.HasCount {
			l += "," + strconv.Itoa(q.Limit.Count)
		}
		parts = append(parts, l+")")
	}
	return strings.Join(parts, ",")
}

func (e *Junction) String() string {
	name := "and("
	if e.Or {
		name = "or("
	}
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i] = a.String()
	}
	return name + strings.Join(args, ",") + ")"
}

func (e *Not) String() string { return "not(" + e.Arg.String() + ")" }

func (e *Cmp) String() string {
	s := e.Op.String() + "(" + encodeName(e.Field) + ","
	if e.Op == OpIn || e.Op == OpOut {
		vals := make([]string, len(e.Values))
		for i, v := range e.Values {
			vals[i] = v.String()
		}
		return s + "(" + strings.Join(vals, ",") + "))"
	}
	return s + e.Value.String() + ")"
}

// String renders the value as RQL.
func (v Value) String() string {
	switch v.Kind {
	case Null:
		return "null()"
	case True:
		return "true()"
	case False:
		return "false()"
	case Empty:
		return "empty()"
	case StringLit:
		return "string:" + encodeValue(v.Text)
	case NumberLit:
		return "number:" + encodeValue(v.Text)
	case DateLit:
		return "date:" + encodeValue(v.Text)
	}
	s := encodeValue(v.Text)
	// A literal that looks like "string:x" must not read back as a typed value.
	if i := strings.IndexByte(s, ':'); i >= 0 && isConverter(s[:i]) {
		s = s[:i] + "%3A" + s[i+1:]
	}
	return s
}

// encodeName %-encodes everything but unreserved characters, so a name
// never reads back as a sort sign, a converter or a separator.
func encodeName(s string) string { return encode(s, "-._~") }

// encodeValue keeps the characters that read back as themselves in a value:
// "+" is a literal plus, "*" and "?" are like() wildcards, ":" is kept for
// readable times (see Value.String for converters).
func encodeValue(s string) string { return encode(s, "-._~*?:+") }

func encode(s, keep string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
