package rql

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Plan is a compiled query: SQL fragments to splice into a hand-written
// statement, and the arguments for their placeholders.
type Plan struct {
	Where     string // "" when there is no filter; else a boolean SQL expression (no "WHERE" keyword) using $N placeholders
	Args      []any  // values for the placeholders, in order: string, int64, bool, or int64 Unix MICROseconds for Time fields
	OrderBy   string // sort keys (or DefaultSort) + Tiebreak, no "ORDER BY" keyword; non-empty when the schema has a Tiebreak
	Offset    int
	Count     int  // page size
	HasLimit  bool // false when the query had no limit() (the HTTP layer then honours a Range header)
	CountOnly bool // limit(start,0): only the total is wanted
	Select    []string
}

// Compile checks the query against the schema and builds the SQL fragments.
// firstArg is the number of the first placeholder ($firstArg), so callers can
// put their own arguments (e.g. the caller's account scope) before the
// filter's; values below 1 count as 1.
//
// Where can be joined to other conditions with AND without extra
// parentheses: a top-level or() comes back parenthesized.
func (s *Schema) Compile(q *Query, d Dialect, firstArg int) (*Plan, error) {
	if firstArg < 1 {
		firstArg = 1
	}
	c := &compiler{schema: s, dialect: d, next: firstArg}
	if q.Filter != nil {
		if err := c.expr(q.Filter, true); err != nil {
			return nil, err
		}
	}
	plan := &Plan{Where: c.b.String(), Args: c.args}
	var err error
	if plan.OrderBy, err = s.orderBy(q.Sort); err != nil {
		return nil, err
	}
	if plan.Select, err = s.selects(q.Select); err != nil {
		return nil, err
	}
	plan.Count = s.defaultLimit()
	if q.HasLimit {
		plan.HasLimit = true
		plan.Offset = q.Limit.Start
		if q.Limit.HasCount {
			if q.Limit.Count > s.maxLimit() {
				return nil, errorf(q.Limit.Pos, "limit count %d is more than the maximum %d", q.Limit.Count, s.maxLimit())
			}
			plan.Count = q.Limit.Count
			plan.CountOnly = q.Limit.Count == 0
		}
	}
	return plan, nil
}

type compiler struct {
	schema  *Schema
	dialect Dialect
	next    int
	args    []any
	b       strings.Builder
}

func (c *compiler) placeholder(arg any) {
	c.args = append(c.args, arg)
	c.b.WriteByte('$')
	c.b.WriteString(strconv.Itoa(c.next))
	c.next++
}

// expr writes e. Junctions are parenthesized except a top-level and, so the
// result never changes meaning when ANDed with more conditions.
func (c *compiler) expr(e Expr, top bool) error {
	switch e := e.(type) {
	case *Junction:
		paren := e.Or || !top
		if paren {
			c.b.WriteByte('(')
		}
		for i, a := range e.Args {
			if i > 0 {
				if e.Or {
					c.b.WriteString(" OR ")
				} else {
					c.b.WriteString(" AND ")
				}
			}
			if err := c.expr(a, false); err != nil {
				return err
			}
		}
		if paren {
			c.b.WriteByte(')')
		}
		return nil
	case *Not:
		if _, ok := e.Arg.(*Junction); ok {
			c.b.WriteString("NOT ")
			return c.expr(e.Arg, false)
		}
		c.b.WriteString("NOT (")
		if err := c.expr(e.Arg, false); err != nil {
			return err
		}
		c.b.WriteByte(')')
		return nil
	case *Cmp:
		return c.cmp(e)
	}
	return errorf(e.Position(), "%s is not a filter", e)
}

func (c *compiler) cmp(e *Cmp) error {
	f, ok := c.schema.field(e.Field)
	if !ok {
		return fieldErrorf(e.FieldPos, e.Field, "unknown field %s", quote(e.Field))
	}
	if f.ops()&e.Op == 0 {
		return fieldErrorf(e.Pos, e.Field, "operator %q is not allowed on field %s", e.Op.String(), quote(e.Field))
	}
	switch e.Op {
	case OpIn, OpOut:
		return c.list(e, f)
	}
	if e.Value.Kind == Null {
		return c.null(e, f)
	}
	arg, err := convert(e.Field, f, e.Value, e.Op)
	if err != nil {
		return err
	}
	c.openExists(f, "EXISTS(")
	if lo, hi, ok := upperRange(f, e); ok {
		c.b.WriteString(f.Column + " >= ")
		c.placeholder(lo)
		c.b.WriteString(" AND " + f.Column + " < ")
		c.placeholder(hi)
		c.b.WriteString(" AND ")
	}
	if c.folded(f, e) && e.Op == OpLike && c.dialect != Postgres {
		// The bound is the whole of the case-insensitive match: SQLite's LIKE and lower() fold
		// the same (ASCII) letters, so the LIKE would only re-test what the index found.
		c.closeExists(f)
		return nil
	}
	c.b.WriteString(f.Column)
	switch e.Op {
	case OpEq:
		c.b.WriteString(" = ")
	case OpNe:
		c.b.WriteString(" <> ")
	case OpLt:
		c.b.WriteString(" < ")
	case OpLe:
		c.b.WriteString(" <= ")
	case OpGt:
		c.b.WriteString(" > ")
	case OpGe:
		c.b.WriteString(" >= ")
	case OpLike:
		if c.dialect == Postgres {
			c.b.WriteString(" ILIKE ")
		} else {
			c.b.WriteString(" LIKE ")
		}
	}
	c.placeholder(arg)
	if e.Op == OpLike {
		c.b.WriteString(` ESCAPE '\'`)
	}
	c.closeExists(f)
	return nil
}

// null writes eq(f,null()) and ne(f,null()); other operators cannot take null.
func (c *compiler) null(e *Cmp, f Field) error {
	if e.Op != OpEq && e.Op != OpNe {
		return fieldErrorf(e.Value.Pos, e.Field, "field %s: operator %q cannot compare with null(); use eq or ne", quote(e.Field), e.Op.String())
	}
	if f.Exists != "" {
		// A missing attribute row counts as null.
		if e.Op == OpEq {
			c.openExists(f, "NOT EXISTS(")
		} else {
			c.openExists(f, "EXISTS(")
		}
		c.b.WriteString(f.Column + " IS NOT NULL")
		c.closeExists(f)
		return nil
	}
	if e.Op == OpEq {
		c.b.WriteString(f.Column + " IS NULL")
	} else {
		c.b.WriteString(f.Column + " IS NOT NULL")
	}
	return nil
}

func (c *compiler) list(e *Cmp, f Field) error {
	args := make([]any, len(e.Values))
	for i, v := range e.Values {
		if v.Kind == Null {
			return fieldErrorf(v.Pos, e.Field, "field %s: null() cannot be in a list; use eq(%s,null())", quote(e.Field), e.Field)
		}
		arg, err := convert(e.Field, f, v, e.Op)
		if err != nil {
			return err
		}
		args[i] = arg
	}
	if len(args) == 0 {
		// x IN () is not SQL; the empty list matches nothing.
		if e.Op == OpIn {
			c.b.WriteString("1=0")
		} else {
			c.b.WriteString("1=1")
		}
		return nil
	}
	c.openExists(f, "EXISTS(")
	c.b.WriteString(f.Column)
	if e.Op == OpIn {
		c.b.WriteString(" IN (")
	} else {
		c.b.WriteString(" NOT IN (")
	}
	for i, a := range args {
		if i > 0 {
			c.b.WriteByte(',')
		}
		c.placeholder(a)
	}
	c.b.WriteByte(')')
	c.closeExists(f)
	return nil
}

// openExists starts the correlated subquery of an EAV field, binding its key
// at the first "%s" of f.Exists (see Field.Exists).
func (c *compiler) openExists(f Field, open string) {
	if f.Exists == "" {
		return
	}
	c.b.WriteString(open)
	before, after, found := strings.Cut(f.Exists, "%s")
	c.b.WriteString(before)
	if found {
		c.placeholder(f.ExistsKey)
		c.b.WriteString(after)
	}
}

func (c *compiler) closeExists(f Field) {
	if f.Exists != "" {
		c.b.WriteByte(')')
	}
}

var decimalText = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`)

// convert turns a value into the argument for a field of f's type.
func convert(name string, f Field, v Value, op Op) (any, error) {
	bad := func(what string) error {
		return fieldErrorf(v.Pos, name, "field %s: value %s is not %s", quote(name), quote(v.String()), what)
	}
	if op == OpLike {
		switch v.Kind {
		case Literal, StringLit:
			return likePattern(v.Text), nil
		case Empty:
			return "", nil
		}
		return nil, bad("a like() pattern")
	}
	switch f.Type {
	case String:
		switch v.Kind {
		case Literal, StringLit:
			return v.Text, nil
		case Empty:
			return "", nil
		}
		return nil, bad("a string")
	case Int:
		if v.Kind == Literal || v.Kind == NumberLit {
			if n, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
				return n, nil
			}
		}
		return nil, bad("an integer")
	case Decimal:
		if (v.Kind == Literal || v.Kind == NumberLit) && decimalText.MatchString(v.Text) {
			return v.Text, nil
		}
		return nil, bad("a decimal number")
	case Time:
		if v.Kind == Literal || v.Kind == DateLit {
			if t, ok := parseTime(v.Text); ok {
				return t.UnixMicro(), nil
			}
		}
		return nil, bad("a date-time (RFC 3339)")
	case Bool:
		switch {
		case v.Kind == True, v.Kind == Literal && v.Text == "true":
			return true, nil
		case v.Kind == False, v.Kind == Literal && v.Text == "false":
			return false, nil
		}
		return nil, bad("a boolean")
	}
	return nil, bad("of a known type")
}

// parseTime accepts RFC 3339 date-times and plain dates (midnight UTC).
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// upperRange is the range [lo, hi) of the literal prefix of a like() mask on an Upper field.
func upperRange(f Field, e *Cmp) (lo, hi string, ok bool) {
	if !f.Upper || f.Exists != "" || e.Op != OpLike || (e.Value.Kind != Literal && e.Value.Kind != StringLit) {
		return "", "", false
	}
	prefix := e.Value.Text
	if i := strings.IndexAny(prefix, "*?"); i >= 0 {
		prefix = prefix[:i]
	}
	prefix = strings.ToUpper(prefix)
	if prefix == "" || prefix[len(prefix)-1] >= 0x7e {
		return "", "", false
	}
	for i := 0; i < len(prefix); i++ {
		if prefix[i] < 0x20 || prefix[i] > 0x7e {
			return "", "", false
		}
	}
	return prefix, prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1), true
}

// folded writes the bound on f.Folded that an eq() or like() implies (see Field.Folded),
// followed by " AND " unless it is the whole of a like() on SQLite: it reports whether the bound
// matches exactly what the like() does there (a mask without wildcards, or an ASCII prefix and
// one trailing '*'), and then the caller writes no LIKE.
func (c *compiler) folded(f Field, e *Cmp) (exact bool) {
	if f.Folded == "" || (e.Op != OpEq && e.Op != OpLike) || (e.Value.Kind != Literal && e.Value.Kind != StringLit) {
		return false
	}
	text := e.Value.Text
	wild := strings.IndexAny(text, "*?")
	sqlite := c.dialect != Postgres
	switch {
	case e.Op == OpEq || wild < 0:
		c.b.WriteString(f.Folded + " = lower(")
		c.placeholder(text)
		c.b.WriteString(")")
		exact = sqlite && e.Op == OpLike
	case sqlite && wild > 0:
		prefix := text[:wild]
		for i := 0; i < len(prefix); i++ {
			if prefix[i] < 0x20 || prefix[i] >= 0x7e {
				return false // ASCII only: SQLite's LIKE and lower() fold nothing else
			}
		}
		prefix = strings.ToLower(prefix)
		c.b.WriteString(f.Folded + " >= ")
		c.placeholder(prefix)
		c.b.WriteString(" AND " + f.Folded + " < ")
		c.placeholder(prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1))
		exact = wild == len(text)-1 && text[wild] == '*'
	default:
		return false
	}
	if !exact {
		c.b.WriteString(" AND ")
	}
	return exact
}

// likePattern turns an RQL wildcard mask into a SQL LIKE pattern with '\' as
// the escape: '*' is any run, '?' one character, and SQL's own wildcards and
// the escape are matched literally.
func likePattern(mask string) string {
	var b strings.Builder
	for i := 0; i < len(mask); i++ {
		switch c := mask[i]; c {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (s *Schema) orderBy(keys []SortKey) (string, error) {
	var terms []string
	seen := map[string]bool{}
	tiebroken := false
	for _, k := range keys {
		f, ok := s.field(k.Field)
		if !ok {
			return "", fieldErrorf(k.Pos, k.Field, "unknown field %s", quote(k.Field))
		}
		if !f.Sortable || f.Exists != "" {
			return "", fieldErrorf(k.Pos, k.Field, "field %s is not sortable", quote(k.Field))
		}
		if seen[k.Field] {
			return "", fieldErrorf(k.Pos, k.Field, "field %s is sorted on twice", quote(k.Field))
		}
		seen[k.Field] = true
		dir := " ASC"
		if k.Desc {
			dir = " DESC"
		}
		terms = append(terms, f.Column+dir)
		tiebroken = tiebroken || f.Column == s.Tiebreak
	}
	if len(terms) == 0 && s.DefaultSort != "" {
		terms = append(terms, s.DefaultSort)
	}
	if s.Tiebreak != "" && !tiebroken {
		terms = append(terms, s.Tiebreak)
	}
	return strings.Join(terms, ", "), nil
}

func (s *Schema) selects(ids []Ident) ([]string, error) {
	var names []string
	for _, id := range ids {
		allowed := false
		for _, n := range s.Selects {
			allowed = allowed || n == id.Name
		}
		if !allowed {
			return nil, fieldErrorf(id.Pos, id.Name, "%s cannot be selected", quote(id.Name))
		}
		for _, n := range names {
			if n == id.Name {
				return nil, fieldErrorf(id.Pos, id.Name, "%s is selected twice", quote(id.Name))
			}
		}
		names = append(names, id.Name)
	}
	return names, nil
}
