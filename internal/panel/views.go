package panel

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/ledger"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/subscription"
)

var subscriptionStatuses = []string{subscription.StatusActive, subscription.StatusGrace, subscription.StatusHold,
	subscription.StatusTerminated, subscription.StatusExpired}

type subscriptionsData struct {
	Status, Name, Account string
	Statuses              []string
	RQL                   string
	Subscriptions         []*subscription.Subscription
	Pager                 pager
}

// subscriptions lists the subscriptions in the user's subtree through the API's RQL path.
func (p *Panel) subscriptions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := subscriptionsData{Status: q.Get("status"), Name: strings.TrimSpace(q.Get("name")),
		Account: strings.TrimSpace(q.Get("account")), Statuses: subscriptionStatuses}
	start, _ := strconv.Atoi(q.Get("start"))
	start = min(max(start, 0), maxStart)
	var terms []string
	if d.Status != "" {
		terms = append(terms, "eq(status,"+rqlValue(d.Status)+")")
	}
	if d.Name != "" {
		terms = append(terms, "like(name,"+rqlValue(d.Name)+"*)")
	}
	if d.Account != "" {
		terms = append(terms, "eq(account.aps.id,"+rqlValue(d.Account)+")")
	}
	d.RQL = strings.Join(append(terms, "sort(-subscriptionId)", "limit("+strconv.Itoa(start)+","+strconv.Itoa(pageSize+1)+")"), "&")
	lq, err := api.CompileList(p.store, "bss-subscriptions", d.RQL)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	lq.SkipCount = true
	subs, _, err := p.store.ListSubscriptions(r.Context(), userOf(r).Principal.Account.Path, lq)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	more := len(subs) > pageSize
	d.Subscriptions = subs[:min(len(subs), pageSize)]
	d.Pager = newPager(start, pageSize, len(d.Subscriptions), more, store.Count{N: -1}, func(s int) string {
		v := url.Values{"status": {d.Status}, "name": {d.Name}, "account": {d.Account}, "start": {strconv.Itoa(s)}}
		return "/panel/subscriptions?" + v.Encode()
	})
	p.render(w, r, http.StatusOK, "subscriptions", page{Title: "Subscriptions", Nav: "subscriptions", Data: d})
}

type subscriptionData struct {
	Sub     *subscription.Subscription
	Account account.Account
	Plan    *catalog.Plan
}

// subscriptionPage shows one subscription of the user's subtree.
func (p *Panel) subscriptionPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	notFound := problem.NotFound("subscription %q not found", id)
	sub, err := p.store.Subscription(r.Context(), id)
	var a account.Account
	if err == nil {
		a, err = p.store.Account(r.Context(), sub.AccountAPSID)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && !userOf(r).Principal.CanSee(a)) {
		err = notFound
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	plan, err := p.store.Plan(r.Context(), sub.PlanAPSID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "subscription", page{Title: "Subscription " + sub.Name, Nav: "subscriptions",
		Data: subscriptionData{Sub: sub, Account: a, Plan: plan}})
}

// treePage is the accounts of one page of the tree.
const treePage = 200

// treeNode is an account in the tree, indented by its depth below the tree's root.
type treeNode struct {
	Account account.Account
	Depth   int
}

type accountsData struct {
	Root  account.Account
	Nodes []treeNode
	Pager pager
}

// visibleAccount reads an account the user may see; anything else is 404.
func (p *Panel) visibleAccount(r *http.Request, apsID string) (account.Account, error) {
	a, err := p.store.Account(r.Context(), apsID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !userOf(r).Principal.CanSee(a)) {
		return a, problem.NotFound("account %q not found", apsID)
	}
	return a, err
}

// accounts shows the account tree below the user's account (or below ?root=), depth first.
func (p *Panel) accounts(w http.ResponseWriter, r *http.Request) {
	root := userOf(r).Principal.Account
	if id := r.URL.Query().Get("root"); id != "" {
		var err error
		if root, err = p.visibleAccount(r, id); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("start"))
	start = min(max(start, 0), maxStart)
	// Paths sort depth first ("/1/12/…" before "/1/120/"), so the tree is one ordered range scan.
	accts, _, err := p.store.ListAccounts(r.Context(), root.Path, store.ListQuery{OrderBy: "a.path", Offset: start,
		Count: treePage + 1, SkipCount: true})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	more := len(accts) > treePage
	accts = accts[:min(len(accts), treePage)]
	d := accountsData{Root: root}
	base := strings.Count(root.Path, "/")
	for _, a := range accts {
		d.Nodes = append(d.Nodes, treeNode{Account: a, Depth: strings.Count(a.Path, "/") - base})
	}
	d.Pager = newPager(start, treePage, len(accts), more, store.Count{N: -1}, func(s int) string {
		return "/panel/accounts?" + url.Values{"root": {root.APSID}, "start": {strconv.Itoa(s)}}.Encode()
	})
	p.render(w, r, http.StatusOK, "accounts", page{Title: "Accounts", Nav: "accounts", Data: d})
}

type accountData struct {
	Account       account.Account
	Parent        *account.Account
	Methods       []account.PaymentMethod
	Subscriptions []*subscription.Subscription
	Orders        []*order.Order
	Balances      []store.AccountBalance
	Documents     []*ledger.Document // the latest, newest first
}

// accountPage shows an account with its payment methods, ledger (balances and latest
// documents), subscriptions and latest orders.
func (p *Panel) accountPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := p.visibleAccount(r, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := accountData{Account: a}
	if a.ParentAPSID != "" && userOf(r).Principal.Account.ID != a.ID {
		if parent, err := p.store.Account(ctx, a.ParentAPSID); err == nil {
			d.Parent = &parent
		}
	}
	if d.Methods, err = p.store.PaymentMethods(ctx, a); err != nil {
		p.fail(w, r, err)
		return
	}
	lq, err := api.CompileList(p.store, "bss-subscriptions", "eq(account.aps.id,"+rqlValue(a.APSID)+")&limit(0,20)")
	if err == nil {
		lq.SkipCount = true
		d.Subscriptions, _, err = p.store.ListSubscriptions(ctx, a.Path, lq)
	}
	if err == nil {
		lq, err = api.CompileList(p.store, "orders", "eq(customerId,"+rqlValue(a.APSID)+")&limit(0,10)")
	}
	if err == nil {
		d.Orders, _, err = p.store.PanelOrders(ctx, a.Path, false, lq, 0)
	}
	if err == nil {
		d.Balances, err = p.store.Balances(ctx, a)
	}
	if err == nil {
		d.Documents, _, err = p.store.ListDocuments(ctx, a.Path, store.ListQuery{Where: "d.account_id = $3",
			Args: []any{a.ID}, OrderBy: "d.id DESC", Count: 20, SkipCount: true})
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "account", page{Title: "Account " + a.Name, Nav: "accounts", Data: d})
}

// sellerOf is whose plans a user sees, as in the API's plan list: all for the provider, its own
// offer for a reseller.
func sellerOf(a account.Account) int64 {
	switch a.Type {
	case account.Provider:
		return 0
	case account.Reseller:
		return a.ID
	}
	return a.ParentID
}

// catalog shows the plans the user sells, with periods, fees and resource rates.
func (p *Panel) catalog(w http.ResponseWriter, r *http.Request) {
	lq, err := api.CompileList(p.store, "service-plans", "sort(+name)&limit(0,500)")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	lq.SkipCount = true
	plans, _, err := p.store.ListPlans(r.Context(), sellerOf(userOf(r).Principal.Account), lq)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "catalog", page{Title: "Catalog", Nav: "catalog", Data: plans})
}

type ossData struct {
	Simulator bool
	Config    gateway.SimulatorConfig
}

// ossPage shows the in-process OSS simulator's behaviour to the provider's administrators.
func (p *Panel) ossPage(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).Admin {
		p.fail(w, r, problem.NotFound("no page %s", r.URL.Path))
		return
	}
	d := ossData{Simulator: p.simulator != nil}
	if p.simulator != nil {
		d.Config = p.simulator.Config()
	}
	p.render(w, r, http.StatusOK, "oss", page{Title: "OSS simulator", Nav: "oss", Flash: flashes[r.URL.Query().Get("done")], Data: d})
}

// ossConfigure changes the simulator's behaviour at run time ("fix the OSS").
func (p *Panel) ossConfigure(w http.ResponseWriter, r *http.Request) {
	if !userOf(r).Admin || p.simulator == nil {
		p.fail(w, r, problem.NotFound("no page %s", r.URL.Path))
		return
	}
	cfg := p.simulator.Config()
	cfg.Reject = strings.TrimSpace(r.PostFormValue("reject"))
	cfg.Async = r.PostFormValue("async") == "on"
	rate, err := strconv.ParseFloat(r.PostFormValue("failRate"), 64)
	if err != nil || rate < 0 || rate > 1 {
		p.fail(w, r, problem.Invalid("InvalidRate", "the failure rate is a number from 0 to 1"))
		return
	}
	cfg.FailRate = rate
	if cfg.Latency, err = time.ParseDuration(r.PostFormValue("latency")); err != nil || cfg.Latency < 0 || cfg.Latency > time.Minute {
		p.fail(w, r, problem.Invalid("InvalidLatency", "the latency is a duration up to 1m, e.g. 0s or 200ms"))
		return
	}
	p.simulator.Configure(cfg)
	p.log.Info("panel: OSS simulator configured", "by", p.actor(r), "reject", cfg.Reject, "failRate", cfg.FailRate, "async", cfg.Async)
	http.Redirect(w, r, "/panel/oss?done=oss", http.StatusSeeOther)
}
