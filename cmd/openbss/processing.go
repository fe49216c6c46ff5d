package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/openbss/openbss/internal/gateway"
	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/worker"
)

// procFlags are serve's order-processing settings.
type procFlags struct {
	workers        *int
	noProcessing   *bool
	ossURL         *string
	ossSecret      *string
	simLatency     *time.Duration
	simFailRate    *float64
	simLoseRate    *float64
	simReject      *string
	simAsync       *bool
	payLatency     *time.Duration
	payDeclineOver *string
	reconcileEvery *time.Duration
	reconcileAfter *time.Duration
	backoff        *time.Duration
	lease          *time.Duration
	webhookURL     *string
	webhookSecret  *string
	sim            *gateway.Simulator // the in-process OSS simulator processor built, if any (the panel configures it)
}

func processingFlags(fs *flag.FlagSet, getenv func(string) string) *procFlags {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	workers, _ := strconv.Atoi(env("OPENBSS_WORKERS", "128"))
	return &procFlags{
		workers:        fs.Int("workers", workers, "order-processing workers in this process; they mostly wait on the OSS and on group commits (env OPENBSS_WORKERS)"),
		noProcessing:   fs.Bool("no-processing", false, "serve the API only; another process processes orders"),
		ossURL:         fs.String("oss-url", env("OPENBSS_OSS_URL", ""), "HTTP OSS gateway base URL; empty runs the in-process OSS simulator (env OPENBSS_OSS_URL)"),
		ossSecret:      fs.String("oss-secret", env("OPENBSS_OSS_SECRET", ""), "HMAC secret signing requests to the OSS (env OPENBSS_OSS_SECRET)"),
		simLatency:     fs.Duration("oss-sim-latency", 0, "simulator: latency per call"),
		simFailRate:    fs.Float64("oss-sim-fail-rate", 0, "simulator: fraction of calls failing before any work (transient)"),
		simLoseRate:    fs.Float64("oss-sim-lose-rate", 0, "simulator: fraction of calls doing the work but losing the answer"),
		simReject:      fs.String("oss-sim-reject", "", "simulator: fail every new item permanently with this message"),
		simAsync:       fs.Bool("oss-sim-async", false, "simulator: answer IN_PROGRESS; reconciliation completes items"),
		payLatency:     fs.Duration("pay-latency", 0, "demo payment gateway: latency per charge"),
		payDeclineOver: fs.String("pay-decline-over", "", "demo payment gateway: decline charges of at least this amount"),
		reconcileEvery: fs.Duration("reconcile-every", 30*time.Second, "how often to reconcile stuck provisioning items with the OSS (0 disables)"),
		reconcileAfter: fs.Duration("reconcile-after", time.Minute, "how long an item must be stuck before reconciliation asks the OSS"),
		backoff:        fs.Duration("retry-backoff", time.Second, "first retry delay of a failed job (doubles per attempt)"),
		lease:          fs.Duration("job-lease", 30*time.Second, "how long a claimed job stays with its process unless renewed; after a crash its jobs resume this much later"),
		webhookURL:     fs.String("webhook-url", env("OPENBSS_WEBHOOK_URL", ""), "POST every order status change here, signed (env OPENBSS_WEBHOOK_URL)"),
		webhookSecret:  fs.String("webhook-secret", env("OPENBSS_WEBHOOK_SECRET", ""), "HMAC secret of webhook deliveries (env OPENBSS_WEBHOOK_SECRET)"),
	}
}

func (f *procFlags) enabled() bool { return !*f.noProcessing && *f.workers > 0 }

// processor builds the gateways and the processor from the flags.
func (f *procFlags) processor(st *store.Store, log *slog.Logger) (*worker.Processor, error) {
	pay := &gateway.DemoPayment{DB: st.Books(), Latency: *f.payLatency, Now: st.Now}
	if *f.payDeclineOver != "" {
		d, err := money.Parse(*f.payDeclineOver)
		if err != nil {
			return nil, fmt.Errorf("--pay-decline-over: %w", err)
		}
		pay.DeclineOver = &d
	}
	var oss gateway.OSS
	if *f.ossURL != "" {
		oss = gateway.NewHTTPOSS(*f.ossURL, *f.ossSecret)
	} else {
		f.sim = gateway.NewSimulator(st.Books(), gateway.SimulatorConfig{Latency: *f.simLatency, FailRate: *f.simFailRate,
			LoseRate: *f.simLoseRate, Reject: *f.simReject, Async: *f.simAsync})
		oss = f.sim
	}
	return worker.New(st, pay, oss, worker.Config{Workers: *f.workers, ReconcileEvery: *f.reconcileEvery,
		ReconcileAfter: *f.reconcileAfter, BackoffBase: *f.backoff, Lease: *f.lease}, log), nil
}
