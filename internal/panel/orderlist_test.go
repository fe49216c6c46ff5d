package panel_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/panel"
	"github.com/openbss/openbss/internal/storetest"
)

// TestPanelOrdersMatchTheAPI checks the panel's planned order list against the API's plain one
// (store.ListOrdersUnplanned) on many orders: the same orders in the same order, and a count that is
// exact or says "more than" truthfully, for every scope, filter pair and sort.
func TestPanelOrdersMatchTheAPI(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := storetest.OpenDSN(t, dsn)
		storetest.LoadDemo(t, st)
		bulkOrders(t, st, 20_000)
		day := st.Now().AddDate(0, 0, -3).UTC().Format("2006-01-02")
		filters := [][2]string{{"type", "SO"}, {"type", "CL"}, {"ofStatus", "PF"}, {"status", "PROBLEM"}, {"number", "1000013"},
			{"customer", demo.Customer1}, {"customer", "Customer 42"}, {"from", day}, {"to", day}}
		sets := filterSets(filters)
		sorts := []string{"", "internalId", "-orderNumber", "type", "-status", "ofStatus", "-creationTime", "endCustomerName", "-total"}
		if raceDetector || testing.Short() {
			sorts, sets = []string{"", "-orderNumber", "-total"}, sets[:14]
		}
		for _, scope := range []string{demo.ProviderToken, demo.ResellerToken, demo.CustomerToken} {
			pr, err := st.Authenticate(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			everything := pr.Account.ParentID == 0
			for _, set := range sets {
				for _, sort := range sorts {
					for _, start := range []int{0, 450} {
						v := url.Values{}
						for _, kv := range set {
							v.Set(kv[0], kv[1])
						}
						v.Set("sort", sort)
						name := fmt.Sprintf("%s?%s&start=%d", pr.Account.Type, v.Encode(), start)
						raw, err := panelRQL(v, start)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						lq, err := api.CompileList(st, "orders", raw)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						got, count, err := st.PanelOrders(ctx, pr.Account.Path, everything, lq, 1000)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						all := lq
						all.Offset, all.Count, all.SkipCount = 0, start+lq.Count, false
						all.OrderBy = tiebreakLikeThePanel(all.OrderBy)
						want, pg, err := st.ListOrdersUnplanned(ctx, pr.Account.Path, all)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if n := pg.Total; count.More && count.N >= n || !count.More && count.N != min(n, 1000) {
							t.Errorf("%s: count %+v, %d orders match", name, count, n)
						}
						page := want[min(start, len(want)):min(start+lq.Count, len(want))]
						if !slices.EqualFunc(got, page, func(a, b *order.Order) bool { return a.ID == b.ID }) {
							t.Errorf("%s: %d orders %v, want %d %v", name, len(got), ids(got), len(page), ids(page))
						}
					}
				}
			}
		}
	})
}

// filterSets lists the order-list filters to try: none, each alone, and every pair of two
// different fields.
func filterSets(filters [][2]string) [][][2]string {
	sets := [][][2]string{nil}
	for i, a := range filters {
		sets = append(sets, [][2]string{a})
		for _, b := range filters[i+1:] {
			if a[0] != b[0] {
				sets = append(sets, [][2]string{a, b})
			}
		}
	}
	return sets
}

// panelRQL is the RQL the order list page runs for a filter (its form, read as the page reads it).
func panelRQL(v url.Values, start int) (string, error) {
	v.Set("start", fmt.Sprint(start))
	return panel.PanelOrderRQL(v)
}

// tiebreakLikeThePanel gives the id tiebreak the first key's direction, as the panel does.
func tiebreakLikeThePanel(orderBy string) string {
	first, _, _ := strings.Cut(orderBy, ", ")
	if strings.HasSuffix(first, " DESC") && strings.HasSuffix(orderBy, ", o.id") {
		return strings.TrimSuffix(orderBy, "o.id") + "o.id DESC"
	}
	return orderBy
}

func ids(os []*order.Order) []int64 {
	var out []int64
	for _, o := range os[:min(len(os), 8)] {
		out = append(out, o.ID)
	}
	return out
}
