package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // only served with --pprof, on its own address
	"runtime/debug"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/clock"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/panel"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/worker"
)

// dbFlag registers --db with its environment default.
func dbFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	def := getenv("OPENBSS_DB")
	if def == "" {
		def = "./openbss.db"
	}
	return fs.String("db", def, "SQLite file path, or a postgres:// URL (env OPENBSS_DB)")
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, dsn string, opts ...store.Option) (*store.Store, error) {
	st, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defAddr := getenv("OPENBSS_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "listen address (env OPENBSS_ADDR)")
	dsn := dbFlag(fs, getenv)
	withDemo := fs.Bool("demo", false, "load the demo data set into an empty database and enable demo tokens")
	proc := processingFlags(fs, getenv)
	sched := scheduleFlags(fs, getenv)
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this address (profiling; keep it private)")
	maxQueue := fs.Int("max-queue", 512, "SQLite group commit: queued writes beyond which new orders are refused with 503 + Retry-After (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pprofAddr != "" {
		go func() { _ = http.ListenAndServe(*pprofAddr, http.DefaultServeMux) }()
	}
	tuneGC(getenv)
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	storeOpts := []store.Option{store.WithMaxQueue(*maxQueue)}
	if *proc.webhookURL != "" {
		storeOpts = append(storeOpts, store.WithNotifications())
	}
	tc, err := sched.testClock(*withDemo) // demo mode only: a clock the API can move (schedule.go)
	if err != nil {
		return err
	}
	var clk clock.Clock = clock.Real{}
	if tc != nil {
		clk = tc
		storeOpts = append(storeOpts, store.WithClock(tc.Now))
	}
	st, err := openStore(ctx, *dsn, storeOpts...)
	if err != nil {
		return err
	}
	defer st.Close()
	if *withDemo {
		switch err := demo.Load(ctx, st); {
		case err == nil:
			log.Info("demo data loaded")
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("demo: database already initialised; keeping its data")
		default:
			return err
		}
		log.Info("demo tokens", "provider", demo.ProviderToken, "reseller", demo.ResellerToken, "customer", demo.CustomerToken)
	}
	if err := resumeTestClock(ctx, st, tc, log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var opts []api.Option
	var panelOpts []panel.Option
	procDone := make(chan struct{})
	procCtx, stopProc := context.WithCancel(context.Background())
	defer func() { stopProc(); <-procDone }()
	var wake func()
	if proc.enabled() {
		p, err := proc.processor(st, log)
		if err != nil {
			close(procDone)
			return err
		}
		opts = append(opts, api.WithProcessing(p))
		wake = p.Wake
		panelOpts = append(panelOpts, panel.WithProcessing(p), panel.WithSimulator(proc.sim))
		go func() { defer close(procDone); p.Run(procCtx) }()
		if *proc.webhookURL != "" {
			n := &worker.Notifier{Store: st, URL: *proc.webhookURL, Secret: *proc.webhookSecret, Log: log}
			go n.Run(procCtx)
		}
	} else {
		close(procDone)
	}
	sch := sched.scheduler(st, clk, wake, log)
	if tc != nil {
		opts = append(opts, api.WithTestClock(sch))
	}
	schedDone := make(chan struct{})
	if proc.enabled() && !*sched.off {
		go func() { defer close(schedDone); sch.Run(procCtx) }()
	} else {
		close(schedDone)
	}
	defer func() { stopProc(); <-schedDone }()
	pn, err := panel.New(st, log, panelOpts...)
	if err != nil {
		return err
	}
	opts = append(opts, api.WithPanel(pn))
	srv := &http.Server{
		Handler:           api.NewServer(st, log, opts...),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
	log.Info("listening", "addr", ln.Addr().String(), "db", dbKind(*dsn), "version", version)
	fmt.Fprintf(stdout, "openbss listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func dbKind(dsn string) string {
	if store.IsPostgres(dsn) {
		return "postgres"
	}
	return "sqlite:" + dsn
}

// tuneGC trades memory the server has to spare for CPU it has not: the garbage collector runs
// when the heap has grown by 400% rather than 100% (the live heap of a busy server is a few tens
// of MB; the collector's share of an estimate's CPU fell from ~10% to ~2%, the server's CPU per
// request by 12%), and a soft limit of 256 MiB makes it run sooner should the heap ever get near
// it. GOGC and GOMEMLIMIT, when set, are left to the runtime.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}
