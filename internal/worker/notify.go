package worker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
)

// Notifier delivers order status changes to a webhook: POST with the JSON event, signed with
// HMAC-SHA256 (X-Openbss-Signature: sha256=<hex>) and carrying X-Openbss-Event-Id, retried with
// exponential backoff until a 2xx answer — at least once; receivers de-duplicate by event id.
type Notifier struct {
	Store  *store.Store
	URL    string
	Secret string
	Client *http.Client
	Log    *slog.Logger
	Poll   time.Duration
}

// Run delivers until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	if n.Client == nil {
		n.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if n.Poll == 0 {
		n.Poll = 200 * time.Millisecond
	}
	for ctx.Err() == nil {
		due, err := n.Store.DueNotifications(ctx, 100)
		if err != nil && ctx.Err() == nil {
			n.Log.Warn("notifications", "err", err)
		}
		for _, nt := range due {
			n.deliver(ctx, nt)
		}
		if len(due) < 100 {
			select {
			case <-ctx.Done():
			case <-time.After(n.Poll):
			}
		}
	}
}

func (n *Notifier) deliver(ctx context.Context, nt store.Notification) {
	err := n.post(ctx, nt)
	if err == nil {
		err = n.Store.NotificationDelivered(ctx, nt.ID)
		if err != nil {
			n.Log.Warn("notification bookkeeping", "id", nt.ID, "err", err)
		}
		return
	}
	delay := time.Duration(math.Min(float64(time.Second)*math.Pow(2, float64(nt.Attempts)), float64(time.Hour)))
	if ferr := n.Store.NotificationFailed(ctx, nt.ID, n.Store.Now().Add(delay), err.Error()); ferr != nil {
		n.Log.Warn("notification bookkeeping", "id", nt.ID, "err", ferr)
	}
}

func (n *Notifier) post(ctx context.Context, nt store.Notification) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL, bytes.NewReader(nt.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Openbss-Event-Id", nt.EventID)
	req.Header.Set("X-Openbss-Signature", gateway.Sign(n.Secret, nt.Payload))
	resp, err := n.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}
