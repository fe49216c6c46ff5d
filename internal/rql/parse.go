package rql

import (
	"strings"
	"unicode/utf8"
)

// Limits that keep parsing cheap whatever the client sends.
const (
	MaxQueryLen = 8192 // bytes of raw query
	MaxDepth    = 32   // nesting of parentheses
	MaxNodes    = 2000 // terms, values and names in one query
	MaxTupleLen = 1000 // values in one in()/out() list
)

// Parse parses a raw, still %-encoded URL query (r.URL.RawQuery) into a
// Query. It checks syntax only; names and values are checked against a
// Schema by Compile.
func Parse(raw string) (*Query, error) {
	if len(raw) > MaxQueryLen {
		return nil, errorf(MaxQueryLen, "query is longer than %d bytes", MaxQueryLen)
	}
	q := &Query{}
	if raw == "" {
		return q, nil
	}
	p := &parser{s: raw}
	items, seps, err := p.seq()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, errorf(p.pos, "unbalanced ')'")
	}
	or, err := conjunction(seps)
	if err != nil {
		return nil, err
	}
	var filter []Expr
	for _, it := range items {
		d, ok := it.(*directive)
		if !ok {
			filter = append(filter, it)
			continue
		}
		if or {
			return nil, errorf(d.Pos, "%s() cannot be joined with '|'", d.name)
		}
		if err := q.apply(d); err != nil {
			return nil, err
		}
	}
	switch {
	case len(filter) == 1:
		q.Filter = filter[0]
	case len(filter) > 1:
		q.Filter = &Junction{Pos: 0, Or: or, Args: filter}
	}
	return q, nil
}

// directive is sort(), select() or limit() while parsing; Parse lifts it
// out of the filter tree, and it is an error anywhere but at the top level.
type directive struct {
	Pos    int
	name   string
	sort   []SortKey
	idents []Ident
	limit  Limit
}

func (d *directive) Position() int  { return d.Pos }
func (d *directive) String() string { return d.name + "()" }
func (*directive) isExpr()          {}

func (q *Query) apply(d *directive) error {
	switch d.name {
	case "sort":
		if q.Sort != nil {
			return errorf(d.Pos, "sort() given twice")
		}
		q.Sort = d.sort
	case "select":
		if q.Select != nil {
			return errorf(d.Pos, "select() given twice")
		}
		q.Select = d.idents
	case "limit":
		if q.HasLimit {
			return errorf(d.Pos, "limit() given twice")
		}
		q.Limit, q.HasLimit = d.limit, true
	}
	return nil
}

type parser struct {
	s     string
	pos   int
	depth int
	nodes int
}

// sep is a separator between terms: ',' '&' or '|'.
type sep struct {
	pos int
	c   byte
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

func (p *parser) node() error {
	p.nodes++
	if p.nodes > MaxNodes {
		return errorf(p.pos, "query has more than %d terms and values", MaxNodes)
	}
	return nil
}

// open consumes '(' and counts the nesting; close consumes ')'.
func (p *parser) open() error {
	p.depth++
	if p.depth > MaxDepth {
		return errorf(p.pos, "query nests deeper than %d", MaxDepth)
	}
	p.pos++
	return nil
}

func (p *parser) close(what string) error {
	if p.peek() != ')' {
		return p.unexpected("')' to close " + what)
	}
	p.depth--
	p.pos++
	return nil
}

func (p *parser) unexpected(want string) error {
	if p.eof() {
		return errorf(p.pos, "expected %s, found end of query", want)
	}
	c := p.s[p.pos]
	if c == ')' && p.depth == 0 {
		return errorf(p.pos, "unbalanced ')'")
	}
	return errorf(p.pos, "expected %s, found %q", want, c)
}

// isWord reports whether c may appear in a name or value. Everything else is
// structure or must be %-encoded.
func isWord(c byte) bool {
	switch c {
	case '(', ')', ',', '&', '|', '=', '!':
		return false
	}
	return c > ' ' && c != 0x7f
}

// word consumes a run of word bytes and returns it raw.
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.s) && isWord(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// seq parses term {sep term} up to ')' or the end of the query.
func (p *parser) seq() ([]Expr, []sep, error) {
	var items []Expr
	var seps []sep
	for {
		t, err := p.term()
		if err != nil {
			return nil, nil, err
		}
		items = append(items, t)
		switch c := p.peek(); c {
		case ',', '&', '|':
			seps = append(seps, sep{p.pos, c})
			p.pos++
		default:
			if p.eof() || c == ')' {
				return items, seps, nil
			}
			return nil, nil, p.unexpected("',', '&', '|' or ')'")
		}
	}
}

// conjunction says whether a group is an or: '|' makes it one, ',' and '&'
// make it an and, and mixing them needs parentheses.
func conjunction(seps []sep) (or bool, err error) {
	for i, s := range seps {
		if (s.c == '|') != (seps[0].c == '|') {
			return false, errorf(seps[i].pos, "cannot mix '|' with ',' or '&' in one group; add parentheses")
		}
	}
	return len(seps) > 0 && seps[0].c == '|', nil
}

// filters checks that no directive hides in a nested position.
func filters(items []Expr) error {
	for _, it := range items {
		if d, ok := it.(*directive); ok {
			return errorf(d.Pos, "%s() is only allowed at the top level of the query", d.name)
		}
	}
	return nil
}

func (p *parser) term() (Expr, error) {
	if err := p.node(); err != nil {
		return nil, err
	}
	start := p.pos
	if p.peek() == '(' {
		return p.group()
	}
	name := p.word()
	if name == "" {
		return nil, p.unexpected("a term")
	}
	switch p.peek() {
	case '(':
		return p.call(start, name)
	case '=', '!':
		return p.fiql(start, name)
	}
	return nil, p.unexpected("'(' or '=' after " + quote(name))
}

// group parses (a,b) (a&b) (a|b) in term position.
func (p *parser) group() (Expr, error) {
	start := p.pos
	if err := p.open(); err != nil {
		return nil, err
	}
	items, seps, err := p.seq()
	if err != nil {
		return nil, err
	}
	if err := p.close("the group"); err != nil {
		return nil, err
	}
	if err := filters(items); err != nil {
		return nil, err
	}
	or, err := conjunction(seps)
	if err != nil {
		return nil, err
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &Junction{Pos: start, Or: or, Args: items}, nil
}

func (p *parser) call(start int, name string) (Expr, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	var (
		e   Expr
		err error
	)
	switch name {
	case "and", "or":
		e, err = p.junction(start, name == "or")
	case "not":
		e, err = p.not(start)
	case "sort":
		e, err = p.sort(start)
	case "select":
		e, err = p.selectNames(start)
	case "limit":
		e, err = p.limit(start)
	case "null", "true", "false", "empty":
		return nil, errorf(start, "%s() is a value, not a filter", name)
	default:
		op, ok := opByName(name)
		if !ok {
			return nil, errorf(start, "unknown operator %s", quote(name))
		}
		e, err = p.cmpArgs(start, op)
	}
	if err != nil {
		return nil, err
	}
	return e, p.close(name + "()")
}

func (p *parser) junction(start int, or bool) (Expr, error) {
	name := "and"
	if or {
		name = "or"
	}
	if p.peek() == ')' {
		return nil, errorf(p.pos, "%s() needs at least one argument", name)
	}
	items, seps, err := p.seq()
	if err != nil {
		return nil, err
	}
	if err := filters(items); err != nil {
		return nil, err
	}
	for _, s := range seps {
		if s.c == '|' && !or || s.c == '&' && or {
			return nil, errorf(s.pos, "%q cannot separate the arguments of %s()", s.c, name)
		}
	}
	return &Junction{Pos: start, Or: or, Args: items}, nil
}

func (p *parser) not(start int) (Expr, error) {
	if p.peek() == ')' {
		return nil, errorf(p.pos, "not() needs an argument")
	}
	arg, err := p.term()
	if err != nil {
		return nil, err
	}
	if err := filters([]Expr{arg}); err != nil {
		return nil, err
	}
	return &Not{Pos: start, Arg: arg}, nil
}

// cmpArgs parses "field,value" or "field,(values)" after op(.
func (p *parser) cmpArgs(start int, op Op) (Expr, error) {
	c := &Cmp{Pos: start, Op: op}
	if err := p.fieldName(c); err != nil {
		return nil, err
	}
	if p.peek() != ',' {
		return nil, p.unexpected("',' after the field name")
	}
	p.pos++
	return c, p.operand(c)
}

// fiql parses a=b, a==b, a!=b and a=op=b after the field name.
func (p *parser) fiql(start int, name string) (Expr, error) {
	field, err := decode(name, start)
	if err != nil {
		return nil, err
	}
	c := &Cmp{Pos: start, Op: OpEq, Field: field, FieldPos: start}
	opPos := p.pos
	if p.peek() == '!' {
		p.pos++
		if p.peek() != '=' {
			return nil, p.unexpected("'=' after '!'")
		}
		c.Op = OpNe
	}
	p.pos++ // the '='
	if c.Op == OpEq {
		mark := p.pos
		switch w := p.word(); {
		case p.peek() == '=' && w == "":
			p.pos++ // a==b
		case p.peek() == '=':
			op, ok := opByName(w)
			if !ok {
				return nil, errorf(opPos, "unknown operator %s", quote("="+w+"="))
			}
			c.Op = op
			p.pos++
		default:
			p.pos = mark
		}
	}
	return c, p.operand(c)
}

func (p *parser) fieldName(c *Cmp) error {
	if err := p.node(); err != nil {
		return err
	}
	c.FieldPos = p.pos
	raw := p.word()
	if raw == "" {
		return p.unexpected("a field name")
	}
	name, err := decode(raw, c.FieldPos)
	c.Field = name
	return err
}

// operand parses the value (or, for in/out, the list of values) of c.
func (p *parser) operand(c *Cmp) error {
	if c.Op == OpIn || c.Op == OpOut {
		vals, err := p.tuple(c.Op)
		c.Values = vals
		return err
	}
	v, err := p.value()
	c.Value = v
	return err
}

func (p *parser) tuple(op Op) ([]Value, error) {
	if p.peek() != '(' {
		return nil, p.unexpected("a list of values like (a,b) as the second argument of " + op.String() + "()")
	}
	if err := p.open(); err != nil {
		return nil, err
	}
	vals := []Value{}
	for p.peek() != ')' {
		if len(vals) == MaxTupleLen {
			return nil, errorf(p.pos, "list has more than %d values", MaxTupleLen)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		if p.peek() != ',' {
			break
		}
		p.pos++
	}
	return vals, p.close("the list")
}

// value parses one value: text, a typed text like string:x, or one of
// null() true() false() empty().
func (p *parser) value() (Value, error) {
	if err := p.node(); err != nil {
		return Value{}, err
	}
	start := p.pos
	raw := p.word()
	if p.peek() == '(' {
		if raw == "" {
			return Value{}, errorf(start, "expected a single value, found a list")
		}
		return p.typedCall(start, raw)
	}
	if raw == "" {
		if p.eof() || p.peek() == ',' || p.peek() == ')' {
			return Value{}, errorf(start, "empty value; write empty() for the empty string")
		}
		return Value{}, p.unexpected("a value")
	}
	return literal(raw, start)
}

func (p *parser) typedCall(start int, name string) (Value, error) {
	v := Value{Pos: start}
	switch name {
	case "null":
		v.Kind = Null
	case "true":
		v.Kind = True
	case "false":
		v.Kind = False
	case "empty":
		v.Kind = Empty
	default:
		return v, errorf(start, "%s is not a value; values are text or null() true() false() empty()", quote(name+"()"))
	}
	if err := p.open(); err != nil {
		return v, err
	}
	return v, p.close(name + "() without arguments")
}

// converter returns the kind of value a prefix like "string:" announces.
// These are npm rql's converters: a raw ':' after one of them starts a typed
// value; anywhere else ':' is plain text, so times like 2018-04-26T16:00:00Z
// need no encoding. An encoded %3A never starts a prefix. Converters npm rql
// knows but we do not support are refused (ok, not supported) rather than
// silently read as text.
func converter(prefix string) (kind ValueKind, ok, supported bool) {
	switch prefix {
	case "string":
		return StringLit, true, true
	case "number":
		return NumberLit, true, true
	case "date":
		return DateLit, true, true
	case "boolean":
		return True, true, true
	case "auto", "epoch", "isodate", "re", "RE", "glob":
		return 0, true, false
	}
	return 0, false, false
}

func isConverter(s string) bool {
	_, ok, _ := converter(s)
	return ok
}

func literal(raw string, pos int) (Value, error) {
	v := Value{Pos: pos, Kind: Literal}
	if i := strings.IndexByte(raw, ':'); i > 0 {
		if kind, ok, supported := converter(raw[:i]); ok {
			if !supported {
				return v, errorf(pos, "value converter %s is not supported", quote(raw[:i]))
			}
			v.Kind = kind
			raw, pos = raw[i+1:], pos+i+1
		}
	}
	text, err := decode(raw, pos)
	if err != nil {
		return v, err
	}
	v.Text = text
	if v.Kind == True {
		switch text {
		case "true":
		case "false":
			v.Kind = False
		default:
			return v, errorf(pos, "boolean value %s is not true or false", quote(text))
		}
		v.Text = ""
	}
	return v, nil
}

// decode %-decodes one name or value. '+' stays a plus: RQL is not form
// encoding. The result must be UTF-8 without NUL bytes, which databases
// refuse in text.
func decode(raw string, pos int) (string, error) {
	s := raw
	if strings.IndexByte(raw, '%') >= 0 {
		b := make([]byte, 0, len(raw))
		for i := 0; i < len(raw); i++ {
			if raw[i] != '%' {
				b = append(b, raw[i])
				continue
			}
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return "", errorf(pos+i, "malformed %%-escape in %s", quote(raw))
			}
			b = append(b, unhex(raw[i+1])<<4|unhex(raw[i+2]))
			i += 2
		}
		s = string(b)
	}
	if !utf8.ValidString(s) {
		return "", errorf(pos, "%s is not valid UTF-8", quote(s))
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", errorf(pos, "%s contains a NUL byte", quote(s))
	}
	return s, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func (p *parser) sort(start int) (Expr, error) {
	d := &directive{Pos: start, name: "sort"}
	for {
		if err := p.node(); err != nil {
			return nil, err
		}
		k := SortKey{Pos: p.pos}
		name, err := decode(p.word(), k.Pos)
		if err != nil {
			return nil, err
		}
		// The sign may come encoded (%2B) from clients that encode all '+'.
		if name != "" && (name[0] == '+' || name[0] == '-') {
			k.Desc = name[0] == '-'
			name = name[1:]
		}
		if name == "" {
			return nil, p.unexpected("a field name to sort by")
		}
		k.Field = name
		d.sort = append(d.sort, k)
		if p.peek() != ',' {
			return d, nil
		}
		p.pos++
	}
}

func (p *parser) selectNames(start int) (Expr, error) {
	d := &directive{Pos: start, name: "select"}
	for {
		if err := p.node(); err != nil {
			return nil, err
		}
		id := Ident{Pos: p.pos}
		raw := p.word()
		if raw == "" {
			return nil, p.unexpected("a name to select")
		}
		name, err := decode(raw, id.Pos)
		if err != nil {
			return nil, err
		}
		id.Name = name
		d.idents = append(d.idents, id)
		if p.peek() != ',' {
			return d, nil
		}
		p.pos++
	}
}

func (p *parser) limit(start int) (Expr, error) {
	d := &directive{Pos: start, name: "limit"}
	n, err := p.count("start offset")
	if err != nil {
		return nil, err
	}
	d.limit = Limit{Pos: start, Start: n}
	if p.peek() == ',' {
		p.pos++
		if d.limit.Count, err = p.count("count"); err != nil {
			return nil, err
		}
		d.limit.HasCount = true
	}
	return d, nil
}

// count parses a non-negative decimal integer below one billion.
func (p *parser) count(what string) (int, error) {
	pos := p.pos
	raw := p.word()
	if raw == "" {
		return 0, p.unexpected("the limit " + what)
	}
	if len(raw) > 9 || strings.Trim(raw, "0123456789") != "" {
		return 0, errorf(pos, "limit %s %s is not a whole number between 0 and 999999999", what, quote(raw))
	}
	n := 0
	for i := 0; i < len(raw); i++ {
		n = n*10 + int(raw[i]-'0')
	}
	return n, nil
}
