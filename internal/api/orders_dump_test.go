package api_test

import (
	"os"
	"testing"
)

func TestOrdersDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	ordersEngines(t, func(t *testing.T, e *ordersEnv) {
		for _, b := range seedPlaceExamples {
			r := e.post(ordersPath, providerToken, b.body)
			t.Logf("%s: %d %s", b.name, r.status, r.body)
			if r.status == 200 {
				d := e.details(providerToken, orderIDOf(t, r))
				t.Logf("%s %d %s total=%s sub=%s tax=%s xtax=%s comment=%q items=%+v", d.OrderNumber, d.InternalID, d.Type, d.Total, d.SubTotal, d.TaxTotal, d.ExclusiveTaxTotal, d.Comment, d.ProvisioningItems)
				for _, l := range lines(d.Details) {
					t.Log("   ", l)
				}
			}
		}
	})
}
