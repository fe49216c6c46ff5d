package rql

import (
	"errors"
	"strings"
	"testing"
)

// Parse, then render as normalized RQL: the tree in one readable line.
func TestParse(t *testing.T) {
	tests := []struct{ query, want string }{
		{"", ""},
		{"in(type,(SO,BO))", "in(type,(SO,BO))"},
		{"like(orderNumber,*00001)", "like(orderNumber,*00001)"},
		{"like(ORDER_ID1,test1234)", "like(ORDER_ID1,test1234)"},
		{"ge(creationTime,2018-04-26T16:00:00Z),le(creationTime,2018-04-26T18:00:00Z)",
			"ge(creationTime,2018-04-26T16:00:00Z),le(creationTime,2018-04-26T18:00:00Z)"},
		{"limit(0,9)", "limit(0,9)"},
		{"limit(0,0)", "limit(0,0)"},
		{"limit(7)", "limit(7)"},
		{"eq(id,1000001)", "eq(id,1000001)"},
		{"eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)", "eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)"},
		{"accountId=3fef9702-b2ad-419a-9924-a56882e5f06c", "eq(accountId,3fef9702-b2ad-419a-9924-a56882e5f06c)"},
		{"operationType=CANCEL_BY_VENDOR", "eq(operationType,CANCEL_BY_VENDOR)"},
		{"select(details)", "select(details)"},
		// Directives are lifted out of the filter and rendered last.
		{"sort(-internalId),limit(0,9),in(type,(SO,BO)),select(details)",
			"in(type,(SO,BO)),sort(-internalId),select(details),limit(0,9)"},
		{"sort(a,+b,-c)", "sort(+a,+b,-c)"},
		{"sort(%2Ba,%2Db)", "sort(+a,-b)"},
		// FIQL.
		{"a=b&c!=d", "eq(a,b),ne(c,d)"},
		{"a==b", "eq(a,b)"},
		{"a=lt=1,a=le=2,a=gt=3,a=ge=4,a=ne=5,a=eq=6", "lt(a,1),le(a,2),gt(a,3),ge(a,4),ne(a,5),eq(a,6)"},
		{"a=in=(x,y)|a=out=()", "or(in(a,(x,y)),out(a,()))"},
		{"a=like=x*", "like(a,x*)"},
		{"a=null()", "eq(a,null())"},
		// Grouping.
		{"a=1|b=2", "or(eq(a,1),eq(b,2))"},
		{"(a=1|b=2)&c=3", "or(eq(a,1),eq(b,2)),eq(c,3)"},
		{"(a=1,b=2)|c=3", "or(and(eq(a,1),eq(b,2)),eq(c,3))"},
		{"((a=1))", "eq(a,1)"},
		{"and(a=1&b=2)", "eq(a,1),eq(b,2)"},
		{"or(a=1|b=2,c=3)", "or(eq(a,1),eq(b,2),eq(c,3))"},
		{"not(and(a=1,b=2))", "not(and(eq(a,1),eq(b,2)))"},
		// Typed values and encodings.
		{"eq(a,null()),eq(b,true()),eq(c,false()),eq(d,empty())", "eq(a,null()),eq(b,true()),eq(c,false()),eq(d,empty())"},
		{"eq(a,string:123),eq(b,number:5),eq(c,date:2019-04-12),eq(d,boolean:false)",
			"eq(a,string:123),eq(b,number:5),eq(c,date:2019-04-12),eq(d,false())"},
		{"eq(a,string%3A123)", "eq(a,string%3A123)"},
		{"eq(a,x:y)", "eq(a,x:y)"},
		{"eq(a,b%2Cc),eq(d,%28e%29)", "eq(a,b%2Cc),eq(d,%28e%29)"},
		{"eq(a,2018-04-26T16:00:00.5+03:00)", "eq(a,2018-04-26T16:00:00.5+03:00)"},
		{"eq(a,%2B1%20x)", "eq(a,+1%20x)"},
		{"eq(account%2Eaps.id,1)", "eq(account.aps.id,1)"},
		{"eq(a,J%C3%B6hn),eq(b,Jöhn)", "eq(a,J%C3%B6hn),eq(b,J%C3%B6hn)"},
		{"like(a,%2A?x)", "like(a,*?x)"},
		{`eq(a,'q'\;)`, `eq(a,%27q%27%5C%3B)`},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.query, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tt.query, got, tt.want)
		}
	}
}

func TestParseTree(t *testing.T) {
	q, err := Parse("in(type,(SO,BO)),like(orderNumber,*00001),sort(-internalId,creationTime),select(details),limit(0,9)")
	if err != nil {
		t.Fatal(err)
	}
	j, ok := q.Filter.(*Junction)
	if !ok || j.Or || len(j.Args) != 2 {
		t.Fatalf("Filter = %#v, want an and of two terms", q.Filter)
	}
	in := j.Args[0].(*Cmp)
	if in.Op != OpIn || in.Field != "type" || in.FieldPos != 3 || len(in.Values) != 2 ||
		in.Values[1] != (Value{Pos: 12, Kind: Literal, Text: "BO"}) {
		t.Errorf("in = %#v", in)
	}
	like := j.Args[1].(*Cmp)
	if like.Op != OpLike || like.Pos != 17 || like.Value.Text != "*00001" {
		t.Errorf("like = %#v", like)
	}
	wantSort := []SortKey{{Pos: 47, Field: "internalId", Desc: true}, {Pos: 59, Field: "creationTime"}}
	if len(q.Sort) != 2 || q.Sort[0] != wantSort[0] || q.Sort[1] != wantSort[1] {
		t.Errorf("Sort = %+v, want %+v", q.Sort, wantSort)
	}
	if len(q.Select) != 1 || q.Select[0] != (Ident{Pos: 80, Name: "details"}) {
		t.Errorf("Select = %+v", q.Select)
	}
	if !q.HasLimit || q.Limit != (Limit{Pos: 89, Start: 0, Count: 9, HasCount: true}) {
		t.Errorf("Limit = %+v (HasLimit %v)", q.Limit, q.HasLimit)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		query string
		pos   int
		msg   string
	}{
		{"in(type,(SO", 11, "expected ')' to close the list, found end of query"},
		{"in(type,(SO,BO)", 15, "found end of query"},
		{"eq(a,1))", 7, "unbalanced ')'"},
		{")", 0, "unbalanced ')'"},
		{"eq(a,1", 6, "found end of query"},
		{"eq(a,)", 5, "empty value"},
		{"eq(,1)", 3, "expected a field name"},
		{"eq()", 3, "expected a field name"},
		{"eq(a)", 4, "expected ',' after the field name"},
		{"eq(a,1,2)", 6, "expected ')' to close eq()"},
		{"a=", 2, "empty value"},
		{"a=1,", 4, "expected a term, found end of query"},
		{"a=1&&b=2", 4, "expected a term"},
		{"(a=1,b=2", 8, "to close the group"},
		{"()", 1, "expected a term"},
		{"and()", 4, "and() needs at least one argument"},
		{"not()", 4, "not() needs an argument"},
		{"not(a=1,b=2)", 7, "to close not()"},
		{"in(type,SO)", 8, "expected a list of values"},
		{"eq(type,(SO,BO))", 8, "expected a single value, found a list"},
		{"a=1|b=2,c=3", 7, "cannot mix '|' with ',' or '&'"},
		{"(a=1&b=2|c=3)", 8, "cannot mix"},
		{"and(a=1|b=2)", 7, `'|' cannot separate the arguments of and()`},
		{"or(a=1&b=2)", 6, `'&' cannot separate the arguments of or()`},
		{"foo(a,1)", 0, `unknown operator "foo"`},
		{"a=foo=1", 1, `unknown operator "=foo="`},
		{"a!1", 2, "expected '=' after '!'"},
		{"abc", 3, `expected '(' or '=' after "abc"`},
		{"eq(a b,1)", 4, `expected ',' after the field name, found ' '`},
		{"null()", 0, "null() is a value, not a filter"},
		{"eq(a,nul())", 5, `"nul()" is not a value`},
		{"eq(a,null(x))", 10, "expected ')' to close null() without arguments"},
		{"eq(a,%zz)", 5, "malformed %-escape"},
		{"eq(a,b%2)", 6, "malformed %-escape"},
		{"eq(a,%FF)", 5, "not valid UTF-8"},
		{"eq(a,%00)", 5, "NUL byte"},
		{"eq(a,re:x.*)", 5, `value converter "re" is not supported`},
		{"eq(a,boolean:yes)", 13, "is not true or false"},
		{"limit(-1,5)", 6, `limit start offset "-1" is not a whole number`},
		{"limit(0,-5)", 8, `limit count "-5" is not a whole number`},
		{"limit(0,1000000000)", 8, "is not a whole number"},
		{"limit()", 6, "expected the limit start offset"},
		{"limit(0,5,6)", 9, "to close limit()"},
		{"limit(0,1),limit(0,2)", 11, "limit() given twice"},
		{"sort(a),sort(b)", 8, "sort() given twice"},
		{"select(a),select(b)", 10, "select() given twice"},
		{"sort()", 5, "expected a field name to sort by"},
		{"sort(+)", 6, "expected a field name to sort by"},
		{"select()", 7, "expected a name to select"},
		{"or(a=1,limit(0,1))", 7, "limit() is only allowed at the top level"},
		{"not(sort(a))", 4, "sort() is only allowed at the top level"},
		{"(a=1,select(b))", 5, "select() is only allowed at the top level"},
		{"a=1|sort(a)", 4, "sort() cannot be joined with '|'"},
		{strings.Repeat("not(", 33) + "a=1" + strings.Repeat(")", 33), 131, "nests deeper than 32"},
		{strings.Repeat("(", 40) + "a=1" + strings.Repeat(")", 40), 32, "nests deeper than 32"},
		{strings.Repeat("x", 100_000), MaxQueryLen, "longer than 8192 bytes"},
		{"in(a,(" + strings.Repeat("1,", 1000) + "1))", 2006, "more than 1000 values"},
		{strings.Repeat("a=1,", 2001) + "a=1", 4000, "more than 2000 terms"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%.40q): error %v (%T), want *rql.Error", tt.query, err, err)
			continue
		}
		if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("Parse(%.40q) = %q at %d; want %q at %d", tt.query, e.Msg, e.Pos, tt.msg, tt.pos)
		}
	}
}
