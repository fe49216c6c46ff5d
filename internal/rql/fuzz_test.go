package rql

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
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
	if n := strings.Count(p.Where, "$"); n != len(p.Args) {
		t.Fatalf("%q: %d '$' in %q but %d args", raw, n, p.Where, len(p.Args))
	}
	for i, ph := range placeholder.FindAllString(p.Where, -1) {
		if ph != "$"+strconv.Itoa(firstArg+i) {
			t.Fatalf("%q: placeholder %d is %s in %q, want $%d", raw, i, ph, p.Where, firstArg+i)
		}
	}
	for _, a := range p.Args {
		switch a.(type) {
		case string, int64, bool:
		default:
			t.Fatalf("%q: arg %#v of type %T", raw, a, a)
		}
	}
	// Take away the placeholders and every piece of trusted SQL: nothing the
	// client wrote may be left.
	rest := placeholder.ReplaceAllString(p.Where, "")
	for _, s := range skeleton {
		rest = strings.ReplaceAll(rest, s, "")
	}
	if rest != "" {
		t.Fatalf("%q: Where %q holds untrusted text %q", raw, p.Where, rest)
	}
	if p.OrderBy == "" || p.Count < 0 || p.Count > MaxLimit || p.Offset < 0 {
		t.Fatalf("%q: bad paging %+v", raw, p)
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
