package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/catalogfile"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// catRun runs the program and returns its standard output and error.
func catRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, args, noEnv, &stdout, &stderr)
	return stdout.String(), err
}

func catMust(t *testing.T, args ...string) string {
	t.Helper()
	out, err := catRun(t, args...)
	if err != nil {
		t.Fatalf("openbss %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// catDemoDB returns the DSN of a database holding the demo data set, loaded with clock.
func catDemoDB(t *testing.T, dsn string, clock func() time.Time) string {
	t.Helper()
	st := catOpen(t, dsn, clock)
	if err := demo.Load(context.Background(), st); err != nil {
		t.Fatalf("demo: %v", err)
	}
	return dsn
}

func catOpen(t *testing.T, dsn string, clock func() time.Time) *store.Store {
	t.Helper()
	var opts []store.Option
	if clock != nil {
		opts = append(opts, store.WithClock(clock))
	}
	st, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// The demo data set exported is the checked-in internal/demo/demo.yaml; applying it to an empty
// database prints the changes (a dry run first writes nothing), applying it again changes
// nothing, and a file that does not validate changes nothing.
func TestCatalogCommands(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		demoDB := catDemoDB(t, storetest.SQLitePath(t), nil)
		file := filepath.Join(dir, "catalog.yaml")
		catMust(t, "catalog", "export", "--customers", "--db", demoDB, "-o", file)
		got, _ := os.ReadFile(file)
		want, err := os.ReadFile("../../internal/demo/demo.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the demo data exported differs from internal/demo/demo.yaml (regenerate it with `openbss catalog export --customers`):\n%s", got)
		}
		if sellers := catMust(t, "catalog", "export", "--db", demoDB); strings.Contains(sellers, "type: CUSTOMER") ||
			!strings.Contains(sellers, "RESELLER") || !strings.Contains(sellers, "plans:") {
			t.Errorf("export without --customers:\n%s", sellers)
		}

		out := catMust(t, "catalog", "apply", file, "--dry-run", "--db", dsn)
		if !strings.Contains(out, `+ plan "Cloud VPSes" (6b64da9a-f8e6-4cbd-8aef-de304a27b627)`) ||
			!strings.Contains(out, "+     recurring: 4.25") || !strings.Contains(out, "dry run: 59 change(s) not applied") {
			t.Errorf("dry run:\n%s", out)
		}
		if out := catMust(t, "catalog", "export", "--db", dsn); strings.Contains(out, "accounts:") {
			t.Errorf("the dry run wrote:\n%s", out)
		}
		if out := catMust(t, "catalog", "apply", "--db", dsn, file); !strings.Contains(out, "applied 59 change(s)") {
			t.Errorf("apply:\n%s", out)
		}
		if out := catMust(t, "catalog", "apply", "--db", dsn, file); !strings.Contains(out, "no changes") {
			t.Errorf("second apply:\n%s", out)
		}

		// A change shows as a diff of the entity, and makes a new plan version.
		changed := strings.Replace(string(want), "        setup: 2.0\n        recurring: 4.25\n", "        setup: 2.0\n        recurring: 5.5\n", 1)
		if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		out = catMust(t, "catalog", "apply", "--db", dsn, file)
		for _, w := range []string{`~ plan "Cloud VPSes" (6b64da9a-f8e6-4cbd-8aef-de304a27b627)`, "-     recurring: 4.25\n    +     recurring: 5.5", "applied 1 change(s)"} {
			if !strings.Contains(out, w) {
				t.Errorf("apply of a price change: missing %q in\n%s", w, out)
			}
		}
		st := catOpen(t, dsn, nil)
		p, err := st.Plan(context.Background(), demo.PlanCloudVPS)
		if err != nil || p.Version != 2 || p.Periods[0].Fees.Recurring.String() != "5.5" {
			t.Errorf("plan after the change: version %d, fees %+v, %v", p.Version, p.Periods, err)
		}

		// Refused files change nothing.
		for _, c := range []struct{ text, msg string }{
			{"plans:\n  - name: X\n    periods: []\n    colour: red\n", "field colour not found"},
			{"plans:\n  - name: X\n    periods:\n      - period: 1 FORTNIGHT\n", "not a period"},
			{"plans:\n  - name: X\n    periods:\n      - period: 1 MONTHS\n        recurring: -1\n", "must not be negative"},
			{"plans:\n  - name: X\n    periods:\n      - period: 1 MONTHS\n        recurring: 0.0000001\n", "more than 6 decimals"},
			{"plans:\n  - name: X\n    periods:\n      - period: 1 MONTHS\n    resources:\n      - resource: Nope\n", "no resource \"Nope\""},
			{"taxRules:\n  - zone: Z\n    name: T\n    rate: 120\n", "from 0 to 100"},
			{"resources:\n  - name: A\n    unit: u\n    dependencies:\n      - {kind: REQUIRES, resource: B, amount: 1}\n  - name: B\n    unit: u\n    dependencies:\n      - {kind: REQUIRES, resource: A, amount: 1}\n", "cycle"},
			{"accounts:\n  - id: 11111111-1111-4111-8111-111111111111\n    type: PROVIDER\n    name: Other\n", "cannot add another provider"},
			{"delegations:\n  - plan: Cloud VPSes\n    reseller: " + demo.Customer1 + "\n    costPercent: 5\n", "is not a reseller"},
		} {
			if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := catRun(t, "catalog", "apply", "--db", dsn, file)
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("apply of %q: %v (want an error with %q)\n%s", c.text, err, c.msg, out)
			}
		}
		if out := catMust(t, "catalog", "export", "--customers", "--db", dsn); out != changed {
			t.Errorf("refused files changed the database:\n%s", out)
		}
		if _, err := catRun(t, "catalog"); err == nil {
			t.Error("catalog without a command: no error")
		}
		if _, err := catRun(t, "catalog", "apply", "--db", dsn, filepath.Join(dir, "missing.yaml")); err == nil {
			t.Error("apply of a missing file: no error")
		}
	})
}

// The demo data exported, applied to an empty database, reproduces every collection of the API
// byte for byte (both databases on one clock, with the same tokens), and applying it twice
// reports no changes.
func TestCatalogReproducesCollections(t *testing.T) {
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		at := time.Date(2019, 4, 5, 13, 22, 14, 0, time.UTC)
		clock := func() time.Time { return at }
		demoDB := catDemoDB(t, storetest.SQLitePath(t), clock)
		file := filepath.Join(t.TempDir(), "catalog.yaml")
		catMust(t, "catalog", "export", "--customers", "--db", demoDB, "-o", file)

		fresh := catOpen(t, dsn, clock)
		data, _ := os.ReadFile(file)
		f, err := catalogfile.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := catalogfile.Apply(context.Background(), fresh, f, catalogfile.Options{Actor: store.Actor{Label: "test"}}); err != nil {
			t.Fatal(err)
		}
		if out := catMust(t, "catalog", "apply", "--db", dsn, file); !strings.Contains(out, "no changes") {
			t.Errorf("second apply:\n%s", out)
		}
		original := catOpen(t, demoDB, clock)
		a, b := catServer(t, original), catServer(t, fresh)
		paths := []string{
			"/aps/2/collections/accounts", "/aps/2/collections/service-plans", "/aps/2/collections/resources",
			"/aps/2/collections/terms", "/aps/2/collections/tax-rules", "/aps/2/collections/promotions",
			"/aps/2/services/order-manager/reasonCodes",
		}
		for _, id := range []string{demo.ResellerA, demo.ResellerB} {
			paths = append(paths, "/aps/2/collections/accounts/"+id+"/delegations")
		}
		for _, id := range []string{demo.ProviderAPSID, demo.ResellerA, demo.ResellerB, demo.Customer1, demo.CustomerTaxed, demo.CustomerSubs, demo.CustomerB} {
			paths = append(paths, "/aps/2/collections/accounts/"+id, "/aps/2/collections/accounts/"+id+"/paymentMethods",
				"/aps/2/services/payment-method-manager/paymentMethods?accountId="+id)
		}
		for _, plan := range []string{demo.PlanOfferCounter, demo.PlanCloudVPS, demo.PlanVIP, demo.PlanSaaS} {
			paths = append(paths, "/aps/2/collections/service-plans/"+plan)
		}
		for _, tok := range []string{"cmp-provider", "cmp-reseller-a", "cmp-reseller-b"} {
			for _, p := range paths {
				ga, gb := a.get(t, p, tok), b.get(t, p, tok)
				if ga != gb {
					t.Errorf("GET %s as %s differs:\n demo:    %s\n applied: %s", p, tok, ga, gb)
				}
			}
		}
		sale := `{"type": "SALES", "accountId": "` + demo.CustomerTaxed + `", "promoCode": "123", "products": [{"planId": "` +
			demo.PlanOfferCounter + `", "period": {"unit": "MONTHS", "duration": 1}, "resources": [{"resourceId": "` +
			demo.ResUsers + `", "amount": 40}]}], "acceptedTerms": ["1"]}`
		for _, p := range []string{"/aps/2/services/order-manager/orders/estimate", "/aps/2/services/order-manager/orders/estimateCosts"} {
			if ea, eb := a.post(t, p, "cmp-reseller-a", sale), b.post(t, p, "cmp-reseller-a", sale); ea != eb {
				t.Errorf("POST %s differs:\n demo:    %s\n applied: %s", p, ea, eb)
			}
		}
	})
}

type catAPI struct{ url string }

// catServer serves the store's API with fixed admin tokens for the provider and both resellers.
func catServer(t *testing.T, st *store.Store) catAPI {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for tok, aps := range map[string]string{"cmp-provider": demo.ProviderAPSID, "cmp-reseller-a": demo.ResellerA, "cmp-reseller-b": demo.ResellerB} {
			a, err := st.Account(ctx, aps)
			if err != nil {
				return err
			}
			if _, _, err := store.CreateToken(ctx, tx, a.ID, "cmp", tok, account.AllScopes, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return catAPI{url: srv.URL}
}

func (c catAPI) get(t *testing.T, path, token string) string { return c.do(t, "GET", path, token, "") }

func (c catAPI) post(t *testing.T, path, token, body string) string {
	return c.do(t, "POST", path, token, body)
}

func (c catAPI) do(t *testing.T, method, path, token, body string) string {
	t.Helper()
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.Status + " " + res.Header.Get("Content-Range") + "\n" + string(b)
}

// The provider quick start of docs/ (curl and jq against a real `openbss serve`) runs from an
// empty database to a completed sales order, on each engine.
func TestProviderQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a shell script")
	}
	for _, tool := range []string{"bash", "curl", "jq", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	bin := filepath.Join(t.TempDir(), "openbss")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ports := map[string]string{storetest.SQLite.Name: "127.0.0.1:18391", storetest.Postgres.Name: "127.0.0.1:18392"}
	for _, e := range storetest.AllEngines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "../../docs/provider-quickstart.sh")
			cmd.Env = append(os.Environ(), "OPENBSS="+bin, "OPENBSS_DB="+dsn, "OPENBSS_ADDR="+ports[e.Name])
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "completed (CP)") {
				t.Fatalf("docs/provider-quickstart.sh: %v\n%s", err, out)
			}
			for _, w := range []string{`"ofStatus":"CP"`, `"promo":"APPLIED"`, `"total":30.24`, "create delegation"} {
				if !strings.Contains(string(out), w) {
					t.Errorf("quick start output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
