package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/openbss/openbss/internal/order"
)

// Notification is an outbound event about an order, delivered at least once; EventID lets the
// receiver drop duplicates.
type Notification struct {
	ID       int64
	EventID  string
	Payload  []byte
	Attempts int
}

// notificationPayload is what the webhook receives.
type notificationPayload struct {
	EventID     string           `json:"eventId"`
	Type        string           `json:"type"`
	OrderID     string           `json:"orderId"`
	OrderNumber string           `json:"orderNumber"`
	From        order.FlowStatus `json:"fromOfStatus"`
	To          order.FlowStatus `json:"ofStatus"`
	Status      order.Status     `json:"status"`
	Message     string           `json:"message"`
	Time        time.Time        `json:"time"`
}

// notify records an order status change in the outbox, in the change's own transaction.
func notify(ctx context.Context, tx *Tx, orderID int64, from, to order.FlowStatus, msg string) error {
	if !tx.notify {
		return nil
	}
	var apsID, number string
	if err := tx.QueryRowContext(ctx, `SELECT aps_id, order_number FROM orders WHERE id = $1`, orderID).Scan(&apsID, &number); err != nil {
		return err
	}
	id, err := nextID(ctx, tx, "notifications")
	if err != nil {
		return err
	}
	p := notificationPayload{EventID: NewAPSID(), Type: "order.status_changed", OrderID: apsID, OrderNumber: number,
		From: from, To: to, Status: order.StatusOf(to), Message: msg, Time: tx.Now}
	body, _ := json.Marshal(p)
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (id, event_id, order_id, payload, next_at, created_at)
		VALUES ($1,$2,$3,$4,$5,$5)`, id, p.EventID, orderID, string(body), Micros(tx.Now))
	return err
}

// DueNotifications returns undelivered notifications whose next attempt is due, oldest first.
func (s *Store) DueNotifications(ctx context.Context, n int) ([]Notification, error) {
	var out []Notification
	err := s.each(ctx, `SELECT id, event_id, payload, attempts FROM notifications WHERE delivered = FALSE AND next_at <= $1
		ORDER BY id LIMIT $2`, []any{Micros(s.Now()), n}, func(r *sql.Rows) error {
		var nt Notification
		var body string
		err := r.Scan(&nt.ID, &nt.EventID, &body, &nt.Attempts)
		nt.Payload = []byte(body)
		out = append(out, nt)
		return err
	})
	return out, err
}

// NotificationDelivered marks a notification delivered.
func (s *Store) NotificationDelivered(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET delivered = TRUE, attempts = attempts + 1 WHERE id = $1`, id)
	return err
}

// NotificationFailed schedules another delivery attempt.
func (s *Store) NotificationFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET attempts = attempts + 1, next_at = $2, last_error = $3
		WHERE id = $1`, id, Micros(next), reason)
	return err
}
