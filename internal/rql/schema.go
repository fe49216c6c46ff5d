package rql

import "strings"

// Type is the type of a field's values. A query value is converted by the
// type of the field it is compared with, never by its look: "000001" stays a
// string for a String field and is the integer 1 for an Int field.
type Type int

const (
	String  Type = iota // bound as string
	Int                 // bound as int64
	Time                // RFC 3339 date-time or date; bound as int64 Unix microseconds
	Bool                // true/false, true()/false(); bound as bool
	Decimal             // decimal text like 20.84 or -3; bound as the string itself
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "integer"
	case Time:
		return "date-time"
	case Bool:
		return "boolean"
	case Decimal:
		return "decimal"
	}
	return "unknown type"
}

// Op is a set of comparison operators, as a bitmask. A comparison in a Query
// holds exactly one bit.
type Op uint32

const (
	OpEq Op = 1 << iota
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn
	OpOut
	OpLike
)

// Handy operator sets for Field.Ops.
const (
	OpsCompare  = OpEq | OpNe | OpLt | OpLe | OpGt | OpGe | OpIn | OpOut
	OpsEquality = OpEq | OpNe | OpIn | OpOut
)

var opNames = []struct {
	op   Op
	name string
}{
	{OpEq, "eq"}, {OpNe, "ne"}, {OpLt, "lt"}, {OpLe, "le"}, {OpGt, "gt"},
	{OpGe, "ge"}, {OpIn, "in"}, {OpOut, "out"}, {OpLike, "like"},
}

// String returns the RQL name of a single operator ("eq"), or the names of a
// set joined by "|".
func (o Op) String() string {
	var names []string
	for _, n := range opNames {
		if o&n.op != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "|")
}

func opByName(name string) (Op, bool) {
	for _, n := range opNames {
		if n.name == name {
			return n.op, true
		}
	}
	return 0, false
}

// Field describes one filterable API field.
type Field struct {
	Column   string // SQL expression (trusted, from our code), e.g. "o.internal_id"
	Type     Type
	Ops      Op // allowed operators; zero means OpsEquality for String/Bool, OpsCompare for Int/Time/Decimal
	Sortable bool

	// Exists, when non-empty, makes the field live in another table (EAV
	// attributes). It is the start of a correlated subquery whose first "%s"
	// is replaced by a placeholder bound to ExistsKey, e.g.
	//
	//	"SELECT 1 FROM order_attributes x WHERE x.order_id = o.id AND x.attribute_id = %s AND "
	//
	// The predicate on Column (here x.value) is appended and the whole is
	// wrapped in EXISTS(...): the comparison holds when some attribute row
	// satisfies it, so a missing attribute behaves like a NULL column. The one
	// exception is eq(f,null()), which becomes NOT EXISTS(... Column IS NOT NULL)
	// and so also matches rows without the attribute. Exists fields are never
	// sortable.
	Exists    string
	ExistsKey any

	// Upper says the column holds upper-case ASCII letters, digits and punctuation only
	// (order numbers): a like() mask with a literal prefix then also bounds the column to that
	// prefix's range, which an index on the column serves (a LIKE alone is a scan; LIKE is
	// case-insensitive on both engines, and the range of the upper-cased prefix is exact for
	// such values).
	Upper bool

	// Folded is an SQL expression of the column lower-cased that an index serves (an expression
	// index, e.g. "lower(x.value)"). eq() and like() then also bound it, so that index finds
	// the candidates and the exact comparison only confirms them: eq(f,v) adds
	// Folded = lower(v), a like() mask without wildcards (a case-insensitive equality) the
	// same, and on SQLite a mask with a literal ASCII prefix the range of that prefix
	// lower-cased (SQLite compares text bytewise; a PostgreSQL collation need not order a
	// prefix's strings inside such a range, so there the mask's LIKE stands alone).
	Folded string
}

// ops returns the operators allowed on f. like is only ever allowed on
// String fields: it has no meaning for numbers and times.
func (f Field) ops() Op {
	ops := f.Ops
	if ops == 0 {
		switch f.Type {
		case String, Bool:
			ops = OpsEquality
		default:
			ops = OpsCompare
		}
	}
	if f.Type != String {
		ops &^= OpLike
	}
	return ops
}

// Dialect selects the SQL engine Compile writes for.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

// Page sizes used when a Schema leaves DefaultLimit or MaxLimit zero.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Schema is the whitelist of one collection: the only names a query may use
// and the trusted SQL they stand for.
type Schema struct {
	Fields       map[string]Field                // API field name → field; names may be dotted: "account.aps.id"
	Dynamic      func(name string) (Field, bool) // optional: fields not in the map (attribute ids of orders)
	Selects      []string                        // names allowed in select(); anything else is an error
	DefaultSort  string                          // SQL ORDER BY used when no sort() is given, e.g. "o.internal_id DESC"
	Tiebreak     string                          // unique column appended to every ORDER BY for stable paging, e.g. "o.id"
	DefaultLimit int                             // page size when there is no limit(); 0 means DefaultLimit (100)
	MaxLimit     int                             // largest count limit() may ask for, larger is an error; 0 means MaxLimit (1000)
}

func (s *Schema) field(name string) (Field, bool) {
	if f, ok := s.Fields[name]; ok {
		return f, true
	}
	if s.Dynamic != nil {
		return s.Dynamic(name)
	}
	return Field{}, false
}

// PageSize returns the page size used without limit() and the largest count
// allowed, with the package defaults filled in, so that paging from other
// sources (an HTTP Range header) obeys the same bounds.
func (s *Schema) PageSize() (def, max int) {
	return s.defaultLimit(), s.maxLimit()
}

func (s *Schema) defaultLimit() int {
	if s.DefaultLimit > 0 {
		return s.DefaultLimit
	}
	return DefaultLimit
}

func (s *Schema) maxLimit() int {
	if s.MaxLimit > 0 {
		return s.MaxLimit
	}
	return MaxLimit
}
