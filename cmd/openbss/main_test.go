package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/account"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// These tests start the real program through run, as main does.

// syncBuffer is an io.Writer the program writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

// runCmd runs a command to completion and returns its standard output.
func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, args, noEnv, &stdout, &stderr)
	if err != nil {
		t.Logf("openbss %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCmd(t, args...)
	if err != nil {
		t.Fatalf("openbss %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// lastLine is the last non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

var listening = regexp.MustCompile(`openbss listening on (http://\S+)\n`)

// server is a running `openbss serve`.
type server struct {
	base   string
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// serve starts `openbss serve --addr 127.0.0.1:0 args…` and waits until it listens. It is stopped
// when the test ends if the test did not stop it.
func serve(t *testing.T, getenv func(string) string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	if !slices.Contains(args, "--addr") && getenv("OPENBSS_ADDR") == "" {
		// A free port: parallel tests must not collide on the default 127.0.0.1:8080.
		args = append([]string{"--addr", "127.0.0.1:0"}, args...)
	}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), getenv, s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	deadline := time.After(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(s.stdout.String()); m != nil {
			s.base = m[1]
			return s
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("serve exited before listening: %v\nstderr: %s", err, s.stderr.String())
		case <-deadline:
			t.Fatalf("serve did not print its address; stdout %q stderr %s", s.stdout.String(), s.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// stop cancels the program's context (as SIGINT does) and returns what run returned.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down within 30s")
		return nil
	}
}

// get calls the server with a bearer token and decodes a JSON body into v (when not nil).
func (s *server) get(t *testing.T, path, token string, v any) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode >= 500 {
		t.Errorf("GET %s: %d %s", path, res.StatusCode, body)
	}
	if v != nil && len(body) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	return res.StatusCode, res.Header
}

type accountJSON struct {
	APS struct {
		ID string `json:"id"`
	} `json:"aps"`
	ID          int64  `json:"id"`
	Type        string `json:"type"`
	CompanyName string `json:"companyName"`
}

func accountIDs(as []accountJSON) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.APS.ID)
	}
	slices.Sort(out)
	return out
}

// openDB opens the program's database beside it, to look at what a command did.
func openDB(t *testing.T, dsn string) *store.Store {
	t.Helper()
	return storetest.OpenDSN(t, dsn)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	out := mustRun(t, "version")
	if out != "openbss "+version+"\n" {
		t.Errorf("version printed %q", out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"nope"}, {"serve", "--nope"}, {"token"}, {"token", "create"},
		{"token", "create", "--db", storetest.SQLitePath(t), "--account", "x", "--scopes", "root"}} {
		if _, err := runCmd(t, args...); err == nil {
			t.Errorf("openbss %q succeeded", args)
		}
	}
	out := mustRun(t, "help")
	for _, cmd := range []string{"serve", "init", "migrate", "token", "version"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help does not mention %s", cmd)
		}
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		for range 2 {
			if out := mustRun(t, "migrate", "--db", dsn); !strings.Contains(out, "up to date") {
				t.Errorf("migrate printed %q", out)
			}
		}
		if _, err := openDB(t, dsn).Provider(context.Background()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("migrate created data: %v", err)
		}
	})
}

func TestInit(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		out := mustRun(t, "init", "--db", dsn, "--provider-name", "Acme Cloud")
		token := lastLine(out)
		if strings.ContainsAny(token, " \t") || !strings.HasPrefix(token, "obss_") {
			t.Fatalf("init's last line %q is not a token alone; output:\n%s", token, out)
		}
		st := openDB(t, dsn)
		p, err := st.Authenticate(ctx, token)
		if err != nil {
			t.Fatalf("init's token does not authenticate: %v", err)
		}
		if p.Account.Type != account.Provider || p.Account.Name != "Acme Cloud" || p.Account.ID != 1 ||
			!slices.Equal(p.Scopes, account.AllScopes) {
			t.Errorf("init's token belongs to %+v with scopes %v; want the provider with every scope", p.Account, p.Scopes)
		}
		if !strings.Contains(out, p.Account.APSID) {
			t.Errorf("init does not name the provider's APS id %s:\n%s", p.Account.APSID, out)
		}

		// A second init changes nothing and says so.
		countRows := func() [2]int {
			var n [2]int
			for i, table := range []string{"accounts", "api_tokens"} {
				if err := st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n[i]); err != nil {
					t.Fatal(err)
				}
			}
			return n
		}
		before := countRows()
		out2 := mustRun(t, "init", "--db", dsn, "--provider-name", "Other")
		if !strings.Contains(out2, "already") || !strings.Contains(out2, "nothing changed") || strings.Contains(out2, "obss_") {
			t.Errorf("second init printed %q; want it to say nothing changed, and no token", out2)
		}
		if after := countRows(); after != before || before != [2]int{1, 1} {
			t.Errorf("rows (accounts, tokens) %v → %v; want [1 1] unchanged", before, after)
		}
		if p2, err := st.Provider(ctx); err != nil || p2.Name != "Acme Cloud" {
			t.Errorf("provider after a second init: %q, %v", p2.Name, err)
		}

		// The token works against the real server; the demo tokens do not exist here.
		srv := serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn)
		var accounts []accountJSON
		if code, _ := srv.get(t, "/aps/2/collections/accounts", token, &accounts); code != http.StatusOK ||
			len(accounts) != 1 || accounts[0].CompanyName != "Acme Cloud" || accounts[0].ID != 1 {
			t.Errorf("GET accounts with init's token: %d %+v", code, accounts)
		}
		if code, _ := srv.get(t, "/aps/2/collections/accounts", demo.ProviderToken, nil); code != http.StatusUnauthorized {
			t.Errorf("demo-provider-token outside demo mode: %d, want 401", code)
		}
	})
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := openDB(t, dsn)
		storetest.LoadDemo(t, st)

		out := mustRun(t, "token", "create", "--db", dsn, "--account", demo.CustomerTaxed, "--scopes", "orders:read")
		token := lastLine(out)
		m := regexp.MustCompile(`token (\d+) for`).FindStringSubmatch(out)
		if m == nil || !strings.HasPrefix(token, "obss_") {
			t.Fatalf("token create printed %q", out)
		}
		p, err := st.Authenticate(ctx, token)
		if err != nil || p.Account.APSID != demo.CustomerTaxed || !slices.Equal(p.Scopes, []account.Scope{account.ScopeOrdersRead}) {
			t.Fatalf("created token: %+v %v, %v", p.Account.APSID, p.Scopes, err)
		}
		if strconv.FormatInt(p.TokenID, 10) != m[1] {
			t.Errorf("token create printed id %s, the token's id is %d", m[1], p.TokenID)
		}

		// It works against the real server, scoped to its account.
		srv := serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn, "--no-processing")
		var accounts []accountJSON
		if code, _ := srv.get(t, "/aps/2/collections/accounts", token, &accounts); code != http.StatusOK ||
			!slices.Equal(accountIDs(accounts), []string{demo.CustomerTaxed}) {
			t.Errorf("GET accounts with the new token: %d %v", code, accountIDs(accounts))
		}

		// Another account cannot revoke it; its own can; then it fails everywhere.
		if _, err := runCmd(t, "token", "revoke", "--db", dsn, "--account", demo.Customer1, "--id", m[1]); err == nil {
			t.Errorf("revoking through another account succeeded")
		}
		if _, err := st.Authenticate(ctx, token); err != nil {
			t.Fatalf("token died after a refused revocation: %v", err)
		}
		if out := mustRun(t, "token", "revoke", "--db", dsn, "--account", demo.CustomerTaxed, "--id", m[1]); !strings.Contains(out, "revoked") {
			t.Errorf("token revoke printed %q", out)
		}
		if _, err := st.Authenticate(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: %v, want ErrNotFound", err)
		}
		if code, _ := srv.get(t, "/aps/2/collections/accounts", token, nil); code != http.StatusUnauthorized {
			t.Errorf("revoked token against the server: %d, want 401", code)
		}

		// Expiring tokens, default scopes, and refusals.
		out = mustRun(t, "token", "create", "--db", dsn, "--account", demo.ResellerA, "--expires", "1h")
		p, err = st.Authenticate(ctx, lastLine(out))
		if err != nil || !slices.Equal(p.Scopes, []account.Scope{account.ScopeOrdersRead, account.ScopeOrdersWrite}) {
			t.Errorf("default token: %v, %v", p.Scopes, err)
		}
		for _, args := range [][]string{
			{"token", "create", "--db", dsn, "--account", "no-such-account"},
			{"token", "create", "--db", dsn, "--account", demo.Customer1, "--scopes", "orders:read,superuser"},
			{"token", "create", "--db", dsn},
			{"token", "revoke", "--db", dsn, "--account", demo.Customer1, "--id", "abc"},
			{"token", "revoke", "--db", dsn, "--account", demo.Customer1, "--id", "999999"},
		} {
			if _, err := runCmd(t, args...); err == nil {
				t.Errorf("openbss %q succeeded", args)
			}
		}
	})
}

// TestServeDemoAndRestart runs the real program with --demo, checks the acceptance examples,
// stops it as SIGINT would, and starts it again on the same database without --demo.
func TestServeDemoAndRestart(t *testing.T) {
	t.Parallel()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		srv := serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn, "--demo")
		checkDemo(t, srv)
		// A token created while the server runs, by another process on the same database.
		token := lastLine(mustRun(t, "token", "create", "--db", dsn, "--account", demo.CustomerB, "--scopes", "orders:read"))
		var accounts []accountJSON
		if code, _ := srv.get(t, "/aps/2/collections/accounts", token, &accounts); code != http.StatusOK ||
			!slices.Equal(accountIDs(accounts), []string{demo.CustomerB}) {
			t.Errorf("token created beside the server: %d %v", code, accountIDs(accounts))
		}
		if err := srv.stop(t); err != nil {
			t.Fatalf("graceful shutdown: %v", err)
		}
		if _, err := http.Get(srv.base + "/healthz"); err == nil {
			t.Errorf("the server still answers after shutdown")
		}

		srv = serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn)
		checkDemo(t, srv)
		if code, _ := srv.get(t, "/aps/2/collections/accounts", token, &accounts); code != http.StatusOK ||
			!slices.Equal(accountIDs(accounts), []string{demo.CustomerB}) {
			t.Errorf("token after restart: %d %v", code, accountIDs(accounts))
		}
		// --demo on a database that has data keeps it.
		if err := srv.stop(t); err != nil {
			t.Fatal(err)
		}
		srv = serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", dsn, "--demo")
		checkDemo(t, srv)
		var n int
		if err := openDB(t, dsn).DB().QueryRow("SELECT COUNT(*) FROM accounts").Scan(&n); err != nil || n != 7 {
			t.Errorf("accounts after three starts: %d, %v; want the demo's 7", n, err)
		}
	})
}

// checkDemo asserts issue 2's acceptance examples against a running server.
func checkDemo(t *testing.T, srv *server) {
	t.Helper()
	var accounts []accountJSON
	code, _ := srv.get(t, "/aps/2/collections/accounts?eq(id,1000001)", demo.ProviderToken, &accounts)
	if code != http.StatusOK || len(accounts) != 1 || accounts[0].APS.ID != "3fef9702-b2ad-419a-9924-a56882e5f06c" {
		t.Errorf("accounts?eq(id,1000001): %d %+v", code, accounts)
	}
	var methods []struct {
		ID            int64 `json:"id"`
		DefaultMethod bool  `json:"defaultMethod"`
	}
	code, _ = srv.get(t, "/aps/2/services/payment-method-manager/paymentMethods?accountId="+demo.Customer1, demo.ProviderToken, &methods)
	if code != http.StatusOK || len(methods) != 2 || methods[0].ID != 3 || !methods[0].DefaultMethod || methods[1].ID != 0 || methods[1].DefaultMethod {
		t.Errorf("paymentMethods of 3fef9702: %d %+v", code, methods)
	}
	var plans []struct {
		APS struct {
			ID string `json:"id"`
		} `json:"aps"`
	}
	code, _ = srv.get(t, "/aps/2/collections/service-plans", demo.ProviderToken, &plans)
	if code != http.StatusOK || !slices.ContainsFunc(plans, func(p struct {
		APS struct {
			ID string `json:"id"`
		} `json:"aps"`
	}) bool {
		return p.APS.ID == demo.PlanOfferCounter
	}) {
		t.Errorf("service-plans: %d, %d plans, no %s", code, len(plans), demo.PlanOfferCounter)
	}
	var subs []struct {
		APS struct {
			ID string `json:"id"`
		} `json:"aps"`
		SubscriptionID int64 `json:"subscriptionId"`
	}
	code, _ = srv.get(t, "/aps/2/collections/bss-subscriptions?eq(account.aps.id,d7dd06ef-20a0-41f5-b89f-768ef373ae44)", demo.ProviderToken, &subs)
	if code != http.StatusOK || len(subs) != 3 || !slices.ContainsFunc(subs, func(s struct {
		APS struct {
			ID string `json:"id"`
		} `json:"aps"`
		SubscriptionID int64 `json:"subscriptionId"`
	}) bool {
		return s.APS.ID == demo.SubVPSDemo && s.SubscriptionID == 1000001
	}) {
		t.Errorf("bss-subscriptions of d7dd06ef: %d %+v", code, subs)
	}
	code, _ = srv.get(t, "/aps/2/collections/accounts", demo.CustomerToken, &accounts)
	if code != http.StatusOK || !slices.Equal(accountIDs(accounts), []string{demo.Customer1}) {
		t.Errorf("the customer sees %v (%d)", accountIDs(accounts), code)
	}
	if code, _ := srv.get(t, "/aps/2/collections/accounts/"+demo.CustomerSubs, demo.CustomerToken, nil); code != http.StatusNotFound {
		t.Errorf("the customer reading d7dd06ef: %d, want 404", code)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, _ := srv.get(t, path, "", nil); code != http.StatusOK {
			t.Errorf("GET %s: %d", path, code)
		}
	}
}

// TestServeEnvironment configures serve through OPENBSS_ADDR and OPENBSS_DB.
func TestServeEnvironment(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLitePath(t)
	env := map[string]string{"OPENBSS_ADDR": "127.0.0.1:0", "OPENBSS_DB": dsn}
	srv := serve(t, func(k string) string { return env[k] }, "--demo")
	checkDemo(t, srv)
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	if _, err := openDB(t, dsn).Account(context.Background(), demo.Customer1); err != nil {
		t.Errorf("OPENBSS_DB was not used: %v", err)
	}
	// Flags win over the environment; a bad address is an error, not a hang.
	if err := run(context.Background(), []string{"serve", "--addr", "256.0.0.1:bad"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err == nil {
		t.Errorf("serve on a bad address succeeded")
	}
}

// TestGracefulShutdown stops the server while a request is in flight (its handler is reading a
// slowly sent body): the request still gets its answer, and run returns nil once it has.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	srv := serve(t, noEnv, "--addr", "127.0.0.1:0", "--db", storetest.SQLitePath(t), "--demo", "--no-processing")
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Seed 002 "Get the Terms and Conditions of Service Plans".
	body := `{"type": "SALES", "accountId": "` + demo.Customer1 + `", "products": [{"planId": "` + demo.PlanSaaS +
		`", "period": {"unit": "MONTHS", "duration": 1}}]}`
	head := "POST /aps/2/services/order-manager/orders/termsconditions HTTP/1.1\r\nHost: openbss\r\n" +
		"Authorization: Bearer " + demo.ProviderToken + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the handler is now waiting for the rest of the body
	srv.cancel()
	select {
	case err := <-srv.done:
		srv.done <- err
		t.Fatalf("serve returned (%v) with a request in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request: %v\nstderr %s", err, srv.stderr.String())
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(got), `"termId":"1"`) {
		t.Errorf("in-flight request answered %d %s", res.StatusCode, got)
	}
	if err := srv.stop(t); err != nil {
		t.Errorf("serve after a graceful shutdown: %v", err)
	}
	if !strings.Contains(srv.stderr.String(), "shutting down") || !strings.Contains(srv.stderr.String(), "stopped") {
		t.Errorf("no shutdown log lines in %s", srv.stderr.String())
	}
}
