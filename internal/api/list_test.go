package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

var collections = []struct {
	path  string
	shape obj
	total string // with the provider's token
}{
	{"/aps/2/collections/accounts", accountShape, "7"},
	{"/aps/2/collections/service-plans", planShape, "4"},
	{"/aps/2/collections/bss-subscriptions", subscriptionShape, "3"},
}

func demoPaging(t *testing.T, c *client) {
	for _, col := range collections {
		// limit(0,1): one item, 206 Partial Content, the total in Content-Range.
		items, r := c.list(col.path+"?limit(0,1)", col.shape, asProvider)
		if r.status != http.StatusPartialContent || len(items) != 1 || r.header.Get("Content-Range") != "items 0-0/"+col.total {
			t.Errorf("%s?limit(0,1): %d, %d items, Content-Range %q; want 206, 1, items 0-0/%s",
				col.path, r.status, len(items), r.header.Get("Content-Range"), col.total)
		}
		first := apsIDs(items)
		items, r = c.list(col.path+"?limit(1,2)", col.shape, asProvider)
		if r.status != http.StatusPartialContent || len(items) != 2 || r.header.Get("Content-Range") != "items 1-2/"+col.total {
			t.Errorf("%s?limit(1,2): %d, %d items, Content-Range %q", col.path, r.status, len(items), r.header.Get("Content-Range"))
		}
		if slices.Contains(apsIDs(items), first[0]) {
			t.Errorf("%s: pages overlap: %v and %v", col.path, first, apsIDs(items))
		}

		// limit(0,0): the count alone, no body.
		r = c.get(col.path+"?limit(0,0)", asProvider)
		if r.status != http.StatusOK || len(r.body) != 0 || !strings.HasSuffix(r.header.Get("Content-Range"), "/"+col.total) {
			t.Errorf("%s?limit(0,0): %d, body %q, Content-Range %q; want the total alone", col.path, r.status, r.body, r.header.Get("Content-Range"))
		}

		// APS-Skip-Content-Range: no count.
		items, r = c.list(col.path+"?limit(0,1)", col.shape, asProvider, [2]string{"APS-Skip-Content-Range", "true"})
		if len(items) != 1 || r.header.Get("Content-Range") != "items 0-0/*" {
			t.Errorf("%s with APS-Skip-Content-Range: %d items, Content-Range %q; want items 0-0/*", col.path, len(items), r.header.Get("Content-Range"))
		}

		// Range: items=A-B without limit().
		items, r = c.list(col.path, col.shape, asProvider, [2]string{"Range", "items=0-1"})
		if r.status != http.StatusPartialContent || len(items) != 2 || r.header.Get("Content-Range") != "items 0-1/"+col.total {
			t.Errorf("%s with Range items=0-1: %d, %d items, Content-Range %q", col.path, r.status, len(items), r.header.Get("Content-Range"))
		}
		// limit() wins over Range.
		items, r = c.list(col.path+"?limit(0,1)", col.shape, asProvider, [2]string{"Range", "items=0-2"})
		if len(items) != 1 || r.header.Get("Content-Range") != "items 0-0/"+col.total {
			t.Errorf("%s limit(0,1) with Range items=0-2: %d items, Content-Range %q", col.path, len(items), r.header.Get("Content-Range"))
		}
		r = c.get(col.path, asProvider, [2]string{"Range", "items=5-1"})
		checkError(t, col.path+" Range items=5-1", r, http.StatusBadRequest)

		// Past the end: an empty page, still counted.
		items, r = c.list(col.path+"?limit(100,10)", col.shape, asProvider)
		if len(items) != 0 || r.header.Get("Content-Range") != "items */"+col.total {
			t.Errorf("%s?limit(100,10): %d items, Content-Range %q", col.path, len(items), r.header.Get("Content-Range"))
		}
		// The whole set: 200.
		items, r = c.list(col.path, col.shape, asProvider)
		if r.status != http.StatusOK || r.header.Get("Content-Range") != "items 0-"+strconv.Itoa(len(items)-1)+"/"+col.total {
			t.Errorf("%s: %d, Content-Range %q", col.path, r.status, r.header.Get("Content-Range"))
		}
	}
}

func demoFiltersAndSort(t *testing.T, c *client) {
	for _, x := range []struct {
		path string
		want []string // in order
	}{
		{"/aps/2/collections/accounts?sort(-id)", []string{demo.CustomerB, demo.CustomerSubs, demo.CustomerTaxed,
			demo.ResellerB, demo.ResellerA, demo.Customer1, demo.ProviderAPSID}},
		{"/aps/2/collections/accounts?eq(type,RESELLER)&sort(+id)", []string{demo.ResellerA, demo.ResellerB}},
		{"/aps/2/collections/accounts?in(id,(1000001,1000006)),sort(id)", []string{demo.Customer1, demo.CustomerB}},
		{"/aps/2/collections/accounts?eq(parent.aps.id," + demo.ResellerB + ")", []string{demo.CustomerB}},
		{"/aps/2/collections/accounts?like(companyName,Smith*)&sort(companyName)", []string{demo.CustomerSubs, demo.CustomerB}},
		{"/aps/2/collections/accounts?ge(id,1000005)", []string{demo.CustomerSubs, demo.CustomerB}},
		{"/aps/2/collections/accounts?or(eq(id,1),eq(id,1000003))", []string{demo.ProviderAPSID, demo.ResellerB}},
		{"/aps/2/collections/accounts?not(ge(id,1000002))", []string{demo.ProviderAPSID, demo.Customer1}},
		{"/aps/2/collections/service-plans?eq(name,Cloud%20VPSes)", []string{demo.PlanCloudVPS}},
		{"/aps/2/collections/bss-subscriptions?ge(startDate,2019-03-12T00:00:00Z)&sort(-startDate)", []string{demo.SubCloud, demo.SubVPSDemo}},
		{"/aps/2/collections/bss-subscriptions?lt(startDate,2019-03-01T00%3A00%3A00Z)", []string{demo.SubVIP}},
		{"/aps/2/collections/bss-subscriptions?eq(plan.aps.id," + demo.PlanCloudVPS + ")", []string{demo.SubCloud}},
		{"/aps/2/collections/bss-subscriptions?eq(subscriptionId,1000001)", []string{demo.SubVPSDemo}},
	} {
		var shape obj
		for _, col := range collections {
			if strings.HasPrefix(x.path, col.path+"?") {
				shape = col.shape
			}
		}
		items, _ := c.list(x.path, shape, asProvider)
		if got := apsIDs(items); !slices.Equal(got, x.want) {
			t.Errorf("%s:\n got  %v\n want %v", x.path, got, x.want)
		}
	}
}

func demoMalformedQueries(t *testing.T, c *client) {
	huge := "eq(companyName," + strings.Repeat("a", 100_000) + ")"
	for _, col := range collections {
		for _, q := range []string{
			"eq(nosuchfield,1)",
			"in(type,(SO",
			"limit(-1,5)",
			"limit(0,100000)",
			"limit(a,b)",
			"eq(aps.id)",
			"sort(+nosuchfield)",
			"ge(creationTime,yesterday)",
			"eq(id,abc)",
			"((((((((((((((((((((((((((((((((((((((((eq(id,1))))))))))))))))))))))))))))))))))))))))",
			"eq(id,1)|limit(0,1)",
			"%zz",
			")",
			huge,
		} {
			if strings.Contains(col.path, "service-plans") && (q == "eq(id,abc)") {
				q = "eq(nosuchfield,abc)"
			}
			r := c.get(col.path+"?"+q, asProvider)
			e := checkError(t, col.path+"?"+short(q), r, http.StatusBadRequest)
			if e.Type != "InvalidQuery" {
				t.Errorf("%s?%s: type %q, want InvalidQuery", col.path, short(q), e.Type)
			}
		}
	}
	// The message names what is wrong and where.
	e := checkError(t, "nosuchfield", c.get("/aps/2/collections/accounts?eq(nosuchfield,1)", asProvider), http.StatusBadRequest)
	if !strings.Contains(e.Message, "nosuchfield") || !strings.Contains(e.Message, "position") {
		t.Errorf("message %q does not name the field and the position", e.Message)
	}
	// A query string that is not RQL at all (a stray parameter) is refused, not ignored.
	checkError(t, "accountId on accounts", c.get("/aps/2/collections/accounts?"+url.Values{"x": {"(y"}}.Encode(), asProvider), http.StatusBadRequest)
}
