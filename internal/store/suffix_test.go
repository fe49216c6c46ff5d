package store

import (
	"slices"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/order"
)

// TestSuffixNumbers checks the order numbers a suffix match becomes against every number handed
// out: exactly those that end so, or none listed (nil) past the limit.
func TestSuffixNumbers(t *testing.T) {
	counters := map[string]int64{"SO": 2_345_679, "RN": 1_000_002, "CL": 1, "BO": 100_001}
	var all []string
	for typ, next := range counters {
		for n := int64(1); n < next; n++ {
			all = append(all, order.NumberOf(typ, n))
		}
	}
	for _, suffix := range []string{"00001", "00000", "12345", "000001", "0000001", "2345678", "99999", "345678", "1000001", "0", "1"} {
		want := []string{}
		for _, num := range all {
			if strings.HasSuffix(num, suffix) {
				want = append(want, num)
			}
		}
		got := suffixNumbers(counters, suffix, 2000)
		if len(want) > 2000 {
			if got != nil {
				t.Errorf("%s: %d numbers listed past the limit", suffix, len(got))
			}
			continue
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %d %v, want %d %v", suffix, len(got), got[:min(len(got), 5)], len(want), want[:min(len(want), 5)])
		}
	}
}
