package scheduler

import (
	"testing"
	"time"

	"github.com/openbss/openbss/internal/catalog"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
)

func TestOveruseLines(t *testing.T) {
	d := money.MustParse
	plan := &catalog.Plan{APSID: "p", Rates: []catalog.ResourceRate{
		{ResourceAPSID: "disk", OveruseFee: d("0.125")},
		{ResourceAPSID: "vps", OveruseFee: d("2.5")},
		{ResourceAPSID: "free"}, // no overuse fee: never billed
	}}
	peak := func(id, peak, limit string) store.UsagePeak {
		return store.UsagePeak{ResourceAPSID: id, Name: id, Unit: "unit", Peak: d(peak), Limit: d(limit)}
	}
	for _, c := range []struct {
		name  string
		peaks []store.UsagePeak
		want  []string // resource: quantity × price = extended
	}{
		{"nothing over", []store.UsagePeak{peak("disk", "10", "10"), peak("vps", "1", "2")}, nil},
		{"half-up per line", []store.UsagePeak{peak("disk", "13", "10")}, []string{"disk: 3.0 × 0.125 = 0.38"}},
		{"fractional units", []store.UsagePeak{peak("vps", "2.5", "2")}, []string{"vps: 0.5 × 2.5 = 1.25"}},
		{"unpriced resource", []store.UsagePeak{peak("free", "99", "1"), peak("vps", "5", "2")}, []string{"vps: 3.0 × 2.5 = 7.5"}},
		{"not in the plan", []store.UsagePeak{peak("gone", "99", "1")}, nil},
	} {
		lines := OveruseLines(plan, catalog.Period{Unit: catalog.Months, Duration: 1}, c.peaks, "USD",
			time.Date(2019, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2019, 4, 20, 0, 0, 0, 0, time.UTC))
		var got []string
		for _, l := range lines {
			if l.Type != LineOveruse || l.PlanID != "p" {
				t.Errorf("%s: line %+v", c.name, l)
			}
			got = append(got, l.ResourceID+": "+l.Quantity.String()+" × "+l.UnitPrice.String()+" = "+l.ExtendedPrice.Round("USD").String())
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}
