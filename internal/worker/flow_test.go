package worker_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/money"
)

// TestDemoSalesOrderCompletesOnItsOwn is the first acceptance check of issue 6: a demo SALES
// order reaches CP with the payment finished, provisioning completed and new subscriptions in
// bss-subscriptions carrying the ordered amounts and the period's dates, and the test does
// nothing but place it and read it.
func TestDemoSalesOrderCompletesOnItsOwn(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		r := newRig(t, dsn, rigOptions{cfg: fastConfig()})
		id := r.place(salesOrder(3, 40, true))
		o := r.waitFor(id, "CP", func(o orderView) bool { return o.OfStatus == "CP" || o.Status == "PROBLEM" })
		if o.OfStatus != "CP" || o.Status != "COMPLETED" || o.PaymentStatus != "FINISHED" ||
			o.ProvisioningStatus != "COMPLETED" || o.errorDetails() != "" {
			t.Fatalf("order: %s", o)
		}
		if len(o.Items) != 2 || len(o.BSSSubscriptions) != 2 {
			t.Fatalf("want 2 items and 2 bssSubscriptions: %s %v", o, o.BSSSubscriptions)
		}
		for _, it := range o.Items {
			if it.Status != "COMPLETED" || it.OSSSubscriptionID == "" || !slices.Contains(o.BSSSubscriptions, it.SubscriptionID) {
				t.Errorf("item %+v: want COMPLETED with an OSS subscription, its subscription listed in %v", it, o.BSSSubscriptions)
			}
			if !slices.Contains(o.Subscriptions, it.OSSSubscriptionID) {
				t.Errorf("subscriptions %v lack the OSS subscription %s", o.Subscriptions, it.OSSSubscriptionID)
			}
		}
		want := map[string]subWant{
			demo.PlanOfferCounter: {months: 3, expires: "2019-06-22", resources: map[string]string{demo.ResUsers: "40", demo.ResProjects: "10"}},
			demo.PlanSaaS:         {months: 1, expires: "2019-04-22", resources: map[string]string{}},
		}
		for _, it := range o.Items {
			r.checkSubscription(it.SubscriptionID, it.PlanID, want[it.PlanID])
		}
		// The collection lists them for the buyer.
		status, b := r.call(http.MethodGet, "/aps/2/collections/bss-subscriptions?eq(account.aps.id,"+demo.Customer1+")", "", "")
		if status != http.StatusOK {
			t.Fatalf("list bss-subscriptions: %d %s", status, b)
		}
		var list []struct {
			APS struct {
				ID string `json:"id"`
			} `json:"aps"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range list {
			ids = append(ids, s.APS.ID)
		}
		for _, sub := range o.BSSSubscriptions {
			if !slices.Contains(ids, sub) {
				t.Errorf("bss-subscriptions of the buyer %v lack %s", ids, sub)
			}
		}
		if h := r.history(o.InternalID); !slices.Equal(h, []string{">NW", "NW>OP", "OP>PR", "PR>CP"}) {
			t.Errorf("history %v", h)
		}
		if n := r.count(`SELECT COUNT(*) FROM demo_gateway_charges WHERE order_id = $1 AND status = 'APPROVED'`, id); n != 1 {
			t.Errorf("%d approved charges, want 1", n)
		}
		r.waitNoJobs()
	})
}

type subWant struct {
	months    int
	expires   string
	resources map[string]string
}

// checkSubscription reads a BSS subscription through the API and compares it with what the
// order asked for. The rig's clock starts 2019-03-22.
func (r *rig) checkSubscription(id, plan string, w subWant) {
	r.t.Helper()
	status, b := r.call(http.MethodGet, "/aps/2/collections/bss-subscriptions/"+id, "", "")
	if status != http.StatusOK {
		r.t.Fatalf("subscription %s: %d %s", id, status, b)
	}
	var s struct {
		Status             string `json:"status"`
		ServiceStatus      string `json:"serviceStatus"`
		StartDate          string `json:"startDate"`
		ExpirationDate     string `json:"expirationDate"`
		NextBillDate       string `json:"nextBillDate"`
		SubscriptionPeriod struct {
			Unit     string `json:"unit"`
			Duration int    `json:"duration"`
		} `json:"subscriptionPeriod"`
		Account struct {
			APS struct {
				ID string `json:"id"`
			} `json:"aps"`
		} `json:"account"`
		Plan struct {
			APS struct {
				ID string `json:"id"`
			} `json:"aps"`
		} `json:"plan"`
		Resources []struct {
			ResourceID string          `json:"resourceId"`
			Amount     json.RawMessage `json:"amount"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		r.t.Fatalf("subscription %s: %v", id, err)
	}
	if s.Status != "ACTIVE" || s.ServiceStatus != "ACTIVE" || s.Account.APS.ID != demo.Customer1 || s.Plan.APS.ID != plan {
		r.t.Errorf("subscription %s: %s", id, b)
	}
	if s.StartDate != "2019-03-22" || s.ExpirationDate != w.expires || s.NextBillDate != "2019-04-22" ||
		s.SubscriptionPeriod.Unit != "MONTHS" || s.SubscriptionPeriod.Duration != w.months {
		r.t.Errorf("subscription %s dates: start %s expires %s next bill %s period %+v; want 2019-03-22, %s, 2019-04-22, %d months",
			id, s.StartDate, s.ExpirationDate, s.NextBillDate, s.SubscriptionPeriod, w.expires, w.months)
	}
	got := map[string]string{}
	for _, res := range s.Resources {
		got[res.ResourceID] = strings.Trim(string(res.Amount), `"`)
	}
	for res, amt := range w.resources {
		if g, err := money.Parse(got[res]); err != nil || g.Cmp(money.MustParse(amt)) != 0 {
			r.t.Errorf("subscription %s resource %s = %q, want %s (all: %v)", id, res, got[res], amt, got)
		}
	}
}
