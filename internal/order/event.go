package order

import "strings"

// EventParams are the parameters of a provisioning event for an item, as the OSS or an operator
// raises it (seed 000's "Creation Completed").
type EventParams struct {
	Event, GateID, IssuedSuccessfully, Message, OrderItemID, SubscrID string
}

// ParseEventText reads the seed's "GateID=4;IssuedSuccessfully=1;Message=…;OrderItemID=…;
// SubscrID=…" text; unknown keys and parts without "=" are ignored, values are trimmed.
func ParseEventText(text string) EventParams {
	var p EventParams
	for _, part := range strings.Split(text, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Event":
			p.Event = v
		case "GateID":
			p.GateID = v
		case "IssuedSuccessfully":
			p.IssuedSuccessfully = v
		case "Message":
			p.Message = v
		case "OrderItemID":
			p.OrderItemID = v
		case "SubscrID":
			p.SubscrID = v
		}
	}
	return p
}
