package panel

import (
	"net/http"
	"time"

	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

// countCap bounds the dashboard's counts: past it a count says "more than" instead of scanning
// millions of index entries.
const countCap = 10_000

// flowOrder is the order statuses are listed in: the path of an order, then the side roads.
var flowOrder = []order.FlowStatus{order.New, order.Open, order.WaitingPayment, order.NoPaymentMethod,
	order.PaymentDeclined, order.Provisioning, order.ProvisioningFailed, order.Hold, order.Completed, order.Cancelled}

// needsAction are the flow statuses where an order waits for someone.
var needsAction = []order.FlowStatus{order.ProvisioningFailed, order.WaitingPayment, order.NoPaymentMethod,
	order.PaymentDeclined, order.Hold}

var flowNames = map[order.FlowStatus]string{
	order.New: "New", order.Open: "Open", order.WaitingPayment: "Waiting for payment",
	order.NoPaymentMethod: "No payment method", order.PaymentDeclined: "Payment declined",
	order.Provisioning: "Provisioning", order.ProvisioningFailed: "Provisioning failed",
	order.Completed: "Completed", order.Cancelled: "Cancelled", order.Hold: "Hold",
}

type flowCount struct {
	Flow   order.FlowStatus
	Name   string
	Status order.Status
	Count  store.Count
}

type statusCount struct {
	Status order.Status
	Count  store.Count
}

type waitingOrder struct {
	Order *order.Order
	Age   time.Duration // since it was placed
	Since time.Duration // since its last change
}

type dashboardData struct {
	Flows    []flowCount
	Statuses []statusCount
	Waiting  []waitingOrder
	Failures []store.FailedItem
	Now      time.Time
}

// dashboard is the staff's home page: orders by status and flow status, the orders waiting for
// someone (oldest first) and the latest provisioning failures. A customer's home is its orders.
func (p *Panel) dashboard(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if u.Customer {
		http.Redirect(w, r, "/panel/orders", http.StatusSeeOther)
		return
	}
	ctx, scope := r.Context(), u.Principal.Account.Path
	counts, err := p.store.PanelFlowCounts(ctx, scope, u.Everything, flowOrder, countCap)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := dashboardData{Now: p.now()}
	byStatus := map[order.Status]int{} // index in d.Statuses
	for _, f := range flowOrder {
		c := counts[f]
		st := order.StatusOf(f)
		d.Flows = append(d.Flows, flowCount{Flow: f, Name: flowNames[f], Status: st, Count: c})
		i, ok := byStatus[st]
		if !ok {
			i = len(d.Statuses)
			byStatus[st] = i
			d.Statuses = append(d.Statuses, statusCount{Status: st})
		}
		sc := &d.Statuses[i]
		sc.Count.N += c.N
		sc.Count.More = sc.Count.More || c.More
	}
	waitingCounts := map[order.FlowStatus]store.Count{}
	for _, f := range needsAction {
		waitingCounts[f] = counts[f]
	}
	waiting, err := p.store.PanelOldestOrders(ctx, scope, u.Everything, waitingCounts, 25)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, o := range waiting {
		d.Waiting = append(d.Waiting, waitingOrder{Order: o, Age: d.Now.Sub(o.CreationTime), Since: d.Now.Sub(o.UpdatedAt)})
	}
	if d.Failures, err = p.store.PanelRecentFailures(ctx, scope, u.Everything, 10); err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "dashboard", page{Title: "Dashboard", Nav: "dashboard", Data: d})
}
