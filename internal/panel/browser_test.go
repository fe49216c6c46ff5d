package panel_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/storetest"
)

// The browser tests drive the panel in headless Chromium (Debian's chromium, which .ci/run
// installs) through chromedp. They skip when no Chromium is installed; OPENBSS_CHROMIUM names
// another binary. With OPENBSS_SCREENSHOTS=<dir> they save a screenshot of each main page there
// (docs/panel/ holds the ones README shows).

// chromium finds the browser or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("OPENBSS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium installed (apt-get install -y chromium): skipping the browser test")
	return ""
}

// browser starts a fresh headless Chromium with an empty profile (as root: no sandbox) and
// returns a tab context.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 900),
		// The test server's certificate is self-signed; the panel's Secure cookie needs TLS.
		chromedp.IgnoreCertErrors,
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// screenshot saves the page as name.png in $OPENBSS_SCREENSHOTS, when set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("OPENBSS_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func signInBrowser(t *testing.T, ctx context.Context, r *rig, token string) {
	t.Helper()
	run(t, ctx, "sign in",
		chromedp.Navigate(r.url+"/panel/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#signout")))
}

// waitOrderFlow reloads the order page until it shows want.
func waitOrderFlow(t *testing.T, ctx context.Context, r *rig, apsID string, want order.FlowStatus) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		run(t, ctx, "open the order", chromedp.Navigate(r.url+"/panel/orders/"+apsID+"?refresh=0"),
			chromedp.WaitVisible(chromedp.CSS("#ofstatus")))
		got := text(t, ctx, "#ofstatus")
		if got == string(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the order page shows %s, want %s", got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestBrowserResubmit: sign in, find the PF order a failing OSS left on the dashboard, fix
// the OSS, resubmit in the panel (with its confirmation step) and see the order reach CP.
func TestBrowserResubmit(t *testing.T) {
	ctx := browser(t)
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{Reject: rejectMsg})
	id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, true))
	o := r.waitFlow(id, order.ProvisioningFailed)

	signInBrowser(t, ctx, r, demo.ProviderToken)
	run(t, ctx, "dashboard", chromedp.WaitVisible(chromedp.CSS("#waiting")))
	if got := text(t, ctx, "#count-PF"); got != "1" {
		t.Errorf("dashboard PF count %q, want 1", got)
	}
	if got := text(t, ctx, "#failures"); !strings.Contains(got, "#2007") {
		t.Errorf("recent failures lack the OSS's message: %q", got)
	}
	screenshot(t, ctx, "dashboard")

	run(t, ctx, "open the waiting order", chromedp.Click(chromedp.CSS("#waiting tbody a")),
		chromedp.WaitVisible(chromedp.CSS("#resubmit")))
	if got := text(t, ctx, "h1"); !strings.Contains(got, o.Number) || text(t, ctx, "#ofstatus") != "PF" {
		t.Fatalf("order page heading %q, want %s in PF", got, o.Number)
	}
	if got := text(t, ctx, "#errorDetails"); !strings.Contains(got, "already exists") {
		t.Errorf("errorDetails %q", got)
	}
	screenshot(t, ctx, "order-pf")

	r.sim.Configure(gateway.SimulatorConfig{}) // the OSS is fixed
	run(t, ctx, "resubmit", chromedp.Click(chromedp.CSS("#resubmit")), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	if got := text(t, ctx, "#question"); !strings.Contains(got, "Resubmit the failed provisioning items of order "+o.Number) {
		t.Errorf("confirmation %q", got)
	}
	screenshot(t, ctx, "confirm")
	run(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	waitOrderFlow(t, ctx, r, id, order.Completed)
	if got := text(t, ctx, "#items"); strings.Contains(got, "FAILED") || strings.Count(got, "COMPLETED") != 2 {
		t.Errorf("items after the resubmit: %q", got)
	}
	screenshot(t, ctx, "order-cp")

	// The other main pages, for the screenshots and as a smoke test in a real browser.
	for _, p := range []struct{ path, sel, name string }{
		{"/panel/orders", "#orders", "orders"},
		{"/panel/subscriptions", "#subscriptions", "subscriptions"},
		{"/panel/accounts", "#tree", "accounts"},
		{"/panel/catalog", "section.plan", "catalog"},
		{"/panel/oss", "#save-oss", "oss"},
	} {
		run(t, ctx, p.path, chromedp.Navigate(r.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		screenshot(t, ctx, p.name)
	}
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#token")))
	screenshot(t, ctx, "signin")
}

// TestBrowserCreationCompleted is seed 000's repair done entirely in the panel: an order in PF
// whose item the OSS did complete after all → "Creation Completed" for that item → CP.
func TestBrowserCreationCompleted(t *testing.T) {
	ctx := browser(t)
	r := newRig(t, storetest.SQLitePath(t), gateway.SimulatorConfig{Reject: rejectMsg})
	id := r.place(demo.ProviderToken, salesOrder(demo.Customer1, false))
	o := r.waitFlow(id, order.ProvisioningFailed)
	it := o.Items[0]
	// The OSS finally processes the task (seed 000: "Finally, the task was processed").
	r.sim.Configure(gateway.SimulatorConfig{})
	if _, err := r.sim.Provision(context.Background(), gateway.Item{ItemID: strconv.FormatInt(it.ID, 10),
		Action: it.Action, SubscriptionID: it.SubscriptionAPSID}); err != nil {
		t.Fatal(err)
	}

	signInBrowser(t, ctx, r, demo.ProviderToken)
	run(t, ctx, "find the order by number",
		chromedp.Navigate(r.url+"/panel/orders"),
		chromedp.WaitVisible(chromedp.CSS("#filter")),
		chromedp.SendKeys(chromedp.CSS(`input[name="number"]`), o.Number),
		// The unfiltered list has the order's link too: mark it, so the wait below is for the
		// filtered page's (a click on the old page's link races with the navigation).
		chromedp.SetAttributeValue(chromedp.CSS("#orders"), "data-stale", "1"),
		chromedp.Click(chromedp.CSS("#filter")),
		chromedp.WaitNotPresent(chromedp.CSS("#orders[data-stale]")),
		chromedp.WaitVisible(chromedp.CSS("#orders tbody a")),
		chromedp.Click(chromedp.CSS("#orders tbody a")),
		chromedp.WaitVisible(chromedp.CSS("#items")))
	// Step 1 of the seed: the failed provisioning item's id, on the order's items.
	item := text(t, ctx, "#items .item-id")
	if item != strconv.FormatInt(it.ID, 10) || text(t, ctx, "#items .item-status") != "FAILED" {
		t.Fatalf("items table shows item %q (%s), want %d FAILED", item, text(t, ctx, "#items .item-status"), it.ID)
	}
	// Steps 3–4: trigger "Creation Completed" with the seed's parameters for that item.
	form := "#event-" + item
	run(t, ctx, "fill the event",
		chromedp.Click(chromedp.CSS(form+" summary")),
		chromedp.WaitVisible(chromedp.CSS(form+` input[name="subscrId"]`)),
		chromedp.SetValue(chromedp.CSS(form+` select[name="event"]`), "creation"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name="subscrId"]`), "oss-"+it.SubscriptionAPSID))
	screenshot(t, ctx, "order-event")
	run(t, ctx, "continue", chromedp.Click(chromedp.CSS(form+` button`)), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	want := "GateID=4;IssuedSuccessfully=1;Message=Operations Automation service is created.;OrderItemID=" + item +
		";SubscrID=oss-" + it.SubscriptionAPSID
	if got := text(t, ctx, "main"); !strings.Contains(got, want) || !strings.Contains(got, "Creation Completed") {
		t.Errorf("confirmation page lacks %q:\n%s", want, got)
	}
	screenshot(t, ctx, "confirm-event")
	run(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	// Step 5: the item is Completed and, being the last one, the order completed.
	if got := text(t, ctx, "#ofstatus"); got != "CP" {
		t.Errorf("order after Creation Completed: %s, want CP", got)
	}
	if got := text(t, ctx, "#items .item-status"); got != "COMPLETED" {
		t.Errorf("item after Creation Completed: %s", got)
	}
	if got := text(t, ctx, "#history"); !strings.Contains(got, "Creation Completed for item "+item) || !strings.Contains(got, "panel:") {
		t.Errorf("history lacks the operator's event:\n%s", got)
	}
}
