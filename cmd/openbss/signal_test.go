package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/storetest"
)

// TestBinarySignals builds the openbss binary and runs it as an operator does: serve --demo,
// SIGTERM, then serve again on the same database without --demo, SIGINT. Each stop is graceful
// (exit status 0) and the second process serves what the first one stored.
func TestBinarySignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "openbss")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		base, stop := startBinary(t, bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--demo")
		wantCustomerSees(t, base)
		stop(syscall.SIGTERM)

		base, stop = startBinary(t, bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn)
		wantCustomerSees(t, base)
		stop(syscall.SIGINT)
	})
}

// startBinary starts the binary and waits for its address; stop signals it and checks that it
// exits with status 0 after logging its shutdown.
func startBinary(t *testing.T, bin string, args ...string) (base string, stop func(os.Signal)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel) // kills the process if a test failed before stopping it
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "OPENBSS_ADDR=", "OPENBSS_DB=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	timeout := time.After(time.Minute)
	for base == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("openbss %s exited before listening: %v\n%s", strings.Join(args, " "), cmd.Wait(), stderr.String())
			}
			if m := listening.FindStringSubmatch(l + "\n"); m != nil {
				base = m[1]
			}
		case <-timeout:
			t.Fatalf("openbss %s did not print its address\n%s", strings.Join(args, " "), stderr.String())
		}
	}
	go func() { // keep draining stdout
		for range lines {
		}
	}()
	return base, func(sig os.Signal) {
		t.Helper()
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("after %v: %v, want exit status 0\n%s", sig, err, stderr.String())
			}
		case <-time.After(time.Minute):
			t.Fatalf("still running a minute after %v", sig)
		}
		if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
			t.Errorf("no graceful stop logged after %v:\n%s", sig, stderr.String())
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Errorf("still answering after %v", sig)
		}
	}
}

func wantCustomerSees(t *testing.T, base string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/aps/2/collections/accounts", nil)
	req.Header.Set("APS-Token", demo.CustomerToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), demo.Customer1) || strings.Contains(string(body), demo.CustomerSubs) {
		t.Errorf("the demo customer's accounts: %d %s", res.StatusCode, body)
	}
}
