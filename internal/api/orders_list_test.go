package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

// listed is what the list test knows of an order, independently of the list endpoint.
type listed struct {
	id       string
	internal int64
	number   string
	typ      string
	buyer    string
	seller   string
	status   string
	attr     string // ORDER_ID1, "" when none
	created  time.Time
	sub      string // the subscription acted on
}

// generated orders start here, an hour apart.
var listEpoch = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

const generatedOrders = 300

// fillOrders places a few orders through the API (attributes, subscription orders) and inserts
// generated ones through the store, then spreads every creation time an hour apart from
// listEpoch, in internal id order. It returns the model of every order, by internal id.
func fillOrders(t *testing.T, e *ordersEnv) []listed {
	t.Helper()
	var all []listed
	add := func(id, attr string) {
		d := e.details(providerToken, id)
		all = append(all, listed{id: id, internal: d.InternalID, number: d.OrderNumber, typ: d.Type, buyer: d.BuyerID,
			seller: d.SellerID, status: d.Status, attr: attr, sub: d.SubscriptionID})
	}
	add(e.place(providerToken, vpsSale("", `, "attributes": [{"attributeID": "ORDER_ID1", "value": "test1234"}]`)), "test1234")
	add(e.place(providerToken, sale(demo.CustomerB, demo.PlanCloudVPS, "", `, "attributes": [{"attributeID": "ORDER_ID1", "value": "test12345"}]`)), "test12345")
	add(e.place(providerToken, sale(demo.CustomerB, demo.PlanCloudVPS, "", `, "attributes": [{"attributeID": "ORDER_ID1", "value": "TEST1234"}]`)), "TEST1234")
	add(e.place(resellerToken, seedRenewal), "")
	add(e.place(resellerToken, seedChangeSwitch), "")
	add(e.place(resellerToken, seedCancellation), "")
	add(e.place(resellerToken, seedChangeResources), "")

	ctx := context.Background()
	var buyers []account.Account
	for _, id := range []string{demo.Customer1, demo.CustomerTaxed, demo.CustomerSubs, demo.CustomerB} {
		a, err := e.st.Account(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		buyers = append(buyers, a)
	}
	sellers := map[int64]string{e.id("accounts", demo.ResellerA): demo.ResellerA, e.id("accounts", demo.ResellerB): demo.ResellerB}
	types := []order.Code{order.CodeSales, order.CodeRenewal, order.CodeChange, order.CodeCancellation, order.CodeCancellationFee, order.CodeBilling}
	flows := []order.FlowStatus{order.New, order.Completed, order.Open}
	for batch := 0; batch < generatedOrders/50; batch++ {
		err := e.st.InTx(ctx, func(tx *store.Tx) error {
			for i := batch * 50; i < (batch+1)*50; i++ {
				b := buyers[i%len(buyers)]
				o := &order.Order{Type: string(types[i%len(types)]), BuyerID: b.ID, BuyerAPSID: b.APSID, BuyerPath: b.Path,
					SellerID: b.ParentID, Currency: "USD", SubTotal: money.FromInt(int64(i)), TaxTotal: money.Zero,
					ExclusiveTaxTotal: money.Zero, Total: money.FromInt(int64(i)), Flow: flows[i%len(flows)],
					PaymentStatus: order.PaymentNotStarted, ProvisioningStatus: order.ProvisioningNotStarted,
					EndCustomerName: b.EndCustomerName(), EndCustomerType: string(b.Type), Request: json.RawMessage(`{}`)}
				attr := ""
				if i%7 == 0 {
					attr = fmt.Sprintf("gen%03d", i)
					o.Attributes = []account.Attribute{{AttributeID: "ORDER_ID1", Value: attr}}
				}
				if err := store.InsertOrder(ctx, tx, o); err != nil {
					return err
				}
				all = append(all, listed{id: o.APSID, internal: o.ID, number: o.Number, typ: o.Type, buyer: b.APSID,
					seller: sellers[b.ParentID], status: string(o.Status()), attr: attr})
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert generated orders: %v", err)
		}
	}
	slices.SortFunc(all, func(a, b listed) int { return int(a.internal - b.internal) })
	e.exec(`UPDATE orders SET creation_time = $1 + (id - $2) * 3600000000`, store.Micros(listEpoch), all[0].internal)
	for i := range all {
		all[i].created = listEpoch.Add(time.Duration(all[i].internal-all[0].internal) * time.Hour)
	}
	return all
}

// list GETs the order list with a raw query, returning the items' orderIds and the reply.
func (e *ordersEnv) list(token, query string, header ...string) ([]map[string]any, reply) {
	e.t.Helper()
	r := e.get(ordersPath+"?"+query, token, header...)
	if r.status != http.StatusOK && r.status != http.StatusPartialContent {
		e.t.Fatalf("GET orders?%s: %d %s", query, r.status, r.body)
	}
	var items []map[string]any
	if len(r.body) > 0 {
		decode(e.t, r.body, &items)
	}
	return items, r
}

func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["orderId"].(string)
	}
	return out
}

// want filters the model and orders it by internal id, descending (the list's default order)
// or ascending.
func want(all []listed, desc bool, keep func(listed) bool) []string {
	var out []string
	for _, o := range all {
		if keep(o) {
			out = append(out, o.id)
		}
	}
	if desc {
		slices.Reverse(out)
	}
	return out
}

// TestOrderList runs the seed's list queries against a few hundred orders on each engine and
// compares every answer with what the test itself inserted.
func TestOrderList(t *testing.T) {
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		all := fillOrders(t, e)
		n := len(all)
		everything := func(listed) bool { return true }
		check := func(t *testing.T, token, query string, want []string) reply {
			t.Helper()
			items, r := e.with(t).list(token, query)
			if got := ids(items); !slices.Equal(got, want) {
				t.Errorf("?%s: %d orders %v\nwant %d %v", query, len(got), head(got), len(want), head(want))
			}
			return r
		}
		cases := []struct {
			name, token, query string
			want               []string
		}{
			{"in type", providerToken, "in(type,(SO,BO)),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.typ == "SO" || o.typ == "BO" })},
			{"like orderNumber", providerToken, "like(orderNumber,*00001),limit(0,1000)",
				want(all, true, func(o listed) bool { return strings.HasSuffix(o.number, "00001") })},
			{"like number with ?", providerToken, "like(number,SO00001?),limit(0,1000)",
				want(all, true, func(o listed) bool { return len(o.number) == 8 && strings.HasPrefix(o.number, "SO00001") })},
			{"creationTime range", providerToken, "ge(creationTime,2018-04-26T16:00:00Z),le(creationTime,2030-01-01T00:00:00Z),limit(0,1000)",
				want(all, true, everything)},
			{"creationTime window", providerToken, "ge(creationTime,2019-01-03T00:00:00Z),le(creationTime,2019-01-05T12:00:00Z),limit(0,1000)",
				want(all, true, func(o listed) bool {
					return !o.created.Before(time.Date(2019, 1, 3, 0, 0, 0, 0, time.UTC)) && !o.created.After(time.Date(2019, 1, 5, 12, 0, 0, 0, time.UTC))
				})},
			{"creationTime %-encoded", providerToken, "ge(creationTime,2019-01-03T00%3A00%3A00Z),lt(creationDate,2019-01-04T00%3A00%3A00Z)",
				want(all, true, func(o listed) bool {
					return !o.created.Before(time.Date(2019, 1, 3, 0, 0, 0, 0, time.UTC)) && o.created.Before(time.Date(2019, 1, 4, 0, 0, 0, 0, time.UTC))
				})},
			{"internalId range", providerToken, fmt.Sprintf("ge(internalId,%d),le(internalId,%d)", all[10].internal, all[19].internal),
				want(all, true, func(o listed) bool { return o.internal >= all[10].internal && o.internal <= all[19].internal })},
			{"sort -internalId", providerToken, "sort(-internalId),limit(0,1000)", want(all, true, everything)},
			{"sort +internalId", providerToken, "sort(+internalId),limit(0,1000)", want(all, false, everything)},
			{"sort creationTime", providerToken, "sort(creationTime),limit(0,1000)", want(all, false, everything)},
			{"attribute like", providerToken, "like(ORDER_ID1,test1234)",
				want(all, true, func(o listed) bool { return strings.ToLower(o.attr) == "test1234" })},
			{"attribute like, any case", providerToken, "like(ORDER_ID1,tEsT1234)",
				want(all, true, func(o listed) bool { return strings.ToLower(o.attr) == "test1234" })},
			{"attribute like *", providerToken, "like(ORDER_ID1,test*)",
				want(all, true, func(o listed) bool { return strings.HasPrefix(strings.ToLower(o.attr), "test") })},
			{"attribute like *, any case", providerToken, "like(ORDER_ID1,TeSt123*)",
				want(all, true, func(o listed) bool { return strings.HasPrefix(strings.ToLower(o.attr), "test123") })},
			{"attribute eq", providerToken, "eq(ORDER_ID1,TEST1234)",
				want(all, true, func(o listed) bool { return o.attr == "TEST1234" })},
			{"attribute in", providerToken, "in(ORDER_ID1,(gen007,gen014,nothing))",
				want(all, true, func(o listed) bool { return o.attr == "gen007" || o.attr == "gen014" })},
			{"status", providerToken, "in(status,(NOT_STARTED)),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.status == "NOT_STARTED" })},
			{"status and type", providerToken, "in(status,(COMPLETED,IN_PROGRESS)),eq(type,CF),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.status != "NOT_STARTED" && o.typ == "CF" })},
			{"customerId", providerToken, "eq(customerId," + demo.CustomerTaxed + "),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.buyer == demo.CustomerTaxed })},
			{"resellerId", providerToken, "in(resellerId,(" + demo.ResellerB + ")),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.seller == demo.ResellerB })},
			{"subscriptionId", providerToken, "in(subscriptionId,(" + demo.SubVPSDemo + "))",
				want(all, true, func(o listed) bool { return o.sub == demo.SubVPSDemo })},
			{"or", providerToken, "or(eq(type,RN),eq(type,CH)),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.typ == "RN" || o.typ == "CH" })},
			{"not", providerToken, "not(in(type,(SO,RN,CH,CL,CF))),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.typ == "BO" })},
			{"in internalId", providerToken, fmt.Sprintf("in(internalId,(%d,%d))", all[0].internal, all[42].internal),
				[]string{all[42].id, all[0].id}},
			{"in orderId", providerToken, "in(orderId,(" + all[7].id + "," + all[8].id + "))", []string{all[8].id, all[7].id}},
			{"like endCustomerName", providerToken, "like(endCustomerName,John*),limit(0,1000)",
				want(all, true, func(o listed) bool { return o.buyer == demo.CustomerSubs || o.buyer == demo.CustomerB })},
			{"endCustomerType", providerToken, "eq(endCustomerType,CUSTOMER),limit(0,1000)", want(all, true, everything)},
			{"provisioning and payment status", providerToken, "in(provisioningStatus,(NOT_STARTED)),in(paymentStatus,(NOT_STARTED)),limit(0,1000)",
				want(all, true, everything)},
			{"orderDate and expirationDate", providerToken, "ge(orderDate,2019-03-22T00:00:00Z),le(expirationDate,2019-03-26T00:00:00Z),limit(0,1000)",
				want(all, true, everything)},
			{"reseller's scope", resellerToken, "limit(0,1000)",
				want(all, true, func(o listed) bool { return o.seller == demo.ResellerA })},
			{"reseller's scope and a foreign customer", resellerToken, "eq(customerId," + demo.CustomerB + ")", nil},
			{"customer's scope", customerToken, "limit(0,1000)",
				want(all, true, func(o listed) bool { return o.buyer == demo.Customer1 })},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if len(c.want) == 0 && !strings.Contains(c.name, "foreign") {
					t.Fatalf("the model selects no order for %s: a vacuous case", c.query)
				}
				check(t, c.token, c.query, c.want)
			})
		}

		t.Run("paging", func(t *testing.T) {
			e := e.with(t)
			desc := want(all, true, everything)
			items, r := e.list(providerToken, "limit(0,9)")
			wantEqual(t, "status", r.status, http.StatusPartialContent)
			wantEqual(t, "Content-Range", r.header.Get("Content-Range"), fmt.Sprintf("items 0-8/%d", n))
			if !slices.Equal(ids(items), desc[:9]) {
				t.Errorf("limit(0,9) = %v", head(ids(items)))
			}
			items, r = e.list(providerToken, "sort(+internalId),limit(300,100)")
			wantEqual(t, "last page status", r.status, http.StatusPartialContent)
			wantEqual(t, "last page Content-Range", r.header.Get("Content-Range"), fmt.Sprintf("items 300-%d/%d", n-1, n))
			wantEqual(t, "last page size", len(items), n-300)
			_, r = e.list(providerToken, "")
			wantEqual(t, "default page Content-Range", r.header.Get("Content-Range"), fmt.Sprintf("items 0-99/%d", n))
			_, r = e.list(providerToken, "limit(0,9)", "APS-Skip-Content-Range", "true")
			wantEqual(t, "Content-Range without the count", r.header.Get("Content-Range"), "items 0-8/*")
			items, r = e.list(providerToken, "", "Range", "items=5-9")
			wantEqual(t, "Range: items=5-9", r.header.Get("Content-Range"), fmt.Sprintf("items 5-9/%d", n))
			if !slices.Equal(ids(items), desc[5:10]) {
				t.Errorf("Range items=5-9 = %v", ids(items))
			}
			_, r = e.list(resellerToken, "in(type,(SO)),limit(0,1000)")
			wantEqual(t, "whole set status", r.status, http.StatusOK)

			items, r = e.list(providerToken, "in(type,(SO,BO)),limit(0,0)")
			wantEqual(t, "limit(0,0) status", r.status, http.StatusOK)
			wantEqual(t, "limit(0,0) body", string(r.body), "")
			wantEqual(t, "limit(0,0) Content-Range", r.header.Get("Content-Range"),
				fmt.Sprintf("items */%d", len(want(all, true, func(o listed) bool { return o.typ == "SO" || o.typ == "BO" }))))
			wantEqual(t, "limit(0,0) items", len(items), 0)
		})

		t.Run("shape and select", func(t *testing.T) {
			e := e.with(t)
			items, _ := e.list(providerToken, "eq(orderNumber,SO000001)")
			if len(items) != 1 {
				t.Fatalf("SO000001: %d items", len(items))
			}
			it := items[0]
			for _, k := range []string{"orderId", "internalId", "orderNumber", "type", "total", "taxTotal", "exclusiveTaxTotal",
				"subTotal", "status", "paymentStatus", "provisioningStatus", "ofStatus", "sellerId", "buyerId", "orderDate",
				"expirationDate", "creationTime", "orderAttributes", "accountAttributes", "endCustomerName", "endCustomerType"} {
				if _, ok := it[k]; !ok {
					t.Errorf("list item lacks %q", k)
				}
			}
			if _, ok := it["details"]; ok {
				t.Errorf("details without select(details)")
			}
			if _, ok := it["total"].(json.Number); !ok {
				t.Errorf("list total = %#v, want a bare number", it["total"])
			}
			wantEqual(t, "creationTime", it["creationTime"], any(listEpoch.Format(time.RFC3339)))

			items, _ = e.list(providerToken, "eq(orderNumber,SO000001),select(details)")
			var types []string
			det, _ := items[0]["details"].([]any)
			for _, l := range det {
				m, _ := l.(map[string]any)
				types = append(types, fmt.Sprint(m["type"], " ", m["extendedPrice"]))
			}
			// Cloud VPSes with its one included VPS: setup and a month.
			if !slices.Equal(types, []string{"PLAN_SETUP 2.0", "PLAN_RECURRING 4.25"}) {
				t.Errorf("select(details) lines = %v", types)
			}
			items, _ = e.list(providerToken, "eq(orderNumber,RN000001),select(subscriptions,provisioningItems)")
			if len(items) != 1 {
				t.Fatalf("RN000001: %d items", len(items))
			}
			if got := fmt.Sprint(items[0]["bssSubscriptions"]); got != "["+demo.SubVPSDemo+"]" {
				t.Errorf("select(subscriptions): bssSubscriptions = %s", got)
			}
			if its, _ := items[0]["provisioningItems"].([]any); len(its) != 1 || its[0].(map[string]any)["action"] != "RENEW" {
				t.Errorf("select(provisioningItems) = %v", items[0]["provisioningItems"])
			}
		})

		t.Run("malformed", func(t *testing.T) {
			e := e.with(t)
			for _, q := range []string{"in(type,(SO", "eq(nosuchfield,1)", "ge(creationTime,yesterday)", "limit(-1,5)",
				"limit(0,1001)", "like(total,1*)", "sort(-nosuchfield)", "select(nothing)", "eq(internalId,abc)",
				"like(ORDER_ID1,x" + strings.Repeat("y", 100<<10) + ")", strings.Repeat("not(", 300) + "eq(type,SO)" + strings.Repeat(")", 300),
				url.QueryEscape("eq(type,SO)") + "&&"} {
				r := e.get(ordersPath+"?"+q, providerToken)
				var p problemJSON
				if err := json.Unmarshal(r.body, &p); err != nil || r.status != http.StatusBadRequest || p.Code != 400 || p.Type != "InvalidQuery" || p.Message == "" {
					t.Errorf("?%.60s: %d %.200s, want 400 InvalidQuery", q, r.status, r.body)
				}
			}
			// The messages name the field and where the query goes wrong.
			for q, msg := range map[string]string{
				"eq(nosuchfield,1)":          "nosuchfield",
				"ge(creationTime,yesterday)": "creationTime",
				"limit(-1,5)":                "limit",
			} {
				r := e.get(ordersPath+"?"+q, providerToken)
				if !strings.Contains(string(r.body), msg) {
					t.Errorf("?%s: %s does not name %q", q, r.body, msg)
				}
			}
		})
	})
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
