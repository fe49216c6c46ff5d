package gateway_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

func item(id string) gateway.Item {
	return gateway.Item{ItemID: id, OrderID: "o-" + id, OrderNumber: "SO000001", Action: "CREATE",
		SubscriptionID: "sub-" + id, AccountID: "acc", PlanID: "plan"}
}

// TestSimulatorDoesEachItemOnce: a new item is done (COMPLETED); asking again answers
// ALREADY_EXISTS with the same OSS subscription, and Status reports it.
func TestSimulatorDoesEachItemOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sim := gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{})
		if res, _ := sim.Status(ctx, "1"); res.Status != gateway.OSSNotFound {
			t.Errorf("Status of an unknown item = %+v", res)
		}
		first, err := sim.Provision(ctx, item("1"))
		if err != nil || first.Status != gateway.OSSCompleted || first.OSSSubscriptionID == "" {
			t.Fatalf("Provision = %+v, %v", first, err)
		}
		again, err := sim.Provision(ctx, item("1"))
		if err != nil || again.Status != gateway.OSSAlreadyExists || again.OSSSubscriptionID != first.OSSSubscriptionID {
			t.Errorf("Provision again = %+v, %v; want ALREADY_EXISTS %s", again, err, first.OSSSubscriptionID)
		}
		if res, err := sim.Status(ctx, "1"); err != nil || res.Status != gateway.OSSCompleted || res.OSSSubscriptionID != first.OSSSubscriptionID {
			t.Errorf("Status = %+v, %v", res, err)
		}
		if n, err := sim.Provisioned(ctx); err != nil || n != 1 {
			t.Errorf("Provisioned = %d, %v", n, err)
		}
	})
}

// TestSimulatorConcurrentDuplicates: the same item sent by several callers at once (two
// processes racing after a lease ran out) is done once: one caller hears COMPLETED, the others
// ALREADY_EXISTS.
func TestSimulatorConcurrentDuplicates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sim := gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{})
		for round := range 20 {
			id := "dup-" + string(rune('a'+round))
			var wg sync.WaitGroup
			results := make(chan gateway.OSSResult, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := sim.Provision(ctx, item(id))
					if err != nil {
						t.Error(err)
					}
					results <- res
				}()
			}
			wg.Wait()
			close(results)
			completed := 0
			for res := range results {
				switch res.Status {
				case gateway.OSSCompleted:
					completed++
				case gateway.OSSAlreadyExists:
				default:
					t.Errorf("item %s: %+v", id, res)
				}
			}
			if completed != 1 {
				t.Fatalf("item %s: the work was done %d times, want once", id, completed)
			}
		}
	})
}

// TestSimulatorMisbehaviour: the switches tests and demos use.
func TestSimulatorMisbehaviour(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sim := gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{Reject: "Subscription quota exceeded"})
		res, err := sim.Provision(ctx, item("r"))
		if err != nil || res.Status != gateway.OSSFailed || res.Message != "Subscription quota exceeded" {
			t.Errorf("Reject: %+v, %v", res, err)
		}
		if res, _ := sim.Status(ctx, "r"); res.Status != gateway.OSSNotFound {
			t.Errorf("a refused item is unknown to the OSS: %+v", res)
		}

		sim.Configure(gateway.SimulatorConfig{FailRate: 1})
		if _, err := sim.Provision(ctx, item("f")); !errors.Is(err, gateway.ErrTransient) {
			t.Errorf("FailRate 1: %v, want a transient error", err)
		}
		if res, _ := sim.Status(ctx, "f"); res.Status != gateway.OSSNotFound {
			t.Errorf("a failed call did work: %+v", res)
		}

		sim.Configure(gateway.SimulatorConfig{LoseRate: 1})
		if _, err := sim.Provision(ctx, item("l")); !errors.Is(err, gateway.ErrTransient) {
			t.Errorf("LoseRate 1: %v, want a transient error", err)
		}
		if res, _ := sim.Status(ctx, "l"); res.Status != gateway.OSSCompleted {
			t.Errorf("a lost answer still did the work: %+v", res)
		}
		sim.Configure(gateway.SimulatorConfig{})
		if res, err := sim.Provision(ctx, item("l")); err != nil || res.Status != gateway.OSSAlreadyExists {
			t.Errorf("the retry after a lost answer: %+v, %v; want ALREADY_EXISTS", res, err)
		}

		sim.Configure(gateway.SimulatorConfig{Async: true})
		if res, err := sim.Provision(ctx, item("a")); err != nil || res.Status != gateway.OSSInProgress {
			t.Errorf("Async: %+v, %v", res, err)
		}
		if res, _ := sim.Status(ctx, "a"); res.Status != gateway.OSSCompleted {
			t.Errorf("Async item later: %+v, want COMPLETED", res)
		}
		if n, _ := sim.Provisioned(ctx); n != 2 {
			t.Errorf("Provisioned = %d, want 2 (the lost answer and the async item)", n)
		}
	})
}
