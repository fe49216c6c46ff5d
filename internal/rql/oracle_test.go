package rql

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// oracleAgree are queries on which our parser and npm rql (persvr/rql, an
// independent implementation) must build the same tree. Times are written
// with %3A because npm reads a raw ':' as a converter prefix.
var oracleAgree = []string{
	// The APS seed.
	"in(type,(SO,BO))",
	"like(orderNumber,*00001)",
	"like(ORDER_ID1,test1234)",
	"ge(creationTime,2018-04-26T16%3A00%3A00Z),le(creationTime,2018-04-26T18%3A00%3A00Z)",
	"limit(0,9)",
	"limit(0,0)",
	"eq(id,1000001)",
	"eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)",
	"accountId=3fef9702-b2ad-419a-9924-a56882e5f06c",
	"operationType=CANCEL_BY_VENDOR",
	"select(details)",
	"in(type,(SO,BO)),like(orderNumber,*00001),ge(creationTime,2018-04-26T16%3A00%3A00Z),sort(-internalId),limit(0,9)",
	// Values: npm only turns canonical numbers into numbers, whose string
	// form is the text again.
	"eq(orderNumber,000001),eq(a,1.5),eq(b,-3),eq(c,1e3),eq(d,1.0),eq(e,-0),eq(f,0x10)",
	"eq(a,true),eq(b,false),eq(c,null),eq(d,undefined),eq(e,Infinity)",
	"eq(a,null()),eq(b,true()),eq(c,false()),eq(d,empty())",
	"eq(a,Smith%2C%20John),eq(b,%28x%29),eq(c,a+b),eq(d,%2B1),eq(e,J%C3%B6hn)",
	"eq(account%2Eaps.id,1),like(a,%2A)",
	"eq(a,string:123),eq(b,number:5)",
	// FIQL.
	"a=b&c!=d",
	"a==b",
	"a=lt=1,a=le=2,a=gt=3,a=ge=4,a=ne=5,a=eq=6,a=like=x*",
	"a=in=(x,y)&b=out=(z)",
	// Logic.
	"(a=1|b=2)&c=3",
	"or(eq(a,1),eq(b,2)),and(eq(c,3),not(eq(d,4)))",
	"and(a=1&b=2)",
	"or(a=1|b=2)",
	"or(a=1,b=2,and(c=3,d=4))",
	"in(type,()),out(status,(NEW))",
	// Directives, anywhere at the top level.
	"sort(+a,-b),select(a,b),limit(10)",
	"sort(-creationTime,+internalId),limit(0,9),in(type,(SO,BO))",
	"",
}

// oracleReject are malformed for both parsers.
var oracleReject = []string{
	"in(type,(SO",
	"eq(a,1))",
	")",
	"eq(a,%zz)",
	"foo bar",
	"eq(a,1)|eq(b,2),c=3",
	"(a=1&b=2|c=3)",
	"eq(a,1)(",
	"eq(a,%E0%A4%A)",
}

// oracleDiffer are the deliberate differences the package doc lists: here
// the trees differ or only one parser accepts.
var oracleDiffer = []string{
	"ge(creationTime,2018-04-26T16:00:00Z)", // npm: unknown converter
	"eq(a,%3C)",                             // npm: %3C is the operator =lt=
	"in(a,x/y)",                             // npm: x/y is a list
	"a=1|b=2",                               // npm: top level is and only
	"(a=1|b=2,c=3)",                         // npm: or(a,b,c)
	"(eq(a,1))",                             // npm: a list of one
	"eq(a,)",                                // npm: empty string
	"a=1&&b=2",                              // npm: skips the empty term
	"like(a,x?y)",                           // npm: '?' is illegal
	"eq(a,%27x%27)",                         // npm: strips the quotes
	"eq(a,$1)",                              // npm: a parameter
	"eq(a,re:x)",                            // npm: a RegExp
}

type oracleResult struct {
	Tree  any    `json:"tree"`
	Error string `json:"error"`
}

func runOracle(t *testing.T, queries []string) []oracleResult {
	t.Helper()
	dir := filepath.Join("testdata", "oracle")
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH; the npm rql oracle cannot run")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "rql")); err != nil {
		t.Skip("npm rql is not installed; run: npm ci --prefix internal/rql/testdata/oracle")
	}
	cmd := exec.Command("node", "parse.js")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(strings.Join(queries, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node parse.js: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(queries) {
		t.Fatalf("oracle answered %d lines for %d queries", len(lines), len(queries))
	}
	results := make([]oracleResult, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &results[i]); err != nil {
			t.Fatalf("oracle line %q: %v", l, err)
		}
	}
	return results
}

func TestOracle(t *testing.T) {
	all := append(append(append([]string{}, oracleAgree...), oracleReject...), oracleDiffer...)
	results := runOracle(t, all)
	for i, q := range all {
		res := results[i]
		ours, err := Parse(q)
		switch {
		case i < len(oracleAgree):
			if res.Error != "" || err != nil {
				t.Errorf("%q: npm error %q, our error %v", q, res.Error, err)
				continue
			}
			want, got := canonical(res.Tree), canonical(oracleTree(ours))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q:\n npm %s\n our %s", q, jsonText(want), jsonText(got))
			}
		case i < len(oracleAgree)+len(oracleReject):
			if res.Error == "" || err == nil {
				t.Errorf("%q: npm error %q, our error %v; both should reject", q, res.Error, err)
			}
		default:
			if res.Error == "" && err == nil &&
				reflect.DeepEqual(canonical(res.Tree), canonical(oracleTree(ours))) {
				t.Errorf("%q: listed as a deliberate difference but both parse it to %s", q, jsonText(canonical(res.Tree)))
			}
		}
	}
}

// oracleTree renders our Query in the oracle's shape: calls as
// {"name","args"}, lists as arrays, values as strings, under a top-level and.
func oracleTree(q *Query) any {
	var top []any
	if j, ok := q.Filter.(*Junction); ok && !j.Or {
		for _, a := range j.Args {
			top = append(top, exprTree(a))
		}
	} else if q.Filter != nil {
		top = append(top, exprTree(q.Filter))
	}
	if q.Sort != nil {
		var keys []any
		for _, k := range q.Sort {
			if k.Desc {
				keys = append(keys, "-"+k.Field)
			} else {
				keys = append(keys, k.Field)
			}
		}
		top = append(top, call("sort", keys...))
	}
	if q.Select != nil {
		var names []any
		for _, n := range q.Select {
			names = append(names, n.Name)
		}
		top = append(top, call("select", names...))
	}
	if q.HasLimit {
		args := []any{strconv.Itoa(q.Limit.Start)}
		if q.Limit.HasCount {
			args = append(args, strconv.Itoa(q.Limit.Count))
		}
		top = append(top, call("limit", args...))
	}
	return call("and", top...)
}

func call(name string, args ...any) map[string]any {
	if args == nil {
		args = []any{}
	}
	return map[string]any{"name": name, "args": args}
}

func exprTree(e Expr) any {
	switch e := e.(type) {
	case *Junction:
		var args []any
		for _, a := range e.Args {
			args = append(args, exprTree(a))
		}
		if e.Or {
			return call("or", args...)
		}
		return call("and", args...)
	case *Not:
		return call("not", exprTree(e.Arg))
	case *Cmp:
		if e.Op == OpIn || e.Op == OpOut {
			vals := []any{}
			for _, v := range e.Values {
				vals = append(vals, valueTree(v))
			}
			return call(e.Op.String(), e.Field, vals)
		}
		return call(e.Op.String(), e.Field, valueTree(e.Value))
	}
	return nil
}

func valueTree(v Value) any {
	switch v.Kind {
	case Null:
		return call("null")
	case True:
		return call("true")
	case False:
		return call("false")
	case Empty:
		return call("empty")
	}
	return v.Text
}

// canonical puts a tree in a form both parsers agree on: JSON types only, a
// single top-level and() flattened into the top, and the directives after
// the filter terms in the order sort, select, limit, with sort's "+" gone.
func canonical(tree any) any {
	b, _ := json.Marshal(tree)
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil || top["name"] != "and" {
		return tree
	}
	args, _ := top["args"].([]any)
	var filters []any
	directives := map[string]any{}
	for _, a := range args {
		c, ok := a.(map[string]any)
		if !ok {
			filters = append(filters, a)
			continue
		}
		switch c["name"] {
		case "sort":
			keys := c["args"].([]any)
			for i, k := range keys {
				if s, ok := k.(string); ok {
					keys[i] = strings.TrimPrefix(s, "+")
				}
			}
			directives["sort"] = c
		case "select", "limit":
			directives[c["name"].(string)] = c
		default:
			filters = append(filters, c)
		}
	}
	if len(filters) == 1 {
		if c, ok := filters[0].(map[string]any); ok && c["name"] == "and" {
			filters = c["args"].([]any)
		}
	}
	out := append([]any{}, filters...)
	for _, name := range []string{"sort", "select", "limit"} {
		if d, ok := directives[name]; ok {
			out = append(out, d)
		}
	}
	return map[string]any{"name": "and", "args": out}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
