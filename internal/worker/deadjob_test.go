package worker_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
)

// TestDeadJobParksTheOrder: a step that keeps failing — here the item's stored spec is broken,
// so the OSS's answer cannot be applied — uses up its job's attempts. The order must not sit in
// PR with no job left (billing never learning what the OSS did: seed 000 again); it is parked in
// PF with the error, and once the data is repaired a resubmit completes it.
func TestDeadJobParksTheOrder(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, rigOptions{cfg: fastConfig()})
		id := r.place(salesFor(demo.Customer1, "0", 1, 30, false)) // Check/Cash: waits in WP
		o := r.waitFlow(id, "WP")
		ctx := context.Background()
		var spec string
		if err := r.st.DB().QueryRowContext(ctx, `SELECT spec FROM provisioning_items WHERE id = $1`, o.Items[0].ID).Scan(&spec); err != nil {
			t.Fatal(err)
		}
		if _, err := r.st.DB().ExecContext(ctx, `UPDATE provisioning_items SET spec = '{"period":' WHERE id = $1`, o.Items[0].ID); err != nil {
			t.Fatal(err)
		}
		r.push(id, "PR")
		o = r.waitFor(id, "a visible problem state", func(o orderView) bool { return o.Status == "PROBLEM" })
		if o.OfStatus != "PF" || o.errorDetails() == "" {
			t.Errorf("parked order: %s", o)
		}
		if n := r.count(`SELECT COUNT(*) FROM jobs WHERE state = 'dead'`); n != 1 {
			t.Errorf("%d dead jobs, want the one kept for the record", n)
		}
		if _, err := r.st.DB().ExecContext(ctx, `UPDATE provisioning_items SET spec = $2 WHERE id = $1`, o.Items[0].ID, spec); err != nil {
			t.Fatal(err)
		}
		if status, b := r.call(http.MethodPost, ordersPath+"/"+id+"/resubmit", "", ""); status != http.StatusOK {
			t.Fatalf("resubmit: %d %s", status, b)
		}
		o = r.waitFlow(id, "CP")
		if !strings.HasPrefix(o.Items[0].OSSSubscriptionID, "oss-") || len(o.BSSSubscriptions) != 1 {
			t.Errorf("repaired order: %s", o)
		}
	})
}
