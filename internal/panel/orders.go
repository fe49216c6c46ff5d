package panel

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// pageSize is the rows of one list page; one more is fetched to know whether a next page exists.
const pageSize = 50

// maxStart is the deepest row a list pages to: an offset is a walk over every row before it.
const maxStart = 100_000

// maxOrderStart is the deepest row the order list pages to: on millions of orders a page
// further down a filtered list reads tens of thousands of rows (past 100 ms); a filter or the
// reversed sort reaches any order sooner.
const maxOrderStart = 1_000

// listCountCap bounds the count shown above a list (a list's count joins the rows it counts).
const listCountCap = 10_000

var (
	uuidRe        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	orderNumberRe = regexp.MustCompile(`^([A-Z]{2})?0*([0-9]{1,18})$`)
	orderTypes    = []string{"SO", "RN", "CH", "CL", "CF", "BO"}
	orderStatuses = []order.Status{order.NotStarted, order.InProgress, order.Problem, order.Canceled, order.Done}
	// orderSorts are the order list's sortable columns (API field names).
	orderSorts = []string{"internalId", "orderNumber", "type", "status", "ofStatus", "creationTime", "endCustomerName", "total"}
)

// rqlValue %-encodes a value for an RQL query: everything but letters, digits and -_.: is
// encoded, so no user text can change the query's structure.
func rqlValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16))
		}
	}
	return b.String()
}

// orderFilter is the order list's form.
type orderFilter struct {
	Type, OfStatus, Status, Number, Customer, Subscription, From, To, Sort string
	Start                                                                  int
}

func readOrderFilter(q url.Values) orderFilter {
	f := orderFilter{Type: q.Get("type"), OfStatus: q.Get("ofStatus"), Status: q.Get("status"),
		Number: strings.TrimSpace(q.Get("number")), Customer: strings.TrimSpace(q.Get("customer")),
		Subscription: strings.TrimSpace(q.Get("subscription")), From: q.Get("from"), To: q.Get("to"), Sort: q.Get("sort")}
	f.Start, _ = strconv.Atoi(q.Get("start"))
	f.Start = max(f.Start, 0)
	return f
}

// rql is the API query the filter stands for: the panel's list runs exactly what
// GET /aps/2/services/order-manager/orders?<rql> runs.
func (f orderFilter) rql(count int) (string, error) {
	var terms []string
	add := func(t string) { terms = append(terms, t) }
	if f.Type != "" {
		if !slices.Contains(orderTypes, f.Type) {
			return "", problem.Invalid("InvalidFilter", "unknown order type %q", f.Type)
		}
		add("eq(type," + f.Type + ")")
	}
	if f.OfStatus != "" {
		if !order.FlowStatus(f.OfStatus).Valid() {
			return "", problem.Invalid("InvalidFilter", "unknown flow status %q", f.OfStatus)
		}
		add("eq(ofStatus," + f.OfStatus + ")")
	}
	if f.Status != "" {
		if !slices.Contains(orderStatuses, order.Status(f.Status)) {
			return "", problem.Invalid("InvalidFilter", "unknown order status %q", f.Status)
		}
		add("eq(status," + f.Status + ")")
	}
	// Numbers and names are looked up exactly, on their indexes: a substring search would
	// read every order of millions.
	if f.Number != "" {
		m := orderNumberRe.FindStringSubmatch(strings.ToUpper(f.Number))
		switch {
		case m == nil:
			return "", problem.Invalid("InvalidFilter", "order number %q is not like SO000123 or 123", f.Number)
		case m[1] != "":
			add("eq(orderNumber," + m[1] + fmt.Sprintf("%06s", m[2]) + ")")
		default:
			var nums []string
			for _, t := range orderTypes {
				nums = append(nums, t+fmt.Sprintf("%06s", m[2]))
			}
			add("in(orderNumber,(" + strings.Join(nums, ",") + "))")
		}
	}
	switch {
	case f.Customer == "":
	case uuidRe.MatchString(f.Customer):
		add("eq(customerId," + strings.ToLower(f.Customer) + ")")
	default:
		add("eq(endCustomerName," + rqlValue(f.Customer) + ")")
	}
	if f.Subscription != "" {
		add("eq(subscriptionId," + rqlValue(f.Subscription) + ")")
	}
	for _, d := range []struct{ v, op string }{{f.From, "ge"}, {f.To, "lt"}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			return "", problem.Invalid("InvalidFilter", "date %q is not YYYY-MM-DD", d.v)
		}
		if d.op == "lt" {
			t = t.AddDate(0, 0, 1) // "to" includes its day
		}
		add(d.op + "(creationTime," + t.Format(time.DateOnly) + ")")
	}
	switch {
	case f.Sort != "":
		if !slices.Contains(orderSorts, strings.TrimPrefix(f.Sort, "-")) {
			return "", problem.Invalid("InvalidFilter", "cannot sort by %q", f.Sort)
		}
		add("sort(" + f.Sort + ")")
	case f.From != "" || f.To != "":
		add("sort(-creationTime)") // newest first, as by default, along the dates' own index
	}
	if f.Start > maxOrderStart {
		return "", problem.Invalid("InvalidFilter", "pages go up to row %d; narrow the list with a filter or reverse the sort", maxOrderStart)
	}
	add("limit(" + strconv.Itoa(f.Start) + "," + strconv.Itoa(count) + ")")
	return strings.Join(terms, "&"), nil
}

// query renders the filter as the panel's own URL query, with one field changed.
func (f orderFilter) query(key, value string) string {
	v := url.Values{}
	for k, s := range map[string]string{"type": f.Type, "ofStatus": f.OfStatus, "status": f.Status, "number": f.Number,
		"customer": f.Customer, "subscription": f.Subscription, "from": f.From, "to": f.To, "sort": f.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Start > 0 {
		v.Set("start", strconv.Itoa(f.Start))
	}
	if key != "start" {
		v.Del("start") // a new filter or sort starts at the first page
	}
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	return v.Encode()
}

// SortLink is the URL that sorts by a column: ascending first, descending when already ascending.
func (f orderFilter) SortLink(field string) string {
	next := field
	if f.Sort == field {
		next = "-" + field
	}
	return "/panel/orders?" + f.query("sort", next)
}

// SortMark shows the current sort direction of a column.
func (f orderFilter) SortMark(field string) string {
	switch f.Sort {
	case field:
		return "▲"
	case "-" + field:
		return "▼"
	}
	return ""
}

type pager struct {
	First, Last int // 1-based positions of the page's rows
	Prev, Next  string
	Count       store.Count
}

func newPager(start, size, rows int, more bool, count store.Count, link func(start int) string) pager {
	pg := pager{First: start + 1, Last: start + rows, Count: count}
	if start > 0 {
		pg.Prev = link(max(start-size, 0))
	}
	if more {
		pg.Next = link(start + size)
	}
	return pg
}

type ordersData struct {
	Filter   orderFilter
	RQL      string
	Orders   []*order.Order
	Pager    pager
	Types    []string
	Flows    []order.FlowStatus
	Statuses []order.Status
	Sorts    []string
}

// orders is the paged, sortable, filtered order list.
func (p *Panel) orders(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	f := readOrderFilter(r.URL.Query())
	raw, err := f.rql(pageSize + 1)
	var lq store.ListQuery
	if err == nil {
		lq, err = api.CompileList(p.store, "orders", raw)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	orders, count, err := p.store.PanelOrders(r.Context(), u.Principal.Account.Path, u.Everything, lq, listCountCap)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	more := len(orders) > pageSize
	orders = orders[:min(len(orders), pageSize)]
	d := ordersData{Filter: f, RQL: raw, Orders: orders, Types: orderTypes, Flows: flowOrder, Statuses: orderStatuses, Sorts: orderSorts,
		Pager: newPager(f.Start, pageSize, len(orders), more && f.Start+pageSize <= maxOrderStart, count, func(s int) string { return "/panel/orders?" + f.query("start", strconv.Itoa(s)) })}
	p.render(w, r, http.StatusOK, "orders", page{Title: "Orders", Nav: "orders", Data: d})
}

// visibleOrder reads an order the user may see; anything else is 404, as in the API.
func (p *Panel) visibleOrder(r *http.Request, id string) (*order.Order, error) {
	o, err := p.store.Order(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !userOf(r).Principal.Account.Contains(account.Account{Path: o.BuyerPath})) {
		return nil, problem.NotFound("order %q not found", id)
	}
	return o, err
}

type orderData struct {
	Order    *order.Order
	Buyer    account.Account
	Events   []order.Event
	Pushes   []order.FlowStatus
	FlowName string
	Failed   int // items in FAILED
	Now      time.Time
}

var flashes = map[string]string{
	"pushed":      "The order was pushed.",
	"resubmitted": "The failed items were resubmitted to the OSS.",
	"event":       "The event was applied to the item.",
	"oss":         "The OSS simulator's behaviour was changed.",
}

// orderPage shows an order with its lines, items, history and the actions its status allows.
func (p *Panel) orderPage(w http.ResponseWriter, r *http.Request) {
	o, err := p.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	buyer, err := p.store.AccountByID(r.Context(), o.BuyerID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	events, err := p.store.OrderEvents(r.Context(), o.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := orderData{Order: o, Buyer: buyer, Events: events, Pushes: order.PushTargets(o.Flow), FlowName: flowNames[o.Flow], Now: p.now()}
	for _, it := range o.Items {
		if it.Status == order.ProvisioningFailedSt {
			d.Failed++
		}
	}
	pg := page{Title: "Order " + o.Number, Nav: "orders", Flash: flashes[r.URL.Query().Get("done")], Data: d}
	if r.URL.Query().Get("refresh") != "0" && (o.Flow == order.New || o.Flow == order.Open || o.Flow == order.Provisioning) {
		pg.Refresh = 3 // the processor is at work: the page follows it without JavaScript
	}
	p.render(w, r, http.StatusOK, "order", pg)
}

// itemEvents are the events an operator can trigger for an item.
var itemEvents = map[string]string{
	"creation":  "Creation Completed",
	"completed": "Mark completed",
	"failed":    "Mark failed",
}

type confirmData struct {
	Order   *order.Order
	Action  string // the form's target path
	Summary string
	Fields  [][2]string // hidden fields carried to the post
	Details [][2]string // what the operator is about to do, shown
}

// confirm is the confirmation step of every action: it restates what will happen and posts
// it only when the operator confirms.
func (p *Panel) confirm(w http.ResponseWriter, r *http.Request) {
	o, err := p.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	base := "/panel/orders/" + o.APSID
	d := confirmData{Order: o}
	switch q.Get("action") {
	case "push":
		to := order.FlowStatus(q.Get("to"))
		if !order.CanPush(o.Flow, to) {
			p.fail(w, r, problem.Conflict("PushNotAllowed", "order %s is in status %s; it can be pushed to %v", o.Number, o.Flow, order.PushTargets(o.Flow)))
			return
		}
		d.Action, d.Summary = base+"/push", "Push order "+o.Number+" from "+string(o.Flow)+" ("+flowNames[o.Flow]+") to "+string(to)+" ("+flowNames[to]+")?"
		d.Fields = [][2]string{{"to", string(to)}}
	case "resubmit":
		d.Action, d.Summary = base+"/resubmit", "Resubmit the failed provisioning items of order "+o.Number+" to the OSS?"
	case "event":
		if d, err = p.eventConfirmation(o, q); err != nil {
			p.fail(w, r, err)
			return
		}
	default:
		p.fail(w, r, problem.Invalid("UnknownAction", "unknown action %q", q.Get("action")))
		return
	}
	p.render(w, r, http.StatusOK, "confirm", page{Title: "Confirm", Nav: "orders", Data: d})
}

// eventConfirmation is the confirmation of an item event: the order page's and the events
// page's.
func (p *Panel) eventConfirmation(o *order.Order, q url.Values) (confirmData, error) {
	it, ev, err := p.eventForm(o, q)
	if err != nil {
		return confirmData{}, err
	}
	item := strconv.FormatInt(it.ID, 10)
	d := confirmData{Order: o, Action: "/panel/orders/" + o.APSID + "/items/" + item + "/event",
		Summary: itemEvents[ev.Kind] + " for provisioning item " + item + " of order " + o.Number + "?",
		Fields:  [][2]string{{"event", ev.Kind}, {"gateId", ev.GateID}, {"message", ev.Message}, {"subscrId", ev.SubscrID}},
		Details: [][2]string{{"Order", o.Number + " (" + string(o.Flow) + ", " + flowNames[o.Flow] + ")"},
			{"Item", item + " (" + it.Action + ", now " + it.Status + ")"}, {"Message", ev.Message}}}
	if ev.Kind == "creation" {
		d.Details = append(d.Details, [2]string{"Parameters", ev.Parameters(it.ID)})
	}
	return d, nil
}

// itemEvent is an operator's event about an item, as the forms send it.
type itemEvent struct {
	Kind, GateID, Message, SubscrID string
}

// Parameters renders the event as seed 000's "Trigger Event" parameters.
func (e itemEvent) Parameters(itemID int64) string {
	return "GateID=" + e.GateID + ";IssuedSuccessfully=1;Message=" + e.Message + ";OrderItemID=" +
		strconv.FormatInt(itemID, 10) + ";SubscrID=" + e.SubscrID
}

// eventForm reads and checks an item event from form or query values.
func (p *Panel) eventForm(o *order.Order, v url.Values) (*order.Item, itemEvent, error) {
	ev := itemEvent{Kind: v.Get("event"), GateID: strings.TrimSpace(v.Get("gateId")),
		Message: strings.TrimSpace(v.Get("message")), SubscrID: strings.TrimSpace(v.Get("subscrId"))}
	itemID, _ := strconv.ParseInt(v.Get("item"), 10, 64)
	idx := slices.IndexFunc(o.Items, func(it order.Item) bool { return it.ID == itemID })
	switch {
	case idx < 0:
		return nil, ev, problem.NotFound("order %s has no provisioning item %q", o.Number, v.Get("item"))
	case itemEvents[ev.Kind] == "":
		return nil, ev, problem.Invalid("UnknownEvent", "unknown item event %q", ev.Kind)
	case ev.Kind == "failed" && ev.Message == "":
		return nil, ev, problem.Invalid("MessageRequired", "say why the item failed")
	case len(ev.Message) > 2000 || len(ev.GateID) > 100 || len(ev.SubscrID) > 200:
		return nil, ev, problem.Invalid("TooLong", "the message, GateID or SubscrID is too long")
	}
	return &o.Items[idx], ev, nil
}

func (p *Panel) actor(r *http.Request) string {
	pr := userOf(r).Principal
	return "panel:" + pr.Account.APSID + "/token:" + strconv.FormatInt(pr.TokenID, 10)
}

func (p *Panel) done(w http.ResponseWriter, r *http.Request, o *order.Order, what string) {
	http.Redirect(w, r, "/panel/orders/"+o.APSID+"?done="+what, http.StatusSeeOther)
}

func (p *Panel) wake() {
	if p.processing != nil {
		p.processing.Wake()
	}
}

// push moves the order along its flow, as POST …/orders/{id}/push does.
func (p *Panel) push(w http.ResponseWriter, r *http.Request) {
	o, err := p.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	to := order.FlowStatus(r.PostFormValue("to"))
	if !to.Valid() {
		p.fail(w, r, problem.Invalid("InvalidOfStatus", "ofStatus %q is not an order flow status", to))
		return
	}
	var from order.FlowStatus
	err = p.store.InTx(r.Context(), func(tx *store.Tx) error {
		from, err = store.PushOrder(r.Context(), tx, o.ID, to, p.actor(r))
		if err == nil && to != order.Cancelled && to != order.Hold {
			err = store.Enqueue(r.Context(), tx, store.JobProcessOrder, o.ID, 0)
		}
		return err
	})
	if errors.Is(err, store.ErrPushNotAllowed) {
		err = problem.Conflict("PushNotAllowed", "order %s is in status %s; it can be pushed to %v", o.Number, from, order.PushTargets(from))
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.wake()
	p.done(w, r, o, "pushed")
}

// resubmit sends the failed items of an order in PF to the OSS again, as POST …/resubmit does.
func (p *Panel) resubmit(w http.ResponseWriter, r *http.Request) {
	o, err := p.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var from order.FlowStatus
	err = p.store.InTx(r.Context(), func(tx *store.Tx) error {
		from, err = store.PushOrder(r.Context(), tx, o.ID, order.Provisioning, p.actor(r))
		if err == nil && from != order.ProvisioningFailed {
			err = store.ErrPushNotAllowed
		}
		if err == nil {
			err = store.Enqueue(r.Context(), tx, store.JobProcessOrder, o.ID, 0)
		}
		return err
	})
	if errors.Is(err, store.ErrPushNotAllowed) {
		err = problem.Conflict("ResubmitNotAllowed", "order %s is in status %s; only an order in PF can be resubmitted", o.Number, from)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.wake()
	p.done(w, r, o, "resubmitted")
}

// itemEvent applies an operator's event to a provisioning item through the processor, as
// POST …/order-manager/events does, and records who triggered it in the order's history.
// "Creation Completed" is seed 000's repair: the OSS did the work, the item completes, and
// when it was the last one the order completes.
func (p *Panel) itemEvent(w http.ResponseWriter, r *http.Request) {
	o, err := p.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v := r.PostForm
	v.Set("item", r.PathValue("item"))
	it, ev, err := p.eventForm(o, v)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if p.processing == nil {
		p.fail(w, r, problem.New(http.StatusServiceUnavailable, "ProcessingDisabled", "order processing is not running in this process"))
		return
	}
	res := gateway.OSSResult{Status: gateway.OSSCompleted, Message: ev.Message}
	note := itemEvents[ev.Kind] + " for item " + strconv.FormatInt(it.ID, 10)
	switch ev.Kind {
	case "creation":
		res.OSSSubscriptionID = ev.SubscrID
		note += ": " + ev.Parameters(it.ID)
	case "failed":
		res.Status = gateway.OSSFailed
		note += ": " + ev.Message
	default:
		note += ": " + ev.Message
	}
	if res.Message == "" {
		res.Message = "marked completed in the control panel"
	}
	if err := p.store.PanelNote(r.Context(), o.ID, note, p.actor(r)); err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.processing.ItemEvent(r.Context(), o.ID, it.ID, res); err != nil {
		p.fail(w, r, err)
		return
	}
	p.done(w, r, o, "event")
}
