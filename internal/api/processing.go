package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/problem"
	"github.com/openbss/openbss/internal/store"
)

// Processing is the order processor as the API sees it.
type Processing interface {
	// Wake makes idle workers look for jobs now.
	Wake()
	// ItemEvent applies an OSS or operator event about a provisioning item and settles its order.
	ItemEvent(ctx context.Context, orderID, itemID int64, res gateway.OSSResult) error
}

// resubmitOrder is POST …/orders/{id}/resubmit: the failed items of an order in PF are sent again.
func (s *Server) resubmitOrder(w http.ResponseWriter, r *http.Request) {
	o, err := s.visibleOrder(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var from order.FlowStatus
	err = s.store.InTx(r.Context(), func(tx *store.Tx) error {
		from, err = store.PushOrder(r.Context(), tx, o.ID, order.Provisioning, "api:"+principal(r).Account.APSID)
		if err == nil && from != order.ProvisioningFailed {
			err = store.ErrPushNotAllowed
		}
		if err == nil {
			err = store.Enqueue(r.Context(), tx, store.JobProcessOrder, o.ID, 0)
		}
		return err
	})
	if errors.Is(err, store.ErrPushNotAllowed) {
		s.fail(w, r, problem.Conflict("ResubmitNotAllowed", "order %s is in status %s; only an order in PF can be resubmitted", o.Number, from))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.wake()
	w.WriteHeader(http.StatusOK)
}

func (s *Server) wake() {
	if s.processing != nil {
		s.processing.Wake()
	}
}

// itemEvent is the seed 000 event: "Creation Completed" and its kin for change, renewal and
// cancellation. GateID and SubscrID are recorded; OrderItemID names the item.
type itemEvent struct {
	Event              string `json:"Event"`
	GateID             string `json:"GateID"`
	IssuedSuccessfully string `json:"IssuedSuccessfully"`
	Message            string `json:"Message"`
	OrderItemID        string `json:"OrderItemID"`
	SubscrID           string `json:"SubscrID"`
}

// parseEvent reads the event as JSON (values as strings or numbers) or as the seed's
// "GateID=4;IssuedSuccessfully=1;Message=…;OrderItemID=…;SubscrID=…" text.
func parseEvent(body []byte) (itemEvent, error) {
	var ev itemEvent
	text := strings.TrimSpace(string(body))
	if strings.HasPrefix(text, "{") {
		var raw map[string]any
		if err := json.Unmarshal(body, &raw); err != nil {
			return ev, problem.Invalid("InvalidJSON", "the event is not valid JSON: %v", err)
		}
		get := func(k string) string {
			switch v := raw[k].(type) {
			case string:
				return v
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			case bool:
				if v {
					return "1"
				}
				return "0"
			}
			return ""
		}
		ev = itemEvent{Event: get("Event"), GateID: get("GateID"), IssuedSuccessfully: get("IssuedSuccessfully"),
			Message: get("Message"), OrderItemID: get("OrderItemID"), SubscrID: get("SubscrID")}
		if p, ok := raw["Parameters"].(string); ok && ev.OrderItemID == "" {
			return parseEvent([]byte(p))
		}
	} else {
		ev = itemEvent(order.ParseEventText(text))
	}
	if ev.OrderItemID == "" {
		return ev, problem.Invalid("InvalidEvent", "OrderItemID is required (the provisioning item's id)")
	}
	if ev.IssuedSuccessfully != "1" && ev.IssuedSuccessfully != "0" {
		return ev, problem.Invalid("InvalidEvent", "IssuedSuccessfully must be 1 or 0")
	}
	return ev, nil
}

// postEvent is POST /aps/2/services/order-manager/events.
func (s *Server) postEvent(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := parseEvent(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	itemID, err := strconv.ParseInt(strings.Trim(ev.OrderItemID, "[] "), 10, 64)
	if err != nil {
		s.fail(w, r, problem.Invalid("InvalidEvent", "OrderItemID %q is not a provisioning item id", ev.OrderItemID))
		return
	}
	orderID, err := s.store.ItemOrder(r.Context(), itemID)
	notFound := problem.NotFound("provisioning item %d not found", itemID)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, notFound)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var path string
	if err := s.store.DB().QueryRowContext(r.Context(), `SELECT buyer_path FROM orders WHERE id = $1`, orderID).Scan(&path); err != nil {
		s.fail(w, r, err)
		return
	}
	if !principal(r).Account.Contains(account.Account{Path: path}) {
		s.fail(w, r, notFound)
		return
	}
	res := gateway.OSSResult{Status: gateway.OSSCompleted, OSSSubscriptionID: ev.SubscrID, Message: ev.Message}
	if ev.IssuedSuccessfully == "0" {
		res.Status = gateway.OSSFailed
	}
	if s.processing == nil {
		s.fail(w, r, problem.New(http.StatusServiceUnavailable, "ProcessingDisabled", "order processing is not running in this process"))
		return
	}
	if err := s.processing.ItemEvent(r.Context(), orderID, itemID, res); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "accepted", "orderItemId": itemID})
}
