package worker_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// committed is what the database holds about an order at one instant, read outside the
// processor's transactions: what a process killed at that instant would find.
type committed struct {
	flow              string
	pending, approved int // payment attempts
	booked            int // charges in the gateway's books
	provisioned       int // items in the OSS's books
	jobs              int
}

func readCommitted(ctx context.Context, st *store.Store, orderID string) (committed, error) {
	var c committed
	err := st.DB().QueryRowContext(ctx, `SELECT o.of_status,
		(SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'PENDING'),
		(SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'APPROVED'),
		(SELECT COUNT(*) FROM demo_gateway_charges c WHERE c.order_id = o.aps_id),
		(SELECT COUNT(*) FROM oss_sim_items s JOIN provisioning_items i ON s.item_id = CAST(i.id AS TEXT)
			WHERE i.order_id = o.id),
		(SELECT COUNT(*) FROM jobs j WHERE j.order_id = o.id)
		FROM orders o WHERE o.aps_id = $1`, orderID).Scan(&c.flow, &c.pending, &c.approved, &c.booked, &c.provisioned, &c.jobs)
	return c, err
}

// crashWatch wraps a rig's gateways. Just before each external call and just after it returns,
// it checks that what must precede the call is committed, and on SQLite it copies the database
// as it is at that instant (VACUUM INTO): the state a process killed there starts again from.
type crashWatch struct {
	t          *testing.T
	dir        string
	st         *store.Store // the rig's, set before its processor starts
	pay        gateway.PaymentGateway
	oss        gateway.OSS
	mu         sync.Mutex
	provisions int
	snapshots  []string // the points, in order; each copy is dir/<i>.db
}

func (w *crashWatch) Charge(ctx context.Context, c gateway.Charge) (gateway.ChargeResult, error) {
	w.at(ctx, "before the charge", c.OrderID, committed{flow: "OP", pending: 1, jobs: 1})
	res, err := w.pay.Charge(ctx, c)
	w.at(ctx, "after the charge", c.OrderID, committed{flow: "OP", pending: 1, booked: 1, jobs: 1})
	return res, err
}

func (w *crashWatch) Refund(ctx context.Context, r gateway.Refund) (gateway.RefundResult, error) {
	return w.pay.Refund(ctx, r)
}

func (w *crashWatch) Provision(ctx context.Context, it gateway.Item) (gateway.OSSResult, error) {
	w.mu.Lock()
	n := w.provisions
	w.provisions++
	w.mu.Unlock()
	w.at(ctx, fmt.Sprintf("before item %d", n+1), it.OrderID, committed{flow: "PR", approved: 1, booked: 1, provisioned: n, jobs: 1})
	res, err := w.oss.Provision(ctx, it)
	w.at(ctx, fmt.Sprintf("after item %d", n+1), it.OrderID, committed{flow: "PR", approved: 1, booked: 1, provisioned: n + 1, jobs: 1})
	return res, err
}

func (w *crashWatch) Status(ctx context.Context, itemID string) (gateway.OSSResult, error) {
	return w.oss.Status(ctx, itemID)
}

// at checks the committed state against want and keeps a copy of the database (SQLite).
func (w *crashWatch) at(ctx context.Context, point, orderID string, want committed) {
	got, err := readCommitted(ctx, w.st, orderID)
	if err != nil {
		w.t.Errorf("%s: %v", point, err)
		return
	}
	if got != want {
		w.t.Errorf("%s: committed %+v, want %+v", point, got, want)
	}
	if w.st.Postgres() {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	path := filepath.Join(w.dir, fmt.Sprintf("%d.db", len(w.snapshots)))
	if _, err := w.st.DB().ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		w.t.Errorf("%s: copy the database: %v", point, err)
		return
	}
	w.snapshots = append(w.snapshots, point)
}

// TestCrashAtEachExternalCallResumes: the steps that share a transaction (opening the order with
// its payment attempt; the last item's result with the order's completion and the job's end)
// are committed before the external call that follows them. A process killed just before or
// just after any call to the payment gateway or the OSS — a copy of the database at that instant,
// on SQLite — is resumed by a new process once the dead one's lease has run out: the order
// completes through the same flow, charged once, each item provisioned once, no job left.
func TestCrashAtEachExternalCallResumes(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		cfg := fastConfig() // leases of 30 s: the copies take a while, and no other worker may take the job meanwhile
		w := &crashWatch{t: t, dir: t.TempDir()}
		r := newRig(t, dsn, rigOptions{cfg: cfg,
			pay: func(d *gateway.DemoPayment) gateway.PaymentGateway { w.pay = d; return w },
			oss: func(st *store.Store) gateway.OSS {
				w.st, w.oss = st, gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{})
				return w
			}})
		id := r.place(salesOrder(1, 25, true)) // two items
		r.waitFlow(id, "CP")
		r.waitNoJobs()
		r.halt()
		if got, err := readCommitted(context.Background(), r.st, id); err != nil || got != (committed{flow: "CP", approved: 1, booked: 1, provisioned: 2}) {
			t.Errorf("at the end: committed %+v (%v)", got, err)
		}
		if r.st.Postgres() {
			return
		}
		w.mu.Lock()
		points := slices.Clone(w.snapshots)
		w.mu.Unlock()
		if len(points) != 6 {
			t.Fatalf("copies at %v: want one before and after the charge and each of the two items", points)
		}
		for i, point := range points {
			t.Run(fmt.Sprintf("killed %s", point), func(t *testing.T) {
				t.Parallel()
				b := newRig(t, filepath.Join(w.dir, fmt.Sprintf("%d.db", i)), rigOptions{cfg: fastConfig(), resume: true})
				o := b.waitFlow(id, "CP")
				b.waitNoJobs()
				if h := b.history(o.InternalID); !slices.Equal(h, []string{">NW", "NW>OP", "OP>PR", "PR>CP"}) {
					t.Errorf("history %v", h)
				}
				if got, err := readCommitted(context.Background(), b.st, id); err != nil || got != (committed{flow: "CP", approved: 1, booked: 1, provisioned: 2}) {
					t.Errorf("resumed: committed %+v (%v): want it charged once, each item provisioned once", got, err)
				}
				for _, it := range o.Items {
					if it.Status != "COMPLETED" {
						t.Errorf("item %d: %s", it.ID, it.Status)
					}
				}
				if n := b.count(`SELECT COUNT(*) FROM order_subscriptions WHERE order_id = $1`, o.InternalID); n != 2 {
					t.Errorf("%d subscriptions linked to the order, want 2", n)
				}
			})
		}
	})
}

// TestOrderStepsShareTransactions counts the pieces of group commit (SQLite) one order paid
// through the gateway, with one item, takes from placement to CP: its placement, the claim of
// its job, three processing steps (see ProcessOrder) and the gateways' own books — 7. Before
// steps with no external call between them were folded it took 9 with the claim: opening the
// order, creating the payment attempt, and ending the job were transactions of their own.
func TestOrderStepsShareTransactions(t *testing.T) {
	t.Parallel()
	cfg := fastConfig()
	cfg.Poll = time.Hour // the processor claims when woken (by the placement) and at its start only
	r := newRig(t, storetest.SQLitePath(t), rigOptions{cfg: cfg})
	quiet := func() int64 {
		for {
			n := r.st.BatchStats().Pieces
			time.Sleep(100 * time.Millisecond)
			if r.st.BatchStats().Pieces == n {
				return n
			}
		}
	}
	before := quiet()
	id := r.place(salesOrder(1, 25, false))
	r.waitFlow(id, "CP")
	r.waitNoJobs()
	if pieces := quiet() - before; pieces != 7 {
		t.Errorf("%d pieces of group commit for one order, want 7: placement, claim, NW → OP with the payment attempt, "+
			"the gateway's charge, the result with OP → PR, the OSS's item, the item's result with PR → CP and the job's end", pieces)
	}
}
