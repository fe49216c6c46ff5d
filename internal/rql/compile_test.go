package rql

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func compile(t testing.TB, s *Schema, raw string, d Dialect, firstArg int) (*Plan, error) {
	t.Helper()
	q, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	return s.Compile(q, d, firstArg)
}

// The queries of the APS seed ("Get Filtered Orders" and friends), with the
// exact SQL they must become.
func TestCompileSeedQueries(t *testing.T) {
	const long = "in(type,(SO,BO)),like(orderNumber,*00001),ge(creationTime,2018-04-26T16:00:00Z),sort(-internalId),limit(0,9)"
	tests := []struct {
		name   string
		schema *Schema
		query  string
		where  string // SQLite; Postgres differs only by ILIKE
		args   []any
		order  string
	}{
		{"in type", orderSchema(), "in(type,(SO,BO))",
			"o.type IN ($1,$2)", []any{"SO", "BO"}, "o.internal_id DESC, o.id"},
		{"like orderNumber", orderSchema(), "like(orderNumber,*00001)",
			`o.order_number LIKE $1 ESCAPE '\'`, []any{"%00001"}, "o.internal_id DESC, o.id"},
		{"like attribute id", orderSchema(), "like(ORDER_ID1,test1234)",
			`EXISTS(SELECT 1 FROM order_attributes x WHERE x.order_id = o.id AND x.attribute_id = $1 AND x.value LIKE $2 ESCAPE '\')`,
			[]any{"ORDER_ID1", "test1234"}, "o.internal_id DESC, o.id"},
		{"creation time window", orderSchema(), "ge(creationTime,2018-04-26T16:00:00Z),le(creationTime,2018-04-26T18:00:00Z)",
			"o.creation_time >= $1 AND o.creation_time <= $2",
			[]any{int64(1524758400_000000), int64(1524765600_000000)}, "o.internal_id DESC, o.id"},
		{"limit only", orderSchema(), "limit(0,9)", "", nil, "o.internal_id DESC, o.id"},
		{"count only", orderSchema(), "limit(0,0)", "", nil, "o.internal_id DESC, o.id"},
		{"select details", orderSchema(), "select(details)", "", nil, "o.internal_id DESC, o.id"},
		{"long filter", orderSchema(), long,
			`o.type IN ($1,$2) AND o.order_number LIKE $3 ESCAPE '\' AND o.creation_time >= $4`,
			[]any{"SO", "BO", "%00001", int64(1524758400_000000)}, "o.internal_id DESC, o.id"},
		{"account by id", accountSchema(), "eq(id,1000001)",
			"a.id = $1", []any{int64(1000001)}, "a.id"},
		{"subscriptions by account", subscriptionSchema(), "eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)",
			"s.account_id = $1", []any{"d7dd06ef-20a0-41f5-b89f-768ef373ae44"}, "s.id"},
		{"payment methods shorthand", paymentMethodSchema(), "accountId=3fef9702-b2ad-419a-9924-a56882e5f06c",
			"pm.account_id = $1", []any{"3fef9702-b2ad-419a-9924-a56882e5f06c"}, "pm.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range []Dialect{SQLite, Postgres} {
				p, err := compile(t, tt.schema, tt.query, d, 1)
				if err != nil {
					t.Fatalf("dialect %d: %v", d, err)
				}
				where := tt.where
				if d == Postgres {
					where = strings.ReplaceAll(where, " LIKE ", " ILIKE ")
				}
				if p.Where != where {
					t.Errorf("dialect %d: Where\n got %s\nwant %s", d, p.Where, where)
				}
				if !reflect.DeepEqual(p.Args, tt.args) {
					t.Errorf("dialect %d: Args = %#v, want %#v", d, p.Args, tt.args)
				}
				if p.OrderBy != tt.order {
					t.Errorf("dialect %d: OrderBy = %q, want %q", d, p.OrderBy, tt.order)
				}
			}
		})
	}
}

func TestCompilePaging(t *testing.T) {
	tests := []struct {
		query string
		want  Plan // only the paging and select fields are compared
	}{
		{"", Plan{Count: 100}},
		{"limit(0,9)", Plan{Offset: 0, Count: 9, HasLimit: true}},
		{"limit(20,5)", Plan{Offset: 20, Count: 5, HasLimit: true}},
		{"limit(0,0)", Plan{Count: 0, HasLimit: true, CountOnly: true}},
		{"limit(40)", Plan{Offset: 40, Count: 100, HasLimit: true}},
		{"limit(0,1000)", Plan{Count: 1000, HasLimit: true}},
		{"select(details,orderAttributes)", Plan{Count: 100, Select: []string{"details", "orderAttributes"}}},
		{"in(type,(SO,BO)),select(details),limit(10,20)", Plan{Offset: 10, Count: 20, HasLimit: true, Select: []string{"details"}}},
	}
	for _, tt := range tests {
		p, err := compile(t, orderSchema(), tt.query, SQLite, 1)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		got := Plan{Offset: p.Offset, Count: p.Count, HasLimit: p.HasLimit, CountOnly: p.CountOnly, Select: p.Select}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: paging = %+v, want %+v", tt.query, got, tt.want)
		}
	}
}

func TestCompileSchemaPageSizes(t *testing.T) {
	s := orderSchema()
	s.DefaultLimit, s.MaxLimit = 25, 50
	p, err := compile(t, s, "limit(5)", SQLite, 1)
	if err != nil || p.Count != 25 || p.Offset != 5 {
		t.Fatalf("limit(5) with DefaultLimit 25: %+v, %v", p, err)
	}
	if _, err := compile(t, s, "limit(0,51)", SQLite, 1); err == nil {
		t.Fatal("limit(0,51) with MaxLimit 50: no error")
	}
	if def, max := s.PageSize(); def != 25 || max != 50 {
		t.Errorf("PageSize() = %d, %d; want 25, 50", def, max)
	}
	if def, max := (&Schema{}).PageSize(); def != 100 || max != 1000 {
		t.Errorf("zero Schema PageSize() = %d, %d; want 100, 1000", def, max)
	}
}

func TestCompileSort(t *testing.T) {
	tests := []struct{ query, order string }{
		{"", "o.internal_id DESC, o.id"},
		{"sort(-internalId)", "o.internal_id DESC, o.id"},
		{"sort(+orderNumber,-creationTime)", "o.order_number ASC, o.creation_time DESC, o.id"},
		{"sort(orderNumber)", "o.order_number ASC, o.id"},
		{"sort(-id)", "o.id DESC"}, // already unique: no tiebreak repeated
	}
	for _, tt := range tests {
		p, err := compile(t, orderSchema(), tt.query, Postgres, 1)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		if p.OrderBy != tt.order {
			t.Errorf("%q: OrderBy = %q, want %q", tt.query, p.OrderBy, tt.order)
		}
	}
}

// The rules of the package doc, one query each: typing by field, null, empty
// lists, like escaping, logic, EAV existence.
func TestCompileSemantics(t *testing.T) {
	const attr = "SELECT 1 FROM order_attributes x WHERE x.order_id = o.id AND x.attribute_id = "
	tests := []struct {
		query string
		where string
		args  []any
	}{
		// A value is typed by its field, never by its look.
		{"eq(orderNumber,000001)", "o.order_number = $1", []any{"000001"}},
		{"eq(internalId,000001)", "o.internal_id = $1", []any{int64(1)}},
		{"eq(orderNumber,true)", "o.order_number = $1", []any{"true"}},
		{"eq(orderNumber,null)", "o.order_number = $1", []any{"null"}},
		{"eq(test.flag,true)", "o.test_flag = $1", []any{true}},
		{"eq(test.flag,false())", "o.test_flag = $1", []any{false}},
		{"eq(test.flag,boolean:true)", "o.test_flag = $1", []any{true}},
		{"eq(total,20.84)", "o.total = $1", []any{"20.84"}},
		{"lt(total,number:-3)", "o.total < $1", []any{"-3"}},
		{"eq(orderNumber,string:SO:1)", "o.order_number = $1", []any{"SO:1"}},
		{"eq(orderNumber,empty())", "o.order_number = $1", []any{""}},
		{"gt(internalId,number:5)", "o.internal_id > $1", []any{int64(5)}},
		{"lt(orderDate,2019-04-12)", "o.order_date < $1", []any{int64(1555027200_000000)}},
		{"le(orderDate,date:2019-04-12)", "o.order_date <= $1", []any{int64(1555027200_000000)}},
		{"gt(creationTime,2018-04-26T16:00:00.5+03:00)", "o.creation_time > $1", []any{int64(1524747600_500000)}},
		{"gt(creationTime,2018-04-26T16%3A00%3A00.5%2B03%3A00)", "o.creation_time > $1", []any{int64(1524747600_500000)}},
		// %-decoding happens after splitting: %2C is a comma in the value.
		{"eq(endCustomerName,Smith%2C%20John)", "o.end_customer_name = $1", []any{"Smith, John"}},
		{"eq(endCustomerName,a+b)", "o.end_customer_name = $1", []any{"a+b"}},
		{"eq(endCustomerName,%28x%29)", "o.end_customer_name = $1", []any{"(x)"}},
		// Null.
		{"eq(expirationDate,null())", "o.expiration_date IS NULL", nil},
		{"ne(expirationDate,null())", "o.expiration_date IS NOT NULL", nil},
		{"expirationDate=null()", "o.expiration_date IS NULL", nil},
		// Lists.
		{"in(type,())", "1=0", nil},
		{"out(type,())", "1=1", nil},
		{"out(type,(SO,BO))", "o.type NOT IN ($1,$2)", []any{"SO", "BO"}},
		{"in(internalId,(1,2,3))", "o.internal_id IN ($1,$2,$3)", []any{int64(1), int64(2), int64(3)}},
		// like: * and ? are wildcards; SQL's own are escaped.
		{"like(orderNumber,SO?0*)", `o.order_number LIKE $1 ESCAPE '\'`, []any{"SO_0%"}},
		{`like(orderNumber,100%25_a\b)`, `o.order_number LIKE $1 ESCAPE '\'`, []any{`100\%\_a\\b`}},
		{"like(orderNumber,empty())", `o.order_number LIKE $1 ESCAPE '\'`, []any{""}},
		// FIQL shorthands.
		{"type=SO", "o.type = $1", []any{"SO"}},
		{"type==SO", "o.type = $1", []any{"SO"}},
		{"type!=SO", "o.type <> $1", []any{"SO"}},
		{"internalId=ge=7", "o.internal_id >= $1", []any{int64(7)}},
		{"type=in=(SO,BO)", "o.type IN ($1,$2)", []any{"SO", "BO"}},
		{"orderNumber=like=SO*", `o.order_number LIKE $1 ESCAPE '\'`, []any{"SO%"}},
		// Logic: a top-level or is parenthesized so callers can AND it.
		{"type=SO|type=BO", "(o.type = $1 OR o.type = $2)", []any{"SO", "BO"}},
		{"type=SO&status=NEW", "o.type = $1 AND o.status = $2", []any{"SO", "NEW"}},
		{"(type=SO|type=BO),status=NEW", "(o.type = $1 OR o.type = $2) AND o.status = $3", []any{"SO", "BO", "NEW"}},
		{"or(and(type=SO,status=NEW),type=BO)", "((o.type = $1 AND o.status = $2) OR o.type = $3)", []any{"SO", "NEW", "BO"}},
		{"not(type=SO)", "NOT (o.type = $1)", []any{"SO"}},
		{"not(or(type=SO,type=BO))", "NOT (o.type = $1 OR o.type = $2)", []any{"SO", "BO"}},
		{"and(type=SO)", "o.type = $1", []any{"SO"}},
		{"((type=SO))", "o.type = $1", []any{"SO"}},
		// EAV attributes and other Exists fields.
		{"ORDER_ID1=abc", "EXISTS(" + attr + "$1 AND x.value = $2)", []any{"ORDER_ID1", "abc"}},
		{"ne(ORDER_ID1,abc)", "EXISTS(" + attr + "$1 AND x.value <> $2)", []any{"ORDER_ID1", "abc"}},
		{"eq(ORDER_ID1,null())", "NOT EXISTS(" + attr + "$1 AND x.value IS NOT NULL)", []any{"ORDER_ID1"}},
		{"ne(ORDER_ID1,null())", "EXISTS(" + attr + "$1 AND x.value IS NOT NULL)", []any{"ORDER_ID1"}},
		{"in(ORDER_ID1,(a,b))", "EXISTS(" + attr + "$1 AND x.value IN ($2,$3))", []any{"ORDER_ID1", "a", "b"}},
		{"in(ORDER_ID1,())", "1=0", nil},
		{"subscriptionId=abc", "EXISTS(SELECT 1 FROM order_subscriptions s WHERE s.order_id = o.id AND s.subscription_id = $1)", []any{"abc"}},
	}
	for _, tt := range tests {
		p, err := compile(t, orderSchema(), tt.query, SQLite, 1)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		if p.Where != tt.where || !reflect.DeepEqual(p.Args, tt.args) {
			t.Errorf("%q:\n got %s %#v\nwant %s %#v", tt.query, p.Where, p.Args, tt.where, tt.args)
		}
	}
}

func TestCompileFirstArg(t *testing.T) {
	p, err := compile(t, orderSchema(), "in(type,(SO,BO)),like(ORDER_ID1,x*)", Postgres, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := `o.type IN ($3,$4) AND EXISTS(` + strings.Replace(attributeExists, "%s", "$5", 1) + `x.value ILIKE $6 ESCAPE '\')`
	if p.Where != want {
		t.Fatalf("Where\n got %s\nwant %s", p.Where, want)
	}
}

func TestCompileRejects(t *testing.T) {
	tests := []struct {
		query string
		pos   int
		field string
		msg   string // a substring of Error()
	}{
		{"eq(nosuchfield,1)", 3, "nosuchfield", `rql: at position 3: unknown field "nosuchfield"`},
		{"type=SO,ge(creationTime,yesterday)", 24, "creationTime", `rql: at position 24: field "creationTime": value "yesterday" is not a date-time (RFC 3339)`},
		{"like(internalId,1*)", 0, "internalId", `rql: at position 0: operator "like" is not allowed on field "internalId"`},
		{"gt(type,SO)", 0, "type", `operator "gt" is not allowed on field "type"`},
		{"like(creationTime,2018*)", 0, "creationTime", `operator "like" is not allowed`},
		{"like(status,N*)", 0, "status", `operator "like" is not allowed on field "status"`},
		{"eq(internalId,1.5)", 14, "internalId", `is not an integer`},
		{"eq(internalId,99999999999999999999)", 14, "internalId", `is not an integer`},
		{"eq(internalId,string:5)", 14, "internalId", `is not an integer`},
		{"eq(orderNumber,number:5)", 15, "orderNumber", `is not a string`},
		{"eq(creationTime,2018-04-26)", -1, "", ""}, // accepted: see below
		{"eq(creationTime,2018-04-26T16:00:00)", 16, "creationTime", "RFC 3339"},
		{"eq(test.flag,yes)", 13, "test.flag", "is not a boolean"},
		{"eq(total,1e3)", 9, "total", "is not a decimal"},
		{"eq(internalId,empty())", 14, "internalId", "is not an integer"},
		{"lt(internalId,null())", 14, "internalId", "cannot compare with null()"},
		{"in(type,(SO,null()))", 12, "type", "null() cannot be in a list"},
		{"eq(ORDER_ID1,true())", 13, "ORDER_ID1", "is not a string"},
		{"eq(lowercase_attr,1)", 3, "lowercase_attr", "unknown field"},
		{"limit(0,5000)", 0, "", "limit count 5000 is more than the maximum 1000"},
		{"sort(nosuch)", 5, "nosuch", `unknown field "nosuch"`},
		{"sort(-status)", 5, "status", `field "status" is not sortable`},
		{"sort(subscriptionId)", 5, "subscriptionId", "is not sortable"},
		{"sort(ORDER_ID1)", 5, "ORDER_ID1", "is not sortable"},
		{"sort(internalId,-internalId)", 16, "internalId", "sorted on twice"},
		{"select(nosuch)", 7, "nosuch", `"nosuch" cannot be selected`},
		{"select(details,details)", 15, "details", "selected twice"},
		{"type=SO,or(eq(status,NEW),eq(bogus,1))", 29, "bogus", "unknown field"},
		{"not(eq(internalId,x))", 18, "internalId", "is not an integer"},
	}
	for _, tt := range tests {
		_, err := compile(t, orderSchema(), tt.query, Postgres, 1)
		if tt.pos < 0 {
			if err != nil {
				t.Errorf("%q: %v", tt.query, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v (%T), want *rql.Error", tt.query, err, err)
			continue
		}
		if e.Pos != tt.pos || e.Field != tt.field || !strings.Contains(e.Error(), tt.msg) {
			t.Errorf("%q: got Pos %d Field %q %q; want Pos %d Field %q containing %q",
				tt.query, e.Pos, e.Field, e.Error(), tt.pos, tt.field, tt.msg)
		}
	}
}

func BenchmarkParseCompile(b *testing.B) {
	const query = "in(type,(SO,BO)),like(orderNumber,*00001),ge(creationTime,2018-04-26T16:00:00Z),le(creationTime,2018-04-26T18:00:00Z),like(ORDER_ID1,test1234),select(details),sort(-internalId),limit(0,9)"
	s := orderSchema()
	b.ReportAllocs()
	for b.Loop() {
		q, err := Parse(query)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Compile(q, Postgres, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// A like() mask with a literal prefix on an Upper field also bounds the column to the
// upper-cased prefix's range (an index serves it); masks without a usable prefix do not.
func TestCompileUpperPrefixRange(t *testing.T) {
	s := &Schema{Fields: map[string]Field{
		"number": {Column: "o.order_number", Type: String, Ops: OpsEquality | OpLike, Upper: true},
		"name":   {Column: "o.name", Type: String, Ops: OpsEquality | OpLike},
	}}
	tests := []struct {
		query, where string
		args         []any
	}{
		{"like(number,SO00001?)", `o.order_number >= $1 AND o.order_number < $2 AND o.order_number LIKE $3 ESCAPE '\'`,
			[]any{"SO00001", "SO00002", "SO00001_"}},
		{"like(number,so9*)", `o.order_number >= $1 AND o.order_number < $2 AND o.order_number LIKE $3 ESCAPE '\'`,
			[]any{"SO9", "SO:", "so9%"}},
		{"or(like(number,SO*),eq(number,X))", `(o.order_number >= $1 AND o.order_number < $2 AND o.order_number LIKE $3 ESCAPE '\' OR o.order_number = $4)`,
			[]any{"SO", "SP", "SO%", "X"}},
		{"like(number,*00001)", `o.order_number LIKE $1 ESCAPE '\'`, []any{"%00001"}},
		{"like(number,~*)", `o.order_number LIKE $1 ESCAPE '\'`, []any{"~%"}},
		{"like(name,Jo*)", `o.name LIKE $1 ESCAPE '\'`, []any{"Jo%"}},
	}
	for _, tt := range tests {
		p, err := compile(t, s, tt.query, SQLite, 1)
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if p.Where != tt.where || !reflect.DeepEqual(p.Args, tt.args) {
			t.Errorf("%s:\n got %s %v\nwant %s %v", tt.query, p.Where, p.Args, tt.where, tt.args)
		}
	}
}

// TestCompileFolded: a field with a folded (lower-cased, indexed) expression gets the bound on it
// that eq() and like() imply — an equality for eq() and for a mask without wildcards, the
// prefix's range on SQLite only and only for an ASCII prefix — and nothing for other operators.
func TestCompileFolded(t *testing.T) {
	s := orderSchema()
	dynamic := s.Dynamic
	s.Dynamic = func(name string) (Field, bool) {
		f, ok := dynamic(name)
		f.Folded = "lower(x.value)"
		return f, ok
	}
	attr := strings.Replace(attributeExists, "%s", "$1", 1)
	tests := []struct {
		query   string
		dialect Dialect
		where   string
		args    []any
	}{
		{"eq(ORDER_ID1,Ab1)", SQLite, "EXISTS(" + attr + "lower(x.value) = lower($2) AND x.value = $3)", []any{"ORDER_ID1", "Ab1", "Ab1"}},
		{"like(ORDER_ID1,TeSt1234)", SQLite, "EXISTS(" + attr + `lower(x.value) = lower($2))`, []any{"ORDER_ID1", "TeSt1234"}},
		{"like(ORDER_ID1,TeSt1234)", Postgres, "EXISTS(" + attr + `lower(x.value) = lower($2) AND x.value ILIKE $3 ESCAPE '\')`,
			[]any{"ORDER_ID1", "TeSt1234", "TeSt1234"}},
		{"like(ORDER_ID1,TeSt*)", SQLite, "EXISTS(" + attr + `lower(x.value) >= $2 AND lower(x.value) < $3)`, []any{"ORDER_ID1", "test", "tesu"}},
		{"like(ORDER_ID1,TeS?*)", SQLite, "EXISTS(" + attr + `lower(x.value) >= $2 AND lower(x.value) < $3 AND x.value LIKE $4 ESCAPE '\')`,
			[]any{"ORDER_ID1", "tes", "tet", "TeS_%"}},
		{"like(ORDER_ID1,TeSt*1)", SQLite, "EXISTS(" + attr + `lower(x.value) >= $2 AND lower(x.value) < $3 AND x.value LIKE $4 ESCAPE '\')`,
			[]any{"ORDER_ID1", "test", "tesu", "TeSt%1"}},
		{"like(ORDER_ID1,TeSt*)", Postgres, "EXISTS(" + attr + `x.value ILIKE $2 ESCAPE '\')`, []any{"ORDER_ID1", "TeSt%"}},
		{"like(ORDER_ID1,*st)", SQLite, "EXISTS(" + attr + `x.value LIKE $2 ESCAPE '\')`, []any{"ORDER_ID1", "%st"}},
		{"like(ORDER_ID1,\u212ax*)", SQLite, "EXISTS(" + attr + `x.value LIKE $2 ESCAPE '\')`, []any{"ORDER_ID1", "\u212ax%"}}, // the Kelvin sign lower-cases to k in Go, not in SQLite
		{"like(ORDER_ID1,a~*)", SQLite, "EXISTS(" + attr + `x.value LIKE $2 ESCAPE '\')`, []any{"ORDER_ID1", "a~%"}},           // no successor of ~ in ASCII
		{"ne(ORDER_ID1,Ab1)", SQLite, "EXISTS(" + attr + "x.value <> $2)", []any{"ORDER_ID1", "Ab1"}},
	}
	for _, tt := range tests {
		p, err := compile(t, s, tt.query, tt.dialect, 1)
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if p.Where != tt.where || !reflect.DeepEqual(p.Args, tt.args) {
			t.Errorf("%s (dialect %d):\n got %s %#v\nwant %s %#v", tt.query, tt.dialect, p.Where, p.Args, tt.where, tt.args)
		}
	}
}
