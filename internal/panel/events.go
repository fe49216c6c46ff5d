package panel

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// eventPattern is seed 000's "Parameters" of a "Creation Completed" event, to fill in.
const eventPattern = "GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created.;OrderItemID=[ProvisioningItemID];SubscrID=[SubscriptionID]"

type eventsData struct {
	Parameters string
	Error      string
}

// events is seed 000's Billing > System > Settings > Events page: the operator raises
// "Creation Completed" for a provisioning item by its identifiers, typed as the seed's
// parameters. The item's order must be in the operator's subtree, as in
// POST …/order-manager/events; the confirmation and the post are the order page's own.
func (p *Panel) events(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "events", page{Title: "Events", Nav: "events", Data: eventsData{Parameters: eventPattern}})
}

// eventConfirm finds the item the parameters name and asks to confirm the event for it.
func (p *Panel) eventConfirm(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(r.URL.Query().Get("parameters"))
	v, err := eventParameters(text)
	if err != nil {
		p.render(w, r, http.StatusBadRequest, "events", page{Title: "Events", Nav: "events",
			Data: eventsData{Parameters: text, Error: err.Error()}})
		return
	}
	itemID, _ := strconv.ParseInt(v.Get("item"), 10, 64)
	notFound := problem.NotFound("provisioning item %d not found", itemID)
	apsID, err := p.store.PanelItemOrder(r.Context(), itemID)
	if errors.Is(err, store.ErrNotFound) {
		err = notFound
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	o, err := p.visibleOrder(r, apsID)
	if err != nil {
		p.fail(w, r, notFound) // another subtree's item does not exist for this user
		return
	}
	d, err := p.eventConfirmation(o, v)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "confirm", page{Title: "Confirm", Nav: "events", Data: d})
}

// eventParameters reads seed 000's "GateID=4;IssuedSuccessfully=1;Message=…;OrderItemID=…;
// SubscrID=…" into the order page's event form: IssuedSuccessfully=0 marks the item failed.
func eventParameters(text string) (url.Values, error) {
	ev := order.ParseEventText(text)
	v := url.Values{"event": {"creation"}, "gateId": {ev.GateID}, "message": {ev.Message},
		"item": {strings.Trim(ev.OrderItemID, "[] ")}}
	if ev.SubscrID != "[SubscriptionID]" { // the pattern's blank, left unfilled
		v.Set("subscrId", ev.SubscrID)
	}
	if ev.IssuedSuccessfully == "0" {
		v.Set("event", "failed")
	}
	if id, err := strconv.ParseInt(v.Get("item"), 10, 64); err != nil || id <= 0 {
		return nil, fmt.Errorf("OrderItemID %q is not a provisioning item id: put the id from the order's Provisioning items", v.Get("item"))
	}
	return v, nil
}
