package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/pricing"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// BenchmarkInsertOrders is the committer's share of placeOrder on SQLite: orders shaped like the
// load generator's (three lines, one provisioning item, an attribute, the request's JSON)
// written by store.InsertOrder, 32 to a transaction as group commit runs them. Besides the time
// per order it reports the process's CPU per order (cpu-µs/order), which the other work on a
// shared machine disturbs far less than the wall clock:
//
//	go test -run XXX -bench InsertOrders -count 5 ./internal/store/
func BenchmarkInsertOrders(b *testing.B) {
	s := storetest.Open(b)
	tr := newTree(b, s)
	ctx := context.Background()
	mk := func(i int) *order.Order { return shapedOrder(tr, i) }
	const perTx = 32
	cpu0 := cpuTime()
	b.ResetTimer()
	for n := 0; n < b.N; n += perTx {
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for i := n; i < min(n+perTx, b.N); i++ {
				if err := store.InsertOrder(ctx, tx, mk(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/order")
}

// cpuTime is the CPU the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// shapedOrder is the i-th order shaped like the load generator's (three lines, one provisioning
// item, an attribute, the request's JSON), for customer A of tr; its total is never zero.
func shapedOrder(tr tree, i int) *order.Order {
	req := json.RawMessage(`{"type":"SALES","accountId":"3fef9702-b2ad-419a-9924-a56882e5f06c","promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":20}]}],"attributes":[{"attributeID":"ORDER_ID1","value":"load-1"}]}`)
	o := &order.Order{Type: "SO", BuyerID: tr.customerA.ID, BuyerPath: tr.customerA.Path, SellerID: tr.resellerA.ID,
		Currency: "USD", Flow: order.New, PaymentStatus: order.PaymentNotStarted, EndCustomerName: "Customer A",
		EndCustomerType: "CUSTOMER", ProvisioningStatus: order.ProvisioningNotStarted, Request: req,
		Attributes: []account.Attribute{{AttributeID: "ORDER_ID1", Value: fmt.Sprintf("load-%d", i)}}}
	for l := range 3 {
		q := int64(1 + (i+l)%40)
		o.Lines = append(o.Lines, pricing.Line{Type: pricing.LineType("RESOURCE_RECURRING"), PlanID: "6b64da9a-f8e6-4cbd-8aef-de304a27b627",
			Period: catalog.Period{Unit: catalog.Months, Duration: 1}, ResourceID: fmt.Sprintf("r%d", l),
			Description: fmt.Sprintf("line %d", l), Quantity: money.FromMicros(q * 1_000_000),
			UnitPrice: money.MustParse("1.25"), ExtendedPrice: money.FromMicros(q * 1_250_000)})
	}
	o.SubTotal, o.Total = money.FromMicros(int64(i%4000+1)*10_000), money.FromMicros(int64(i%4000+1)*10_000)
	o.Items = []order.Item{{Action: "CREATE", PlanAPSID: "6b64da9a-f8e6-4cbd-8aef-de304a27b627", ServiceType: "PEMGATE",
		Spec: json.RawMessage(`{"period":{"unit":"MONTHS","duration":1}}`), Status: "NOT_STARTED"}}
	return o
}
