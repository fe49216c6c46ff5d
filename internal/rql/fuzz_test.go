package rql

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are the queries of the APS seed plus a few that reach every
// operator, value kind and directive.
var fuzzSeeds = []string{
	"in(type,(SO,BO))",
	"like(orderNumber,*00001)",
	"like(ORDER_ID1,test1234)",
	"ge(creationTime,2018-04-26T16:00:00Z),le(creationTime,2018-04-26T18:00:00Z)",
	"limit(0,9)",
	"limit(0,0)",
	"eq(id,1000001)",
	"eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)",
	"accountId=3fef9702-b2ad-419a-9924-a56882e5f06c",
	"operationType=CANCEL_BY_VENDOR",
	"select(details)",
	"in(type,(SO,BO)),like(orderNumber,*00001),ge(creationTime,2018-04-26T16:00:00Z),sort(-internalId),limit(0,9)",
	"(type=SO|type=BO)&not(status!=NEW),internalId=ge=5,sort(+orderNumber,-creationTime),limit(10)",
	"or(eq(expirationDate,null()),lt(orderDate,date:2019-04-12)),eq(test.flag,true()),eq(total,number:20.84)",
	"out(ORDER_ID1,(a%2Cb,string:c)),ne(ORDER_ID1,null()),eq(endCustomerName,empty()),subscriptionId=x",
	"like(endCustomerName,100%25_?\\*),gt(creationTime,2018-04-26T16:00:00.5+03:00)",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := Parse(raw)
		if err != nil {
			checkError(t, raw, err)
			return
		}
		// The normalized rendering parses back to itself, unless %-encoding
		// made it longer than a query may be.
		s := q.String()
		if len(s) > MaxQueryLen {
			return
		}
		q2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", raw, s, err)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("round trip of %q:\n %s\n %s", raw, s, s2)
		}
	})
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(1))
	}
	schema := orderSchema()
	skeleton := sqlSkeleton(schema)
	f.Fuzz(func(t *testing.T, raw string, first uint8) {
		q, err := Parse(raw)
		if err != nil {
			checkError(t, raw, err)
			return
		}
		firstArg := int(first%8) + 1
		for _, d := range []Dialect{SQLite, Postgres} {
			p, err := schema.Compile(q, d, firstArg)
			if err != nil {
				checkError(t, raw, err)
				continue
			}
			checkPlan(t, raw, p, firstArg, skeleton)
		}
	})
}

func checkError(t *testing.T, raw string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v is a %T, not *rql.Error", raw, err, err)
	}
	if e.Pos < 0 || e.Pos > len(raw) {
		t.Fatalf("%q: error position %d outside the query: %v", raw, e.Pos, e)
	}
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

func checkPlan(t *testing.T, raw string, p *Plan, firstArg int, skeleton []string) {
	t.Helper()
	if problem := planProblem(p, firstArg, skeleton); problem != "" {
		t.Fatalf("%q: %s", raw, problem)
	}
}

// planProblem returns what is wrong with a compiled plan, or "".
func planProblem(p *Plan, firstArg int, skeleton []string) string {
	if n := strings.Count(p.Where, "$"); n != len(p.Args) {
		return fmt.Sprintf("%d '$' in %q but %d args", n, p.Where, len(p.Args))
	}
	for i, ph := range placeholder.FindAllString(p.Where, -1) {
		if ph != "$"+strconv.Itoa(firstArg+i) {
			return fmt.Sprintf("placeholder %d is %s in %q, want $%d", i, ph, p.Where, firstArg+i)
		}
	}
	for _, a := range p.Args {
		switch a.(type) {
		case string, int64, bool:
		default:
			return fmt.Sprintf("arg %#v of type %T", a, a)
		}
	}
	// Take away the placeholders and every piece of trusted SQL: nothing the
	// client wrote may be left.
	rest := placeholder.ReplaceAllString(p.Where, "")
	for _, s := range skeleton {
		rest = strings.ReplaceAll(rest, s, "")
	}
	if rest != "" {
		return fmt.Sprintf("Where %q holds untrusted text %q", p.Where, rest)
	}
	if p.OrderBy == "" || p.Count < 0 || p.Count > MaxLimit || p.Offset < 0 {
		return fmt.Sprintf("bad paging %+v", p)
	}
	return ""
}

// The fuzz oracle must see a value spliced into SQL, a miscounted
// placeholder and a foreign argument type.
func TestPlanProblem(t *testing.T) {
	skeleton := sqlSkeleton(orderSchema())
	good := Plan{Where: "o.type IN ($2,$3) AND NOT (o.status = $4)", Args: []any{"SO", "BO", "NEW"}, OrderBy: "o.id", Count: 9}
	if problem := planProblem(&good, 2, skeleton); problem != "" {
		t.Fatalf("good plan: %s", problem)
	}
	bad := []Plan{
		{Where: "o.type = 'SO'", OrderBy: "o.id"},
		{Where: "o.type = $1 OR 1=1 --", Args: []any{"SO"}, OrderBy: "o.id"},
		{Where: "o.type = $1", OrderBy: "o.id"},
		{Where: "o.type = $1 AND o.status = $1", Args: []any{"SO", "NEW"}, OrderBy: "o.id"},
		{Where: "o.type = $1", Args: []any{1.5}, OrderBy: "o.id"},
		{Where: "o.type = $1", Args: []any{"SO"}},
	}
	for _, p := range bad {
		if planProblem(&p, 1, skeleton) == "" {
			t.Errorf("plan %+v passes the fuzz oracle", p)
		}
	}
}

// Parsing and compiling stay linear: the worst queries under MaxQueryLen
// take well under a millisecond (the bound leaves room for -race).
func TestWorstCaseSpeed(t *testing.T) {
	worst := []string{
		"in(type,(" + strings.Repeat("SO,", 999) + "SO))",
		strings.Repeat("type=SO,", 1000),
		strings.Repeat("not(", 32) + "type=SO" + strings.Repeat(")", 32),
		"eq(orderNumber," + strings.Repeat("%41", 2700) + ")",
		"sort(" + strings.Repeat("a,", 4000) + "a)",
		strings.Repeat("(", 8000),
		strings.Repeat("x", 100_000),
	}
	s := orderSchema()
	for _, raw := range worst {
		start := time.Now()
		const runs = 20
		for range runs {
			if q, err := Parse(raw); err == nil {
				s.Compile(q, Postgres, 1)
			}
		}
		if d := time.Since(start) / runs; d > 50*time.Millisecond {
			t.Errorf("%.30q: %v per parse and compile", raw, d)
		}
	}
}

// sqlSkeleton lists every piece of SQL Compile may write for s, longest
// first so that no piece is eaten by a shorter one.
func sqlSkeleton(s *Schema) []string {
	pieces := []string{
		"NOT EXISTS(", "EXISTS(", "NOT (", "NOT ", " IS NOT NULL", " IS NULL",
		" = ", " <> ", " < ", " <= ", " > ", " >= ", " NOT IN (", " IN (",
		" ILIKE ", " LIKE ", ` ESCAPE '\'`, " AND ", " OR ", "1=0", "1=1",
		"(", ")", ",",
	}
	fields := []Field{}
	for _, f := range s.Fields {
		fields = append(fields, f)
	}
	if f, ok := s.Dynamic("ATTR"); ok {
		fields = append(fields, f)
	}
	for _, f := range fields {
		pieces = append(pieces, f.Column)
		before, after, _ := strings.Cut(f.Exists, "%s")
		pieces = append(pieces, before, after)
	}
	sort.Slice(pieces, func(i, j int) bool { return len(pieces[i]) > len(pieces[j]) })
	out := pieces[:0]
	for _, p := range pieces {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
