package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/rql"
	"github.com/openbss/openbss/internal/store"
)

// listQuery parses the request's RQL against a collection schema whose own scope takes
// scopeArgs placeholders, and applies the APS paging rules: limit() wins over a
// "Range: items=A-B" header; "APS-Skip-Content-Range" skips the count.
func (s *Server) listQuery(r *http.Request, schema *rql.Schema, scopeArgs int) (store.ListQuery, *rql.Plan, error) {
	q, err := rql.Parse(r.URL.RawQuery)
	if err != nil {
		return store.ListQuery{}, nil, err
	}
	dialect := rql.SQLite
	if s.store.Postgres() {
		dialect = rql.Postgres
	}
	plan, err := schema.Compile(q, dialect, store.FirstFilterArg(scopeArgs))
	if err != nil {
		return store.ListQuery{}, nil, err
	}
	lq := store.ListQuery{Where: plan.Where, Args: plan.Args, OrderBy: plan.OrderBy, Offset: plan.Offset,
		Count: plan.Count, CountOnly: plan.CountOnly, SkipCount: skipCount(r)}
	if !plan.HasLimit {
		if h := r.Header.Get("Range"); h != "" {
			_, max := schema.PageSize()
			off, n, err := parseRange(h, max)
			if err != nil {
				return lq, nil, err
			}
			lq.Offset, lq.Count = off, n
		}
	}
	return lq, plan, nil
}

func skipCount(r *http.Request) bool {
	v := strings.ToLower(strings.TrimSpace(r.Header.Get("APS-Skip-Content-Range")))
	return v != "" && v != "false" && v != "0"
}

// parseRange reads "items=A-B" (inclusive bounds).
func parseRange(h string, max int) (offset, count int, err error) {
	bad := problem.Invalid("InvalidRange", "Range header %q is not of the form items=A-B with 0 <= A <= B", h)
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "items=")
	if !ok {
		return 0, 0, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	first, err1 := strconv.Atoi(a)
	last, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, bad
	}
	if last-first+1 > max {
		return 0, 0, problem.Invalid("InvalidRange", "Range header asks for %d items; at most %d per page", last-first+1, max)
	}
	return first, last - first + 1, nil
}

// writeList replies with a page and its Content-Range: 206 when the page is part of a larger
// set, 200 when it holds everything; limit(0,0) is the header alone.
func writeList[T any](w http.ResponseWriter, lq store.ListQuery, page store.Page, items []T) {
	total := "*"
	if page.Counted {
		total = strconv.Itoa(page.Total)
	}
	if lq.CountOnly {
		w.Header().Set("Content-Range", "items */"+total)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	if items == nil {
		items = []T{}
	}
	status := http.StatusOK
	if len(items) == 0 {
		w.Header().Set("Content-Range", "items */"+total)
	} else {
		last := lq.Offset + len(items) - 1
		w.Header().Set("Content-Range", fmt.Sprintf("items %d-%d/%s", lq.Offset, last, total))
		more := len(items) == lq.Count // uncounted: a full page may have a successor
		if page.Counted {
			more = len(items) < page.Total
		}
		if lq.Offset > 0 || more {
			status = http.StatusPartialContent
		}
	}
	writeJSON(w, status, items)
}
